/**
 * Batch workers: threads that evaluate and log batches (batch-worker.ts) and groups of single evaluations
 * (singles.server.ts) with their own connections to the server's database file, and a checkpointer thread that
 * copies their write-ahead log back into the database file (wal-checkpoint-worker.mjs).
 *
 * A batch's body goes to a free worker as bytes (moved, not copied, when it has a buffer of its own) and its answer
 * comes back as UTF-8 bytes, moved too; the thread that received the request only authenticates, reads the body and
 * writes the answer. With every worker busy, batches wait in arrival order for the first to be free. Single
 * evaluations go to a free worker one group at a time, ahead of waiting batches; with every worker holding a batch,
 * a group is decided in the receiving thread instead of waiting.
 *
 * Workers start with the server (`startBatchWorkers`) or at the first batch; until one has loaded, and where there
 * are none (one core, an in-memory database, `JIFEN_BATCH_WORKERS=0`), everything is evaluated in the receiving
 * thread, with the same answers. A worker that dies fails what it held (500, nothing logged) and is replaced.
 * See docs/decisions/012-batch-workers-and-table-form.md and 013-single-evaluations-on-workers.md.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { JifenDb } from "../../db/connection";
import { jsonTextReply, replyText, type ApiReply } from "./errors.server";
import { evaluateSingles, type SingleTask } from "./singles.server";

const BATCH_WORKER_YOUNG_GENERATION_MB = 192;
/**
 * The checkpointer's rhythm and bounds (wal-checkpoint-worker.mjs): a passive checkpoint every 200 ms; past 16,384
 * log frames (64 MB of 4 KB pages) a restarting one. The workers checkpoint themselves only past 65,536 frames,
 * should the checkpointer be missing or behind.
 */
const CHECKPOINT_INTERVAL_MS = 200;
const CHECKPOINT_RESTART_FRAMES = 16_384;
const WORKER_AUTOCHECKPOINT_FRAMES = 65_536;

export interface BatchJob {
  kind: "batch";
  id: number;
  tokenId: number;
  standardId: string;
  body: Uint8Array;
  inputHashes: boolean;
}

/** A group of single evaluations: their bodies one after the other in `body`, the i-th ending at `ends[i]`. */
export interface SinglesJob {
  kind: "singles";
  id: number;
  tokenIds: number[];
  standardIds: string[];
  ends: number[];
  body: Uint8Array;
}

export type WorkerJob = BatchJob | SinglesJob;

export type WorkerJobReply = { id: number; reply: ApiReply } | { id: number; replies: PackedReplies } | { id: number; failure: string };

/**
 * A group's answers as they cross between threads: the bodies as one text (one copy instead of one per answer),
 * and headers only where they are not the plain JSON ones.
 */
export interface PackedReplies {
  statuses: number[];
  ends: number[];
  text: string;
  headers: Array<Record<string, string> | 0>;
}

const PLAIN_JSON = jsonTextReply("").headers;

function plainJsonHeaders(headers: Record<string, string>): boolean {
  let count = 0;
  for (const name in headers) {
    if (headers[name] !== PLAIN_JSON[name]) return false;
    count++;
  }
  return count === Object.keys(PLAIN_JSON).length;
}

export function packReplies(replies: readonly ApiReply[]): PackedReplies {
  const packed: PackedReplies = { statuses: new Array(replies.length), ends: new Array(replies.length), text: "", headers: new Array(replies.length) };
  for (let i = 0; i < replies.length; i++) {
    const reply = replies[i];
    packed.statuses[i] = reply.status;
    packed.text += replyText(reply);
    packed.ends[i] = packed.text.length;
    packed.headers[i] = plainJsonHeaders(reply.headers) ? 0 : reply.headers;
  }
  return packed;
}

function unpackReply(packed: PackedReplies, index: number): ApiReply {
  const body = packed.text.slice(index === 0 ? 0 : packed.ends[index - 1], packed.ends[index]);
  const headers = packed.headers[index];
  return headers === 0 ? jsonTextReply(body, packed.statuses[index]) : { status: packed.statuses[index], headers, body };
}

interface Pending {
  job: BatchJob;
  resolve: (reply: ApiReply) => void;
  reject: (error: Error) => void;
}

interface PendingSingle {
  tokenId: number;
  standardId: string;
  body: Uint8Array;
  resolve: (reply: ApiReply) => void;
  reject: (error: Error) => void;
}

interface InFlight {
  id: number;
  resolve: (message: WorkerJobReply) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  job: InFlight | undefined;
  /** Batches this worker has answered (for tests and diagnostics). */
  done: number;
  /** Single evaluations this worker has answered. */
  singlesDone: number;
}

/**
 * Sets a connection that writes beside the checkpointer: it copies the log back itself only past `autocheckpoint`
 * frames, and when its commit starts the log over, it cuts the file back to `logLimit` frames (the log file keeps
 * its largest size otherwise).
 */
export function writeLikeAWorker(db: JifenDb, autocheckpoint: number, logLimit: number): void {
  const pageSize = db.$client.pragma("page_size", { simple: true }) as number;
  db.$client.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
  db.$client.pragma(`journal_size_limit = ${logLimit * pageSize}`);
}

/** app/api/batch-worker.mjs, found from this module's place: its own folder, or the package root above a build. */
function workerEntry(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    for (const candidate of [join(dir, "batch-worker.mjs"), join(dir, "app", "api", "batch-worker.mjs")]) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** How many batch workers: `JIFEN_BATCH_WORKERS`, else two on a machine with two cores or more, else none. */
export function batchWorkerCount(): number {
  const configured = process.env.JIFEN_BATCH_WORKERS;
  if (configured !== undefined && configured.trim() !== "") {
    const count = Number(configured);
    return Number.isInteger(count) && count >= 0 ? Math.min(count, 16) : 0;
  }
  return availableParallelism() >= 2 ? 2 : 0;
}

export class BatchPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Pending[] = [];
  private singles: PendingSingle[] = [];
  /** A group of single evaluations is with a worker (one at a time: the next group gathers meanwhile). */
  private singlesInFlight = false;
  private singlesScheduled = false;
  private nextId = 1;
  private closed = false;
  private readyWaiters: Array<() => void> = [];

  /** Single evaluations decided in this thread because every worker held a batch. */
  private singlesHere = 0;

  /**
   * `decideHere` decides a group of single evaluations in the receiving thread, for when every worker holds a batch:
   * a single evaluation then need not wait for a batch to finish.
   */
  constructor(
    private readonly databasePath: string,
    private readonly entry: string,
    size: number,
    private readonly decideHere?: (tasks: SingleTask[]) => ApiReply[],
  ) {
    for (let i = 0; i < size; i++) this.spawn();
    this.startCheckpointer();
  }

  private checkpointer: Worker | undefined;

  /** The WAL checkpointer thread, restarted if it stops while the pool is open. */
  private startCheckpointer(): void {
    const checkpointer = new Worker(new URL("./wal-checkpoint-worker.mjs", pathToFileURL(this.entry)), {
      workerData: { databasePath: this.databasePath, intervalMs: CHECKPOINT_INTERVAL_MS, restartFrames: CHECKPOINT_RESTART_FRAMES },
      execArgv: [],
    });
    checkpointer.on("message", (message: { kind: string; message?: string }) => {
      if (message.kind === "checkpoint-failed") console.warn(`WAL checkpoint failed: ${message.message}`);
    });
    checkpointer.on("error", (error) => console.warn(`WAL checkpointer stopped: ${error.message}`));
    checkpointer.on("exit", () => {
      if (this.checkpointer === checkpointer && !this.closed) setTimeout(() => !this.closed && this.startCheckpointer(), 1000).unref();
    });
    checkpointer.unref();
    this.checkpointer = checkpointer;
  }

  private spawn(): void {
    // A young generation large enough for a batch's short-lived strings and objects (V8's default made garbage
    // collection ~2 µs per applicant, as they outlived the default's scavenges): measured 14.5 → 12 µs in all.
    const worker = new Worker(this.entry, {
      workerData: { databasePath: this.databasePath, autocheckpointFrames: WORKER_AUTOCHECKPOINT_FRAMES, logLimitFrames: CHECKPOINT_RESTART_FRAMES },
      // Only a CPU profile's options reach a worker (each thread writes its own profile): the rest are the server's.
      execArgv: process.execArgv.filter((arg) => arg.startsWith("--cpu-prof")),
      resourceLimits: { maxYoungGenerationSizeMb: BATCH_WORKER_YOUNG_GENERATION_MB },
    });
    const state: PoolWorker = { worker, ready: false, job: undefined, done: 0, singlesDone: 0 };
    worker.on("message", (message: WorkerJobReply | { kind: "ready" }) => {
      if ("kind" in message) {
        state.ready = true;
        this.readyWaiters.splice(0).forEach((wake) => wake());
        this.dispatch();
        return;
      }
      const inFlight = state.job;
      state.job = undefined;
      if (inFlight && inFlight.id === message.id) inFlight.resolve(message);
      this.dispatch();
    });
    const lost = (error?: Error) => {
      const index = this.workers.indexOf(state);
      if (index < 0) return;
      this.workers.splice(index, 1);
      state.job?.reject(error ?? new Error("the batch worker stopped"));
      state.job = undefined;
      this.readyWaiters.splice(0).forEach((wake) => wake());
      if (this.closed) return;
      if (error) console.warn(`batch worker stopped: ${error.message}`);
      // Replaced only if it had loaded once: a worker that cannot start would fail again.
      if (state.ready) this.spawn();
      else if (this.workers.length === 0) {
        const cause = error ?? new Error("no batch worker could start");
        this.queue.splice(0).forEach((p) => p.reject(cause));
        this.singles.splice(0).forEach((p) => p.reject(cause));
      }
      this.dispatch();
    };
    worker.on("error", lost);
    worker.on("exit", () => lost());
    worker.unref();
    this.workers.push(state);
  }

  /** True when at least one worker has loaded (batches sent now are evaluated by a worker). */
  get ready(): boolean {
    return this.workers.some((w) => w.ready);
  }

  /** Resolves when every worker has loaded: true if at least one has within `timeoutMs`. */
  whenReady(timeoutMs = 30_000): Promise<boolean> {
    const allReady = () => this.workers.length > 0 && this.workers.every((w) => w.ready);
    if (allReady()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.ready), timeoutMs);
      const check = () => {
        if (this.workers.length === 0) {
          // None could start (each one that fails is dropped): batches stay on the receiving thread.
          clearTimeout(timer);
          return resolve(false);
        }
        if (!allReady()) return this.readyWaiters.push(check);
        clearTimeout(timer);
        resolve(true);
      };
      this.readyWaiters.push(check);
    });
  }

  /** Batches answered by each worker so far. */
  answered(): number[] {
    return this.workers.map((w) => w.done);
  }

  /** Single evaluations answered by each worker so far. */
  singlesAnswered(): number[] {
    return this.workers.map((w) => w.singlesDone);
  }

  /** Single evaluations decided in the receiving thread while every worker held a batch. */
  singlesAnsweredHere(): number {
    return this.singlesHere;
  }

  run(job: Omit<BatchJob, "id" | "kind">): Promise<ApiReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, kind: "batch", id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * One single evaluation (singles.server.ts): gathered with the others that arrive in the same turn of the event
   * loop, or while the previous group is with a worker, and sent to a worker as one group.
   */
  evaluateSingle(single: { tokenId: number; standardId: string; body: Uint8Array }): Promise<ApiReply> {
    return new Promise((resolve, reject) => {
      this.singles.push({ ...single, resolve, reject });
      if (!this.singlesScheduled) {
        this.singlesScheduled = true;
        setImmediate(() => {
          this.singlesScheduled = false;
          this.dispatch();
        });
      }
    });
  }

  private dispatch(): void {
    // Single evaluations first. With every worker holding a batch, they are decided here rather than wait for one.
    if (this.singles.length > 0 && !this.singlesInFlight && !this.singlesScheduled) {
      const state = this.workers.find((w) => w.ready && !w.job);
      if (state) this.sendSingles(state);
      else if (this.decideHere) this.decideSinglesHere(this.decideHere);
    }
    for (const state of this.workers) {
      if (this.queue.length === 0) return;
      if (!state.ready || state.job) continue;
      const pending = this.queue.shift()!;
      const body = pending.job.body;
      // A Buffer may be a view into Node's shared pool: only a buffer of its own is moved to the worker.
      const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && !(body.buffer instanceof SharedArrayBuffer);
      const sent = owned ? body : new Uint8Array(body);
      state.job = {
        id: pending.job.id,
        resolve: (message) => {
          state.done++;
          if ("reply" in message) pending.resolve(message.reply);
          else pending.reject(new Error(`batch worker: ${"failure" in message ? message.failure : "no answer"}`));
        },
        reject: pending.reject,
      };
      state.worker.postMessage({ ...pending.job, body: sent }, [sent.buffer as ArrayBuffer]);
    }
  }

  private sendSingles(state: PoolWorker): void {
    const group = this.singles;
    this.singles = [];
    this.singlesInFlight = true;
    let size = 0;
    for (const single of group) size += single.body.byteLength;
    // The group's bodies in one buffer, copied to the worker: for a few kilobytes, moving a buffer to another thread
    // costs more than copying it (measured ~20 µs more per message).
    const body = new Uint8Array(size);
    const ends: number[] = new Array(group.length);
    let offset = 0;
    for (let i = 0; i < group.length; i++) {
      body.set(group[i].body, offset);
      offset += group[i].body.byteLength;
      ends[i] = offset;
    }
    const job: SinglesJob = {
      kind: "singles",
      id: this.nextId++,
      tokenIds: group.map((s) => s.tokenId),
      standardIds: group.map((s) => s.standardId),
      ends,
      body,
    };
    const settle = () => {
      this.singlesInFlight = false;
    };
    state.job = {
      id: job.id,
      resolve: (message) => {
        settle();
        if ("replies" in message && message.replies.statuses.length === group.length) {
          state.singlesDone += group.length;
          for (let i = 0; i < group.length; i++) group[i].resolve(unpackReply(message.replies, i));
        } else {
          const error = new Error(`batch worker: ${"failure" in message ? message.failure : "no answers"}`);
          for (const single of group) single.reject(error);
        }
      },
      reject: (error) => {
        settle();
        for (const single of group) single.reject(error);
      },
    };
    state.worker.postMessage(job);
  }

  private decideSinglesHere(decide: (tasks: SingleTask[]) => ApiReply[]): void {
    const group = this.singles;
    this.singles = [];
    try {
      const tasks = group.map((single): SingleTask => {
        const text = Buffer.from(single.body.buffer, single.body.byteOffset, single.body.byteLength).toString("utf8");
        return { tokenId: single.tokenId, standardId: single.standardId, text };
      });
      const replies = decide(tasks);
      this.singlesHere += group.length;
      group.forEach((single, i) => single.resolve(replies[i]));
    } catch (error) {
      for (const single of group) single.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all([...workers.map((w) => w.worker.terminate()), this.checkpointer?.terminate()]);
  }
}

const pools = new Map<string, BatchPool | null>();

/**
 * The batch workers for a connection's database file, started on first use; undefined when batches are evaluated
 * in the receiving thread (no second core, an in-memory database, `JIFEN_BATCH_WORKERS=0`, no worker entry).
 */
export function batchPoolFor(db: JifenDb): BatchPool | undefined {
  const path = db.$client.name;
  let pool = pools.get(path);
  if (pool === undefined) {
    const size = batchWorkerCount();
    const entry = workerEntry();
    pool = size > 0 && entry && path !== "" && !db.$client.memory ? new BatchPool(path, entry, size, (tasks) => evaluateSingles(db, tasks)) : null;
    // The pool's checkpointer keeps the log short: this connection's own commits need not copy it back either.
    if (pool) writeLikeAWorker(db, WORKER_AUTOCHECKPOINT_FRAMES, CHECKPOINT_RESTART_FRAMES);
    pools.set(path, pool);
  }
  return pool ?? undefined;
}
