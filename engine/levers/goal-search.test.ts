/**
 * Issue 24, part 3: every table goal search proposes meets its goals when simulated again from scratch (simulate, the
 * goals measured here from its summary), the search is the same for a seed, and a set of goals that cannot be met
 * together names the goal that binds, with the value that would let the others be met (checked by searching again).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { generateCohort, generatedId } from "../cohorts/cohort-generate";
import { simulate } from "../simulation/simulate";
import { searchGoals, GoalSearchInputError, type Goal } from "./goal-search";
import { createOutcomeEvaluator } from "./outcome";

const suzhou = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
const DATE = "2016-05-01";
const rows = generateCohort(suzhou, 300, "goal", { referenceDate: DATE });
const ids = rows.map((_, i) => generatedId(i));
const options = { programId: "school", cohort: { ids, rows }, quotas: { "*": 6 }, date: DATE, groupBy: ["educationLevel"] };
const evaluator = createOutcomeEvaluator(suzhou, options);
const HIGH = ["bachelor", "master", "doctor"];

/** The goals measured on a fresh simulation of the baseline against the proposal. */
function measuredFromScratch(candidate: StandardDocument) {
  const { summary } = simulate({ baseline: suzhou, candidate, programId: "school", cohort: { ids, rows }, quotas: { "*": 6 }, date: DATE, groupBy: ["educationLevel"] });
  const values = summary.groups[0].values;
  const high = values.filter((v) => HIGH.includes(v.value)).reduce((n, v) => n + v.admittedAfter, 0);
  const shifts = summary.pools.filter((p) => p.cutoffShift !== null).map((p) => Math.abs(p.cutoffShift!));
  const losses = values.filter((v) => v.admittedBefore > 0).map((v) => (v.admittedBefore - v.admittedAfter) / v.admittedBefore);
  return { share: high / summary.admittedAfter, largestShift: Math.max(0, ...shifts), largestLoss: Math.max(0, ...losses), shareBefore: values.filter((v) => HIGH.includes(v.value)).reduce((n, v) => n + v.admittedBefore, 0) / summary.admittedBefore };
}

describe("goal search", () => {
  const baseline = measuredFromScratch(suzhou);
  const target = baseline.shareBefore + 0.005;
  const goals: Goal[] = [
    { kind: "share", fact: "educationLevel", values: HIGH, atLeast: target },
    { kind: "cutoffShift", atMost: 30 },
    { kind: "groupLoss", fact: "educationLevel", atMost: 0.1 },
  ];

  it("proposes tables that meet every goal when simulated again from scratch, fewest changes first, the same for a seed", () => {
    expect(baseline.shareBefore).toBeLessThan(target);
    const result = searchGoals({ doc: suzhou, evaluator, goals, seed: 1 });
    expect(result.status).toBe("met");
    expect(result.candidates.length).toBeGreaterThan(0);
    expect(result.candidates.length).toBeLessThanOrEqual(5);
    for (const candidate of result.candidates) {
      const measured = measuredFromScratch(candidate.doc);
      expect(measured.share).toBeGreaterThanOrEqual(target);
      expect(measured.largestShift).toBeLessThanOrEqual(30);
      expect(measured.largestLoss).toBeLessThanOrEqual(0.1);
      expect(candidate.checks.every((c) => c.met)).toBe(true);
      expect(candidate.changes.length).toBeGreaterThan(0);
      for (const change of candidate.changes) expect(change.to).toBe(Math.round((change.from + change.steps * change.parameter.step) * 1e6) / 1e6);
    }
    const sizes = result.candidates.map((c) => c.changes.length);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    const again = searchGoals({ doc: suzhou, evaluator, goals, seed: 1 });
    expect(again.candidates.map((c) => c.changes.map((x) => [x.pointer, x.to]))).toEqual(result.candidates.map((c) => c.changes.map((x) => [x.pointer, x.to])));
  });

  it("says the version already meets goals it meets", () => {
    const result = searchGoals({ doc: suzhou, evaluator, goals: [{ kind: "cutoffShift", atMost: 10 }] });
    expect(result.status).toBe("alreadyMet");
    expect(result.evaluations).toBe(0);
  });

  it("names the binding goal of goals that cannot be met together, and relaxing it to the value named lets them be met", () => {
    const conflicting: Goal[] = [
      { kind: "share", fact: "educationLevel", values: HIGH, atLeast: target },
      { kind: "cutoffShift", atMost: 0 },
    ];
    const result = searchGoals({ doc: suzhou, evaluator, goals: conflicting, seed: 1 });
    expect(result.status).toBe("notMet");
    expect(result.candidates).toEqual([]);
    expect(result.binding).toContain(1);
    const relaxed = result.relaxations.find((r) => r.goal === 1)!;
    expect(relaxed.value).toBeGreaterThan(0);
    const retried = searchGoals({ doc: suzhou, evaluator, goals: [conflicting[0], { kind: "cutoffShift", atMost: relaxed.value }], seed: 1 });
    expect(retried.status).toBe("met");
    for (const candidate of retried.candidates) expect(measuredFromScratch(candidate.doc).largestShift).toBeLessThanOrEqual(relaxed.value);
  });

  it("names a goal no move reaches, with the closest version found", () => {
    const result = searchGoals({ doc: suzhou, evaluator, goals: [{ kind: "share", fact: "educationLevel", values: HIGH, atLeast: 0.95 }, { kind: "cutoffShift", atMost: 30 }], seed: 1 });
    expect(result.status).toBe("notMet");
    expect(result.binding[0]).toBe(0);
    expect(result.neverMet).toEqual([0]);
    expect(result.closest).toBeDefined();
  });

  it("refuses goals it cannot measure, naming where", () => {
    expect(() => searchGoals({ doc: suzhou, evaluator, goals: [] })).toThrow(GoalSearchInputError);
    try {
      searchGoals({ doc: suzhou, evaluator, goals: [{ kind: "cutoffShift", atMost: 5 }, { kind: "share", fact: "educationLevel", values: HIGH, atLeast: 1.5 }] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GoalSearchInputError);
      expect((error as GoalSearchInputError).path).toBe("/goals/1");
    }
    expect(() => searchGoals({ doc: suzhou, evaluator, goals: [{ kind: "groupLoss", fact: "schoolId", atMost: 0.1 }] })).toThrow(/not counted/);
    expect(() => searchGoals({ doc: suzhou, evaluator, goals: [{ kind: "cutoffShift", atMost: 0 }], movable: [{ pointer: "/items/0/nothing" }] })).toThrow(GoalSearchInputError);
  });
});
