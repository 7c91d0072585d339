/**
 * Issue 20, allocation given per round: a score line set when allocating, a second-round cap as a share of a
 * pool's places, and at most one admitted applicant per key (one per property), through the entries and the
 * columns of a scored cohort alike.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Program, QuotaAllocation, StandardDocument } from "../../rules-schema/types";
import { cohortFromRows } from "../cohorts/cohort";
import { applicationFacts } from "../../rules-schema/persons";
import { rankProgram, withScoreLine, type RankEntry } from "./rank";
import { scoreAndRank } from "./ranking-cases";

function quotaProgram(allocation: Partial<QuotaAllocation>): Program {
  return {
    id: "school",
    kind: "school",
    label: { zh: "入学", en: "School" },
    allocation: { kind: "quota", rankBy: [{ key: "total", order: "desc" }], tieBreak: [], tiePolicy: "admitAll", ...allocation },
  };
}

const entry = (id: string, total: number, extra: Partial<RankEntry> = {}): RankEntry => ({ id, pool: "*", eligible: true, vetoed: false, total, ...extra });
const outcomes = (result: ReturnType<typeof rankProgram>) => Object.fromEntries(result.applicants.map((a) => [a.id, a.admitted ?? a.reason]));

describe("a score line given when allocating", () => {
  it("replaces a quota program's minimum total for this round only", () => {
    const program = quotaProgram({ minimumTotal: 60 });
    const applicants = [entry("a", 90), entry("b", 75), entry("c", 65)];
    expect(outcomes(rankProgram(program, applicants, { "*": 3 }))).toEqual({ a: "round1", b: "round1", c: "round1" });
    expect(outcomes(rankProgram(program, applicants, { "*": 3 }, { scoreLine: 70 }))).toEqual({ a: "round1", b: "round1", c: "belowMinimum" });
    expect(program.allocation).toMatchObject({ minimumTotal: 60 });
  });

  it("replaces a threshold program's threshold", () => {
    const program: Program = { id: "services", kind: "services", label: { zh: "公共服务", en: "Services" }, allocation: { kind: "threshold", threshold: 120 } };
    const result = rankProgram(program, [entry("a", 130), entry("b", 110)], {}, { scoreLine: 100 });
    expect(outcomes(result)).toEqual({ a: "round1", b: "round1" });
    expect(withScoreLine(program, undefined)).toBe(program);
  });
});

describe("a second-round cap as a share of the pool's places", () => {
  it("lets a pool of 20 places take at most 2 extra (10%), while leftover places remain", () => {
    const program = quotaProgram({ poolBy: "district", secondRound: { enabled: true, perPoolCapShare: 0.1 } });
    const applicants = [
      ...Array.from({ length: 25 }, (_, i) => entry(`y${String(i).padStart(2, "0")}`, 100 - i, { pool: "Y" })),
      entry("x1", 50, { pool: "X" }),
    ];
    const result = rankProgram(program, applicants, { X: 10, Y: 20 });
    const y = result.pools.find((pool) => pool.pool === "Y")!;
    expect(y).toMatchObject({ places: 20, admittedRound1: 20, admittedRound2: 2 });
    expect(outcomes(result)).toMatchObject({ y19: "round1", y20: "round2", y21: "round2", y22: "belowCutoff", x1: "round1" });
  });

  it("takes the smaller of the share and a fixed cap", () => {
    const program = quotaProgram({ poolBy: "district", secondRound: { enabled: true, perPoolCap: 1, perPoolCapShare: 0.5 } });
    const applicants = [entry("a", 90, { pool: "Y" }), entry("b", 80, { pool: "Y" }), entry("c", 70, { pool: "Y" })];
    const result = rankProgram(program, applicants, { X: 5, Y: 1 });
    // 50% of 1 place rounds down to 0 extra places.
    expect(outcomes(result)).toEqual({ a: "round1", b: "belowCutoff", c: "belowCutoff" });
  });
});

describe("at most one admitted applicant per key", () => {
  it("ranks only the highest-ranked applicant of a property; the other takes no place", () => {
    const program = quotaProgram({ oneAdmittedPer: "propertyId" });
    const applicants = [entry("a", 100, { onePerKey: "P1" }), entry("b", 90, { onePerKey: "P1" }), entry("c", 80, { onePerKey: "P2" }), entry("d", 70)];
    const result = rankProgram(program, applicants, { "*": 2 });
    expect(outcomes(result)).toEqual({ a: "round1", b: "sameKey", c: "round1", d: "belowCutoff" });
    expect(result.applicants.find((a) => a.id === "b")?.rank).toBeNull();
  });

  it("reads the key from the cohort's facts, the same from columns as from objects", () => {
    const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
    const doc = structuredClone(suzhou);
    doc.facts.push({ id: "propertyId", type: "string", label: { zh: "入学所用房产编号", en: "property used for admission" } });
    const settlement = doc.programs.find((program) => program.id === "settlement")!;
    (settlement.allocation as QuotaAllocation).oneAdmittedPer = "propertyId";
    const rankingCase = doc.rankingCases!.find((candidate) => candidate.id === "rc01_tiebreak_base_then_date")!;
    // A (850) and C (650) give the same property: C is not ranked; D moves up, and B and E, equal on every key,
    // straddle the third place and are both admitted (admitAll).
    const rows = rankingCase.applicants.map((applicant) => ({ ...applicant.facts, ...(applicant.id === "A" || applicant.id === "C" ? { propertyId: "P-1" } : {}) }));
    const ids = rankingCase.applicants.map((applicant) => applicant.id);
    const fromObjects = scoreAndRank(doc, "settlement", { ids, rows }, { "*": 3 }, rankingCase.date);
    const fromColumns = scoreAndRank(doc, "settlement", cohortFromRows(applicationFacts(doc), ids, rows), { "*": 3 }, rankingCase.date);
    const admitted = (result: typeof fromObjects) => result.applicants.filter((a) => a.admitted).map((a) => a.id).sort();
    expect(admitted(fromObjects)).toEqual(["A", "B", "D", "E"]);
    expect(fromObjects.applicants.find((a) => a.id === "C")?.reason).toBe("sameKey");
    expect(fromColumns.applicants).toEqual(fromObjects.applicants);
  });
});
