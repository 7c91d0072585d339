/**
 * Issue 24, part 2: every lever's effect (one step up and down of each number) on a small Suzhou 2015 school cohort,
 * checked against a full re-simulation done the plain way: score every applicant under the stepped version, rank
 * with rankProgram, and count who entered, who left, each pool's cut-off and each education level's admitted.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { rankProgram, type RankEntry } from "../allocation/rank";
import { generateCohort, generatedId } from "../cohorts/cohort-generate";
import { compileProgram } from "../scoring/compiled";
import type { Facts } from "../types";
import { computeLevers } from "./levers";
import { createOutcomeEvaluator } from "./outcome";

const suzhou = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
const DATE = "2016-05-01";
const PROGRAM = "school";
const QUOTAS = { "*": 6 };
const rows = generateCohort(suzhou, 300, "levers-test", { referenceDate: DATE });
const ids = rows.map((_, i) => generatedId(i));

function setPointer(doc: StandardDocument, pointer: string, value: number): StandardDocument {
  const copy = structuredClone(doc) as unknown as Record<string, unknown>;
  const segments = pointer.split("/").slice(1);
  let node = copy as Record<string, unknown>;
  for (const segment of segments.slice(0, -1)) node = node[segment] as Record<string, unknown>;
  node[segments[segments.length - 1]] = value;
  return copy as unknown as StandardDocument;
}

function plainAllocation(doc: StandardDocument, facts: readonly Facts[]) {
  const compiled = compileProgram(doc, PROGRAM);
  const program = doc.programs.find((p) => p.id === PROGRAM)!;
  const poolBy = program.allocation.kind === "quota" ? program.allocation.poolBy : undefined;
  const entries: RankEntry[] = facts.map((f, i) => {
    const score = compiled.score(f, DATE);
    return {
      id: ids[i],
      pool: poolBy ? String(f[poolBy]) : "*",
      eligible: score.eligible,
      vetoed: score.vetoed,
      total: score.total,
      categories: Object.fromEntries(compiled.categoryIds.map((id, k) => [id, score.categories[k]])),
      items: Object.fromEntries(compiled.itemIds.map((id, k) => [id, score.items[k]])),
      facts: f,
      otherTotal: score.otherTotal,
    };
  });
  const result = rankProgram(program, entries, QUOTAS);
  const admitted = new Set(result.applicants.filter((a) => a.admitted).map((a) => a.id));
  const cutoffs = new Map(result.pools.map((p) => [p.pool, p.cutoffTotal]));
  const byLevel = new Map<string, number>();
  rows.forEach((f, i) => {
    if (admitted.has(ids[i])) byLevel.set(String(f.educationLevel ?? ""), (byLevel.get(String(f.educationLevel ?? "")) ?? 0) + 1);
  });
  return { admitted, cutoffs, byLevel };
}

describe("levers", () => {
  const evaluator = createOutcomeEvaluator(suzhou, { programId: PROGRAM, cohort: { ids, rows }, quotas: QUOTAS, date: DATE, groupBy: ["educationLevel"] });
  const result = computeLevers({ doc: suzhou, evaluator, groupFact: "educationLevel" });
  const base = plainAllocation(suzhou, rows);

  it("gives each step's in and out, cut-offs and group shares as a full re-simulation does", () => {
    expect(result.levers.length).toBeGreaterThan(10);
    expect(result.baseline.admitted).toBe(base.admitted.size);
    let checked = 0;
    for (const lever of result.levers) {
      for (const step of [lever.up, lever.down]) {
        if (!step) continue;
        const stepped = [lever.parameter.pointer, ...(lever.parameter.linked ?? [])].reduce((doc, pointer) => setPointer(doc, pointer, step.value), suzhou);
        const after = plainAllocation(stepped, rows);
        const entered = [...after.admitted].filter((id) => !base.admitted.has(id)).length;
        const left = [...base.admitted].filter((id) => !after.admitted.has(id)).length;
        expect({ pointer: lever.parameter.pointer, direction: step.direction, entered: step.entered, left: step.left, admitted: step.admitted }).toEqual({
          pointer: lever.parameter.pointer,
          direction: step.direction,
          entered,
          left,
          admitted: after.admitted.size,
        });
        for (const pool of step.pools) {
          expect(pool.cutoff).toBe(after.cutoffs.get(pool.pool) ?? null);
          const before = base.cutoffs.get(pool.pool) ?? null;
          expect(pool.shift).toBe(before !== null && pool.cutoff !== null ? pool.cutoff - before : null);
        }
        for (const group of step.groups) {
          const admitted = after.byLevel.get(group.value) ?? 0;
          expect(group.admitted).toBe(admitted);
          expect(group.share).toBeCloseTo(admitted / after.admitted.size, 12);
          expect(group.shareShift).toBeCloseTo(admitted / after.admitted.size - (base.byLevel.get(group.value) ?? 0) / base.admitted.size, 12);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(result.evaluations).toBe(checked);
  });

  it("ranks the levers by applicants moved, and some lever moves someone", () => {
    const moved = result.levers.map((l) => l.moved);
    expect(moved).toEqual([...moved].sort((a, b) => b - a));
    expect(moved[0]).toBeGreaterThan(0);
    for (const lever of result.levers) {
      const steps = [lever.up, lever.down].filter((s) => s !== null);
      expect(lever.moved).toBe(Math.max(0, ...steps.map((s) => s.entered + s.left)));
    }
  });

  it("leaves out a step that would cross a parameter's bounds", () => {
    const atZero = result.levers.find((l) => l.parameter.min === l.parameter.value);
    if (atZero) expect(atZero.down).toBeNull();
  });
});
