/** Repository for standards and their versions: the only code that reads or writes those tables. */
import { and, asc, eq, sql } from "drizzle-orm";
import type { JifenDb } from "./connection";
import { recordAudit } from "./audit";
import { contentHash } from "./hash";
import { standards, standardVersions, versionRevisions } from "./schema";

export interface StandardSummary {
  id: string;
  jurisdiction: { code: string; zh: string; en: string };
  title: { zh: string; en: string };
  versions: Array<{
    id: number;
    versionLabel: string;
    status: string;
    revision: number;
    effectiveFrom: string | null;
    effectiveTo: string | null;
    updatedAt: string;
    draftedBy: number | null;
  }>;
}

export function listStandards(db: JifenDb): StandardSummary[] {
  const rows = db.select().from(standards).orderBy(asc(standards.jurisdictionCode), asc(standards.id)).all();
  const versions = db
    .select({
      id: standardVersions.id,
      standardId: standardVersions.standardId,
      versionLabel: standardVersions.versionLabel,
      status: standardVersions.status,
      revision: standardVersions.revision,
      effectiveFrom: standardVersions.effectiveFrom,
      effectiveTo: standardVersions.effectiveTo,
      updatedAt: standardVersions.updatedAt,
      draftedBy: standardVersions.draftedBy,
    })
    .from(standardVersions)
    .orderBy(asc(standardVersions.id))
    .all();
  return rows.map((s) => ({
    id: s.id,
    jurisdiction: { code: s.jurisdictionCode, zh: s.jurisdictionZh, en: s.jurisdictionEn },
    title: { zh: s.titleZh, en: s.titleEn },
    versions: versions
      .filter((v) => v.standardId === s.id)
      .map(({ standardId: _standardId, ...v }) => v),
  }));
}

export interface VersionRecord {
  id: number;
  standardId: string;
  versionLabel: string;
  status: string;
  document: string;
  contentHash: string;
  revision: number;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  /** 文号 and 公布日期, recorded when the version was published (null before, and for versions published without). */
  documentNumber: string | null;
  announcedOn: string | null;
  updatedAt: string;
}

export function getVersion(db: JifenDb, versionId: number): VersionRecord | undefined {
  return db
    .select({
      id: standardVersions.id,
      standardId: standardVersions.standardId,
      versionLabel: standardVersions.versionLabel,
      status: standardVersions.status,
      document: standardVersions.document,
      contentHash: standardVersions.contentHash,
      revision: standardVersions.revision,
      effectiveFrom: standardVersions.effectiveFrom,
      effectiveTo: standardVersions.effectiveTo,
      documentNumber: standardVersions.documentNumber,
      announcedOn: standardVersions.announcedOn,
      updatedAt: standardVersions.updatedAt,
    })
    .from(standardVersions)
    .where(eq(standardVersions.id, versionId))
    .get();
}

export interface NewStandard {
  id: string;
  jurisdiction: { code: string; zh: string; en: string };
  title: { zh: string; en: string };
}

export interface NewVersion {
  versionLabel: string;
  status: string;
  documentText: string;
  effectiveFrom?: string | null;
  effectiveTo?: string | null;
  documentNumber?: string | null;
  announcedOn?: string | null;
  draftedBy?: number | null;
  basedOnVersionId?: number | null;
}

/** Creates a standard with its first version (and that version's first revision), all or nothing. */
export function createStandardWithVersion(db: JifenDb, standard: NewStandard, version: NewVersion): number {
  return db.transaction((tx) => {
    insertStandard(tx, standard);
    return insertVersion(tx, standard.id, version);
  });
}

/** Adds a version (with its first revision) to an existing standard. */
export function createVersion(db: JifenDb, standardId: string, version: NewVersion): number {
  return db.transaction((tx) => insertVersion(tx, standardId, version));
}

export type Tx = Parameters<Parameters<JifenDb["transaction"]>[0]>[0];

function insertStandard(tx: Tx, standard: NewStandard): void {
  tx.insert(standards)
    .values({
      id: standard.id,
      jurisdictionCode: standard.jurisdiction.code,
      jurisdictionZh: standard.jurisdiction.zh,
      jurisdictionEn: standard.jurisdiction.en,
      titleZh: standard.title.zh,
      titleEn: standard.title.en,
    })
    .run();
}

function insertVersion(tx: Tx, standardId: string, version: NewVersion): number {
  const hash = contentHash(JSON.parse(version.documentText));
  const inserted = tx
    .insert(standardVersions)
    .values({
      standardId,
      versionLabel: version.versionLabel,
      status: version.status,
      document: version.documentText,
      contentHash: hash,
      revision: 1,
      effectiveFrom: version.effectiveFrom ?? null,
      effectiveTo: version.effectiveTo ?? null,
      documentNumber: version.documentNumber ?? null,
      announcedOn: version.announcedOn ?? null,
      draftedBy: version.draftedBy ?? null,
      basedOnVersionId: version.basedOnVersionId ?? null,
    })
    .returning({ id: standardVersions.id })
    .get();
  tx.insert(versionRevisions)
    .values({ versionId: inserted.id, revision: 1, document: version.documentText, contentHash: hash, savedBy: version.draftedBy ?? null })
    .run();
  recordAudit(tx, {
    actorId: version.draftedBy ?? null,
    action: "version.create",
    entityType: "version",
    entityId: inserted.id,
    standardId,
    hashAfter: hash,
    details: { versionLabel: version.versionLabel, status: version.status, basedOnVersionId: version.basedOnVersionId ?? null },
  });
  return inserted.id;
}

export type SaveResult =
  | { kind: "saved"; revision: number; contentHash: string }
  /** The content is the same as the current revision's (same canonical hash): no revision is made. */
  | { kind: "unchanged"; revision: number }
  | { kind: "conflict"; currentRevision: number }
  | { kind: "notEditable"; status: string }
  | { kind: "notFound" };

/**
 * Saves a draft's document text, based on the revision the editor loaded. A save based on a stale revision is
 * refused as a conflict, so one person's edit never silently overwrites another's. The caller has parsed the text.
 */
export function saveDraftDocument(
  db: JifenDb,
  input: { versionId: number; baseRevision: number; documentText: string; document: unknown; userId: number | null; details?: Record<string, unknown> },
): SaveResult {
  // Immediate: the revision is read and then written; a deferred transaction whose snapshot another connection has
  // moved past fails its write with SQLITE_BUSY_SNAPSHOT at once (a 500 the editor fuzz found), where an immediate
  // one waits for the lock (busy_timeout) and then reads the current revision.
  return db.transaction((tx) => {
    const current = tx
      .select({
        status: standardVersions.status,
        revision: standardVersions.revision,
        standardId: standardVersions.standardId,
        contentHash: standardVersions.contentHash,
      })
      .from(standardVersions)
      .where(eq(standardVersions.id, input.versionId))
      .get();
    if (!current) return { kind: "notFound" } as const;
    if (current.status !== "draft") return { kind: "notEditable", status: current.status } as const;
    if (current.revision !== input.baseRevision) return { kind: "conflict", currentRevision: current.revision } as const;
    const hash = contentHash(input.document);
    if (hash === current.contentHash) return { kind: "unchanged", revision: current.revision } as const;
    const next = current.revision + 1;
    const updated = tx
      .update(standardVersions)
      .set({
        document: input.documentText,
        contentHash: hash,
        revision: next,
        updatedAt: sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`,
      })
      .where(and(eq(standardVersions.id, input.versionId), eq(standardVersions.revision, input.baseRevision)))
      .run();
    if (updated.changes !== 1) return { kind: "conflict", currentRevision: current.revision } as const;
    tx.insert(versionRevisions)
      .values({ versionId: input.versionId, revision: next, document: input.documentText, contentHash: hash, savedBy: input.userId })
      .run();
    recordAudit(tx, {
      actorId: input.userId,
      action: "version.save",
      entityType: "version",
      entityId: input.versionId,
      standardId: current.standardId,
      hashBefore: current.contentHash,
      hashAfter: hash,
      details: { revision: next, ...input.details },
    });
    return { kind: "saved", revision: next, contentHash: hash } as const;
  }, { behavior: "immediate" });
}

export function countStandards(db: JifenDb): number {
  return db.select({ n: sql<number>`count(*)` }).from(standards).get()?.n ?? 0;
}

export interface RevisionSummary {
  revision: number;
  contentHash: string;
  savedBy: string | null;
  savedAt: string;
}

export function listRevisions(db: JifenDb, versionId: number): RevisionSummary[] {
  return db.$client
    .prepare(
      `select r.revision, r.content_hash as contentHash, coalesce(nullif(u.display_name, ''), u.username) as savedBy, r.saved_at as savedAt
       from version_revisions r left join users u on u.id = r.saved_by where r.version_id = ? order by r.revision desc`,
    )
    .all(versionId) as RevisionSummary[];
}

export function getRevisionDocument(db: JifenDb, versionId: number, revision: number): string | undefined {
  return db
    .select({ document: versionRevisions.document })
    .from(versionRevisions)
    .where(and(eq(versionRevisions.versionId, versionId), eq(versionRevisions.revision, revision)))
    .get()?.document;
}
