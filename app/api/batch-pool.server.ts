/**
 * Batch workers: threads that evaluate and log batches (batch-worker.ts) with their own connections to the
 * server's database file. A batch's body goes to a free worker as bytes (moved, not copied, when it has a buffer of
 * its own) and its answer comes back as text; the thread that received the request only authenticates, reads the
 * body and writes the answer. With every worker busy, batches wait in arrival order for the first to be free.
 *
 * Workers start with the server (`startBatchWorkers`) or at the first batch; until one has loaded, and where there
 * are none (one core, an in-memory database, `JIFEN_BATCH_WORKERS=0`), batches are evaluated in the receiving
 * thread, with the same answers. A worker that dies fails the batch it held (500, nothing logged) and is replaced.
 * See docs/decisions/012-batch-workers-and-table-form.md.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { JifenDb } from "../../db/connection";
import type { ApiReply } from "./errors.server";

const BATCH_WORKER_YOUNG_GENERATION_MB = 192;

export interface BatchJob {
  id: number;
  tokenId: number;
  standardId: string;
  body: Uint8Array;
  inputHashes: boolean;
}

export type BatchJobReply = { id: number; reply: ApiReply } | { id: number; failure: string };

interface Pending {
  job: BatchJob;
  resolve: (reply: ApiReply) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  job: Pending | undefined;
  /** Batches this worker has answered (for tests and diagnostics). */
  done: number;
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
  private nextId = 1;
  private closed = false;
  private readyWaiters: Array<() => void> = [];

  constructor(
    private readonly databasePath: string,
    private readonly entry: string,
    size: number,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    // A young generation large enough for a batch's short-lived strings and objects (V8's default made garbage
    // collection ~2 µs per applicant, as they outlived the default's scavenges): measured 14.5 → 12 µs in all.
    const worker = new Worker(this.entry, {
      workerData: { databasePath: this.databasePath },
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: BATCH_WORKER_YOUNG_GENERATION_MB },
    });
    const state: PoolWorker = { worker, ready: false, job: undefined, done: 0 };
    worker.on("message", (message: BatchJobReply | { kind: "ready" }) => {
      if ("kind" in message) {
        state.ready = true;
        this.readyWaiters.splice(0).forEach((wake) => wake());
        this.dispatch();
        return;
      }
      const pending = state.job;
      state.job = undefined;
      if (pending && pending.job.id === message.id) {
        state.done++;
        if ("reply" in message) pending.resolve(message.reply);
        else pending.reject(new Error(`batch worker: ${message.failure}`));
      }
      this.dispatch();
    });
    const lost = (error?: Error) => {
      const index = this.workers.indexOf(state);
      if (index < 0) return;
      this.workers.splice(index, 1);
      state.job?.reject(error ?? new Error("the batch worker stopped"));
      this.readyWaiters.splice(0).forEach((wake) => wake());
      if (this.closed) return;
      if (error) console.warn(`batch worker stopped: ${error.message}`);
      // Replaced only if it had loaded once: a worker that cannot start would fail again.
      if (state.ready) this.spawn();
      else if (this.workers.length === 0) this.queue.splice(0).forEach((p) => p.reject(error ?? new Error("no batch worker could start")));
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

  run(job: Omit<BatchJob, "id">): Promise<ApiReply> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const state of this.workers) {
      if (this.queue.length === 0) return;
      if (!state.ready || state.job) continue;
      const pending = this.queue.shift()!;
      state.job = pending;
      const body = pending.job.body;
      // A Buffer may be a view into Node's shared pool: only a buffer of its own is moved to the worker.
      const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && !(body.buffer instanceof SharedArrayBuffer);
      const sent = owned ? body : new Uint8Array(body);
      state.worker.postMessage({ ...pending.job, body: sent }, [sent.buffer as ArrayBuffer]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
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
    pool = size > 0 && entry && path !== "" && !db.$client.memory ? new BatchPool(path, entry, size) : null;
    pools.set(path, pool);
  }
  return pool ?? undefined;
}
