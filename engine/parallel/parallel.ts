/**
 * Cohort scoring on both cores: the main thread and one worker thread take chunks of rows from a shared counter
 * (engine/parallel-chunks.ts) and write each row's total and flags into shared arrays. The cohort's columns must
 * live in SharedArrayBuffers (`shareCohort`) so the worker reads them without a copy.
 *
 * The worker is one per process, started on first use (or earlier, with `startScoringWorker`, as the bench does
 * before it measures) and not kept alive for its own sake (`unref`). It binds the program itself: same document, program, date
 * and cohort, same generated code, so a row's figures do not depend on which thread scored it. Whatever goes
 * wrong in the worker (it cannot start, a chunk throws, it stops answering) costs time, never a result: the main
 * thread scores every chunk the worker has not finished.
 *
 * Calls are synchronous: the main thread waits for the worker's last chunks with Atomics.wait, which Node allows
 * on the main thread. `JIFEN_SCORING_WORKER=0` turns the worker off.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type TransferListItem } from "node:worker_threads";
import type { Id, IsoDate, Program, StandardDocument } from "../../rules-schema/types";
import type { Cohort, CohortColumn, ScalarColumn } from "../cohorts/cohort";
import { bindColumnar, type ColumnarProgram } from "../scoring/columnar";
import { ALLOCATION, CHUNK, chunkCount, chunkRows, NEXT_CHUNK, scoreRowsInto, takeChunks, type ChunkPlan, type ScoreColumnsOut } from "./parallel-chunks";
import type { AllocationTask, Binding, ChunkChanges, WorkerMessage, WorkerReply, WorkerTask } from "./parallel-worker";
import { allocateColumns, idOrderOf, type AllocationColumns, type PoolAllocation, type RankColumns } from "../allocation/rank";
import { bindWhatIf, SUM_BLOCK, whatIfColumnsOut, whatIfRowsInto, type ChangeLog, type WhatIfColumnsOut, type WhatIfPair } from "../simulation/whatif-chunks";

/**
 * Below this many rows one thread is done sooner: the worker binds and warms up its own copy of the scorer, and
 * with both cores busy the optimising compiler gets no core of its own (measured on the 2-core machine, Hangzhou
 * 2018, cold process: ranking 60k rows 317 ms on one thread against 591 ms on two, 300k 491 against 580, 1M 1,095
 * against 933; a what-if 100k 551 ms against 800, 1M 2.4 s against 1.8 s).
 */
export const PARALLEL_MIN_ROWS = 500_000;
const CHUNK_ROWS = 8_192;
/** How long the main thread waits for one chunk the worker took before scoring it itself. */
const CHUNK_TIMEOUT_MS = 20_000;

function sharedCopy<T extends Float64Array | Int32Array | Int8Array | Uint8Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Type = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Type(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
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

function isShared(cohort: Cohort): boolean {
  return cohort.factIds.every((id) => {
    const column = cohort.columns[id];
    if (column.kind !== "records") return column.values.buffer instanceof SharedArrayBuffer;
    return column.start.buffer instanceof SharedArrayBuffer && column.fields.every((field) => field.values.buffer instanceof SharedArrayBuffer);
  });
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
  /** Set when its "ready" message has been received (the engine is loaded). */
  isReady: boolean;
}

let scoringWorker: ScoringWorker | null | undefined;

/** Starts the scoring worker if this machine has a second core and the worker is not turned off; idempotent. */
export function startScoringWorker(): boolean {
  if (scoringWorker !== undefined) return scoringWorker !== null;
  const entry = process.env.JIFEN_SCORING_WORKER === "0" || availableParallelism() < 2 ? undefined : workerEntry();
  if (!entry) {
    scoringWorker = null;
    return false;
  }
  const worker = new Worker(entry, { execArgv: [] });
  let settle: (ready: boolean) => void = () => undefined;
  const state: ScoringWorker = { worker, ready: new Promise((resolve) => (settle = resolve)), isReady: false };
  worker.on("message", (reply: WorkerReply) => {
    if (reply.kind === "ready") {
      state.isReady = true;
      settle(true);
    }
    // Its chunks were scored by the main thread; the cause is worth a line in the log.
    if (reply.kind === "failed") console.warn(`scoring worker: ${reply.message}; the main thread scored its rows`);
  });
  // A worker that cannot start or dies is dropped; the next call starts none and scores on the main thread.
  const drop = (error?: unknown) => {
    settle(false);
    if (scoringWorker === state) scoringWorker = null;
    if (error) console.warn(`scoring worker stopped: ${error instanceof Error ? error.message : String(error)}; scoring goes on in the main thread`);
  };
  worker.on("error", drop);
  worker.on("exit", () => drop());
  worker.unref();
  scoringWorker = state;
  return true;
}

/** Resolves once the scoring worker has loaded the engine (false: there is none, or it could not start). */
export function scoringWorkerReady(): Promise<boolean> {
  startScoringWorker();
  const state = scoringWorker;
  if (!state) return Promise.resolve(false);
  if (state.isReady) return state.ready;
  // Someone waits for it: the worker keeps the process alive until it has loaded (it is unref'd otherwise).
  state.worker.ref();
  return state.ready.finally(() => state.worker.unref());
}

/** Stops the scoring worker (tests); the next call that wants one starts another. */
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
 * After the main thread has taken its last chunk: waits for each chunk the worker took, and scores itself any the
 * worker failed or did not finish within CHUNK_TIMEOUT_MS. Returns how many chunks it scored so.
 */
function finishChunks(plan: ChunkPlan, scoreHere: (start: number, end: number, c: number) => void): number {
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
    scoreHere(start, end, c);
    Atomics.store(plan.status, c, CHUNK.done);
    takenOver++;
  }
  return takenOver;
}

export interface ParallelScores extends ScoreColumnsOut {
  /** Chunks the worker scored (0: the main thread scored everything). */
  workerChunks: number;
  chunks: number;
}

let keys = 0;

/** How many rows a chunk holds: small enough that the two threads end close together, large enough that taking one costs nothing; whole blocks of item sums (engine/whatif-chunks.ts). */
function chunkSizeFor(size: number, asked?: number): number {
  const rows = asked ?? Math.min(CHUNK_ROWS, Math.max(1_024, Math.ceil(size / 64)));
  return Math.ceil(rows / SUM_BLOCK) * SUM_BLOCK;
}

/** A scorer the main thread no longer holds: the worker drops its binding too (and with it the cohort's memory). */
const dropInWorker = new FinalizationRegistry<{ key: string; worker: Worker }>(({ key, worker }) => {
  if (scoringWorker?.worker === worker) worker.postMessage({ kind: "drop", key } satisfies WorkerMessage);
});

/**
 * What both scorers share: a key the worker keeps their binding under, the binding sent once (as soon as the
 * scorer is made, when it will want the worker, so that both threads bind at the same time), and the run of one
 * plan: the main thread's chunks, then the worker's, taking over what the worker did not finish.
 */
abstract class ChunkedScorer {
  private readonly key = `cohort-scorer-${++keys}`;
  private sentTo: Worker | undefined;

  protected abstract binding(): Binding;

  /** Sends the binding to the worker unless it has it already; the worker to use, if any. */
  protected offerBinding(): Worker | undefined {
    if (!startScoringWorker() || !scoringWorker) return undefined;
    const worker = scoringWorker.worker;
    if (this.sentTo !== worker) {
      this.sentTo = worker;
      worker.postMessage({ kind: "bind", key: this.key, binding: this.binding() } satisfies WorkerMessage);
      dropInWorker.register(this, { key: this.key, worker });
    }
    return worker;
  }

  protected runPlan(
    size: number,
    options: { worker?: boolean; chunkSize?: number; onChunk?: (rowsTaken: number) => void },
    task: (key: string, plan: ChunkPlan) => { task: WorkerTask; transfer?: TransferListItem[] },
    scoreHere: (start: number, end: number, c: number) => void,
  ): { workerChunks: number; chunks: number } {
    const plan = newPlan(size, chunkSizeFor(size, options.chunkSize));
    const worker = (options.worker ?? size >= PARALLEL_MIN_ROWS) ? this.offerBinding() : undefined;
    if (worker) {
      const made = task(this.key, plan);
      worker.postMessage(made.task, made.transfer ?? []);
    }
    const { onChunk } = options;
    const mainChunks = takeChunks(plan, CHUNK.main, (start, end, c) => {
      scoreHere(start, end, c);
      // Rows taken by either thread so far: progress enough for a progress bar.
      onChunk?.(Math.min(size, Atomics.load(plan.control, NEXT_CHUNK) * plan.chunkSize));
    });
    const takenOver = finishChunks(plan, scoreHere);
    const chunks = chunkCount(plan);
    return { workerChunks: chunks - mainChunks - takenOver, chunks };
  }
}

/**
 * A program bound to a shared cohort and a date, scoring every row with the worker's help (see the module
 * comment). `scoreAll` may be called again (benchmarks): both threads keep their binding.
 */
export class CohortScorer extends ChunkedScorer {
  readonly program: ColumnarProgram;
  readonly cohort: Cohort;

  constructor(
    private readonly doc: StandardDocument,
    private readonly programId: Id,
    cohort: Cohort,
    private readonly date: IsoDate,
  ) {
    super();
    this.cohort = isShared(cohort) ? cohort : shareCohort(cohort);
    if (this.cohort.size >= PARALLEL_MIN_ROWS) this.offerBinding();
    this.program = bindColumnar(doc, programId, this.cohort, date);
  }

  protected binding(): Binding {
    return { kind: "score", doc: this.doc, programId: this.programId, date: this.date, cohort: { ...this.cohort, ids: [] } };
  }

  scoreAll(options: { worker?: boolean; chunkSize?: number } = {}): ParallelScores {
    const size = this.cohort.size;
    const out: ScoreColumnsOut = {
      total: new Float64Array(new SharedArrayBuffer(8 * size)),
      flags: new Uint8Array(new SharedArrayBuffer(size)),
    };
    const run = this.runPlan(
      size,
      options,
      (key, plan) => ({ task: { kind: "score", key, plan, out } }),
      (start, end) => scoreRowsInto(this.program, start, end, out),
    );
    return { ...out, ...run };
  }
}

/** The what-if's scoring of a cohort under both versions (engine/simulate.ts), on both cores when it is large. */
export interface WhatIfScores extends WhatIfColumnsOut {
  /** Changed items of row i are entries changeStart[i] … changeStart[i+1]−1. */
  changeStart: Int32Array;
  changes: { item: Int32Array; before: Float64Array; after: Float64Array; length: number };
  workerChunks: number;
  chunks: number;
}

/**
 * Both versions of a standard bound to one cohort: every row scored under each, chunk by chunk, by the main
 * thread and (for large cohorts) the worker. Each chunk's changed items come back in a log of their own, which the
 * main thread joins in chunk order, so the result is the same whoever scored what.
 */
export class WhatIfScorer extends ChunkedScorer {
  readonly pair: WhatIfPair;
  readonly cohort: Cohort;

  constructor(
    private readonly baseline: StandardDocument,
    private readonly candidate: StandardDocument,
    private readonly programId: Id,
    cohort: Cohort,
    private readonly date: IsoDate,
    share: boolean,
  ) {
    super();
    this.cohort = share && !isShared(cohort) ? shareCohort(cohort) : cohort;
    if (share) this.offerBinding();
    this.pair = bindWhatIf(baseline, candidate, programId, this.cohort, date);
  }

  protected binding(): Binding {
    return { kind: "whatif", baseline: this.baseline, candidate: this.candidate, programId: this.programId, date: this.date, cohort: { ...this.cohort, ids: [] } };
  }

  scoreAll(options: { worker?: boolean; chunkSize?: number; onChunk?: (rowsTaken: number) => void } = {}): WhatIfScores {
    const size = this.cohort.size;
    const itemCount = this.pair.union.itemIds.length;
    const worker = (options.worker ?? size >= PARALLEL_MIN_ROWS) && isShared(this.cohort);
    const out = whatIfColumnsOut(size, itemCount, worker);
    const logs: Array<ChangeLog | ChunkChanges | undefined> = [];
    const channel = worker ? new MessageChannel() : undefined;
    const run = this.runPlan(
      size,
      { ...options, worker },
      (key, plan) => ({
        task: { kind: "whatif", key, plan, out, port: channel!.port2 },
        transfer: [channel!.port2],
      }),
      (start, end, c) => {
        logs[c] = whatIfRowsInto(this.pair, start, end, out);
      },
    );
    // The worker's chunks: their change logs wait on the port (posted before each chunk was marked done).
    if (channel) {
      for (let message = receiveMessageOnPort(channel.port1); message; message = receiveMessageOnPort(channel.port1)) {
        const chunk = message.message as ChunkChanges;
        logs[chunk.chunk] ??= chunk;
      }
      channel.port1.close();
    }
    const chunkSize = chunkSizeFor(size, options.chunkSize);
    let entries = 0;
    for (let c = 0; c < run.chunks; c++) {
      // A chunk marked done whose log did not arrive (never seen; it would be a lost message) is scored again here.
      logs[c] ??= whatIfRowsInto(this.pair, c * chunkSize, Math.min(size, (c + 1) * chunkSize), out);
      entries += logs[c]!.length;
    }
    const changes = { item: new Int32Array(entries), before: new Float64Array(entries), after: new Float64Array(entries), length: entries };
    let at = 0;
    for (const log of logs as Array<ChangeLog | ChunkChanges>) {
      changes.item.set(log.item.subarray(0, log.length), at);
      changes.before.set(log.before.subarray(0, log.length), at);
      changes.after.set(log.after.subarray(0, log.length), at);
      at += log.length;
    }
    const changeStart = new Int32Array(size + 1);
    for (let i = 0; i < size; i++) changeStart[i + 1] = changeStart[i] + out.changeCount[i];
    return { ...out, changeStart, changes, ...run };
  }
}

export interface AllocationJob {
  program: Program;
  columns: RankColumns;
  quotas: Record<string, number>;
  seed?: string;
}

/** An allocation's answer from the worker, besides the rank and outcome columns it writes into shared memory. */
export interface AllocationReply {
  pools: PoolAllocation[];
  admittedCount: number;
}

/**
 * Two allocations at once (a what-if's baseline and candidate): the second on the worker when `useWorker`, it is
 * loaded, and the program draws no lots (a draw reads applicant ids, which stay on the main thread), the first here. The
 * worker reads copies of the ranking columns in shared memory; if it fails or takes longer than CHUNK_TIMEOUT_MS
 * the main thread allocates the second itself. Same function, same columns: the same answer either way.
 */
export function allocatePair(first: AllocationJob, second: AllocationJob, useWorker = true): [AllocationColumns, AllocationColumns] {
  const here = (job: AllocationJob) => allocateColumns(job.program, job.columns, job.quotas, { seed: job.seed });
  const worker = scoringWorker?.isReady ? scoringWorker.worker : undefined;
  const lottery = second.program.allocation.kind === "quota" && second.program.allocation.tiePolicy === "lottery";
  if (!useWorker || !worker || lottery) return [here(first), here(second)];
  const c = second.columns;
  const size = c.size;
  const columns: AllocationTask["columns"] = {
    size,
    poolCodes: sharedCopy(c.poolCodes),
    poolNames: [...c.poolNames],
    eligible: sharedCopy(c.eligible),
    vetoed: sharedCopy(c.vetoed),
    total: sharedCopy(c.total),
    keys: c.keys.map((key) => (key === c.total ? undefined : sharedCopy(key))),
    idOrder: sharedCopy(c.idOrder ?? idOrderOf(c.ids)),
    ...(c.onePerKey ? { onePerKey: sharedCopy(c.onePerKey) } : {}),
  };
  const out: AllocationTask["out"] = {
    rank: new Int32Array(new SharedArrayBuffer(4 * size)),
    outcome: new Uint8Array(new SharedArrayBuffer(size)),
    state: new Int32Array(new SharedArrayBuffer(4)),
  };
  const channel = new MessageChannel();
  const task: AllocationTask = { kind: "allocate", program: second.program, columns, quotas: second.quotas, seed: second.seed, out, port: channel.port2 };
  worker.postMessage(task, [channel.port2]);
  const firstResult = here(first);
  const deadline = Date.now() + CHUNK_TIMEOUT_MS;
  while (Atomics.load(out.state, 0) === ALLOCATION.pending && Date.now() < deadline) Atomics.wait(out.state, 0, ALLOCATION.pending, 50);
  const reply = Atomics.load(out.state, 0) === ALLOCATION.done ? receiveMessageOnPort(channel.port1)?.message as AllocationReply | undefined : undefined;
  channel.port1.close();
  if (!reply) return [firstResult, here(second)];
  return [firstResult, { rank: out.rank, outcome: out.outcome, pools: reply.pools, admittedCount: reply.admittedCount }];
}
