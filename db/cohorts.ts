/**
 * Cohorts of applicants. Rows arrive already parsed and checked against the standard's facts (the importer streams
 * and checks them first); storing is then one transaction, so a failed import leaves nothing behind.
 * Identity numbers are never stored: only a salted SHA-256 and a masked form for display.
 */
import { createHash, randomBytes } from "node:crypto";
import { asc, desc, eq, sql } from "drizzle-orm";
import { recordAudit } from "./audit";
import type { JifenDb } from "./connection";
import { cohortApplicants, cohorts, columnMappings } from "./schema";
import { getOrCreateSetting } from "./users";

export interface CohortRow {
  rowNo: number;
  applicantRef: string;
  idNumber?: string | null;
  facts: Record<string, unknown>;
}

export interface NewCohort {
  name: string;
  standardId: string | null;
  description?: string | null;
  sourceFormat: "csv" | "xlsx" | "jsonl" | "json" | "generated";
  columnMapping?: Record<string, string>;
  createdBy: number | null;
}

/** 320102199001011234 → 320***********1234 */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 7) return "*".repeat(s.length);
  return `${s.slice(0, 3)}${"*".repeat(s.length - 7)}${s.slice(-4)}`;
}

function idSalt(db: JifenDb): string {
  return getOrCreateSetting(db, "id_hash_salt", () => randomBytes(16).toString("hex"));
}

export function hashIdNumber(salt: string, id: string): string {
  return createHash("sha256").update(`${salt}:${id.trim().toUpperCase()}`).digest("hex");
}

/** Stores a cohort and all its rows in one transaction; throws (and stores nothing) on any failure. */
export function createCohort(db: JifenDb, cohort: NewCohort, rows: Iterable<CohortRow>): { cohortId: number; rowCount: number } {
  const salt = idSalt(db);
  return db.transaction((tx) => {
    const created = tx
      .insert(cohorts)
      .values({
        name: cohort.name,
        standardId: cohort.standardId,
        description: cohort.description ?? null,
        sourceFormat: cohort.sourceFormat,
        columnMapping: JSON.stringify(cohort.columnMapping ?? {}),
        createdBy: cohort.createdBy,
      })
      .returning({ id: cohorts.id })
      .get();
    // Bulk path: one prepared statement reused for every row (drizzle's per-batch query building costs more than SQLite).
    const insert = db.$client.prepare(
      "insert into cohort_applicants (cohort_id, row_no, applicant_ref, id_hash, id_masked, facts) values (?, ?, ?, ?, ?, ?)",
    );
    let count = 0;
    for (const row of rows) {
      const id = row.idNumber?.trim();
      insert.run(created.id, row.rowNo, row.applicantRef, id ? hashIdNumber(salt, id) : null, id ? maskIdNumber(id) : null, JSON.stringify(row.facts));
      count += 1;
    }
    tx.update(cohorts).set({ rowCount: count }).where(eq(cohorts.id, created.id)).run();
    recordAudit(tx, {
      actorId: cohort.createdBy,
      action: "cohort.import",
      entityType: "cohort",
      entityId: created.id,
      standardId: cohort.standardId,
      details: { name: cohort.name, rows: count, format: cohort.sourceFormat },
    });
    return { cohortId: created.id, rowCount: count };
  });
}

export interface CohortSummary {
  id: number;
  name: string;
  standardId: string | null;
  description: string | null;
  sourceFormat: string;
  rowCount: number;
  createdAt: string;
}

export function listCohorts(db: JifenDb, standardId?: string): CohortSummary[] {
  const q = db
    .select({
      id: cohorts.id,
      name: cohorts.name,
      standardId: cohorts.standardId,
      description: cohorts.description,
      sourceFormat: cohorts.sourceFormat,
      rowCount: cohorts.rowCount,
      createdAt: cohorts.createdAt,
    })
    .from(cohorts);
  return (standardId ? q.where(eq(cohorts.standardId, standardId)) : q).orderBy(desc(cohorts.id)).all();
}

export function getCohort(db: JifenDb, id: number): CohortSummary | undefined {
  return listCohorts(db).find((c) => c.id === id);
}

export interface StoredApplicant {
  rowNo: number;
  applicantRef: string;
  idMasked: string | null;
  facts: Record<string, unknown>;
}

/** Applicants of a cohort in row order; `limit`/`offset` page through them. */
export function listApplicants(db: JifenDb, cohortId: number, page: { limit?: number; offset?: number } = {}): StoredApplicant[] {
  return db
    .select({ rowNo: cohortApplicants.rowNo, applicantRef: cohortApplicants.applicantRef, idMasked: cohortApplicants.idMasked, facts: cohortApplicants.facts })
    .from(cohortApplicants)
    .where(eq(cohortApplicants.cohortId, cohortId))
    .orderBy(asc(cohortApplicants.rowNo))
    .limit(page.limit ?? -1)
    .offset(page.offset ?? 0)
    .all()
    .map((r) => ({ ...r, facts: JSON.parse(r.facts) as Record<string, unknown> }));
}

export function countApplicants(db: JifenDb, cohortId: number): number {
  return db.select({ n: sql<number>`count(*)` }).from(cohortApplicants).where(eq(cohortApplicants.cohortId, cohortId)).get()?.n ?? 0;
}

/** Remembers how a source's columns map to the standard's facts, keyed by the source's header row. */
export function rememberColumnMapping(db: JifenDb, standardId: string, headers: string[], mapping: Record<string, string>): void {
  const headerSignature = createHash("sha256").update(JSON.stringify(headers)).digest("hex");
  db.insert(columnMappings)
    .values({ standardId, headerSignature, mapping: JSON.stringify(mapping) })
    .onConflictDoUpdate({
      target: [columnMappings.standardId, columnMappings.headerSignature],
      set: { mapping: JSON.stringify(mapping), updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` },
    })
    .run();
}

export function recallColumnMapping(db: JifenDb, standardId: string, headers: string[]): Record<string, string> | undefined {
  const headerSignature = createHash("sha256").update(JSON.stringify(headers)).digest("hex");
  const row = db
    .select({ mapping: columnMappings.mapping })
    .from(columnMappings)
    .where(sql`${columnMappings.standardId} = ${standardId} and ${columnMappings.headerSignature} = ${headerSignature}`)
    .get();
  return row ? (JSON.parse(row.mapping) as Record<string, string>) : undefined;
}
