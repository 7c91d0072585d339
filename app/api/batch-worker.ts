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
import { packReplies, writeLikeAWorker, type SinglesJob, type WorkerJob, type WorkerJobReply } from "./batch-pool.server";

const port = parentPort!;
const { databasePath, autocheckpointFrames, logLimitFrames } = workerData as { databasePath: string; autocheckpointFrames: number; logLimitFrames: number };
const db = openDatabase(databasePath);
// The pool's checkpointer thread copies the log back into the database: this connection's commits do so only when
// the log has grown far past that thread's bound (wal-checkpoint-worker.mjs).
writeLikeAWorker(db, autocheckpointFrames, logLimitFrames);

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

/** UTF-8 bytes of a text in an ArrayBuffer of their own (Buffer.from may use a shared pool for small texts). */
function encodeOwned(text: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.byteLength(text));
  Buffer.from(bytes.buffer, 0, bytes.byteLength).write(text);
  return bytes;
}

port.on("message", (job: WorkerJob) => {
  let reply: WorkerJobReply;
  try {
    if (job.kind === "singles") {
      reply = { id: job.id, replies: packReplies(evaluateSingles(db, singleTasks(job))) };
    } else {
      const bytes = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
      const answer = runBatch(db, { tokenId: job.tokenId, standardId: job.standardId, bytes, inputHashes: job.inputHashes });
      // The answer goes back as UTF-8 bytes in a buffer of its own, moved rather than copied: the receiving thread
      // then neither holds a large string (whose collection cost it more than the rest of its part) nor encodes it.
      const answerBytes = typeof answer.body === "string" ? encodeOwned(answer.body) : answer.body;
      port.postMessage({ id: job.id, reply: { ...answer, body: answerBytes } } satisfies WorkerJobReply, [answerBytes.buffer as ArrayBuffer]);
      return;
    }
  } catch (error) {
    reply = { id: job.id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage({ kind: "ready" });
