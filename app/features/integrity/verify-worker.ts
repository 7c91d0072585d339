/** Verifies the database file named in workerData on a read-only connection of its own, and posts the report. */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabaseReadOnly } from "../../../db/connection";
import { verifyIntegrity } from "../../../db/integrity";

const sqlite = openDatabaseReadOnly((workerData as { databasePath: string }).databasePath);
try {
  parentPort!.postMessage({ report: verifyIntegrity(sqlite) });
} catch (error) {
  parentPort!.postMessage({ failure: error instanceof Error ? error.message : String(error) });
} finally {
  sqlite.close();
}
