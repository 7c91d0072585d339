/**
 * The hash chains of the append-only logs (audit_log, decision_log, decision_batches), as in Certificate
 * Transparency: each row stores `prev_hash`, the previous row's `row_hash`, and `row_hash`, a SHA-256 of that link and
 * of the row's content. Rewriting, removing or inserting a row anywhere breaks the chain at that row; rewriting the
 * whole tail consistently changes the head, which an office records elsewhere (`jifen audit verify` prints it).
 * See docs/decisions/017-tamper-evident-logs.md.
 *
 * What is hashed per row: a version tag, the table, the previous hash, the JSON array of the row's columns (id
 * first), and for the decision tables the output's bytes. An input is covered through its `input_hash` (a SHA-256
 * the API computes anyway), which verification checks against the stored input.
 */
import { createHash, hash } from "node:crypto";
import type Database from "better-sqlite3";

export const CHAIN_TABLES = ["audit_log", "decision_log", "decision_batches"] as const;
export type ChainTable = (typeof CHAIN_TABLES)[number];

/** The `prev_hash` of a chain's first row. */
export const GENESIS_HASH = "0".repeat(64);

const sha256 = (text: string): string => (typeof hash === "function" ? hash("sha256", text, "hex") : createHash("sha256").update(text).digest("hex"));

function header(table: ChainTable, prevHash: string, fields: readonly unknown[]): string {
  return `jifen-chain-1\n${table}\n${prevHash}\n${JSON.stringify(fields)}\n`;
}

/** A chained row's hash: of its table, the previous row's hash, its fields and (decision tables) its output bytes. */
export function chainRowHash(table: ChainTable, prevHash: string, fields: readonly unknown[], output?: string | Uint8Array): string {
  const head = header(table, prevHash, fields);
  if (output === undefined) return sha256(head);
  // A batch's output (hundreds of kB) is fed on its own rather than joined to the header, which would copy it.
  if (typeof output === "string" && output.length < 4096) return sha256(head + output);
  return createHash("sha256").update(head).update(output).digest("hex");
}

export interface AuditFields {
  id: number;
  at: string;
  actorId: number | null;
  action: string;
  entityType: string;
  entityId: string;
  standardId: string | null;
  hashBefore: string | null;
  hashAfter: string | null;
  details: string;
}

export function auditFields(r: AuditFields): unknown[] {
  return [r.id, r.at, r.actorId, r.action, r.entityType, r.entityId, r.standardId, r.hashBefore, r.hashAfter, r.details];
}

export interface DecisionFields {
  id: number;
  at: string;
  tokenId: number | null;
  standardId: string;
  versionId: number;
  versionHash: string;
  programId: string;
  evaluationDate: string;
  inputHash: string;
}

export function decisionFields(r: DecisionFields): unknown[] {
  return [r.id, r.at, r.tokenId, r.standardId, r.versionId, r.versionHash, r.programId, r.evaluationDate, r.inputHash];
}

const json = (value: string | number | null): string => (typeof value === "string" ? JSON.stringify(value) : String(value));

/**
 * The hash of a decision_log row, as `chainRowHash("decision_log", prevHash, decisionFields(row), output)` computes
 * it, with the JSON array written directly: on the hot path of single evaluations, spreading the row into a new
 * object and stringifying an array of its fields cost several times the SHA-256 itself (3–18 µs against 0.5–2 µs per
 * row). Verification uses the generic form; both give the same text (test/security/integrity.test.ts).
 */
export function decisionRowHash(prevHash: string, r: DecisionFields, output: string): string {
  const fields =
    `[${r.id},${json(r.at)},${json(r.tokenId)},${json(r.standardId)},${r.versionId},${json(r.versionHash)},` +
    `${json(r.programId)},${json(r.evaluationDate)},${json(r.inputHash)}]`;
  return sha256(`jifen-chain-1\ndecision_log\n${prevHash}\n${fields}\n${output}`);
}

export interface BatchFields extends DecisionFields {
  firstDecisionId: number;
  applicantCount: number;
}

export function batchFields(r: BatchFields): unknown[] {
  return [...decisionFields(r), r.firstDecisionId, r.applicantCount];
}

export interface ChainTail {
  /** The id the next row takes: past every id the table has used (AUTOINCREMENT's own rule). */
  nextId: number;
  /** The last row's row_hash (GENESIS_HASH for an empty chain). */
  prevHash: string;
}

interface TailStatement {
  get(): unknown;
}

const tailStatements = new WeakMap<Database.Database, Map<ChainTable, TailStatement>>();

/**
 * Where the next row of a chain goes. Read inside the write transaction that inserts it: SQLite lets one writer at
 * a time, so no other row can come between (a trigger refuses a row that does not link to the last one).
 */
export function chainTail(sqlite: Database.Database, table: ChainTable): ChainTail {
  let byTable = tailStatements.get(sqlite);
  if (!byTable) {
    byTable = new Map();
    tailStatements.set(sqlite, byTable);
  }
  let statement = byTable.get(table);
  if (!statement) {
    statement = sqlite.prepare(
      `select max(coalesce((select seq from sqlite_sequence where name = '${table}'), 0), coalesce((select max(id) from ${table}), 0)) + 1 as nextId,
              coalesce((select row_hash from ${table} order by id desc limit 1), '${GENESIS_HASH}') as prevHash`,
    );
    byTable.set(table, statement);
  }
  return statement.get() as ChainTail;
}

/** The time a row is written, as the columns' SQL default writes it (`strftime('%Y-%m-%dT%H:%M:%fZ','now')`). */
export function rowTime(): string {
  return new Date().toISOString();
}
