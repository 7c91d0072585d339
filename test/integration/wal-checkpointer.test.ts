/**
 * The batch workers' WAL checkpointer (app/api/wal-checkpoint-worker.mjs) under a steady stream of decision-log
 * commits: it copies the log back into the database file without ever holding a writer back, keeps the log file short
 * by letting the writers start it over, and cuts the file back to nothing once the writing stops. The checkpointer is
 * the real thread on a real SQLite file with the committed migrations; the writer is a connection of this thread that
 * is refused at once (busy timeout 0) whenever another connection holds the write lock.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { recordDecisionBatch } from "../../db/decisions";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { listStandards } from "../../db/standards";

const dir = mkdtempSync(join(tmpdir(), "jifen-checkpointer-"));
const databasePath = join(dir, "jifen.sqlite");
const walPath = `${databasePath}-wal`;
let writer: JifenDb;
let checkpointer: Worker;

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));
const walBytes = () => (existsSync(walPath) ? statSync(walPath).size : 0);

beforeAll(async () => {
  writer = openDatabase(databasePath);
  migrateDatabase(writer);
  await seedIfEmpty(writer);
  // Like a batch worker's connection, this one never copies the log back itself; and it does not wait for the lock.
  writer.$client.pragma("wal_autocheckpoint = 0");
  writer.$client.pragma("busy_timeout = 0");
  checkpointer = new Worker(new URL("../../app/api/wal-checkpoint-worker.mjs", import.meta.url), {
    // The production rhythm; the restarting checkpoint's bound is set out of reach, so that only catching up can keep
    // the log short here.
    workerData: { databasePath, intervalMs: 200, restartFrames: 1_000_000 },
  });
  await new Promise<void>((ready, fail) => {
    checkpointer.once("message", () => ready());
    checkpointer.once("error", fail);
  });
}, 60_000);

afterAll(async () => {
  await checkpointer.terminate();
  writer.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the WAL checkpointer under a steady stream of commits", () => {
  const batches = 120;
  const body = `{"rows":[${'["申请人",1],'.repeat(20_000)}["申请人",1]]}`;
  const bodyBytes = Buffer.byteLength(body);

  it("never holds a writer back, and keeps the log file a fraction of what was written", async () => {
    const standard = listStandards(writer)[0];
    const refusals: string[] = [];
    let largestLog = 0;
    for (let i = 0; i < batches; i++) {
      try {
        recordDecisionBatch(writer, {
          tokenId: null,
          standardId: standard.id,
          versionId: 1,
          versionHash: "0".repeat(64),
          programId: "p",
          evaluationDate: "2026-01-01",
          applicantCount: 1,
          input: body,
          inputHash: String(i).padStart(64, "0"),
          output: '{"categoryIds":[],"itemIds":[],"results":[]}',
        });
      } catch (error) {
        refusals.push((error as { code?: string }).code ?? String(error));
      }
      largestLog = Math.max(largestLog, walBytes());
      // Time between commits, as while a worker scores its next batch: the checkpointer copies meanwhile.
      await sleep(20);
    }
    // A checkpoint that took the write lock (a restarting or truncating one) would have refused some of these commits.
    expect(refusals).toEqual([]);
    expect(writer.$client.prepare("select count(*) from decision_batches").pluck().get()).toBe(batches);
    // Left alone, the log would hold every commit (about 38 MB here); the writers start it over once it is copied (7 to
    // 10 MB at most in trial runs).
    expect(largestLog).toBeLessThan((batches * bodyBytes) / 2);
  }, 60_000);

  it("cuts the log file back to nothing once nobody writes, with everything in the database file itself", async () => {
    let bytes = walBytes();
    for (let attempt = 0; attempt < 50 && bytes > 0; attempt++) {
      await sleep(100);
      bytes = walBytes();
    }
    expect(bytes).toBe(0);
    // The database file alone (no -wal beside the copy) holds every batch.
    const copy = join(dir, "copy.sqlite");
    copyFileSync(databasePath, copy);
    const copied = openDatabase(copy);
    try {
      expect(copied.$client.prepare("select count(*) from decision_batches").pluck().get()).toBe(batches);
    } finally {
      copied.$client.close();
    }
  }, 30_000);
});
