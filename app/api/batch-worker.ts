/**
 * A batch worker: evaluates and logs batches (batch.server.ts) on its own thread with its own connection to the
 * database the server uses, so two batches are scored on two cores and the thread that answers single evaluations
 * is not held up by them. Messages: `BatchJob` in, `BatchJobReply` out; "ready" once loaded.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../../db/connection";
import { runBatch } from "./batch.server";
import type { BatchJob, BatchJobReply } from "./batch-pool.server";

const port = parentPort!;
const db = openDatabase((workerData as { databasePath: string }).databasePath);

port.on("message", (job: BatchJob) => {
  let reply: BatchJobReply;
  try {
    const text = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength).toString("utf8");
    reply = { id: job.id, reply: runBatch(db, { tokenId: job.tokenId, standardId: job.standardId, text, inputHashes: job.inputHashes }) };
  } catch (error) {
    reply = { id: job.id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage({ kind: "ready" });
