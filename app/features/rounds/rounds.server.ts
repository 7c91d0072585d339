/**
 * Application rounds for the screens and the command line: running a round on the version in effect on its cut-off
 * date, replaying every logged decision, the round's standing (amendments applied), an applicant's own look-up and
 * the re-review of an objection. The numbers come from engine/procedure/round.ts, the records from db/rounds.ts.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../../../rules-schema/canonical";
import type { Id, StandardDocument } from "../../../rules-schema/types";
import { contentHash } from "../../../db/hash";
import type { JifenDb } from "../../../db/connection";
import { getCohort, listApplicants } from "../../../db/cohorts";
import { getDecision, type NewDecision } from "../../../db/decisions";
import {
  getNotice,
  getRound,
  listAmendments,
  listObjections,
  listRoundResults,
  storeRoundRun,
  type Actor,
  type PoolStanding,
  type RoundRecord,
  type RoundResult,
  type Standing,
  type StoredRoundResult,
} from "../../../db/rounds";
import { versionDocumentText, versionHead, versionHeadInEffect } from "../../../db/versions-in-effect";
import { computeRound, roundDocument, roundInput, summaryText, type RoundApplicant } from "../../../engine/procedure/round";
import { compileProgram } from "../../../engine/scoring/compiled";
import { scoreApplicant } from "../../../engine/scoring/reference";
import type { Facts, ScoreSheet } from "../../../engine/types";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export interface RoundVersion {
  id: number;
  label: string;
  hash: string;
  doc: StandardDocument;
}

/** A version's document, checked against its recorded content hash. */
export function loadVersion(db: JifenDb, versionId: number): RoundVersion | undefined {
  const head = versionHead(db, versionId);
  const text = head ? versionDocumentText(db, versionId) : undefined;
  if (!head || text === undefined) return undefined;
  const doc = JSON.parse(text) as StandardDocument;
  if (contentHash(doc) !== head.contentHash) throw new Error(`version ${versionId}: stored content does not match its hash`);
  return { id: head.id, label: head.versionLabel, hash: head.contentHash, doc };
}

/** The version in effect on the round's cut-off date (published or superseded, the date inside its period). */
export function versionForRound(db: JifenDb, round: Pick<RoundRecord, "standardId" | "cutoffDate">): RoundVersion | undefined {
  const head = versionHeadInEffect(db, round.standardId, round.cutoffDate);
  return head ? loadVersion(db, head.id) : undefined;
}

const fail = (code: string, zh: string, en: string) => ({ ok: false as const, error: { code, message: { zh, en } } });

/** Runs a round (again, while it is not announced): its applicants scored and ranked, each decision logged. */
export function runRound(db: JifenDb, roundId: number, actor: Actor): RoundResult<{ decisions: number; versionLabel: string }> {
  const round = getRound(db, roundId);
  if (!round) return fail("round.notFound", "没有这个申请批次。", "There is no such round.");
  if (round.cohortId === null || !getCohort(db, round.cohortId)) {
    return fail("round.noApplicants", "请先导入本批次的申请人数据。", "Import the round's applicants first.");
  }
  const version = versionForRound(db, round);
  if (!version) {
    return fail(
      "round.noVersion",
      `评估截止日期 ${round.cutoffDate} 没有已发布并生效的版本，无法计分。`,
      `No published version is in effect on the cut-off date ${round.cutoffDate}; the round cannot be scored.`,
    );
  }
  if (!version.doc.programs.some((p) => p.id === round.programId)) {
    return fail(
      "round.noProgram",
      `截止日期生效的版本 ${version.label} 没有本批次的积分项目。`,
      `The version in effect on the cut-off date (${version.label}) has no such program.`,
    );
  }
  const stored = listApplicants(db, round.cohortId);
  const computed = computeRound(version.doc, round, stored.map((a) => ({ ref: a.applicantRef, facts: a.facts })));
  const results = computed.outcomes.map((o, i) => ({
    rowNo: stored[i].rowNo,
    applicantRef: o.ref,
    idMasked: stored[i].idMasked,
    nameMasked: stored[i].nameMasked,
    pool: o.pool,
    eligible: o.eligible,
    vetoed: o.vetoed,
    total: o.total,
    rank: o.rank,
    admitted: o.admitted,
    reason: o.reason,
    decision: decisionOf(round, version, o.input, o.output),
  }));
  const storedRun = storeRoundRun(db, roundId, { versionId: version.id, versionHash: version.hash, pools: computed.pools, results }, actor);
  return storedRun.ok ? { ok: true, value: { decisions: storedRun.value.decisions, versionLabel: version.label } } : storedRun;
}

function decisionOf(round: RoundRecord, version: RoundVersion, input: string, output: string): NewDecision {
  return {
    tokenId: null,
    standardId: round.standardId,
    versionId: version.id,
    versionHash: version.hash,
    programId: round.programId,
    evaluationDate: round.cutoffDate,
    inputHash: sha256(input),
    input,
    output,
  };
}

/** The facts a logged decision was made on. */
function loggedFacts(db: JifenDb, decisionId: number): Facts {
  const decision = getDecision(db, decisionId);
  if (!decision) throw new Error(`decision ${decisionId} is missing`);
  return (JSON.parse(decision.input) as { facts: Facts }).facts;
}

/** One row of the round's standing: the announced result, or the latest amendment's. */
export interface StandingRow extends StoredRoundResult {
  /** The amendment that last changed this row's figures (its date), when one did. */
  amendedOn: string | null;
  totalBefore: number | null;
}

/** The round's standing: the announced results with the latest amendment applied, and the pools as they stand. */
export function roundStanding(db: JifenDb, round: RoundRecord): { rows: StandingRow[]; pools: PoolStanding[] } {
  const results = listRoundResults(db, round.id);
  const amendments = listAmendments(db, round.id);
  const latest = amendments[amendments.length - 1];
  if (!latest) return { rows: results.map((r) => ({ ...r, amendedOn: null, totalBefore: null })), pools: round.pools ?? [] };
  const byRow = new Map(latest.results.map((s) => [s.rowNo, s]));
  const amendedOnByRow = new Map<number, { on: string; before: number }>();
  // The date of a row's last amendment, and its total as announced (before the first).
  for (const a of amendments) amendedOnByRow.set(a.rowNo, { on: a.amendedOn, before: amendedOnByRow.get(a.rowNo)?.before ?? a.totalBefore });
  const rows = results.map((r): StandingRow => {
    const s = byRow.get(r.rowNo);
    const amended = amendedOnByRow.get(r.rowNo);
    const base = s ? { ...r, pool: s.pool, total: s.total, eligible: s.eligible, vetoed: s.vetoed, rank: s.rank, admitted: s.admitted, reason: s.reason } : r;
    return { ...base, amendedOn: amended?.on ?? null, totalBefore: amended?.before ?? null };
  });
  return { rows, pools: latest.pools };
}

/**
 * The facts each applicant stands on now: the logged decision's, or the last corrected re-review's; with
 * `beforeObjection`, as they stood when that objection was recorded (only the corrections decided on earlier ones).
 */
function currentFacts(db: JifenDb, roundId: number, beforeObjection?: number): Map<number, Facts> {
  const facts = new Map<number, Facts>();
  for (const r of listRoundResults(db, roundId)) facts.set(r.rowNo, loggedFacts(db, r.decisionId));
  for (const o of listObjections(db, roundId)) {
    if (beforeObjection !== undefined && o.id >= beforeObjection) continue;
    if (o.status === "corrected" && o.reviewDecisionId !== null) facts.set(o.rowNo, loggedFacts(db, o.reviewDecisionId));
  }
  return facts;
}

export interface ItemDifference {
  id: Id;
  label: { zh: string; en: string };
  before: number;
  after: number;
}

export interface ReReview {
  before: { facts: Facts; sheet: ScoreSheet };
  after: { facts: Facts; sheet: ScoreSheet };
  /** Items whose points differ, in document order. */
  items: ItemDifference[];
  totalBefore: number;
  totalAfter: number;
  /** The re-review's decision to log: the same version, the corrected facts. */
  decision: NewDecision;
  /** The round re-ranked with the corrected facts. */
  standing: Standing[];
  pools: PoolStanding[];
  pool: string;
  /** Whether the corrected facts change anything: points, eligibility, or anyone's place. */
  changesResult: boolean;
  version: RoundVersion;
}

/**
 * Re-reviews an objection: replays the applicant's logged decision on the round's version with the corrected facts,
 * the difference item by item, and the round re-ranked with them (every other applicant as he stands).
 */
export async function reReview(db: JifenDb, round: RoundRecord, rowNo: number, corrected: Facts, beforeObjection?: number): Promise<ReReview> {
  if (round.versionId === null) throw new Error("round not run");
  const version = loadVersion(db, round.versionId);
  if (!version || version.hash !== round.versionHash) throw new Error(`round ${round.id}: its version is missing or changed`);
  const facts = currentFacts(db, round.id, beforeObjection);
  const beforeFacts = facts.get(rowNo);
  if (!beforeFacts) throw new Error(`round ${round.id} has no row ${rowNo}`);
  const afterFacts: Facts = { ...beforeFacts, ...corrected };
  const [beforeSheet, afterSheet] = await Promise.all([
    scoreApplicant(version.doc, beforeFacts, round.programId, round.cutoffDate),
    scoreApplicant(version.doc, afterFacts, round.programId, round.cutoffDate),
  ]);
  const items: ItemDifference[] = [];
  for (const item of version.doc.items) {
    const before = beforeSheet.items.find((o) => o.id === item.id)?.points ?? 0;
    const after = afterSheet.items.find((o) => o.id === item.id)?.points ?? 0;
    if (before !== after) items.push({ id: item.id, label: item.label, before, after });
  }
  const results = listRoundResults(db, round.id);
  const applicants: RoundApplicant[] = results.map((r) => ({ ref: r.applicantRef, facts: r.rowNo === rowNo ? afterFacts : facts.get(r.rowNo)! }));
  const computed = computeRound(version.doc, round, applicants);
  const standing = computed.outcomes.map((o, i): Standing => ({
    rowNo: results[i].rowNo,
    pool: o.pool,
    total: o.total,
    eligible: o.eligible,
    vetoed: o.vetoed,
    rank: o.rank,
    admitted: o.admitted,
    reason: o.reason,
  }));
  const now = roundStanding(db, round).rows;
  const index = results.findIndex((r) => r.rowNo === rowNo);
  const changesResult =
    canonicalJson(standing.map((s) => [s.total, s.eligible, s.vetoed, s.rank, s.admitted, s.pool])) !==
    canonicalJson(now.map((s) => [s.total, s.eligible, s.vetoed, s.rank, s.admitted, s.pool]));
  const compiled = compileProgram(version.doc, round.programId);
  const input = roundInput(afterFacts, round.programId, round.cutoffDate);
  const output = summaryText(roundDocument(version.doc, round), compiled, compiled.score(afterFacts, round.cutoffDate));
  return {
    before: { facts: beforeFacts, sheet: beforeSheet },
    after: { facts: afterFacts, sheet: afterSheet },
    items,
    totalBefore: compiled.score(beforeFacts, round.cutoffDate).total,
    totalAfter: computed.outcomes[index].total,
    decision: decisionOf(round, version, input, output),
    standing,
    pools: computed.pools,
    pool: computed.outcomes[index].pool,
    changesResult,
    version,
  };
}

export interface ReplayDifference {
  applicantRef: string;
  decisionId: number;
  what: "version" | "input" | "score" | "place";
}

export interface RoundReplay {
  roundId: number;
  decisions: number;
  identical: number;
  differences: ReplayDifference[];
}

/**
 * Replays every decision of a round: each logged input on the logged version (its content checked against the
 * recorded hash), the score compared with the logged output, the input with its hash, and the places allocated again
 * from the logged inputs compared with the stored results. Re-review decisions are replayed the same way.
 */
export function replayRound(db: JifenDb, roundId: number): RoundReplay | undefined {
  const round = getRound(db, roundId);
  if (!round) return undefined;
  const results = listRoundResults(db, roundId);
  const differences: ReplayDifference[] = [];
  const report: RoundReplay = { roundId, decisions: 0, identical: 0, differences };
  if (results.length === 0 || round.versionId === null) return report;
  const version = loadVersion(db, round.versionId);
  const compiled = version ? compileProgram(version.doc, round.programId) : undefined;
  const inputs: RoundApplicant[] = [];
  const check = (applicantRef: string, decisionId: number): Facts => {
    report.decisions++;
    const decision = getDecision(db, decisionId);
    const input = decision ? (JSON.parse(decision.input) as { facts: Facts; program: string; date: string }) : { facts: {}, program: "", date: "" };
    let what: ReplayDifference["what"] | undefined;
    if (!decision || !version || decision.versionHash !== version.hash || decision.versionId !== version.id) what = "version";
    else if (sha256(decision.input) !== decision.inputHash) what = "input";
    else if (summaryText(roundDocument(version.doc, round), compiled!, compiled!.score(input.facts, input.date)) !== decision.output) what = "score";
    if (what) differences.push({ applicantRef, decisionId, what });
    else report.identical++;
    return input.facts;
  };
  for (const r of results) inputs.push({ ref: r.applicantRef, facts: check(r.applicantRef, r.decisionId) });
  for (const o of listObjections(db, roundId)) {
    if (o.reviewDecisionId !== null) check(results.find((r) => r.rowNo === o.rowNo)?.applicantRef ?? String(o.rowNo), o.reviewDecisionId);
  }
  if (version) {
    const again = computeRound(version.doc, round, inputs);
    again.outcomes.forEach((o, i) => {
      const r = results[i];
      if (o.rank !== r.rank || o.admitted !== r.admitted || o.pool !== r.pool || o.total !== r.total) {
        differences.push({ applicantRef: r.applicantRef, decisionId: r.decisionId, what: "place" });
      }
    });
  }
  return report;
}

/** The program's label as the round's version (or, before it runs, the newest published version) words it. */
export function roundProgramLabel(db: JifenDb, round: Pick<RoundRecord, "standardId" | "programId" | "versionId" | "cutoffDate">): { zh: string; en: string } {
  const version = round.versionId !== null ? loadVersion(db, round.versionId) : versionForRound(db, round);
  return version?.doc.programs.find((p) => p.id === round.programId)?.label ?? { zh: round.programId, en: round.programId };
}

/** An applicant's explained sheet as he stands (corrected facts after a corrected objection), on the round's version. */
export async function standingSheet(db: JifenDb, round: RoundRecord, rowNo: number): Promise<{ sheet: ScoreSheet; facts: Facts; doc: StandardDocument } | undefined> {
  if (round.versionId === null) return undefined;
  const version = loadVersion(db, round.versionId);
  const facts = currentFacts(db, round.id).get(rowNo);
  if (!version || !facts) return undefined;
  const doc = roundDocument(version.doc, round);
  return { sheet: await scoreApplicant(doc, facts, round.programId, round.cutoffDate), facts, doc };
}

/** A round with a published notice: only such a round is public; anything else answers as missing (404). */
export function requireNoticedRound(db: JifenDb, rawId: string | undefined): RoundRecord {
  const id = /^\d+$/.test(rawId ?? "") ? Number(rawId) : NaN;
  const round = Number.isSafeInteger(id) ? getRound(db, id) : undefined;
  if (!round || round.status !== "announced" || !getNotice(db, round.id)) throw new Response("notice not found", { status: 404 });
  return round;
}
