/**
 * Ranking cases embedded in a standard (small cohorts with quotas and the expected admitted list), and the
 * score-then-rank step they share with the `rank` command.
 */
import type { Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import { allocateColumns, OUTCOME, reasonOfOutcome, type AllocationResult, type ApplicantAllocation, type RankOptions } from "./rank";
import { cohortSize, RankColumnsBuilder, scoreCohortInto, type CohortSource } from "../cohorts/cohort-score";

/** Score every applicant of a cohort with the compiled evaluator and allocate the program's places. */
export function scoreAndRank(
  doc: StandardDocument,
  programId: Id,
  cohort: CohortSource,
  quotas: Record<string, number>,
  date: IsoDate,
  opts: RankOptions & { onProgress?: (done: number, total: number) => void } = {},
): AllocationResult {
  const size = cohortSize(cohort);
  const builder = new RankColumnsBuilder(doc, programId, doc.items.map((item) => item.id), doc.categories.map((category) => category.id), size, date);
  // A columnar cohort (the command line reads files into one) is scored from its columns, on both cores when large.
  scoreCohortInto(builder, doc, programId, cohort, date, opts.onProgress);
  const columns = builder.finish(cohort.ids);
  const allocated = allocateColumns(builder.program, columns, quotas, opts);
  const applicants: ApplicantAllocation[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const code = allocated.outcome[i];
    const applicant: ApplicantAllocation = {
      id: cohort.ids[i],
      pool: columns.poolNames[columns.poolCodes[i]],
      total: columns.total[i],
      rank: allocated.rank[i] || null,
      admitted: code === OUTCOME.round1 ? "round1" : code === OUTCOME.round2 ? "round2" : null,
    };
    if (applicant.admitted === null) applicant.reason = reasonOfOutcome(code);
    applicants[i] = applicant;
  }
  const allocation = builder.program.allocation;
  return {
    programId,
    kind: allocation.kind,
    ...(allocation.kind === "quota" ? { tiePolicy: allocation.tiePolicy } : {}),
    applicants,
    pools: allocated.pools,
    admittedCount: allocated.admittedCount,
  };
}

export interface RankingCaseResult {
  id: Id;
  program: Id;
  passed: boolean;
  /** Admitted ids, sorted. */
  admitted: string[];
  /** Expected but not admitted. */
  missing: string[];
  /** Admitted but not expected. */
  unexpected: string[];
  /** When the case gives an order: the actual order of ranked applicants, and whether it matches. */
  order?: { expected: string[]; actual: string[]; matches: boolean };
  /** Setup problem (unknown program, bad rank key): the case could not run. */
  error?: { code: string; path: string; message: string };
  allocation?: AllocationResult;
}

/** Runs the document's ranking cases; each is scored with the compiled evaluator and ranked by `rankProgram` rules. */
export async function runRankingCases(doc: StandardDocument): Promise<RankingCaseResult[]> {
  const cases = doc.rankingCases ?? [];
  return cases.map((rankingCase, index) => {
    const base = { id: rankingCase.id, program: rankingCase.program };
    try {
      const allocation = scoreAndRank(
        doc,
        rankingCase.program,
        { ids: rankingCase.applicants.map((a) => a.id), rows: rankingCase.applicants.map((a) => a.facts) },
        rankingCase.quotas,
        rankingCase.date,
      );
      const admitted = allocation.applicants.filter((a) => a.admitted).map((a) => a.id).sort();
      const expected = [...rankingCase.expect.admitted].sort();
      const missing = expected.filter((id) => !admitted.includes(id));
      const unexpected = admitted.filter((id) => !expected.includes(id));
      let order: RankingCaseResult["order"];
      if (rankingCase.expect.order) {
        // Global order of ranked applicants: by pool rank when there is one pool, else pool by pool as listed.
        const actual = allocation.applicants
          .filter((a) => a.rank !== null)
          .sort((a, b) => (a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : a.rank! - b.rank!))
          .map((a) => a.id);
        const expectedOrder = rankingCase.expect.order;
        order = {
          expected: expectedOrder,
          actual,
          matches: actual.length === expectedOrder.length && actual.every((id, k) => id === expectedOrder[k]),
        };
      }
      return {
        ...base,
        passed: missing.length === 0 && unexpected.length === 0 && (order?.matches ?? true),
        admitted,
        missing,
        unexpected,
        ...(order ? { order } : {}),
        allocation,
      };
    } catch (error) {
      const e = error as { code?: string; path?: string; message: string };
      return {
        ...base,
        passed: false,
        admitted: [],
        missing: [...rankingCase.expect.admitted],
        unexpected: [],
        error: {
          code: e.code ?? "rankingCaseFailed",
          path: e.path ?? (e.code === "engine.unknownProgram" ? `/rankingCases/${index}/program` : `/rankingCases/${index}`),
          message: e.message,
        },
      };
    }
  });
}
