/**
 * The self-estimate's questionnaire (issue 23, part 1): only the facts the chosen program reads, grouped as the
 * official table groups them; a section per person where a program scores a family, the spouse's only when the
 * applicant says married; and the per-address limit's bucket.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { documentForPersons, questionnaire } from "../../app/features/self-estimate/questionnaire";
import { estimate } from "../../app/features/self-estimate/estimate.server";
import { estimateRateConfig } from "../../app/features/self-estimate/rate-limit.server";
import { waitWords } from "../../app/features/self-estimate/messages";
import { TokenBucketLimiter } from "../../app/api/rate-limit.server";
import { whatItTakes } from "../../engine/levers/what-it-takes";

const example = (name: string) => JSON.parse(readFileSync(new URL(`../../rules-schema/examples/${name}.json`, import.meta.url), "utf8")) as StandardDocument;
const suzhou = example("suzhou-2015");
const hangzhou = example("hangzhou-2018");
const ids = (facts: Array<{ id: string }>) => facts.map((fact) => fact.id);

describe("questionnaire", () => {
  it("asks a one-person program's facts by group: conditions first, then each category, then vetoes; nothing used only for ranking", () => {
    const asked = questionnaire(suzhou, "settlement");
    expect(asked.persons).toEqual([]);
    expect(asked.groups.map((group) => group.label.zh)).toEqual(["申请条件", "基础分", "附加分", "一票否决事项"]);
    expect(ids(asked.groups[1].facts)).toEqual(expect.arrayContaining(["birthDate", "educationLevel", "socialInsuranceMonths", "homes"]));
    expect(ids(asked.groups[2].facts)).toEqual(["familyPlanningCompliant"]);
    const all = asked.groups.flatMap((group) => ids(group.facts));
    expect(new Set(all).size).toBe(all.length);
    // The school's id sorts a school program's pools; settlement never reads it.
    expect(all).not.toContain("schoolId");
  });

  it("gives a family program a section per person, the spouse's optional and under the spouse's names", () => {
    const asked = questionnaire(suzhou, "school");
    expect(asked.persons.map((section) => [section.person, section.optional])).toEqual([
      ["applicant", false],
      ["spouse", true],
    ]);
    const spouseFacts = asked.persons[1].groups.flatMap((group) => ids(group.facts));
    expect(spouseFacts).toContain("spouse.educationLevel");
    expect(spouseFacts.every((id) => id.startsWith("spouse."))).toBe(true);
    // The application's own facts (the home) are asked once, outside the persons.
    expect(asked.groups.flatMap((group) => ids(group.facts))).toContain("homes");
  });

  it("always asks the first parent where the child is scored on a parent's points (Hangzhou, minors)", () => {
    const asked = questionnaire(hangzhou, "settlement_minor");
    expect(asked.persons.map((section) => [section.person, section.optional])).toEqual([
      ["father", false],
      ["mother", true],
    ]);
  });

  it("scores an unmarried applicant alone and a married one against the spouse", () => {
    expect(documentForPersons(suzhou, "school", ["applicant"]).programs.find((p) => p.id === "school")?.persons).toBeUndefined();
    expect(documentForPersons(suzhou, "school", ["applicant", "spouse"]).programs.find((p) => p.id === "school")?.persons?.candidates).toEqual(["applicant", "spouse"]);
  });
});

describe("estimate", () => {
  const answers: Array<[string, string]> = [
    ["program", "school"],
    ["fact:socialInsuranceActive", "true"],
    ["fact:holdsResidencePermit", "true"],
    ["fact:residenceRegistrationDate", "2020-01-01"],
    ["fact:socialInsuranceMonths", "24"],
    ["fact:spouse.socialInsuranceActive", "true"],
    ["fact:spouse.holdsResidencePermit", "true"],
    ["fact:spouse.residenceRegistrationDate", "2020-01-01"],
    ["fact:spouse.educationLevel", "master"],
  ];

  it("ignores the spouse's answers unless the applicant says married, and counts on the app's date, not one sent", async () => {
    const single = await estimate(suzhou, [...answers, ["date", "2000-01-01"]], "2026-06-30", "en", true);
    expect(single.errors).toEqual({});
    expect(single.sheet?.date).toBe("2026-06-30");
    expect(single.sheet?.persons).toBeUndefined();
    const married = await estimate(suzhou, [...answers, ["person:spouse", "yes"]], "2026-06-30", "en", true);
    expect(married.sheet?.persons?.scored).toBe("spouse");
    expect(married.sheet!.total).toBeGreaterThan(single.sheet!.total);
  });

  it("locates text in a number field, a negative count and an impossible date, in the applicant's language", async () => {
    const outcome = await estimate(
      suzhou,
      [
        ["program", "settlement"],
        ["fact:socialInsuranceMonths", "abc"],
        ["fact:housingFundMonths", "-1"],
        ["fact:birthDate", "1990-02-30"],
      ],
      "2026-06-30",
      "zh-CN",
      true,
    );
    expect(outcome.sheet).toBeUndefined();
    expect(outcome.errors).toEqual({
      "fact:socialInsuranceMonths": "请输入数字（如 12 或 3.5）。",
      "fact:housingFundMonths": "不能小于 0。",
      "fact:birthDate": "请输入有效日期（年-月-日）。",
    });
  });
});

describe("the limit per address", () => {
  it("reads its rate and burst from the environment, with defaults", () => {
    expect(estimateRateConfig({})).toEqual({ perSecond: 0.5, burst: 60 });
    expect(estimateRateConfig({ ESTIMATE_RATE_PER_MINUTE: "6", ESTIMATE_RATE_BURST: "2" })).toEqual({ perSecond: 0.1, burst: 2 });
    expect(estimateRateConfig({ ESTIMATE_RATE_PER_MINUTE: "-1", ESTIMATE_RATE_BURST: "x" })).toEqual({ perSecond: 0.5, burst: 60 });
  });

  it("says the wait as a person does", () => {
    expect(waitWords(2, "zh-CN")).toBe("2 秒");
    expect(waitWords(1, "en")).toBe("1 second");
    expect(waitWords(61, "en")).toBe("2 minutes");
    expect(waitWords(85_713, "zh-CN")).toBe("24 小时");
  });

  it("refuses an address over its burst until the bucket refills, and forgets the address seen longest ago beyond its bound", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter<string>({ perSecond: 1, burst: 2 }, () => now, 2);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a")).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take("b").allowed).toBe(true);
    now = 1000;
    expect(limiter.take("a").allowed).toBe(true);
    // A third address pushes out "b", the one used longest ago; "a" keeps its (empty) bucket.
    expect(limiter.take("c").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
  });
});

describe("answers no search can step through", () => {
  it("refuses a number beyond the API's bound at its field, and what it would take returns on a huge value", async () => {
    const outcome = await estimate(suzhou, [["program", "settlement"], ["line", "2000"], ["fact:housingFundMonths", "99999999999999999999"]], "2026-06-30", "en", true);
    expect(outcome.errors).toEqual({ "fact:housingFundMonths": "The number is too large: at most 1000000000000 either way." });
    // Past 2^53 a step of one month no longer changes the number: the search must still end.
    const takes = whatItTakes({ doc: suzhou, programId: "settlement", facts: { housingFundMonths: 1e20, socialInsuranceActive: true }, date: "2026-06-30", line: 5000 });
    expect(takes.outcome).toBeDefined();
  });
});
