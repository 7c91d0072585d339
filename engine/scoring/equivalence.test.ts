/**
 * The compiled path must give exactly the reference path's figures: for every example standard with random
 * applicants from its fact dictionary, and for randomly generated standards.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { applicantArb, documentArb, evaluationDateArb, personsDocumentArb } from "../../test/fixtures/engine/arbitraries";
import { compactOfSheet } from "../../test/fixtures/engine/compact";
import { loadStandards } from "../../test/fixtures/engine/standards";
import { compileProgram, scoreMany } from "./compiled";
import { scoreApplicant } from "./reference";
import type { CompactScore, ScoreSheet } from "../types";

/** The reference sheet in the compiled path's shape. */
function compactOf(doc: StandardDocument, sheet: ScoreSheet): CompactScore {
  return compactOfSheet(doc, sheet);
}

describe.each(loadStandards())("example standard $name: both paths agree", ({ doc }) => {
  const programs = doc.programs.map((program) => program.id);
  const compiled = new Map(programs.map((id) => [id, compileProgram(doc, id)]));
  const closures = new Map(programs.map((id) => [id, compileProgram(doc, id, { codegen: false })]));

  it("on random applicants from the fact dictionary", async () => {
    await fc.assert(
      fc.asyncProperty(applicantArb(doc), evaluationDateArb, fc.constantFrom(...programs), async (facts, date, program) => {
        const sheet = await scoreApplicant(doc, facts, program, date);
        expect(compiled.get(program)?.score(facts, date)).toEqual(compactOf(doc, sheet));
        expect(closures.get(program)?.score(facts, date)).toEqual(compactOf(doc, sheet));
      }),
      { numRuns: 150 },
    );
  });

  it("on the embedded test cases' applicants", async () => {
    for (const testCase of doc.testCases ?? []) {
      const sheet = await scoreApplicant(doc, testCase.facts, testCase.program, testCase.date);
      expect(compileProgram(doc, testCase.program).score(testCase.facts, testCase.date)).toEqual(compactOf(doc, sheet));
    }
  });
});

describe("random standards: both paths agree", () => {
  it("on items of every kind, groups, caps, gates, vetoes, floors", async () => {
    const cases = documentArb.chain((doc) =>
      fc.record({
        doc: fc.constant(doc),
        program: fc.constantFrom("p1", "p2"),
        date: evaluationDateArb,
        applicants: fc.array(applicantArb(doc), { minLength: 1, maxLength: 4 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ doc, program, date, applicants }) => {
        const compiled = compileProgram(doc, program);
        const fast = scoreMany(compiled, applicants, date);
        const viaClosures = scoreMany(compileProgram(doc, program, { codegen: false }), applicants, date);
        for (let i = 0; i < applicants.length; i++) {
          const sheet = await scoreApplicant(doc, applicants[i], program, date);
          expect(fast[i]).toEqual(compactOf(doc, sheet));
          expect(viaClosures[i]).toEqual(compactOf(doc, sheet));
          const itemSum = sheet.items.reduce((sum, item) => sum + item.points, 0);
          const adjustmentSum = sheet.adjustments.reduce((sum, adjustment) => sum + adjustment.points, 0);
          expect(itemSum + adjustmentSum).toBeCloseTo(sheet.total, 6);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("random standards with persons: both paths agree (decision 028)", () => {
  it("on whose points count, the other candidate's total and every figure", async () => {
    const cases = personsDocumentArb.chain((doc) =>
      fc.record({
        doc: fc.constant(doc),
        program: fc.constantFrom("p1", "p2"),
        date: evaluationDateArb,
        applicants: fc.array(applicantArb(doc), { minLength: 1, maxLength: 4 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ doc, program, date, applicants }) => {
        const fast = scoreMany(compileProgram(doc, program), applicants, date);
        const viaClosures = scoreMany(compileProgram(doc, program, { codegen: false }), applicants, date);
        for (let i = 0; i < applicants.length; i++) {
          const sheet = await scoreApplicant(doc, applicants[i], program, date);
          expect(fast[i]).toEqual(compactOf(doc, sheet));
          expect(viaClosures[i]).toEqual(compactOf(doc, sheet));
          if (program === "p1") {
            // The scored candidate qualifies whenever one does, and no qualifying candidate has more points.
            const persons = sheet.persons!;
            const qualifying = persons.candidates.filter((candidate) => candidate.eligible);
            expect(sheet.eligible).toBe(qualifying.length > 0);
            for (const candidate of qualifying) expect(candidate.total).toBeLessThanOrEqual(sheet.total);
          } else expect(sheet.persons).toBeUndefined();
        }
      }),
      { numRuns: 100 },
    );
  });
});
