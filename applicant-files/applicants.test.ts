import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { FactDefinition } from "../rules-schema/types";
import { CohortInputError, readApplicants, readCohortColumns, readCohortFile } from "./applicants";
import { cohortRowReader } from "../engine/cohorts/cohort";

const facts: FactDefinition[] = [
  { id: "months", type: "integer", label: { zh: "月数", en: "months" }, minimum: 0 },
  { id: "area", type: "number", label: { zh: "面积", en: "area" } },
  { id: "permit", type: "boolean", label: { zh: "居住证", en: "permit" } },
  { id: "registeredOn", type: "date", label: { zh: "登记", en: "registered" } },
  {
    id: "education",
    type: "enum",
    label: { zh: "学历", en: "education" },
    values: [
      { value: "low", label: { zh: "低", en: "low" } },
      { value: "high", label: { zh: "高", en: "high" } },
    ],
  },
  { id: "offences", type: "records", label: { zh: "记录", en: "records" }, fields: [{ id: "date", type: "date", label: { zh: "日", en: "d" } }] },
];

const dir = mkdtempSync(join(tmpdir(), "jifen-applicants-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function errorsOf(path: string) {
  try {
    await readCohortFile(path, facts);
  } catch (error) {
    expect(error).toBeInstanceOf(CohortInputError);
    return (error as CohortInputError).errors;
  }
  throw new Error("expected the file to be rejected");
}

describe("readCohortFile", () => {
  it("types CSV cells by the fact dictionary", async () => {
    const path = file(
      "ok.csv",
      'id,months,area,permit,registeredOn,education,offences\n' +
        'a,12,30.5,是,2015-01-02,low,[]\n' +
        'b,0,,false,,high,"[{""date"":""2014-03-01""}]"\n' +
        'c,7,1,1,2010-10-10,,\n',
    );
    const cohort = await readCohortFile(path, facts);
    expect(cohort.ids).toEqual(["a", "b", "c"]);
    expect(cohort.rows).toEqual([
      { months: 12, area: 30.5, permit: true, registeredOn: "2015-01-02", education: "low", offences: [] },
      { months: 0, permit: false, education: "high", offences: [{ date: "2014-03-01" }] },
      { months: 7, area: 1, permit: true, registeredOn: "2010-10-10" },
    ]);
  });

  it("reads the same applicants into columns", async () => {
    const path = file(
      "columns.csv",
      'id,months,permit,education,offences\n' + 'a,12,是,low,[]\n' + 'b,0,false,,"[{""date"":""2014-03-01""}]"\n' + 'c,,1,high,\n',
    );
    const rows = await readCohortFile(path, facts);
    const cohort = await readCohortColumns(path, facts);
    expect(cohort.size).toBe(3);
    expect(cohort.ids).toEqual(rows.ids);
    const read = cohortRowReader(cohort);
    for (let i = 0; i < 3; i++) {
      const row = Object.fromEntries(Object.entries(read(i)).filter(([, v]) => v !== undefined));
      expect(row).toEqual(rows.rows[i]);
    }
  });

  it("reports bad CSV cells with their line and column, in both languages", async () => {
    const path = file("bad.csv", "id,months,permit,registeredOn,education\na,12,true,2015-01-02,low\nb,1.5,maybe,2015-02-30,phd\n");
    const errors = await errorsOf(path);
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ["notInteger", 3, "months"],
      ["badBoolean", 3, "permit"],
      ["badDate", 3, "registeredOn"],
      ["badEnum", 3, "education"],
    ]);
    expect(errors[0].message.en).toContain('line 3, column "months"');
    expect(errors[0].message.zh).toContain("第 3 行");
  });

  it("refuses a quoted cell left open or closed wrongly, naming its line", async () => {
    const open = await errorsOf(file("open-quote.csv", 'id,months\na,1\nb,"2\n'));
    expect(open).toMatchObject([{ code: "badCsv", line: 3 }]);
    expect(open[0].message.en).toContain("no closing quote");
    expect(open[0].message.zh).toContain("第 3 行");
    const trailing = await errorsOf(file("trailing-quote.csv", 'id,months\na,"1"x\nb,2\n'));
    expect(trailing).toMatchObject([{ code: "badCsv", line: 2 }]);
    // Quotes inside an unquoted cell are text, as spreadsheets write them.
    expect(await readCohortFile(file("inner-quote.csv", 'id,education\nO"Brien,low\n'), facts)).toEqual({ ids: ['O"Brien'], rows: [{ education: "low" }] });
  });

  it("rejects a header that names no fact", async () => {
    const errors = await errorsOf(file("header.csv", "id,mnths\na,1\n"));
    expect(errors).toMatchObject([{ code: "unknownColumn", line: 1, column: "mnths" }]);
  });

  it("reads JSON Lines in both shapes and reports bad lines by number", async () => {
    const ok = file("ok.jsonl", '{"id":"x","facts":{"months":3}}\n\n{"id":"y","months":4,"permit":true}\n');
    expect(await readCohortFile(ok, facts)).toEqual({ ids: ["x", "y"], rows: [{ months: 3 }, { months: 4, permit: true }] });
    const bad = file("bad.jsonl", '{"id":"x","months":3}\n{"id":"y","months":"4"}\nnot json\n{"id":"x"}\n');
    const errors = await errorsOf(bad);
    expect(errors.map((e) => [e.code, e.line])).toEqual([
      ["badNumber", 2],
      ["badJson", 3],
      ["duplicateId", 4],
    ]);
  });

  it("says when the file does not exist", async () => {
    const errors = await errorsOf(join(dir, "missing.csv"));
    expect(errors[0].code).toBe("fileNotFound");
  });
});

describe("readApplicants", () => {
  it("decodes a character whose UTF-8 bytes are split between two chunks of an upload", async () => {
    const schoolFacts: FactDefinition[] = [{ id: "school", type: "string", label: { zh: "学校", en: "school" } }];
    const names = Array.from({ length: 200 }, (_, i) => `苏州市第${i}中学`);
    const bytes = Buffer.from(`id,school\n${names.map((name, i) => `a${i},${name}`).join("\n")}\n`);
    // 1000-byte pieces cut most three-byte characters somewhere.
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 1000) pieces.push(bytes.subarray(at, at + 1000));
    const schools: unknown[] = [];
    for await (const row of readApplicants(Readable.from(pieces), "csv", schoolFacts)) schools.push(row.applicant?.facts.school);
    expect(schools).toEqual(names);
  });
});
