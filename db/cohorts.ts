/**
 * Cohorts of applicants. Rows arrive already parsed and checked against the standard's facts (the importer streams
 * and checks them first); storing is then one transaction, so a failed import leaves nothing behind.
 * Identity numbers are never stored: only a salted SHA-256 and a masked form for display.
 */
import crypto, { createHash, randomBytes } from "node:crypto";
import { and, asc, desc, eq, gte, sql } from "drizzle-orm";
import { recordAudit } from "./audit";
import type { JifenDb } from "./connection";
import type { PackedTexts } from "./packed-texts";
import { cohortApplicants, cohorts, columnMappings } from "./schema";
import { getOrCreateSetting } from "./users";

export interface CohortRow {
  rowNo: number;
  applicantRef: string;
  idNumber?: string | null;
  /** The applicant's name, stored masked only (decision 043). */
  name?: string | null;
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

/**
 * A name as a public notice shows it (decision 043): its first character and a star for each other one (张三 → 张*,
 * 欧阳娜娜 → 欧***; a compound surname is not guessed). Only this form is ever stored.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return "";
  return chars[0] + "*".repeat(Math.max(1, chars.length - 1));
}

function idSalt(db: JifenDb): string {
  return getOrCreateSetting(db, "id_hash_salt", () => randomBytes(16).toString("hex"));
}

// One-shot hashing (Node 20.12+) costs half of a Hash object per identity number; older Node 20 falls back.
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function" ? (text) => crypto.hash("sha256", text, "hex") : (text) => createHash("sha256").update(text).digest("hex");

export function hashIdNumber(salt: string, id: string): string {
  return sha256Hex(`${salt}:${id.trim().toUpperCase()}`);
}

/**
 * Rows ready to store, column by column (no object per row): row i is numbered i + 1, its facts are JSON text and
 * its identity number (when given) is hashed and masked while storing.
 */
export interface CohortRowColumns {
  applicantRefs: string[];
  idNumbers: Array<string | undefined>;
  /** Names (masked while storing); absent when the source has none. */
  names?: Array<string | undefined>;
  factsJson: PackedTexts;
}

/** Stores a cohort and all its rows in one transaction; throws (and stores nothing) on any failure. */
export function createCohort(db: JifenDb, cohort: NewCohort, rows: Iterable<CohortRow>): { cohortId: number; rowCount: number } {
  return storeCohort(db, cohort, (add) => {
    let count = 0;
    for (const row of rows) {
      add(row.rowNo, row.applicantRef, row.idNumber, JSON.stringify(row.facts), row.name);
      count += 1;
    }
    return count;
  });
}

/** `createCohort` for rows already typed into JSON text (the importer's path): same rows stored, same transaction. */
export function createCohortFromColumns(db: JifenDb, cohort: NewCohort, rows: CohortRowColumns): { cohortId: number; rowCount: number } {
  return storeCohort(db, cohort, (add) => {
    const { applicantRefs, idNumbers, names, factsJson } = rows;
    if (factsJson.length !== applicantRefs.length) throw new Error("cohort rows: as many facts as applicants expected");
    factsJson.forEach((json, i) => add(i + 1, applicantRefs[i], idNumbers[i], json, names?.[i]));
    return applicantRefs.length;
  });
}

/** Rows per insert statement: 50 rows per execution take 30% less time than one (100 gains nothing more). */
const ROWS_PER_INSERT = 50;
const INSERT_ROW = "insert into cohort_applicants (cohort_id, row_no, applicant_ref, id_hash, id_masked, facts, name_masked) values ";
const ROW_PLACEHOLDERS = "(?, ?, ?, ?, ?, ?, ?)";
const COLUMNS_PER_ROW = 7;

type AddRow = (rowNo: number, applicantRef: string, idNumber: string | null | undefined, factsJson: string, name?: string | null) => void;

/** Rows added to a prepared multi-row insert, run every ROWS_PER_INSERT rows; `flush` stores what is left. */
function rowInserter(db: JifenDb, cohortId: number, salt: string): { add: AddRow; flush(): void } {
  const insertMany = db.$client.prepare(INSERT_ROW + Array(ROWS_PER_INSERT).fill(ROW_PLACEHOLDERS).join(", "));
  const insertOne = db.$client.prepare(INSERT_ROW + ROW_PLACEHOLDERS);
  const values: unknown[] = new Array(COLUMNS_PER_ROW * ROWS_PER_INSERT);
  let filled = 0;
  return {
    add(rowNo, applicantRef, idNumber, factsJson, name) {
      const id = idNumber?.trim();
      values[filled] = cohortId;
      values[filled + 1] = rowNo;
      values[filled + 2] = applicantRef;
      values[filled + 3] = id ? hashIdNumber(salt, id) : null;
      values[filled + 4] = id ? maskIdNumber(id) : null;
      values[filled + 5] = factsJson;
      values[filled + 6] = name?.trim() ? maskName(name) : null;
      filled += COLUMNS_PER_ROW;
      if (filled === values.length) {
        insertMany.run(values);
        filled = 0;
      }
    },
    flush() {
      for (let k = 0; k < filled; k += COLUMNS_PER_ROW) insertOne.run(values.slice(k, k + COLUMNS_PER_ROW));
      filled = 0;
    },
  };
}

function cohortValues(cohort: NewCohort) {
  return {
    name: cohort.name,
    standardId: cohort.standardId,
    description: cohort.description ?? null,
    sourceFormat: cohort.sourceFormat,
    columnMapping: JSON.stringify(cohort.columnMapping ?? {}),
    createdBy: cohort.createdBy,
  };
}

function auditImport(tx: Parameters<Parameters<JifenDb["transaction"]>[0]>[0], cohort: NewCohort, cohortId: number, count: number): void {
  recordAudit(tx, {
    actorId: cohort.createdBy,
    action: "cohort.import",
    entityType: "cohort",
    entityId: cohortId,
    standardId: cohort.standardId,
    details: { name: cohort.name, rows: count, format: cohort.sourceFormat },
  });
}

function storeCohort(db: JifenDb, cohort: NewCohort, writeRows: (add: AddRow) => number): { cohortId: number; rowCount: number } {
  const salt = idSalt(db);
  return db.transaction((tx) => {
    const created = tx.insert(cohorts).values(cohortValues(cohort)).returning({ id: cohorts.id }).get();
    // Bulk path: prepared raw statements of ROWS_PER_INSERT rows, then single rows for the rest (drizzle's per-batch
    // query building costs more than SQLite).
    const inserter = rowInserter(db, created.id, salt);
    const count = writeRows(inserter.add);
    inserter.flush();
    tx.update(cohorts).set({ rowCount: count }).where(eq(cohorts.id, created.id)).run();
    auditImport(tx, cohort, created.id, count);
    return { cohortId: created.id, rowCount: count };
  });
}

/**
 * `row_count` of a cohort whose rows are still being stored in slices: no list or lookup shows it, and it is removed
 * when its import fails or at the next start after a crash.
 */
export const UNFINISHED_ROW_COUNT = -1;

export interface StoreInSlices {
  /** How long one slice (one write transaction) may take, in ms: another writer waits at most about this long. */
  sliceMs: number;
  /** What to do between slices (wait a little, so that other writers take the lock). */
  pause: () => Promise<void>;
  /** True while another writer waits for the lock: the slice under way ends early (db/writers-waiting.ts). */
  othersWaiting?: () => boolean;
  onStored?: (rowsStored: number) => void;
  /** Called once the cohort's row exists, before any applicant is stored (to discard it should this thread die). */
  onStarted?: (cohortId: number) => void;
}

/**
 * Stores a cohort in many short write transactions instead of one long one, so that the other writers (the
 * department API's decision log above all) never wait for a million rows: the cohort is unfinished (hidden) until
 * the last transaction gives it its row count and its audit entry. On any failure the rows stored so far are
 * removed; after a crash, `discardUnfinishedCohorts` removes them at the next start. Either way nothing half-written
 * is ever seen.
 */
export async function createCohortInSlices(db: JifenDb, cohort: NewCohort, rows: CohortRowColumns, slices: StoreInSlices): Promise<{ cohortId: number; rowCount: number }> {
  const { applicantRefs, idNumbers, factsJson } = rows;
  const count = applicantRefs.length;
  if (factsJson.length !== count) throw new Error("cohort rows: as many facts as applicants expected");
  const salt = idSalt(db);
  const cohortId = db.transaction((tx) => tx.insert(cohorts).values({ ...cohortValues(cohort), rowCount: UNFINISHED_ROW_COUNT }).returning({ id: cohorts.id }).get().id, {
    behavior: "immediate",
  });
  slices.onStarted?.(cohortId);
  try {
    const texts = factsJson.values();
    const inserter = rowInserter(db, cohortId, salt);
    const othersWaiting = slices.othersWaiting ?? (() => false);
    let i = 0;
    const slice = db.$client.transaction(() => {
      const deadline = performance.now() + slices.sliceMs;
      do {
        for (let k = 0; k < ROWS_PER_INSERT && i < count; k++, i++) inserter.add(i + 1, applicantRefs[i], idNumbers[i], texts.next().value as string, rows.names?.[i]);
      } while (i < count && performance.now() < deadline && !othersWaiting());
      inserter.flush();
    });
    while (i < count) {
      slice.immediate();
      slices.onStored?.(i);
      await slices.pause();
    }
    db.transaction(
      (tx) => {
        tx.update(cohorts).set({ rowCount: count }).where(eq(cohorts.id, cohortId)).run();
        auditImport(tx, cohort, cohortId, count);
      },
      { behavior: "immediate" },
    );
    return { cohortId, rowCount: count };
  } catch (error) {
    await discardUnfinishedCohort(db, cohortId, slices.pause);
    throw error;
  }
}

const DISCARD_SLICE_ROWS = 5000;

/** Removes an unfinished cohort and its rows, a slice of rows per transaction (`pause` between them). */
export async function discardUnfinishedCohort(db: JifenDb, cohortId: number, pause: () => Promise<void> = async () => {}): Promise<void> {
  const deleteSlice = db.$client.prepare(
    "delete from cohort_applicants where cohort_id = ? and row_no in (select row_no from cohort_applicants where cohort_id = ? order by row_no limit ?)",
  );
  while (deleteSlice.run(cohortId, cohortId, DISCARD_SLICE_ROWS).changes > 0) await pause();
  db.delete(cohorts).where(sql`${cohorts.id} = ${cohortId} and ${cohorts.rowCount} = ${UNFINISHED_ROW_COUNT}`).run();
}

/** Removes every cohort left unfinished by a crash (at start, before anyone can import). Returns how many. */
export async function discardUnfinishedCohorts(db: JifenDb): Promise<number> {
  const unfinished = db.select({ id: cohorts.id }).from(cohorts).where(eq(cohorts.rowCount, UNFINISHED_ROW_COUNT)).all();
  for (const { id } of unfinished) await discardUnfinishedCohort(db, id);
  return unfinished.length;
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
  const finished = gte(cohorts.rowCount, 0);
  return q.where(standardId ? and(finished, eq(cohorts.standardId, standardId)) : finished).orderBy(desc(cohorts.id)).all();
}

export function getCohort(db: JifenDb, id: number): CohortSummary | undefined {
  return listCohorts(db).find((c) => c.id === id);
}

export interface StoredApplicant {
  rowNo: number;
  applicantRef: string;
  idMasked: string | null;
  nameMasked: string | null;
  facts: Record<string, unknown>;
}

/** Applicants of a cohort in row order; `limit`/`offset` page through them. */
export function listApplicants(db: JifenDb, cohortId: number, page: { limit?: number; offset?: number } = {}): StoredApplicant[] {
  return db
    .select({
      rowNo: cohortApplicants.rowNo,
      applicantRef: cohortApplicants.applicantRef,
      idMasked: cohortApplicants.idMasked,
      nameMasked: cohortApplicants.nameMasked,
      facts: cohortApplicants.facts,
    })
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

/**
 * Whether `idNumber` is the identity number imported for row `rowNo` of a cohort (compared by its salted hash; the
 * number itself is never stored). False when the row has none.
 */
export function matchesIdNumber(db: JifenDb, cohortId: number, rowNo: number, idNumber: string): boolean {
  const row = db
    .select({ idHash: cohortApplicants.idHash })
    .from(cohortApplicants)
    .where(and(eq(cohortApplicants.cohortId, cohortId), eq(cohortApplicants.rowNo, rowNo)))
    .get();
  if (!row?.idHash || idNumber.trim() === "") return false;
  return hashIdNumber(idSalt(db), idNumber) === row.idHash;
}
