/**
 * A cohort import on a thread of its own (started per upload by import-in-worker.server.ts): it reads the upload's
 * bytes as they arrive, checks every row, and stores the cohort through its own connection to the server's database
 * file in short write transactions, so the thread answering requests and the other writers never wait for it.
 */
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { parentPort } from "node:worker_threads";
import { importCohort } from "../../../db/cohort-import";
import { openDatabase } from "../../../db/connection";
import { someoneWaitsToWrite } from "../../../db/writers-waiting";
import type { FromImportWorker, ImportJob, ToImportWorker } from "./import-messages";

const port = parentPort!;
const send = (message: FromImportWorker) => port.postMessage(message);

const queue: Buffer[] = [];
let ended = false;
let wanting = false;
const input = new Readable({
  read() {
    wanting = true;
    feed();
  },
});
function feed() {
  while (wanting && queue.length > 0) {
    const bytes = queue.shift()!;
    send({ kind: "consumed", bytes: bytes.byteLength });
    wanting = input.push(bytes);
  }
  if (wanting && ended && queue.length === 0) {
    wanting = false;
    input.push(null);
  }
}
let receiveJob: (job: ImportJob) => void = () => {};
const jobReceived = new Promise<ImportJob>((resolve) => (receiveJob = resolve));
port.on("message", (message: ToImportWorker) => {
  if (message.kind === "job") return receiveJob(message.job);
  if (message.kind === "chunk") queue.push(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength));
  else ended = true;
  feed();
});

let rowsRead = 0;
let rowsStored = 0;
let storing = false;
let reported = -Infinity;
function report(force = false) {
  const now = performance.now();
  if (!force && now - reported < 200) return;
  reported = now;
  send({ kind: "progress", rowsRead, rowsStored, storing });
}

// Loaded and waiting (a thread is started ahead of the upload that will use it, so that its start costs no time then).
const job = await jobReceived;
const db = openDatabase(job.databasePath);
const waiting = job.writersWaiting;
try {
  const result = await importCohort(db, {
    name: job.name,
    standardId: job.standardId,
    facts: job.facts,
    format: job.format,
    input,
    mapping: job.mapping,
    headers: job.headers,
    createdBy: job.createdBy,
    onProgress(read) {
      rowsRead = read;
      report();
    },
    slices: {
      sliceMs: job.sliceMs,
      othersWaiting: waiting ? () => someoneWaitsToWrite(waiting) : undefined,
      async pause() {
        await sleep(job.pauseMs);
        while (waiting && someoneWaitsToWrite(waiting)) await sleep(1);
      },
      onStarted(cohortId) {
        storing = true;
        send({ kind: "started", cohortId });
        report(true);
      },
      onStored(stored) {
        // The first slice is always reported: the screen shows storing has begun.
        const first = rowsStored === 0;
        rowsStored = stored;
        report(first);
      },
    },
  });
  if (result.ok) rowsStored = result.rowCount;
  report(true);
  db.$client.close();
  send({ kind: "result", result });
} catch (error) {
  db.$client.close();
  send({ kind: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
