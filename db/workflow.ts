/**
 * The publishing workflow: draft → in_review → approved → published → superseded (or withdrawn).
 * Four-eyes: whoever authored a version (created it or saved any revision of it) can neither approve nor publish it.
 * Publishing requires a valid document, its embedded cases passing (both checked by the caller, who has the
 * validator and the engine) and at least one stored simulation run of exactly this content.
 */
import { and, desc, eq, inArray, isNull, lte, or, gte, sql } from "drizzle-orm";
import { recordAudit } from "./audit";
import type { JifenDb } from "./connection";
import { simulationRuns, standardVersions, versionRevisions } from "./schema";
import { createVersion, getVersion, type VersionRecord } from "./standards";
import type { Role } from "./users";
import { isIsoDate, isoDateMessage } from "../rules-schema/iso-date";
import { formatIsoDate, fromDayNumber, isoDayNumber } from "../engine/scoring/dates";

export interface Actor {
  id: number;
  roles: Role[];
}

export type WorkflowErrorCode =
  | "workflow.notFound"
  | "workflow.wrongStatus"
  | "workflow.forbidden"
  | "workflow.fourEyes"
  | "workflow.invalidDocument"
  | "workflow.casesFailing"
  | "workflow.noSimulation"
  | "workflow.badDate";

export interface WorkflowError {
  code: WorkflowErrorCode;
  message: { zh: string; en: string };
  params: Record<string, unknown>;
}

export type WorkflowResult = { ok: true } | { ok: false; errors: WorkflowError[] };

/** What the caller found when it checked the document with the validator and the engine. */
export interface ContentChecks {
  documentValid: boolean;
  casesPassed: boolean;
}

const STATUS_ZH: Record<string, string> = {
  draft: "草稿",
  in_review: "审核中",
  approved: "已批准",
  published: "已发布",
  superseded: "已被替代",
  withdrawn: "已撤回",
};

function err(code: WorkflowErrorCode, zh: string, en: string, params: Record<string, unknown> = {}): WorkflowError {
  return { code, message: { zh, en }, params };
}

function can(actor: Actor, role: Role): boolean {
  return actor.roles.includes(role) || actor.roles.includes("administrator");
}

function wrongStatus(version: VersionRecord, expected: string[]): WorkflowError {
  return err(
    "workflow.wrongStatus",
    `此版本状态为“${STATUS_ZH[version.status] ?? version.status}”，此操作需要状态为：${expected.map((s) => STATUS_ZH[s] ?? s).join("、")}。`,
    `This version is ${version.status}; this step needs it to be ${expected.join(" or ")}.`,
    { status: version.status, expected },
  );
}

/** Users who created the version or saved any revision of it. */
export function authorsOf(db: JifenDb, versionId: number): number[] {
  const version = db.select({ draftedBy: standardVersions.draftedBy }).from(standardVersions).where(eq(standardVersions.id, versionId)).get();
  const savers = db
    .selectDistinct({ savedBy: versionRevisions.savedBy })
    .from(versionRevisions)
    .where(eq(versionRevisions.versionId, versionId))
    .all()
    .map((r) => r.savedBy);
  return [...new Set([version?.draftedBy, ...savers].filter((id): id is number => typeof id === "number"))];
}

function fourEyes(db: JifenDb, version: VersionRecord, actor: Actor): WorkflowError | null {
  if (!authorsOf(db, version.id).includes(actor.id)) return null;
  return err(
    "workflow.fourEyes",
    "起草或修改过此版本的人不能审批或发布它（双人复核）。",
    "Whoever drafted or edited this version cannot approve or publish it (four-eyes rule).",
  );
}

export function hasSimulationRun(db: JifenDb, version: VersionRecord): boolean {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(simulationRuns)
    .where(and(eq(simulationRuns.candidateVersionId, version.id), eq(simulationRuns.candidateHash, version.contentHash)))
    .get();
  return (row?.n ?? 0) > 0;
}

function transition(
  db: JifenDb,
  version: VersionRecord,
  actor: Actor,
  to: string,
  action: string,
  extra: Partial<typeof standardVersions.$inferInsert> = {},
  details: Record<string, unknown> = {},
): void {
  db.transaction((tx) => {
    const updated = tx
      .update(standardVersions)
      .set({ status: to, ...extra, updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))` })
      .where(and(eq(standardVersions.id, version.id), eq(standardVersions.status, version.status)))
      .run();
    if (updated.changes !== 1) throw new Error("version changed concurrently");
    recordAudit(tx, {
      actorId: actor.id,
      action,
      entityType: "version",
      entityId: version.id,
      standardId: version.standardId,
      hashBefore: version.contentHash,
      hashAfter: version.contentHash,
      details: { from: version.status, to, ...details },
    });
  });
}

/** Starts a new draft from an existing version (usually the published one). */
export function startRevision(
  db: JifenDb,
  input: { fromVersionId: number; versionLabel: string; actor: Actor },
): { ok: true; versionId: number } | { ok: false; errors: WorkflowError[] } {
  const from = getVersion(db, input.fromVersionId);
  if (!from) return { ok: false, errors: [err("workflow.notFound", "未找到该版本。", "Version not found.")] };
  if (!can(input.actor, "drafter")) {
    return { ok: false, errors: [err("workflow.forbidden", "您没有起草权限。", "You do not have the drafter role.")] };
  }
  const versionId = createVersion(db, from.standardId, {
    versionLabel: input.versionLabel,
    status: "draft",
    documentText: from.document,
    draftedBy: input.actor.id,
    basedOnVersionId: from.id,
  });
  return { ok: true, versionId };
}

export function submitForReview(db: JifenDb, input: { versionId: number; actor: Actor; checks: Pick<ContentChecks, "documentValid"> }): WorkflowResult {
  const version = getVersion(db, input.versionId);
  if (!version) return { ok: false, errors: [err("workflow.notFound", "未找到该版本。", "Version not found.")] };
  const errors: WorkflowError[] = [];
  if (!can(input.actor, "drafter")) errors.push(err("workflow.forbidden", "您没有起草权限。", "You do not have the drafter role."));
  if (version.status !== "draft") errors.push(wrongStatus(version, ["draft"]));
  if (!input.checks.documentValid) {
    errors.push(err("workflow.invalidDocument", "文档未通过校验，不能提交审核。", "The document does not validate; it cannot be submitted."));
  }
  if (errors.length) return { ok: false, errors };
  transition(db, version, input.actor, "in_review", "version.submit");
  return { ok: true };
}

/** A reviewer sends the version back for more drafting. */
export function returnToDraft(db: JifenDb, input: { versionId: number; actor: Actor; reason: string }): WorkflowResult {
  const version = getVersion(db, input.versionId);
  if (!version) return { ok: false, errors: [err("workflow.notFound", "未找到该版本。", "Version not found.")] };
  const errors: WorkflowError[] = [];
  if (!can(input.actor, "reviewer") && !can(input.actor, "publisher")) {
    errors.push(err("workflow.forbidden", "您没有审核权限。", "You do not have the reviewer role."));
  }
  if (version.status !== "in_review" && version.status !== "approved") errors.push(wrongStatus(version, ["in_review", "approved"]));
  if (errors.length) return { ok: false, errors };
  // A returned version is a draft again: the earlier approval no longer holds (a trigger refuses a draft carrying one).
  transition(db, version, input.actor, "draft", "version.return", { approvedBy: null }, { reason: input.reason });
  return { ok: true };
}

export function approve(db: JifenDb, input: { versionId: number; actor: Actor }): WorkflowResult {
  const version = getVersion(db, input.versionId);
  if (!version) return { ok: false, errors: [err("workflow.notFound", "未找到该版本。", "Version not found.")] };
  const errors: WorkflowError[] = [];
  if (!can(input.actor, "reviewer")) errors.push(err("workflow.forbidden", "您没有审核权限。", "You do not have the reviewer role."));
  if (version.status !== "in_review") errors.push(wrongStatus(version, ["in_review"]));
  const eyes = fourEyes(db, version, input.actor);
  if (eyes) errors.push(eyes);
  if (errors.length) return { ok: false, errors };
  transition(db, version, input.actor, "approved", "version.approve", { approvedBy: input.actor.id });
  return { ok: true };
}

/** Everything that stands in the way of `actor` publishing the version now (empty = may publish). */
export function publishBlockers(db: JifenDb, versionId: number, actor: Actor, checks: ContentChecks, effectiveFrom?: string): WorkflowError[] {
  const version = getVersion(db, versionId);
  if (!version) return [err("workflow.notFound", "未找到该版本。", "Version not found.")];
  const errors: WorkflowError[] = [];
  if (!can(actor, "publisher")) errors.push(err("workflow.forbidden", "您没有发布权限。", "You do not have the publisher role."));
  if (version.status !== "approved") errors.push(wrongStatus(version, ["approved"]));
  const eyes = fourEyes(db, version, actor);
  if (eyes) errors.push(eyes);
  if (!checks.documentValid) errors.push(err("workflow.invalidDocument", "文档未通过校验。", "The document does not validate."));
  if (!checks.casesPassed) errors.push(err("workflow.casesFailing", "文档内置的测试用例未全部通过。", "Some of the document's embedded test cases fail."));
  if (!hasSimulationRun(db, version)) {
    errors.push(
      err(
        "workflow.noSimulation",
        "此版本（当前内容）尚未在历史申请人数据上进行过模拟测算。",
        "This version (as it is now) has not been simulated on a past cohort yet.",
      ),
    );
  }
  const dateValid = effectiveFrom === undefined || isIsoDate(effectiveFrom);
  if (!dateValid) {
    const message = isoDateMessage(effectiveFrom, { zh: "生效日期", en: "The effective date" });
    errors.push(err("workflow.badDate", `${message.zh}。`, `${message.en}.`, { effectiveFrom }));
  }
  if (effectiveFrom && dateValid) {
    const later = db
      .select({ id: standardVersions.id, effectiveFrom: standardVersions.effectiveFrom })
      .from(standardVersions)
      .where(
        and(
          eq(standardVersions.standardId, version.standardId),
          inArray(standardVersions.status, ["published", "superseded"]),
          gte(standardVersions.effectiveFrom, effectiveFrom),
        ),
      )
      .get();
    if (later) {
      errors.push(
        err(
          "workflow.badDate",
          `生效日期必须晚于已发布版本的生效日期（${later.effectiveFrom}）。`,
          `The effective date must be after that of the published version (${later.effectiveFrom}).`,
          { effectiveFrom, existing: later.effectiveFrom },
        ),
      );
    }
  }
  return errors;
}

/** The day before a date that publishBlockers has checked (no Date object: nothing rolls over). */
function dayBefore(isoDate: string): string {
  return formatIsoDate(fromDayNumber(isoDayNumber(isoDate) - 1));
}

/**
 * Publishes an approved version from `effectiveFrom`; the version in effect until then is closed the day before and
 * marked superseded. All in one transaction.
 */
export function publish(db: JifenDb, input: { versionId: number; actor: Actor; effectiveFrom: string; checks: ContentChecks }): WorkflowResult {
  const errors = publishBlockers(db, input.versionId, input.actor, input.checks, input.effectiveFrom);
  if (errors.length) return { ok: false, errors };
  const version = getVersion(db, input.versionId)!;
  db.transaction((tx) => {
    const open = tx
      .select({ id: standardVersions.id, contentHash: standardVersions.contentHash })
      .from(standardVersions)
      .where(and(eq(standardVersions.standardId, version.standardId), eq(standardVersions.status, "published"), isNull(standardVersions.effectiveTo)))
      .all();
    for (const previous of open) {
      tx.update(standardVersions)
        .set({ status: "superseded", effectiveTo: dayBefore(input.effectiveFrom) })
        .where(eq(standardVersions.id, previous.id))
        .run();
      recordAudit(tx, {
        actorId: input.actor.id,
        action: "version.supersede",
        entityType: "version",
        entityId: previous.id,
        standardId: version.standardId,
        hashBefore: previous.contentHash,
        hashAfter: previous.contentHash,
        details: { effectiveTo: dayBefore(input.effectiveFrom), supersededBy: version.id },
      });
    }
    tx.update(standardVersions)
      .set({
        status: "published",
        effectiveFrom: input.effectiveFrom,
        effectiveTo: null,
        publishedBy: input.actor.id,
        publishedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`,
      })
      .where(and(eq(standardVersions.id, version.id), eq(standardVersions.status, "approved")))
      .run();
    recordAudit(tx, {
      actorId: input.actor.id,
      action: "version.publish",
      entityType: "version",
      entityId: version.id,
      standardId: version.standardId,
      hashBefore: version.contentHash,
      hashAfter: version.contentHash,
      details: { from: "approved", to: "published", effectiveFrom: input.effectiveFrom },
    });
  });
  return { ok: true };
}

export function withdraw(db: JifenDb, input: { versionId: number; actor: Actor; reason: string }): WorkflowResult {
  const version = getVersion(db, input.versionId);
  if (!version) return { ok: false, errors: [err("workflow.notFound", "未找到该版本。", "Version not found.")] };
  const errors: WorkflowError[] = [];
  if (!can(input.actor, "publisher")) errors.push(err("workflow.forbidden", "您没有发布权限。", "You do not have the publisher role."));
  if (version.status !== "published") errors.push(wrongStatus(version, ["published"]));
  if (errors.length) return { ok: false, errors };
  transition(db, version, input.actor, "withdrawn", "version.withdraw", {}, { reason: input.reason });
  return { ok: true };
}

/** The version of a standard in effect on a date: published or superseded, with the date inside its period. */
export function versionInEffect(db: JifenDb, standardId: string, date: string): VersionRecord | undefined {
  const row = db
    .select({ id: standardVersions.id })
    .from(standardVersions)
    .where(
      and(
        eq(standardVersions.standardId, standardId),
        inArray(standardVersions.status, ["published", "superseded"]),
        lte(standardVersions.effectiveFrom, date),
        or(isNull(standardVersions.effectiveTo), gte(standardVersions.effectiveTo, date)),
      ),
    )
    .orderBy(desc(standardVersions.effectiveFrom))
    .get();
  return row ? getVersion(db, row.id) : undefined;
}
