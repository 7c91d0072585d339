/**
 * One sign-in attempt: throttled per account and per address, checked with Argon2id, and written to the audit log
 * (failures and successes, with the address), see docs/decisions/019-sign-in-and-isolation.md.
 */
import { recordAudit } from "../../db/audit";
import type { JifenDb } from "../../db/connection";
import { userIdByName, verifyCredentials, type UserRecord } from "../../db/users";
import { SignInThrottle } from "./sign-in-throttle.server";

export type SignInOutcome =
  | { kind: "signedIn"; user: UserRecord }
  | { kind: "badCredentials" }
  | { kind: "throttled"; retryAfterSeconds: number };

const throttle = new SignInThrottle();

/** Usernames as typed go into the audit log; a very long one (a pasted password, an attack) is cut there. */
const AUDITED_NAME_LENGTH = 64;

export async function attemptSignIn(
  db: JifenDb,
  attempt: { username: string; password: string; address: string },
  now: number = Date.now(),
): Promise<SignInOutcome> {
  const keys = { username: attempt.username, address: attempt.address };
  const wait = throttle.waitMs(keys, now);
  if (wait > 0) return { kind: "throttled", retryAfterSeconds: Math.ceil(wait / 1000) };
  const user = attempt.username && attempt.password ? await verifyCredentials(db, attempt.username, attempt.password) : null;
  const auditedName = attempt.username.slice(0, AUDITED_NAME_LENGTH);
  if (!user) {
    const started = throttle.fail(keys, Date.now());
    // In a transaction, so the audit log's chain reads its previous row and appends in one step.
    db.transaction((tx) =>
      recordAudit(tx, {
        actorId: null,
        action: "user.signInFailed",
        entityType: "user",
        entityId: auditedName,
        details: {
          username: auditedName,
          address: attempt.address,
          accountExists: userIdByName(db, attempt.username) !== null,
          ...(started > 0 ? { waitSeconds: Math.ceil(started / 1000) } : {}),
        },
      }),
    );
    return started > 0 ? { kind: "throttled", retryAfterSeconds: Math.ceil(started / 1000) } : { kind: "badCredentials" };
  }
  throttle.succeed(keys);
  db.transaction((tx) => recordAudit(tx, { actorId: user.id, action: "user.signIn", entityType: "user", entityId: user.id, details: { address: attempt.address } }));
  return { kind: "signedIn", user };
}
