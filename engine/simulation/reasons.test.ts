/**
 * Issue 22: in a what-if, every applicant who entered or left gets a sentence saying why, in both languages: own items
 * changed (which, by how much), displaced by others (how many, by which items), or newly ineligible/eligible and why.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { generateCohort, generatedId } from "../cohorts/cohort-generate";
import { OUTCOME } from "../allocation/rank";
import { ChangeReasons, conditionsFromFacts } from "./reasons";
import { simulate } from "./simulate";

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const DATE = "2016-05-01";

/** Education's tiers worth double; the social-insurance gate now asks for more (so some admitted become ineligible). */
function revised(): StandardDocument {
  const candidate = structuredClone(suzhou);
  const education = candidate.items.find((item) => item.id === "education")!;
  if (education.scoring.kind === "tiers") for (const tier of education.scoring.tiers) tier.points *= 2;
  return candidate;
}

function run(candidate: StandardDocument, programId: string, quotas: Record<string, number>, size = 400) {
  const rows = generateCohort(suzhou, size, "reasons", { referenceDate: DATE });
  const ids = rows.map((_, i) => generatedId(i));
  const result = simulate({ baseline: suzhou, candidate, programId, cohort: { ids, rows }, quotas, date: DATE });
  const reasons = new ChangeReasons(result, suzhou, candidate, conditionsFromFacts(suzhou, candidate, programId, DATE, (row) => rows[row]));
  return { result, reasons, index: new Map(ids.map((id, i) => [id, i])) };
}

const itemIds = new Set(suzhou.items.map((item) => item.id).filter((id) => /[_A-Z]/.test(id)));

describe("reasons of who entered and who left", () => {
  it("a sentence for every entered and left applicant of a small cohort, in words, both languages", () => {
    const { result, reasons, index } = run(revised(), "settlement", { "*": 40 });
    const moved = [...result.summary.entered, ...result.summary.left];
    expect(result.summary.entered.length).toBeGreaterThan(0);
    expect(result.summary.left.length).toBeGreaterThan(0);
    const kinds = new Set<string>();
    for (const id of moved) {
      const i = index.get(id)!;
      const reason = reasons.reasonOf(i);
      expect(reason, id).toBeDefined();
      kinds.add(reason!.kind);
      const entered = result.summary.entered.includes(id);
      expect(reason!.text.zh).toMatch(entered ? /新进入录取$/ : /(被挤出|不再录取)$/);
      expect(reason!.text.en).toMatch(entered ? /entered$/ : /left$/);
      for (const itemId of itemIds) expect(reason!.text.zh + reason!.text.en).not.toContain(itemId);
      if (reason!.kind === "ownItems") {
        // Which items changed and by how much: education doubled.
        expect(reason!.text.zh).toMatch(/本人指标变化：文化程度 \+\d+分/);
        expect(reason!.text.en).toMatch(/own items changed: education \+\d+ points/);
      }
      if (reason!.kind === "displaced") {
        expect(reason!.others).toBeGreaterThan(0);
        expect(reason!.text.zh).toMatch(entered ? /原排在前面的 \d+ 人名次后移或退出/ : /同一名额池内被 \d+ 人超过（因文化程度）/);
        expect(reason!.text.en).toContain(entered ? "fell behind or out" : "overtaken by");
        expect(reason!.text.zh).toContain("本人得分未变");
      }
    }
    // This revision moves people both ways: by their own points and by others'.
    expect(kinds.has("ownItems")).toBe(true);
    expect(kinds.has("displaced")).toBe(true);
    // Applicants whose admission did not change have no reason.
    const unchanged = result.columns.ids.length - moved.length;
    expect(unchanged).toBeGreaterThan(0);
    const still = Array.from(result.columns.ids).find((id) => !moved.includes(id))!;
    expect(reasons.reasonOf(index.get(still)!)).toBeUndefined();
  });

  it("newly ineligible: names the condition by label", () => {
    const candidate = revised();
    const gate = candidate.gates!.find((g) => g.id === "g_continuous_residence")!;
    // The revision asks for more years of continuous residence than many of the cohort have.
    const condition = gate.condition as { fact: string; operator: string; value: number };
    condition.value = (condition.value as number) + 2;
    const { result, reasons, index } = run(candidate, "settlement", { "*": 40 });
    const newlyIneligible = result.summary.left.filter((id) => result.columns.outcomeAfter[index.get(id)!] === OUTCOME.ineligible);
    expect(newlyIneligible.length).toBeGreaterThan(0);
    for (const id of newlyIneligible) {
      const reason = reasons.reasonOf(index.get(id)!)!;
      expect(reason.kind).toBe("eligibility");
      expect(reason.text.zh).toContain(`修订后不符合准入条件（“${gate.label.zh}”）`);
      expect(reason.text.en).toContain(`not eligible after the revision (“${gate.label.en}”)`);
    }
  });
});
