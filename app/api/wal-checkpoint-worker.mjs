// The WAL checkpointer of the batch workers (app/api/batch-pool.server.ts): copies the write-ahead log back into the
// database file from a thread of its own, so that this copy and its fsyncs do not stall a worker's commit (SQLite
// would otherwise run it in whichever connection's commit crossed the threshold). Plain JavaScript: it needs only
// better-sqlite3. See docs/decisions/013-single-evaluations-on-workers.md and 015-checkpoints-under-load.md.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { databasePath, intervalMs, restartFrames } = workerData;
/** Passive checkpoints per tick at most: each copies only what was committed during the one before. */
const CATCH_UP_ROUNDS = 4;

const db = new Database(databasePath);
// A restarting or truncating checkpoint holds back new writers while it waits for readers and writers to finish: it
// gives up after 100 ms (and tries again at the next tick) rather than stall the API's commits behind a long read.
db.pragma("busy_timeout = 100");
// The log file is cut back to this size once it has been checkpointed and restarted.
db.pragma(`journal_size_limit = ${restartFrames * db.pragma("page_size", { simple: true })}`);

/** PASSIVE copies what no reader still needs, without waiting for anyone and without taking the write lock. */
function passive() {
  return db.pragma("wal_checkpoint(PASSIVE)")[0];
}

/** Bumped by every commit of another connection: unchanged across a tick means nobody wrote during it. */
function dataVersion() {
  return db.pragma("data_version", { simple: true });
}

let versionAtLastTick = dataVersion();
/** Whether anyone has written since the log file was last cut back. */
let writtenSinceTruncate = true;

function checkpoint() {
  try {
    const version = dataVersion();
    const idle = version === versionAtLastTick;
    versionAtLastTick = version;
    if (!idle) writtenSinceTruncate = true;
    // Catching up: commits that arrive while a checkpoint copies are left for the next round, which is shorter. Once
    // a round has copied everything and nothing came in during it, the next commit starts the log over from its
    // beginning (SQLite does that in the writer, which waits for nothing), so the log stays a few megabytes long under
    // a steady stream of commits without any checkpoint taking the write lock. (Truncating the file after every
    // wholly copied log did take it, and made each writer wait 5-10 ms a batch.)
    let result = passive();
    for (let round = 1; round < CATCH_UP_ROUNDS && result.checkpointed === result.log; round++) {
      const next = passive();
      const nothingNew = next.log === result.log;
      result = next;
      if (nothingNew) break;
    }
    if (result.log > restartFrames) {
      // Commits came in faster than the rounds could copy them, or a reader held the copy back: RESTART waits for
      // the writers and readers (up to the busy timeout above) so that the next commit starts the log over.
      db.pragma("wal_checkpoint(RESTART)");
    } else if (idle && writtenSinceTruncate && result.checkpointed === result.log) {
      // Nobody has written for a whole tick (the load is over) and the log is wholly copied: the file, as long as the
      // longest log since it was last cut back, is cut back to nothing.
      const [truncated] = db.pragma("wal_checkpoint(TRUNCATE)");
      if (truncated && truncated.busy === 0) writtenSinceTruncate = false;
    }
  } catch (error) {
    parentPort?.postMessage({ kind: "checkpoint-failed", message: error instanceof Error ? error.message : String(error) });
  }
}

setInterval(checkpoint, intervalMs);
parentPort?.postMessage({ kind: "ready" });
