/**
 * Issue 24, part 1: "what it would take", checked against brute force on a small generated cohort of Hangzhou 2018
 * (every value of every fact the applicant can act on, and every pair of them): each proposal reaches the line (as
 * the reference evaluator, the other path, scores it), no value of it can be lowered and still reach it, nothing is
 * proposed for facts the applicant cannot change, and when no proposal is made, none exists.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { generateApplicants } from "../cohorts/cohort-generate";
import { compileProgram } from "../scoring/compiled";
import { scoreApplicant } from "../scoring/reference";
import type { Facts } from "../types";
import { candidateValues, whatItTakes, type Proposal } from "./what-it-takes";
import { describeWhatItTakes } from "./what-it-takes-words";

const original = JSON.parse(readFileSync("rules-schema/examples/hangzhou-2018.json", "utf8")) as StandardDocument;
const ACTIONABLE = ["educationLevel", "bachelorDegree", "pensionInsuranceMonths", "holdsResidencePermit"];
// A bounded range for the months keeps the brute force of pairs small (240 × 6 values).
const doc: StandardDocument = {
  ...original,
  facts: original.facts.map(({ actionable: _, ...f }) => (ACTIONABLE.includes(f.id) ? { ...f, actionable: true, ...(f.id === "pensionInsuranceMonths" ? { maximum: 240 } : {}) } : f)),
};
const DATE = "2018-06-30";
const program = "settlement";
const compiled = compileProgram(doc, program);
const reaches = (facts: Facts, line: number) => {
  const s = compiled.score(facts, DATE);
  return s.eligible && !s.vetoed && s.total >= line;
};
const applicants = [...generateApplicants(doc, 120, 24)].map((a) => ({
  ...a,
  facts: { ...a.facts, pensionInsuranceMonths: Math.min(240, Number(a.facts.pensionInsuranceMonths ?? 0)) },
}));
const totals = applicants.map((a) => compiled.score(a.facts, DATE)).filter((s) => s.eligible && !s.vetoed).map((s) => s.total).sort((a, b) => a - b);
const LINE = totals[Math.floor(totals.length * 0.7)];

function valuesOf(id: string, facts: Facts) {
  return candidateValues(doc, doc.facts.find((f) => f.id === id)!, facts[id]);
}

describe("what it would take", () => {
  it("proposes, for everyone below the line, changes that reach it and cannot be made smaller, or truly none", async () => {
    let proposed = 0;
    let pairs = 0;
    let none = 0;
    for (const { facts } of applicants) {
      const result = whatItTakes({ doc, programId: program, facts, date: DATE, line: LINE, limit: 100 });
      if (reaches(facts, LINE)) {
        expect(result.outcome).toBe("reached");
        continue;
      }
      // Brute force: every single value of every actionable fact.
      const singles = new Map<string, unknown>();
      for (const id of ACTIONABLE) {
        const first = valuesOf(id, facts).find((v) => reaches({ ...facts, [id]: v }, LINE));
        if (first !== undefined) singles.set(id, first);
      }
      if (singles.size > 0) {
        expect(result.outcome).toBe("proposals");
        const proposals = (result as { proposals: Proposal[] }).proposals;
        expect(new Map(proposals.map((p) => [p.changes[0].fact, p.changes[0].to]))).toEqual(singles);
        expect(proposals.every((p) => p.changes.length === 1)).toBe(true);
        proposed++;
      } else {
        // Brute force over every pair of facts and every pair of values.
        const crossing: Array<Record<string, number>> = [];
        for (let i = 0; i < ACTIONABLE.length; i++) {
          for (let j = i + 1; j < ACTIONABLE.length; j++) {
            const [a, b] = [ACTIONABLE[i], ACTIONABLE[j]];
            const [va, vb] = [valuesOf(a, facts), valuesOf(b, facts)];
            va.forEach((x, ia) => vb.forEach((y, ib) => reaches({ ...facts, [a]: x, [b]: y }, LINE) && crossing.push({ [a]: ia, [b]: ib })));
          }
        }
        if (crossing.length === 0) {
          expect(result).toMatchObject({ outcome: "none", reason: "outOfReach" });
          none++;
          continue;
        }
        expect(result.outcome).toBe("proposals");
        const proposals = (result as { proposals: Proposal[] }).proposals;
        expect(proposals.length).toBeGreaterThan(0);
        for (const p of proposals) {
          expect(p.changes).toHaveLength(2);
          const index = Object.fromEntries(p.changes.map((c) => [c.fact, valuesOf(c.fact, facts).indexOf(c.to)]));
          // Minimal: no crossing pair of the same facts is at or below it in both and below in one.
          const dominated = crossing.some(
            (c) => Object.keys(c).join() === Object.keys(index).sort((x, y) => ACTIONABLE.indexOf(x) - ACTIONABLE.indexOf(y)).join() &&
              Object.keys(index).every((k) => c[k] <= index[k]) && Object.keys(index).some((k) => c[k] < index[k]),
          );
          expect(dominated).toBe(false);
        }
        pairs++;
      }
      // Every proposal reaches the line on the other path too, with the total it states.
      if (result.outcome === "proposals") {
        for (const p of result.proposals) {
          const changed = { ...facts, ...Object.fromEntries(p.changes.map((c) => [c.fact, c.to])) };
          const sheet = await scoreApplicant(doc, changed, program, DATE);
          expect(sheet.eligible && !sheet.vetoed).toBe(true);
          expect(sheet.total).toBe(p.total);
          expect(sheet.total).toBeGreaterThanOrEqual(LINE);
          for (const c of p.changes) expect(ACTIONABLE).toContain(c.fact);
        }
      }
    }
    // The cohort exercises each outcome.
    expect(proposed).toBeGreaterThan(5);
    expect(pairs + none).toBeGreaterThan(0);
  });

  it("proposes nothing when the standard marks no fact the applicant can change", () => {
    const below = applicants.find(({ facts }) => !reaches(facts, LINE))!;
    const unmarked = { ...doc, facts: doc.facts.map(({ actionable: _, ...fact }) => fact) };
    expect(whatItTakes({ doc: unmarked, programId: program, facts: below.facts, date: DATE, line: LINE })).toMatchObject({
      outcome: "none",
      reason: "noActionableFacts",
    });
  });

  it("stops at its limit of evaluations and says so, rather than stalling a request", () => {
    const below = applicants.find(({ facts }) => !reaches(facts, LINE))!;
    const result = whatItTakes({ doc, programId: program, facts: below.facts, date: DATE, line: LINE, maxEvaluations: 2 });
    expect(result).toMatchObject({ outcome: "none", reason: "searchLimit" });
    expect(describeWhatItTakes(doc, result, "zh").join("")).toContain("计算上限");
    expect(describeWhatItTakes(doc, result, "en").join("")).toContain("search's limit");
  });

  it("says it in words, in both languages, with labels rather than ids", () => {
    const facts = { ...applicants.find(({ facts }) => !reaches(facts, LINE))!.facts };
    const result = whatItTakes({ doc, programId: program, facts, date: DATE, line: LINE });
    for (const lang of ["zh", "en"] as const) {
      const lines = describeWhatItTakes(doc, result, lang);
      const text = lines.join("\n");
      for (const id of ACTIONABLE) expect(text).not.toContain(id);
      if (result.outcome === "proposals") {
        expect(lines.length).toBe(2 + result.proposals.length);
        expect(text).toContain(lang === "zh" ? "达到" : "reaching the line");
      }
    }
    const months = whatItTakes({ doc, programId: program, facts: { ...facts, pensionInsuranceMonths: 10 }, date: DATE, line: LINE, actionable: ["pensionInsuranceMonths"] });
    if (months.outcome === "proposals") {
      const [zh] = describeWhatItTakes(doc, months, "zh").slice(2);
      expect(zh).toMatch(/10 → \d+（再增加\d+）/);
    }
  });
});
