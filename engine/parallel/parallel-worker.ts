/**
 * The worker side of parallel work (engine/parallel/parallel.ts). It knows no stage: each message names a task
 * by its module under engine/ and its export (`TaskRef`); the worker imports that module once, binds a chunked
 * task's data once per key, and then takes chunks of rows alongside the main thread, or runs a one-off task.
 * Loaded through parallel-worker.mjs, which registers tsx first (the engine is TypeScript in every setting: tests,
 * the command line, the server).
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { CHUNK, ONCE, TASK_MODULE, takeChunks, taskKey, type ChunkPlan, type ChunkTask, type OnceTask, type TaskRef } from "./parallel-chunks";

/** Do the rows of `plan` with the task bound under `key`. */
export interface ChunksMessage {
  kind: "chunks";
  key: string;
  plan: ChunkPlan;
  out: unknown;
  /** Where each chunk's reply goes, posted before the chunk is marked done (when the task replies). */
  port?: MessagePort;
}

/** Run a one-off task; its reply goes to `port` before `state[0]` says done (ONCE). */
export interface OnceMessage {
  kind: "once";
  task: TaskRef;
  input: unknown;
  state: Int32Array;
  port: MessagePort;
}

export type WorkerMessage =
  | ChunksMessage
  | OnceMessage
  | { kind: "bind"; key: string; task: TaskRef; binding: unknown }
  | { kind: "drop"; key: string }
  | { kind: "load"; tasks: TaskRef[] };

export type WorkerReply = { kind: "ready" } | { kind: "failed"; key: string; message: string };

type AnyChunkTask = ChunkTask<unknown, unknown, unknown>;
type AnyTask = AnyChunkTask | OnceTask<unknown, unknown>;

const modules = new Map<string, Promise<AnyTask>>();

function load(ref: TaskRef): Promise<AnyTask> {
  const key = taskKey(ref);
  let loaded = modules.get(key);
  if (!loaded) {
    loaded = TASK_MODULE.test(ref.module)
      ? import(new URL(`../${ref.module}`, import.meta.url).href).then((module: Record<string, AnyTask | undefined>) => {
          const task = module[ref.name];
          if (!task) throw new Error(`${ref.module} exports no task ${ref.name}`);
          return task;
        })
      : Promise.reject(new Error(`not a task module: ${ref.module}`));
    // A module that fails to load is reported with each task that needs it, and tried again then.
    loaded.catch(() => modules.delete(key));
    modules.set(key, loaded);
  }
  return loaded;
}

interface Bound {
  task: AnyChunkTask;
  bound: unknown;
}

/** Bindings by key, in the order they came; the main thread drops each when it lets go of its work. */
const bound = new Map<string, Bound | Error>();
/** A bound cohort holds memory: past this many, the oldest binding goes (its later chunks run on the main thread). */
const MAX_BINDINGS = 4;

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

async function bind(key: string, ref: TaskRef, binding: unknown): Promise<void> {
  try {
    const task = (await load(ref)) as AnyChunkTask;
    bound.set(key, { task, bound: task.bind(binding) });
  } catch (error) {
    // Reported with the first chunks of this key, which the main thread then does.
    bound.set(key, asError(error));
  }
  for (const oldest of bound.keys()) {
    if (bound.size <= MAX_BINDINGS) break;
    bound.delete(oldest);
  }
}

function runChunks(message: ChunksMessage): void {
  let current = -1;
  try {
    const binding = bound.get(message.key);
    if (binding instanceof Error) throw binding;
    // Chunks of a binding this worker no longer holds: the main thread does them.
    if (!binding) return;
    const { task, bound: data } = binding;
    const { port, out } = message;
    takeChunks(message.plan, CHUNK.worker, (start, end, c) => {
      current = c;
      const reply = task.rows(data, start, end, out, c);
      if (port && reply) port.postMessage({ c, body: reply.message }, reply.transfer ?? []);
    });
  } catch (error) {
    // The main thread does a failed chunk itself; it hears why from this message.
    if (current >= 0) {
      Atomics.store(message.plan.status, current, CHUNK.failed);
      Atomics.notify(message.plan.status, current);
    }
    parentPort?.postMessage({ kind: "failed", key: message.key, message: asError(error).message } satisfies WorkerReply);
  } finally {
    message.port?.close();
  }
}

async function runOnce(message: OnceMessage): Promise<void> {
  let state: number = ONCE.failed;
  try {
    const task = (await load(message.task)) as OnceTask<unknown, unknown>;
    message.port.postMessage(task.run(message.input));
    state = ONCE.done;
  } catch (error) {
    parentPort?.postMessage({ kind: "failed", key: taskKey(message.task), message: asError(error).message } satisfies WorkerReply);
  } finally {
    message.port.close();
    Atomics.store(message.state, 0, state);
    Atomics.notify(message.state, 0);
  }
}

async function receive(message: WorkerMessage): Promise<void> {
  if (message.kind === "bind") await bind(message.key, message.task, message.binding);
  else if (message.kind === "drop") bound.delete(message.key);
  else if (message.kind === "load") await Promise.allSettled(message.tasks.map(load));
  else if (message.kind === "once") await runOnce(message);
  else runChunks(message);
}

// One message after another: a binding's module may still be loading when its first chunks arrive.
let queue: Promise<void> = Promise.resolve();
parentPort?.on("message", (message: WorkerMessage) => {
  queue = queue.then(() => receive(message));
});

// Ready once the tasks the main thread had defined when it started this worker are loaded.
const preload = ((workerData as { preload?: TaskRef[] } | null)?.preload ?? []).map(load);
await Promise.allSettled(preload);
parentPort?.postMessage({ kind: "ready" } satisfies WorkerReply);
