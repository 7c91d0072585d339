/**
 * An application round's numbers: every applicant scored on the compiled path (the decision as the department API
 * logs it: the canonical input {facts, program, date} and the score by id) and the places allocated, the round's
 * score line in place of the program's. Pure: documents, facts and the cut-off date in, results out
 * (docs/decisions/042-application-rounds.md). Replaying a round is running this again on the logged inputs.
 */
import { canonicalJson } from "../../rules-schema/canonical";
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import { scoreAndRank } from "../allocation/ranking-cases";
import { documentWithScoreLine, type PoolAllocation } from "../allocation/rank";
import { compileProgram, type CompiledProgram } from "../scoring/compiled";
import { verdictOf } from "../scoring/verdict";
import type { CompactScore, Facts } from "../types";

export interface RoundApplicant {
  ref: string;
  facts: Facts;
}

export interface RoundSettings {
  programId: Id;
  cutoffDate: IsoDate;
  quotas: Record<string, number>;
  scoreLine: number | null;
}

/** One applicant's decision and standing. */
export interface RoundOutcome {
  ref: string;
  /** Canonical JSON of {facts, program, date}: what the decision log stores as the input. */
  input: string;
  /** Canonical JSON of the score by id (the department API's ScoreSummary). */
  output: string;
  pool: string;
  eligible: boolean;
  vetoed: boolean;
  total: number;
  rank: number | null;
  admitted: "round1" | "round2" | null;
  reason: string | null;
}

export interface RoundComputation {
  outcomes: RoundOutcome[];
  pools: PoolAllocation[];
}

/** The decision log's input text for an applicant: the same canonical form a single API evaluation logs. */
export function roundInput(facts: Facts, programId: Id, date: IsoDate): string {
  return canonicalJson({ facts, program: programId, date });
}

/**
 * The score by item and category id (first occurrence of an id), as the department API logs it (decision 047): no
 * total for an applicant who fails a gate or is vetoed, and the program's verdict (with the round's score line in the
 * program, `doc` being `documentWithScoreLine`'s), canonical.
 */
export function summaryText(doc: StandardDocument, compiled: CompiledProgram, score: CompactScore): string {
  const items: Record<Id, number> = {};
  compiled.itemIds.forEach((id, i) => {
    if (!(id in items)) items[id] = score.items[i];
  });
  const categories: Record<Id, number> = {};
  compiled.categoryIds.forEach((id, i) => {
    if (!(id in categories)) categories[id] = score.categories[i];
  });
  const total = score.eligible && !score.vetoed ? score.total : null;
  const verdict = verdictOf(doc, compiled.programId, score);
  return canonicalJson({ categories, eligible: score.eligible, failedGates: score.failedGates, items, total, verdict, vetoed: score.vetoed });
}

/** The document as the round scores it: its score line, when it has one, in place of the program's. */
export function roundDocument(doc: StandardDocument, settings: Pick<RoundSettings, "programId" | "scoreLine">): StandardDocument {
  return documentWithScoreLine(doc, settings.programId, settings.scoreLine ?? undefined);
}

/** Scores every applicant and allocates the places (quota per pool, or the threshold), as a round runs. */
export function computeRound(doc: StandardDocument, settings: RoundSettings, applicants: readonly RoundApplicant[]): RoundComputation {
  const { programId, cutoffDate } = settings;
  const compiled = compileProgram(doc, programId);
  const scored = roundDocument(doc, settings);
  const scores = applicants.map((a) => compiled.score(a.facts, cutoffDate));
  const allocation = scoreAndRank(
    doc,
    programId,
    { ids: applicants.map((a) => a.ref), rows: applicants.map((a) => a.facts) },
    settings.quotas,
    cutoffDate,
    settings.scoreLine === null ? {} : { scoreLine: settings.scoreLine },
  );
  const outcomes = applicants.map((a, i): RoundOutcome => {
    const placed = allocation.applicants[i];
    return {
      ref: a.ref,
      input: roundInput(a.facts, programId, cutoffDate),
      output: summaryText(scored, compiled, scores[i]),
      pool: placed.pool,
      eligible: scores[i].eligible,
      vetoed: scores[i].vetoed,
      total: scores[i].total,
      rank: placed.rank,
      admitted: placed.admitted,
      reason: placed.reason ?? null,
    };
  });
  return { outcomes, pools: allocation.pools };
}
