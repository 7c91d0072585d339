/** A standard's audit trail as the review page and its XLSX export show it: sentences, filtered, newest first. */
import { listAudit } from "../../../db/audit";
import { listCohorts } from "../../../db/cohorts";
import type { JifenDb } from "../../../db/connection";
import { getSimulationRun } from "../../../db/runs";
import { getVersion, listStandards } from "../../../db/standards";
import type { Lang } from "~/i18n";
import { AUDIT_KINDS, auditKind, auditOpinion, auditSentence, auditTime, auditVersionId, type AuditKind, type AuditNames } from "./sentences";

export interface TrailFilter {
  /** Only entries of this kind (all when absent). */
  kind?: AuditKind;
  /** Only entries about this version (the whole standard when absent). */
  versionId?: number;
}

export interface TrailRow {
  id: number;
  /** Date and time in China (UTC+8), to the minute. */
  at: string;
  who: string;
  sentence: string;
  opinion: string;
  kind: AuditKind;
}

export function parseTrailFilter(params: URLSearchParams, versionId: number): TrailFilter {
  const kind = params.get("trail");
  return {
    kind: AUDIT_KINDS.includes(kind as AuditKind) ? (kind as AuditKind) : undefined,
    versionId: params.get("scope") === "standard" ? undefined : versionId,
  };
}

export function auditNames(db: JifenDb, standardId: string, lang: Lang): AuditNames {
  const versions = listStandards(db).find((s) => s.id === standardId)?.versions ?? [];
  const labels = new Map(versions.map((v) => [v.id, v.versionLabel]));
  const cohorts = new Map(listCohorts(db, standardId).map((c) => [c.id, c.name]));
  const programs = new Map<string, { zh: string; en: string }>();
  const caseLabels = new Map<string, { zh: string; en: string }>();
  // Program (and test case) labels from the newest version that names the program (labels rarely change between versions).
  for (const v of [...versions].reverse()) {
    try {
      const doc = JSON.parse(getVersion(db, v.id)?.document ?? "{}") as {
        programs?: Array<{ id: string; label: { zh: string; en: string } }>;
        testCases?: Array<{ id: string; label: { zh: string; en: string } }>;
      };
      for (const p of doc.programs ?? []) if (!programs.has(p.id) && p.label) programs.set(p.id, p.label);
      for (const c of doc.testCases ?? []) if (!caseLabels.has(c.id) && c.label) caseLabels.set(c.id, c.label);
    } catch {
      // a draft that is not JSON names no programs
    }
  }
  const runs = new Map<string, number | undefined>();
  return {
    versionLabel: (id) => (id === null || id === undefined ? undefined : labels.get(Number(id))),
    cohortName: (id) => (id === null || id === undefined ? undefined : cohorts.get(Number(id))),
    programLabel: (id) => {
      const label = id ? programs.get(id) : undefined;
      return label ? (lang === "en" ? label.en : label.zh) : undefined;
    },
    caseLabel: (id) => {
      const label = caseLabels.get(id);
      return label ? (lang === "en" ? label.en : label.zh) : undefined;
    },
    runCandidate: (runId) => {
      const key = String(runId);
      if (!runs.has(key)) runs.set(key, getSimulationRun(db, Number(runId))?.candidateVersionId);
      return runs.get(key);
    },
  };
}

export function loadTrail(db: JifenDb, standardId: string, filter: TrailFilter, lang: Lang): TrailRow[] {
  const names = auditNames(db, standardId, lang);
  const rows: TrailRow[] = [];
  for (const entry of listAudit(db, standardId).reverse()) {
    const kind = auditKind(entry.action);
    if (filter.kind && kind !== filter.kind) continue;
    if (filter.versionId !== undefined && auditVersionId(entry, names) !== filter.versionId) continue;
    rows.push({
      id: entry.id,
      at: auditTime(entry.at),
      who: entry.actorName ?? (lang === "en" ? "System" : "系统"),
      sentence: auditSentence(entry, names, lang),
      opinion: auditOpinion(entry) ?? "",
      kind,
    });
  }
  return rows;
}

/** The latest return of a version that is a draft again: who returned it, when, and why (for the drafter's banner). */
export function latestReturn(db: JifenDb, standardId: string, versionId: number): { who: string; at: string; reason: string } | undefined {
  const entries = listAudit(db, standardId).filter((e) => e.entityType === "version" && Number(e.entityId) === versionId);
  const last = entries.filter((e) => ["version.submit", "version.return", "version.approve", "version.publish"].includes(e.action)).pop();
  if (!last || last.action !== "version.return") return undefined;
  return { who: last.actorName ?? "—", at: auditTime(last.at), reason: auditOpinion(last) ?? "" };
}
