/**
 * The part of parallel work that runs on both sides: the main thread and a worker (engine/parallel/parallel.ts)
 * take chunks of rows from one shared counter until none is left, so whichever is faster (or ready sooner) does
 * more. Every chunk is done by exactly one of them, with the same code over the same shared columns, so the
 * figures do not depend on who did which rows.
 *
 * What the work is, the pool does not know: a stage hands it a task (`ChunkTask`, `OnceTask`), an object its own
 * module exports, which the worker finds by that module's path under engine/ and the export's name.
 */

/** control[0]: the next chunk to take. */
export const NEXT_CHUNK = 0;

/** status[c] of chunk c: taken by the main thread, taken by the worker, done, or failed in the worker. */
export const CHUNK = { free: 0, main: 1, worker: 2, done: 3, failed: 4 } as const;

export interface ChunkPlan {
  size: number;
  chunkSize: number;
  /** Int32Array over a SharedArrayBuffer: [next chunk]. */
  control: Int32Array;
  /** Int32Array over a SharedArrayBuffer, one entry per chunk (CHUNK). */
  status: Int32Array;
}

/** state[0] of a task run once on the worker beside the main thread's own work (`runBeside`). */
export const ONCE = { pending: 0, done: 1, failed: 2 } as const;

/** Where the worker finds a task: the path of its module under engine/ ("simulation/whatif-scorer.ts") and its export. */
export interface TaskRef {
  module: string;
  name: string;
}

/** What a chunk's work sends back besides what it writes into shared memory, with the buffers to move rather than copy. */
export interface ChunkReply {
  message: unknown;
  transfer?: ArrayBuffer[];
}

/**
 * Work over a table's rows in chunks. `bind` prepares what every chunk needs (once per thread: the worker binds
 * from the structured clone of `binding`); `rows` does rows [start, end) of chunk c into `out` (shared memory) and
 * may return a reply, which the worker posts to the main thread before the chunk is marked done.
 */
export interface ChunkTask<Binding, Bound, Out> {
  ref: TaskRef;
  bind(binding: Binding): Bound;
  rows(bound: Bound, start: number, end: number, out: Out, c: number): ChunkReply | undefined;
}

/** Work done once, on the worker while the main thread does its own (`runBeside`); its input is a structured clone. */
export interface OnceTask<Input, Reply> {
  ref: TaskRef;
  run(input: Input): Reply;
}

/** The engine-relative module paths a task may name: a stage folder and a file in it, nothing else. */
export const TASK_MODULE = /^[a-z]+\/[a-z][a-z-]*\.ts$/;

export function taskKey(ref: TaskRef): string {
  return `${ref.module}#${ref.name}`;
}

export function chunkCount(plan: Pick<ChunkPlan, "size" | "chunkSize">): number {
  return Math.ceil(plan.size / plan.chunkSize);
}

/** Rows of chunk c. */
export function chunkRows(plan: Pick<ChunkPlan, "size" | "chunkSize">, c: number): [number, number] {
  const start = c * plan.chunkSize;
  return [start, Math.min(plan.size, start + plan.chunkSize)];
}

/**
 * Takes chunks until none is left, marking each as taken by `who` and then done; `work` does one chunk's rows.
 * Returns how many chunks this side did.
 */
export function takeChunks(plan: ChunkPlan, who: typeof CHUNK.main | typeof CHUNK.worker, work: (start: number, end: number, c: number) => void): number {
  const chunks = chunkCount(plan);
  let done = 0;
  for (;;) {
    const c = Atomics.add(plan.control, NEXT_CHUNK, 1);
    if (c >= chunks) return done;
    Atomics.store(plan.status, c, who);
    const [start, end] = chunkRows(plan, c);
    work(start, end, c);
    done++;
    Atomics.store(plan.status, c, CHUNK.done);
    Atomics.notify(plan.status, c);
  }
}
