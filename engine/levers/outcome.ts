/**
 * What a lever or a goal looks at, for one version of a standard on a cohort: how many are admitted, who entered and
 * who left against a fixed baseline version, the cut-off of every pool and the admitted of each group of chosen facts.
 *
 * Levers and goal search ask this for many versions that differ from one baseline in a number or two; they reach it
 * only through `createOutcomeEvaluator`, so that a faster what-if (one that recomputes only the items a change
 * touches) can replace the full simulation behind it without changing them.
 */
import { applicationFacts } from "../../rules-schema/persons";
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import { cohortFromRows } from "../cohorts/cohort";
import type { CohortSource } from "../cohorts/cohort-score";
import { simulate, type SimulationSummary } from "../simulation/simulate";

export interface OutcomeOptions {
  programId: Id;
  cohort: CohortSource;
  /** Places per pool ("*" = every pool without its own entry). */
  quotas: Record<string, number>;
  date: IsoDate;
  seed?: string;
  /** Categorical facts whose groups' admitted are counted (a goal's or the levers' chosen fact). */
  groupBy?: Id[];
}

export interface Outcome {
  applicants: number;
  admitted: number;
  /** Against the evaluator's baseline version (0 for the baseline itself). */
  entered: number;
  left: number;
  /** Every pool, in the order simulate gives them (sorted by name); a pool with nobody admitted has no cut-off. */
  pools: Array<{ pool: string; admitted: number; cutoff: number | null }>;
  groups: Array<{ fact: Id; values: Array<{ value: string; applicants: number; admitted: number }> }>;
}

export interface OutcomeEvaluator {
  readonly options: OutcomeOptions;
  readonly baselineDoc: StandardDocument;
  readonly baseline: Outcome;
  /** The outcome of another version of the standard, compared with the baseline. */
  run(candidate: StandardDocument): Outcome;
  /** How many versions were run (the baseline not counted). */
  readonly runs: number;
}

/** The outcome of the candidate side of a simulation's summary. */
export function outcomeOfSummary(summary: SimulationSummary): Outcome {
  return {
    applicants: summary.applicants,
    admitted: summary.admittedAfter,
    entered: summary.entered.length,
    left: summary.left.length,
    pools: summary.pools.filter((p) => p.placesAfter !== null || p.admittedAfter > 0).map((p) => ({ pool: p.pool, admitted: p.admittedAfter, cutoff: p.cutoffAfter })),
    groups: summary.groups.map((g) => ({ fact: g.fact, values: g.values.map((v) => ({ value: v.value, applicants: v.applicants, admitted: v.admittedAfter })) })),
  };
}

/** Each version scored and allocated in full, with the baseline (engine/simulation/simulate.ts). */
export function createOutcomeEvaluator(baselineDoc: StandardDocument, given: OutcomeOptions): OutcomeEvaluator {
  // Columns once (the versions differ in numbers only, so they read the same facts): scored from them, each run is
  // about half as long as from objects.
  const options: OutcomeOptions = "rows" in given.cohort ? { ...given, cohort: cohortFromRows(applicationFacts(baselineDoc), given.cohort.ids, given.cohort.rows) } : given;
  const simulateAgainstBaseline = (candidate: StandardDocument) =>
    simulate({
      baseline: baselineDoc,
      candidate,
      programId: options.programId,
      cohort: options.cohort,
      quotas: options.quotas,
      date: options.date,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      groupBy: options.groupBy ?? [],
      bothCores: false,
    }).summary;
  const baseline = outcomeOfSummary(simulateAgainstBaseline(baselineDoc));
  let runs = 0;
  return {
    options,
    baselineDoc,
    baseline,
    get runs() {
      return runs;
    },
    run(candidate) {
      runs++;
      return outcomeOfSummary(simulateAgainstBaseline(candidate));
    },
  };
}

/** The share of the admitted (0–1) whose fact has one of the values; 0 when nobody is admitted. */
export function admittedShare(outcome: Outcome, fact: Id, values: readonly string[]): number {
  const group = outcome.groups.find((g) => g.fact === fact);
  if (!group || outcome.admitted === 0) return 0;
  const wanted = new Set(values);
  let admitted = 0;
  for (const v of group.values) if (wanted.has(v.value)) admitted += v.admitted;
  return admitted / outcome.admitted;
}
