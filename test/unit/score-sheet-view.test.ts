/**
 * The shared score-sheet component, rendered to HTML from real score sheets of the example standards: the explanation
 * a policy officer reads (choose-one groups, records outside the lookback, the total floor, vesting) in both languages.
 */
import { readFileSync } from "node:fs";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { scoreApplicant } from "../../engine/scoring/reference";
import type { StandardDocument, TestCase } from "../../rules-schema/types";
import { ScoreSheetView } from "../../app/features/score-sheet/ScoreSheetView";
import type { Lang } from "../../app/features/read-view/describe";

const shanghai = JSON.parse(readFileSync(new URL("../../rules-schema/examples/shanghai-2015.json", import.meta.url), "utf8")) as StandardDocument;

function testCase(id: string): TestCase {
  const found = shanghai.testCases?.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no test case ${id}`);
  return found;
}

async function render(id: string, lang: Lang): Promise<{ html: string; text: string; total: number }> {
  const tc = testCase(id);
  const sheet = await scoreApplicant(shanghai, tc.facts, tc.program, tc.date);
  const html = renderToStaticMarkup(createElement(ScoreSheetView, { sheet, doc: shanghai, lang, facts: tc.facts }));
  return { html, text: html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " "), total: sheet.total };
}

describe("ScoreSheetView", () => {
  it("shows the total the engine computed and one row per item", async () => {
    const { html, total } = await render("tc04_title_chosen_over_education", "zh-CN");
    expect(total).toBe(testCase("tc04_title_chosen_over_education").expect.total);
    expect(html).toContain(`data-testid="total">${total}<`);
    for (const item of shanghai.items) expect(html).toContain(`data-item="${item.id}"`);
  });

  it("explains the choose-one group: the member not chosen says which one counted", async () => {
    const zh = await render("tc04_title_chosen_over_education", "zh-CN");
    expect(zh.text).toMatch(/只取一项（教育背景与职称技能只取一项）：已计入“[^”]+”，本项不计。/);
    const en = await render("tc04_title_chosen_over_education", "en");
    expect(en.text).toMatch(/Choose one \(education or title\/skill: one only\): “[^”]+” counts instead, so this item counts 0\./);
  });

  it("explains deductions record by record, the lookback, and the total floor", async () => {
    const zh = await render("tc09_deductions_windows_and_floor", "zh-CN");
    expect(zh.total).toBe(0);
    expect(zh.text).toContain("不计：不在近3年内");
    expect(zh.text).toMatch(/计入 −150分/);
    expect(zh.text).toContain("总分下限");
    const en = await render("tc09_deductions_windows_and_floor", "en");
    expect(en.text).toContain("not counted: not within the last 3 years");
    expect(en.text).toContain("Total floor");
  });

  it("explains vesting not yet reached", async () => {
    const { text } = await render("tc07_vesting_not_yet_and_caps", "zh-CN");
    expect(text).toMatch(/未满 5年，暂不计分/);
  });

  it("shows a failed gate with its reason and a triggered veto", async () => {
    const gate = await render("tc12_gate_no_insurance", "zh-CN");
    expect(gate.text).toContain("不符合准入条件");
    const reason = shanghai.gates!.find((g) => g.condition && JSON.stringify(g.condition).includes("siActive"))!.reason.zh;
    expect(gate.text).toContain(reason);
    const veto = await render("tc10_veto_serious_crime", "en");
    expect(veto.text).toContain("Vetoed");
    expect(veto.text).toContain("triggered");
  });
});
