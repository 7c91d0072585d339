/**
 * Issue 19, encodings: CSVs as Excel saves them (GBK on Chinese Windows, UTF-16 "Unicode text", UTF-8 with its mark)
 * are imported into a real SQLite with the Chinese text intact and the encoding read named; the CLI reads them alike.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { csvHeaderRow } from "../../applicant-files/header";
import { importCohort } from "../../db/cohort-import";
import { listApplicants } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import type { StandardDocument } from "../../rules-schema/types";
import { encodeGbk, encodeUtf16 } from "../security/applicant-files.helpers";
import { jifen, suzhouPath, tempDir } from "./cli-allocation.helpers";

const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

/** As an upload delivers a file: in small pieces that split characters. */
function pieces(buffer: Buffer, size = 7): Readable {
  const out: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) out.push(buffer.subarray(at, at + size));
  return Readable.from(out);
}

const text = ["id,schoolId,socialInsuranceMonths", "A1,苏州中学,12", "A2,苏州大学附属中学,30", ""].join("\r\n");
// The same applicants under the standard's Chinese labels, mapped as the upload screen proposes.
const chineseHeader = ["申请编号", "申请入读的学校", "苏州大市范围内城镇职工社会保险缴费月数"];
const chineseText = [chineseHeader.join(","), "A1,苏州中学,12", "A2,苏州大学附属中学,30", ""].join("\r\n");
const mapping = { 申请编号: "id", 申请入读的学校: "schoolId", 苏州大市范围内城镇职工社会保险缴费月数: "socialInsuranceMonths" };

const files: Array<[string, Buffer, Buffer, string]> = [
  ["GBK (Excel on Chinese Windows)", encodeGbk(text), encodeGbk(chineseText), "gb18030"],
  ["UTF-16 LE with its mark (Excel's Unicode text)", encodeUtf16(text), encodeUtf16(chineseText), "utf-16le"],
  ["UTF-16 BE with its mark", encodeUtf16(text, "be"), encodeUtf16(chineseText, "be"), "utf-16be"],
  ["UTF-8 with a byte-order mark (Excel's CSV UTF-8)", Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from(text)]), Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from(chineseText)]), "utf-8"],
  ["UTF-8 without a mark", Buffer.from(text), Buffer.from(chineseText), "utf-8"],
];

describe("importing CSVs in the encodings Excel writes", () => {
  for (const [name, bytes, chineseBytes, encoding] of files) {
    it(`${name}: the Chinese text is stored intact and the encoding named`, async () => {
      const result = await importCohort(db, { name: "2019", standardId: null, facts: suzhou.facts, createdBy: null, format: "csv", input: pieces(bytes) });
      expect(result).toMatchObject({ ok: true, rowCount: 2, encoding });
      const rows = listApplicants(db, (result as { cohortId: number }).cohortId);
      expect(rows.map((r) => [r.applicantRef, r.facts.schoolId, r.facts.socialInsuranceMonths])).toEqual([
        ["A1", "苏州中学", 12],
        ["A2", "苏州大学附属中学", 30],
      ]);
      expect(JSON.stringify(rows)).not.toContain("\uFFFD");
    });

    it(`${name}: Chinese headers are read from the first bytes, and the mapped file imported`, async () => {
      const header = await csvHeaderRow(pieces(chineseBytes.subarray(0, 40), 5));
      // Only the first 40 bytes: the header is cut, its last complete cells are read all the same.
      expect(chineseHeader.slice(0, 1)).toEqual(header.headers.slice(0, 1));
      const whole = await csvHeaderRow(pieces(chineseBytes));
      expect(whole).toEqual({ headers: chineseHeader, encoding });
      const result = await importCohort(db, {
        name: "2019",
        standardId: null,
        facts: suzhou.facts,
        createdBy: null,
        format: "csv",
        input: pieces(chineseBytes),
        mapping,
        headers: chineseHeader,
      });
      expect(result).toMatchObject({ ok: true, rowCount: 2, encoding });
      expect(listApplicants(db, (result as { cohortId: number }).cohortId)[1].facts.schoolId).toBe("苏州大学附属中学");
    });
  }

  it("the CLI reads a GBK cohort the same way: the school's name is its quota pool", () => {
    const dir = tempDir();
    const path = join(dir, "cohort.csv");
    writeFileSync(path, encodeGbk(["id,schoolId,childInUrbanSchool", "A1,苏州中学,是", "A2,苏州大学附属中学,否", ""].join("\n")));
    const result = jifen(["rank", "--standard", suzhouPath, "--program", "school", "--cohort", path, "--date", "2019-06-30", "--quota", "*=1"]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { pools: Array<{ pool: string }> };
    expect(output.pools.map((p) => p.pool).sort()).toEqual(["苏州中学", "苏州大学附属中学"].sort());
  });
});
