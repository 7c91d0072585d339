/**
 * Issue 19, files in the officer's words: headers may be a fact's id, its Chinese label or its English label; enum
 * cells its value id or label (大学本科 as well as bachelor); dates 2019-06-30, 2019/6/30 or an Excel date cell.
 * Imported into a real SQLite without any column mapping, and read alike by the CLI.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { proposeMapping } from "../../app/features/cohorts/standard-facts.server";
import { importCohort, type ImportCohortResult } from "../../db/cohort-import";
import { listApplicants } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import type { StandardDocument } from "../../rules-schema/types";
import { jifen, suzhouPath, tempDir } from "./cli-allocation.helpers";

const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

async function importFile(format: "csv" | "xlsx", bytes: Buffer | string): Promise<ImportCohortResult> {
  return importCohort(db, { name: "2019", standardId: null, facts: suzhou.facts, createdBy: null, format, input: Readable.from([Buffer.from(bytes)]) });
}

function stored(result: ImportCohortResult) {
  expect(result.ok).toBe(true);
  return listApplicants(db, (result as { cohortId: number }).cohortId).map((r) => ({ ref: r.applicantRef, ...r.facts }));
}

const expected = [
  { ref: "A1", educationLevel: "bachelor", residenceRegistrationDate: "2019-06-30", socialInsuranceMonths: 12 },
  { ref: "A2", educationLevel: "master", residenceRegistrationDate: "2018-01-05", socialInsuranceMonths: 30 },
];

describe("headers, enum cells and dates in the officer's words", () => {
  it("Chinese labels as headers, enum labels and slashed dates", async () => {
    const csv = ["申请编号,最高学历,居住登记时间（本次市区连续居住起始日）,苏州大市范围内城镇职工社会保险缴费月数", "A1,大学本科,2019/6/30,12", "A2,硕士研究生,2018/1/5,30"].join("\n");
    expect(stored(await importFile("csv", csv))).toEqual(expected);
  });

  it("English labels in any case, enum ids and labels, ISO dates", async () => {
    const csv = ["id,Highest Education,residence registration date (start of the current continuous residence in the urban districts),socialInsuranceMonths", "A1,bachelor,2019-06-30,12", "A2,Master,2018-01-05,30"].join("\n");
    expect(stored(await importFile("csv", csv))).toEqual(expected);
  });

  it("an XLSX with Chinese headers and Excel date cells", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("申请人");
    sheet.addRow(["申请编号", "最高学历", "居住登记时间（本次市区连续居住起始日）", "苏州大市范围内城镇职工社会保险缴费月数"]);
    sheet.addRow(["A1", "大学本科", new Date(Date.UTC(2019, 5, 30)), 12]);
    sheet.addRow(["A2", "master", new Date(Date.UTC(2018, 0, 5)), 30]);
    sheet.getColumn(3).numFmt = "yyyy/m/d";
    expect(stored(await importFile("xlsx", Buffer.from(await workbook.xlsx.writeBuffer())))).toEqual(expected);
  });

  it("refuses an impossible slashed date and an unknown label, by line and column", async () => {
    const csv = ["id,最高学历,居住登记时间（本次市区连续居住起始日）", "A1,大学,2019/2/30"].join("\n");
    const result = await importFile("csv", csv);
    expect(result.ok).toBe(false);
    expect((result as { errors: Array<{ line: number; column: string; code: string }> }).errors.map((e) => [e.line, e.column, e.code])).toEqual([
      [2, "educationLevel", "badEnum"],
      [2, "residenceRegistrationDate", "badDate"],
    ]);
  });

  it("the upload screen proposes the same mapping the reader uses", () => {
    expect(proposeMapping(["申请编号", "最高学历", "Highest Education", "身份证号", "备注"], suzhou.facts)).toEqual({
      申请编号: "id",
      最高学历: "educationLevel",
      "Highest Education": "educationLevel",
      身份证号: "idNumber",
      备注: "",
    });
  });

  it("the CLI reads Chinese headers and labels too", () => {
    const dir = tempDir();
    const path = join(dir, "cohort.csv");
    writeFileSync(path, ["申请编号,申请入读的学校,最高学历", "A1,苏州中学,大学本科", ""].join("\n"));
    const result = jifen(["rank", "--standard", suzhouPath, "--program", "school", "--cohort", path, "--date", "2019-06-30", "--quota", "*=1"]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { pools: Array<{ pool: string }> }).pools[0].pool).toBe("苏州中学");
  });
});
