/** The append-only audit log (UPDATE and DELETE are refused by triggers). */
import { asc, eq } from "drizzle-orm";
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

export function recordAudit(tx: Tx | JifenDb, entry: AuditEntryInput): void {
  tx.insert(auditLog)
    .values({
      actorId: entry.actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: String(entry.entityId),
      standardId: entry.standardId ?? null,
      hashBefore: entry.hashBefore ?? null,
      hashAfter: entry.hashAfter ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .run();
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string | null;
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
