/**
 * Issue 20, persons (decision 028) in the officer's words: the official table says whose points a program counts
 * and which items count once per household; the score sheet says whose points were used, why, and the other
 * spouse's total, in both languages (Suzhou 2015, 办法 第七条).
 */
import { readFileSync } from "node:fs";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { scoreApplicant } from "../../engine/scoring/reference";
import type { StandardDocument } from "../../rules-schema/types";
import { ScoreSheetView } from "../../app/features/score-sheet/ScoreSheetView";
import { describeItemNotes, describePersons, describeRankKey, type Lang } from "../../app/features/read-view/describe";

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const school = suzhou.programs.find((program) => program.id === "school")!;

async function sheetText(caseId: string, lang: Lang): Promise<string> {
  const tc = suzhou.testCases!.find((candidate) => candidate.id === caseId)!;
  const sheet = await scoreApplicant(suzhou, tc.facts, tc.program, tc.date);
  const html = renderToStaticMarkup(createElement(ScoreSheetView, { sheet, doc: suzhou, lang, facts: tc.facts }));
  return html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

describe("persons in the official table", () => {
  it("states whose points the school program counts", () => {
    expect(describePersons({ doc: suzhou, lang: "zh-CN" }, school.persons!)).toBe(
      "申请人、配偶分别计分，取符合条件者中总分最高的一方（就高不就低）；总分相同时取申请人。标明“每户计一次”的指标只计一次。",
    );
    expect(describePersons({ doc: suzhou, lang: "en" }, school.persons!)).toBe(
      'Each of the applicant and the spouse is scored on their own facts; the highest total among those who meet the conditions counts (the higher counts); on equal totals, the applicant\'s. Items marked "once per household" count once.',
    );
  });

  it("names the other spouse's total as a tie-break, and the household items", () => {
    const key = { key: "otherCandidate" as const, order: "desc" as const };
    expect(describeRankKey({ doc: suzhou, lang: "zh-CN" }, key)).toBe("另一方总分高者优先");
    expect(describeRankKey({ doc: suzhou, lang: "en" }, key)).toBe("higher total of the other person first");
    const property = suzhou.items.find((item) => item.id === "property")!;
    expect(describeItemNotes({ doc: suzhou, lang: "zh-CN" }, property)).toContain("每户计一次，不论以谁的积分计算");
    expect(describeItemNotes({ doc: suzhou, lang: "en" }, property)).toContain("counted once per household, whoever is scored");
  });
});

describe("persons on the score sheet", () => {
  it("says the spouse's points count because they are higher, with both totals", async () => {
    const zh = await sheetText("tc11_spouse_higher_counts", "zh-CN");
    expect(zh).toContain("以谁的积分");
    expect(zh).toContain("按配偶的积分计算：符合条件者中总分最高（就高不就低）。");
    expect(zh).toMatch(/申请人 270 符合准入条件 配偶 645 符合准入条件；计入/);
    const en = await sheetText("tc11_spouse_higher_counts", "en");
    expect(en).toContain("Points of: Spouse, the highest total of those who meet the conditions (the higher counts).");
    expect(en).toMatch(/Applicant 270 Eligible Spouse 645 Eligible; counts/);
  });

  it("says only the applicant qualifies when the spouse does not", async () => {
    const zh = await sheetText("tc12_only_qualifying_spouse_counts", "zh-CN");
    expect(zh).toContain("按申请人的积分计算：只有申请人符合条件。");
    // A person who fails a condition of application has no score (issue 20; decision 047), only the verdict.
    expect(zh).toMatch(/配偶 不计分 不符合准入条件/);
    expect(zh).not.toContain("645");
  });
});
