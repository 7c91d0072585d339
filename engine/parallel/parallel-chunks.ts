/**
 * The part of parallel cohort scoring that runs on both sides: the main thread and a worker (engine/parallel.ts)
 * take chunks of rows from one shared counter until none is left, so whichever is faster (or ready sooner) does
 * more. Every chunk is scored by exactly one of them, with the same generated code over the same shared columns,
 * so the figures do not depend on who scored which rows.
 */
import type { ColumnarProgram } from "../scoring/columnar";

/** control[0]: the next chunk to take. */
export const NEXT_CHUNK = 0;

/** status[c] of chunk c: taken by the main thread, taken by the worker, scored, or failed in the worker. */
export const CHUNK = { free: 0, main: 1, worker: 2, done: 3, failed: 4 } as const;

export interface ChunkPlan {
  size: number;
  chunkSize: number;
  /** Int32Array over a SharedArrayBuffer: [next chunk]. */
  control: Int32Array;
  /** Int32Array over a SharedArrayBuffer, one entry per chunk (CHUNK). */
  status: Int32Array;
}

export interface ScoreColumnsOut {
  total: Float64Array;
  /** Bit 0: eligible; bit 1: vetoed. */
  flags: Uint8Array;
}

/** out.state of an allocation given to the worker (engine/parallel.ts, `allocatePair`). */
export const ALLOCATION = { pending: 0, done: 1, failed: 2 } as const;

export const ELIGIBLE = 1;
export const VETOED = 2;

export function chunkCount(plan: Pick<ChunkPlan, "size" | "chunkSize">): number {
  return Math.ceil(plan.size / plan.chunkSize);
}

/** Rows of chunk c. */
export function chunkRows(plan: Pick<ChunkPlan, "size" | "chunkSize">, c: number): [number, number] {
  const start = c * plan.chunkSize;
  return [start, Math.min(plan.size, start + plan.chunkSize)];
}

/** ELIGIBLE and VETOED bits of the row a program last scored (its `state`). */
export function flagsOf(state: Float64Array): number {
  return (state[1] === 0 && state[2] === 0 ? ELIGIBLE : 0) | (state[1] === 1 ? VETOED : 0);
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

/**
 * Takes chunks until none is left, marking each as taken by `who` and then done; `score` scores one chunk's rows.
 * Returns how many chunks this side scored.
 */
export function takeChunks(plan: ChunkPlan, who: typeof CHUNK.main | typeof CHUNK.worker, score: (start: number, end: number, c: number) => void): number {
  const chunks = chunkCount(plan);
  let scored = 0;
  for (;;) {
    const c = Atomics.add(plan.control, NEXT_CHUNK, 1);
    if (c >= chunks) return scored;
    Atomics.store(plan.status, c, who);
    const [start, end] = chunkRows(plan, c);
    score(start, end, c);
    scored++;
    Atomics.store(plan.status, c, CHUNK.done);
    Atomics.notify(plan.status, c);
  }
}
