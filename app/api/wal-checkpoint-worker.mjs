// The WAL checkpointer of the batch workers (app/api/batch-pool.server.ts): copies the write-ahead log back into the
// database file from a thread of its own, so that this copy and its fsyncs do not stall a worker's commit (SQLite
// would otherwise run it in whichever connection's commit crossed the threshold). Plain JavaScript: it needs only
// better-sqlite3. See docs/decisions/013-single-evaluations-on-workers.md.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { databasePath, intervalMs, restartFrames } = workerData;
const db = new Database(databasePath);
// A restarting or truncating checkpoint holds back new writers while it waits for readers and writers to finish: it
// gives up after 100 ms (and tries again 200 ms later) rather than stall the API's commits behind a long read.
db.pragma("busy_timeout = 100");
// The log file is cut back to this size once it has been checkpointed and restarted.
db.pragma(`journal_size_limit = ${restartFrames * db.pragma("page_size", { simple: true })}`);

function checkpoint() {
  try {
    // PASSIVE: copies what no reader still needs, without waiting for anyone.
    const [passive] = db.pragma("wal_checkpoint(PASSIVE)");
    // Under a steady stream of commits the log may never be wholly copied at a quiet moment, and would grow without
    // bound: past `restartFrames`, RESTART waits for the writers and readers (up to the busy timeout above) so that
    // the next commit starts the log from its beginning again.
    if (passive && passive.log > restartFrames) db.pragma("wal_checkpoint(RESTART)");
    // Once a long log has been wholly copied (the load is over), the file is cut back to nothing, as SQLite's own
    // checkpoints would have kept it near 1,000 frames.
    else if (passive && passive.log >= 1000 && passive.checkpointed === passive.log) db.pragma("wal_checkpoint(TRUNCATE)");
  } catch (error) {
    parentPort?.postMessage({ kind: "checkpoint-failed", message: error instanceof Error ? error.message : String(error) });
  }
}

setInterval(checkpoint, intervalMs);
parentPort?.postMessage({ kind: "ready" });
