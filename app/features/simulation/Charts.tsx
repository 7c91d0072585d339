/** The result page's charts (recharts, fixed sizes so the SVG renders on the server too). */
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

const BEFORE = "#9aa5b1";
const AFTER = "#9b1c1c";

export interface PairedBar {
  label: string;
  before: number;
  after: number;
}

export function PairedBars({ data, before, after, testId, width = 600, height = 280 }: { data: PairedBar[]; before: string; after: string; testId: string; width?: number; height?: number }) {
  return (
    <div data-testid={testId}>
      <BarChart width={width} height={height} data={data} margin={{ top: 8, right: 12, bottom: 8, left: 4 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 11 }} interval="preserveStartEnd" />
        <YAxis tick={{ fontSize: 11 }} />
        <Tooltip />
        <Legend />
        <Bar dataKey="before" name={before} fill={BEFORE} isAnimationActive={false} />
        <Bar dataKey="after" name={after} fill={AFTER} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}

export function CountBars({ data, name, testId, width = 600, height = 280 }: { data: Array<{ label: string; count: number }>; name: string; testId: string; width?: number; height?: number }) {
  return (
    <div data-testid={testId}>
      <BarChart width={width} height={height} data={data} margin={{ top: 8, right: 12, bottom: 8, left: 4 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 10 }} interval={0} angle={-25} textAnchor="end" height={48} />
        <YAxis tick={{ fontSize: 11 }} />
        <Tooltip />
        <Bar dataKey="count" name={name} fill={AFTER} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}

/** Horizontal paired bars, for item labels that are long. */
export function PairedBarsHorizontal({ data, before, after, testId, width = 600 }: { data: PairedBar[]; before: string; after: string; testId: string; width?: number }) {
  return (
    <div data-testid={testId}>
      <BarChart layout="vertical" width={width} height={Math.max(200, 28 * data.length + 60)} data={data} margin={{ top: 8, right: 12, bottom: 8, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" tick={{ fontSize: 11 }} />
        <YAxis type="category" dataKey="label" width={190} tick={{ fontSize: 11 }} />
        <Tooltip />
        <Legend />
        <Bar dataKey="before" name={before} fill={BEFORE} isAnimationActive={false} />
        <Bar dataKey="after" name={after} fill={AFTER} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}
