/**
 * The administrator's integrity check: `verifyIntegrity` (db/integrity.ts) on the server's database, on a thread of
 * its own with a read-only connection, since it reads every logged row and the API must keep answering meanwhile.
 * The last report is kept for the screen; one check runs at a time.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { JifenDb } from "../../../db/connection";
import { verifyIntegrity, type IntegrityReport } from "../../../db/integrity";

let lastReport: IntegrityReport | undefined;
let running: Promise<IntegrityReport> | undefined;

/** verify-worker.mjs, found from this module's place: its own folder, or the package root above a build. */
function workerEntry(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    for (const candidate of [join(dir, "verify-worker.mjs"), join(dir, "app", "features", "integrity", "verify-worker.mjs")]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  return undefined;
}

function verifyOnThread(entry: string, databasePath: string): Promise<IntegrityReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { databasePath }, execArgv: [] });
    worker.once("message", (message: { report?: IntegrityReport; failure?: string }) => {
      if (message.report) resolve(message.report);
      else reject(new Error(message.failure ?? "integrity check failed"));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (code !== 0) reject(new Error(`integrity check thread exited with code ${code}`));
    });
  });
}

/** Runs a check now (or joins the one running) and keeps its report. */
export function runIntegrityCheck(db: JifenDb): Promise<IntegrityReport> {
  running ??= (async () => {
    try {
      const path = db.$client.name;
      const entry = workerEntry();
      // An in-memory database is only reachable through this connection.
      lastReport = entry && !db.$client.memory ? await verifyOnThread(entry, path) : verifyIntegrity(db.$client);
      return lastReport;
    } finally {
      running = undefined;
    }
  })();
  return running;
}

export function lastIntegrityReport(): IntegrityReport | undefined {
  return lastReport;
}
