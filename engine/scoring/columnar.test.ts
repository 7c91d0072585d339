/**
 * The columnar evaluator must give exactly the reference path's figures on each row of a columnar cohort, as
 * the row reads back (`cohortRow`): for every example standard and for random standards.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { applicantArb, documentArb, evaluationDateArb, personsDocumentArb } from "../../test/fixtures/engine/arbitraries";
import { compactOfSheet } from "../../test/fixtures/engine/compact";
import { loadStandards } from "../../test/fixtures/engine/standards";
import { cohortFromRows, cohortRow, type Cohort } from "../cohorts/cohort";
import { applicationFacts } from "../../rules-schema/persons";
import { assertColumnarSource, bindColumnar, scoreColumns } from "./columnar";
import { scoreApplicant } from "./reference";
import { RankColumnsBuilder, scoreCohortInto } from "../cohorts/cohort-score";
import type { CompactScore, Facts, ScoreSheet } from "../types";

function compactOf(doc: StandardDocument, sheet: ScoreSheet): CompactScore {
  return compactOfSheet(doc, sheet);
}

function cohortOf(doc: StandardDocument, rows: Facts[]): Cohort {
  return cohortFromRows(applicationFacts(doc), rows.map((_, i) => `A${i}`), rows);
}

async function expectSameAsReference(doc: StandardDocument, program: string, date: string, rows: Facts[]) {
  const cohort = cohortOf(doc, rows);
  const columnar = bindColumnar(doc, program, cohort, date);
  expect(columnar.mode).toBe("columns");
  const scores = scoreColumns(columnar, cohort.size);
  for (let i = 0; i < cohort.size; i++) {
    const expected = compactOf(doc, await scoreApplicant(doc, cohortRow(cohort, i), program, date));
    expect(columnar.compact(i)).toEqual(expected);
    expect(scores.total[i]).toBe(expected.total);
    expect(scores.eligible[i]).toBe(expected.eligible ? 1 : 0);
    expect(scores.vetoed[i]).toBe(expected.vetoed ? 1 : 0);
  }
}

describe.each(loadStandards())("example standard $name: columnar and reference agree", ({ doc }) => {
  const programs = doc.programs.map((program) => program.id);
  it("on random applicants from the fact dictionary", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(applicantArb(doc), { minLength: 1, maxLength: 6 }),
        evaluationDateArb,
        fc.constantFrom(...programs),
        async (rows, date, program) => expectSameAsReference(doc, program, date, rows),
      ),
      { numRuns: 40 },
    );
  });
  it("on the embedded test cases' applicants", async () => {
    for (const testCase of doc.testCases ?? []) await expectSameAsReference(doc, testCase.program, testCase.date, [testCase.facts]);
  });
});

describe("random standards: columnar and reference agree", () => {
  it("on items of every kind, groups, caps, gates, vetoes, floors", async () => {
    const cases = documentArb.chain((doc) =>
      fc.record({
        doc: fc.constant(doc),
        program: fc.constantFrom("p1", "p2"),
        date: evaluationDateArb,
        rows: fc.array(applicantArb(doc), { minLength: 1, maxLength: 5 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(cases, ({ doc, program, date, rows }) => expectSameAsReference(doc, program, date, rows)),
      { numRuns: 120 },
    );
  });
});

describe("random standards with persons: columnar and reference agree (decision 028)", () => {
  it("each candidate read from his own columns", async () => {
    const cases = personsDocumentArb.chain((doc) =>
      fc.record({ doc: fc.constant(doc), date: evaluationDateArb, rows: fc.array(applicantArb(doc), { minLength: 1, maxLength: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(cases, ({ doc, date, rows }) => expectSameAsReference(doc, "p1", date, rows)),
      { numRuns: 80 },
    );
  });
});

describe("columnar code generation is safe", () => {
  it("refuses text that is not engine-made", () => {
    expect(() => assertColumnarSource("return c0;")).not.toThrow();
    expect(() => assertColumnarSource('return "x";')).toThrow();
    expect(() => assertColumnarSource("return process;")).toThrow();
    expect(() => assertColumnarSource("return c0[`x`];")).toThrow();
  });
});

describe("two versions sharing derived facts", () => {
  it("gives the candidate the figures it would compute alone", async () => {
    const variants = (doc: StandardDocument): StandardDocument[] => {
      const morePoints = structuredClone(doc);
      for (const item of morePoints.items) if (item.scoring.kind === "fixed") item.scoring.points += 1;
      const fewerGates = structuredClone(doc);
      fewerGates.gates = (doc.gates ?? []).slice(1);
      fewerGates.vetoes = (doc.vetoes ?? []).slice(1);
      for (const item of fewerGates.items) if (item.scoring.kind === "tiers") item.scoring.tiers.reverse();
      return [morePoints, fewerGates];
    };
    for (const { doc } of loadStandards()) for (const candidate of variants(doc)) {
      const rows = fc.sample(applicantArb(doc), { numRuns: 30, seed: 7 });
      const cohort = cohortOf(doc, rows);
      const date = doc.effectiveFrom ?? "2024-01-01";
      const program = doc.programs[0].id;
      const baseline = bindColumnar(doc, program, cohort, date);
      const shared = bindColumnar(candidate, program, cohort, date, { derivedFrom: { program: baseline, doc } });
      const alone = bindColumnar(candidate, program, cohort, date);
      for (let i = 0; i < cohort.size; i++) {
        baseline.scoreRow(i);
        const expected = compactOf(candidate, await scoreApplicant(candidate, cohortRow(cohort, i), program, date));
        expect(shared.compact(i)).toEqual(expected);
        expect(alone.compact(i)).toEqual(expected);
      }
    }
  });
});

describe("what cannot be read from columns", () => {
  it("falls back to decoded rows for a JSONPath condition, with the same figures", async () => {
    const [{ doc: base }] = loadStandards();
    const doc = structuredClone(base);
    const fact = doc.facts.find((definition) => definition.type !== "records")!;
    doc.gates = [...(doc.gates ?? []), { id: "pathGate", label: { zh: "p", en: "p" }, reason: { zh: "p", en: "p" }, condition: { fact: fact.id, path: "$.x", operator: "isPresent", value: false } }];
    const rows = fc.sample(applicantArb(doc), { numRuns: 10, seed: 3 });
    const cohort = cohortOf(doc, rows);
    const date = doc.effectiveFrom ?? "2024-01-01";
    const program = doc.programs[0].id;
    const columnar = bindColumnar(doc, program, cohort, date);
    expect(columnar.mode).toBe("rows");
    expect(columnar.fallbackReason).toMatch(/path/);
    for (let i = 0; i < cohort.size; i++) {
      expect(columnar.compact(i)).toEqual(compactOf(doc, await scoreApplicant(doc, cohortRow(cohort, i), program, date)));
    }
  });
});

describe("hostile strings stay data", () => {
  it("scores a standard whose ids, literals and cohort texts are code-like", async () => {
    const hostile = ['"); process.exit(1); ("', "`${process.exit(1)}`", "\\u0022; throw 1; //", "__proto__", "constructor", "c0]; return 1; //"];
    const label = { zh: "x", en: "x" };
    const doc = structuredClone(loadStandards()[0].doc);
    doc.facts = [
      { id: "constructor", type: "string", label },
      { id: "kind", type: "enum", label, values: hostile.map((value) => ({ value, label })) },
    ];
    doc.derived = [];
    doc.groups = [];
    doc.gates = [{ id: hostile[0], label, reason: label, condition: { fact: "kind", operator: "notEqual", value: hostile[1] } }];
    doc.vetoes = [{ id: hostile[2], label, reason: label, condition: { fact: "constructor", operator: "equal", value: hostile[5] } }];
    doc.items = hostile.map((value, n) => ({
      id: `i${n}`,
      category: doc.categories[0].id,
      label,
      when: { any: [{ fact: "kind", operator: "equal", value }, { fact: "kind", operator: "atLeastLevel", value: hostile[3] }] },
      scoring: { kind: "fixed", points: n + 1 },
    }));
    const rows: Facts[] = hostile.map((value, n) => ({ kind: value, constructor: hostile[(n + 5) % hostile.length] }));
    await expectSameAsReference(doc, doc.programs[0].id, "2024-01-01", rows);
  });
});

describe("ranking columns from a columnar cohort", () => {
  it("are those built from the decoded rows, for every quota program (fact and derived-fact keys too)", () => {
    for (const { doc: original } of loadStandards()) {
      const doc = structuredClone(original);
      const derivedId = doc.derived?.[0]?.id;
      for (const program of doc.programs) {
        if (program.allocation.kind !== "quota") continue;
        if (derivedId) program.allocation.tieBreak = [...program.allocation.tieBreak, { key: "fact", id: derivedId, order: "asc" }];
        const rows = fc.sample(applicantArb(doc, { complete: true }), { numRuns: 25, seed: 11 });
        const cohort = cohortOf(doc, rows);
        const decoded = { ids: cohort.ids, rows: Array.from({ length: cohort.size }, (_, i) => cohortRow(cohort, i)) };
        const date = doc.effectiveFrom ?? "2024-01-01";
        const itemIds = doc.items.map((item) => item.id);
        const categoryIds = doc.categories.map((category) => category.id);
        const fromColumns = new RankColumnsBuilder(doc, program.id, itemIds, categoryIds, cohort.size, date);
        const fromRows = new RankColumnsBuilder(doc, program.id, itemIds, categoryIds, cohort.size, date);
        scoreCohortInto(fromColumns, doc, program.id, cohort, date);
        scoreCohortInto(fromRows, doc, program.id, decoded, date);
        expect(fromColumns.finish(cohort.ids)).toEqual(fromRows.finish(cohort.ids));
      }
    }
  });
});
