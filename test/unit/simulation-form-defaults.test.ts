/**
 * Issue 21, part 8: a simulation form that cannot mislead. The facts a program reads (so a cohort lacking one is
 * named), and defaults taken from the cohort: the program it was made for, an evaluation date in its year.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { cohortFromRows } from "../../engine/cohorts/cohort";
import { cohortCarries, factsReadByProgram, missingFacts } from "../../engine/simulation/facts-read";
import { cohortYear, evaluationDateFor, programForCohort } from "../../app/features/simulation/cohort-defaults";

function example(name: string): StandardDocument {
  return JSON.parse(readFileSync(new URL(`../../rules-schema/examples/${name}.json`, import.meta.url), "utf8")) as StandardDocument;
}

const suzhou2015 = example("suzhou-2015");
const suzhou2020 = example("suzhou-2020");
const programs = suzhou2020.programs.map((p) => ({ id: p.id, label: p.label }));

describe("facts a program reads", () => {
  it("follows items, gates, vetoes, pools and ranking keys through computed facts to declared facts", () => {
    const school = factsReadByProgram(suzhou2020, "school").map((f) => f.id);
    expect(school).toContain("schoolId"); // the pools
    expect(school).toContain("residenceRegistrationDate"); // through the computed years of residence, and a tie-break
    expect(school).toContain("socialInsuranceMonthsSuzhou");
    // Items for settlement only are not read for school.
    expect(school).not.toContain("socialInsuranceMonthsNanjing");
    expect(factsReadByProgram(suzhou2020, "settlement").map((f) => f.id)).toContain("socialInsuranceMonthsNanjing");
  });

  it("names, by label, the facts a cohort of the 2015 standard lacks for the 2020 revision", () => {
    const carried = new Set(suzhou2015.facts.map((f) => f.id));
    const missing = missingFacts(suzhou2015, suzhou2020, "school", (id) => carried.has(id));
    expect(missing.map((f) => f.label.zh)).toEqual(["军队退役人员", "户籍在苏州对口扶贫地区", "苏州市城镇职工社会保险缴费月数", "专利"]);
    expect(missing.every((f) => f.readByCandidate && !f.readByBaseline)).toBe(true);
  });

  it("counts a column as carried only when some applicant has a value", () => {
    const cohort = cohortFromRows(suzhou2020.facts, ["a", "b"], [{ militaryVeteran: false }, { patents: [] }]);
    const carries = cohortCarries(cohort);
    expect(carries("militaryVeteran")).toBe(true);
    expect(carries("patents")).toBe(true);
    expect(carries("socialInsuranceMonthsSuzhou")).toBe(false);
  });
});

describe("defaults from the cohort", () => {
  const docs = { baseline: suzhou2015, candidate: suzhou2020 };
  it("takes the program the cohort's name names, whatever the order of the programs", () => {
    expect(programForCohort(programs, { name: "2019年苏州积分入学申请人（模拟数据）", description: null }, docs, () => true)).toBe("school");
    expect(programForCohort(programs, { name: "past applicants", description: "points-based settlement, 2021" }, docs, () => true)).toBe("settlement");
  });

  it("otherwise takes the first program the cohort carries every fact for", () => {
    const lacksNanjing = (id: string) => !id.startsWith("nanjing") && id !== "socialInsuranceMonthsNanjing";
    expect(programForCohort(programs, { name: "苏州 2000 人", description: null }, docs, lacksNanjing)).toBe("school");
    expect(programForCohort(programs, { name: "苏州 2000 人", description: null }, docs, () => false)).toBe("settlement");
  });

  it("reads the cohort's year, not a head count, and dates the evaluation in that year", () => {
    expect(cohortYear({ name: "2019年苏州积分入学申请人", description: null })).toBe(2019);
    expect(cohortYear({ name: "苏州 2000 人", description: null })).toBeUndefined();
    expect(cohortYear({ name: "cohort", description: "2,000 applicants of 2018" })).toBe(2018);
    expect(evaluationDateFor(2019, undefined)).toBe("2019-06-30");
    expect(evaluationDateFor(2019, { ...suzhou2020.programs[0], evaluationCutoff: { date: "2021-08-31" } })).toBe("2019-08-31");
  });
});
