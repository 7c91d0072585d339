/** Importing cohorts from CSV, XLSX and JSON Lines into a real SQLite with the real migrations. */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { importCohort } from "../../db/cohort-import";
import { listApplicants, listCohorts, recallColumnMapping } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import type { StandardDocument } from "../../rules-schema/types";

const suzhou = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
const numberFact = suzhou.facts.find((f) => f.type === "integer" || f.type === "number")!;
const dateFact = suzhou.facts.find((f) => f.type === "date")!;
const enumFact = suzhou.facts.find((f) => f.type === "enum")!;

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

function input(text: string) {
  return Readable.from([Buffer.from(text)]);
}

const base = { name: "2019 applicants", standardId: null, facts: suzhou.facts, createdBy: null } as const;

describe("importing a cohort", () => {
  it("imports a CSV typed by the standard's facts, with identity numbers hashed and masked", async () => {
    const csv = [
      `id,idNumber,${numberFact.id},${dateFact.id},${enumFact.id}`,
      `A1,320102199001011234,12,2015-03-01,${enumFact.values![0].value}`,
      `A2,,7,2016-05-20,${enumFact.values![1].value}`,
    ].join("\n");
    const result = await importCohort(db, { ...base, format: "csv", input: input(csv) });
    expect(result).toMatchObject({ ok: true, rowCount: 2 });
    const rows = listApplicants(db, (result as { cohortId: number }).cohortId);
    expect(rows[0]).toMatchObject({ applicantRef: "A1", idMasked: "320***********1234" });
    expect(rows[0].facts[numberFact.id]).toBe(12);
    expect(rows[1].facts[dateFact.id]).toBe("2016-05-20");
  });

  it("refuses a file with a wrong column type, names row and column in both languages, and stores nothing", async () => {
    const csv = [`id,${numberFact.id},${dateFact.id}`, "A1,12,2015-03-01", "A2,twelve,2015-03-01", "A3,3,2015-13-45"].join("\n");
    const result = await importCohort(db, { ...base, format: "csv", input: input(csv) });
    expect(result.ok).toBe(false);
    const errors = (result as { errors: Array<{ line: number; column?: string; code: string; message: { zh: string; en: string } }> }).errors;
    expect(errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [3, numberFact.id, "badNumber"],
      [4, dateFact.id, "badDate"],
    ]);
    expect(errors[0].message.zh).toContain("第 3 行");
    expect(errors[0].message.en).toContain("line 3");
    expect(listCohorts(db)).toEqual([]);
    expect((db.$client.prepare("select count(*) n from cohort_applicants").get() as { n: number }).n).toBe(0);
  });

  it("applies a column mapping and remembers it for the same header", async () => {
    const headers = ["申请编号", "社保月数", "备注"];
    const mapping = { 申请编号: "id", 社保月数: numberFact.id, 备注: "" };
    const csv = [headers.join(","), "B1,30,无", "B2,40,有"].join("\n");
    const result = await importCohort(db, { ...base, standardId: null, format: "csv", input: input(csv), mapping, headers });
    expect(result).toMatchObject({ ok: true, rowCount: 2 });
    db.$client.prepare("insert into standards (id, jurisdiction_code, jurisdiction_zh, jurisdiction_en, title_zh, title_en) values ('suzhou','320500','苏州','Suzhou','t','t')").run();
    const again = await importCohort(db, { ...base, standardId: "suzhou", format: "csv", input: input(csv), mapping, headers });
    expect(again.ok).toBe(true);
    expect(recallColumnMapping(db, "suzhou", headers)).toEqual(mapping);
  });

  it("reads JSON Lines and reports a malformed line by number", async () => {
    const good = await importCohort(db, { ...base, format: "jsonl", input: input(`{"id":"J1","${numberFact.id}":5}\n{"id":"J2","facts":{"${numberFact.id}":6}}\n`) });
    expect(good).toMatchObject({ ok: true, rowCount: 2 });
    const bad = await importCohort(db, { ...base, format: "jsonl", input: input(`{"id":"J1"}\n{"id": oops}\n`) });
    expect(bad.ok).toBe(false);
    expect((bad as { errors: Array<{ line: number; code: string }> }).errors[0]).toMatchObject({ line: 2, code: "badJson" });
  });

  it("reads the first worksheet of an XLSX file, dates included", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("申请人");
    sheet.addRow(["id", numberFact.id, dateFact.id]);
    sheet.addRow(["X1", 24, new Date(Date.UTC(2014, 6, 1))]);
    sheet.addRow(["X2", 36, "2013-01-15"]);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await importCohort(db, { ...base, format: "xlsx", input: Readable.from([buffer]) });
    expect(result).toMatchObject({ ok: true, rowCount: 2 });
    const rows = listApplicants(db, (result as { cohortId: number }).cohortId);
    expect(rows.map((r) => [r.applicantRef, r.facts[numberFact.id], r.facts[dateFact.id]])).toEqual([
      ["X1", 24, "2014-07-01"],
      ["X2", 36, "2013-01-15"],
    ]);
  });

  it("refuses duplicate applicant ids", async () => {
    const result = await importCohort(db, { ...base, format: "csv", input: input(`id,${numberFact.id}\nA1,1\nA1,2\n`) });
    expect(result.ok).toBe(false);
    expect((result as { errors: Array<{ code: string; line: number }> }).errors[0]).toMatchObject({ code: "duplicateId", line: 3 });
  });
});
