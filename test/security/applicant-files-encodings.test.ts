/**
 * Issue 19, encodings that must be refused: a file that decodes in none of UTF-8, UTF-16 or GB18030 (or mixes them),
 * and text already holding U+FFFD, are refused with the line and character, in both languages, by the import into a
 * real SQLite and by the CLI; nothing is stored, so no replacement character ever reaches the database.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { importCohort } from "../../db/cohort-import";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import type { StandardDocument } from "../../rules-schema/types";
import { jifen, suzhouPath, tempDir } from "../integration/cli-allocation.helpers";
import { encodeGbk } from "./applicant-files.helpers";

const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

async function refusal(bytes: Buffer, format: "csv" | "jsonl" = "csv") {
  const result = await importCohort(db, { name: "x", standardId: null, facts: suzhou.facts, createdBy: null, format, input: Readable.from([bytes]) });
  expect(result.ok).toBe(false);
  expect((db.$client.prepare("select count(*) n from cohort_applicants").get() as { n: number }).n).toBe(0);
  return result.ok ? undefined! : result.errors[0];
}

describe("files that decode in no encoding", () => {
  it("a UTF-8 file with a GBK line (two files pasted together) is refused at that line and character", async () => {
    const bytes = Buffer.concat([Buffer.from("id,schoolId\nA1,苏州中学\n"), encodeGbk("A2,苏州中学\n")]);
    const error = await refusal(bytes);
    expect(error).toMatchObject({ code: "badEncoding", line: 3, params: { encoding: "utf-8", column: 4 } });
    expect(error.message.zh).toContain("第 3 行");
    expect(error.message.zh).toContain("第 4 个字符");
    expect(error.message.en).toContain("line 3");
    expect(error.message.en).toContain("not valid UTF-8");
  });

  it("bytes that are not GB18030 either are refused, not replaced", async () => {
    const bytes = Buffer.concat([Buffer.from("id,schoolId\nA1,"), Buffer.of(0xff, 0xff, 0xff, 0xff), Buffer.from("\n")]);
    const error = await refusal(bytes);
    expect(error).toMatchObject({ code: "badEncoding", line: 2, params: { encoding: "gb18030" } });
  });

  it("text already holding U+FFFD (damaged by an earlier conversion) is refused where it stands", async () => {
    const error = await refusal(Buffer.from("id,schoolId\nA1,苏州\uFFFD\uFFFD\n"));
    expect(error).toMatchObject({ code: "badEncoding", line: 2, params: { damaged: true, column: 6 } });
    expect(error.message.zh).toContain("替换符");
  });

  it("JSON Lines are held to the same decoding", async () => {
    const error = await refusal(Buffer.from('{"id":"J1","schoolId":"\uFFFD"}\n'), "jsonl");
    expect(error).toMatchObject({ code: "badEncoding", line: 1 });
  });

  it("the CLI refuses the same file with the line, in the chosen language, without a stack trace", () => {
    const dir = tempDir();
    const path = join(dir, "mixed.csv");
    writeFileSync(path, Buffer.concat([Buffer.from("id,schoolId\nA1,苏州中学\n"), encodeGbk("A2,苏州中学\n")]));
    const result = jifen(["rank", "--standard", suzhouPath, "--program", "school", "--cohort", path, "--date", "2019-06-30", "--quota", "*=1"], { JIFEN_LANG: "zh" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("第 3 行");
    expect(result.stderr).toContain("UTF-8");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
