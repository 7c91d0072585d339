import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Program, QuotaAllocation } from "../../rules-schema/types";
import { rankProgram, type RankEntry } from "./rank";

function quotaProgram(allocation: Partial<QuotaAllocation>): Program {
  return {
    id: "school",
    kind: "school",
    label: { zh: "入学", en: "School" },
    allocation: {
      kind: "quota",
      rankBy: [{ key: "total", order: "desc" }],
      tieBreak: [],
      tiePolicy: "admitAll",
      ...allocation,
    },
  };
}

function entry(id: string, total: number, extra: Partial<RankEntry> = {}): RankEntry {
  return { id, pool: "*", eligible: true, vetoed: false, total, ...extra };
}

const admittedIds = (result: ReturnType<typeof rankProgram>) =>
  result.applicants.filter((a) => a.admitted).map((a) => a.id).sort();

describe("rankProgram: tie policies at the cut-off", () => {
  const applicants = [entry("a", 90), entry("b", 80), entry("c", 80), entry("d", 80), entry("e", 70)];

  it("admitAll admits the whole tied group, exceeding the quota", () => {
    const result = rankProgram(quotaProgram({ tiePolicy: "admitAll" }), applicants, { "*": 2 });
    expect(admittedIds(result)).toEqual(["a", "b", "c", "d"]);
    expect(result.pools[0]).toMatchObject({ places: 2, admittedRound1: 4, leftover: 0, cutoffTotal: 80 });
  });

  it("exclude admits nobody of the tied group at the boundary", () => {
    const result = rankProgram(quotaProgram({ tiePolicy: "exclude" }), applicants, { "*": 2 });
    expect(admittedIds(result)).toEqual(["a"]);
    const reasons = Object.fromEntries(result.applicants.map((a) => [a.id, a.reason ?? a.admitted]));
    expect(reasons).toEqual({ a: "round1", b: "tieExcluded", c: "tieExcluded", d: "tieExcluded", e: "belowCutoff" });
    expect(result.pools[0].leftover).toBe(1);
  });

  it("a tie that does not straddle the cut-off is not a tie at the cut-off", () => {
    const result = rankProgram(quotaProgram({ tiePolicy: "exclude" }), applicants, { "*": 4 });
    expect(admittedIds(result)).toEqual(["a", "b", "c", "d"]);
  });

  it("lottery fills exactly the places, reproducibly with a seed", () => {
    const many = Array.from({ length: 40 }, (_, i) => entry(`p${String(i).padStart(2, "0")}`, 50));
    const program = quotaProgram({ tiePolicy: "lottery", lotterySeed: "2016-published" });
    const first = rankProgram(program, many, { "*": 10 });
    const again = rankProgram(program, many, { "*": 10 });
    expect(admittedIds(first)).toHaveLength(10);
    expect(admittedIds(again)).toEqual(admittedIds(first));
    expect(first.applicants.filter((a) => !a.admitted).every((a) => a.reason === "lotteryLost")).toBe(true);
    const otherSeed = rankProgram(program, many, { "*": 10 }, { seed: "another seed" });
    expect(admittedIds(otherSeed)).toHaveLength(10);
    expect(admittedIds(otherSeed)).not.toEqual(admittedIds(first));
    // Not simply the first ids: the draw decides.
    expect(admittedIds(first)).not.toEqual(many.slice(0, 10).map((a) => a.id));
  });

  it("lottery result does not depend on the input order", () => {
    const many = Array.from({ length: 30 }, (_, i) => entry(`q${i}`, i < 5 ? 99 : 40));
    const program = quotaProgram({ tiePolicy: "lottery" });
    const forward = rankProgram(program, many, { "*": 12 }, { seed: "s" });
    const backward = rankProgram(program, [...many].reverse(), { "*": 12 }, { seed: "s" });
    expect(admittedIds(backward)).toEqual(admittedIds(forward));
    expect(admittedIds(forward)).toEqual(expect.arrayContaining(["q0", "q1", "q2", "q3", "q4"]));
  });
});

describe("rankProgram: multi-key tie-breaks", () => {
  // Suzhou Art. 7: total, then base points, then earlier residence registration.
  const program = quotaProgram({
    tiePolicy: "exclude",
    rankBy: [{ key: "total", order: "desc" }],
    tieBreak: [
      { key: "category", id: "base", order: "desc" },
      { key: "fact", id: "registeredOn", order: "asc" },
    ],
  });
  const applicants = [
    entry("late", 100, { categories: { base: 60 }, facts: { registeredOn: "2014-05-01" } }),
    entry("early", 100, { categories: { base: 60 }, facts: { registeredOn: "2012-01-09" } }),
    entry("morebase", 100, { categories: { base: 70 }, facts: { registeredOn: "2019-01-01" } }),
    entry("nodate", 100, { categories: { base: 60 } }),
    entry("top", 120, { categories: { base: 10 }, facts: { registeredOn: "2020-01-01" } }),
  ];

  it("orders equal totals by base points, then earlier date; missing dates last", () => {
    const result = rankProgram(program, applicants, { "*": 3 });
    const byRank = [...result.applicants].sort((a, b) => a.rank! - b.rank!).map((a) => a.id);
    expect(byRank).toEqual(["top", "morebase", "early", "late", "nodate"]);
    expect(admittedIds(result)).toEqual(["early", "morebase", "top"]);
  });

  it("gives the same order whatever the input order (final key: applicant id)", () => {
    const tied = [entry("c", 5), entry("a", 5), entry("b", 5)];
    const result = rankProgram(quotaProgram({}), tied, { "*": 3 });
    expect(Object.fromEntries(result.applicants.map((a) => [a.id, a.rank]))).toEqual({ a: 1, b: 2, c: 3 });
  });
});

describe("rankProgram: pools, minimum and second round", () => {
  const pooled = [
    entry("a1", 90, { pool: "A" }),
    entry("a2", 85, { pool: "A" }),
    entry("a3", 84, { pool: "A" }),
    entry("a4", 83, { pool: "A" }),
    entry("b1", 70, { pool: "B" }),
    entry("c1", 60, { pool: "C" }),
    entry("c2", 55, { pool: "C" }),
    entry("c3", 54, { pool: "C" }),
    entry("x", 99, { pool: "A", eligible: false }),
    entry("v", 99, { pool: "A", vetoed: true }),
    entry("low", 10, { pool: "B" }),
  ];

  it("allocates per pool with its own quota and cut-off, and says why others are out", () => {
    const program = quotaProgram({ poolBy: "district", minimumTotal: 50 });
    const result = rankProgram(program, pooled, { A: 2, B: 3, C: 1 });
    expect(admittedIds(result)).toEqual(["a1", "a2", "b1", "c1"]);
    const pools = Object.fromEntries(result.pools.map((p) => [p.pool, p]));
    expect(pools.A).toMatchObject({ places: 2, admittedRound1: 2, cutoffTotal: 85, leftover: 0 });
    expect(pools.B).toMatchObject({ places: 3, admittedRound1: 1, cutoffTotal: 70, leftover: 2 });
    expect(pools.C).toMatchObject({ places: 1, admittedRound1: 1, cutoffTotal: 60, leftover: 0 });
    const reason = Object.fromEntries(result.applicants.map((a) => [a.id, a.reason]));
    expect(reason).toMatchObject({ x: "ineligible", v: "vetoed", low: "belowMinimum", a3: "belowCutoff" });
    expect(result.applicants.find((a) => a.id === "low")!.rank).toBeNull();
    expect(result.applicants.find((a) => a.id === "c2")!.rank).toBe(2);
  });

  it("gives leftover places city-wide in global order, at most perPoolCap per pool", () => {
    const program = quotaProgram({ poolBy: "district", minimumTotal: 50, secondRound: { enabled: true, perPoolCap: 1 } });
    const result = rankProgram(program, pooled, { A: 2, B: 3, C: 1 });
    const admitted = Object.fromEntries(result.applicants.filter((a) => a.admitted).map((a) => [a.id, a.admitted]));
    // B leaves 2 places: a3 (84) takes one for A; a4 would be A's second extra (cap 1), so c2 (55) takes the other.
    expect(admitted).toEqual({ a1: "round1", a2: "round1", b1: "round1", c1: "round1", a3: "round2", c2: "round2" });
    const pools = Object.fromEntries(result.pools.map((p) => [p.pool, p]));
    expect(pools.A.admittedRound2).toBe(1);
    expect(pools.C.admittedRound2).toBe(1);
  });

  it("without a cap the second round follows the global order only", () => {
    const program = quotaProgram({ poolBy: "district", minimumTotal: 50, secondRound: { enabled: true } });
    const result = rankProgram(program, pooled, { A: 2, B: 3, C: 1 });
    expect(result.applicants.filter((a) => a.admitted === "round2").map((a) => a.id).sort()).toEqual(["a3", "a4"]);
  });

  it("second-round ties at the last leftover place follow the tie policy", () => {
    const applicants = [
      entry("a1", 90, { pool: "A" }),
      entry("a2", 60, { pool: "A" }),
      entry("a3", 60, { pool: "A" }),
      entry("a4", 60, { pool: "A" }),
      entry("b1", 80, { pool: "B" }),
    ];
    const quotas = { A: 1, B: 2 };
    const round2 = (policy: "admitAll" | "exclude" | "lottery", seed = "x") =>
      rankProgram(quotaProgram({ poolBy: "district", tiePolicy: policy, secondRound: { enabled: true } }), applicants, quotas, { seed })
        .applicants.filter((a) => a.admitted === "round2")
        .map((a) => a.id);
    expect(round2("admitAll")).toEqual(["a2", "a3", "a4"]);
    expect(round2("exclude")).toEqual([]);
    const drawn = round2("lottery");
    expect(drawn).toHaveLength(1);
    expect(round2("lottery")).toEqual(drawn);
    const seeds = new Set(["s1", "s2", "s3", "s4", "s5", "s6"].map((seed) => round2("lottery", seed)[0]));
    expect(seeds.size).toBeGreaterThan(1);
  });

  it("a pool missing from the quotas takes the '*' default, else has no places", () => {
    const program = quotaProgram({ poolBy: "district" });
    expect(admittedIds(rankProgram(program, pooled.slice(0, 8), { "*": 1 }))).toEqual(["a1", "b1", "c1"]);
    expect(admittedIds(rankProgram(program, pooled.slice(0, 8), { B: 1 }))).toEqual(["b1"]);
  });
});

describe("rankProgram: threshold allocation", () => {
  it("admits every eligible, not vetoed applicant at or above the threshold", () => {
    const program: Program = {
      id: "settle",
      kind: "settlement",
      label: { zh: "落户", en: "Settlement" },
      allocation: { kind: "threshold", threshold: 120 },
    };
    const result = rankProgram(
      program,
      [entry("a", 120), entry("b", 119.5), entry("c", 300, { vetoed: true }), entry("d", 200, { eligible: false }), entry("e", 150)],
      {},
    );
    expect(admittedIds(result)).toEqual(["a", "e"]);
    expect(Object.fromEntries(result.applicants.map((a) => [a.id, a.reason ?? a.admitted]))).toEqual({
      a: "round1",
      b: "belowThreshold",
      c: "vetoed",
      d: "ineligible",
      e: "round1",
    });
  });
});

/** A plain reading of the rules for one pool: sort with a comparator, then apply the tie policy. */
function bruteForce(entries: RankEntry[], places: number, policy: "admitAll" | "exclude"): string[] {
  const sorted = [...entries].sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1));
  if (sorted.length <= places) return sorted.map((e) => e.id).sort();
  if (places === 0) return [];
  const last = sorted[places - 1].total;
  const next = sorted[places].total;
  if (last !== next) return sorted.slice(0, places).map((e) => e.id).sort();
  const admitted = sorted.filter((e) => (policy === "admitAll" ? e.total >= last : e.total > last));
  return admitted.map((e) => e.id).sort();
}

describe("rankProgram agrees with a brute-force reading", () => {
  it("on random cohorts (admitAll and exclude)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ total: fc.integer({ min: 0, max: 12 }), half: fc.boolean() }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 45 }),
        fc.constantFrom<"admitAll" | "exclude">("admitAll", "exclude"),
        (rows, places, policy) => {
          const entries = rows.map((r, i) => entry(`id${i}`, r.total + (r.half ? 0.5 : 0)));
          const result = rankProgram(quotaProgram({ tiePolicy: policy }), entries, { "*": places });
          expect(admittedIds(result)).toEqual(bruteForce(entries, places, policy));
        },
      ),
      { numRuns: 300 },
    );
  });
});
