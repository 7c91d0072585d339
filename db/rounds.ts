/**
 * Application rounds (申请批次): opening, running (each applicant's decision logged in decision_log, as the API logs
 * its evaluations), announcing (four-eyes), the public notice, objections and their re-review, amendments. Every step
 * is in the audit trail under the round (entity "round"). Database triggers (migration 0011) keep an announced round,
 * its notice, decided objections and amendments as they were written (docs/decisions/042-application-rounds.md).
 */
import { and, asc, desc, eq } from "drizzle-orm";
import { recordAudit } from "./audit";
import type { JifenDb } from "./connection";
import { recordDecisions, type NewDecision } from "./decisions";
import { auditLog, roundAmendments, roundNotices, roundObjections, roundResults, rounds, users } from "./schema";

export type RoundStatus = "open" | "run" | "announced";

export interface Actor {
  id: number;
  roles: string[];
}

export interface RoundError {
  code: string;
  message: { zh: string; en: string };
}

export type RoundResult<T = undefined> = { ok: true; value: T } | { ok: false; error: RoundError };

const fail = (code: string, zh: string, en: string): { ok: false; error: RoundError } => ({ ok: false, error: { code, message: { zh, en } } });

/** Drafters and publishers run rounds (issue 23); an administrator may too. */
export function mayRunRounds(actor: Actor): boolean {
  return actor.roles.some((role) => role === "drafter" || role === "publisher" || role === "administrator");
}

const notAllowed = () => fail("round.forbidden", "只有起草人或发布人可以办理申请批次。", "Only drafters and publishers handle application rounds.");

export interface RoundRecord {
  id: number;
  standardId: string;
  programId: string;
  name: string;
  cutoffDate: string;
  quotas: Record<string, number>;
  scoreLine: number | null;
  cohortId: number | null;
  status: RoundStatus;
  versionId: number | null;
  versionHash: string | null;
  pools: PoolStanding[] | null;
  createdBy: number | null;
  createdAt: string;
  runBy: number | null;
  runAt: string | null;
  announcedBy: number | null;
  announcedAt: string | null;
}

/** A pool as the allocation left it (engine/allocation/rank.ts PoolAllocation). */
export interface PoolStanding {
  pool: string;
  places: number | null;
  candidates: number;
  admittedRound1: number;
  admittedRound2: number;
  cutoffTotal: number | null;
  leftover: number;
}

type RoundRow = typeof rounds.$inferSelect;

function toRecord(row: RoundRow): RoundRecord {
  return {
    ...row,
    status: row.status as RoundStatus,
    quotas: JSON.parse(row.quotas) as Record<string, number>,
    pools: row.pools ? (JSON.parse(row.pools) as PoolStanding[]) : null,
  };
}

export interface NewRound {
  standardId: string;
  programId: string;
  name: string;
  cutoffDate: string;
  quotas: Record<string, number>;
  scoreLine: number | null;
  cohortId: number | null;
}

export function createRound(db: JifenDb, round: NewRound, actor: Actor): RoundResult<number> {
  if (!mayRunRounds(actor)) return notAllowed();
  const id = db.transaction((tx) => {
    const created = tx
      .insert(rounds)
      .values({ ...round, quotas: JSON.stringify(round.quotas), createdBy: actor.id })
      .returning({ id: rounds.id })
      .get();
    recordAudit(tx, {
      actorId: actor.id,
      action: "round.open",
      entityType: "round",
      entityId: created.id,
      standardId: round.standardId,
      details: { name: round.name, program: round.programId, cutoffDate: round.cutoffDate, quotas: round.quotas, scoreLine: round.scoreLine, cohortId: round.cohortId },
    });
    return created.id;
  });
  return { ok: true, value: id };
}

export function getRound(db: JifenDb, id: number): RoundRecord | undefined {
  const row = db.select().from(rounds).where(eq(rounds.id, id)).get();
  return row ? toRecord(row) : undefined;
}

export function listRounds(db: JifenDb): RoundRecord[] {
  return db.select().from(rounds).orderBy(desc(rounds.id)).all().map(toRecord);
}

/** Attaches the round's applicants (an imported cohort) to a round not yet announced; its results are run again. */
export function attachCohort(db: JifenDb, roundId: number, cohortId: number, actor: Actor): RoundResult {
  if (!mayRunRounds(actor)) return notAllowed();
  const round = getRound(db, roundId);
  if (!round) return fail("round.notFound", "没有这个申请批次。", "There is no such round.");
  if (round.status === "announced") return announcedAlready();
  db.transaction((tx) => {
    tx.update(rounds).set({ status: "open", cohortId }).where(eq(rounds.id, roundId)).run();
    tx.delete(roundResults).where(eq(roundResults.roundId, roundId)).run();
    recordAudit(tx, { actorId: actor.id, action: "round.attach", entityType: "round", entityId: roundId, standardId: round.standardId, details: { cohortId } });
  });
  return { ok: true, value: undefined };
}

const announcedAlready = () =>
  fail("round.announced", "此申请批次已公布，结果不可再改；如有异议，请在公示期内登记异议并复核。", "This round has been announced and its results cannot change; an objection is recorded and re-reviewed during the notice period.");

/** One applicant's result as the run computed it, with the decision to log for him. */
export interface ComputedResult {
  rowNo: number;
  applicantRef: string;
  idMasked: string | null;
  nameMasked: string | null;
  pool: string;
  eligible: boolean;
  vetoed: boolean;
  total: number;
  rank: number | null;
  admitted: string | null;
  reason: string | null;
  decision: NewDecision;
}

/**
 * Stores a run: every applicant's decision logged (one transaction with the results, so a run is all or nothing),
 * the results replacing any earlier run's, the version and pools recorded, the round marked run.
 */
export function storeRoundRun(
  db: JifenDb,
  roundId: number,
  run: { versionId: number; versionHash: string; pools: PoolStanding[]; results: readonly ComputedResult[] },
  actor: Actor,
): RoundResult<{ decisions: number }> {
  if (!mayRunRounds(actor)) return notAllowed();
  const round = getRound(db, roundId);
  if (!round) return fail("round.notFound", "没有这个申请批次。", "There is no such round.");
  if (round.status === "announced") return announcedAlready();
  const insert = db.$client.prepare(
    `insert into round_results (round_id, row_no, applicant_ref, id_masked, name_masked, pool, decision_id, eligible, vetoed, total, rank, admitted, reason)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(
    (tx) => {
      tx.update(rounds).set({ status: "open" }).where(eq(rounds.id, roundId)).run();
      tx.delete(roundResults).where(eq(roundResults.roundId, roundId)).run();
      const ids = recordDecisions(db, run.results.map((r) => r.decision));
      run.results.forEach((r, i) =>
        insert.run(roundId, r.rowNo, r.applicantRef, r.idMasked, r.nameMasked, r.pool, ids[i], r.eligible ? 1 : 0, r.vetoed ? 1 : 0, r.total, r.rank, r.admitted, r.reason),
      );
      tx.update(rounds)
        .set({ status: "run", versionId: run.versionId, versionHash: run.versionHash, pools: JSON.stringify(run.pools), runBy: actor.id, runAt: new Date().toISOString() })
        .where(eq(rounds.id, roundId))
        .run();
      recordAudit(tx, {
        actorId: actor.id,
        action: "round.run",
        entityType: "round",
        entityId: roundId,
        standardId: round.standardId,
        hashAfter: run.versionHash,
        details: {
          versionId: run.versionId,
          applicants: run.results.length,
          admitted: run.results.filter((r) => r.admitted !== null).length,
          firstDecisionId: ids[0] ?? null,
          lastDecisionId: ids[ids.length - 1] ?? null,
        },
      });
    },
    { behavior: "immediate" },
  );
  return { ok: true, value: { decisions: run.results.length } };
}

/** Announces a run round: by someone other than who ran it (four-eyes); its results are frozen from then on. */
export function announceRound(db: JifenDb, roundId: number, actor: Actor): RoundResult {
  if (!mayRunRounds(actor)) return notAllowed();
  const round = getRound(db, roundId);
  if (!round) return fail("round.notFound", "没有这个申请批次。", "There is no such round.");
  if (round.status === "announced") return announcedAlready();
  if (round.status !== "run") return fail("round.notRun", "此申请批次尚未计分排名，不能公布。", "This round has not been run yet; it cannot be announced.");
  if (round.runBy === actor.id) {
    return fail("round.fourEyes", "双人复核：计分排名的人不能公布同一批次，请由另一位同事公布。", "Four-eyes rule: whoever ran the round cannot announce it; a colleague announces it.");
  }
  db.transaction((tx) => {
    tx.update(rounds).set({ status: "announced", announcedBy: actor.id, announcedAt: new Date().toISOString() }).where(eq(rounds.id, roundId)).run();
    recordAudit(tx, { actorId: actor.id, action: "round.announce", entityType: "round", entityId: roundId, standardId: round.standardId, hashAfter: round.versionHash, details: {} });
  });
  return { ok: true, value: undefined };
}

export interface StoredRoundResult {
  rowNo: number;
  applicantRef: string;
  idMasked: string | null;
  nameMasked: string | null;
  pool: string;
  decisionId: number;
  eligible: boolean;
  vetoed: boolean;
  total: number;
  rank: number | null;
  admitted: string | null;
  reason: string | null;
}

/** The results as the run stored them, in row order. */
export function listRoundResults(db: JifenDb, roundId: number): StoredRoundResult[] {
  return db
    .select({
      rowNo: roundResults.rowNo,
      applicantRef: roundResults.applicantRef,
      idMasked: roundResults.idMasked,
      nameMasked: roundResults.nameMasked,
      pool: roundResults.pool,
      decisionId: roundResults.decisionId,
      eligible: roundResults.eligible,
      vetoed: roundResults.vetoed,
      total: roundResults.total,
      rank: roundResults.rank,
      admitted: roundResults.admitted,
      reason: roundResults.reason,
    })
    .from(roundResults)
    .where(eq(roundResults.roundId, roundId))
    .orderBy(asc(roundResults.rowNo))
    .all();
}

export function findRoundResult(db: JifenDb, roundId: number, applicantRef: string): StoredRoundResult | undefined {
  return listRoundResults(db, roundId).find((r) => r.applicantRef === applicantRef);
}

// ---------------------------------------------------------------------------------------------------------------
// The public notice

export interface NoticeRecord {
  roundId: number;
  startsOn: string;
  workingDays: number;
  endsOn: string;
  holidays: string[];
  contact: string;
  publishedBy: number | null;
  publishedAt: string;
}

export function getNotice(db: JifenDb, roundId: number): NoticeRecord | undefined {
  const row = db.select().from(roundNotices).where(eq(roundNotices.roundId, roundId)).get();
  return row ? { ...row, holidays: JSON.parse(row.holidays) as string[] } : undefined;
}

export function publishNotice(db: JifenDb, notice: Omit<NoticeRecord, "publishedBy" | "publishedAt">, actor: Actor): RoundResult {
  if (!mayRunRounds(actor)) return notAllowed();
  const round = getRound(db, notice.roundId);
  if (!round) return fail("round.notFound", "没有这个申请批次。", "There is no such round.");
  if (round.status !== "announced") return fail("round.notAnnounced", "申请批次公布后才能发布公示。", "A notice is published once the round is announced.");
  if (getNotice(db, notice.roundId)) return fail("notice.published", "此批次的公示已发布，不可修改。", "This round's notice is already published and cannot change.");
  db.transaction((tx) => {
    tx.insert(roundNotices).values({ ...notice, holidays: JSON.stringify(notice.holidays), publishedBy: actor.id }).run();
    recordAudit(tx, {
      actorId: actor.id,
      action: "round.notice",
      entityType: "round",
      entityId: notice.roundId,
      standardId: round.standardId,
      details: { startsOn: notice.startsOn, workingDays: notice.workingDays, endsOn: notice.endsOn, holidays: notice.holidays },
    });
  });
  return { ok: true, value: undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// Objections, re-review and amendments

export type ObjectionStatus = "pending" | "upheld" | "corrected";

export interface ObjectionRecord {
  id: number;
  roundId: number;
  rowNo: number;
  disputed: string;
  correctedFacts: Record<string, unknown>;
  evidence: string;
  recordedBy: number;
  recordedByName: string | null;
  recordedAt: string;
  status: ObjectionStatus;
  reviewDecisionId: number | null;
  opinion: string | null;
  decidedBy: number | null;
  decidedByName: string | null;
  decidedAt: string | null;
}

export function listObjections(db: JifenDb, roundId: number): ObjectionRecord[] {
  const rows = db.select().from(roundObjections).where(eq(roundObjections.roundId, roundId)).orderBy(asc(roundObjections.id)).all();
  const names = new Map(db.select({ id: users.id, name: users.displayName }).from(users).all().map((u) => [u.id, u.name]));
  return rows.map((row) => ({
    ...row,
    status: row.status as ObjectionStatus,
    correctedFacts: JSON.parse(row.correctedFacts) as Record<string, unknown>,
    recordedByName: names.get(row.recordedBy) ?? null,
    decidedByName: row.decidedBy === null ? null : (names.get(row.decidedBy) ?? null),
  }));
}

export function getObjection(db: JifenDb, id: number): ObjectionRecord | undefined {
  const row = db.select({ roundId: roundObjections.roundId }).from(roundObjections).where(eq(roundObjections.id, id)).get();
  return row ? listObjections(db, row.roundId).find((o) => o.id === id) : undefined;
}

export interface NewObjection {
  roundId: number;
  rowNo: number;
  disputed: string;
  correctedFacts: Record<string, unknown>;
  evidence: string;
}

/** Records an objection during the notice period (`today` inside it), against one applicant's result. */
export function recordObjection(db: JifenDb, objection: NewObjection, today: string, actor: Actor): RoundResult<number> {
  if (!mayRunRounds(actor)) return notAllowed();
  const round = getRound(db, objection.roundId);
  if (!round) return fail("round.notFound", "没有这个申请批次。", "There is no such round.");
  const notice = getNotice(db, objection.roundId);
  if (!notice) return fail("objection.noNotice", "此批次尚未公示，公示期内才能登记异议。", "This round has no notice yet; objections are recorded during the notice period.");
  if (today < notice.startsOn || today > notice.endsOn) {
    return fail(
      "objection.outsideNotice",
      `公示期为 ${notice.startsOn} 至 ${notice.endsOn}，今天（${today}）不在公示期内，不能登记异议。`,
      `The notice period runs from ${notice.startsOn} to ${notice.endsOn}; today (${today}) is outside it, so no objection can be recorded.`,
    );
  }
  const id = db.transaction((tx) => {
    const created = tx
      .insert(roundObjections)
      .values({ ...objection, correctedFacts: JSON.stringify(objection.correctedFacts), recordedBy: actor.id })
      .returning({ id: roundObjections.id })
      .get();
    recordAudit(tx, {
      actorId: actor.id,
      action: "round.objection",
      entityType: "round",
      entityId: objection.roundId,
      standardId: round.standardId,
      details: { objectionId: created.id, rowNo: objection.rowNo, disputed: objection.disputed, correctedFacts: objection.correctedFacts, evidence: objection.evidence },
    });
    return created.id;
  });
  return { ok: true, value: id };
}

/** One applicant's standing after an amendment re-ranked the round. */
export interface Standing {
  rowNo: number;
  pool: string;
  total: number;
  eligible: boolean;
  vetoed: boolean;
  rank: number | null;
  admitted: string | null;
  reason: string | null;
}

export interface AmendmentRecord {
  id: number;
  roundId: number;
  objectionId: number;
  rowNo: number;
  pool: string;
  amendedOn: string;
  totalBefore: number;
  totalAfter: number;
  results: Standing[];
  pools: PoolStanding[];
  createdAt: string;
}

export function listAmendments(db: JifenDb, roundId: number): AmendmentRecord[] {
  return db
    .select()
    .from(roundAmendments)
    .where(eq(roundAmendments.roundId, roundId))
    .orderBy(asc(roundAmendments.id))
    .all()
    .map((row) => ({ ...row, results: JSON.parse(row.results) as Standing[], pools: JSON.parse(row.pools) as PoolStanding[] }));
}

export interface ObjectionDecision {
  objectionId: number;
  outcome: "upheld" | "corrected";
  opinion: string;
  /** The re-review's decision (the logged decision replayed with the corrected facts on the round's version). */
  review: NewDecision;
  /** For a corrected result: the round re-ranked, announced on `amendedOn`. */
  amendment?: { amendedOn: string; totalBefore: number; totalAfter: number; pool: string; results: Standing[]; pools: PoolStanding[] };
}

/**
 * Decides an objection after re-review: by someone other than who recorded it (four-eyes); the re-review's decision
 * is logged; a corrected result's amendment (the round re-ranked) is stored with it, in one transaction.
 */
export function decideObjection(db: JifenDb, decision: ObjectionDecision, actor: Actor): RoundResult<{ reviewDecisionId: number }> {
  if (!mayRunRounds(actor)) return notAllowed();
  const objection = getObjection(db, decision.objectionId);
  if (!objection) return fail("objection.notFound", "没有这条异议。", "There is no such objection.");
  if (objection.status !== "pending") return fail("objection.decided", "此异议已复核办结，不可再改。", "This objection has been decided and cannot change.");
  if (objection.recordedBy === actor.id) {
    return fail("objection.fourEyes", "双人复核：登记异议的人不能复核同一异议，请由另一位同事复核。", "Four-eyes rule: whoever recorded the objection cannot decide it; a colleague re-reviews it.");
  }
  if (decision.opinion.trim() === "") return fail("objection.opinionRequired", "请填写复核意见。", "Write the re-review opinion.");
  const round = getRound(db, objection.roundId)!;
  const reviewDecisionId = db.transaction(
    (tx) => {
      const [id] = recordDecisions(db, [decision.review]);
      tx.update(roundObjections)
        .set({ status: decision.outcome, opinion: decision.opinion, reviewDecisionId: id, decidedBy: actor.id, decidedAt: new Date().toISOString() })
        .where(eq(roundObjections.id, objection.id))
        .run();
      if (decision.outcome === "corrected" && decision.amendment) {
        const a = decision.amendment;
        tx.insert(roundAmendments)
          .values({
            roundId: objection.roundId,
            objectionId: objection.id,
            rowNo: objection.rowNo,
            pool: a.pool,
            amendedOn: a.amendedOn,
            totalBefore: a.totalBefore,
            totalAfter: a.totalAfter,
            results: JSON.stringify(a.results),
            pools: JSON.stringify(a.pools),
          })
          .run();
      }
      recordAudit(tx, {
        actorId: actor.id,
        action: decision.outcome === "corrected" ? "round.correct" : "round.uphold",
        entityType: "round",
        entityId: objection.roundId,
        standardId: round.standardId,
        details: {
          objectionId: objection.id,
          rowNo: objection.rowNo,
          opinion: decision.opinion,
          reviewDecisionId: id,
          ...(decision.amendment ? { totalBefore: decision.amendment.totalBefore, totalAfter: decision.amendment.totalAfter, amendedOn: decision.amendment.amendedOn } : {}),
        },
      });
      return id;
    },
    { behavior: "immediate" },
  );
  return { ok: true, value: { reviewDecisionId } };
}

export interface RoundHistoryEntry {
  id: number;
  at: string;
  actorName: string | null;
  action: string;
  details: Record<string, unknown>;
}

/** Every audited step of a round, oldest first. */
export function roundHistory(db: JifenDb, roundId: number): RoundHistoryEntry[] {
  return db
    .select({ id: auditLog.id, at: auditLog.at, actorName: users.displayName, action: auditLog.action, details: auditLog.details })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(eq(auditLog.entityType, "round"), eq(auditLog.entityId, String(roundId))))
    .orderBy(asc(auditLog.id))
    .all()
    .map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
