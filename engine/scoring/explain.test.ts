/**
 * Issue 22: every example standard's test cases explained in both languages — the arithmetic line of every accrual,
 * linear and per-record item ends in the item's points, the verdict has no total for the ineligible and the vetoed,
 * and the rendered sheet names labels, never ids.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { describeValue, pointsText, type Lang } from "./describe";
import { explainScore } from "./explain";
import { scoreApplicant } from "./reference";
import { verdictOf } from "./testcases";
import { sheetHtml, sheetMarkdown, sheetText } from "../../cli/score-sheet";

const examplesDir = join(import.meta.dirname, "../../rules-schema/examples");
const examples = readdirSync(examplesDir)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({ name, doc: JSON.parse(readFileSync(join(examplesDir, name), "utf8")) as StandardDocument }));

/** Ids that cannot be mistaken for words of a label: with an underscore, a capital or a digit. */
function telltaleIds(doc: StandardDocument): string[] {
  const ids = [
    ...doc.items.map((item) => item.id),
    ...(doc.gates ?? []).map((gate) => gate.id),
    ...(doc.vetoes ?? []).map((veto) => veto.id),
    ...doc.facts.map((fact) => fact.id),
    ...doc.programs.map((program) => program.id),
  ];
  return [...new Set(ids)].filter((id) => /[_A-Z0-9]/.test(id));
}

const LANGS: Array<{ lang: Lang; key: "zh" | "en" }> = [
  { lang: "zh-CN", key: "zh" },
  { lang: "en", key: "en" },
];

describe.each(examples)("explanations of $name", ({ doc }) => {
  it("every test case, both languages: arithmetic, verdict, labels", async () => {
    expect(doc.testCases?.length ?? 0).toBeGreaterThan(0);
    const ids = telltaleIds(doc);
    let arithmeticChecked = 0;
    for (const testCase of doc.testCases ?? []) {
      const sheet = await scoreApplicant(doc, testCase.facts, testCase.program, testCase.date);
      const explanation = explainScore(doc, sheet);
      const verdict = verdictOf(doc, testCase.program, sheet);
      expect(explanation.verdict.kind, testCase.id).toBe(verdict);
      const noScore = verdict === "vetoed" || verdict === "ineligible";
      expect(explanation.total, testCase.id).toBe(noScore ? null : sheet.total);
      if (testCase.expect.total === null) expect(explanation.total, testCase.id).toBeNull();
      for (const { lang, key } of LANGS) {
        const verdictText = explanation.verdict.text[key];
        if (noScore) {
          expect(verdictText, testCase.id).toContain(key === "en" ? "no score" : "不计分");
          const failed = verdict === "vetoed" ? explanation.vetoes.filter((rule) => !rule.ok) : explanation.gates.filter((rule) => !rule.ok);
          expect(failed.length, testCase.id).toBeGreaterThan(0);
          for (const rule of failed) expect(verdictText).toContain(rule.label[key]);
        } else {
          expect(verdictText, testCase.id).toContain(pointsText(lang, sheet.total));
        }
        sheet.items.forEach((outcome, index) => {
          const item = doc.items.find((candidate) => candidate.id === outcome.id);
          const explained = explanation.items[index];
          expect(explained.label[key]).toBe(item?.label[key]);
          const e = outcome.explanation;
          const kind = item?.scoring.kind;
          if (!item || e.notApplicable || (e.when && !e.when.result)) return;
          if (kind !== "accrual" && kind !== "linear" && kind !== "perRecord") return;
          const lines = explained.arithmetic.map((text) => text[key]);
          const raw = e.rawPoints ?? 0;
          // The line that computes the item's own points names them, with the value read and its unit.
          expect(lines.some((line) => line.includes(pointsText(lang, raw))), `${testCase.id} ${outcome.id} ${key}: ${lines.join(" / ")}`).toBe(true);
          if (kind !== "perRecord" && typeof e.input === "number") {
            const input = describeValue({ doc, lang }, (item.scoring as { fact: string }).fact, e.input);
            expect(lines[0].startsWith(input), `${testCase.id} ${outcome.id}: ${lines[0]}`).toBe(true);
            if (raw !== 0) expect(lines.join(" ")).toMatch(/×/);
          }
          if (e.cappedFrom !== undefined) {
            const limits = explained.limits.map((text) => text[key]).join(" ");
            expect(limits, `${testCase.id} ${outcome.id}`).toContain(pointsText(lang, e.cappedFrom - outcome.points));
          }
          arithmeticChecked++;
        });
        for (const rendered of [sheetText(explanation, lang), sheetMarkdown(explanation, lang), sheetHtml(explanation, lang)]) {
          for (const id of ids) expect(rendered, `${testCase.id}: id ${id} shown`).not.toMatch(new RegExp(`(^|[^A-Za-z0-9_])${id}([^A-Za-z0-9_]|$)`));
          if (noScore) expect(rendered).not.toMatch(key === "en" ? /\nTotal\s/ : /\n总分\s/);
          else expect(rendered).toContain(key === "en" ? "Total" : "总分");
        }
      }
    }
    expect(arithmeticChecked).toBeGreaterThan(0);
  });
});
