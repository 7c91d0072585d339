/**
 * `jifen test FILE...`: runs each document's embedded test cases through both scoring paths (the explained
 * reference path and the compiled path), and its ranking cases, and prints every case as pass/fail with the figures
 * (or admitted applicants and order) that differ.
 * Exit 0 when all pass, 1 when a document is invalid or a case fails, 2 on a usage error.
 */
import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { runRankingCases } from "../../engine/allocation/ranking-cases";
import { runTestCases, type TestCaseDifference, type TestCaseResult } from "../../engine/scoring/testcases";
import type { ValidationProblem } from "../../rules-schema/errors";
import type { StandardDocument } from "../../rules-schema/types";
import { validateDocumentText } from "../../rules-schema/validate";
import { detectLang, say, type CliLang } from "../locale";

const FOUND_WANTING = 1;
const USAGE_ERROR = 2;

interface CaseReport {
  id: string;
  label: { zh: string; en: string };
  program: string;
  pass: boolean;
  /** One result per scoring path. */
  paths: TestCaseResult[];
}

interface RankingReport {
  id: string;
  label: { zh: string; en: string };
  program: string;
  pass: boolean;
  admitted: string[];
  missing: string[];
  unexpected: string[];
  order?: { expected: string[]; actual: string[]; matches: boolean };
  error?: { code: string; path: string; message: string };
}

interface FileReport {
  file: string;
  ok: boolean;
  problems: ValidationProblem[];
  cases: CaseReport[];
  rankingCases: RankingReport[];
}

function groupByCase(results: TestCaseResult[]): CaseReport[] {
  const cases = new Map<string, CaseReport>();
  for (const result of results) {
    let report = cases.get(result.id);
    if (!report) {
      report = { id: result.id, label: result.label, program: result.program, pass: true, paths: [] };
      cases.set(result.id, report);
    }
    report.paths.push(result);
    report.pass &&= result.pass;
  }
  return [...cases.values()];
}

export async function testDocumentFile(file: string): Promise<FileReport> {
  const validation = validateDocumentText(readFileSync(file, "utf8"));
  if (!validation.ok || !validation.document) return { file, ok: false, problems: validation.problems, cases: [], rankingCases: [] };
  const doc: StandardDocument = validation.document;
  const cases = groupByCase(await runTestCases(doc, { path: "both" }));
  const labels = new Map((doc.rankingCases ?? []).map((rankingCase) => [rankingCase.id, rankingCase.label]));
  const rankingCases: RankingReport[] = (await runRankingCases(doc)).map((result) => ({
    id: result.id,
    label: labels.get(result.id) ?? { zh: result.id, en: result.id },
    program: result.program,
    pass: result.passed,
    admitted: result.admitted,
    missing: result.missing,
    unexpected: result.unexpected,
    ...(result.order ? { order: result.order } : {}),
    ...(result.error ? { error: result.error } : {}),
  }));
  return { file, ok: cases.every((c) => c.pass) && rankingCases.every((c) => c.pass), problems: validation.problems, cases, rankingCases };
}

const VERDICT_WORDS: Record<string, { zh: string; en: string }> = {
  admitted: { zh: "达线（录取）", en: "admitted" },
  belowLine: { zh: "未达分值线", en: "below the line" },
  ineligible: { zh: "不符合准入条件", en: "ineligible" },
  vetoed: { zh: "一票否决", en: "vetoed" },
};

function shown(value: unknown, what?: TestCaseDifference["what"], lang: CliLang = "en"): string {
  if (what === "total" && value === null) return say(lang, { zh: "不计分", en: "no score" });
  if (what === "verdict" && typeof value === "string" && VERDICT_WORDS[value]) return say(lang, VERDICT_WORDS[value]);
  return value === undefined ? "—" : JSON.stringify(value);
}

function describeDifference(difference: TestCaseDifference, lang: CliLang): string {
  const what = {
    item: { zh: `指标 ${difference.id}`, en: `item ${difference.id}` },
    category: { zh: `类别 ${difference.id}`, en: `category ${difference.id}` },
    total: { zh: "总分", en: "total" },
    eligible: { zh: "是否符合条件", en: "eligible" },
    vetoed: { zh: "是否一票否决", en: "vetoed" },
    failedGates: { zh: "未通过的条件", en: "failed gates" },
    verdict: { zh: "结论", en: "verdict" },
    error: { zh: "计算出错", en: "error" },
  }[difference.what];
  if (difference.what === "error") return `${say(lang, what)}: ${String(difference.actual)}`;
  return say(lang, {
    zh: `${what.zh}：应为 ${shown(difference.expected, difference.what, "zh-CN")}，实际 ${shown(difference.actual, difference.what, "zh-CN")}`,
    en: `${what.en}: expected ${shown(difference.expected, difference.what, "en")}, got ${shown(difference.actual, difference.what, "en")}`,
  });
}

const pathName = {
  reference: { zh: "参考路径", en: "reference path" },
  compiled: { zh: "编译路径", en: "compiled path" },
};

function humanReport(reports: FileReport[], lang: CliLang): string {
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(report.file);
    if (report.problems.some((p) => p.severity === "error")) {
      lines.push("  " + say(lang, { zh: "计分标准无效，未运行测试用例：", en: "Invalid standard; test cases not run:" }));
      for (const p of report.problems.filter((problem) => problem.severity === "error")) {
        const place = p.line !== undefined ? `${report.file}:${p.line}:${p.column ?? 1}` : report.file;
        lines.push(`    ${place}  ${p.code}  ${say(lang, p.message)}${p.path ? `  [${p.path}]` : ""}`);
      }
      continue;
    }
    if (report.cases.length === 0 && report.rankingCases.length === 0) {
      lines.push("  " + say(lang, { zh: "（没有测试用例）", en: "(no test cases)" }));
      continue;
    }
    for (const testCase of report.cases) {
      const mark = testCase.pass ? say(lang, { zh: "✓ 通过", en: "✓ pass" }) : say(lang, { zh: "✗ 失败", en: "✗ FAIL" });
      lines.push(`  ${mark}  ${testCase.id}  ${say(lang, testCase.label)}  [${testCase.program}]`);
      if (testCase.pass) continue;
      const [first, second] = testCase.paths;
      const same = second && JSON.stringify(first.differences) === JSON.stringify(second.differences);
      for (const result of same ? [first] : testCase.paths) {
        if (result.pass) continue;
        const which = same ? say(lang, { zh: "两条路径", en: "both paths" }) : say(lang, pathName[result.path]);
        for (const difference of result.differences) lines.push(`      ${which}: ${describeDifference(difference, lang)}`);
      }
    }
    for (const rankingCase of report.rankingCases) {
      const mark = rankingCase.pass ? say(lang, { zh: "✓ 通过", en: "✓ pass" }) : say(lang, { zh: "✗ 失败", en: "✗ FAIL" });
      lines.push(`  ${mark}  ${say(lang, { zh: "排名", en: "ranking" })}  ${rankingCase.id}  ${say(lang, rankingCase.label)}  [${rankingCase.program}]`);
      if (rankingCase.pass) continue;
      const list = (ids: string[]) => (ids.length > 0 ? ids.join(", ") : "—");
      const colon = say(lang, { zh: "：", en: ": " });
      if (rankingCase.error) lines.push(`      ${say(lang, { zh: "无法运行", en: "could not run" })}${colon}${rankingCase.error.message}`);
      if (rankingCase.missing.length > 0) lines.push(`      ${say(lang, { zh: "应录取而未录取", en: "expected but not admitted" })}${colon}${list(rankingCase.missing)}`);
      if (rankingCase.unexpected.length > 0) lines.push(`      ${say(lang, { zh: "录取了预期之外的", en: "admitted but not expected" })}${colon}${list(rankingCase.unexpected)}`);
      if (rankingCase.order && !rankingCase.order.matches) {
        lines.push(`      ${say(lang, { zh: "排序应为", en: "order expected" })}${colon}${list(rankingCase.order.expected)}`);
        lines.push(`      ${say(lang, { zh: "实际排序", en: "order found" })}${colon}${list(rankingCase.order.actual)}`);
      }
    }
  }
  const all = reports.flatMap((report) => report.cases);
  const failed = all.filter((c) => !c.pass).length;
  const ranking = reports.flatMap((report) => report.rankingCases);
  const rankingFailed = ranking.filter((c) => !c.pass).length;
  const invalid = reports.filter((report) => report.problems.some((p) => p.severity === "error")).length;
  lines.push(
    say(lang, {
      zh: `${all.length} 个测试用例，${all.length - failed} 个通过，${failed} 个失败；${ranking.length} 个排名用例，${ranking.length - rankingFailed} 个通过，${rankingFailed} 个失败${invalid ? `；${invalid} 个文件无效` : ""}`,
      en: `${all.length} test case(s): ${all.length - failed} passed, ${failed} failed; ${ranking.length} ranking case(s): ${ranking.length - rankingFailed} passed, ${rankingFailed} failed${invalid ? `; ${invalid} invalid file(s)` : ""}`,
    }),
  );
  return lines.join("\n") + "\n";
}

function isReadableFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export function register(program: Command): void {
  program
    .command("test")
    .description("run the documents' embedded test cases through both scoring paths, and their ranking cases / 运行计分标准内嵌的测试用例和排名用例")
    .argument("<files...>", "document files (JSON)")
    .option("--json", "print { files: [{ file, ok, problems, cases, rankingCases }] } instead of text")
    .action(async (files: string[], options: { json?: boolean }, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      const missing = files.filter((file) => !isReadableFile(file));
      if (missing.length > 0) {
        for (const file of missing) process.stderr.write(say(lang, { zh: `找不到文件：${file}`, en: `File not found: ${file}` }) + "\n");
        process.exitCode = USAGE_ERROR;
        return;
      }
      const reports: FileReport[] = [];
      for (const file of files) reports.push(await testDocumentFile(file));
      process.stdout.write(options.json ? JSON.stringify({ files: reports }, null, 2) + "\n" : humanReport(reports, lang));
      if (reports.some((report) => !report.ok)) process.exitCode = FOUND_WANTING;
    });
}
