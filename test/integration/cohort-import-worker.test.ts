/**
 * Issue 19, part 4: an import on a thread of its own, storing in short write transactions. On a real SQLite file with
 * the real migrations: the same answers as the import in this thread, progress (rows read, then rows stored), the
 * cohort hidden until its last transaction, another writer served between slices, and nothing left behind by a
 * failure part-way or by a connection that stops mid-import (a crash).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { csvLine } from "../../applicant-files/applicants";
import { changeWatch } from "../../app/api/change-watch.server";
import { importOffThread, type ImportProgressUpdate } from "../../app/features/cohorts/import-in-worker.server";
import { importCohort } from "../../db/cohort-import";
import { countApplicants, createCohortInSlices, discardUnfinishedCohorts, listApplicants, listCohorts } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { PackedTexts } from "../../db/packed-texts";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";

const suzhou = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
const factIds = suzhou.facts.map((f) => f.id);

function cohortCsv(size: number): string {
  let text = csvLine(["id", ...factIds]);
  for (const { id, facts } of generateApplicants(suzhou, size, 19)) text += csvLine([id, ...factIds.map((f) => facts[f])]);
  return text;
}

/** The file in 64 KB pieces, as a request body arrives. */
function pieces(text: string): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let k = 0; k < bytes.length; k += 65536) parts.push(bytes.subarray(k, k + 65536));
  return Readable.from(parts);
}

let dir: string;
let databaseUrl: string;
let db: JifenDb;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "jifen-import-worker-"));
  databaseUrl = join(dir, "jifen.sqlite");
  db = openDatabase(databaseUrl);
  migrateDatabase(db);
});
afterEach(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const job = { name: "2019", standardId: null, facts: suzhou.facts, format: "csv" as const, createdBy: null };

describe("an import on a thread of its own", () => {
  it("stores the same applicants as the import in this thread, reporting rows read and then rows stored", async () => {
    const csv = cohortCsv(12_000);
    const updates: ImportProgressUpdate[] = [];
    const result = await importOffThread(db, databaseUrl, job, pieces(csv), (u) => updates.push(u));
    expect(result).toMatchObject({ ok: true, rowCount: 12_000, encoding: "utf-8" });
    const inThread = await importCohort(db, { ...job, name: "same file here", input: pieces(csv) });
    expect(inThread).toMatchObject({ ok: true, rowCount: 12_000 });
    const [offId, hereId] = [result, inThread].map((r) => (r as { cohortId: number }).cohortId);
    expect(listApplicants(db, offId)).toEqual(listApplicants(db, hereId));
    expect(updates.some((u) => !u.storing && u.rowsRead >= 10_000 && u.rowsRead < 12_000)).toBe(true);
    expect(updates.at(-1)).toEqual({ rowsRead: 12_000, rowsStored: 12_000, storing: true });
    // Stored in many transactions: progress was seen part-way through storing.
    expect(updates.some((u) => u.storing && u.rowsStored > 0 && u.rowsStored < 12_000)).toBe(true);
    expect(db.$client.prepare("select count(*) as n from audit_log where action = 'cohort.import'").get()).toEqual({ n: 2 });
  });

  it("answers a bad row with its line and column as before, storing nothing", async () => {
    const lines = cohortCsv(2_000).split("\n");
    const numeric = suzhou.facts.find((f) => f.type === "integer" || f.type === "number")!;
    const cells = lines[1500].split(",");
    cells[factIds.indexOf(numeric.id) + 1] = "十二";
    lines[1500] = cells.join(",");
    const result = await importOffThread(db, databaseUrl, job, pieces(lines.join("\n")), () => {});
    expect(result.ok).toBe(false);
    const errors = (result as { errors: Array<{ line: number; column?: string; message: { zh: string; en: string } }> }).errors;
    expect(errors[0]).toMatchObject({ line: 1501, column: numeric.id });
    expect(errors[0].message.zh).toContain("十二");
    expect(listCohorts(db)).toEqual([]);
    expect(db.$client.prepare("select count(*) as n from cohort_applicants").get()).toEqual({ n: 0 });
  });

  it("answers an early error (a column too many on line 2) while the rest of the body is still coming", async () => {
    const csv = cohortCsv(50_000).replace(/\n([^\n]*)\n/, "\n$1,extra\n");
    const result = await importOffThread(db, databaseUrl, job, pieces(csv), () => {});
    expect(result).toMatchObject({ ok: false, errors: [{ code: "badCsv", line: 2 }] });
    expect(listCohorts(db)).toEqual([]);
  });
});

describe("a department's write during an import", () => {
  it("is let in mid-slice: the import ends its write transaction as soon as the API waits for the lock", async () => {
    // Slices as long as the settings allow: without the hand-over, the API would wait for all rows to be stored.
    const before = { ...process.env };
    process.env.JIFEN_IMPORT_SLICE_MS = "9999";
    const size = 60_000;
    const probe = openDatabase(databaseUrl);
    probe.$client.pragma("busy_timeout = 0");
    const importLocked = () => {
      try {
        probe.$client.exec("begin immediate");
        probe.$client.exec("rollback");
        return false;
      } catch {
        return true;
      }
    };
    let storing = false;
    try {
      const answer = importOffThread(db, databaseUrl, job, pieces(cohortCsv(size)), (u) => (storing ||= u.storing));
      let finished = false;
      void answer.finally(() => (finished = true));
      while (!finished && !(storing && importLocked())) await new Promise((r) => setTimeout(r, 1));
      expect(finished).toBe(false);
      const storedWhenLetIn = changeWatch(db).ownTransaction(() => {
        db.$client.prepare("insert into column_mappings (standard_id, header_signature, mapping) values ('api', 'during-import', '{}')").run();
        return (db.$client.prepare("select count(*) as n from cohort_applicants").get() as { n: number }).n;
      });
      expect(storedWhenLetIn).toBeGreaterThan(0);
      expect(storedWhenLetIn).toBeLessThan(size);
      expect(await answer).toMatchObject({ ok: true, rowCount: size });
    } finally {
      process.env = before;
      probe.$client.close();
    }
  });
});

describe("storing in slices", () => {
  function rowsOf(size: number) {
    const texts = new PackedTexts();
    const refs: string[] = [];
    for (let i = 0; i < size; i++) {
      refs.push(`A${i}`);
      texts.push(JSON.stringify({ n: i }));
    }
    return { applicantRefs: refs, idNumbers: refs.map(() => undefined), factsJson: texts };
  }
  const cohort = { name: "sliced", standardId: null, sourceFormat: "csv" as const, createdBy: null };

  it("keeps the cohort hidden until its last transaction, and lets another writer in between slices", async () => {
    const other = openDatabase(databaseUrl);
    other.$client.pragma("busy_timeout = 0");
    const seen: Array<{ listed: number; stored: number; otherWrote: boolean }> = [];
    let n = 0;
    try {
      await createCohortInSlices(db, cohort, rowsOf(20_000), {
        sliceMs: 2,
        pause: async () => {},
        onStored: (stored) => {
          // Between two slices no write transaction is open: another connection writes at once.
          let otherWrote = true;
          try {
            other.$client.prepare("insert into column_mappings (standard_id, header_signature, mapping) values (?, ?, '{}')").run("s", `h${n++}`);
          } catch {
            otherWrote = false;
          }
          seen.push({ listed: listCohorts(other).length, stored, otherWrote });
        },
      });
    } finally {
      other.$client.close();
    }
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((s) => s.listed === 0 && s.otherWrote)).toBe(true);
    expect(listCohorts(db)).toMatchObject([{ name: "sliced", rowCount: 20_000 }]);
  });

  it("removes what it stored when a slice fails part-way", async () => {
    let slices = 0;
    await expect(
      createCohortInSlices(db, cohort, rowsOf(20_000), {
        sliceMs: 1,
        pause: async () => {},
        onStored: () => {
          if (++slices === 3) throw new Error("disk full");
        },
      }),
    ).rejects.toThrow("disk full");
    expect(db.$client.prepare("select count(*) as n from cohorts").get()).toEqual({ n: 0 });
    expect(db.$client.prepare("select count(*) as n from cohort_applicants").get()).toEqual({ n: 0 });
  });

  it("a connection that stops mid-import (a crash) leaves a hidden cohort, removed at the next start", async () => {
    const crashing = openDatabase(databaseUrl);
    let cohortId = 0;
    let stored = 0;
    void createCohortInSlices(crashing, cohort, rowsOf(20_000), {
      sliceMs: 1,
      // The process dies here: the pause never ends.
      pause: () => new Promise(() => {}),
      onStarted: (id) => (cohortId = id),
      onStored: (n) => (stored = n),
    });
    await new Promise((r) => setTimeout(r, 50));
    crashing.$client.close();
    expect(stored).toBeGreaterThan(0);
    expect(countApplicants(db, cohortId)).toBe(stored);
    expect(listCohorts(db)).toEqual([]);
    expect(await discardUnfinishedCohorts(db)).toBe(1);
    expect(db.$client.prepare("select count(*) as n from cohort_applicants").get()).toEqual({ n: 0 });
    expect(db.$client.prepare("select count(*) as n from cohorts").get()).toEqual({ n: 0 });
  });
});
