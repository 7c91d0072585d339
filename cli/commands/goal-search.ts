/**
 * `jifen goal-search --standard FILE --cohort FILE --program P --date D (quotas as for rank) --goal G ...
 *  [--move POINTER[=MIN..MAX][/STEP] ...] [--seed S] [--limit N] [--max-evaluations N] [--out-dir DIR] [--json]`:
 * up to five versions of the standard that meet every goal with the fewest and smallest changes
 * (engine/levers/goal-search.ts), or which goal binds. Goals:
 *   share:FACT=VALUE,VALUE>=40%   (or <=) the admitted with one of the values, as a share of all admitted
 *   cutoff<=30                    no pool's cut-off moves by more than 30 points
 *   loss:FACT<=5%                 no group of the fact loses more than 5% of its admitted
 * --out-dir writes each proposed standard as JSON (candidate-1.json …). Words by default, --json for engineers.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { readCohortColumns } from "../../applicant-files/applicants";
import { documentWithScoreLine } from "../../engine/allocation/rank";
import { goalFacts, GoalSearchInputError, searchGoals, type Goal, type GoalSearchResult, type Movable } from "../../engine/levers/goal-search";
import { describeCheck, describeGoal, describeNotMet, describeParameterChange } from "../../engine/levers/goal-words";
import { createOutcomeEvaluator } from "../../engine/levers/outcome";
import { applicationFacts } from "../../rules-schema/persons";
import type { StandardDocument } from "../../rules-schema/types";
import { checkDate, checkProgram, CliFailure, collectQuota, loadStandard, parseQuotas, parseScoreLine, reportFailure, USAGE_ERROR } from "../allocation-options";
import { detectLang, say, type CliLang } from "../locale";
import { checkGroupFact, parseCount } from "./levers";

interface GoalSearchOptions {
  standard: string;
  cohort: string;
  program: string;
  date: string;
  quota?: string[];
  quotas?: string;
  seed?: string;
  scoreLine?: string;
  goal?: string[];
  move?: string[];
  limit?: string;
  maxEvaluations?: string;
  outDir?: string;
  json?: boolean;
}

function usage(zh: string, en: string): CliFailure {
  return new CliFailure({ zh, en }, USAGE_ERROR);
}

/** "40%" → 0.4, "0.4" → 0.4. */
function share(text: string, goal: string): number {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  const value = percent ? Number(percent[1]) / 100 : /^\s*\d+(?:\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value < 0 || value > 1) throw usage(`目标 “${goal}” 中的比例须在 0 到 100% 之间`, `The share in goal "${goal}" must lie between 0 and 100%`);
  return value;
}

export function parseGoal(text: string, doc: StandardDocument): Goal {
  const shareGoal = /^share:([A-Za-z][\w.-]*)=([^<>=]+)(>=|<=)(.+)$/.exec(text.trim());
  if (shareGoal) {
    const fact = checkGroupFact(doc, shareGoal[1], "--goal")!;
    const values = shareGoal[2].split(",").map((v) => v.trim()).filter(Boolean);
    const definition = applicationFacts(doc).find((f) => f.id === fact)!;
    const unknown = definition.type === "enum" ? values.filter((v) => !definition.values?.some((e) => e.value === v)) : [];
    if (unknown.length > 0) throw usage(`目标 “${text}” 中有 ${fact} 没有的取值：${unknown.join("、")}`, `Goal "${text}" names values ${fact} does not have: ${unknown.join(", ")}`);
    const bound = share(shareGoal[4], text);
    return shareGoal[3] === ">=" ? { kind: "share", fact, values, atLeast: bound } : { kind: "share", fact, values, atMost: bound };
  }
  const cutoff = /^cutoff<=\s*(\d+(?:\.\d+)?)\s*$/.exec(text.trim());
  if (cutoff) return { kind: "cutoffShift", atMost: Number(cutoff[1]) };
  const loss = /^loss:([A-Za-z][\w.-]*)<=(.+)$/.exec(text.trim());
  if (loss) return { kind: "groupLoss", fact: checkGroupFact(doc, loss[1], "--goal")!, atMost: share(loss[2], text) };
  throw usage(
    `无法理解目标 “${text}”；可写 share:事实=取值,取值>=40%、cutoff<=30 或 loss:事实<=5%`,
    `Cannot read goal "${text}"; write share:FACT=VALUE,VALUE>=40%, cutoff<=30 or loss:FACT<=5%`,
  );
}

export function parseMove(text: string): Movable {
  const parts = /^(\/[^=@]+)(?:=(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?))?(?:@(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!parts) throw usage(`无法理解 --move “${text}”；写法：/JSON指针[=最小..最大][@步长]`, `Cannot read --move "${text}"; write /json/pointer[=MIN..MAX][@STEP]`);
  return {
    pointer: parts[1],
    ...(parts[2] !== undefined ? { min: Number(parts[2]), max: Number(parts[3]) } : {}),
    ...(parts[4] !== undefined ? { step: Number(parts[4]) } : {}),
  };
}

export function goalSearchText(doc: StandardDocument, programId: string, goals: Goal[], result: GoalSearchResult, lang: CliLang): string {
  const t = (zh: string, en: string) => say(lang, { zh, en });
  const lines: string[] = [t("目标：", "Goals:")];
  goals.forEach((goal, g) => lines.push(`  ${g + 1}. ${describeGoal(doc, goal, lang)}${t("（现行：", " (now: ")}${describeCheck(doc, programId, goal, result.baselineChecks[g], lang)}${t("）", ")")}`));
  lines.push("");
  if (result.status === "alreadyMet") {
    lines.push(t("此版本已满足全部目标，无需调整。", "This version already meets every goal; nothing to change."));
    return lines.join("\n") + "\n";
  }
  if (result.status === "notMet") {
    lines.push(...describeNotMet(doc, goals, result, lang));
    if (result.closest) {
      lines.push(t("最接近的方案：", "The closest version found:"));
      for (const change of result.closest.changes) lines.push(`  ${describeParameterChange(change, lang)}`);
      goals.forEach((goal, g) => lines.push(`  ${g + 1}. ${describeCheck(doc, programId, goal, result.closest!.checks[g], lang)}`));
    }
    lines.push(t(`共测算 ${result.evaluations} 个版本。`, `${result.evaluations} versions run.`));
    return lines.join("\n") + "\n";
  }
  result.candidates.forEach((candidate, k) => {
    lines.push(t(`方案 ${k + 1}（调整 ${candidate.changes.length} 项）：`, `Proposal ${k + 1} (${candidate.changes.length} ${candidate.changes.length === 1 ? "change" : "changes"}):`));
    for (const change of candidate.changes) lines.push(`  ${describeParameterChange(change, lang)}`);
    const o = candidate.outcome;
    lines.push(t(`  录取 ${o.admitted} 名：新录取 ${o.entered} 名，被挤出 ${o.left} 名`, `  ${o.admitted} admitted: ${o.entered} entered, ${o.left} left`));
    goals.forEach((goal, g) => lines.push(`  ${g + 1}. ${describeCheck(doc, programId, goal, candidate.checks[g], lang)}`));
  });
  lines.push(t(`共测算 ${result.evaluations} 个版本。`, `${result.evaluations} versions run.`));
  return lines.join("\n") + "\n";
}

export function register(program: Command): void {
  program
    .command("goal-search")
    .description("versions of a standard that meet stated goals with the fewest changes / 按目标寻找调整方案")
    .requiredOption("--standard <file>", "standard document (JSON)")
    .requiredOption("--cohort <file>", "applicants (.jsonl, .csv or .xlsx)")
    .requiredOption("--program <id>", "program id")
    .requiredOption("--date <date>", "evaluation date YYYY-MM-DD")
    .option("--quota <n|pool=n>", "places: N for one pool, or pool=N (repeatable)", collectQuota)
    .option("--quotas <file>", "places per pool as JSON {\"pool\": N}")
    .option("--seed <seed>", "search and lottery seed (the same seed gives the same answer)")
    .option("--score-line <points>", "this round's score line: replaces the program's minimum total or threshold")
    .option("--goal <goal>", "share:FACT=V1,V2>=40% | cutoff<=30 | loss:FACT<=5% (repeatable)", collectQuota)
    .option("--move <pointer>", "a number that may move: /json/pointer[=MIN..MAX][@STEP] (repeatable; default: every number)", collectQuota)
    .option("--limit <n>", "at most this many proposals (default 5)")
    .option("--max-evaluations <n>", "at most this many versions run (default 300)")
    .option("--out-dir <dir>", "write each proposed standard as candidate-N.json")
    .option("--json", "print the result as JSON (pointers and ids)")
    .action(async (options: GoalSearchOptions, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      try {
        const quotas = parseQuotas(options.quota, options.quotas);
        const date = checkDate(options.date, "--date");
        const scoreLine = parseScoreLine(options.scoreLine);
        const limit = parseCount(options.limit, "--limit", 5);
        const maxEvaluations = parseCount(options.maxEvaluations, "--max-evaluations", 300);
        const loaded = loadStandard(options.standard, lang);
        const programId = checkProgram(loaded, options.program);
        const doc = documentWithScoreLine(loaded, programId, scoreLine);
        if (!options.goal || options.goal.length === 0) throw usage("请用 --goal 给出至少一个目标", "Give at least one goal with --goal");
        const goals = options.goal.map((text) => parseGoal(text, doc));
        const movable = options.move?.map(parseMove);
        const cohort = await readCohortColumns(options.cohort, applicationFacts(doc));
        const evaluator = createOutcomeEvaluator(doc, { programId, cohort, quotas, date, ...(options.seed !== undefined ? { seed: options.seed } : {}), groupBy: goalFacts(goals) });
        let result: GoalSearchResult;
        try {
          result = searchGoals({ doc, evaluator, goals, ...(movable ? { movable } : {}), seed: options.seed ?? 0, limit, maxEvaluations });
        } catch (error) {
          if (error instanceof GoalSearchInputError) {
            const where = error.path.startsWith("/movable/") ? ` (--move ${options.move![Number(error.path.split("/")[2])]})` : "";
            throw new CliFailure({ zh: error.text.zh + where, en: error.text.en + where }, USAGE_ERROR);
          }
          throw error;
        }
        if (options.outDir) {
          mkdirSync(options.outDir, { recursive: true });
          result.candidates.forEach((candidate, k) => writeFileSync(join(options.outDir!, `candidate-${k + 1}.json`), JSON.stringify(candidate.doc, null, 2) + "\n"));
        }
        if (options.json) {
          const { candidates, closest, ...rest } = result;
          const slim = (c: (typeof candidates)[number]) => ({ changes: c.changes.map(({ parameter, ...change }) => ({ ...change, label: parameter.label })), outcome: c.outcome, checks: c.checks });
          process.stdout.write(JSON.stringify({ goals, ...rest, candidates: candidates.map(slim), ...(closest ? { closest: slim(closest) } : {}) }) + "\n");
        } else {
          process.stdout.write(goalSearchText(doc, programId, goals, result, lang));
        }
      } catch (error) {
        reportFailure(error, lang);
      }
    });
}
