import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { applicantGenerator, generateApplicants, generateCohort, generateCohortColumns } from "./cohort-generate";
import { cohortRowReader } from "./cohort";
import { dayNumber, parseIsoDate } from "../scoring/dates";

const suzhou = JSON.parse(
  readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8"),
) as StandardDocument;
const REFERENCE = "2016-05-01";

describe("generateCohort", () => {
  it("is reproducible: the same seed gives byte-identical output, another seed another cohort", () => {
    const a = JSON.stringify(generateCohort(suzhou, 300, 7, { referenceDate: REFERENCE }));
    const b = JSON.stringify(generateCohort(suzhou, 300, 7, { referenceDate: REFERENCE }));
    const c = JSON.stringify(generateCohort(suzhou, 300, 8, { referenceDate: REFERENCE }));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(JSON.stringify(generateCohort(suzhou, 300, "7", { referenceDate: REFERENCE }))).toBe(a);
  });

  it("gives row i the same facts whatever the cohort size, and the same through every variant", () => {
    const small = generateCohort(suzhou, 10, "s", { referenceDate: REFERENCE });
    const large = generateCohort(suzhou, 200, "s", { referenceDate: REFERENCE });
    expect(large.slice(0, 10)).toEqual(small);
    const streamed = [...generateApplicants(suzhou, 10, "s", { referenceDate: REFERENCE })];
    expect(streamed.map((a) => a.facts)).toEqual(small);
    expect(streamed[0].id < streamed[1].id).toBe(true);
    const columns = generateCohortColumns(suzhou, 10, "s", { referenceDate: REFERENCE });
    const read = cohortRowReader(columns);
    for (let i = 0; i < 10; i++) {
      const row = Object.fromEntries(Object.entries(read(i)).filter(([, v]) => v !== undefined));
      expect(row).toEqual(small[i]);
    }
  });

  it("declares only values the dictionary allows", () => {
    const rows = generateCohort(suzhou, 150, 1, { referenceDate: REFERENCE });
    for (const definition of suzhou.facts) {
      for (const row of rows) {
        const value = row[definition.id];
        if (value === undefined) continue;
        if (definition.type === "enum") expect(definition.values!.map((v) => v.value)).toContain(value);
        if (definition.type === "integer") expect(Number.isInteger(value)).toBe(true);
        if (definition.type === "boolean") expect(typeof value).toBe("boolean");
        if (definition.type === "date") expect(parseIsoDate(value)).toBeDefined();
        if (definition.type === "records") expect(Array.isArray(value)).toBe(true);
        if (typeof value === "number" && definition.minimum !== undefined) expect(value).toBeGreaterThanOrEqual(definition.minimum);
        if (typeof value === "number" && definition.maximum !== undefined) expect(value).toBeLessThanOrEqual(definition.maximum);
      }
    }
  });

  it("looks like a population: low education most common, few offence records, adult ages, dates before the reference day", () => {
    const rows = generateCohort(suzhou, 4000, "shape", { referenceDate: REFERENCE });
    const education = suzhou.facts.find((f) => f.id === "educationLevel")!.values!.map((v) => v.value);
    const counts = education.map((level) => rows.filter((r) => r.educationLevel === level).length);
    expect(counts[0]).toBe(Math.max(...counts));
    expect(counts[0]).toBeGreaterThan(counts[counts.length - 1] * 5);
    const withFraud = rows.filter((r) => (r.fraudFindings as unknown[]).length > 0).length / rows.length;
    expect(withFraud).toBeGreaterThan(0.005);
    expect(withFraud).toBeLessThan(0.1);
    const reference = dayNumber(parseIsoDate(REFERENCE)!);
    for (const row of rows.slice(0, 500)) {
      const birth = dayNumber(parseIsoDate(row.birthDate)!);
      const age = (reference - birth) / 365.25;
      expect(age).toBeGreaterThanOrEqual(20);
      expect(age).toBeLessThanOrEqual(56);
      expect(dayNumber(parseIsoDate(row.residenceRegistrationDate)!)).toBeLessThan(reference);
    }
    const insuranceMonths = rows.map((r) => r.socialInsuranceMonths as number).sort((a, b) => a - b);
    const median = insuranceMonths[insuranceMonths.length >> 1];
    const max = insuranceMonths[insuranceMonths.length - 1];
    expect(median).toBeLessThan(max / 3);
  });

  it("spreads applicants over several pools", () => {
    const rows = generateCohort(suzhou, 2000, 3, { referenceDate: REFERENCE });
    const pools = new Set(rows.map((r) => r.schoolId));
    expect(pools.size).toBeGreaterThanOrEqual(5);
  });

  it("refuses a reference date that is not a date", () => {
    expect(() => applicantGenerator(suzhou, 1, { referenceDate: "01/05/2016" })).toThrow(/YYYY-MM-DD/);
  });
});
