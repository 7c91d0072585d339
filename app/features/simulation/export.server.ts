/**
 * A simulation as an office files it (issue 22, decision 038): the CSV and the workbook's applicants sheet share their
 * columns (pool, total/rank/result before and after, the change and its reason, the items that changed); the workbook
 * adds a summary, the cut-offs per pool and the items, with a frozen header and filters on the applicants.
 * No total for a version under which the applicant fails a gate or is vetoed (decision 037).
 */
import type { Writable } from "node:stream";
import { applicantChange } from "../../../engine/simulation/simulate";
import { OUTCOME, reasonOfOutcome } from "../../../engine/allocation/rank";
import { formatDate } from "../../../engine/scoring/describe";
import type { JifenDb } from "../../../db/connection";
import { getVersion } from "../../../db/standards";
import { translate, type Lang, type MessageKey } from "../../i18n";
import { simulationText } from "./messages";
import { changeReasonsOf, type LoadedRun } from "./run.server";

type Cell = string | number;
const pick = (lang: Lang, text: { zh: string; en: string }) => (lang === "en" ? text.en : text.zh);

/** A version as the workflow records it (decision 025): what an export says it compared. */
export interface VersionIdentity {
  versionLabel: string;
  status: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  documentNumber: string | null;
}

/** The identities of a run's baseline (none: a run without one) and candidate, from the database. */
export function runVersionIdentities(db: JifenDb, loaded: LoadedRun): { baseline: VersionIdentity | null; candidate: VersionIdentity | null } {
  const identity = (id: number | null): VersionIdentity | null => {
    const version = id === null ? undefined : getVersion(db, id);
    return version ? { versionLabel: version.versionLabel, status: version.status, effectiveFrom: version.effectiveFrom, effectiveTo: version.effectiveTo, documentNumber: version.documentNumber } : null;
  };
  return { baseline: identity(loaded.run.baselineVersionId), candidate: identity(loaded.run.candidateVersionId) };
}

/** "2015（已发布；2016年1月15日起施行；文号 苏府规字〔2015〕7号）": a version's label, status, period and 文号 in one cell. */
export function versionIdentityText(lang: Lang, identity: VersionIdentity | null): string {
  if (!identity) return "—";
  const en = lang === "en";
  const parts = [translate(lang, `status_${identity.status}` as MessageKey)];
  if (identity.effectiveFrom) {
    const from = formatDate(lang, identity.effectiveFrom);
    const to = identity.effectiveTo ? formatDate(lang, identity.effectiveTo) : undefined;
    parts.push(en ? (to ? `in force ${from} to ${to}` : `in force from ${from}`) : to ? `${from}至${to}施行` : `${from}起施行`);
  } else {
    parts.push(en ? "no effective date yet" : "未定生效日期");
  }
  if (identity.documentNumber) parts.push(en ? `document number ${identity.documentNumber}` : `文号 ${identity.documentNumber}`);
  return en ? `${identity.versionLabel} (${parts.join("; ")})` : `${identity.versionLabel}（${parts.join("；")}）`;
}

/**
 * The columns of the CSV and of the workbook's applicants sheet. The last two name the versions compared, the same
 * on every row: a CSV has no place for a title above its header that Excel and an import both read as a table (a
 * preamble pushes the header off the first line), and a row copied or filtered out keeps saying what it came from.
 */
export function exportHeader(lang: Lang): string[] {
  return lang === "en"
    ? ["applicant", "pool", "total before", "rank before", "result before", "total after", "rank after", "result after", "change", "reason", "changed items", "baseline version", "candidate version"]
    : ["申请编号", "名额池", "总分（前）", "名次（前）", "结果（前）", "总分（后）", "名次（后）", "结果（后）", "变化", "原因", "变化的项目", "基准版本", "候选版本"];
}

const RESULT: Record<string, { zh: string; en: string }> = {
  round1: { zh: "录取", en: "admitted" },
  round2: { zh: "补录", en: "admitted (round 2)" },
  ineligible: { zh: "不符合准入条件", en: "not eligible" },
  vetoed: { zh: "一票否决", en: "vetoed" },
  belowMinimum: { zh: "未达准入分值", en: "below the minimum" },
  belowThreshold: { zh: "未达分值线", en: "below the score line" },
  belowCutoff: { zh: "未录取（名额已满）", en: "not admitted (places filled)" },
  tieExcluded: { zh: "未录取（同分未录）", en: "not admitted (tied at the cut-off)" },
  lotteryLost: { zh: "未录取（抽签未中）", en: "not admitted (lottery)" },
  sameKey: { zh: "未录取（同一对象已录取）", en: "not admitted (same key admitted)" },
};

function resultOf(code: number, lang: Lang): string {
  if (code === OUTCOME.round1) return pick(lang, RESULT.round1);
  if (code === OUTCOME.round2) return pick(lang, RESULT.round2);
  const reason = reasonOfOutcome(code);
  return reason ? pick(lang, RESULT[reason]) : simulationText(lang, "notAdmitted");
}

const scored = (code: number) => code !== OUTCOME.ineligible && code !== OUTCOME.vetoed;

function poolLabel(loaded: LoadedRun, name: string, lang: Lang): string {
  if (name === "*") return lang === "en" ? "all" : "全部";
  const program = loaded.candidate.programs.find((candidate) => candidate.id === loaded.run.programId);
  const poolBy = program?.allocation.kind === "quota" ? program.allocation.poolBy : undefined;
  const value = poolBy ? loaded.candidate.facts.find((fact) => fact.id === poolBy)?.values?.find((entry) => entry.value === name) : undefined;
  return value ? pick(lang, value.label) : name;
}

export function* exportRows(loaded: LoadedRun, lang: Lang, versions: { baseline: VersionIdentity | null; candidate: VersionIdentity | null }): Generator<Cell[]> {
  const baseline = versionIdentityText(lang, versions.baseline);
  const candidate = versionIdentityText(lang, versions.candidate);
  const labels = new Map<string, string>();
  for (const item of [...loaded.candidate.items, ...loaded.baseline.items]) if (!labels.has(item.id)) labels.set(item.id, pick(lang, item.label));
  const reasons = changeReasonsOf(loaded);
  const c = loaded.result.columns;
  const size = loaded.result.summary.applicants;
  for (let i = 0; i < size; i++) {
    const change = applicantChange(loaded.result, i);
    const wasIn = change.admittedBefore !== null;
    const isIn = change.admittedAfter !== null;
    const moved = isIn && !wasIn ? simulationText(lang, "entered") : wasIn && !isIn ? simulationText(lang, "left") : "";
    const reason = moved ? reasons.reasonOf(i) : undefined;
    const pool = c.poolNamesAfter[c.poolAfter[i]] ?? c.poolNamesBefore[c.poolBefore[i]] ?? "*";
    yield [
      change.id,
      poolLabel(loaded, pool, lang),
      scored(c.outcomeBefore[i]) ? change.totalBefore : "",
      change.rankBefore ?? "",
      resultOf(c.outcomeBefore[i], lang),
      scored(c.outcomeAfter[i]) ? change.totalAfter : "",
      change.rankAfter ?? "",
      resultOf(c.outcomeAfter[i], lang),
      moved,
      reason ? pick(lang, reason.text) : "",
      change.items.map((item) => `${labels.get(item.id) ?? item.id}: ${item.before} → ${item.after}`).join(lang === "en" ? "; " : "；"),
      baseline,
      candidate,
    ];
  }
}

export function sheetNames(lang: Lang) {
  return lang === "en"
    ? { summary: "Summary", cutoffs: "Cut-offs per pool", applicants: "Applicants", items: "Items" }
    : { summary: "摘要", cutoffs: "各名额池分数线", applicants: "申请人", items: "指标" };
}

function identityRows(lang: Lang, which: "baseline" | "candidate", identity: VersionIdentity | null): Cell[][] {
  const en = lang === "en";
  const name = which === "baseline" ? (en ? "Baseline version" : "基准版本") : en ? "Candidate version" : "候选版本";
  if (!identity) return [[name, "—"]];
  const date = (iso: string | null, none: string) => (iso ? formatDate(lang, iso) : none);
  return [
    [name, identity.versionLabel],
    [en ? `${name}: status` : `${name}状态`, translate(lang, `status_${identity.status}` as MessageKey)],
    [en ? `${name}: effective from` : `${name}生效日期`, date(identity.effectiveFrom, en ? "not set (set when published)" : "未设定（发布时确定）")],
    ...(identity.effectiveTo ? [[en ? `${name}: until` : `${name}截止日期`, formatDate(lang, identity.effectiveTo)]] : []),
    [en ? `${name}: document number` : `${name}文号`, identity.documentNumber ?? (en ? "not recorded" : "未记录")],
  ];
}

function summaryRows(loaded: LoadedRun, lang: Lang, versions: { baseline: VersionIdentity | null; candidate: VersionIdentity | null }): Cell[][] {
  const s = loaded.result.summary;
  const program = loaded.candidate.programs.find((candidate) => candidate.id === loaded.run.programId);
  const en = lang === "en";
  const round = (n: number) => Math.round(n * 100) / 100;
  return [
    [en ? "Standard" : "计分标准", pick(lang, loaded.candidate.title)],
    ...identityRows(lang, "baseline", versions.baseline),
    ...identityRows(lang, "candidate", versions.candidate),
    [en ? "Program" : "项目", program ? pick(lang, program.label) : loaded.run.programId],
    [en ? "Evaluation date" : "评估日期", loaded.run.evaluationDate],
    [en ? "Applicants" : "申请人数", s.applicants],
    [en ? "Admitted before" : "录取人数（前）", s.admittedBefore],
    [en ? "Admitted after" : "录取人数（后）", s.admittedAfter],
    [en ? "Entered" : "新进入录取", s.entered.length],
    [en ? "Left" : "被挤出", s.left.length],
    [en ? "Mean total before" : "平均总分（前）", round(s.meanTotalBefore)],
    [en ? "Mean total after" : "平均总分（后）", round(s.meanTotalAfter)],
    [en ? "Totals changed" : "总分有变化的人数", s.applicantsWithChangedTotal],
    [en ? "No longer ranked" : "退出排名", s.noLongerRanked],
    [en ? "Newly ranked" : "新进入排名", s.newlyRanked],
  ];
}

/** The workbook: summary, cut-offs per pool, applicants (frozen header, filters), items; streamed by exceljs. */
export async function writeSimulationWorkbook(
  loaded: LoadedRun,
  lang: Lang,
  out: Writable,
  versions: { baseline: VersionIdentity | null; candidate: VersionIdentity | null },
): Promise<void> {
  const { default: ExcelJS } = await import("exceljs");
  const names = sheetNames(lang);
  const en = lang === "en";
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const frozen = { views: [{ state: "frozen" as const, ySplit: 1 }] };

  const summary = workbook.addWorksheet(names.summary);
  summary.columns = [{ width: 24 }, { width: 48 }];
  for (const row of summaryRows(loaded, lang, versions)) summary.addRow(row).commit();
  summary.commit();

  const cutoffs = workbook.addWorksheet(names.cutoffs, frozen);
  cutoffs.columns = [{ width: 20 }, ...new Array(7).fill({ width: 14 })];
  const cutoffHeader = en
    ? ["pool", "places before", "places after", "admitted before", "admitted after", "cut-off before", "cut-off after", "cut-off shift"]
    : ["名额池", "名额（前）", "名额（后）", "录取（前）", "录取（后）", "录取分数线（前）", "录取分数线（后）", "分数线变化"];
  const cutoffHead = cutoffs.addRow(cutoffHeader);
  cutoffHead.font = { bold: true };
  cutoffHead.commit();
  for (const pool of loaded.result.summary.pools) {
    cutoffs.addRow([poolLabel(loaded, pool.pool, lang), pool.placesBefore ?? "", pool.placesAfter ?? "", pool.admittedBefore, pool.admittedAfter, pool.cutoffBefore ?? "", pool.cutoffAfter ?? "", pool.cutoffShift ?? ""]).commit();
  }
  cutoffs.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cutoffHeader.length } };
  cutoffs.commit();

  const applicants = workbook.addWorksheet(names.applicants, frozen);
  const header = exportHeader(lang);
  applicants.columns = [14, 16, 10, 10, 16, 10, 10, 16, 12, 60, 50, 40, 40].map((width) => ({ width }));
  applicants.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: header.length } };
  const head = applicants.addRow(header);
  head.font = { bold: true };
  head.commit();
  for (const row of exportRows(loaded, lang, versions)) applicants.addRow(row).commit();
  applicants.commit();

  const items = workbook.addWorksheet(names.items, frozen);
  const itemHeader = en
    ? ["item", "in versions", "mean before", "mean after", "sum before", "sum after", "applicants changed"]
    : ["指标", "所在版本", "平均分（前）", "平均分（后）", "合计（前）", "合计（后）", "变化人数"];
  items.columns = [{ width: 36 }, ...new Array(6).fill({ width: 14 })];
  items.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: itemHeader.length } };
  const itemHead = items.addRow(itemHeader);
  itemHead.font = { bold: true };
  itemHead.commit();
  const labels = new Map<string, { zh: string; en: string }>();
  for (const item of [...loaded.candidate.items, ...loaded.baseline.items]) if (!labels.has(item.id)) labels.set(item.id, item.label);
  const presence = { both: en ? "both" : "两版均有", added: en ? "added" : "新增", removed: en ? "removed" : "删除" };
  const round = (n: number) => Math.round(n * 100) / 100;
  for (const item of loaded.result.summary.items) {
    const label = labels.get(item.id);
    items.addRow([label ? pick(lang, label) : item.id, presence[item.presence], round(item.meanBefore), round(item.meanAfter), round(item.totalBefore), round(item.totalAfter), item.changedApplicants]).commit();
  }
  items.commit();
  await workbook.commit();
}
