/**
 * `jifen rank --standard FILE --program P --cohort FILE --date D (--quota N | --quota pool=N ... | --quotas FILE.json)
 *  [--seed S] [--format json|csv] [--out FILE]`: scores a cohort and allocates the program's places.
 * JSON output: one object { program, kind, tiePolicy, admittedCount, pools, applicants }. CSV: one row per applicant.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { detectLang, say } from "../locale";
import { scoreAndRank } from "../../engine/allocation/ranking-cases";
import type { AllocationResult } from "../../engine/allocation/rank";
import { readCohortColumns, csvLine } from "../../applicant-files/applicants";
import {
  checkDate,
  checkProgram,
  CliFailure,
  collectQuota,
  loadStandard,
  parseQuotas,
  progressLine,
  startWorkerFor,
  reportFailure,
  USAGE_ERROR,
  parseScoreLine,
} from "../allocation-options";
import { applicationFacts } from "../../rules-schema/persons";

interface RankOptions {
  standard: string;
  program: string;
  cohort: string;
  date: string;
  quota?: string[];
  quotas?: string;
  seed?: string;
  scoreLine?: string;
  format?: string;
  out?: string;
}

/** No total for an applicant who fails a gate or is vetoed (decision 037): the reason says why. */
const noScore = (reason: string | undefined) => reason === "ineligible" || reason === "vetoed";

export function allocationCsv(result: AllocationResult): string {
  let text = csvLine(["id", "pool", "total", "rank", "admitted", "reason"]);
  for (const a of result.applicants) text += csvLine([a.id, a.pool, noScore(a.reason) ? "" : a.total, a.rank ?? "", a.admitted ?? "", a.reason ?? ""]);
  return text;
}

export function register(program: Command): void {
  program
    .command("rank")
    .description("score a cohort and allocate a program's places / 对申请人计分并按名额分配")
    .requiredOption("--standard <file>", "standard document (JSON)")
    .requiredOption("--program <id>", "program id")
    .requiredOption("--cohort <file>", "applicants (.jsonl or .csv)")
    .requiredOption("--date <date>", "evaluation date YYYY-MM-DD")
    .option("--quota <n|pool=n>", "places: N for one pool, or pool=N (repeatable)", collectQuota)
    .option("--quotas <file>", "places per pool as JSON {\"pool\": N}")
    .option("--seed <seed>", "lottery seed (default: the program's lotterySeed)")
    .option("--score-line <points>", "this round's score line: replaces the program's minimum total or threshold")
    .option("--format <format>", "json or csv", "json")
    .option("--out <file>", "write the result to a file instead of stdout")
    .action(async (options: RankOptions, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      try {
        if (options.format !== "json" && options.format !== "csv") {
          throw new CliFailure({ zh: `--format 须为 json 或 csv`, en: `--format must be json or csv` }, USAGE_ERROR);
        }
        const quotas = parseQuotas(options.quota, options.quotas);
        const scoreLine = parseScoreLine(options.scoreLine);
        const date = checkDate(options.date, "--date");
        const doc = loadStandard(options.standard, lang);
        const programId = checkProgram(doc, options.program);
        startWorkerFor(options.cohort, 64 * 1024 * 1024);
        const cohort = await readCohortColumns(options.cohort, applicationFacts(doc));
        const result = scoreAndRank(doc, programId, cohort, quotas, date, {
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(scoreLine !== undefined ? { scoreLine } : {}),
          onProgress: progressLine(lang, { zh: "计分", en: "Scoring" }),
        });
        const text =
          options.format === "csv"
            ? allocationCsv(result)
            : JSON.stringify({
                program: result.programId,
                kind: result.kind,
                ...(result.tiePolicy ? { tiePolicy: result.tiePolicy } : {}),
                admittedCount: result.admittedCount,
                pools: result.pools,
                applicants: result.applicants.map((a) => (noScore(a.reason) ? { ...a, total: null } : a)),
              }) + "\n";
        if (options.out) {
          writeFileSync(options.out, text);
          process.stderr.write(
            say(lang, {
              zh: `已录取 ${result.admittedCount} 人（共 ${result.applicants.length} 人），结果已写入 ${options.out}`,
              en: `${result.admittedCount} of ${result.applicants.length} admitted; written to ${options.out}`,
            }) + "\n",
          );
        } else process.stdout.write(text);
      } catch (error) {
        reportFailure(error, lang);
      }
    });
}
