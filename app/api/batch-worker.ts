/**
 * A batch worker: evaluates and logs batches (batch.server.ts) and groups of single evaluations (singles.server.ts)
 * on its own thread with its own connection to the database the server uses, so that the thread receiving the
 * requests only authenticates them and writes the answers, and two batches are scored on two cores. Messages:
 * `WorkerJob` in, `WorkerJobReply` out; "ready" once loaded.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../../db/connection";
import { runBatch } from "./batch.server";
import { evaluateSingles, type SingleTask } from "./singles.server";
import { packReplies, type SinglesJob, type WorkerJob, type WorkerJobReply } from "./batch-pool.server";

const port = parentPort!;
const { databasePath, autocheckpointFrames } = workerData as { databasePath: string; autocheckpointFrames: number };
const db = openDatabase(databasePath);
// The pool's checkpointer thread copies the log back into the database: this connection's commits do so only when
// the log has grown far past that thread's bound (wal-checkpoint-worker.mjs).
db.$client.pragma(`wal_autocheckpoint = ${autocheckpointFrames}`);

function singleTasks(job: SinglesJob): SingleTask[] {
  const bytes = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const tasks: SingleTask[] = new Array(job.ends.length);
  let start = 0;
  for (let i = 0; i < job.ends.length; i++) {
    tasks[i] = { tokenId: job.tokenIds[i], standardId: job.standardIds[i], text: bytes.toString("utf8", start, job.ends[i]) };
    start = job.ends[i];
  }
  return tasks;
}

port.on("message", (job: WorkerJob) => {
  let reply: WorkerJobReply;
  try {
    if (job.kind === "singles") {
      reply = { id: job.id, replies: packReplies(evaluateSingles(db, singleTasks(job))) };
    } else {
      const text = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength).toString("utf8");
      reply = { id: job.id, reply: runBatch(db, { tokenId: job.tokenId, standardId: job.standardId, text, inputHashes: job.inputHashes }) };
    }
  } catch (error) {
    reply = { id: job.id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage({ kind: "ready" });
