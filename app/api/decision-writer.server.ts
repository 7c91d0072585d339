/**
 * Group commit for the decision log: decisions of concurrent single evaluations that arrive in the same turn of the
 * event loop are written in one transaction, and each request answers once its row is committed (so a returned
 * decision id always exists). One commit per turn instead of one per request.
 */
import type { JifenDb } from "../../db/connection";
import { recordDecisions, type NewDecision } from "../../db/decisions";
import { changeWatch } from "./change-watch.server";

interface Pending {
  decision: NewDecision;
  resolve: (id: number) => void;
  reject: (error: unknown) => void;
}

const queues = new Map<JifenDb, Pending[]>();

function flush(db: JifenDb): void {
  const batch = queues.get(db) ?? [];
  queues.delete(db);
  try {
    const ids = changeWatch(db).ownWrite(() => recordDecisions(db, batch.map((p) => p.decision)));
    batch.forEach((p, i) => p.resolve(ids[i]));
  } catch (error) {
    for (const p of batch) p.reject(error);
  }
}

export function logDecision(db: JifenDb, decision: NewDecision): Promise<number> {
  return new Promise((resolve, reject) => {
    let queue = queues.get(db);
    if (!queue) {
      queue = [];
      queues.set(db, queue);
      setImmediate(flush, db);
    }
    queue.push({ decision, resolve, reject });
  });
}
