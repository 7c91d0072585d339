/**
 * Issue 24's figures, each in a process of its own (cold, as a server or a command-line run would be):
 * - `session <standard.json> <programId> <size>`: a what-if session (engine/simulation/whatif-session.ts) on a
 *   generated cohort: the baseline scored once, then one run per lever, each numeric parameter of the program
 *   (engine/levers/parameters.ts, the first 40 in the official table's order) one step up and one step down;
 * - `reference <standard.json> <programId> <size>`: the compiled path on one thread against the hand-written loop
 *   (bench/reference-loop.ts, Shanghai 2015 only) on the same cohort, timed in turns, after every row's total has
 *   been checked to agree.
 * Prints one JSON line. Each figure carries the load average at its end: the machine is shared.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { StandardDocument } from "../rules-schema/types";
import { generateCohortColumns } from "../engine/cohorts/cohort-generate";
import { applyStep, listParameters } from "../engine/levers/parameters";
import { bindColumnar } from "../engine/scoring/columnar";
import { createWhatIfSession } from "../engine/simulation/whatif-session";
import { shanghai2015ReferenceLoop } from "./reference-loop";

export interface SessionFigures {
  size: number;
  baselineMs: number;
  parameters: number;
  runs: number;
  /** Wall time of all runs (the levers: every parameter one step up and one down). */
  leversMs: number;
  leversCpuMs: number;
  /** Per run: median and slowest wall time, and the median of each phase. */
  oneParameterMedianMs: number;
  oneParameterMaxMs: number;
  phasesMedianMs: { scoreMs: number; totalsMs: number; allocateMs: number; diffMs: number };
  incrementalRuns: number;
  fullRuns: number;
  fullReasons: string[];
  loadAverage: number;
}

export interface ReferenceFigures {
  standard: string;
  size: number;
  /** Rows whose total (or verdict) differs between the two: 0, or the rates mean nothing. */
  mismatches: number;
  compiledPerSecond: number;
  referencePerSecond: number;
  /** compiled / reference. */
  ratio: number;
  loadAverage: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1] : NaN;
};
const round1 = (value: number) => Math.round(value * 10) / 10;

function sessionFigures(doc: StandardDocument, programId: string, size: number): SessionFigures {
  const date = doc.effectiveFrom ?? "2024-01-01";
  const cohort = generateCohortColumns(doc, size, "bench", { referenceDate: date });
  const program = doc.programs.find((p) => p.id === programId);
  const poolBy = program?.allocation.kind === "quota" ? program.allocation.poolBy : undefined;
  const poolColumn = poolBy ? cohort.columns[poolBy] : undefined;
  const pools = poolColumn?.kind === "text" ? Math.max(1, poolColumn.dictionary.length) : 1;
  const quotas = { "*": Math.max(1, Math.floor(size / 50 / pools)) };
  const started = performance.now();
  const session = createWhatIfSession(doc, cohort, { programId, quotas, date });
  const baselineMs = performance.now() - started;
  const parameters = listParameters(doc, { program: programId }).slice(0, 40);
  const candidates = parameters.flatMap((parameter) => [applyStep(doc, parameter, 1), applyStep(doc, parameter, -1)]).filter((c): c is StandardDocument => c !== undefined);
  const times: number[] = [];
  const phases: Record<"scoreMs" | "totalsMs" | "allocateMs" | "diffMs", number[]> = { scoreMs: [], totalsMs: [], allocateMs: [], diffMs: [] };
  const reasons = new Set<string>();
  let incrementalRuns = 0;
  const cpuStart = process.cpuUsage();
  const leversStart = performance.now();
  for (const candidate of candidates) {
    const timings: { scoreMs?: number; totalsMs?: number; allocateMs?: number; diffMs?: number } = {};
    const runStart = performance.now();
    const outcome = session.run(candidate, { timings });
    times.push(performance.now() - runStart);
    if (outcome.mode === "incremental") {
      incrementalRuns++;
      for (const key of Object.keys(phases) as Array<keyof typeof phases>) phases[key].push(timings[key] ?? NaN);
    } else reasons.add(outcome.fullReason ?? "");
  }
  const leversMs = performance.now() - leversStart;
  const cpu = process.cpuUsage(cpuStart);
  return {
    size,
    baselineMs: Math.round(baselineMs),
    parameters: parameters.length,
    runs: candidates.length,
    leversMs: Math.round(leversMs),
    leversCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    oneParameterMedianMs: round1(median(times)),
    oneParameterMaxMs: round1(Math.max(...times)),
    phasesMedianMs: {
      scoreMs: round1(median(phases.scoreMs)),
      totalsMs: round1(median(phases.totalsMs)),
      allocateMs: round1(median(phases.allocateMs)),
      diffMs: round1(median(phases.diffMs)),
    },
    incrementalRuns,
    fullRuns: candidates.length - incrementalRuns,
    fullReasons: [...reasons],
    loadAverage: round1(loadavg()[0]),
  };
}

function referenceFigures(doc: StandardDocument, programId: string, size: number): ReferenceFigures {
  const date = doc.effectiveFrom ?? "2024-01-01";
  const cohort = generateCohortColumns(doc, size, "bench", { referenceDate: date });
  const compiled = bindColumnar(doc, programId, cohort, date);
  const reference = shanghai2015ReferenceLoop(doc, cohort, date);
  let mismatches = 0;
  for (let i = 0; i < size; i++) {
    const total = compiled.scoreRow(i);
    const eligible = compiled.state[1] === 0 && compiled.state[2] === 0 ? 1 : 0;
    if (!Object.is(total, reference.scoreRow(i)) || eligible !== reference.verdict[0]) mismatches++;
  }
  // In turns, a quarter second each, so that both see the same machine.
  const rows = { compiled: 0, reference: 0 };
  const seconds = { compiled: 0, reference: 0 };
  let checksum = 0;
  for (let turn = 0; turn < 8; turn++) {
    for (const [name, score] of [
      ["compiled", compiled.scoreRow],
      ["reference", reference.scoreRow],
    ] as const) {
      const start = performance.now();
      do {
        for (let i = 0; i < size; i++) checksum += score(i);
        rows[name] += size;
      } while (performance.now() - start < 250);
      seconds[name] += (performance.now() - start) / 1000;
    }
  }
  if (Number.isNaN(checksum)) throw new Error("a scorer produced NaN");
  const compiledPerSecond = Math.round(rows.compiled / seconds.compiled);
  const referencePerSecond = Math.round(rows.reference / seconds.reference);
  return {
    standard: `${doc.id} ${doc.version}`,
    size,
    mismatches,
    compiledPerSecond,
    referencePerSecond,
    ratio: Math.round((compiledPerSecond / referencePerSecond) * 1000) / 1000,
    loadAverage: round1(loadavg()[0]),
  };
}

const isMain = process.argv[1] !== undefined && /incremental-child\.ts$/.test(process.argv[1]);
if (isMain) {
  const [mode, file, programId, sizeText] = process.argv.slice(2);
  const doc = JSON.parse(readFileSync(file, "utf8")) as StandardDocument;
  const size = Number(sizeText);
  const figures = mode === "reference" ? referenceFigures(doc, programId, size) : sessionFigures(doc, programId, size);
  process.stdout.write(JSON.stringify(figures) + "\n");
}
