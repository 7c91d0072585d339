/**
 * Scoring a cohort on both cores must give every row exactly the figures of one thread, whichever thread scored
 * it, and must still give them when the worker is turned off.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { loadStandards } from "../../test/fixtures/engine/standards";
import { cohortRow } from "../cohorts/cohort";
import { generateCohortColumns } from "../cohorts/cohort-generate";
import { RankColumnsBuilder, scoreCohortInto } from "../cohorts/cohort-score";
import { bindColumnar } from "../scoring/columnar";
import { CohortScorer, flagsOf, shareCohort } from "../cohorts/cohort-chunks";
import { scoringWorkerReady, stopScoringWorker } from "./parallel";
import { WhatIfScorer } from "../simulation/whatif-scorer";
import { simulate } from "../simulation/simulate";
import type { StandardDocument } from "../../rules-schema/types";

afterAll(async () => {
  delete process.env.JIFEN_SCORING_WORKER;
  await stopScoringWorker();
});

function oneThread(doc: Parameters<typeof bindColumnar>[0], programId: string, cohort: Parameters<typeof bindColumnar>[2], date: string) {
  const program = bindColumnar(doc, programId, cohort, date);
  const total = new Float64Array(cohort.size);
  const flags = new Uint8Array(cohort.size);
  for (let i = 0; i < cohort.size; i++) {
    total[i] = program.scoreRow(i);
    flags[i] = flagsOf(program.state);
  }
  return { total, flags };
}

/**
 * A revision as an officer might draft one: every points figure of the first item that has some is worth 20% more,
 * in each program (a document whose programs share no item, such as two districts', changes in each).
 */
function revised(doc: StandardDocument): StandardDocument {
  const candidate = structuredClone(doc);
  const changed = new Set<string>();
  for (const program of candidate.programs) {
    const item = candidate.items.find(
      (entry) =>
        (!entry.programs || entry.programs.includes(program.id)) &&
        (entry.scoring.kind === "fixed" ? entry.scoring.points !== 0 : ["tiers", "bands"].includes(entry.scoring.kind)),
    );
    if (!item || changed.has(item.id)) continue;
    changed.add(item.id);
    const s = item.scoring;
    if (s.kind === "fixed") s.points = Math.round(s.points * 1.2);
    else if (s.kind === "tiers") for (const tier of s.tiers) tier.points = Math.round(tier.points * 1.2);
    else if (s.kind === "bands") for (const band of s.bands) band.points = Math.round(band.points * 1.2);
  }
  return candidate;
}

describe("scoring a cohort on both cores", () => {
  it("gives every row of every example standard the one-thread figures, with the worker taking part", async () => {
    expect(await scoringWorkerReady()).toBe(true);
    for (const { doc } of loadStandards()) {
      const date = doc.effectiveFrom ?? "2024-01-01";
      const cohort = generateCohortColumns(doc, 6_000, "parallel-test", { referenceDate: date });
      for (const program of doc.programs) {
        const expected = oneThread(doc, program.id, cohort, date);
        const scorer = new CohortScorer(doc, program.id, cohort, date);
        let workerChunks = 0;
        // The worker binds on its first task and may join late: it must have scored some rows within a few runs.
        for (let run = 0; run < 40 && workerChunks === 0; run++) {
          const scores = scorer.scoreAll({ worker: true, chunkSize: 64 });
          expect(Array.from(scores.total)).toEqual(Array.from(expected.total));
          expect(Array.from(scores.flags)).toEqual(Array.from(expected.flags));
          workerChunks += scores.workerChunks;
        }
        expect(workerChunks, `${doc.id} ${program.id}`).toBeGreaterThan(0);
      }
    }
  });

  it("scores on the main thread alone when the worker is turned off", async () => {
    await stopScoringWorker();
    process.env.JIFEN_SCORING_WORKER = "0";
    const { doc } = loadStandards()[0];
    const date = doc.effectiveFrom ?? "2024-01-01";
    const cohort = generateCohortColumns(doc, 3_000, "parallel-off", { referenceDate: date });
    const scores = new CohortScorer(doc, doc.programs[0].id, cohort, date).scoreAll({ worker: true, chunkSize: 64 });
    expect(scores.workerChunks).toBe(0);
    expect(Array.from(scores.total)).toEqual(Array.from(oneThread(doc, doc.programs[0].id, cohort, date).total));
    delete process.env.JIFEN_SCORING_WORKER;
    await stopScoringWorker();
  });

  it("keeps the cohort's values when its columns move to shared memory", () => {
    const { doc } = loadStandards()[0];
    const date = doc.effectiveFrom ?? "2024-01-01";
    const cohort = generateCohortColumns(doc, 500, "parallel-share", { referenceDate: date });
    const shared = shareCohort(cohort);
    for (let i = 0; i < cohort.size; i++) expect(cohortRow(shared, i)).toEqual(cohortRow(cohort, i));
  });

  it("ranks a cohort from both cores as from decoded rows", async () => {
    expect(await scoringWorkerReady()).toBe(true);
    const { doc } = loadStandards()[0];
    const date = doc.effectiveFrom ?? "2024-01-01";
    const program = doc.programs.find((p) => p.allocation.kind === "quota") ?? doc.programs[0];
    const cohort = generateCohortColumns(doc, 51_000, "parallel-rank", { referenceDate: date });
    const decoded = { ids: cohort.ids, rows: Array.from({ length: cohort.size }, (_, i) => cohortRow(cohort, i)) };
    const itemIds = doc.items.map((item) => item.id);
    const categoryIds = doc.categories.map((category) => category.id);
    const fromColumns = new RankColumnsBuilder(doc, program.id, itemIds, categoryIds, cohort.size, date);
    const fromRows = new RankColumnsBuilder(doc, program.id, itemIds, categoryIds, cohort.size, date);
    expect(fromColumns.readsOnlyTotals()).toBe(true);
    scoreCohortInto(fromColumns, doc, program.id, cohort, date, undefined, true);
    scoreCohortInto(fromRows, doc, program.id, decoded, date);
    expect(fromColumns.finish(cohort.ids)).toEqual(fromRows.finish(cohort.ids));
  });

  it("scores a what-if's two versions on both cores exactly as on one thread, for every example standard", async () => {
    expect(await scoringWorkerReady()).toBe(true);
    for (const { doc } of loadStandards()) {
      const date = doc.effectiveFrom ?? "2024-01-01";
      const candidate = revised(doc);
      const cohort = generateCohortColumns(doc, 5_000, "parallel-whatif", { referenceDate: date });
      for (const program of doc.programs) {
        const expected = new WhatIfScorer(doc, candidate, program.id, cohort, date, false).scoreAll({ worker: false, chunkSize: 64 });
        expect(expected.changes.length, `${doc.id} ${program.id}: the revision changes some points`).toBeGreaterThan(0);
        const scorer = new WhatIfScorer(doc, candidate, program.id, cohort, date, true);
        let workerChunks = 0;
        for (let run = 0; run < 40 && workerChunks === 0; run++) {
          const scores = scorer.scoreAll({ worker: true, chunkSize: 64 });
          for (const column of ["totalBefore", "totalAfter", "flagsBefore", "flagsAfter", "changeStart", "blockSums"] as const) {
            expect(Array.from(scores[column]), `${doc.id} ${program.id} ${column}`).toEqual(Array.from(expected[column]));
          }
          for (const part of ["item", "before", "after"] as const) {
            expect(Array.from(scores.changes[part].subarray(0, scores.changes.length))).toEqual(Array.from(expected.changes[part].subarray(0, expected.changes.length)));
          }
          workerChunks += scores.workerChunks;
        }
        expect(workerChunks, `${doc.id} ${program.id}`).toBeGreaterThan(0);
      }
    }
  });

  it("gives a what-if from both cores the result of one from decoded rows", async () => {
    expect(await scoringWorkerReady()).toBe(true);
    const { doc } = loadStandards()[0];
    const date = doc.effectiveFrom ?? "2024-01-01";
    const program = doc.programs.find((p) => p.allocation.kind === "quota") ?? doc.programs[0];
    // Its ranking reads totals and facts only, so the what-if scores on both cores.
    expect(new RankColumnsBuilder(doc, program.id, [], [], 0, date).readsOnlyTotals()).toBe(true);
    const cohort = generateCohortColumns(doc, 51_000, "parallel-whatif-large", { referenceDate: date });
    const decoded = { ids: cohort.ids, rows: Array.from({ length: cohort.size }, (_, i) => cohortRow(cohort, i)) };
    const input = { baseline: doc, candidate: revised(doc), programId: program.id, quotas: { "*": 500 }, date, groupBy: [doc.facts.find((f) => f.type === "enum")!.id] };
    const fromColumns = simulate({ ...input, cohort, bothCores: true });
    const fromRows = simulate({ ...input, cohort: decoded });
    expect(fromColumns.summary.applicantsWithChangedTotal).toBeGreaterThan(0);
    expect(fromColumns.summary).toEqual(fromRows.summary);
    const { ids: _columnIds, ...columns } = fromColumns.columns;
    const { ids: _rowIds, ...rowColumns } = fromRows.columns;
    expect(columns).toEqual(rowColumns);
  });

  it("is a mechanism that names no stage: its modules import nothing of the engine outside engine/parallel", () => {
    const dir = new URL("./", import.meta.url);
    const sources = readdirSync(dir).filter((name) => /\.(ts|mjs)$/.test(name) && !name.endsWith(".test.ts"));
    expect(sources).toContain("parallel-worker.ts");
    for (const name of sources) {
      const text = readFileSync(new URL(name, dir), "utf8");
      const imports = [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((match) => match[1]);
      for (const specifier of imports) expect(specifier, `${name} imports ${specifier}`).toMatch(/^(node:|tsx\/|\.\/)/);
    }
  });
});
