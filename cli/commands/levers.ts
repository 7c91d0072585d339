/**
 * `jifen levers --standard FILE --cohort FILE --program P --date D (quotas as for rank) [--group-by FACT]
 *  [--seed S] [--score-line N] [--top N] [--json]`: what one step up and one step down of every number of the
 * standard does on the cohort (engine/levers/levers.ts): who enters and leaves, each pool's cut-off and, with
 * --group-by, each group's share of the admitted; most applicants moved first. Words by default, --json for
 * engineers (pointers and ids). The same inputs and --seed give the same answer.
 */
import type { Command } from "commander";
import { readCohortColumns } from "../../applicant-files/applicants";
import { documentWithScoreLine } from "../../engine/allocation/rank";
import { computeLevers, type LeversResult } from "../../engine/levers/levers";
import { factValueText, parameterValueText, poolText, stepEffectText, stepText } from "../../engine/levers/levers-words";
import { createOutcomeEvaluator } from "../../engine/levers/outcome";
import { applicationFacts } from "../../rules-schema/persons";
import type { StandardDocument } from "../../rules-schema/types";
import { checkDate, checkProgram, CliFailure, collectQuota, loadStandard, parseQuotas, parseScoreLine, reportFailure, USAGE_ERROR } from "../allocation-options";
import { detectLang, say, type CliLang } from "../locale";

interface LeversOptions {
  standard: string;
  cohort: string;
  program: string;
  date: string;
  quota?: string[];
  quotas?: string;
  seed?: string;
  scoreLine?: string;
  groupBy?: string;
  top?: string;
  json?: boolean;
}

/** A whole number of at least 1, from an option. */
export function parseCount(option: string | undefined, name: string, fallback: number): number {
  if (option === undefined) return fallback;
  const value = Number(option);
  if (!/^\s*\d+\s*$/.test(option) || !Number.isInteger(value) || value < 1 || value > 100_000) {
    throw new CliFailure({ zh: `${name} 须为正整数（收到 “${option}”）`, en: `${name} must be a whole number of at least 1 (got "${option}")` }, USAGE_ERROR);
  }
  return value;
}

/** A categorical fact of the standard for --group-by (enum, boolean or text), else a usage error naming it. */
export function checkGroupFact(doc: StandardDocument, fact: string | undefined, option = "--group-by"): string | undefined {
  if (fact === undefined) return undefined;
  const definition = applicationFacts(doc).find((f) => f.id === fact);
  if (!definition || !["enum", "boolean", "string"].includes(definition.type)) {
    throw new CliFailure(
      { zh: `${option} 须为标准中的分类事实（枚举、是否或文本），“${fact}” 不是`, en: `${option} must be a categorical fact of the standard (enum, yes/no or text); "${fact}" is not` },
      USAGE_ERROR,
    );
  }
  return fact;
}

export function leversText(doc: StandardDocument, result: LeversResult, lang: CliLang, top: number): string {
  const t = (zh: string, en: string) => say(lang, { zh, en });
  const program = doc.programs.find((p) => p.id === result.programId)!;
  const lines: string[] = [];
  lines.push(
    t(
      `${say(lang, program.label)}：申请人 ${result.baseline.applicants} 名，录取 ${result.baseline.admitted} 名；逐项将每个数值上调、下调一档，共测算 ${result.evaluations} 次`,
      `${say(lang, program.label)}: ${result.baseline.applicants} applicants, ${result.baseline.admitted} admitted; each number moved one step up and one down, ${result.evaluations} versions run`,
    ),
  );
  const cutoffs = result.baseline.pools.filter((p) => p.cutoff !== null);
  if (cutoffs.length > 0 && cutoffs.length <= 12) {
    lines.push(t("录取分数线：", "Cut-offs: ") + cutoffs.map((p) => `${poolText(doc, result.programId, p.pool, lang)} ${p.cutoff}`).join(t("，", ", ")));
  }
  if (result.groupFact !== undefined && result.baseline.groups.length > 0) {
    lines.push(
      t("录取构成：", "Admitted by group: ") +
        result.baseline.groups.map((g) => `${factValueText(doc, result.groupFact, g.value, lang)} ${(g.share * 100).toFixed(1)}%`).join(t("，", ", ")),
    );
  }
  lines.push("");
  result.levers.slice(0, top).forEach((lever, k) => {
    const p = lever.parameter;
    lines.push(`${k + 1}. ${say(lang, p.label)}${t("：", ": ")}${parameterValueText(p, p.value, lang)}`);
    for (const step of [lever.up, lever.down]) {
      if (!step) continue;
      lines.push(`   ${stepText(p, step, lang)}${t("：", ": ")}${stepEffectText(doc, result.programId, step, result.groupFact, lang)}`);
    }
    if (!lever.up && !lever.down) lines.push(t("   无法上调或下调（已在允许范围的边界）", "   cannot move either way (at the edge of its range)"));
  });
  if (result.levers.length > top) lines.push(t(`…另 ${result.levers.length - top} 个数值（--top 显示更多）`, `… ${result.levers.length - top} more numbers (--top shows more)`));
  return lines.join("\n") + "\n";
}

export function register(program: Command): void {
  program
    .command("levers")
    .description("what one step up and down of each number of a standard does on a cohort / 各项数值的影响（敏感性）")
    .requiredOption("--standard <file>", "standard document (JSON)")
    .requiredOption("--cohort <file>", "applicants (.jsonl, .csv or .xlsx)")
    .requiredOption("--program <id>", "program id")
    .requiredOption("--date <date>", "evaluation date YYYY-MM-DD")
    .option("--quota <n|pool=n>", "places: N for one pool, or pool=N (repeatable)", collectQuota)
    .option("--quotas <file>", "places per pool as JSON {\"pool\": N}")
    .option("--seed <seed>", "lottery seed")
    .option("--score-line <points>", "this round's score line: replaces the program's minimum total or threshold")
    .option("--group-by <fact>", "report each group's share of the admitted for this categorical fact")
    .option("--top <n>", "how many levers to print in words (default 20)")
    .option("--json", "print the whole result as JSON (pointers and ids)")
    .action(async (options: LeversOptions, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      try {
        const quotas = parseQuotas(options.quota, options.quotas);
        const date = checkDate(options.date, "--date");
        const scoreLine = parseScoreLine(options.scoreLine);
        const top = parseCount(options.top, "--top", 20);
        const loaded = loadStandard(options.standard, lang);
        const programId = checkProgram(loaded, options.program);
        const doc = documentWithScoreLine(loaded, programId, scoreLine);
        const groupFact = checkGroupFact(doc, options.groupBy);
        const cohort = await readCohortColumns(options.cohort, applicationFacts(doc));
        const evaluator = createOutcomeEvaluator(doc, {
          programId,
          cohort,
          quotas,
          date,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          groupBy: groupFact ? [groupFact] : [],
        });
        const result = computeLevers({ doc, evaluator, ...(groupFact ? { groupFact } : {}) });
        process.stdout.write(options.json ? JSON.stringify(result) + "\n" : leversText(doc, result, lang, top));
      } catch (error) {
        reportFailure(error, lang);
      }
    });
}
