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
  | "workflow.badDate"
  | "workflow.badLabel"
  | "workflow.identityMismatch"
  | "workflow.announcementMissing";

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

/**
 * The document of a new revision: the workflow owns a version's identity, so the copy carries the new label, the
 * status "draft" and no effective period (publishing sets it). Only fields the document has are rewritten.
 */
export function documentForRevision(documentText: string, versionLabel: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(documentText);
  } catch {
    return documentText;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return documentText;
  const record = doc as Record<string, unknown>;
  const identity = ["version", "status", "effectiveFrom", "effectiveTo"];
  if (!identity.some((key) => key in record)) return documentText;
  if ("version" in record) record.version = versionLabel;
  if ("status" in record) record.status = "draft";
  delete record.effectiveFrom;
  delete record.effectiveTo;
  return JSON.stringify(record, null, 2) + (documentText.endsWith("\n") ? "\n" : "");
}

/**
 * Where the document's own identity fields contradict the version's, as the database records it: the label must be
 * the version's, and a version not yet published is a draft without an effective period (publishing decides it).
 * Documents of published versions keep what they said when published; screens show the database's values.
 */
export function identityErrors(version: Pick<VersionRecord, "versionLabel" | "status" | "document">): Array<WorkflowError & { path: string }> {
  if (!["draft", "in_review", "approved"].includes(version.status)) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(version.document);
  } catch {
    return [];
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return [];
  const record = doc as Record<string, unknown>;
  const errors: Array<WorkflowError & { path: string }> = [];
  const mismatch = (path: string, zh: string, en: string, params: Record<string, unknown>) =>
    errors.push({ ...err("workflow.identityMismatch", zh, en, params), path });
  if (typeof record.version === "string" && record.version !== version.versionLabel) {
    mismatch(
      "/version",
      `文档中的版本号“${record.version}”与本版本“${version.versionLabel}”不一致：版本号由审核流程确定，请改为“${version.versionLabel}”。`,
      `The document's version "${record.version}" differs from this version's label "${version.versionLabel}": the workflow decides the label; change it to "${version.versionLabel}".`,
      { document: record.version, label: version.versionLabel },
    );
  }
  if (typeof record.status === "string" && record.status !== "draft") {
    mismatch(
      "/status",
      `文档中的状态“${STATUS_ZH[record.status] ?? record.status}”与本版本的实际状态不一致：尚未发布的版本，文档状态应为“draft”（草稿），状态由审核流程确定。`,
      `The document says its status is "${record.status}": a version not yet published is a draft ("draft"); the workflow decides the status.`,
      { document: record.status },
    );
  }
  for (const key of ["effectiveFrom", "effectiveTo"] as const) {
    if (record[key] !== undefined) {
      mismatch(
        `/${key}`,
        `文档中写有${key === "effectiveFrom" ? "生效日期" : "截止日期"}“${String(record[key])}”：尚未发布的版本没有施行期间，生效日期在发布时确定，请删除此项。`,
        `The document gives ${key === "effectiveFrom" ? "an effective date" : "an end date"} "${String(record[key])}": a version not yet published has no period in force; the effective date is set when it is published, so remove it.`,
        { document: record[key] },
      );
    }
  }
  return errors;
}

export function isLabelTaken(db: JifenDb, standardId: string, versionLabel: string): boolean {
  return Boolean(
    db
      .select({ id: standardVersions.id })
      .from(standardVersions)
      .where(and(eq(standardVersions.standardId, standardId), eq(standardVersions.versionLabel, versionLabel)))
      .get(),
  );
}

/** The first free label of the form "<label>-rev", "<label>-rev2", … for a revision of a version. */
export function suggestRevisionLabel(db: JifenDb, standardId: string, fromLabel: string): string {
  for (let n = 1; ; n += 1) {
    const label = n === 1 ? `${fromLabel}-rev` : `${fromLabel}-rev${n}`;
    if (!isLabelTaken(db, standardId, label)) return label;
  }
}

/** Starts a new draft from an existing version (usually the published one), with its own label and no effective date. */
export function startRevision(
  db: JifenDb,
  input: { fromVersionId: number; versionLabel: string; actor: Actor },
): { ok: true; versionId: number } | { ok: false; errors: WorkflowError[] } {
  const from = getVersion(db, input.fromVersionId);
  if (!from) return { ok: false, errors: [err("workflow.notFound", "未找到该版本。", "Version not found.")] };
  if (!can(input.actor, "drafter")) {
    return { ok: false, errors: [err("workflow.forbidden", "您没有起草权限。", "You do not have the drafter role.")] };
  }
  const versionLabel = input.versionLabel.trim();
  if (!versionLabel || versionLabel.length > 64) {
    return { ok: false, errors: [err("workflow.badLabel", "请填写新版本号（不超过 64 个字符）。", "Give the new version a label (at most 64 characters).")] };
  }
  if (isLabelTaken(db, from.standardId, versionLabel)) {
    return {
      ok: false,
      errors: [
        err("workflow.badLabel", `此标准已有版本号为“${versionLabel}”的版本，请另取一个。`, `This standard already has a version labelled "${versionLabel}"; choose another.`, {
          versionLabel,
        }),
      ],
    };
  }
  const versionId = createVersion(db, from.standardId, {
    versionLabel,
    status: "draft",
    documentText: documentForRevision(from.document, versionLabel),
    draftedBy: input.actor.id,
    basedOnVersionId: from.id,
  });
  return { ok: true, versionId };
}

/** An opinion (审核意见) recorded with a decision: trimmed, at most 2,000 characters, absent when empty. */
function opinionDetails(opinion: string | undefined): { opinion?: string } {
  const text = opinion?.trim().slice(0, 2000);
  return text ? { opinion: text } : {};
}

/**
 * What stands in the way of `actor` submitting the version now (empty = may submit): a valid document that does not
 * contradict the version's identity, every embedded case passing, and a simulation of exactly the current content,
 * unless the drafter gives a reason to submit without one (recorded; publishing still requires a real run).
 */
export function submitBlockers(db: JifenDb, versionId: number, actor: Actor, checks: ContentChecks, simulationOverride?: string): WorkflowError[] {
  const version = getVersion(db, versionId);
  if (!version) return [err("workflow.notFound", "未找到该版本。", "Version not found.")];
  const errors: WorkflowError[] = [];
  if (!can(actor, "drafter")) errors.push(err("workflow.forbidden", "您没有起草权限。", "You do not have the drafter role."));
  if (version.status !== "draft") errors.push(wrongStatus(version, ["draft"]));
  if (!checks.documentValid) {
    errors.push(err("workflow.invalidDocument", "文档未通过校验，不能提交审核。", "The document does not validate; it cannot be submitted."));
  }
  errors.push(...identityErrors(version).map(({ path: _path, ...e }) => e));
  if (checks.documentValid && !checks.casesPassed) {
    errors.push(err("workflow.casesFailing", "文档内置的测试用例未全部通过，不能提交审核。", "Some of the document's embedded test cases fail; it cannot be submitted."));
  }
  if (!hasSimulationRun(db, version) && !simulationOverride?.trim()) {
    errors.push(
      err(
        "workflow.noSimulation",
        "当前内容尚未在历史申请人数据上模拟测算：请先模拟测算，或填写不经模拟测算即提交的理由。",
        "The current content has not been simulated on past applicants: simulate it first, or give a reason for submitting without.",
      ),
    );
  }
  return errors;
}

export function submitForReview(
  db: JifenDb,
  input: { versionId: number; actor: Actor; checks: ContentChecks; opinion?: string; simulationOverride?: string },
): WorkflowResult {
  const errors = submitBlockers(db, input.versionId, input.actor, input.checks, input.simulationOverride);
  if (errors.length) return { ok: false, errors };
  const version = getVersion(db, input.versionId)!;
  const override = !hasSimulationRun(db, version) ? { override: true, overrideReason: input.simulationOverride!.trim().slice(0, 2000) } : {};
  transition(db, version, input.actor, "in_review", "version.submit", {}, { ...opinionDetails(input.opinion), ...override });
  return { ok: true };
}

/** Whether four-eyes keeps `actor` from approving or publishing the version (the review page hides 批准 then). */
export function fourEyesRefuses(db: JifenDb, versionId: number, actor: Actor): WorkflowError | null {
  const version = getVersion(db, versionId);
  return version ? fourEyes(db, version, actor) : null;
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

export function approve(db: JifenDb, input: { versionId: number; actor: Actor; opinion?: string }): WorkflowResult {
  const version = getVersion(db, input.versionId);
  if (!version) return { ok: false, errors: [err("workflow.notFound", "未找到该版本。", "Version not found.")] };
  const errors: WorkflowError[] = [];
  if (!can(input.actor, "reviewer")) errors.push(err("workflow.forbidden", "您没有审核权限。", "You do not have the reviewer role."));
  if (version.status !== "in_review") errors.push(wrongStatus(version, ["in_review"]));
  const eyes = fourEyes(db, version, input.actor);
  if (eyes) errors.push(eyes);
  if (errors.length) return { ok: false, errors };
  transition(db, version, input.actor, "approved", "version.approve", { approvedBy: input.actor.id }, opinionDetails(input.opinion));
  return { ok: true };
}

/** Everything that stands in the way of `actor` publishing the version now (empty = may publish). */
/** The notice that publishes a version: its document number (文号) and the date it was announced (公布日期). */
export interface Announcement {
  documentNumber: string;
  announcedOn: string;
}

export function publishBlockers(
  db: JifenDb,
  versionId: number,
  actor: Actor,
  checks: ContentChecks,
  effectiveFrom?: string,
  announcement?: Announcement,
): WorkflowError[] {
  const version = getVersion(db, versionId);
  if (!version) return [err("workflow.notFound", "未找到该版本。", "Version not found.")];
  const errors: WorkflowError[] = [];
  if (!can(actor, "publisher")) errors.push(err("workflow.forbidden", "您没有发布权限。", "You do not have the publisher role."));
  if (version.status !== "approved") errors.push(wrongStatus(version, ["approved"]));
  const eyes = fourEyes(db, version, actor);
  if (eyes) errors.push(eyes);
  if (!checks.documentValid) errors.push(err("workflow.invalidDocument", "文档未通过校验。", "The document does not validate."));
  errors.push(...identityErrors(version).map(({ path: _path, ...e }) => e));
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
  if (announcement) errors.push(...announcementErrors(announcement, effectiveFrom));
  return errors;
}

function announcementErrors(announcement: Announcement, effectiveFrom: string | undefined): WorkflowError[] {
  const errors: WorkflowError[] = [];
  const number = announcement.documentNumber.trim();
  if (!number || number.length > 100) {
    errors.push(
      err("workflow.announcementMissing", "请填写发布文件的文号（不超过 100 个字符），例如“苏府规字〔2015〕7号”。", "Give the document number of the notice that publishes it (at most 100 characters), e.g. 苏府规字〔2015〕7号.", {
        field: "documentNumber",
      }),
    );
  }
  if (!announcement.announcedOn) {
    errors.push(err("workflow.announcementMissing", "请填写公布日期。", "Give the announcement date.", { field: "announcedOn" }));
  } else if (!isIsoDate(announcement.announcedOn)) {
    const message = isoDateMessage(announcement.announcedOn, { zh: "公布日期", en: "The announcement date" });
    errors.push(err("workflow.badDate", `${message.zh}。`, `${message.en}.`, { announcedOn: announcement.announcedOn }));
  } else if (effectiveFrom && isIsoDate(effectiveFrom) && announcement.announcedOn > effectiveFrom) {
    errors.push(
      err("workflow.badDate", "公布日期不能晚于生效日期。", "The announcement date cannot be after the effective date.", {
        announcedOn: announcement.announcedOn,
        effectiveFrom,
      }),
    );
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
export function publish(
  db: JifenDb,
  input: { versionId: number; actor: Actor; effectiveFrom: string; checks: ContentChecks; announcement?: Announcement; opinion?: string },
): WorkflowResult {
  const errors = publishBlockers(db, input.versionId, input.actor, input.checks, input.effectiveFrom, input.announcement);
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
        documentNumber: input.announcement?.documentNumber.trim() ?? null,
        announcedOn: input.announcement?.announcedOn ?? null,
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
      details: {
        from: "approved",
        to: "published",
        effectiveFrom: input.effectiveFrom,
        ...(input.announcement ? { documentNumber: input.announcement.documentNumber.trim(), announcedOn: input.announcement.announcedOn } : {}),
        ...opinionDetails(input.opinion),
      },
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

export interface InboxEntry {
  versionId: number;
  standardId: string;
  standardTitle: { zh: string; en: string };
  versionLabel: string;
  /** When it reached this state, and who put it there (display name). */
  since: string;
  by: string | null;
  /** The return reason, for a returned draft. */
  reason?: string;
}

export interface Inbox {
  /** 待我审核: in review, the actor may approve it (reviewer, not an author). */
  toReview: InboxEntry[];
  /** 待我发布: approved, the actor may publish it (publisher, not an author). */
  toPublish: InboxEntry[];
  /** 被退回: drafts the actor authored whose last decision was a return. */
  returned: InboxEntry[];
}

/** What waits for the signed-in user: the same rules as the workflow (roles and four-eyes), read in one pass. */
export function inboxFor(db: JifenDb, actor: Actor): Inbox {
  const rows = db.$client
    .prepare(
      `select v.id as versionId, v.standard_id as standardId, s.title_zh as titleZh, s.title_en as titleEn, v.version_label as versionLabel,
              v.status as status,
              (select a.action from audit_log a where a.entity_type = 'version' and a.entity_id = cast(v.id as text)
                 and a.action in ('version.submit', 'version.return', 'version.approve') order by a.id desc limit 1) as lastAction,
              (select a.at from audit_log a where a.entity_type = 'version' and a.entity_id = cast(v.id as text)
                 and a.action in ('version.submit', 'version.return', 'version.approve') order by a.id desc limit 1) as lastAt,
              (select u.display_name from audit_log a left join users u on u.id = a.actor_id where a.entity_type = 'version'
                 and a.entity_id = cast(v.id as text) and a.action in ('version.submit', 'version.return', 'version.approve') order by a.id desc limit 1) as lastBy,
              (select a.details from audit_log a where a.entity_type = 'version' and a.entity_id = cast(v.id as text)
                 and a.action in ('version.submit', 'version.return', 'version.approve') order by a.id desc limit 1) as lastDetails,
              (v.drafted_by = @actor or exists (select 1 from version_revisions r where r.version_id = v.id and r.saved_by = @actor)) as isAuthor
       from standard_versions v join standards s on s.id = v.standard_id
       where v.status in ('draft', 'in_review', 'approved')
       order by v.updated_at desc, v.id desc`,
    )
    .all({ actor: actor.id }) as Array<{
    versionId: number;
    standardId: string;
    titleZh: string;
    titleEn: string;
    versionLabel: string;
    status: string;
    lastAction: string | null;
    lastAt: string | null;
    lastBy: string | null;
    lastDetails: string | null;
    isAuthor: number;
  }>;
  const inbox: Inbox = { toReview: [], toPublish: [], returned: [] };
  for (const row of rows) {
    const entry: InboxEntry = {
      versionId: row.versionId,
      standardId: row.standardId,
      standardTitle: { zh: row.titleZh, en: row.titleEn },
      versionLabel: row.versionLabel,
      since: row.lastAt ?? "",
      by: row.lastBy,
    };
    if (row.status === "in_review" && can(actor, "reviewer") && !row.isAuthor) inbox.toReview.push(entry);
    else if (row.status === "approved" && can(actor, "publisher") && !row.isAuthor) inbox.toPublish.push(entry);
    else if (row.status === "draft" && row.isAuthor && row.lastAction === "version.return") {
      const details = JSON.parse(row.lastDetails ?? "{}") as { reason?: string };
      inbox.returned.push({ ...entry, reason: details.reason ?? "" });
    }
  }
  return inbox;
}
