import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { compileProgram } from "../scoring/compiled";
import { generateCohort, generateCohortColumns, generatedId } from "../cohorts/cohort-generate";
import { rankProgram, type RankEntry } from "../allocation/rank";
import { applicantChange, simulate } from "./simulate";

const suzhou = JSON.parse(
  readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8"),
) as StandardDocument;
const DATE = "2016-05-01";

/** A revision: every tier of the first tiered item is worth 25% more, and the registration-date tie-break is gone. */
function revised(doc: StandardDocument): StandardDocument {
  const candidate = structuredClone(doc);
  const item = candidate.items.find((i) => i.scoring.kind === "tiers")!;
  if (item.scoring.kind === "tiers") for (const tier of item.scoring.tiers) tier.points = Math.round(tier.points * 1.25);
  return candidate;
}

/** The plain way: score each applicant object, build entries, call rankProgram. */
function bruteForce(doc: StandardDocument, programId: string, rows: Record<string, unknown>[], quotas: Record<string, number>) {
  const compiled = compileProgram(doc, programId);
  const program = doc.programs.find((p) => p.id === programId)!;
  const poolBy = program.allocation.kind === "quota" ? program.allocation.poolBy : undefined;
  const entries: RankEntry[] = rows.map((facts, i) => {
    const score = compiled.score(facts, DATE);
    return {
      id: generatedId(i),
      pool: poolBy ? String(facts[poolBy]) : "*",
      eligible: score.eligible,
      vetoed: score.vetoed,
      total: score.total,
      categories: Object.fromEntries(compiled.categoryIds.map((id, k) => [id, score.categories[k]])),
      items: Object.fromEntries(compiled.itemIds.map((id, k) => [id, score.items[k]])),
      // For a program that scores both spouses, the tie-breaks read the scored spouse's date and the other's total.
      facts: { residenceRegistrationDate: score.scoredPerson === 1 ? facts["spouse.residenceRegistrationDate"] : facts.residenceRegistrationDate },
      otherTotal: score.otherTotal,
    };
  });
  return { entries, result: rankProgram(program, entries, quotas) };
}

describe("simulate", () => {
  const size = 600;
  const rows = generateCohort(suzhou, size, "sim-test", { referenceDate: DATE });
  const ids = rows.map((_, i) => generatedId(i));
  const candidate = revised(suzhou);

  for (const programId of ["settlement", "school"]) {
    it(`finds exactly the applicants who enter and leave (${programId}), as a brute-force ranking does`, () => {
      const quotas = programId === "school" ? { "*": 4 } : { "*": 60 };
      const result = simulate({ baseline: suzhou, candidate, programId, cohort: { ids, rows }, quotas, date: DATE });
      const before = bruteForce(suzhou, programId, rows, quotas).result;
      const after = bruteForce(candidate, programId, rows, quotas).result;
      const admittedBefore = new Set(before.applicants.filter((a) => a.admitted).map((a) => a.id));
      const admittedAfter = new Set(after.applicants.filter((a) => a.admitted).map((a) => a.id));
      const entered = [...admittedAfter].filter((id) => !admittedBefore.has(id)).sort();
      const left = [...admittedBefore].filter((id) => !admittedAfter.has(id)).sort();
      expect([...result.summary.entered].sort()).toEqual(entered);
      expect([...result.summary.left].sort()).toEqual(left);
      expect(entered.length + left.length).toBeGreaterThan(0);
      expect(result.summary.admittedBefore).toBe(admittedBefore.size);
      expect(result.summary.admittedAfter).toBe(admittedAfter.size);
      for (let i = 0; i < size; i += 37) {
        const change = applicantChange(result, i);
        expect(change.rankBefore).toBe(before.applicants[i].rank);
        expect(change.rankAfter).toBe(after.applicants[i].rank);
        expect(change.totalAfter).toBe(after.applicants[i].total);
      }
      const poolsBefore = Object.fromEntries(before.pools.map((p) => [p.pool, p.cutoffTotal]));
      for (const pool of result.summary.pools) expect(pool.cutoffBefore).toBe(poolsBefore[pool.pool] ?? null);
    });
  }

  it("lists the items whose points changed, per applicant, and the item totals", () => {
    const result = simulate({ baseline: suzhou, candidate, programId: "settlement", cohort: { ids, rows }, quotas: { "*": 60 }, date: DATE });
    const compiledBefore = compileProgram(suzhou, "settlement");
    const compiledAfter = compileProgram(candidate, "settlement");
    const changedItem = candidate.items.find((i) => i.scoring.kind === "tiers")!.id;
    let changedApplicants = 0;
    let sumAfter = 0;
    rows.forEach((facts, i) => {
      const a = compiledBefore.score(facts, DATE);
      const b = compiledAfter.score(facts, DATE);
      const expected = compiledBefore.itemIds
        .map((id, k) => ({ id, before: a.items[k], after: b.items[k] }))
        .filter((c) => c.before !== c.after);
      expect(applicantChange(result, i).items).toEqual(expected);
      if (expected.length > 0) changedApplicants++;
      sumAfter += b.items[compiledAfter.itemIds.indexOf(changedItem)];
    });
    const impact = result.summary.items.find((i) => i.id === changedItem)!;
    expect(impact.changedApplicants).toBe(changedApplicants);
    expect(impact.totalAfter).toBeCloseTo(sumAfter, 6);
    expect(result.summary.items.filter((i) => i.id !== changedItem).every((i) => i.changedApplicants === 0)).toBe(true);
  });

  it("reports an item the revision removes and one it adds, with each applicant's points for them", () => {
    const reordered = structuredClone(suzhou);
    const removed = reordered.items.find((i) => i.scoring.kind === "tiers")!;
    reordered.items = reordered.items.filter((i) => i !== removed);
    reordered.items.push({ ...structuredClone(removed), id: `${removed.id}Revised` });
    const input = { baseline: suzhou, candidate: reordered, programId: "settlement", quotas: { "*": 60 }, date: DATE };
    const fromRows = simulate({ ...input, cohort: { ids, rows } });
    const columns = generateCohortColumns(suzhou, size, "sim-test", { referenceDate: DATE });
    const compiledBefore = compileProgram(suzhou, "settlement");
    const impact = (id: string) => fromRows.summary.items.find((i) => i.id === id)!;
    expect(impact(removed.id).presence).toBe("removed");
    expect(impact(`${removed.id}Revised`).presence).toBe("added");
    expect(impact(removed.id).totalBefore).toBeCloseTo(impact(`${removed.id}Revised`).totalAfter, 6);
    rows.forEach((facts, i) => {
      const points = compiledBefore.score(facts, DATE).items[compiledBefore.itemIds.indexOf(removed.id)];
      const expected = points === 0 ? [] : [{ id: removed.id, before: points, after: 0 }, { id: `${removed.id}Revised`, before: 0, after: points }];
      expect(applicantChange(fromRows, i).items).toEqual(expected);
    });
    for (const bothCores of [false, true]) {
      const fromColumns = simulate({ ...input, cohort: columns, bothCores });
      expect(fromColumns.summary).toEqual(fromRows.summary);
    }
  });

  it("gives the same result from a columnar cohort as from objects, and accounts for everyone in the histogram", () => {
    const columns = generateCohortColumns(suzhou, size, "sim-test", { referenceDate: DATE });
    const input = { baseline: suzhou, candidate, programId: "school", quotas: { "*": 3 }, date: DATE, groupBy: ["educationLevel"] };
    const fromRows = simulate({ ...input, cohort: { ids, rows } });
    const fromColumns = simulate({ ...input, cohort: columns });
    expect(fromColumns.summary).toEqual(fromRows.summary);
    const s = fromRows.summary;
    const bothRanked = s.rankChanges.reduce((n, b) => n + b.count, 0);
    let rankedBoth = 0;
    for (let i = 0; i < size; i++) if (fromRows.columns.rankBefore[i] > 0 && fromRows.columns.rankAfter[i] > 0) rankedBoth++;
    expect(bothRanked).toBe(rankedBoth);
    const group = s.groups[0];
    expect(group.values.reduce((n, v) => n + v.applicants, 0)).toBe(size);
    expect(group.values.reduce((n, v) => n + v.admittedAfter, 0)).toBe(s.admittedAfter);
  });

  it("reports no change when both versions are the same", () => {
    const result = simulate({ baseline: suzhou, candidate: suzhou, programId: "school", cohort: { ids, rows }, quotas: { "*": 3 }, date: DATE });
    expect(result.summary.entered).toEqual([]);
    expect(result.summary.left).toEqual([]);
    expect(result.summary.applicantsWithChangedTotal).toBe(0);
    expect(result.summary.rankChanges.find((b) => b.label === "0")!.count).toBe(
      result.summary.rankChanges.reduce((n, b) => n + b.count, 0),
    );
    expect(result.summary.pools.every((p) => p.cutoffShift === 0 || p.cutoffShift === null)).toBe(true);
  });
});
