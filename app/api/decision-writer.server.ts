/**
 * Group commit for the decision log of explained single evaluations (`?explain=true`, scored on the reference path in
 * the receiving thread; the others are decided and logged by singles.server.ts): decisions that arrive in the same
 * turn of the event loop are written in one transaction, and each request answers once its row is committed (so a returned
 * decision id always exists). One commit per turn instead of one per request.
 *
 * Each decision carries the database generation (change-watch.server.ts) its request was authenticated and scored
 * at, and a `recheck` of what it relied on. The commit looks at the generation inside its write transaction; if the
 * database changed since, each such decision is rechecked there (its token looked up again, the version in effect
 * read again) and one that no longer holds is not written: its promise rejects with the recheck's error (401 for a
 * revoked token, `StaleSnapshot` when another version is now in effect, so the request is decided again). So a
 * revoked token is refused even when a request found it still in the cache.
 */
import type { JifenDb } from "../../db/connection";
import { recordDecisions, type NewDecision } from "../../db/decisions";
import { changeWatch } from "./change-watch.server";

/** The decision was made on data that changed before it could be committed; it was not logged. */
export class StaleSnapshot extends Error {
  constructor() {
    super("the database changed before the decision was committed");
  }
}

interface Pending {
  decision: NewDecision;
  generation: number;
  recheck: () => void;
  resolve: (id: number) => void;
  reject: (error: unknown) => void;
}

const queues = new Map<JifenDb, Pending[]>();

function flush(db: JifenDb): void {
  const group = queues.get(db) ?? [];
  queues.delete(db);
  try {
    const refused = new Map<Pending, unknown>();
    const outcome = changeWatch(db).ownTransaction((generation) => {
      const holding = group.filter((p) => {
        if (p.generation === generation) return true;
        try {
          p.recheck();
          return true;
        } catch (error) {
          refused.set(p, error);
          return false;
        }
      });
      return { holding, ids: recordDecisions(db, holding.map((p) => p.decision)) };
    });
    outcome.holding.forEach((p, i) => p.resolve(outcome.ids[i]));
    for (const [p, error] of refused) p.reject(error);
  } catch (error) {
    for (const p of group) p.reject(error);
  }
}

/**
 * Logs a decision made at database generation `generation`; resolves with its id once committed. `recheck` throws
 * when what the decision relied on no longer holds (it runs inside the commit's transaction, only if the database
 * changed since `generation`).
 */
export function logDecision(db: JifenDb, decision: NewDecision, generation: number, recheck: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    let queue = queues.get(db);
    if (!queue) {
      queue = [];
      queues.set(db, queue);
      setImmediate(flush, db);
    }
    queue.push({ decision, generation, recheck, resolve, reject });
  });
}
