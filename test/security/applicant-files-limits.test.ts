/**
 * Issue 19, limits that hold before memory is spent: XLSX zip bombs made in the test are refused by the import into a
 * real SQLite (real migrations) and by the CLI, in seconds, with the limit named in both languages and nothing stored.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import type { CohortRowError } from "../../applicant-files/errors";
import { importCohort, type ImportCohortResult } from "../../db/cohort-import";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import type { StandardDocument } from "../../rules-schema/types";
import { jifen, suzhouPath, tempDir } from "../integration/cli-allocation.helpers";
import { longStringWorkbook, plainWorkbook, sharedStringsBomb, worksheetBomb } from "./applicant-files.helpers";

const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

/** The file as an upload delivers it: in 64 KB pieces. */
function pieces(buffer: Buffer): Readable {
  const out: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += 64 * 1024) out.push(buffer.subarray(at, at + 64 * 1024));
  return Readable.from(out);
}

async function importXlsx(buffer: Buffer) {
  const started = performance.now();
  const result = await importCohort(db, { name: "hostile", standardId: null, facts: suzhou.facts, createdBy: null, format: "xlsx", input: pieces(buffer) });
  return { result, ms: performance.now() - started };
}

function errorsOf(result: ImportCohortResult): CohortRowError[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

function stored(): number {
  return (db.$client.prepare("select count(*) n from cohort_applicants").get() as { n: number }).n;
}

describe("XLSX limits", () => {
  it("refuses shared strings inflating to 4 GB from a 4 MB file within 5 s, naming the limit in both languages", async () => {
    const { result, ms } = await importXlsx(sharedStringsBomb(4200));
    expect(ms).toBeLessThan(5000);
    expect(result.ok).toBe(false);
    const [error] = errorsOf(result);
    expect(error.code).toBe("fileLimit");
    expect(error.params.limit).toBe("inflateRatio");
    expect(error.message.zh).toContain("压缩比超过 100 倍的上限");
    expect(error.message.en).toContain("more than 100 times its compressed size");
    expect(stored()).toBe(0);
    expect(process.memoryUsage().rss).toBeLessThan(1.5 * 1024 ** 3);
  });

  it("refuses a worksheet inflating to 2 GB", async () => {
    const { result, ms } = await importXlsx(worksheetBomb(2048));
    expect(ms).toBeLessThan(15_000);
    expect(errorsOf(result)[0].code).toBe("fileLimit");
  });

  it("refuses one 256 MiB string (the shared-strings limit, as the ratio alone lets it through)", async () => {
    const { result } = await importXlsx(longStringWorkbook(256 * 1024 * 1024));
    const [error] = errorsOf(result);
    expect(error.code).toBe("fileLimit");
    expect(error.params.limit).toBe("sharedStringsBytes");
    expect(error.message.zh).toContain("共享字符串");
    expect(error.message.en).toContain("shared strings");
    expect(stored()).toBe(0);
  });

  it("refuses a cell longer than Excel allows", async () => {
    const { result } = await importXlsx(longStringWorkbook(40_000));
    const [error] = errorsOf(result);
    expect(error).toMatchObject({ code: "fileLimit", line: 2, params: { limit: "cellChars" } });
  });

  it("reads the same hand-made zip when it is honest", async () => {
    const { result } = await importXlsx(plainWorkbook());
    expect(result).toMatchObject({ ok: true, rowCount: 1 });
  });

  it("the CLI refuses the bomb with the limit named and no stack trace", () => {
    const dir = tempDir();
    const path = join(dir, "bomb.xlsx");
    writeFileSync(path, sharedStringsBomb(4200));
    const started = performance.now();
    const result = jifen(["rank", "--standard", suzhouPath, "--program", "settlement", "--cohort", path, "--date", "2016-05-15", "--quota", "2"]);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("more than 100 times its compressed size, the limit");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
