/**
 * Parallel work on both cores, as a mechanism that names no stage: the main thread and one worker thread take
 * chunks of rows from a shared counter (engine/parallel/parallel-chunks.ts) and write into shared arrays, or the
 * worker runs one task while the main thread does its own. What the work is comes from the stage that asks, as a
 * task its module exports (`ChunkTask`, `OnceTask`); the worker imports that module by its path under engine/.
 * Columns the worker reads must live in SharedArrayBuffers (`sharedCopy`).
 *
 * The worker is one per process, started on first use (or earlier, with `startScoringWorker`, as the bench does
 * before it measures) and not kept alive for its own sake (`unref`); it loads every task defined so far before it
 * says it is ready, and each task defined later as soon as it is. It binds each piece of work itself from the same
 * data, with the same code, so a row's figures do not depend on which thread did it. Whatever goes wrong in the
 * worker (it cannot start, a chunk throws, it stops answering) costs time, never a result: the main thread does
 * every chunk the worker has not finished, and a one-off task the worker did not answer.
 *
 * Calls are synchronous: the main thread waits for the worker's last chunks with Atomics.wait, which Node allows
 * on the main thread. `JIFEN_SCORING_WORKER=0` turns the worker off.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { CHUNK, chunkCount, chunkRows, NEXT_CHUNK, ONCE, takeChunks, taskKey, type ChunkPlan, type ChunkTask, type OnceTask, type TaskRef } from "./parallel-chunks";
import type { WorkerMessage, WorkerReply } from "./parallel-worker";

/**
 * Below this many rows one thread is done sooner: the worker binds and warms up its own copy of the scorer, and
 * with both cores busy the optimising compiler gets no core of its own (measured on the 2-core machine, Hangzhou
 * 2018, cold process: ranking 60k rows 317 ms on one thread against 591 ms on two, 300k 491 against 580, 1M 1,095
 * against 933; a what-if 100k 551 ms against 800, 1M 2.4 s against 1.8 s).
 */
export const PARALLEL_MIN_ROWS = 500_000;
const CHUNK_ROWS = 8_192;
/** Chunks are whole multiples of this many rows (a stage's blocks of sums never straddle two chunks: engine/simulation/whatif-chunks.ts). */
export const CHUNK_MULTIPLE = 64;
/** How long the main thread waits for one chunk (or one-off task) the worker took before doing it itself. */
const CHUNK_TIMEOUT_MS = 20_000;

/** The array itself if it lives in a SharedArrayBuffer, else a copy that does. */
export function sharedCopy<T extends Float64Array | Int32Array | Int8Array | Uint8Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Type = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Type(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

/** engine/parallel/parallel-worker.mjs, found from this module's place: the engine's own folder, or the package root above a build. */
function workerEntry(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    for (const candidate of [join(dir, "parallel-worker.mjs"), join(dir, "engine", "parallel", "parallel-worker.mjs")]) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

interface ScoringWorker {
  worker: Worker;
  ready: Promise<boolean>;
  /** Set when its "ready" message has been received (the tasks are loaded). */
  isReady: boolean;
}

let scoringWorker: ScoringWorker | null | undefined;

/** Tasks the stages have defined, which the worker loads ahead of their first use. */
const definedTasks = new Map<string, TaskRef>();

function defineTask(ref: TaskRef): void {
  const key = taskKey(ref);
  if (definedTasks.has(key)) return;
  definedTasks.set(key, ref);
  scoringWorker?.worker.postMessage({ kind: "load", tasks: [ref] } satisfies WorkerMessage);
}

/** A stage's chunked task, made known to the worker (call it at the stage module's top level). */
export function chunkTask<Binding, Bound, Out>(task: ChunkTask<Binding, Bound, Out>): ChunkTask<Binding, Bound, Out> {
  defineTask(task.ref);
  return task;
}

/** A stage's one-off task, made known to the worker (call it at the stage module's top level). */
export function onceTask<Input, Reply>(task: OnceTask<Input, Reply>): OnceTask<Input, Reply> {
  defineTask(task.ref);
  return task;
}

/** Starts the worker if this machine has a second core and the worker is not turned off; idempotent. */
export function startScoringWorker(): boolean {
  if (scoringWorker !== undefined) return scoringWorker !== null;
  const entry = process.env.JIFEN_SCORING_WORKER === "0" || availableParallelism() < 2 ? undefined : workerEntry();
  if (!entry) {
    scoringWorker = null;
    return false;
  }
  const worker = new Worker(entry, { execArgv: [], workerData: { preload: [...definedTasks.values()] } });
  let settle: (ready: boolean) => void = () => undefined;
  const state: ScoringWorker = { worker, ready: new Promise((resolve) => (settle = resolve)), isReady: false };
  worker.on("message", (reply: WorkerReply) => {
    if (reply.kind === "ready") {
      state.isReady = true;
      settle(true);
    }
    // Its chunks were done by the main thread; the cause is worth a line in the log.
    if (reply.kind === "failed") console.warn(`scoring worker: ${reply.message}; the main thread did its part`);
  });
  // A worker that cannot start or dies is dropped; the next call starts none and works on the main thread.
  const drop = (error?: unknown) => {
    settle(false);
    if (scoringWorker === state) scoringWorker = null;
    if (error) console.warn(`scoring worker stopped: ${error instanceof Error ? error.message : String(error)}; work goes on in the main thread`);
  };
  worker.on("error", drop);
  worker.on("exit", () => drop());
  worker.unref();
  scoringWorker = state;
  return true;
}

/** Resolves once the worker has loaded the tasks defined so far (false: there is none, or it could not start). */
export function scoringWorkerReady(): Promise<boolean> {
  startScoringWorker();
  const state = scoringWorker;
  if (!state) return Promise.resolve(false);
  if (state.isReady) return state.ready;
  // Someone waits for it: the worker keeps the process alive until it has loaded (it is unref'd otherwise).
  state.worker.ref();
  return state.ready.finally(() => state.worker.unref());
}

/** Stops the worker (tests); the next call that wants one starts another. */
export async function stopScoringWorker(): Promise<void> {
  const current = scoringWorker;
  scoringWorker = undefined;
  if (current) await current.worker.terminate();
}

function newPlan(size: number, chunkSize: number): ChunkPlan {
  const chunks = Math.ceil(size / chunkSize);
  return { size, chunkSize, control: new Int32Array(new SharedArrayBuffer(4)), status: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, chunks))) };
}

/**
 * After the main thread has taken its last chunk: waits for each chunk the worker took, and does itself any the
 * worker failed or did not finish within CHUNK_TIMEOUT_MS. Returns how many chunks it did so.
 */
function finishChunks(plan: ChunkPlan, here: (start: number, end: number, c: number) => void): number {
  let takenOver = 0;
  for (let c = 0; c < chunkCount(plan); c++) {
    let status = Atomics.load(plan.status, c);
    const deadline = Date.now() + CHUNK_TIMEOUT_MS;
    // free: the worker has taken it from the counter and not marked it yet.
    while ((status === CHUNK.free || status === CHUNK.worker) && Date.now() < deadline) {
      Atomics.wait(plan.status, c, status, 50);
      status = Atomics.load(plan.status, c);
    }
    if (status === CHUNK.done) continue;
    const [start, end] = chunkRows(plan, c);
    here(start, end, c);
    Atomics.store(plan.status, c, CHUNK.done);
    takenOver++;
  }
  return takenOver;
}

let keys = 0;

/** How many rows a chunk holds: small enough that the two threads end close together, large enough that taking one costs nothing; whole multiples of CHUNK_MULTIPLE. */
export function chunkSizeFor(size: number, asked?: number): number {
  const rows = asked ?? Math.min(CHUNK_ROWS, Math.max(1_024, Math.ceil(size / 64)));
  return Math.ceil(rows / CHUNK_MULTIPLE) * CHUNK_MULTIPLE;
}

/** Work the main thread no longer holds: the worker drops its binding too (and with it the cohort's memory). */
const dropInWorker = new FinalizationRegistry<{ key: string; worker: Worker }>(({ key, worker }) => {
  if (scoringWorker?.worker === worker) worker.postMessage({ kind: "drop", key } satisfies WorkerMessage);
});

export interface ChunkRunOptions {
  /** Let the worker take chunks (default: from PARALLEL_MIN_ROWS rows). */
  worker?: boolean;
  chunkSize?: number;
  /** Called after each chunk the main thread did, with the rows taken by either thread so far. */
  onChunk?: (rowsTaken: number) => void;
}

/**
 * A stage's chunked task bound to its data, run over all rows on the main thread and (when asked) the worker.
 * The binding goes to the worker once, under a key of its own (`offer`, as soon as the stage knows it will want
 * the worker, so that both threads bind at the same time).
 */
export class ChunkedWork<Binding, Bound, Out> {
  private readonly key = `chunked-${++keys}`;
  private sentTo: Worker | undefined;
  private boundHere: { value: Bound } | undefined;

  constructor(
    private readonly task: ChunkTask<Binding, Bound, Out>,
    /** What the worker binds from (called when the worker is first offered the work). */
    private readonly binding: () => Binding,
    /** This thread's own binding (made on first use, so that `offer` may come first). */
    private readonly bindHere: () => Bound,
  ) {}

  /** This thread's binding. */
  get bound(): Bound {
    this.boundHere ??= { value: this.bindHere() };
    return this.boundHere.value;
  }

  /** Sends the binding to the worker unless it has it already; the worker to use, if any. */
  offer(): Worker | undefined {
    if (!startScoringWorker() || !scoringWorker) return undefined;
    const worker = scoringWorker.worker;
    if (this.sentTo !== worker) {
      this.sentTo = worker;
      worker.postMessage({ kind: "bind", key: this.key, task: this.task.ref, binding: this.binding() } satisfies WorkerMessage);
      dropInWorker.register(this, { key: this.key, worker });
    }
    return worker;
  }

  /**
   * Does rows [0, size) into `out` (in shared memory when the worker takes part); the main thread's chunks' replies
   * and the worker's go to `reply(message, chunk)`, each chunk's once. Returns how many chunks there were and how many
   * the worker did.
   */
  run(size: number, out: Out, options: ChunkRunOptions = {}, reply?: (message: unknown, chunk: number) => void): { workerChunks: number; chunks: number } {
    const plan = newPlan(size, chunkSizeFor(size, options.chunkSize));
    const worker = (options.worker ?? size >= PARALLEL_MIN_ROWS) ? this.offer() : undefined;
    const replied = new Uint8Array(chunkCount(plan));
    const channel = worker && reply ? new MessageChannel() : undefined;
    if (worker) {
      const message: WorkerMessage = { kind: "chunks", key: this.key, plan, out, ...(channel ? { port: channel.port2 } : {}) };
      worker.postMessage(message, channel ? [channel.port2] : []);
    }
    const bound = this.bound;
    const here = (start: number, end: number, c: number) => {
      const answer = this.task.rows(bound, start, end, out, c);
      if (reply && answer) {
        replied[c] = 1;
        reply(answer.message, c);
      }
    };
    const { onChunk } = options;
    const mainChunks = takeChunks(plan, CHUNK.main, (start, end, c) => {
      here(start, end, c);
      onChunk?.(Math.min(size, Atomics.load(plan.control, NEXT_CHUNK) * plan.chunkSize));
    });
    const takenOver = finishChunks(plan, here);
    const chunks = chunkCount(plan);
    // The worker's replies wait on the port (each posted before its chunk was marked done).
    if (channel) {
      for (let message = receiveMessageOnPort(channel.port1); message; message = receiveMessageOnPort(channel.port1)) {
        const { c, body } = message.message as { c: number; body: unknown };
        if (replied[c]) continue;
        replied[c] = 1;
        reply!(body, c);
      }
      channel.port1.close();
    }
    // A chunk marked done whose reply did not arrive (never seen; it would be a lost message) is done again here.
    if (reply) {
      for (let c = 0; c < chunks; c++) if (!replied[c]) here(...chunkRows(plan, c), c);
    }
    return { workerChunks: chunks - mainChunks - takenOver, chunks };
  }
}

/**
 * Runs `task` on the worker (when it is ready and `useWorker`) while the main thread runs `here`; returns what
 * `here` gave and the worker's reply, or undefined for the reply when there is no worker, it failed, or it took
 * longer than CHUNK_TIMEOUT_MS (the caller then does the task's work itself).
 */
export function runBeside<Input, Reply, Here>(task: OnceTask<Input, Reply>, input: () => Input, here: () => Here, useWorker = true): [Here, Reply | undefined] {
  const worker = useWorker && scoringWorker?.isReady ? scoringWorker.worker : undefined;
  if (!worker) return [here(), undefined];
  const state = new Int32Array(new SharedArrayBuffer(4));
  const channel = new MessageChannel();
  worker.postMessage({ kind: "once", task: task.ref, input: input(), state, port: channel.port2 } satisfies WorkerMessage, [channel.port2]);
  const mine = here();
  const deadline = Date.now() + CHUNK_TIMEOUT_MS;
  while (Atomics.load(state, 0) === ONCE.pending && Date.now() < deadline) Atomics.wait(state, 0, ONCE.pending, 50);
  const reply = Atomics.load(state, 0) === ONCE.done ? (receiveMessageOnPort(channel.port1)?.message as Reply | undefined) : undefined;
  channel.port1.close();
  return [mine, reply];
}
