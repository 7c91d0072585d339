/** Importing cohorts from CSV, XLSX and JSON Lines into a real SQLite with the real migrations. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { readApplicants } from "../../applicant-files/applicants";
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

  it("stores each row's facts as exactly the JSON of the typed facts, however the cells are spelled", async () => {
    const header = "id,socialInsuranceMonths,perCapitaHousingAreaM2,socialInsuranceActive,birthDate,educationLevel,homes,schoolId";
    const csv = [
      header,
      "N1, 12 ,1e3,YES, 2015-01-02 , bachelor ,[],s1",
      'N2,+5,-0,是,2000-02-29,doctor," [ {""areaM2"": 1.50, ""owner"":""self""} ] ","a ""quoted"" 学校, line\nbreak"',
      "N3,0x10,0.0000001,0,,,,",
      "N4,007,123456789012345678901234567890,f,1999-12-31,,[], spaced ",
      "N5,0,0.10,true,,,,",
      "N6,,,,,,,",
    ].join("\n");
    const result = await importCohort(db, { ...base, format: "csv", input: input(csv) });
    expect(result).toMatchObject({ ok: true, rowCount: 6 });
    const stored = db.$client.prepare("select applicant_ref, facts from cohort_applicants order by row_no").all() as Array<{ applicant_ref: string; facts: string }>;
    const expected: Array<{ applicant_ref: string; facts: string }> = [];
    for await (const row of readApplicants(input(csv), "csv", suzhou.facts)) expected.push({ applicant_ref: row.applicant!.id, facts: JSON.stringify(row.applicant!.facts) });
    expect(stored).toEqual(expected);
    expect(JSON.parse(stored[1].facts)).toMatchObject({ socialInsuranceMonths: 5, perCapitaHousingAreaM2: 0, homes: [{ areaM2: 1.5, owner: "self" }] });
    expect(stored[5].facts).toBe("{}");
  });

  it("stores the same facts when two columns are mapped to one fact", async () => {
    const mapping = { a: "socialInsuranceMonths", b: "socialInsuranceMonths", c: "schoolId" };
    const csv = "id,a,c,b\nM1,1,s1,2\nM2,3,s2,\n";
    const result = await importCohort(db, { ...base, format: "csv", input: input(csv), mapping });
    expect(result.ok).toBe(true);
    const rows = listApplicants(db, (result as { cohortId: number }).cohortId);
    expect(rows.map((r) => JSON.stringify(r.facts))).toEqual(['{"socialInsuranceMonths":2,"schoolId":"s1"}', '{"socialInsuranceMonths":3,"schoolId":"s2"}']);
  });

  it("numbers the rows in file order, however many rows each insert statement takes", async () => {
    const ids = Array.from({ length: 123 }, (_, i) => `R${String(i).padStart(3, "0")}`);
    const csv = [`id,${numberFact.id}`, ...ids.map((id, i) => `${id},${i}`)].join("\n");
    const result = await importCohort(db, { ...base, format: "csv", input: input(csv) });
    expect(result).toMatchObject({ ok: true, rowCount: 123 });
    const rows = listApplicants(db, (result as { cohortId: number }).cohortId);
    expect(rows.map((r) => [r.rowNo, r.applicantRef, r.facts[numberFact.id]])).toEqual(ids.map((id, i) => [i + 1, id, i]));
  });

  it("refuses a repeated id with the line it first appeared on, in ascending files and in any order", async () => {
    for (const [ids, line, firstLine] of [
      [["A1", "A2", "A3", "A2"], 5, 3],
      [["C", "B", "A", "B"], 5, 3],
      [["A", "B", "C", "D", "E", "E"], 7, 6],
    ] as const) {
      const csv = [`id,${numberFact.id}`, ...ids.map((id) => `${id},1`)].join("\n");
      const result = await importCohort(db, { ...base, format: "csv", input: input(csv) });
      expect(result.ok).toBe(false);
      expect((result as { errors: Array<{ code: string; line: number; params: Record<string, unknown> }> }).errors).toMatchObject([
        { code: "duplicateId", line, params: { firstLine } },
      ]);
    }
    expect(listCohorts(db)).toEqual([]);
  });

  it("hashes identity numbers as SHA-256 of the installation salt and the upper-case number", async () => {
    const csv = `id,idNumber,${numberFact.id}\nH1, 11010119900101123x ,1\n`;
    const result = await importCohort(db, { ...base, format: "csv", input: input(csv) });
    expect(result.ok).toBe(true);
    const salt = (db.$client.prepare("select value from settings where key = 'id_hash_salt'").get() as { value: string }).value;
    const row = db.$client.prepare("select id_hash, id_masked from cohort_applicants").get() as { id_hash: string; id_masked: string };
    expect(row.id_hash).toBe(createHash("sha256").update(`${salt}:11010119900101123X`).digest("hex"));
    expect(row.id_masked).toBe("110***********123x");
  });
});
