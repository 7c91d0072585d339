/**
 * `jifen simulate --baseline A --candidate B --cohort FILE --program P --date D (quotas as for rank)
 *  [--seed S] [--group-by FACT ...] [--json] [--changes FILE]`: what-if of a revised standard on a cohort.
 * Prints a summary in the CLI's language, or with --json one JSON object (the summary). --changes writes one JSON
 * line per applicant whose total, rank or admission changed.
 */
import { createWriteStream } from "node:fs";
import type { Command } from "commander";
import { detectLang, say, type CliLang } from "../locale";
import { simulate, applicantChange, type SimulationResult, type SimulationSummary } from "../../engine/simulation/simulate";
import { cohortRow } from "../../engine/cohorts/cohort";
import { ChangeReasons, conditionsFromFacts } from "../../engine/simulation/reasons";
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
import type { LocalizedText, StandardDocument } from "../../rules-schema/types";
import { cohortCarries, factsOfBoth, missingFacts, type MissingFact } from "../../engine/simulation/facts-read";

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

/** Labels of a simulation's program, items, facts and enum values, from both versions (the candidate's win). */
export interface SummaryWords {
  baseline: StandardDocument;
  candidate: StandardDocument;
}

function wordsOf(docs: SummaryWords | undefined, lang: CliLang) {
  const name = (text: LocalizedText | undefined, fallback: string) => (text ? say(lang, text) : fallback);
  const both = docs ? [docs.baseline, docs.candidate] : [];
  const find = <T extends { id: string }>(pick: (doc: StandardDocument) => T[] | undefined, id: string): T | undefined =>
    [...both].reverse().map((doc) => (pick(doc) ?? []).find((entry) => entry.id === id)).find((entry) => entry !== undefined);
  return {
    program: (id: string) => name(find((doc) => doc.programs, id)?.label, id),
    item: (id: string) => name(find((doc) => doc.items, id)?.label, id),
    fact: (id: string) => name(find((doc) => doc.facts, id)?.label, id),
    value: (factId: string, value: string) => name(find((doc) => doc.facts, factId)?.values?.find((v) => v.value === value)?.label, value),
  };
}

/** The warning printed before a simulation whose cohort lacks facts a version reads (issue 21, part 8). */
export function missingFactsText(missing: MissingFact[], lang: CliLang): string {
  if (missing.length === 0) return "";
  const t = (zh: string, en: string) => say(lang, { zh, en });
  const lines = [
    t(
      `注意：申请人数据中没有以下 ${missing.length} 项信息，所有申请人均按“未填写”计算，相关指标得分将全部为 0 或不满足条件，结果不反映真实影响：`,
      `Warning: the cohort has no value for these ${missing.length} facts; every applicant is scored as if they were not given, so the indicators reading them score 0 or fail for everyone:`,
    ),
  ];
  for (const fact of missing) {
    const who = fact.readByBaseline && fact.readByCandidate ? t("修订前后两个版本都使用", "read by both versions") : fact.readByCandidate ? t("修订后版本使用", "read by the candidate") : t("修订前版本使用", "read by the baseline");
    lines.push(`  ${say(lang, fact.label)}${t(`（${who}）`, ` (${who})`)}`);
  }
  return lines.join("\n") + "\n";
}

export function summaryText(summary: SimulationSummary, lang: CliLang, docs?: SummaryWords): string {
  const t = (zh: string, en: string) => say(lang, { zh, en });
  const words = wordsOf(docs, lang);
  const program = docs?.candidate.programs.find((p) => p.id === summary.programId);
  const poolBy = program?.allocation.kind === "quota" ? program.allocation.poolBy : undefined;
  const poolName = (pool: string) => (pool === "*" && !poolBy ? t("全部", "all") : poolBy ? words.value(poolBy, pool) : pool);
  const pools = [...summary.pools].sort((a, b) => a.pool.localeCompare(b.pool, "zh-CN", { numeric: true }));
  const lines: string[] = [];
  lines.push(
    t(
      `项目 ${words.program(summary.programId)}，评估日 ${summary.date}，申请人 ${summary.applicants} 名`,
      `Program ${words.program(summary.programId)}, date ${summary.date}, ${summary.applicants} applicants`,
    ),
  );
  lines.push(t(`录取：修订前 ${summary.admittedBefore}，修订后 ${summary.admittedAfter}`, `Admitted: ${summary.admittedBefore} before, ${summary.admittedAfter} after`));
  lines.push(t(`新录取 ${summary.entered.length} 名，不再录取 ${summary.left.length} 名`, `Entered: ${summary.entered.length}; left: ${summary.left.length}`));
  lines.push(
    t(
      `平均总分：${round(summary.meanTotalBefore)} → ${round(summary.meanTotalAfter)}（${summary.applicantsWithChangedTotal} 名总分有变化）`,
      `Mean total: ${round(summary.meanTotalBefore)} → ${round(summary.meanTotalAfter)} (${summary.applicantsWithChangedTotal} totals changed)`,
    ),
  );
  lines.push(t("名额池（分数线 前 → 后）：", "Pools (cut-off before → after):"));
  for (const pool of pools.slice(0, 30)) {
    const shift = pool.cutoffShift === null ? "" : ` (${pool.cutoffShift >= 0 ? "+" : ""}${round(pool.cutoffShift)})`;
    lines.push(`  ${poolName(pool.pool)}: ${pool.cutoffBefore ?? "—"} → ${pool.cutoffAfter ?? "—"}${shift}; ${t("录取", "admitted")} ${pool.admittedBefore} → ${pool.admittedAfter}`);
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
      lines.push(`  ${words.item(item.id)}${presence}: ${round(item.meanBefore)} → ${round(item.meanAfter)}, ${item.changedApplicants}`);
    }
  }
  for (const group of summary.groups) {
    lines.push(t(`按 ${words.fact(group.fact)} 分组（录取 前 → 后，平均分变化）：`, `By ${words.fact(group.fact)} (admitted before → after, mean change):`));
    for (const v of group.values) lines.push(`  ${v.value ? words.value(group.fact, v.value) : "—"}: ${v.admittedBefore} → ${v.admittedAfter}, ${v.meanChange >= 0 ? "+" : ""}${round(v.meanChange)}`);
  }
  return lines.join("\n") + "\n";
}

const REASONS_SHOWN = 20;

/** Who entered and who left, each with the sentence saying why (decision 038); the first 20 of each. */
export function reasonsText(result: SimulationResult, reasons: ChangeReasons, lang: CliLang): string {
  const lines: string[] = [];
  const index = new Map<string, number>();
  Array.from(result.columns.ids).forEach((id, i) => index.set(id, i));
  for (const [ids, title] of [
    [result.summary.entered, { zh: "新进入录取", en: "Entered" }],
    [result.summary.left, { zh: "被挤出", en: "Left" }],
  ] as const) {
    if (ids.length === 0) continue;
    lines.push(say(lang, { zh: `${title.zh}（${ids.length} 名）：`, en: `${title.en} (${ids.length}):` }));
    for (const id of ids.slice(0, REASONS_SHOWN)) {
      const reason = reasons.reasonOf(index.get(id) as number);
      lines.push(`  ${id}  ${reason ? say(lang, reason.text) : ""}`);
    }
    if (ids.length > REASONS_SHOWN) lines.push(say(lang, { zh: `  …另 ${ids.length - REASONS_SHOWN} 名（--changes 写出全部）`, en: `  … ${ids.length - REASONS_SHOWN} more (--changes writes them all)` }));
  }
  return lines.length > 0 ? lines.join("\n") + "\n" : "";
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
        // Both versions' facts are read from the file: a fact only the candidate reads is not dropped.
        const cohort = await readCohortColumns(options.cohort, applicationFacts({ ...baseline, facts: factsOfBoth(baseline, candidate) }));
        process.stderr.write(missingFactsText(missingFacts(baseline, candidate, programId, cohortCarries(cohort)), lang));
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
        // Newly ineligible or eligible applicants are told which conditions of application decided it.
        const reasons = new ChangeReasons(result, baseline, candidate, conditionsFromFacts(baseline, candidate, programId, date, (row) => cohortRow(cohort, row)));
        if (options.changes) {
          const out = createWriteStream(options.changes);
          const c = result.columns;
          for (let i = 0; i < c.ids.length; i++) {
            if (c.totalBefore[i] === c.totalAfter[i] && c.rankBefore[i] === c.rankAfter[i] && c.outcomeBefore[i] === c.outcomeAfter[i]) continue;
            const reason = reasons.reasonOf(i);
            const line = { ...applicantChange(result, i), ...(reason ? { reason: { kind: reason.kind, text: reason.text } } : {}) };
            if (!out.write(JSON.stringify(line) + "\n")) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
          }
          await new Promise<void>((resolve) => out.end(() => resolve()));
        }
        process.stdout.write(options.json ? JSON.stringify(result.summary) + "\n" : summaryText(result.summary, lang, { baseline, candidate }) + reasonsText(result, reasons, lang));
      } catch (error) {
        reportFailure(error, lang);
      }
    });
}
