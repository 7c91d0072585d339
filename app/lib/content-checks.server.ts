/** What the validator and the engine say of a version's content: the evidence publishing requires. */
import { validateDocumentText } from "../../rules-schema/validate";
import { runRankingCases } from "../../engine/allocation/ranking-cases";
import { runTestCases } from "../../engine/scoring/testcases";
import type { ContentChecks } from "../../db/workflow";

export interface CaseSummary {
  id: string;
  label: { zh: string; en: string };
  kind: "score" | "ranking";
  pass: boolean;
  /** Human-readable differences (expected vs actual). */
  differences: string[];
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
    const entry = byCase.get(r.id) ?? { id: r.id, label: r.label, kind: "score" as const, pass: true, differences: [] };
    entry.pass &&= r.pass;
    for (const d of r.differences) {
      entry.differences.push(`[${r.path}] ${d.what}${d.id ? ` ${d.id}` : ""}: ${JSON.stringify(d.expected)} → ${JSON.stringify(d.actual)}`);
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
    cases.push({ id: r.id, label: rankingLabels.get(r.id) ?? { zh: r.id, en: r.id }, kind: "ranking", pass: r.passed, differences });
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
