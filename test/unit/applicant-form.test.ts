/** The try-an-applicant form: submitted strings back to typed facts, with an error per field in both languages. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { formValuesOf, parseApplicantForm } from "../../app/features/try-applicant/applicant-form";

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;

describe("parseApplicantForm", () => {
  it("types numbers, booleans, dates, enums and record rows; blanks are not given", () => {
    const parsed = parseApplicantForm(
      suzhou,
      [
        ["program", "settlement"],
        ["date", "2016-05-15"],
        ["fact:socialInsuranceMonths", " 80 "],
        ["fact:perCapitaHousingAreaM2", "25.5"],
        ["fact:holdsResidencePermit", "true"],
        ["fact:livesInOwnedHome", "false"],
        ["fact:educationLevel", "master"],
        ["fact:birthDate", "1985-06-01"],
        ["fact:housingFundMonths", ""],
        ["rec:homes:a:areaM2", "90"],
        ["rec:homes:a:owner", "self"],
        ["rec:homes:a:inUrbanDistrict", "true"],
        ["rec:homes:b:areaM2", ""],
        ["rec:homes:b:owner", ""],
        ["rec:homes:b:inUrbanDistrict", ""],
      ],
      "zh-CN",
    );
    expect(parsed.errors).toEqual({});
    expect(parsed.program).toBe("settlement");
    expect(parsed.date).toBe("2016-05-15");
    expect(parsed.facts).toEqual({
      socialInsuranceMonths: 80,
      perCapitaHousingAreaM2: 25.5,
      holdsResidencePermit: true,
      livesInOwnedHome: false,
      educationLevel: "master",
      birthDate: "1985-06-01",
      homes: [{ areaM2: 90, owner: "self", inUrbanDistrict: true }],
    });
    expect(parsed.rowKeys).toEqual({ homes: ["a", "b"] });
  });

  it("gives each bad field its own message and keeps the submitted text", () => {
    const entries: Array<[string, string]> = [
      ["program", "nope"],
      ["date", ""],
      ["fact:socialInsuranceMonths", "八十"],
      ["fact:housingFundMonths", "2.5"],
      ["fact:perCapitaHousingAreaM2", "-1"],
      ["fact:birthDate", "1985-02-30"],
      ["fact:educationLevel", "phd"],
      ["rec:fraudFindings:x:decisionDate", "yesterday"],
    ];
    const zh = parseApplicantForm(suzhou, entries, "zh-CN");
    expect(zh.errors).toEqual({
      program: "请选择积分项目。",
      date: "请填写评估日期。",
      "fact:socialInsuranceMonths": "请输入数字（如 12 或 3.5）。",
      "fact:housingFundMonths": "请输入整数。",
      "fact:perCapitaHousingAreaM2": "不能小于 0。",
      "fact:birthDate": "请输入有效日期（年-月-日）。",
      "fact:educationLevel": "请从列表中选择。",
      "rec:fraudFindings:x:decisionDate": "请输入有效日期（年-月-日）。",
    });
    expect(zh.values["fact:socialInsuranceMonths"]).toBe("八十");
    const en = parseApplicantForm(suzhou, entries, "en");
    expect(en.errors["fact:socialInsuranceMonths"]).toBe("Enter a number (such as 12 or 3.5).");
    expect(en.errors.date).toBe("Enter the evaluation date.");
  });

  it("round-trips a test case's applicant through the form", () => {
    for (const testCase of suzhou.testCases ?? []) {
      const { values } = formValuesOf(suzhou, testCase.facts, testCase.program, testCase.date);
      const parsed = parseApplicantForm(suzhou, Object.entries(values), "en");
      expect(parsed.errors).toEqual({});
      for (const [id, value] of Object.entries(testCase.facts)) {
        if (Array.isArray(value) && value.length === 0) continue;
        expect(parsed.facts[id], `${testCase.id} ${id}`).toEqual(value);
      }
    }
  });
});
