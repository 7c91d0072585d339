/**
 * `jifen simulate --baseline A --candidate B --cohort FILE --program P --date D (quotas as for rank)
 *  [--seed S] [--group-by FACT ...] [--json] [--changes FILE]`: what-if of a revised standard on a cohort.
 * Prints a summary in the CLI's language, or with --json one JSON object (the summary). --changes writes one JSON
 * line per applicant whose total, rank or admission changed.
 */
import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { detectLang, say, type CliLang } from "../locale";
import { simulate, applicantChange, type SimulationSummary } from "../../engine/simulation/simulate";
import { readCohortColumns } from "../../applicant-files/applicants";
import {
  checkDate,
  checkProgram,
  collectQuota,
  loadStandard,
  parseQuotas,
  progressLine,
  startWorkerFor,
  reportFailure,
  parseScoreLine,
} from "../allocation-options";
import { documentWithScoreLine } from "../../engine/allocation/rank";
import { applicationFacts } from "../../rules-schema/persons";

interface SimulateOptions {
  baseline: string;
  candidate: string;
  cohort: string;
  program: string;
  date: string;
  quota?: string[];
  quotas?: string;
  seed?: string;
  scoreLine?: string;
  groupBy?: string[];
  json?: boolean;
  changes?: string;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function summaryText(summary: SimulationSummary, lang: CliLang): string {
  const t = (zh: string, en: string) => say(lang, { zh, en });
  const lines: string[] = [];
  lines.push(t(`项目 ${summary.programId}，评估日 ${summary.date}，申请人 ${summary.applicants} 名`, `Program ${summary.programId}, date ${summary.date}, ${summary.applicants} applicants`));
  lines.push(t(`录取：修订前 ${summary.admittedBefore}，修订后 ${summary.admittedAfter}`, `Admitted: ${summary.admittedBefore} before, ${summary.admittedAfter} after`));
  lines.push(t(`新录取 ${summary.entered.length} 名，不再录取 ${summary.left.length} 名`, `Entered: ${summary.entered.length}; left: ${summary.left.length}`));
  lines.push(
    t(
      `平均总分：${round(summary.meanTotalBefore)} → ${round(summary.meanTotalAfter)}（${summary.applicantsWithChangedTotal} 名总分有变化）`,
      `Mean total: ${round(summary.meanTotalBefore)} → ${round(summary.meanTotalAfter)} (${summary.applicantsWithChangedTotal} totals changed)`,
    ),
  );
  lines.push(t("名额池（分数线 前 → 后）：", "Pools (cut-off before → after):"));
  for (const pool of summary.pools.slice(0, 30)) {
    const shift = pool.cutoffShift === null ? "" : ` (${pool.cutoffShift >= 0 ? "+" : ""}${round(pool.cutoffShift)})`;
    lines.push(`  ${pool.pool}: ${pool.cutoffBefore ?? "—"} → ${pool.cutoffAfter ?? "—"}${shift}; ${t("录取", "admitted")} ${pool.admittedBefore} → ${pool.admittedAfter}`);
  }
  if (summary.pools.length > 30) lines.push(t(`  …另 ${summary.pools.length - 30} 个名额池`, `  … ${summary.pools.length - 30} more pools`));
  lines.push(t("名次变化（后 − 前，负数为上升）：", "Rank change (after − before, negative = up):"));
  for (const bucket of summary.rankChanges) if (bucket.count > 0) lines.push(`  ${bucket.label}: ${bucket.count}`);
  lines.push(t(`  新进入排名 ${summary.newlyRanked}，退出排名 ${summary.noLongerRanked}`, `  newly ranked ${summary.newlyRanked}, no longer ranked ${summary.noLongerRanked}`));
  const changedItems = summary.items.filter((i) => i.totalBefore !== i.totalAfter || i.presence !== "both");
  if (changedItems.length > 0) {
    lines.push(t("指标（平均分 前 → 后，变化人数）：", "Items (mean points before → after, applicants changed):"));
    for (const item of changedItems) {
      const presence = item.presence === "added" ? t("（新增）", " (added)") : item.presence === "removed" ? t("（删除）", " (removed)") : "";
      lines.push(`  ${item.id}${presence}: ${round(item.meanBefore)} → ${round(item.meanAfter)}, ${item.changedApplicants}`);
    }
  }
  for (const group of summary.groups) {
    lines.push(t(`按 ${group.fact} 分组（录取 前 → 后，平均分变化）：`, `By ${group.fact} (admitted before → after, mean change):`));
    for (const v of group.values) lines.push(`  ${v.value || "—"}: ${v.admittedBefore} → ${v.admittedAfter}, ${v.meanChange >= 0 ? "+" : ""}${round(v.meanChange)}`);
  }
  return lines.join("\n") + "\n";
}

export function register(program: Command): void {
  program
    .command("simulate")
    .description("what-if: score and rank a cohort under two versions of a standard and compare / 修订模拟")
    .requiredOption("--baseline <file>", "current standard (JSON)")
    .requiredOption("--candidate <file>", "revised standard (JSON)")
    .requiredOption("--cohort <file>", "applicants (.jsonl or .csv)")
    .requiredOption("--program <id>", "program id")
    .requiredOption("--date <date>", "evaluation date YYYY-MM-DD")
    .option("--quota <n|pool=n>", "places: N for one pool, or pool=N (repeatable)", collectQuota)
    .option("--quotas <file>", "places per pool as JSON {\"pool\": N}")
    .option("--seed <seed>", "lottery seed")
    .option("--score-line <points>", "this round's score line for both versions: replaces the program's minimum total or threshold")
    .option("--group-by <fact>", "break the impact down by a categorical fact (repeatable)", collectQuota)
    .option("--json", "print the summary as one JSON object")
    .option("--changes <file>", "write one JSON line per applicant whose total, rank or admission changed")
    .action(async (options: SimulateOptions, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      try {
        const quotas = parseQuotas(options.quota, options.quotas);
        const date = checkDate(options.date, "--date");
        const scoreLine = parseScoreLine(options.scoreLine);
        const baselineDocument = loadStandard(options.baseline, lang);
        const programId = checkProgram(baselineDocument, options.program);
        const baseline = documentWithScoreLine(baselineDocument, programId, scoreLine);
        const candidate = documentWithScoreLine(loadStandard(options.candidate, lang), programId, scoreLine);
        checkProgram(candidate, options.program);
        startWorkerFor(options.cohort, 64 * 1024 * 1024);
        const cohort = await readCohortColumns(options.cohort, applicationFacts(baseline));
        const result = simulate({
          baseline,
          candidate,
          programId,
          cohort,
          quotas,
          date,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          groupBy: options.groupBy ?? [],
          onProgress: progressLine(lang, { zh: "计分", en: "Scoring" }),
        });
        if (options.changes) {
          const out = createWriteStream(options.changes);
          const c = result.columns;
          for (let i = 0; i < c.ids.length; i++) {
            if (c.totalBefore[i] === c.totalAfter[i] && c.rankBefore[i] === c.rankAfter[i] && c.outcomeBefore[i] === c.outcomeAfter[i]) continue;
            if (!out.write(JSON.stringify(applicantChange(result, i)) + "\n")) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
          }
          await new Promise<void>((resolve) => out.end(() => resolve()));
        }
        process.stdout.write(options.json ? JSON.stringify(result.summary) + "\n" : summaryText(result.summary, lang));
      } catch (error) {
        reportFailure(error, lang);
      }
    });
}
