/**
 * An incremental what-if (issue 24, part 4): a baseline version scored once over a cohort, then any number of
 * candidate versions run against it, each as cheaply as its differences allow. `run` answers what the levers and
 * the goal search read (admitted in and out, the cut-off of each pool before and after, the admitted per group of
 * one fact) and, on request, the whole simulation (`details`), the same as `simulate` gives for the same inputs.
 *
 * Decision 044 describes when a run is incremental and when it falls back to scoring every item again.
 */
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import { categoricalCodes, cohortFromRows, type Cohort } from "../cohorts/cohort";
import type { CohortSource } from "../cohorts/cohort-score";
import { OUTCOME } from "../allocation/rank";
import { simulate, type PoolShift, type SimulationResult } from "./simulate";

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

export interface WhatIfSession {
  readonly baseline: StandardDocument;
  readonly applicants: number;
  /** The candidate against the baseline; the baseline itself is not scored again. */
  run(candidate: StandardDocument, options?: { details?: boolean }): WhatIfOutcome;
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

/** Scores `baseline` over `cohort` once; see the module comment. */
export function createWhatIfSession(baseline: StandardDocument, cohortSource: CohortSource, options: WhatIfSessionOptions): WhatIfSession {
  const cohort = columnar(cohortSource, baseline);
  const groups = options.groupBy ? categoricalCodes(cohort, options.groupBy) : undefined;
  const run = (candidate: StandardDocument, runOptions: { details?: boolean } = {}): WhatIfOutcome => {
    const result = simulate({ baseline, candidate, programId: options.programId, cohort, quotas: options.quotas, date: options.date, seed: options.seed, groupBy: options.groupBy ? [options.groupBy] : [], bothCores: false });
    return outcomeOf(result, changedItemIds(baseline, candidate), groups, "full", "not yet incremental", runOptions.details);
  };
  return { baseline, applicants: cohort.size, run };
}

const admitted = (code: number) => code === OUTCOME.round1 || code === OUTCOME.round2;

function outcomeOf(
  result: SimulationResult,
  changedItems: Id[],
  groups: { codes: Int32Array; labels: string[] } | undefined,
  mode: WhatIfOutcome["mode"],
  fullReason: string | undefined,
  details: boolean | undefined,
): WhatIfOutcome {
  const { summary, columns } = result;
  const counts = groups ? groupCounts(groups, columns.outcomeBefore, columns.outcomeAfter) : [];
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
    groups: counts,
    ...(details ? { result } : {}),
  };
}

function groupCounts(groups: { codes: Int32Array; labels: string[] }, outcomeBefore: Uint8Array, outcomeAfter: Uint8Array): WhatIfGroupCount[] {
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
