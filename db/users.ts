/** Repository for users, sessions and installation settings. */
import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { eq, lt, sql } from "drizzle-orm";
import type { JifenDb } from "./connection";
import { sessions, settings, users } from "./schema";

export const ROLES = ["drafter", "reviewer", "publisher", "administrator"] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
}

/** Argon2id (memory-hard) with the library's defaults: 19 MiB, 2 passes. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function createUser(
  db: JifenDb,
  input: { username: string; displayName: string; password: string; roles: Role[] },
): Promise<number> {
  const passwordHash = await hashPassword(input.password);
  const row = db
    .insert(users)
    .values({ username: input.username, displayName: input.displayName, passwordHash, roles: JSON.stringify(input.roles) })
    .returning({ id: users.id })
    .get();
  return row.id;
}

function toUser(row: { id: number; username: string; displayName: string; roles: string }): UserRecord {
  return { id: row.id, username: row.username, displayName: row.displayName, roles: JSON.parse(row.roles) as Role[] };
}

/** Checks a username and password; the same work is done for an unknown user so timing does not reveal which. */
export async function verifyCredentials(db: JifenDb, username: string, password: string): Promise<UserRecord | null> {
  const row = db.select().from(users).where(eq(users.username, username)).get();
  const stored = row?.passwordHash ?? (await dummyHash());
  const ok = await verify(stored, password).catch(() => false);
  return row && ok ? toUser(row) : null;
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= hash("not-a-real-password");
  return dummy;
}

export function countUsers(db: JifenDb): number {
  return db.select({ n: sql<number>`count(*)` }).from(users).get()?.n ?? 0;
}

/**
 * The session's key in the `sessions` table: the SHA-256 of the cookie's value, so a copy of the database holds no
 * usable session. The value has 256 random bits, so a fast hash is enough (as for API tokens).
 */
export function sessionKey(cookieValue: string): string {
  return createHash("sha256").update(cookieValue).digest("hex");
}

/**
 * Opens a session that expires after `ttlMs` and returns the cookie's value (only its hash is stored); `now` is
 * passed in so callers and tests control time.
 */
export function createSession(db: JifenDb, userId: number, now: Date, ttlMs: number): { cookieValue: string; expiresAt: string } {
  const cookieValue = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  db.insert(sessions).values({ id: sessionKey(cookieValue), userId, expiresAt }).run();
  return { cookieValue, expiresAt };
}

/** The user of the session whose cookie holds `cookieValue`, if it exists and has not expired. */
export function getSessionUser(db: JifenDb, cookieValue: string, now: Date): UserRecord | null {
  const row = db
    .select({ id: users.id, username: users.username, displayName: users.displayName, roles: users.roles, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sessionKey(cookieValue)))
    .get();
  if (!row || row.expiresAt <= now.toISOString()) return null;
  return toUser(row);
}

export function deleteSession(db: JifenDb, cookieValue: string): void {
  db.delete(sessions).where(eq(sessions.id, sessionKey(cookieValue))).run();
}

export function deleteExpiredSessions(db: JifenDb, now: Date): void {
  db.delete(sessions).where(lt(sessions.expiresAt, now.toISOString())).run();
}

/** Whether a user of this name exists (for the audit of failed sign-ins; never shown to the person signing in). */
export function userIdByName(db: JifenDb, username: string): number | null {
  return db.select({ id: users.id }).from(users).where(eq(users.username, username)).get()?.id ?? null;
}

/** Returns the stored setting, creating it with `make()` the first time. */
export function getOrCreateSetting(db: JifenDb, key: string, make: () => string): string {
  const existing = db.select().from(settings).where(eq(settings.key, key)).get();
  if (existing) return existing.value;
  db.insert(settings).values({ key, value: make() }).onConflictDoNothing().run();
  return db.select().from(settings).where(eq(settings.key, key)).get()!.value;
}

export function getUserName(db: JifenDb, id: number): string {
  return db.select({ username: users.username }).from(users).where(eq(users.id, id)).get()?.username ?? `#${id}`;
}

/** The name a person is shown by (起草人 Drafter), not the sign-in name. */
export function getUserDisplayName(db: JifenDb, id: number): string {
  const row = db.select({ username: users.username, displayName: users.displayName }).from(users).where(eq(users.id, id)).get();
  return row ? row.displayName || row.username : `#${id}`;
}
