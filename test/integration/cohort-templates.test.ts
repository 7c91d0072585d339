/**
 * Issue 19, templates: the XLSX template of a standard (Chinese labels, fact ids in a hidden second row, drop-down
 * lists, an explanation sheet) and the CSV template round-trip: filled with 3 applicants the way an officer fills
 * them (labels from the drop-downs, dates as Excel dates), they import into a real SQLite with the same facts.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { csvTemplate, xlsxTemplate } from "../../applicant-files/template";
import { importCohort } from "../../db/cohort-import";
import { listApplicants } from "../../db/cohorts";
import { openDatabase } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import type { StandardDocument } from "../../rules-schema/types";

const suzhou = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
const ids = suzhou.facts.map((f) => f.id);

const applicants = [
  { ref: "T1", educationLevel: ["大学本科", "bachelor"], birthDate: new Date(Date.UTC(1988, 4, 17)), socialInsuranceMonths: 36, holdsResidencePermit: ["是", true], schoolId: "苏州中学" },
  { ref: "T2", educationLevel: ["硕士研究生", "master"], birthDate: new Date(Date.UTC(1990, 0, 2)), socialInsuranceMonths: 0, holdsResidencePermit: ["否", false], schoolId: "苏州大学附属中学" },
  { ref: "T3", educationLevel: ["大专以下", "below_junior_college"], birthDate: new Date(Date.UTC(1979, 11, 31)), socialInsuranceMonths: 120, holdsResidencePermit: ["是", true], schoolId: "" },
];

async function importBytes(format: "csv" | "xlsx", bytes: Buffer) {
  const db = openDatabase(":memory:");
  migrateDatabase(db);
  const result = await importCohort(db, { name: "template", standardId: null, facts: suzhou.facts, createdBy: null, format, input: Readable.from([bytes]) });
  expect(result.ok ? [] : result.errors.map((e) => e.message.en)).toEqual([]);
  expect(result).toMatchObject({ ok: true, rowCount: 3 });
  return listApplicants(db, (result as { cohortId: number }).cohortId).map((r) => ({ ref: r.applicantRef, ...r.facts }));
}

const expected = applicants.map((a) => ({
  ref: a.ref,
  birthDate: a.birthDate.toISOString().slice(0, 10),
  educationLevel: a.educationLevel[1],
  socialInsuranceMonths: a.socialInsuranceMonths,
  holdsResidencePermit: a.holdsResidencePermit[1],
  ...(a.schoolId ? { schoolId: a.schoolId } : {}),
}));

describe("applicant templates", () => {
  it("the XLSX template: labels, hidden ids, drop-downs and an explanation of every column", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await xlsxTemplate(suzhou.facts)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).values).toEqual([undefined, "申请编号", ...suzhou.facts.map((f) => f.label.zh)]);
    expect(sheet.getRow(2).values).toEqual([undefined, "id", ...ids]);
    expect(sheet.getRow(2).hidden).toBe(true);
    const education = sheet.getCell(3, ids.indexOf("educationLevel") + 2).dataValidation;
    expect(education).toMatchObject({ type: "list" });
    const explain = workbook.worksheets[1];
    expect(explain.rowCount).toBe(suzhou.facts.length + 2);
    const months = explain.getRow(ids.indexOf("socialInsuranceMonths") + 3).values as unknown[];
    expect(months).toContain("人社 human resources and social security");
    expect(months).toContain("month");
  });

  it("filled with 3 applicants, the XLSX template imports the same facts", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await xlsxTemplate(suzhou.facts)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    applicants.forEach((a, k) => {
      const row = sheet.getRow(k + 3);
      row.getCell(1).value = a.ref;
      row.getCell(ids.indexOf("educationLevel") + 2).value = a.educationLevel[0];
      row.getCell(ids.indexOf("birthDate") + 2).value = a.birthDate;
      row.getCell(ids.indexOf("socialInsuranceMonths") + 2).value = a.socialInsuranceMonths;
      row.getCell(ids.indexOf("holdsResidencePermit") + 2).value = a.holdsResidencePermit[0];
      if (a.schoolId) row.getCell(ids.indexOf("schoolId") + 2).value = a.schoolId;
      row.commit();
    });
    const filled = Buffer.from(await workbook.xlsx.writeBuffer());
    expect(await importBytes("xlsx", filled)).toEqual(expected);
  });

  it("filled with 3 applicants, the CSV template imports the same facts", async () => {
    const header = csvTemplate(suzhou.facts);
    expect(header.startsWith("\uFEFF申请编号,出生日期,最高学历")).toBe(true);
    const lines = applicants.map((a) => {
      const cells = ["", ...ids.map(() => "")];
      cells[0] = a.ref;
      cells[ids.indexOf("educationLevel") + 1] = a.educationLevel[0] as string;
      const d = a.birthDate;
      cells[ids.indexOf("birthDate") + 1] = `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
      cells[ids.indexOf("socialInsuranceMonths") + 1] = String(a.socialInsuranceMonths);
      cells[ids.indexOf("holdsResidencePermit") + 1] = a.holdsResidencePermit[0] as string;
      cells[ids.indexOf("schoolId") + 1] = a.schoolId;
      return cells.join(",");
    });
    expect(await importBytes("csv", Buffer.from(header + lines.join("\n") + "\n"))).toEqual(expected);
  });
});
