/**
 * The decision log: every API evaluation with the version it used (id and content hash), the canonical text of its
 * input and a SHA-256 of that text, and the output. An appeal (复核) replays the stored input on the stored version.
 * A batch is logged once (decision_batches): its body as received and its compact results, its applicants being a
 * block of decision ids reserved from the same sequence. Both tables are append-only (database triggers) and hash
 * chains (db/chain.ts): each row is written with its id, time and hashes, the previous hash read in the same
 * write transaction.
 */
import { batchFields, chainRowHash, chainTail, decisionRowHash, rowTime } from "./chain";
import type { JifenDb } from "./connection";

export interface NewDecision {
  tokenId: number | null;
  standardId: string;
  versionId: number;
  versionHash: string;
  programId: string;
  evaluationDate: string;
  /** SHA-256 (hex) of `input`. */
  inputHash: string;
  /** Canonical JSON of {facts, program, date}. */
  input: string;
  /** JSON of the result as returned to the caller. */
  output: string;
}

export interface DecisionRecord extends NewDecision {
  id: number;
  at: string;
}

interface Statements {
  insertMany: (rows: readonly NewDecision[]) => number[];
}

const statementsByDb = new WeakMap<JifenDb, Statements>();

function statementsFor(db: JifenDb): Statements {
  let statements = statementsByDb.get(db);
  if (!statements) {
    const sqlite = db.$client;
    const insert = sqlite.prepare(
      `insert into decision_log (id, at, token_id, standard_id, version_id, version_hash, program_id, evaluation_date, input_hash, input, output, prev_hash, row_hash)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertMany = sqlite.transaction((rows: readonly NewDecision[]) => {
      const tail = chainTail(sqlite, "decision_log");
      const at = rowTime();
      let prevHash = tail.prevHash;
      const ids = new Array<number>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const d = rows[i];
        const id = tail.nextId + i;
        const rowHash = decisionRowHash(prevHash, { id, at, tokenId: d.tokenId, standardId: d.standardId, versionId: d.versionId, versionHash: d.versionHash, programId: d.programId, evaluationDate: d.evaluationDate, inputHash: d.inputHash }, d.output);
        insert.run(id, at, d.tokenId, d.standardId, d.versionId, d.versionHash, d.programId, d.evaluationDate, d.inputHash, d.input, d.output, prevHash, rowHash);
        prevHash = rowHash;
        ids[i] = id;
      }
      return ids;
    });
    // IMMEDIATE: the chain's tail is read under the write lock (inside another transaction this is a savepoint).
    statements = { insertMany: (rows) => insertMany.immediate(rows) };
    statementsByDb.set(db, statements);
  }
  return statements;
}

/** Records decisions in one transaction (all or none) and returns their ids in the same order. */
export function recordDecisions(db: JifenDb, decisions: readonly NewDecision[]): number[] {
  if (decisions.length === 0) return [];
  return statementsFor(db).insertMany(decisions);
}

export function recordDecision(db: JifenDb, decision: NewDecision): number {
  return recordDecisions(db, [decision])[0];
}

export function getDecision(db: JifenDb, id: number): DecisionRecord | undefined {
  const row = db.$client
    .prepare(
      `select id, at, token_id as tokenId, standard_id as standardId, version_id as versionId, version_hash as versionHash,
              program_id as programId, evaluation_date as evaluationDate, input_hash as inputHash, input, output
       from decision_log where id = ?`,
    )
    .get(id) as DecisionRecord | undefined;
  return row;
}

/** Decisions logged: single evaluations and rankings, plus every applicant of every batch. */
export function countDecisions(db: JifenDb): number {
  return (
    db.$client
      .prepare("select (select count(*) from decision_log) + coalesce((select sum(applicant_count) from decision_batches), 0) as n")
      .get() as { n: number }
  ).n;
}

export interface NewDecisionBatch {
  tokenId: number | null;
  standardId: string;
  versionId: number;
  versionHash: string;
  programId: string;
  evaluationDate: string;
  applicantCount: number;
  /** The request body as received: its text, or its UTF-8 bytes (stored as that text). */
  input: string | Uint8Array;
  /** SHA-256 (hex) of `input` in UTF-8. */
  inputHash: string;
  /**
   * Canonical JSON {categoryIds, itemIds, results} (the table form: rows), as text or as its UTF-8 bytes (stored as
   * that text).
   */
  output: string | Uint8Array;
}

export interface DecisionBatchRecord extends Omit<NewDecisionBatch, "input" | "output"> {
  input: string;
  output: string;
  id: number;
  at: string;
  firstDecisionId: number;
}

const BATCH_COLUMNS = `id, at, token_id as tokenId, standard_id as standardId, version_id as versionId, version_hash as versionHash,
  program_id as programId, evaluation_date as evaluationDate, first_decision_id as firstDecisionId,
  applicant_count as applicantCount, input, input_hash as inputHash, output`;

interface BatchStatements {
  record: (batch: NewDecisionBatch) => { batchId: number; firstDecisionId: number };
  byId: { get(id: number): unknown };
  holding: { get(decisionId: number): unknown };
}

const batchStatementsByDb = new WeakMap<JifenDb, BatchStatements>();

function batchStatementsFor(db: JifenDb): BatchStatements {
  let statements = batchStatementsByDb.get(db);
  if (!statements) {
    const sqlite = db.$client;
    // decision_log's AUTOINCREMENT counter lives in sqlite_sequence, which SQLite lets applications update; moving it
    // forward by n reserves n ids that no future decision_log row can take (AUTOINCREMENT never goes back).
    const ensureSequence = sqlite.prepare(
      `insert into sqlite_sequence (name, seq)
       select 'decision_log', coalesce((select max(id) from decision_log), 0)
       where not exists (select 1 from sqlite_sequence where name = 'decision_log')`,
    );
    const advanceSequence = sqlite.prepare("update sqlite_sequence set seq = seq + ? where name = 'decision_log' returning seq").pluck();
    const insert = sqlite.prepare(
      `insert into decision_batches (id, at, token_id, standard_id, version_id, version_hash, program_id, evaluation_date, first_decision_id,
         applicant_count, input, input_hash, output, prev_hash, row_hash)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as text), ?, cast(? as text), ?, ?)`,
    );
    const record = sqlite.transaction((b: NewDecisionBatch) => {
      ensureSequence.run();
      const last = Number(advanceSequence.get(b.applicantCount));
      const firstDecisionId = last - b.applicantCount + 1;
      const tail = chainTail(sqlite, "decision_batches");
      const at = rowTime();
      // The input is covered by its hash (computed by the caller before the lock); the output is hashed here.
      const rowHash = chainRowHash("decision_batches", tail.prevHash, batchFields({ ...b, id: tail.nextId, at, firstDecisionId }), b.output);
      const inserted = insert.run(
        tail.nextId,
        at,
        b.tokenId,
        b.standardId,
        b.versionId,
        b.versionHash,
        b.programId,
        b.evaluationDate,
        firstDecisionId,
        b.applicantCount,
        b.input,
        b.inputHash,
        b.output,
        tail.prevHash,
        rowHash,
      );
      return { batchId: Number(inserted.lastInsertRowid), firstDecisionId };
    });
    statements = {
      record: (batch) => record.immediate(batch),
      byId: sqlite.prepare(`select ${BATCH_COLUMNS} from decision_batches where id = ?`),
      holding: sqlite.prepare(
        `select ${BATCH_COLUMNS} from decision_batches where first_decision_id <= ? order by first_decision_id desc limit 1`,
      ),
    };
    batchStatementsByDb.set(db, statements);
  }
  return statements;
}

/**
 * Records a batch in one transaction: reserves `applicantCount` decision ids and stores the batch once. Applicant i
 * is decision `firstDecisionId + i`.
 */
export function recordDecisionBatch(db: JifenDb, batch: NewDecisionBatch): { batchId: number; firstDecisionId: number } {
  if (!Number.isInteger(batch.applicantCount) || batch.applicantCount < 1) throw new Error("A decision batch holds at least one applicant");
  return batchStatementsFor(db).record(batch);
}

export function getDecisionBatch(db: JifenDb, id: number): DecisionBatchRecord | undefined {
  return batchStatementsFor(db).byId.get(id) as DecisionBatchRecord | undefined;
}

/** The batch whose block of decision ids holds `decisionId`, with the applicant's index in it. */
export function findBatchOfDecision(db: JifenDb, decisionId: number): { batch: DecisionBatchRecord; index: number } | undefined {
  const batch = batchStatementsFor(db).holding.get(decisionId) as DecisionBatchRecord | undefined;
  if (!batch || decisionId >= batch.firstDecisionId + batch.applicantCount) return undefined;
  return { batch, index: decisionId - batch.firstDecisionId };
}

const ownerStatementsByDb = new WeakMap<JifenDb, { single: { get(id: number): unknown }; batchHolding: { get(id: number): unknown }; batch: { get(id: number): unknown } }>();

function ownerStatementsFor(db: JifenDb) {
  let statements = ownerStatementsByDb.get(db);
  if (!statements) {
    const sqlite = db.$client;
    statements = {
      single: sqlite.prepare("select token_id as tokenId from decision_log where id = ?"),
      batchHolding: sqlite.prepare(
        `select token_id as tokenId, first_decision_id as firstDecisionId, applicant_count as applicantCount
         from decision_batches where first_decision_id <= ? order by first_decision_id desc limit 1`,
      ),
      batch: sqlite.prepare("select token_id as tokenId from decision_batches where id = ?"),
    };
    ownerStatementsByDb.set(db, statements);
  }
  return statements;
}

/**
 * The token that logged decision `id` (a single evaluation, a ranking or an applicant of a batch), read from the
 * index alone: neither input nor output is loaded, so asking about a decision one may not see costs what asking
 * about a missing one does. Undefined when there is no such decision.
 */
export function decisionOwner(db: JifenDb, id: number): { tokenId: number | null } | undefined {
  const statements = ownerStatementsFor(db);
  const single = statements.single.get(id) as { tokenId: number | null } | undefined;
  if (single) return single;
  const batch = statements.batchHolding.get(id) as { tokenId: number | null; firstDecisionId: number; applicantCount: number } | undefined;
  return batch && id < batch.firstDecisionId + batch.applicantCount ? { tokenId: batch.tokenId } : undefined;
}

/** The token that logged batch `id`, without loading its body; undefined when there is no such batch. */
export function decisionBatchOwner(db: JifenDb, id: number): { tokenId: number | null } | undefined {
  return ownerStatementsFor(db).batch.get(id) as { tokenId: number | null } | undefined;
}
