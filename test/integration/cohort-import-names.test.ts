/**
 * Issue 23: a departments' file may carry the applicants' names (姓名), for the public notice; a name is stored only
 * masked (张*), from CSV, JSON Lines and a mapped column alike, and the full name is nowhere in the database.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { importCohort } from "../../db/cohort-import";
import { listApplicants, maskName } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import type { StandardDocument } from "../../rules-schema/types";

const suzhou = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
const base = { name: "2019 applicants", standardId: null, facts: suzhou.facts, createdBy: null } as const;
const input = (text: string) => Readable.from([Buffer.from(text)]);

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

describe("names in a cohort file", () => {
  it("reads a 姓名 column and keeps only its masked form", async () => {
    const csv = ["申请编号,姓名,身份证号,socialInsuranceMonths", "A1,张三,320102199001011234,12", "A2,欧阳娜娜,,7", "A3,,,5"].join("\n");
    const result = await importCohort(db, { ...base, format: "csv", input: input(csv) });
    expect(result).toMatchObject({ ok: true, rowCount: 3 });
    const rows = listApplicants(db, (result as { cohortId: number }).cohortId);
    expect(rows.map((r) => r.nameMasked)).toEqual(["张*", "欧***", null]);
    expect(rows[0].facts).toEqual({ socialInsuranceMonths: 12 });
    const stored = JSON.stringify(db.$client.prepare("select * from cohort_applicants").all());
    expect(stored).not.toContain("张三");
    expect(stored).not.toContain("娜娜");
  });

  it("reads a mapped name column and a name in JSON Lines", async () => {
    const mapped = await importCohort(db, { ...base, format: "csv", input: input("ref,申请人,months\nB1,李四,3\n"), mapping: { ref: "id", 申请人: "name", months: "socialInsuranceMonths" } });
    expect(listApplicants(db, (mapped as { cohortId: number }).cohortId)[0]).toMatchObject({ applicantRef: "B1", nameMasked: "李*" });
    const lines = await importCohort(db, { ...base, format: "jsonl", input: input('{"id":"J1","name":"王五","socialInsuranceMonths":5}\n{"id":"J2","facts":{"socialInsuranceMonths":6}}\n') });
    expect(listApplicants(db, (lines as { cohortId: number }).cohortId).map((r) => r.nameMasked)).toEqual(["王*", null]);
  });
});

describe("maskName", () => {
  it("keeps a name's first character", () => {
    expect(maskName("张三")).toBe("张*");
    expect(maskName("欧阳娜娜")).toBe("欧***");
    expect(maskName("李")).toBe("李*");
  });
});
