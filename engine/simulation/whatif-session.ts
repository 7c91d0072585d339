/**
 * An incremental what-if (issue 24, part 4): a baseline version scored once over a cohort, then any number of
 * candidate versions run against it, each as cheaply as its differences allow. `run` answers what the levers and
 * the goal search read (admitted in and out, the cut-off of each pool before and after, the admitted per group of
 * one fact) and, on request, the whole simulation (`details`), the same as `simulate` gives for the same inputs.
 *
 * Decision 044 describes when a run is incremental and when it falls back to scoring every item again.
 */
import type { Id, IsoDate, Program, StandardDocument } from "../../rules-schema/types";
import { allocateColumns, idOrderOf, OUTCOME, type AllocationColumns, type RankColumns } from "../allocation/rank";
import { categoricalCodes, cohortFromRows, type Cohort } from "../cohorts/cohort";
import { rankFactsReader, RankColumnsBuilder, type CohortSource } from "../cohorts/cohort-score";
import { findProgram } from "../scoring/reference";
import { poolShifts, simulate, simulationResult, type PoolShift, type SimulationColumns, type SimulationResult } from "./simulate";
import { itemUnion, SUM_BLOCK } from "./whatif-chunks";
import {
  categorySubtotals,
  changedItemsScorer,
  closeOverGroups,
  pointsAfterGroups,
  conditionProbe,
  numericValues,
  pointsFromValues,
  pointsOnlyChange,
  remapPoints,
  valueOnlyChange,
  scoreBaseline,
  totalsBeforeBounds,
  totalsByDifference,
  totalsFromSubtotals,
  totalsLayout,
  totalsNotIncremental,
  type ScoredBaseline,
  type TotalsBeforeBounds,
  type TotalsLayout,
} from "./whatif-incremental";

export interface WhatIfSessionOptions {
  programId: Id;
  /** Places per pool ("*" = every pool without its own entry). */
  quotas: Record<string, number>;
  date: IsoDate;
  /** Lottery seed (else each version's program `lotterySeed`). */
  seed?: string;
  /** A categorical fact of the cohort (enum, boolean, string, date): each run counts the admitted per value of it. */
  groupBy?: Id;
}

export interface WhatIfGroupCount {
  value: string;
  applicants: number;
  admittedBefore: number;
  admittedAfter: number;
}

export interface WhatIfOutcome {
  /** "incremental": only the changed items were scored again; "full": every item was (`fullReason` says why). */
  mode: "incremental" | "full";
  fullReason?: string;
  /** Items whose definition differs between the baseline and the candidate (added and removed ones too). */
  changedItems: Id[];
  applicants: number;
  admittedBefore: number;
  admittedAfter: number;
  /** Admitted under the candidate, not under the baseline. */
  enteredCount: number;
  /** Admitted under the baseline, not under the candidate. */
  leftCount: number;
  /** Per pool: places, admitted and cut-off under each version (as `simulate`'s summary). */
  pools: PoolShift[];
  /** Per value of the session's `groupBy` fact (sorted by value; empty without one). */
  groups: WhatIfGroupCount[];
  /** With `details`: the result `simulate` gives for the same baseline, candidate, cohort and options. */
  result?: SimulationResult;
}

export interface WhatIfRunOptions {
  /** Also give the whole simulation (`result`). */
  details?: boolean;
  /** Filled with the milliseconds of an incremental run's phases (benchmarks). */
  timings?: { scoreMs?: number; totalsMs?: number; allocateMs?: number; diffMs?: number };
}

export interface WhatIfSession {
  readonly baseline: StandardDocument;
  readonly applicants: number;
  /** The candidate against the baseline; the baseline itself is not scored again. */
  run(candidate: StandardDocument, options?: WhatIfRunOptions): WhatIfOutcome;
}

function columnar(cohort: CohortSource, doc: StandardDocument): Cohort {
  return "rows" in cohort ? cohortFromRows(doc.facts, cohort.ids, cohort.rows) : cohort;
}

/** Items whose JSON differs, in the baseline's order, then items only in the candidate. */
export function changedItemIds(baseline: StandardDocument, candidate: StandardDocument): Id[] {
  const before = new Map(baseline.items.map((item) => [item.id, JSON.stringify(item)]));
  const after = new Map(candidate.items.map((item) => [item.id, JSON.stringify(item)]));
  const changed = baseline.items.filter((item) => after.get(item.id) !== before.get(item.id)).map((item) => item.id);
  for (const item of candidate.items) if (!before.has(item.id)) changed.push(item.id);
  return changed;
}

/** The baseline as a session keeps it: item columns, category subtotals, ranking columns and its allocation. */
interface SessionBaseline {
  scored: ScoredBaseline;
  layout: TotalsLayout;
  /** Per category (first slots; others unused): the subtotal before its cap, per row. */
  subtotals: Float64Array[];
  bounds: TotalsBeforeBounds;
  rank: RankColumns;
  allocation: AllocationColumns;
}

const json = (value: unknown) => JSON.stringify(value ?? null);

function forProgram<T extends { programs?: Id[] }>(entries: T[] | undefined, programId: Id): T[] {
  return (entries ?? []).filter((entry) => !entry.programs || entry.programs.includes(programId));
}

/** What ranking reads besides the totals: the pools, keys and one-per-key fact (equal ones let a run reuse the baseline's columns). */
function rankingShape(program: Program): string {
  const a = program.allocation;
  return a.kind === "quota" ? json([a.kind, a.poolBy, a.rankBy, a.tieBreak, a.oneAdmittedPer]) : json([a.kind]);
}

function programWithout(program: Program): string {
  const { allocation: _allocation, total: _total, ...rest } = program;
  return json(rest);
}

/** How a candidate is run incrementally: its changed items and the categories whose subtotals they touch. */
type RunPlan = { changed: number[]; touched: Set<number>; layout: TotalsLayout; program: Program } | { reason: string };

function planRun(baselineDoc: StandardDocument, base: SessionBaseline, candidate: StandardDocument, programId: Id): RunPlan {
  const reason = totalsNotIncremental(candidate, programId);
  if (reason) return { reason };
  const keys = ["formatVersion", "facts", "lists", "derived", "persons"] as const;
  if (keys.some((key) => json(baselineDoc[key]) !== json(candidate[key]))) return { reason: "the facts, lists or derived facts differ" };
  if (json(forProgram(baselineDoc.gates, programId)) !== json(forProgram(candidate.gates, programId))) return { reason: "the eligibility conditions differ" };
  if (json(forProgram(baselineDoc.vetoes, programId)) !== json(forProgram(candidate.vetoes, programId))) return { reason: "the vetoes differ" };
  const before = baselineDoc.items;
  const after = candidate.items;
  const sameItems =
    before.length === after.length &&
    before.every((item, k) => item.id === after[k].id && item.category === after[k].category && json(item.programs) === json(after[k].programs));
  if (!sameItems) return { reason: "items were added, removed, moved or given another category or programs" };
  if (json(baselineDoc.categories.map((c) => c.id)) !== json(candidate.categories.map((c) => c.id))) return { reason: "the categories differ" };
  const baseProgram = findProgram(baselineDoc, programId);
  const program = findProgram(candidate, programId);
  if (programWithout(baseProgram) !== programWithout(program) || rankingShape(baseProgram) !== rankingShape(program)) {
    return { reason: "the program's persons or ranking keys differ" };
  }
  const layout = totalsLayout(candidate, programId);
  const changed: number[] = [];
  before.forEach((item, k) => {
    if (json(item) !== json(after[k])) changed.push(k);
  });
  const touched = new Set<number>();
  for (const k of changed) if (layout.applicable[k] && layout.itemCategory[k] >= 0) touched.add(layout.itemCategory[k]);
  const groupsBefore = base.layout.groups;
  const groupsAfter = layout.groups;
  for (let g = 0; g < Math.max(groupsBefore.length, groupsAfter.length); g++) {
    if (json(groupsBefore[g]) === json(groupsAfter[g])) continue;
    for (const group of [groupsBefore[g], groupsAfter[g]]) {
      for (const member of group?.members ?? []) if (layout.itemCategory[member] >= 0) touched.add(layout.itemCategory[member]);
    }
  }
  closeOverGroups(layout, touched);
  closeOverGroups(base.layout, touched);
  closeOverGroups(layout, touched);
  return { changed, touched, layout, program };
}

/** Scores `baseline` over `cohort` once; see the module comment. */
export function createWhatIfSession(baselineDoc: StandardDocument, cohortSource: CohortSource, options: WhatIfSessionOptions): WhatIfSession {
  const cohort = columnar(cohortSource, baselineDoc);
  const { programId, quotas, date, seed } = options;
  const size = cohort.size;
  const groups = options.groupBy ? categoricalCodes(cohort, options.groupBy) : undefined;
  const prepared = prepareBaseline(baselineDoc, cohort, options);
  const base = "reason" in prepared ? undefined : prepared;

  /** Per item, once per session: whether its condition and vesting hold on each row (1 or 0). */
  const holds = new Map<number, Float64Array>();
  const conditionHolds = (k: number): Float64Array => {
    let column = holds.get(k);
    if (!column) {
      const probe = { ...baselineDoc, items: baselineDoc.items.map((item, index) => (index === k ? conditionProbe(item) : item)) };
      const into: Float64Array[] = [];
      into[k] = column = new Float64Array(size);
      changedItemsScorer(probe, programId, [k], cohort, date, base!.scored.derivedColumns)(into);
      holds.set(k, column);
    }
    return column;
  };

  const full = (candidate: StandardDocument, fullReason: string, details: boolean | undefined): WhatIfOutcome => {
    const result = simulate({ baseline: baselineDoc, candidate, programId, cohort, quotas, date, seed, groupBy: options.groupBy ? [options.groupBy] : [], bothCores: false });
    return outcomeOf(result, changedItemIds(baselineDoc, candidate), groups, "full", fullReason, details);
  };

  const run = (candidate: StandardDocument, runOptions: WhatIfRunOptions = {}): WhatIfOutcome => {
    const startedAt = performance.now();
    if (!base) return full(candidate, (prepared as { reason: string }).reason, runOptions.details);
    const plan = planRun(baselineDoc, base, candidate, programId);
    if ("reason" in plan) return full(candidate, plan.reason, runOptions.details);
    const { changed, touched, layout, program } = plan;
    const raw = base.scored.raw.slice();
    const rescored: number[] = [];
    for (const k of changed) {
      raw[k] = new Float64Array(size);
      const change = pointsOnlyChange(baselineDoc.items[k], candidate.items[k]);
      if (change) {
        remapPoints(change, base.scored.raw[k], raw[k]);
        continue;
      }
      const points = valueOnlyChange(baselineDoc.items[k], candidate.items[k]);
      const scoring = candidate.items[k].scoring;
      const values = points && "fact" in scoring ? numericValues(baselineDoc, scoring.fact, cohort, base.scored.derivedColumns) : undefined;
      if (points && values) pointsFromValues(points, values, conditionHolds(k), raw[k]);
      else rescored.push(k);
    }
    if (rescored.length > 0) changedItemsScorer(candidate, programId, rescored, cohort, date, base.scored.derivedColumns)(raw);
    const scoredAt = performance.now();
    const sameGroups = json(base.layout.groups) === json(layout.groups);
    let total = sameGroups ? totalsByDifference(base.layout, layout, changed, base.scored.raw, raw, base.subtotals, base.scored.total, base.bounds) : undefined;
    if (!total) {
      const subtotals = base.subtotals.slice();
      categorySubtotals(layout, raw, size, touched, subtotals);
      total = new Float64Array(size);
      totalsFromSubtotals(layout, subtotals, size, total);
    }
    const totalledAt = performance.now();
    const totals = total;
    const rank: RankColumns = { ...base.rank, total: totals, keys: base.rank.keys.map((key) => (key === base.rank.total ? totals : key)) };
    const allocation = allocateColumns(program, rank, quotas, { seed });
    const allocatedAt = performance.now();
    const changedItems = changed.map((k) => candidate.items[k].id);
    const outcome = runOptions.details
      ? outcomeOf(detailedResult(baselineDoc, cohort, options, base, { raw, layout, rank, allocation }), changedItems, groups, "incremental", undefined, true)
      : countOutcome(base, allocation, changedItems, groups);
    if (runOptions.timings) {
      Object.assign(runOptions.timings, {
        scoreMs: scoredAt - startedAt,
        totalsMs: totalledAt - scoredAt,
        allocateMs: allocatedAt - totalledAt,
        diffMs: performance.now() - allocatedAt,
      });
    }
    return outcome;
  };
  return { baseline: baselineDoc, applicants: size, run };
}

function prepareBaseline(doc: StandardDocument, cohort: Cohort, options: WhatIfSessionOptions): SessionBaseline | { reason: string } {
  const { programId, quotas, date, seed } = options;
  const reason = totalsNotIncremental(doc, programId);
  if (reason) return { reason };
  const builder = new RankColumnsBuilder(doc, programId, doc.items.map((item) => item.id), doc.categories.map((category) => category.id), cohort.size, date);
  if (!builder.readsOnlyTotals()) return { reason: "the ranking reads item or category points or derived facts" };
  const scored = scoreBaseline(doc, programId, cohort, date);
  if (scored.program.mode !== "columns") return { reason: `the program is scored from decoded rows (${scored.program.fallbackReason ?? ""})` };
  const layout = totalsLayout(doc, programId);
  const size = cohort.size;
  const subtotals: Float64Array[] = [];
  categorySubtotals(layout, scored.raw, size, new Set(layout.firstCategory), subtotals);
  const check = new Float64Array(size);
  totalsFromSubtotals(layout, subtotals, size, check);
  for (let i = 0; i < size; i++) {
    if (!Object.is(check[i], scored.total[i])) return { reason: `the totals re-added from the items differ from the scorer's (row ${i})` };
  }
  builder.addTotals(scored.total, scored.flags, rankFactsReader(cohort, builder.factIdsRead()));
  const rank = builder.finish(cohort.ids, idOrderOf(cohort.ids));
  const allocation = allocateColumns(builder.program, rank, quotas, { seed });
  return { scored, layout, subtotals, bounds: totalsBeforeBounds(layout, subtotals, size), rank, allocation };
}

const admitted = (code: number) => code === OUTCOME.round1 || code === OUTCOME.round2;

function countOutcome(base: SessionBaseline, allocation: AllocationColumns, changedItems: Id[], groups: GroupCodes | undefined): WhatIfOutcome {
  const before = base.allocation.outcome;
  const after = allocation.outcome;
  let enteredCount = 0;
  let leftCount = 0;
  for (let i = 0; i < before.length; i++) {
    const wasIn = before[i] === OUTCOME.round1 || before[i] === OUTCOME.round2;
    const isIn = after[i] === OUTCOME.round1 || after[i] === OUTCOME.round2;
    if (isIn !== wasIn) {
      if (isIn) enteredCount++;
      else leftCount++;
    }
  }
  return {
    mode: "incremental",
    changedItems,
    applicants: before.length,
    admittedBefore: base.allocation.admittedCount,
    admittedAfter: allocation.admittedCount,
    enteredCount,
    leftCount,
    pools: poolShifts(base.allocation.pools, allocation.pools),
    groups: groups ? groupCounts(groups, before, after) : [],
  };
}

/** The whole simulation of an incremental run, as `simulate` gives it. */
function detailedResult(
  doc: StandardDocument,
  cohort: Cohort,
  options: WhatIfSessionOptions,
  base: SessionBaseline,
  after: { raw: Float64Array[]; layout: TotalsLayout; rank: RankColumns; allocation: AllocationColumns },
): SimulationResult {
  const size = cohort.size;
  const itemIds = doc.items.map((item) => item.id);
  const union = itemUnion(itemIds, itemIds);
  const pointsBefore = pointsAfterGroups(base.layout, base.scored.raw, size).points;
  const pointsAfter = pointsAfterGroups(after.layout, after.raw, size).points;
  const itemCount = itemIds.length;
  const changeStart = new Int32Array(size + 1);
  const item: number[] = [];
  const valueBefore: number[] = [];
  const valueAfter: number[] = [];
  const itemChanged = new Int32Array(itemCount);
  for (let i = 0; i < size; i++) {
    changeStart[i] = item.length;
    for (let k = 0; k < itemCount; k++) {
      const b = pointsBefore[k][i];
      const a = pointsAfter[k][i];
      if (b !== a) {
        item.push(k);
        valueBefore.push(b);
        valueAfter.push(a);
        itemChanged[k]++;
      }
    }
  }
  changeStart[size] = item.length;
  // Summed per block of SUM_BLOCK rows and the blocks folded in order, as every what-if adds them up.
  const itemSums = { before: new Float64Array(itemCount), after: new Float64Array(itemCount) };
  for (let k = 0; k < itemCount; k++) {
    for (const [points, sums] of [[pointsBefore, itemSums.before], [pointsAfter, itemSums.after]] as const) {
      const column = points[k];
      let total = 0;
      for (let start = 0; start < size; start += SUM_BLOCK) {
        let block = 0;
        for (let i = start; i < Math.min(size, start + SUM_BLOCK); i++) block += column[i];
        total += block;
      }
      sums[k] = total;
    }
  }
  const columns: SimulationColumns = {
    ids: cohort.ids,
    totalBefore: base.rank.total,
    totalAfter: after.rank.total,
    rankBefore: base.allocation.rank,
    rankAfter: after.allocation.rank,
    outcomeBefore: base.allocation.outcome,
    outcomeAfter: after.allocation.outcome,
    itemIds,
    changeStart,
    changeItem: Int32Array.from(item),
    changeBefore: Float64Array.from(valueBefore),
    changeAfter: Float64Array.from(valueAfter),
    poolBefore: base.rank.poolCodes,
    poolAfter: after.rank.poolCodes,
    poolNamesBefore: base.rank.poolNames,
    poolNamesAfter: after.rank.poolNames,
  };
  return simulationResult({
    programId: options.programId,
    date: options.date,
    cohort,
    groupBy: options.groupBy ? [options.groupBy] : [],
    union,
    columns,
    poolsBefore: base.allocation.pools,
    poolsAfter: after.allocation.pools,
    itemSums,
    itemChanged,
  });
}

type GroupCodes = { codes: Int32Array; labels: string[] };

function outcomeOf(
  result: SimulationResult,
  changedItems: Id[],
  groups: GroupCodes | undefined,
  mode: WhatIfOutcome["mode"],
  fullReason: string | undefined,
  details: boolean | undefined,
): WhatIfOutcome {
  const { summary, columns } = result;
  return {
    mode,
    ...(fullReason ? { fullReason } : {}),
    changedItems,
    applicants: summary.applicants,
    admittedBefore: summary.admittedBefore,
    admittedAfter: summary.admittedAfter,
    enteredCount: summary.entered.length,
    leftCount: summary.left.length,
    pools: summary.pools,
    groups: groups ? groupCounts(groups, columns.outcomeBefore, columns.outcomeAfter) : [],
    ...(details ? { result } : {}),
  };
}

function groupCounts(groups: GroupCodes, outcomeBefore: Uint8Array, outcomeAfter: Uint8Array): WhatIfGroupCount[] {
  const { codes, labels } = groups;
  const count = new Int32Array(labels.length);
  const inBefore = new Int32Array(labels.length);
  const inAfter = new Int32Array(labels.length);
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i];
    count[g]++;
    if (admitted(outcomeBefore[i])) inBefore[g]++;
    if (admitted(outcomeAfter[i])) inAfter[g]++;
  }
  return labels
    .map((value, g) => ({ value, applicants: count[g], admittedBefore: inBefore[g], admittedAfter: inAfter[g] }))
    .filter((group) => group.applicants > 0)
    .sort((x, y) => (x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
}
