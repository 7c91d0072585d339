/** The shapes the round screens render: plain JSON built on the server (present.server.ts). */
export interface PoolRow {
  ref: string;
  rank: number | null;
  name: string;
  idNumber: string;
  points: string;
  verdict: string;
  admitted: boolean;
  /** The amendment's words ("amended on …, was …") when this applicant's figures were corrected. */
  amended: string | null;
}

export interface PoolTable {
  pool: string;
  label: string;
  places: number | null;
  admitted: number;
  cutoff: number | null;
  rows: PoolRow[];
  more: number;
}
