/**
 * The worker side of parallel cohort scoring (engine/parallel.ts): binds the program (or, for a what-if, both
 * versions) to the shared cohort once per task key, then takes chunks of rows alongside the main thread. Loaded
 * through parallel-worker.mjs, which registers tsx first (the engine is TypeScript in every setting: tests, the
 * command line, the server).
 */
import { parentPort, type MessagePort } from "node:worker_threads";
import type { Id, IsoDate, Program, StandardDocument } from "../../rules-schema/types";
import type { AllocationReply } from "./parallel";
import { allocateColumns, type RankColumns } from "../allocation/rank";
import type { Cohort } from "../cohorts/cohort";
import { bindColumnar, type ColumnarProgram } from "../scoring/columnar";
import { ALLOCATION, CHUNK, scoreRowsInto, takeChunks, type ChunkPlan, type ScoreColumnsOut } from "./parallel-chunks";
import { bindWhatIf, whatIfRowsInto, type WhatIfColumnsOut, type WhatIfPair } from "../simulation/whatif-chunks";

/** What a scorer binds: one program, or both versions of a what-if (engine/whatif-chunks.ts). */
export type Binding =
  | { kind: "score"; doc: StandardDocument; programId: Id; date: IsoDate; cohort: Cohort }
  | { kind: "whatif"; baseline: StandardDocument; candidate: StandardDocument; programId: Id; date: IsoDate; cohort: Cohort };

interface TaskBase {
  /** The binding to score with, sent before under this key. */
  key: string;
  plan: ChunkPlan;
}

/** Score each row's total and flags. */
export interface ScoreTask extends TaskBase {
  kind: "score";
  out: ScoreColumnsOut;
}

/** Score each row under two versions and compare their items. */
export interface WhatIfTask extends TaskBase {
  kind: "whatif";
  out: WhatIfColumnsOut;
  /** Where each chunk's changed items go, posted before the chunk is marked done. */
  port: MessagePort;
}

export type WorkerTask = ScoreTask | WhatIfTask;

/** Allocate one program over ranking columns in shared memory (engine/parallel.ts, `allocatePair`). */
export interface AllocationTask {
  kind: "allocate";
  program: Program;
  /** Without applicant ids (the program draws no lots); a key that is the total column is left out. */
  columns: Omit<RankColumns, "ids" | "keys" | "idOrder"> & { keys: Array<Float64Array | undefined>; idOrder: Int32Array };
  quotas: Record<string, number>;
  seed?: string;
  out: { rank: Int32Array; outcome: Uint8Array; state: Int32Array };
  /** Where the pools go (an AllocationReply), posted before the state says done. */
  port: MessagePort;
}

export type WorkerMessage = WorkerTask | AllocationTask | { kind: "bind"; key: string; binding: Binding } | { kind: "drop"; key: string };

/** A what-if chunk's changed items, as the worker posts them. */
export interface ChunkChanges {
  chunk: number;
  item: Int32Array;
  before: Float64Array;
  after: Float64Array;
  length: number;
}

export type WorkerReply = { kind: "ready" } | { kind: "failed"; key: string; message: string };

interface Bound {
  program?: ColumnarProgram;
  pair?: WhatIfPair;
}

/** Bindings by key, in the order they came; the main thread drops each when it lets go of its scorer. */
const bound = new Map<string, Bound | Error>();
/** A bound cohort holds memory: past this many, the oldest binding goes (its scorer's later tasks run on the main thread). */
const MAX_BINDINGS = 4;

function bind(key: string, binding: Binding): void {
  try {
    if (binding.kind === "score") bound.set(key, { program: bindColumnar(binding.doc, binding.programId, binding.cohort, binding.date) });
    else bound.set(key, { pair: bindWhatIf(binding.baseline, binding.candidate, binding.programId, binding.cohort, binding.date) });
  } catch (error) {
    // Reported with the first task of this key, whose chunks the main thread then scores.
    bound.set(key, error instanceof Error ? error : new Error(String(error)));
  }
  for (const oldest of bound.keys()) {
    if (bound.size <= MAX_BINDINGS) break;
    bound.delete(oldest);
  }
}

function run(task: WorkerTask): void {
  let current = -1;
  try {
    const binding = bound.get(task.key);
    if (binding instanceof Error) throw binding;
    // A task of a binding this worker no longer holds: the main thread scores its chunks.
    if (!binding) return;
    const { program, pair } = binding;
    takeChunks(task.plan, CHUNK.worker, (start, end, c) => {
      current = c;
      if (task.kind === "score") scoreRowsInto(program!, start, end, task.out);
      else {
        const log = whatIfRowsInto(pair!, start, end, task.out);
        const message: ChunkChanges = { chunk: c, item: log.item, before: log.before, after: log.after, length: log.length };
        task.port.postMessage(message, [log.item.buffer, log.before.buffer, log.after.buffer]);
      }
    });
  } catch (error) {
    // The main thread scores a failed chunk itself; it hears why from this message.
    if (current >= 0) {
      Atomics.store(task.plan.status, current, CHUNK.failed);
      Atomics.notify(task.plan.status, current);
    }
    parentPort?.postMessage({ kind: "failed", key: task.key, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  } finally {
    if (task.kind === "whatif") task.port.close();
  }
}

function allocate(task: AllocationTask): void {
  let state: number = ALLOCATION.failed;
  try {
    const { columns } = task;
    const keys = columns.keys.map((key) => key ?? columns.total);
    const result = allocateColumns(task.program, { ...columns, keys, ids: [] }, task.quotas, { seed: task.seed });
    task.out.rank.set(result.rank);
    task.out.outcome.set(result.outcome);
    task.port.postMessage({ pools: result.pools, admittedCount: result.admittedCount } satisfies AllocationReply);
    state = ALLOCATION.done;
  } catch (error) {
    parentPort?.postMessage({ kind: "failed", key: "allocation", message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  } finally {
    task.port.close();
    Atomics.store(task.out.state, 0, state);
    Atomics.notify(task.out.state, 0);
  }
}

function receive(message: WorkerMessage): void {
  if (message.kind === "bind") bind(message.key, message.binding);
  else if (message.kind === "drop") bound.delete(message.key);
  else if (message.kind === "allocate") allocate(message);
  else run(message);
}

parentPort?.on("message", receive);
parentPort?.postMessage({ kind: "ready" } satisfies WorkerReply);
