/**
 * Reads a simulation needs beyond the repositories of standards and cohorts: a version's document as it was when a
 * run was made (by content hash, from the revision history) and the values a fact takes in a cohort (for pools).
 */
import { and, desc, eq } from "drizzle-orm";
import type { JifenDb } from "./connection";
import { standardVersions, versionRevisions } from "./schema";

/** The document text of `versionId` whose content hash is `hash`: the current text, else a saved revision. */
export function versionDocumentByHash(db: JifenDb, versionId: number, hash: string): string | undefined {
  const current = db
    .select({ document: standardVersions.document })
    .from(standardVersions)
    .where(and(eq(standardVersions.id, versionId), eq(standardVersions.contentHash, hash)))
    .get();
  if (current) return current.document;
  return db
    .select({ document: versionRevisions.document })
    .from(versionRevisions)
    .where(and(eq(versionRevisions.versionId, versionId), eq(versionRevisions.contentHash, hash)))
    .orderBy(desc(versionRevisions.revision))
    .limit(1)
    .get()?.document;
}

/** Distinct values of one fact across a cohort's applicants (as text, missing = ""), most frequent first. */
export function distinctFactValues(db: JifenDb, cohortId: number, factId: string, limit = 200): Array<{ value: string; count: number }> {
  const rows = db.$client
    .prepare(
      "select case json_type(facts, @path) when 'true' then 'true' when 'false' then 'false' else coalesce(cast(json_extract(facts, @path) as text), '') end as value, " +
        "count(*) as count from cohort_applicants where cohort_id = @cohortId group by 1 order by 2 desc, 1 limit @limit",
    )
    .all({ path: `$."${factId.replace(/"/g, "")}"`, cohortId, limit }) as Array<{ value: string; count: number }>;
  return rows;
}

/**
 * The fact keys at least one applicant of a cohort has a value for (`null` is no value). A cohort never changes once
 * imported, so callers may keep the answer.
 */
export function factsCarriedByCohort(db: JifenDb, cohortId: number): Set<string> {
  const rows = db.$client
    .prepare("select distinct j.key as key from cohort_applicants a, json_each(a.facts) j where a.cohort_id = ? and j.type <> 'null'")
    .all(cohortId) as Array<{ key: string }>;
  return new Set(rows.map((row) => row.key));
}
