/**
 * The append-only audit log (UPDATE, DELETE and REPLACE are refused by triggers), a hash chain (db/chain.ts): each
 * entry is written with its id, time and hashes, the previous hash read in the same transaction.
 */
import { asc, eq, sql } from "drizzle-orm";
import { auditFields, chainRowHash, GENESIS_HASH, rowTime, type AuditFields } from "./chain";
import type { JifenDb } from "./connection";
import { auditLog, users } from "./schema";

type Tx = Parameters<Parameters<JifenDb["transaction"]>[0]>[0];

export interface AuditEntryInput {
  actorId: number | null;
  action: string;
  entityType: string;
  entityId: string | number;
  standardId?: string | null;
  hashBefore?: string | null;
  hashAfter?: string | null;
  details?: Record<string, unknown>;
}

const TAIL = sql.raw(
  `select max(coalesce((select seq from sqlite_sequence where name = 'audit_log'), 0), coalesce((select max(id) from audit_log), 0)) + 1,
          coalesce((select row_hash from audit_log order by id desc limit 1), '${GENESIS_HASH}')`,
);

/**
 * Appends an entry, inside the transaction that makes the change it records; given the database itself, in a
 * transaction of its own (IMMEDIATE, so the chain's tail is read under the write lock).
 */
export function recordAudit(tx: Tx | JifenDb, entry: AuditEntryInput): void {
  if ("$client" in tx) {
    tx.transaction((inner) => appendAudit(inner, entry), { behavior: "immediate" });
    return;
  }
  appendAudit(tx, entry);
}

// A write that changes nothing, to hold the write lock (waiting for it as any write does) before the tail is read: in
// a deferred transaction whose first statement this is, a read first would make the insert fail with
// SQLITE_BUSY_SNAPSHOT whenever another connection (an API worker) committed in between.
const TAKE_WRITE_LOCK = sql.raw("update sqlite_sequence set seq = seq where name = 'audit_log'");

function appendAudit(tx: Tx, entry: AuditEntryInput): void {
  tx.run(TAKE_WRITE_LOCK);
  const [nextId, prevHash] = tx.values<[number, string]>(TAIL)[0];
  const row: AuditFields = {
    id: nextId,
    at: rowTime(),
    actorId: entry.actorId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: String(entry.entityId),
    standardId: entry.standardId ?? null,
    hashBefore: entry.hashBefore ?? null,
    hashAfter: entry.hashAfter ?? null,
    details: JSON.stringify(entry.details ?? {}),
  };
  tx.insert(auditLog)
    .values({ ...row, prevHash, rowHash: chainRowHash("audit_log", prevHash, auditFields(row)) })
    .run();
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
  /** The actor's display name (as the officer knows them), or null for the system. */
  actorName: string | null;
  actorId: number | null;
  action: string;
  entityType: string;
  entityId: string;
  hashBefore: string | null;
  hashAfter: string | null;
  details: Record<string, unknown>;
}

export function listAudit(db: JifenDb, standardId: string): AuditEntry[] {
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actor: users.username,
      actorName: users.displayName,
      actorId: auditLog.actorId,
      action: auditLog.action,
      entityType: auditLog.entityType,
      entityId: auditLog.entityId,
      hashBefore: auditLog.hashBefore,
      hashAfter: auditLog.hashAfter,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(eq(auditLog.standardId, standardId))
    .orderBy(asc(auditLog.id))
    .all()
    .map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
}
