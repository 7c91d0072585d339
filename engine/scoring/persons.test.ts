/**
 * Issue 20, persons (decision 028): whose points count, why, and what the other candidate scored — on the Suzhou
 * 2015 spouse rule (办法 第七条), through the reference sheet, the compiled score and a columnar cohort.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applicationFacts } from "../../rules-schema/persons";
import type { StandardDocument } from "../../rules-schema/types";
import { cohortFromRows } from "../cohorts/cohort";
import { bindColumnar } from "./columnar";
import { compileProgram } from "./compiled";
import { scoreApplicant } from "./reference";

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const caseFacts = (id: string) => suzhou.testCases!.find((testCase) => testCase.id === id)!.facts;
const DATE = "2016-05-15";

describe("a program that scores both spouses", () => {
  it("explains that the spouse's points count because they are higher, and shows the applicant's total", async () => {
    const sheet = await scoreApplicant(suzhou, caseFacts("tc11_spouse_higher_counts"), "school", DATE);
    expect(sheet.persons).toEqual({
      scored: "spouse",
      reason: "higher",
      candidates: [
        { person: "applicant", eligible: true, vetoed: false, total: 270 },
        { person: "spouse", eligible: true, vetoed: false, total: 645 },
      ],
    });
    expect(sheet.total).toBe(645);
    // The sheet's figures are the spouse's own: registered 2011-09-01, four full years.
    expect(sheet.derived.residenceYears).toBe(4);
  });

  it("takes the only qualifying spouse, however many points the other has", async () => {
    const sheet = await scoreApplicant(suzhou, caseFacts("tc12_only_qualifying_spouse_counts"), "school", DATE);
    expect(sheet.persons).toMatchObject({ scored: "applicant", reason: "only" });
    expect(sheet.persons?.candidates[1]).toMatchObject({ person: "spouse", eligible: false, total: 645 });
    expect(compileProgram(suzhou, "school").score(caseFacts("tc12_only_qualifying_spouse_counts"), DATE)).toMatchObject({
      total: 270,
      scoredPerson: 0,
      otherTotal: NaN,
    });
  });

  it("on equal totals takes the first listed and reports the tie", async () => {
    const facts = { ...caseFacts("tc11_spouse_higher_counts") };
    for (const key of Object.keys(facts)) if (key.startsWith("spouse.")) facts[key.slice("spouse.".length)] = facts[key];
    const sheet = await scoreApplicant(suzhou, facts, "school", DATE);
    expect(sheet.persons).toMatchObject({ scored: "applicant", reason: "tieFirst" });
    expect(compileProgram(suzhou, "school").score(facts, DATE)).toMatchObject({ total: 645, scoredPerson: 0, otherTotal: 645 });
  });

  it("when nobody qualifies, shows the applicant's refusal", async () => {
    const facts = { ...caseFacts("tc12_only_qualifying_spouse_counts"), socialInsuranceActive: false };
    const sheet = await scoreApplicant(suzhou, facts, "school", DATE);
    expect(sheet.eligible).toBe(false);
    expect(sheet.persons).toMatchObject({ scored: "applicant", reason: "none" });
    expect(sheet.gates.find((gate) => !gate.passed)?.id).toBe("g_social_insurance");
  });

  it("leaves a program that scores the applicant alone exactly as before (no persons in its sheet or score)", async () => {
    const facts = caseFacts("tc11_spouse_higher_counts");
    const sheet = await scoreApplicant(suzhou, facts, "settlement", DATE);
    expect(sheet.persons).toBeUndefined();
    expect(sheet.total).toBe(270);
    expect(compileProgram(suzhou, "settlement").score(facts, DATE)).not.toHaveProperty("scoredPerson");
  });

  it("reads each spouse from his own columns of a cohort, with the same choice", () => {
    const rows = [caseFacts("tc11_spouse_higher_counts"), caseFacts("tc12_only_qualifying_spouse_counts")];
    const cohort = cohortFromRows(applicationFacts(suzhou), ["F1", "F2"], rows);
    const program = bindColumnar(suzhou, "school", cohort, DATE);
    expect(program.mode).toBe("columns");
    expect(program.compact(0)).toMatchObject({ total: 645, scoredPerson: 1, otherTotal: 270 });
    expect(program.compact(1)).toMatchObject({ total: 270, scoredPerson: 0, otherTotal: NaN });
  });
});
