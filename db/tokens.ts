/**
 * API tokens of department clients (education, public security, HR and social security). A token is shown once at
 * creation; only its SHA-256 is stored, so a copy of the database does not reveal usable tokens. Revocation is
 * immediate: every request looks the hash up again.
 */
import { createHash, randomBytes } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import type { JifenDb } from "./connection";
import { recordAudit } from "./audit";
import { apiTokens } from "./schema";

export const TOKEN_SCOPES = ["evaluate", "rank", "read"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Prefix that makes a leaked token recognisable to secret scanners and people. */
const TOKEN_PREFIX = "jifen_";

export interface ApiTokenRecord {
  id: number;
  name: string;
  department: string;
  scopes: TokenScope[];
  createdBy: number | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function parseScopes(text: string): TokenScope[] {
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? parsed.filter((s): s is TokenScope => typeof s === "string" && isTokenScope(s)) : [];
}

/** Creates a token and returns its plaintext (the only time it is available) with the stored record. */
export function createApiToken(
  db: JifenDb,
  input: { name: string; department: string; scopes: TokenScope[]; createdBy?: number | null },
): { token: string; record: ApiTokenRecord } {
  const name = input.name.trim();
  const department = input.department.trim();
  if (!name || !department) throw new Error("A token needs a name and a department");
  const scopes = [...new Set(input.scopes)].filter(isTokenScope);
  if (scopes.length === 0) throw new Error(`A token needs at least one scope of: ${TOKEN_SCOPES.join(", ")}`);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const record = db.transaction((tx) => {
    const row = tx
      .insert(apiTokens)
      .values({ name, department, tokenHash: hashToken(token), scopes: JSON.stringify(scopes), createdBy: input.createdBy ?? null })
      .returning({ id: apiTokens.id })
      .get();
    recordAudit(tx, {
      actorId: input.createdBy ?? null,
      action: "apiToken.create",
      entityType: "apiToken",
      entityId: row.id,
      details: { name, department, scopes },
    });
    return row;
  });
  return { token, record: getApiToken(db, record.id)! };
}

function toRecord(row: typeof apiTokens.$inferSelect): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    department: row.department,
    scopes: parseScopes(row.scopes),
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}

export function getApiToken(db: JifenDb, id: number): ApiTokenRecord | undefined {
  const row = db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
  return row ? toRecord(row) : undefined;
}

export function listApiTokens(db: JifenDb): ApiTokenRecord[] {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.id)).all().map(toRecord);
}

/** Revokes a token; returns false when there is no such token or it was already revoked (getApiToken tells which). */
export function revokeApiToken(db: JifenDb, id: number, actorId: number | null = null): boolean {
  return db.transaction((tx) => {
    const updated = tx
      .update(apiTokens)
      .set({ revokedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` })
      .where(sql`${apiTokens.id} = ${id} and ${apiTokens.revokedAt} is null`)
      .run();
    if (updated.changes !== 1) return false;
    recordAudit(tx, { actorId, action: "apiToken.revoke", entityType: "apiToken", entityId: id });
    return true;
  });
}

/** The department of the token with this id (revoked or not), for deciding who may read its decisions. */
export function tokenDepartment(db: JifenDb, id: number): string | undefined {
  let statement = departmentStatements.get(db);
  if (!statement) {
    statement = db.$client.prepare("select department from api_tokens where id = ?");
    departmentStatements.set(db, statement);
  }
  return (statement.get(id) as { department: string } | undefined)?.department;
}

const departmentStatements = new WeakMap<JifenDb, { get(id: number): unknown }>();

export interface VerifiedToken {
  id: number;
  name: string;
  department: string;
  scopes: TokenScope[];
}

export type TokenVerification = { ok: true; token: VerifiedToken } | { ok: false; reason: "unknown" | "revoked" };

const lookupStatements = new WeakMap<JifenDb, { get(hash: string): unknown }>();

/** Checks a presented token. Called on every API request, so it uses one prepared statement per connection. */
export function verifyApiToken(db: JifenDb, token: string): TokenVerification {
  let statement = lookupStatements.get(db);
  if (!statement) {
    statement = db.$client.prepare("select id, name, department, scopes, revoked_at as revokedAt from api_tokens where token_hash = ?");
    lookupStatements.set(db, statement);
  }
  const row = statement.get(hashToken(token)) as
    | { id: number; name: string; department: string; scopes: string; revokedAt: string | null }
    | undefined;
  if (!row) return { ok: false, reason: "unknown" };
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  return { ok: true, token: { id: row.id, name: row.name, department: row.department, scopes: parseScopes(row.scopes) } };
}

/** Whether the token with this id may still be used (exists and is not revoked): one indexed read. */
export function isTokenActive(db: JifenDb, id: number): boolean {
  const row = db.$client.prepare("select revoked_at as revokedAt from api_tokens where id = ?").get(id) as { revokedAt: string | null } | undefined;
  return row !== undefined && row.revokedAt === null;
}

/** Records that a token was used now (callers throttle this: it is a write). */
export function touchApiToken(db: JifenDb, id: number): void {
  db.update(apiTokens).set({ lastUsedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` }).where(eq(apiTokens.id, id)).run();
}
