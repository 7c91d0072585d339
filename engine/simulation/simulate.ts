/**
 * What-if simulation (OpenFisca's reform over a population): score a cohort under a baseline and a candidate
 * version of a standard, allocate both, and diff the outcomes.
 *
 * Built for 1M applicants: both versions score each row in one pass (so item points are compared on the spot and
 * only the changed ones are kept, in packed arrays), on both cores for large columnar cohorts (engine/parallel.ts,
 * engine/whatif-chunks.ts); ranking runs over typed arrays (`allocateColumns`, one numeric sort of packed keys),
 * the two versions' at once; everything per applicant lives in typed columns. `applicantChange(result, i)` turns
 * one row into an object when it is needed.
 */
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import { compileProgram, type CompiledProgram } from "../scoring/compiled";
import { idOrderOf, OUTCOME, reasonOfOutcome, type NotAdmittedReason, type PoolAllocation } from "../allocation/rank";
import { categoricalCodes, cohortFromRows, type Cohort } from "../cohorts/cohort";
import { findProgram } from "../scoring/reference";
import { cohortFactsReader, cohortSize, compactRowScorer, RankColumnsBuilder, rankFactsReader, type CohortSource } from "../cohorts/cohort-score";
import { allocatePair } from "../allocation/allocate-pair";
import { PARALLEL_MIN_ROWS } from "../parallel/parallel";
import { WhatIfScorer } from "./whatif-scorer";
import { bindWhatIf, ChangeLog, foldBlockSums, ItemDiff, itemUnion, sumBlocks, SUM_BLOCK, type ItemUnion } from "./whatif-chunks";

export interface SimulationInput {
  baseline: StandardDocument;
  candidate: StandardDocument;
  programId: Id;
  cohort: CohortSource;
  /** Places per pool ("*" = every pool without its own entry). */
  quotas: Record<string, number>;
  date: IsoDate;
  /** Lottery seed (else each version's program `lotterySeed`). */
  seed?: string;
  /** Categorical facts to break the impact down by (enum, boolean, string, date facts of the cohort). */
  groupBy?: Id[];
  /** Called every `progressEvery` rows while scoring and once at the end. */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
  /** Filled with the milliseconds spent in each phase (benchmarks). */
  timings?: { scoreMs?: number; allocateMs?: number; diffMs?: number };
  /**
   * Score on both cores (engine/parallel.ts): by default from PARALLEL_MIN_ROWS applicants of a columnar
   * cohort whose ranking reads only totals and facts; true or false decides it whatever the size.
   */
  bothCores?: boolean;
  /** Evaluators to use instead of compiling (benchmarks that compile once). */
  compiled?: { baseline: CompiledProgram; candidate: CompiledProgram };
}

export interface PoolShift {
  pool: string;
  placesBefore: number | null;
  placesAfter: number | null;
  admittedBefore: number;
  admittedAfter: number;
  cutoffBefore: number | null;
  cutoffAfter: number | null;
  /** cutoffAfter − cutoffBefore when both exist. */
  cutoffShift: number | null;
}

export interface RankChangeBucket {
  label: string;
  /** Inclusive bounds of (rank after − rank before); null = open. Negative = moved up. */
  from: number | null;
  to: number | null;
  count: number;
}

export interface ItemImpact {
  id: Id;
  /** In both versions, or only in one. */
  presence: "both" | "added" | "removed";
  totalBefore: number;
  totalAfter: number;
  meanBefore: number;
  meanAfter: number;
  /** Applicants whose points for this item changed. */
  changedApplicants: number;
}

export interface GroupImpact {
  fact: Id;
  values: Array<{
    value: string;
    applicants: number;
    admittedBefore: number;
    admittedAfter: number;
    meanTotalBefore: number;
    meanTotalAfter: number;
    meanChange: number;
  }>;
}

export interface SimulationSummary {
  programId: Id;
  date: IsoDate;
  applicants: number;
  admittedBefore: number;
  admittedAfter: number;
  /** Admitted after, not before (ids in cohort order). */
  entered: string[];
  /** Admitted before, not after. */
  left: string[];
  meanTotalBefore: number;
  meanTotalAfter: number;
  applicantsWithChangedTotal: number;
  pools: PoolShift[];
  rankChanges: RankChangeBucket[];
  /** Ranked before, not after (now ineligible, vetoed or below the minimum), and the reverse. */
  noLongerRanked: number;
  newlyRanked: number;
  items: ItemImpact[];
  groups: GroupImpact[];
}

/** Per-applicant outcome columns (index = cohort row). */
export interface SimulationColumns {
  ids: ArrayLike<string>;
  totalBefore: Float64Array;
  totalAfter: Float64Array;
  /** 1-based rank in pool, 0 = not ranked. */
  rankBefore: Int32Array;
  rankAfter: Int32Array;
  /** OUTCOME codes of engine/rank. */
  outcomeBefore: Uint8Array;
  outcomeAfter: Uint8Array;
  /** Item ids of both versions (baseline order, then items only in the candidate). */
  itemIds: Id[];
  /** Changed items of row i are entries changeStart[i] … changeStart[i+1]−1. */
  changeStart: Int32Array;
  changeItem: Int32Array;
  changeBefore: Float64Array;
  changeAfter: Float64Array;
  /** Pool of each row under each version (an index into the version's pool names; "*" when the program has none). */
  poolBefore: Int32Array;
  poolAfter: Int32Array;
  poolNamesBefore: readonly string[];
  poolNamesAfter: readonly string[];
}

export interface SimulationResult {
  summary: SimulationSummary;
  columns: SimulationColumns;
}

export interface ApplicantChange {
  id: string;
  totalBefore: number;
  totalAfter: number;
  rankBefore: number | null;
  rankAfter: number | null;
  admittedBefore: "round1" | "round2" | null;
  admittedAfter: "round1" | "round2" | null;
  reasonBefore?: NotAdmittedReason;
  reasonAfter?: NotAdmittedReason;
  items: Array<{ id: Id; before: number; after: number }>;
}

const RANK_BUCKETS: Array<[string, number | null, number | null]> = [
  ["≤ −1000", null, -1000],
  ["−999 … −100", -999, -100],
  ["−99 … −10", -99, -10],
  ["−9 … −1", -9, -1],
  ["0", 0, 0],
  ["1 … 9", 1, 9],
  ["10 … 99", 10, 99],
  ["100 … 999", 100, 999],
  ["≥ 1000", 1000, null],
];

function bucketOf(delta: number): number {
  if (delta <= -1000) return 0;
  if (delta <= -100) return 1;
  if (delta <= -10) return 2;
  if (delta <= -1) return 3;
  if (delta === 0) return 4;
  if (delta <= 9) return 5;
  if (delta <= 99) return 6;
  if (delta <= 999) return 7;
  return 8;
}

const admittedCode = (code: number) => code === OUTCOME.round1 || code === OUTCOME.round2;

/** Score both versions, allocate both, and diff (see module comment). */
export function simulate(input: SimulationInput): SimulationResult {
  const { baseline, candidate, programId, cohort, quotas, date } = input;
  // A columnar cohort is scored from its columns (below): the object evaluators are then needed for their ids only.
  const columnar = !("rows" in cohort) && !input.compiled;
  const idsOnly = (doc: StandardDocument, id: Id): CompiledProgram => {
    findProgram(doc, id);
    const unused = () => {
      throw new Error("not compiled");
    };
    return { standardId: doc.id, programId: id, itemIds: doc.items.map((item) => item.id), categoryIds: doc.categories.map((category) => category.id), score: unused };
  };
  const compiledBaseline = input.compiled?.baseline ?? (columnar ? idsOnly(baseline, programId) : compileProgram(baseline, programId));
  const compiledCandidate = input.compiled?.candidate ?? (columnar ? idsOnly(candidate, programId) : compileProgram(candidate, programId));
  const size = cohortSize(cohort);
  const ids = "rows" in cohort ? cohort.ids : cohort.ids;
  const before = new RankColumnsBuilder(baseline, programId, compiledBaseline.itemIds, compiledBaseline.categoryIds, size, date);
  const after = new RankColumnsBuilder(candidate, programId, compiledCandidate.itemIds, compiledCandidate.categoryIds, size, date);

  const union = itemUnion(compiledBaseline.itemIds, compiledCandidate.itemIds);
  const { itemIds } = union;
  const startedAt = performance.now();
  // A columnar cohort whose ranking reads only totals and facts is scored chunk by chunk, on both cores if large.
  const chunked = columnar && before.readsOnlyTotals() && after.readsOnlyTotals();
  const bothCores = chunked && (input.bothCores ?? size >= PARALLEL_MIN_ROWS);
  const scored = chunked ? scoreInChunks(input, cohort as Cohort, before, after, bothCores) : scoreRowByRow(input, union, compiledBaseline, compiledCandidate, before, after);
  const { changeStart, changes } = scored;
  const itemSums = foldBlockSums(scored.blockSums, itemIds.length);
  const itemChanged = new Int32Array(itemIds.length);
  for (let e = 0; e < changes.length; e++) itemChanged[changes.item[e]]++;

  const scoredAt = performance.now();
  const idOrder = idOrderOf(ids);
  const columnsBefore = before.finish(ids, idOrder);
  const columnsAfter = after.finish(ids, idOrder);
  // Both at once: the candidate's on the scoring worker when it can (engine/parallel.ts).
  const [allocatedBefore, allocatedAfter] = allocatePair(
    { program: before.program, columns: columnsBefore, quotas, seed: input.seed },
    { program: after.program, columns: columnsAfter, quotas, seed: input.seed },
    bothCores,
  );

  const allocatedAt = performance.now();
  const columns: SimulationColumns = {
    ids,
    totalBefore: columnsBefore.total,
    totalAfter: columnsAfter.total,
    rankBefore: allocatedBefore.rank,
    rankAfter: allocatedAfter.rank,
    outcomeBefore: allocatedBefore.outcome,
    outcomeAfter: allocatedAfter.outcome,
    itemIds,
    changeStart,
    changeItem: changes.item.subarray(0, changes.length),
    changeBefore: changes.before.subarray(0, changes.length),
    changeAfter: changes.after.subarray(0, changes.length),
    poolBefore: columnsBefore.poolCodes,
    poolAfter: columnsAfter.poolCodes,
    poolNamesBefore: columnsBefore.poolNames,
    poolNamesAfter: columnsAfter.poolNames,
  };

  const result = simulationResult({
    programId,
    date,
    cohort,
    groupBy: input.groupBy,
    union,
    columns,
    poolsBefore: allocatedBefore.pools,
    poolsAfter: allocatedAfter.pools,
    itemSums,
    itemChanged,
  });
  if (input.timings) {
    input.timings.scoreMs = scoredAt - startedAt;
    input.timings.allocateMs = allocatedAt - scoredAt;
    input.timings.diffMs = performance.now() - allocatedAt;
  }
  return result;
}

/** What a what-if has computed when both versions are scored and allocated (`simulationResult` diffs it). */
export interface SimulationParts {
  programId: Id;
  date: IsoDate;
  cohort: CohortSource;
  groupBy?: Id[];
  union: ItemUnion;
  columns: SimulationColumns;
  poolsBefore: PoolAllocation[];
  poolsAfter: PoolAllocation[];
  /** Per union item: the sum of its points over the cohort (added per block of SUM_BLOCK rows, folded in order). */
  itemSums: { before: Float64Array; after: Float64Array };
  /** Per union item: applicants whose points for it changed. */
  itemChanged: Int32Array;
}

/** The summary of a what-if from its columns and allocations (the what-if session shares it). */
export function simulationResult(parts: SimulationParts): SimulationResult {
  const { programId, date, cohort, columns, union, itemSums, itemChanged } = parts;
  const { itemIds, beforeSlot, afterSlot } = union;
  const size = columns.totalBefore.length;
  const { entered, left, histogram, newlyRanked, noLongerRanked, sumBefore, sumAfter, changedTotals, admittedBefore, admittedAfter } = compareRows(columns);

  const items: ItemImpact[] = itemIds.map((id, k) => ({
    id,
    presence: beforeSlot[k] >= 0 && afterSlot[k] >= 0 ? "both" : beforeSlot[k] >= 0 ? "removed" : "added",
    totalBefore: itemSums.before[k],
    totalAfter: itemSums.after[k],
    meanBefore: size ? itemSums.before[k] / size : 0,
    meanAfter: size ? itemSums.after[k] / size : 0,
    changedApplicants: itemChanged[k],
  }));

  const summary: SimulationSummary = {
    programId,
    date,
    applicants: size,
    admittedBefore,
    admittedAfter,
    entered,
    left,
    meanTotalBefore: size ? sumBefore / size : 0,
    meanTotalAfter: size ? sumAfter / size : 0,
    applicantsWithChangedTotal: changedTotals,
    pools: poolShifts(parts.poolsBefore, parts.poolsAfter),
    rankChanges: RANK_BUCKETS.map(([label, from, to], b) => ({ label, from, to, count: histogram[b] })),
    noLongerRanked,
    newlyRanked,
    items,
    groups: (parts.groupBy ?? []).map((fact) => groupImpact(fact, cohort, columns)),
  };
  return { summary, columns };
}

interface ScoredVersions {
  changeStart: Int32Array;
  changes: { item: Int32Array; before: Float64Array; after: Float64Array; length: number };
  /** Per block of SUM_BLOCK rows (engine/whatif-chunks.ts). */
  blockSums: Float64Array;
}

/**
 * A columnar cohort whose ranking reads only totals and facts: both versions scored chunk by chunk
 * (engine/parallel.ts, with the worker when `worker`), then the rows added to the ranking columns in order.
 */
function scoreInChunks(input: SimulationInput, cohort: Cohort, before: RankColumnsBuilder, after: RankColumnsBuilder, worker: boolean): ScoredVersions {
  const size = cohort.size;
  const scorer = new WhatIfScorer(input.baseline, input.candidate, input.programId, cohort, input.date, worker);
  const every = input.progressEvery ?? 50_000;
  let reported = 0;
  const scored = scorer.scoreAll({
    worker,
    onChunk: (rows) => {
      if (!input.onProgress || rows - reported < every) return;
      reported = rows;
      input.onProgress(rows, size);
    },
  });
  const readFacts = rankFactsReader(cohort, [...new Set([...before.factIdsRead(), ...after.factIdsRead()])]);
  before.addTotals(scored.totalBefore, scored.flagsBefore, readFacts);
  after.addTotals(scored.totalAfter, scored.flagsAfter, readFacts);
  input.onProgress?.(size, size);
  return scored;
}

/**
 * Any other cohort, row by row on this thread: a columnar cohort from its columns (each score a view over its
 * evaluator's scratch, with the derived facts ranking may read), applicants as objects through the compiled evaluators.
 */
function scoreRowByRow(
  input: SimulationInput,
  union: ItemUnion,
  compiledBaseline: CompiledProgram,
  compiledCandidate: CompiledProgram,
  before: RankColumnsBuilder,
  after: RankColumnsBuilder,
): ScoredVersions {
  const { cohort, date } = input;
  const size = cohortSize(cohort);
  const every = input.progressEvery ?? 50_000;
  const changeStart = new Int32Array(size + 1);
  const changes = new ChangeLog();
  const diff = new ItemDiff(union, changes);
  const blockSums = new Float64Array(2 * union.itemIds.length * sumBlocks(size));
  const pair = "rows" in cohort || input.compiled ? undefined : bindWhatIf(input.baseline, input.candidate, input.programId, cohort, date);
  const readFacts = pair
    ? rankFactsReader(cohort as Cohort, [...new Set([...before.factIdsRead(), ...after.factIdsRead()])])
    : cohortFactsReader(cohort, { reuse: true });
  const pointsA = pair ? pair.baseline.items : new Float64Array(compiledBaseline.itemIds.length);
  const pointsB = pair ? pair.candidate.items : new Float64Array(compiledCandidate.itemIds.length);
  const scoreBaseline = pair && compactRowScorer(pair.baseline);
  const scoreCandidate = pair && compactRowScorer(pair.candidate);
  for (let i = 0; i < size; i++) {
    const facts = readFacts(i);
    if (pair) {
      before.add(i, facts, scoreBaseline!(i), pair.baseline.derived);
      // After the baseline: the candidate may read the baseline's derived facts of this row.
      after.add(i, facts, scoreCandidate!(i), pair.candidate.derived);
    } else {
      const a = compiledBaseline.score(facts, date);
      const b = compiledCandidate.score(facts, date);
      before.add(i, facts, a);
      after.add(i, facts, b);
      pointsA.set(a.items);
      pointsB.set(b.items);
    }
    changeStart[i] = changes.length;
    diff.row(pointsA, pointsB);
    if ((i + 1) % SUM_BLOCK === 0 || i + 1 === size) diff.endBlock(blockSums, Math.floor(i / SUM_BLOCK));
    if (input.onProgress && (i + 1) % every === 0) input.onProgress(i + 1, size);
  }
  changeStart[size] = changes.length;
  input.onProgress?.(size, size);
  return { changeStart, changes, blockSums };
}

/** One pass over both outcomes of every row: who entered or left, rank changes, totals (a function of its own, see engine/rank.ts). */
function compareRows(columns: SimulationColumns) {
  const { ids, outcomeBefore, outcomeAfter, rankBefore, rankAfter, totalBefore, totalAfter } = columns;
  const entered: string[] = [];
  const left: string[] = [];
  const histogram = new Float64Array(RANK_BUCKETS.length);
  let newlyRanked = 0;
  let noLongerRanked = 0;
  let sumBefore = 0;
  let sumAfter = 0;
  let changedTotals = 0;
  let admittedBefore = 0;
  let admittedAfter = 0;
  for (let i = 0; i < totalBefore.length; i++) {
    const wasIn = admittedCode(outcomeBefore[i]);
    const isIn = admittedCode(outcomeAfter[i]);
    if (wasIn) admittedBefore++;
    if (isIn) admittedAfter++;
    if (isIn && !wasIn) entered.push(ids[i]);
    else if (wasIn && !isIn) left.push(ids[i]);
    const rb = rankBefore[i];
    const ra = rankAfter[i];
    if (rb > 0 && ra > 0) histogram[bucketOf(ra - rb)]++;
    else if (rb > 0) noLongerRanked++;
    else if (ra > 0) newlyRanked++;
    const tb = totalBefore[i];
    const ta = totalAfter[i];
    sumBefore += tb;
    sumAfter += ta;
    if (tb !== ta) changedTotals++;
  }
  return { entered, left, histogram, newlyRanked, noLongerRanked, sumBefore, sumAfter, changedTotals, admittedBefore, admittedAfter };
}

export function poolShifts(before: PoolAllocation[], after: PoolAllocation[]): PoolShift[] {
  const byPool = new Map<string, { before?: PoolAllocation; after?: PoolAllocation }>();
  for (const pool of before) byPool.set(pool.pool, { before: pool });
  for (const pool of after) byPool.set(pool.pool, { ...byPool.get(pool.pool), after: pool });
  return [...byPool.keys()].sort().map((pool) => {
    const { before: b, after: a } = byPool.get(pool)!;
    const cutoffBefore = b?.cutoffTotal ?? null;
    const cutoffAfter = a?.cutoffTotal ?? null;
    return {
      pool,
      placesBefore: b?.places ?? null,
      placesAfter: a?.places ?? null,
      admittedBefore: b ? b.admittedRound1 + b.admittedRound2 : 0,
      admittedAfter: a ? a.admittedRound1 + a.admittedRound2 : 0,
      cutoffBefore,
      cutoffAfter,
      cutoffShift: cutoffBefore !== null && cutoffAfter !== null ? cutoffAfter - cutoffBefore : null,
    };
  });
}

function groupImpact(fact: Id, source: CohortSource, columns: SimulationColumns): GroupImpact {
  const cohort: Cohort =
    "rows" in source
      ? cohortFromRows([{ id: fact, type: "string", label: { zh: fact, en: fact } }], source.ids, source.rows.map((r) => ({ [fact]: r[fact] })))
      : source;
  const { codes, labels } = categoricalCodes(cohort, fact);
  const count = new Float64Array(labels.length);
  const inBefore = new Float64Array(labels.length);
  const inAfter = new Float64Array(labels.length);
  const sumBefore = new Float64Array(labels.length);
  const sumAfter = new Float64Array(labels.length);
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i];
    count[g]++;
    if (admittedCode(columns.outcomeBefore[i])) inBefore[g]++;
    if (admittedCode(columns.outcomeAfter[i])) inAfter[g]++;
    sumBefore[g] += columns.totalBefore[i];
    sumAfter[g] += columns.totalAfter[i];
  }
  const values = labels
    .map((value, g) => ({
      value,
      applicants: count[g],
      admittedBefore: inBefore[g],
      admittedAfter: inAfter[g],
      meanTotalBefore: count[g] ? sumBefore[g] / count[g] : 0,
      meanTotalAfter: count[g] ? sumAfter[g] / count[g] : 0,
      meanChange: count[g] ? (sumAfter[g] - sumBefore[g]) / count[g] : 0,
    }))
    .filter((v) => v.applicants > 0)
    .sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
  return { fact, values };
}

/** One row of the simulation as an object. */
export function applicantChange(result: SimulationResult, i: number): ApplicantChange {
  const c = result.columns;
  const admitted = (code: number) => (code === OUTCOME.round1 ? "round1" : code === OUTCOME.round2 ? "round2" : null);
  const change: ApplicantChange = {
    id: c.ids[i],
    totalBefore: c.totalBefore[i],
    totalAfter: c.totalAfter[i],
    rankBefore: c.rankBefore[i] || null,
    rankAfter: c.rankAfter[i] || null,
    admittedBefore: admitted(c.outcomeBefore[i]),
    admittedAfter: admitted(c.outcomeAfter[i]),
    items: [],
  };
  const reasonBefore = reasonOfOutcome(c.outcomeBefore[i]);
  const reasonAfter = reasonOfOutcome(c.outcomeAfter[i]);
  if (reasonBefore) change.reasonBefore = reasonBefore;
  if (reasonAfter) change.reasonAfter = reasonAfter;
  for (let e = c.changeStart[i]; e < c.changeStart[i + 1]; e++) {
    change.items.push({ id: c.itemIds[c.changeItem[e]], before: c.changeBefore[e], after: c.changeAfter[e] });
  }
  return change;
}
