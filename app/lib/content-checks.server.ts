/** What the validator and the engine say of a version's content: the evidence publishing requires. */
import { validateDocumentText } from "../../rules-schema/validate";
import { runRankingCases, type RankingCaseResult } from "../../engine/allocation/ranking-cases";
import { runTestCases } from "../../engine/scoring/testcases";
import type { ContentChecks } from "../../db/workflow";
import type { StandardDocument } from "../../rules-schema/types";
import type { TestCaseDifference } from "../../engine/scoring/testcases";

const yesNo = (value: unknown, zh: [string, string], en: [string, string]) => (value ? { zh: zh[0], en: en[0] } : { zh: zh[1], en: en[1] });

/** One difference of a test case in the officer's words, naming indicators, categories and gates by their labels. */
export function differenceInWords(doc: StandardDocument, d: TestCaseDifference): { zh: string; en: string } {
  const points = (value: unknown, lang: "zh" | "en") =>
    typeof value === "number" ? (lang === "zh" ? `${value} 分` : `${value} points`) : lang === "zh" ? "不计分" : "none";
  const gateNames = (ids: unknown, lang: "zh" | "en") => {
    const list = Array.isArray(ids) ? (ids as string[]) : [];
    if (list.length === 0) return lang === "zh" ? "无" : "none";
    return list.map((id) => doc.gates?.find((g) => g.id === id)?.label[lang] ?? id).join(lang === "zh" ? "、" : ", ");
  };
  switch (d.what) {
    case "item":
    case "category": {
      const source = d.what === "item" ? doc.items : doc.categories;
      const label = source?.find((x) => x.id === d.id)?.label ?? { zh: d.id ?? "", en: d.id ?? "" };
      return {
        zh: `${label.zh}：预期 ${points(d.expected, "zh")}，实际 ${points(d.actual, "zh")}`,
        en: `${label.en}: expected ${points(d.expected, "en")}, got ${points(d.actual, "en")}`,
      };
    }
    case "total":
      return { zh: `总分：预期 ${points(d.expected, "zh")}，实际 ${points(d.actual, "zh")}`, en: `Total: expected ${points(d.expected, "en")}, got ${points(d.actual, "en")}` };
    case "eligible": {
      const e = yesNo(d.expected, ["符合", "不符合"], ["meets", "does not meet"]);
      const a = yesNo(d.actual, ["符合", "不符合"], ["meets", "does not meet"]);
      return { zh: `准入条件：预期${e.zh}，实际${a.zh}`, en: `Eligibility: expected the applicant ${e.en} the conditions, but they ${a.en} them` };
    }
    case "vetoed": {
      const e = yesNo(d.expected, ["被一票否决", "不被否决"], ["vetoed", "not vetoed"]);
      const a = yesNo(d.actual, ["被一票否决", "不被否决"], ["vetoed", "not vetoed"]);
      return { zh: `一票否决：预期${e.zh}，实际${a.zh}`, en: `Veto: expected ${e.en}, got ${a.en}` };
    }
    case "failedGates":
      return {
        zh: `未满足的准入条件：预期 ${gateNames(d.expected, "zh")}，实际 ${gateNames(d.actual, "zh")}`,
        en: `Unmet eligibility conditions: expected ${gateNames(d.expected, "en")}, got ${gateNames(d.actual, "en")}`,
      };
    default:
      return { zh: `计算出错：${String(d.actual)}`, en: `The calculation failed: ${String(d.actual)}` };
  }
}

/**
 * A ranking case's failures in the officer's words, as the test cases' are: who was expected to be admitted and was
 * not, who was admitted unexpectedly, the order expected and found. Applicants are named as the case names them.
 */
export function rankingDifferencesInWords(r: RankingCaseResult): { zh: string[]; en: string[] } {
  const zh: string[] = [];
  const en: string[] = [];
  if (r.error) {
    zh.push(`此排序用例无法运行（${r.error.message}），请检查其积分项目和名额设置`);
    en.push(`This ranking case could not run (${r.error.message}); check its program and places`);
  }
  if (r.missing.length) {
    zh.push(`预期录取但未录取：${r.missing.join("、")}`);
    en.push(`Expected to be admitted but not admitted: ${r.missing.join(", ")}`);
  }
  if (r.unexpected.length) {
    zh.push(`录取了预期之外的申请人：${r.unexpected.join("、")}`);
    en.push(`Admitted though not expected: ${r.unexpected.join(", ")}`);
  }
  if (r.order && !r.order.matches) {
    zh.push(`排名顺序：预期 ${r.order.expected.join(" > ")}，实际 ${r.order.actual.join(" > ")}`);
    en.push(`Ranking order: expected ${r.order.expected.join(" > ")}, got ${r.order.actual.join(" > ")}`);
  }
  return { zh, en };
}

export interface CaseSummary {
  id: string;
  label: { zh: string; en: string };
  kind: "score" | "ranking";
  pass: boolean;
  /** Human-readable differences (expected vs actual), engineer's notation. */
  differences: string[];
  /** The same differences in the officer's words, e.g. "文化程度：预期 60 分，实际 80 分" (issue 21). */
  words: { zh: string[]; en: string[] };
  /** For a failing score case: the reference evaluator's actual figures for each differing expectation. */
  actual?: Array<{ what: string; id?: string; value: unknown }>;
}

export interface ContentReport {
  checks: ContentChecks;
  problemCount: number;
  cases: CaseSummary[];
}

const cache = new Map<string, ContentReport>();

/** Checks a version's text; results are cached by content hash, since a given content always gives the same answer. */
export async function checkContent(documentText: string, contentHash: string): Promise<ContentReport> {
  const cached = cache.get(contentHash);
  if (cached) return cached;
  const validation = validateDocumentText(documentText);
  const errors = validation.problems.filter((p) => p.severity === "error").length;
  if (!validation.ok || !validation.document) {
    return { checks: { documentValid: false, casesPassed: false }, problemCount: errors, cases: [] };
  }
  const doc = validation.document;
  const scored = await runTestCases(doc, { path: "both" });
  const byCase = new Map<string, CaseSummary>();
  for (const r of scored) {
    const entry: CaseSummary = byCase.get(r.id) ?? { id: r.id, label: r.label, kind: "score" as const, pass: true, differences: [], words: { zh: [], en: [] } };
    entry.pass &&= r.pass;
    for (const d of r.differences) {
      entry.differences.push(`[${r.path}] ${d.what}${d.id ? ` ${d.id}` : ""}: ${JSON.stringify(d.expected)} → ${JSON.stringify(d.actual)}`);
      const words = differenceInWords(doc, d);
      if (!entry.words.zh.includes(words.zh)) entry.words.zh.push(words.zh);
      if (!entry.words.en.includes(words.en)) entry.words.en.push(words.en);
      if (r.path === "reference" && d.what !== "error") (entry.actual ??= []).push({ what: d.what, id: d.id, value: d.actual });
    }
    byCase.set(r.id, entry);
  }
  const ranked = await runRankingCases(doc);
  const cases: CaseSummary[] = [...byCase.values()];
  const rankingLabels = new Map((doc.rankingCases ?? []).map((c) => [c.id, c.label]));
  for (const r of ranked) {
    const differences: string[] = [];
    if (r.error) differences.push(`${r.error.code} ${r.error.path}: ${r.error.message}`);
    if (r.missing.length) differences.push(`not admitted but expected: ${r.missing.join(", ")}`);
    if (r.unexpected.length) differences.push(`admitted but not expected: ${r.unexpected.join(", ")}`);
    if (r.order && !r.order.matches) differences.push(`order ${r.order.actual.join(" > ")} ≠ ${r.order.expected.join(" > ")}`);
    const words = rankingDifferencesInWords(r);
    cases.push({ id: r.id, label: rankingLabels.get(r.id) ?? { zh: r.id, en: r.id }, kind: "ranking", pass: r.passed, differences, words });
  }
  const report: ContentReport = {
    checks: { documentValid: true, casesPassed: cases.every((c) => c.pass) },
    problemCount: errors,
    cases,
  };
  if (cache.size > 200) cache.clear();
  cache.set(contentHash, report);
  return report;
}

/**
 * The document with the reference evaluator's actual results taken as the expectations of the chosen failing score
 * cases (only the expectations that differed change). Null when there is nothing to accept.
 */
export function withActualResultsAccepted(documentText: string, report: ContentReport, caseIds: string[]): { text: string; document: unknown; accepted: string[] } | null {
  const doc = JSON.parse(documentText) as StandardDocument;
  const accepted: string[] = [];
  for (const summary of report.cases) {
    if (summary.kind !== "score" || summary.pass || !caseIds.includes(summary.id) || !summary.actual?.length) continue;
    const testCase = doc.testCases?.find((c) => c.id === summary.id);
    if (!testCase) continue;
    const expect = testCase.expect as Record<string, unknown> & { items?: Record<string, number>; categories?: Record<string, number> };
    for (const { what, id, value } of summary.actual) {
      if ((what === "item" || what === "category") && id) {
        const map = (what === "item" ? (expect.items ??= {}) : (expect.categories ??= {})) as Record<string, number>;
        // An item that gives nothing has no figure to expect: the expectation is dropped rather than set to 0.
        if (typeof value === "number") map[id] = value;
        else delete map[id];
      } else {
        expect[what] = value;
      }
    }
    accepted.push(summary.id);
  }
  if (accepted.length === 0) return null;
  return { text: `${JSON.stringify(doc, null, 2)}\n`, document: doc, accepted };
}
