/**
 * The decision log: every API evaluation with the version it used (id and content hash), the canonical text of its
 * input and a SHA-256 of that text, and the output. An appeal (复核) replays the stored input on the stored version.
 */
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
  insert: { run(...values: unknown[]): { lastInsertRowid: number | bigint } };
  insertMany: (rows: readonly NewDecision[]) => number[];
}

const statementsByDb = new WeakMap<JifenDb, Statements>();

function statementsFor(db: JifenDb): Statements {
  let statements = statementsByDb.get(db);
  if (!statements) {
    const insert = db.$client.prepare(
      "insert into decision_log (token_id, standard_id, version_id, version_hash, program_id, evaluation_date, input_hash, input, output) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const insertOne = (d: NewDecision) =>
      Number(insert.run(d.tokenId, d.standardId, d.versionId, d.versionHash, d.programId, d.evaluationDate, d.inputHash, d.input, d.output).lastInsertRowid);
    const insertMany = db.$client.transaction((rows: readonly NewDecision[]) => rows.map(insertOne));
    statements = { insert, insertMany };
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

/** Decisions taken on exactly this input (same canonical facts, program and date), newest first. */
export function findDecisionsByInputHash(db: JifenDb, inputHash: string, limit = 20): DecisionRecord[] {
  return db.$client
    .prepare(
      `select id, at, token_id as tokenId, standard_id as standardId, version_id as versionId, version_hash as versionHash,
              program_id as programId, evaluation_date as evaluationDate, input_hash as inputHash, input, output
       from decision_log where input_hash = ? order by id desc limit ?`,
    )
    .all(inputHash, limit) as DecisionRecord[];
}

export function countDecisions(db: JifenDb): number {
  return (db.$client.prepare("select count(*) as n from decision_log").get() as { n: number }).n;
}
