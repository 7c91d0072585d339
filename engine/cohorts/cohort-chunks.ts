/**
 * Scoring a whole cohort on both cores: the task the parallel pool runs (engine/parallel/parallel.ts) to score
 * chunks of rows into each row's total and flags, on the main thread and the worker alike.
 */
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import type { Cohort, CohortColumn, ScalarColumn } from "./cohort";
import { bindColumnar, type ColumnarProgram } from "../scoring/columnar";
import { chunkTask, ChunkedWork, PARALLEL_MIN_ROWS, sharedCopy } from "../parallel/parallel";

export const ELIGIBLE = 1;
export const VETOED = 2;

/** ELIGIBLE and VETOED bits of the row a program last scored (its `state`). */
export function flagsOf(state: Float64Array): number {
  return (state[1] === 0 && state[2] === 0 ? ELIGIBLE : 0) | (state[1] === 1 ? VETOED : 0);
}

export interface ScoreColumnsOut {
  total: Float64Array;
  /** Bit 0: eligible; bit 1: vetoed. */
  flags: Uint8Array;
}

/** Scores rows [start, end) into the outputs. */
export function scoreRowsInto(program: ColumnarProgram, start: number, end: number, out: ScoreColumnsOut): void {
  const { total, flags } = out;
  const state = program.state;
  for (let i = start; i < end; i++) {
    total[i] = program.scoreRow(i);
    flags[i] = flagsOf(state);
  }
}

function sharedScalar(column: ScalarColumn): ScalarColumn {
  switch (column.kind) {
    case "number":
      return { kind: "number", values: sharedCopy(column.values) };
    case "boolean":
      return { kind: "boolean", values: sharedCopy(column.values) };
    case "text":
      return { kind: "text", values: sharedCopy(column.values), dictionary: column.dictionary };
  }
}

/** The cohort with every column in SharedArrayBuffers (arrays already shared are kept; dictionaries are shared as they are). */
export function shareCohort(cohort: Cohort): Cohort {
  const columns: Record<Id, CohortColumn> = {};
  for (const id of cohort.factIds) {
    const column = cohort.columns[id];
    columns[id] =
      column.kind === "records"
        ? { ...column, present: sharedCopy(column.present), start: sharedCopy(column.start), fields: column.fields.map(sharedScalar) }
        : sharedScalar(column);
  }
  return { size: cohort.size, ids: cohort.ids, factIds: cohort.factIds, columns };
}

export function isShared(cohort: Cohort): boolean {
  return cohort.factIds.every((id) => {
    const column = cohort.columns[id];
    if (column.kind !== "records") return column.values.buffer instanceof SharedArrayBuffer;
    return column.start.buffer instanceof SharedArrayBuffer && column.fields.every((field) => field.values.buffer instanceof SharedArrayBuffer);
  });
}

/** What a thread binds to score a cohort: the program, its date and the cohort (without its ids, which scoring never reads). */
export interface CohortBinding {
  doc: StandardDocument;
  programId: Id;
  date: IsoDate;
  cohort: Cohort;
}

export const scoreCohortTask = chunkTask<CohortBinding, ColumnarProgram, ScoreColumnsOut>({
  ref: { module: "cohorts/cohort-chunks.ts", name: "scoreCohortTask" },
  bind: ({ doc, programId, cohort, date }) => bindColumnar(doc, programId, cohort, date),
  rows: (program, start, end, out) => {
    scoreRowsInto(program, start, end, out);
    return undefined;
  },
});

export interface ParallelScores extends ScoreColumnsOut {
  /** Chunks the worker scored (0: the main thread scored everything). */
  workerChunks: number;
  chunks: number;
}

/**
 * A program bound to a shared cohort and a date, scoring every row with the worker's help (engine/parallel/parallel.ts).
 * `scoreAll` may be called again (benchmarks): both threads keep their binding.
 */
export class CohortScorer {
  readonly program: ColumnarProgram;
  readonly cohort: Cohort;
  private readonly work: ChunkedWork<CohortBinding, ColumnarProgram, ScoreColumnsOut>;

  constructor(doc: StandardDocument, programId: Id, cohort: Cohort, date: IsoDate) {
    const shared = isShared(cohort) ? cohort : shareCohort(cohort);
    this.cohort = shared;
    this.work = new ChunkedWork(
      scoreCohortTask,
      () => ({ doc, programId, date, cohort: { ...shared, ids: [] } }),
      () => bindColumnar(doc, programId, shared, date),
    );
    // A large cohort: the worker binds while this thread does.
    if (shared.size >= PARALLEL_MIN_ROWS) this.work.offer();
    this.program = this.work.bound;
  }

  scoreAll(options: { worker?: boolean; chunkSize?: number } = {}): ParallelScores {
    const size = this.cohort.size;
    const out: ScoreColumnsOut = {
      total: new Float64Array(new SharedArrayBuffer(8 * size)),
      flags: new Uint8Array(new SharedArrayBuffer(size)),
    };
    return { ...out, ...this.work.run(size, out, options) };
  }
}
