/**
 * The audit trail in sentences: who did what to which version, when, with which opinion, in the officer's words
 * (the glossary's), never codes, ids or hashes. Pure: the caller supplies the names it knows.
 */
import type { Lang } from "~/i18n";

export interface AuditRow {
  id: number;
  at: string;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string;
  details: Record<string, unknown>;
}

/** What the sentence may name instead of ids. */
export interface AuditNames {
  versionLabel(id: number | string | undefined | null): string | undefined;
  cohortName(id: number | string | undefined | null): string | undefined;
  programLabel(id: string | undefined | null): string | undefined;
  /** A test case by its label (optional: callers without documents name cases by id). */
  caseLabel?(id: string): string | undefined;
  /** The candidate version of a simulation run. */
  runCandidate(runId: number | string): number | undefined;
}

/** Kinds an officer filters by. */
export type AuditKind = "decision" | "edit" | "simulation" | "data" | "access";
export const AUDIT_KINDS: AuditKind[] = ["decision", "edit", "simulation", "data", "access"];

export function auditKind(action: string): AuditKind {
  if (["version.submit", "version.return", "version.approve", "version.publish", "version.supersede", "version.withdraw"].includes(action)) return "decision";
  if (action === "version.create" || action === "version.save" || action === "version.acceptResults") return "edit";
  if (action === "simulation.run") return "simulation";
  if (action === "cohort.import") return "data";
  return "access";
}

/** The version an entry concerns, if any (for "this version only"). */
export function auditVersionId(row: AuditRow, names: AuditNames): number | undefined {
  if (row.entityType === "version") return Number(row.entityId);
  if (row.entityType === "simulation_run") return names.runCandidate(row.entityId);
  return undefined;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value.trim() : undefined);

/** The opinion (审核意见) or reason recorded with a decision, if any. */
export function auditOpinion(row: AuditRow): string | undefined {
  return text(row.details.opinion) ?? text(row.details.reason);
}

function dateText(lang: Lang, iso: unknown): string {
  if (typeof iso !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return String(iso ?? "");
  const [y, m, d] = iso.split("-").map(Number);
  if (lang === "en") return `${d} ${["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][m - 1]} ${y}`;
  return `${y}年${m}月${d}日`;
}

/** "2026-12-07T18:03:05.123Z" as the officer reads it, in China's time (UTC+8, no daylight saving). */
export function auditTime(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at;
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

export function auditSentence(row: AuditRow, names: AuditNames, lang: Lang): string {
  const en = lang === "en";
  const who = row.actorName ?? (en ? "The system" : "系统");
  const d = row.details;
  const label = (id: unknown) => {
    const name = names.versionLabel(id as number);
    return en ? `version “${name ?? "?"}”` : `版本“${name ?? "?"}”`;
  };
  const self = label(row.entityId);
  switch (row.action) {
    case "version.create": {
      const from = d.basedOnVersionId ? label(d.basedOnVersionId) : undefined;
      if (row.actorName === null && d.status && d.status !== "draft") {
        return en ? `${self} was entered as ${String(d.status)}` : `录入${self}（${statusZh(String(d.status))}）`;
      }
      return from
        ? en
          ? `${who} started ${self} as a revision of ${from}`
          : `${who} 基于${from}起草了修订${self}`
        : en
          ? `${who} started ${self}`
          : `${who} 起草了${self}`;
    }
    case "version.save":
      if (Array.isArray(d.acceptedCases) && d.acceptedCases.length) {
        const cases = (d.acceptedCases as string[]).map((id) => { const label = names.caseLabel?.(id); return label ? `“${label}”` : id; }).join(en ? ", " : "、");
        return en
          ? `${who} accepted the actual results of test case(s) ${cases} as expected, saving ${self} as revision ${String(d.revision ?? "")}`
          : `${who} 将测试用例 ${cases} 的实际结果采纳为预期，${self}保存为修订号 ${String(d.revision ?? "")}`;
      }
      return en ? `${who} saved ${self} (revision ${String(d.revision ?? "")})` : `${who} 保存了${self}（修订号 ${String(d.revision ?? "")}）`;
    case "version.acceptResults":
      return en
        ? `${who} accepted the actual results of ${String(d.cases && Array.isArray(d.cases) ? d.cases.length : "")} test case(s) as expected in ${self}`
        : `${who} 将 ${String(d.cases && Array.isArray(d.cases) ? d.cases.length : "")} 个测试用例的实际结果采纳为${self}的预期结果`;
    case "version.submit":
      return d.override
        ? en
          ? `${who} submitted ${self} for review without a simulation of its current content, because: ${String(d.overrideReason ?? "")}`
          : `${who} 在未对当前内容模拟测算的情况下将${self}提交审核，理由：${String(d.overrideReason ?? "")}`
        : en
          ? `${who} submitted ${self} for review`
          : `${who} 将${self}提交审核`;
    case "version.return":
      return en ? `${who} returned ${self} for changes` : `${who} 将${self}退回修改`;
    case "version.approve":
      return en ? `${who} approved ${self}` : `${who} 批准了${self}`;
    case "version.publish": {
      const number = text(d.documentNumber);
      const effective = dateText(lang, d.effectiveFrom);
      if (en) return `${who} published ${self}${number ? ` under ${number}` : ""}, in force from ${effective}`;
      return `${who} 发布了${self}${number ? `（${number}）` : ""}，自${effective}起施行`;
    }
    case "version.supersede":
      return en
        ? `${self} was superseded by ${label(d.supersededBy)}; in force until ${dateText(lang, d.effectiveTo)}`
        : `${self}被${label(d.supersededBy)}替代，施行至${dateText(lang, d.effectiveTo)}`;
    case "version.withdraw":
      return en ? `${who} withdrew ${self}` : `${who} 撤回了${self}`;
    case "simulation.run": {
      const candidate = names.runCandidate(row.entityId);
      const cohort = names.cohortName(d.cohortId as number) ?? "?";
      const program = names.programLabel(d.programId as string) ?? String(d.programId ?? "");
      return en
        ? `${who} simulated ${label(candidate)} on the past applicants “${cohort}” (${program})`
        : `${who} 用历史申请人数据“${cohort}”对${label(candidate)}进行了模拟测算（${program}）`;
    }
    case "cohort.import":
      return en
        ? `${who} imported the past applicants “${String(d.name ?? "")}” (${String(d.rows ?? "")} applicants)`
        : `${who} 导入了历史申请人数据“${String(d.name ?? "")}”（${String(d.rows ?? "")} 人）`;
    default:
      return en ? `${who}: ${row.action}` : `${who}：${row.action}`;
  }
}

function statusZh(status: string): string {
  return ({ draft: "草稿", in_review: "审核中", approved: "已批准", published: "已发布", superseded: "已被替代", withdrawn: "已撤回" } as Record<string, string>)[status] ?? status;
}
