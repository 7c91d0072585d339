/**
 * Runs a cohort import on a thread of its own (import-worker.ts): this thread passes the upload's bytes on as they
 * arrive (at most MAX_BYTES_IN_FLIGHT ahead of the reader) and relays progress; the other thread reads, checks and
 * stores, in short write transactions. Should that thread die (out of memory, say), the hidden cohort it had begun is
 * removed here and the import is answered as failed: nothing half-written remains. With an in-memory database (which
 * a second connection cannot see) or without the worker's file, the import runs here as before.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { importCohort, type ImportCohortOptions, type ImportCohortResult } from "../../../db/cohort-import";
import { discardUnfinishedCohort } from "../../../db/cohorts";
import { databasePath, type JifenDb } from "../../../db/connection";
import { writersWaiting } from "../../../db/writers-waiting";
import type { FromImportWorker, ImportJob, ToImportWorker } from "./import-messages";

/** Bytes sent to the import thread and not yet read by it: bounds what waits in its message queue. */
const MAX_BYTES_IN_FLIGHT = 8 * 1024 * 1024;
/**
 * One write transaction of the import (ms), then a pause (ms) in which other writers (a department's evaluation
 * being logged) take the lock. `JIFEN_IMPORT_SLICE_MS` and `JIFEN_IMPORT_PAUSE_MS` change them.
 */
export function importSlicing(env: NodeJS.ProcessEnv = process.env): { sliceMs: number; pauseMs: number } {
  const read = (value: string | undefined, fallback: number) => (value && /^\d{1,4}$/.test(value.trim()) && Number(value) > 0 ? Number(value) : fallback);
  return { sliceMs: read(env.JIFEN_IMPORT_SLICE_MS, IMPORT_SLICE_MS), pauseMs: read(env.JIFEN_IMPORT_PAUSE_MS, IMPORT_PAUSE_MS) };
}
const IMPORT_SLICE_MS = 8;
const IMPORT_PAUSE_MS = 8;

export interface ImportProgressUpdate {
  rowsRead: number;
  rowsStored: number;
  storing: boolean;
}

export type ImportJobOptions = Omit<ImportCohortOptions, "input" | "onProgress" | "slices" | "maxErrors" | "description">;

/** app/features/cohorts/import-worker.mjs, from this module's place: its own folder, or the package root above a build. */
function workerEntry(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    for (const candidate of [join(dir, "import-worker.mjs"), join(dir, "app", "features", "cohorts", "import-worker.mjs")]) if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export class ImportThreadFailed extends Error {}

/** A thread started ahead and waiting for its job (loading one takes a second or two of CPU). */
let spare: { worker: Worker; entry: string } | undefined;

function startWorker(entry: string): Worker {
  const worker = new Worker(entry, { execArgv: [] });
  worker.unref();
  return worker;
}

/**
 * Starts a thread ahead of an upload (the upload screen's header step calls this), so that the upload does not wait
 * for one to load. At most one waits at a time; it is dropped if it stops.
 */
export function prepareImportThread(): void {
  const entry = workerEntry();
  if (spare || !entry || process.env.JIFEN_IMPORT_WORKER === "0") return;
  const worker = startWorker(entry);
  const ready = { worker, entry };
  const drop = () => {
    if (spare === ready) spare = undefined;
  };
  worker.once("error", drop);
  worker.once("exit", drop);
  spare = ready;
}

function takeWorker(entry: string): Worker {
  if (spare && spare.entry === entry) {
    const { worker } = spare;
    spare = undefined;
    worker.removeAllListeners("error");
    worker.removeAllListeners("exit");
    return worker;
  }
  return startWorker(entry);
}

export async function importOffThread(
  db: JifenDb,
  databaseUrl: string,
  opts: ImportJobOptions,
  input: Readable,
  onProgress: (update: ImportProgressUpdate) => void,
): Promise<ImportCohortResult> {
  const path = databasePath(databaseUrl);
  const entry = workerEntry();
  if (path === ":memory:" || !entry || process.env.JIFEN_IMPORT_WORKER === "0") {
    return importCohort(db, { ...opts, input, onProgress: (rowsRead) => onProgress({ rowsRead, rowsStored: 0, storing: false }) });
  }
  const job: ImportJob = {
    databasePath: path,
    name: opts.name,
    standardId: opts.standardId,
    facts: [...opts.facts],
    format: opts.format,
    mapping: opts.mapping,
    headers: opts.headers,
    createdBy: opts.createdBy,
    ...importSlicing(),
    writersWaiting: writersWaiting(),
  };
  const worker = takeWorker(entry);
  const send = (message: ToImportWorker, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer);
  send({ kind: "job", job });
  let inFlight = 0;
  let cohortId: number | undefined;
  let outcome: { result: ImportCohortResult } | { failure: Error } | undefined;
  let wake = () => {};
  const changed = () => new Promise<void>((resolve) => (wake = resolve));
  worker.on("message", (message: FromImportWorker) => {
    if (message.kind === "consumed") inFlight -= message.bytes;
    else if (message.kind === "progress") onProgress({ rowsRead: message.rowsRead, rowsStored: message.rowsStored, storing: message.storing });
    else if (message.kind === "started") cohortId = message.cohortId;
    else if (message.kind === "result") outcome ??= { result: message.result };
    else outcome ??= { failure: new ImportThreadFailed(message.message) };
    wake();
  });
  worker.on("error", (error) => {
    outcome ??= { failure: new ImportThreadFailed(error.stack ?? error.message) };
    wake();
  });
  worker.on("exit", (code) => {
    outcome ??= { failure: new ImportThreadFailed(`the import thread stopped (exit code ${code})`) };
    wake();
  });
  try {
    for await (const chunk of input as AsyncIterable<Uint8Array>) {
      if (outcome) break;
      // A copy in a buffer of its own, moved to the other thread (a chunk may be a view of a larger shared buffer).
      const bytes = new Uint8Array(chunk.byteLength);
      bytes.set(chunk);
      send({ kind: "chunk", bytes }, [bytes.buffer]);
      inFlight += bytes.byteLength;
      while (inFlight > MAX_BYTES_IN_FLIGHT && !outcome) await changed();
    }
    if (!outcome) send({ kind: "end" });
  } catch (error) {
    // The upload itself broke off (the client went away): the import cannot finish.
    outcome ??= { failure: error instanceof Error ? error : new Error(String(error)) };
  }
  while (!outcome) await changed();
  await worker.terminate();
  if ("result" in outcome) return outcome.result;
  if (cohortId !== undefined) await discardUnfinishedCohort(db, cohortId, () => sleep(importSlicing().pauseMs));
  throw outcome.failure;
}
