/**
 * The worker side of parallel cohort scoring (engine/parallel.ts): binds the program to the shared cohort once per
 * task key, then takes chunks of rows alongside the main thread. Loaded through parallel-worker.mjs, which
 * registers tsx first (the engine is TypeScript in every setting: tests, the command line, the server).
 */
import { parentPort } from "node:worker_threads";
import type { IsoDate, StandardDocument } from "../rules-schema/types";
import type { Cohort } from "./cohort";
import { bindColumnar, type ColumnarProgram } from "./columnar";
import { CHUNK, scoreRowsInto, takeChunks, type ChunkPlan, type ScoreColumnsOut } from "./parallel-chunks";

export interface ScoreTask {
  /** Same key, same binding: the worker binds on the first task of a key and keeps the last binding. */
  key: string;
  /** With the first task of a key only. */
  binding?: { doc: StandardDocument; programId: string; date: IsoDate; cohort: Cohort };
  plan: ChunkPlan;
  out: ScoreColumnsOut;
}

export type WorkerReply = { kind: "ready" } | { kind: "failed"; key: string; message: string };

let bound: { key: string; program: ColumnarProgram } | undefined;

function programFor(task: ScoreTask): ColumnarProgram | undefined {
  if (task.binding) {
    const { doc, programId, cohort, date } = task.binding;
    bound = { key: task.key, program: bindColumnar(doc, programId, cohort, date) };
  }
  // A task of a binding this worker no longer holds: the main thread scores its chunks.
  return bound?.key === task.key ? bound.program : undefined;
}

function run(task: ScoreTask): void {
  let current = -1;
  try {
    const program = programFor(task);
    if (!program) return;
    takeChunks(task.plan, CHUNK.worker, (start, end, c) => {
      current = c;
      scoreRowsInto(program, start, end, task.out);
    });
  } catch (error) {
    // The main thread scores a failed chunk itself; it hears why from this message.
    if (current >= 0) {
      Atomics.store(task.plan.status, current, CHUNK.failed);
      Atomics.notify(task.plan.status, current);
    }
    parentPort?.postMessage({ kind: "failed", key: task.key, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
  }
}

parentPort?.on("message", run);
parentPort?.postMessage({ kind: "ready" } satisfies WorkerReply);
