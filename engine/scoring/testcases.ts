/**
 * Runs a document's embedded test cases (expected points written by hand from the official table) through the
 * reference path, the compiled path, or both, and reports every figure that differs.
 */
import type { Id, StandardDocument, TestCase, Verdict } from "../../rules-schema/types";
import { compileProgram, type CompiledProgram } from "./compiled";
import { scoreApplicant } from "./reference";
import type { CompactScore } from "../types";
import { verdictOf } from "./verdict";

export type ScoringPath = "reference" | "compiled";

export interface TestCaseDifference {
  what: "item" | "category" | "total" | "eligible" | "vetoed" | "failedGates" | "verdict" | "error";
  id?: Id;
  expected: unknown;
  actual: unknown;
}

export interface TestCaseResult {
  id: Id;
  label: { zh: string; en: string };
  program: Id;
  path: ScoringPath;
  pass: boolean;
  differences: TestCaseDifference[];
}

/** What both paths give, in one comparable shape. */
interface Figures {
  eligible: boolean;
  vetoed: boolean;
  failedGates: Id[];
  items: Map<Id, number>;
  categories: Map<Id, number>;
  total: number;
}

function firstById(ids: Id[], values: number[]): Map<Id, number> {
  const map = new Map<Id, number>();
  ids.forEach((id, index) => {
    if (!map.has(id)) map.set(id, values[index]);
  });
  return map;
}

function fromCompact(compiled: CompiledProgram, score: CompactScore): Figures {
  return {
    eligible: score.eligible,
    vetoed: score.vetoed,
    failedGates: score.failedGates,
    items: firstById(compiled.itemIds, score.items),
    categories: firstById(compiled.categoryIds, score.categories),
    total: score.total,
  };
}

function sameGates(expected: Id[], actual: Id[]): boolean {
  const a = [...expected].sort();
  const b = [...actual].sort();
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

export { verdictOf };

export function compareFigures(expect: TestCase["expect"], actual: Figures, verdict?: Verdict): TestCaseDifference[] {
  const differences: TestCaseDifference[] = [];
  if (expect.eligible !== undefined && expect.eligible !== actual.eligible) {
    differences.push({ what: "eligible", expected: expect.eligible, actual: actual.eligible });
  }
  if (expect.vetoed !== undefined && expect.vetoed !== actual.vetoed) {
    differences.push({ what: "vetoed", expected: expect.vetoed, actual: actual.vetoed });
  }
  if (expect.failedGates !== undefined && !sameGates(expect.failedGates, actual.failedGates)) {
    differences.push({ what: "failedGates", expected: expect.failedGates, actual: actual.failedGates });
  }
  for (const [id, expected] of Object.entries(expect.items ?? {})) {
    const value = actual.items.get(id);
    if (value !== expected) differences.push({ what: "item", id, expected, actual: value ?? null });
  }
  for (const [id, expected] of Object.entries(expect.categories ?? {})) {
    const value = actual.categories.get(id);
    if (value !== expected) differences.push({ what: "category", id, expected, actual: value ?? null });
  }
  // `total: null` expects no score: the applicant fails a gate or is vetoed. A number is compared with the total the
  // engine computes in any case, as documents written before decision 024 expect.
  if (expect.total === null ? actual.eligible : expect.total !== undefined && expect.total !== actual.total) {
    differences.push({ what: "total", expected: expect.total, actual: actual.eligible || expect.total !== null ? actual.total : null });
  }
  if (expect.verdict !== undefined && verdict !== undefined && expect.verdict !== verdict) {
    differences.push({ what: "verdict", expected: expect.verdict, actual: verdict });
  }
  return differences;
}

async function figuresOf(
  doc: StandardDocument,
  testCase: TestCase,
  path: ScoringPath,
  compiledByProgram: Map<Id, CompiledProgram>,
): Promise<Figures> {
  if (path === "reference") {
    const sheet = await scoreApplicant(doc, testCase.facts, testCase.program, testCase.date);
    const items = new Map<Id, number>();
    for (const item of sheet.items) if (!items.has(item.id)) items.set(item.id, item.points);
    return {
      eligible: sheet.eligible,
      vetoed: sheet.vetoed,
      failedGates: sheet.gates.filter((gate) => !gate.passed).map((gate) => gate.id),
      items,
      categories: new Map(Object.entries(sheet.categories)),
      total: sheet.total,
    };
  }
  let compiled = compiledByProgram.get(testCase.program);
  if (!compiled) {
    compiled = compileProgram(doc, testCase.program);
    compiledByProgram.set(testCase.program, compiled);
  }
  return fromCompact(compiled, compiled.score(testCase.facts, testCase.date));
}

export async function runTestCases(
  doc: StandardDocument,
  opts: { path?: ScoringPath | "both" } = {},
): Promise<TestCaseResult[]> {
  const paths: ScoringPath[] = opts.path === "both" ? ["reference", "compiled"] : [opts.path ?? "reference"];
  const compiledByProgram = new Map<Id, CompiledProgram>();
  const results: TestCaseResult[] = [];
  for (const testCase of doc.testCases ?? []) {
    for (const path of paths) {
      let differences: TestCaseDifference[];
      try {
        const figures = await figuresOf(doc, testCase, path, compiledByProgram);
        differences = compareFigures(testCase.expect, figures, verdictOf(doc, testCase.program, figures));
      } catch (error) {
        differences = [{ what: "error", expected: null, actual: error instanceof Error ? error.message : String(error) }];
      }
      results.push({
        id: testCase.id,
        label: testCase.label,
        program: testCase.program,
        path,
        pass: differences.length === 0,
        differences,
      });
    }
  }
  return results;
}
