/**
 * `jifen score --standard FILE --program P --date D (--facts FILE.json | --applicants FILE.jsonl|.csv)`:
 * one applicant → the explained score sheet (aligned text in the user's language, `--format md|html` for a printable
 * sheet, or `--json`); many applicants → one JSON line per applicant (`--format jsonl`, the default) or CSV
 * (`--format csv`), from the compiled path. No total for an applicant who fails a gate or is vetoed (decision 037).
 * Exit 1 when the standard or the facts are found wanting (each problem names file, line and field), 2 on usage errors.
 */
import { nestingBeyond } from "../../rules-schema/json-depth";
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { compileProgram } from "../../engine/scoring/compiled";
import { scoreApplicant } from "../../engine/scoring/reference";
import type { CompactScore, Facts } from "../../engine/types";
import type { StandardDocument, Verdict } from "../../rules-schema/types";
import { explainScore } from "../../engine/scoring/explain";
import { verdictOf } from "../../engine/scoring/testcases";
import { sheetHtml, sheetMarkdown, sheetText } from "../score-sheet";
import { checkDate, checkProgram, CliFailure, loadStandard, reportFailure, USAGE_ERROR } from "../allocation-options";
import { CohortInputError, csvLine, readCohortFile, typeFactValue, type CohortRowError } from "../../applicant-files/applicants";
import { detectLang, say, type CliLang } from "../locale";
import { applicationFacts } from "../../rules-schema/persons";

const FOUND_WANTING = 1;

interface ScoreOptions {
  standard: string;
  program: string;
  date?: string;
  facts?: string;
  applicants?: string;
  json?: boolean;
  format?: string;
}

/** Reads one applicant's facts from a JSON object file, typing each value by the fact dictionary. */
export function readFactsFile(path: string, doc: StandardDocument, lang: CliLang): Facts {
  if (!existsSync(path)) throw new CliFailure({ zh: `找不到文件：${path}`, en: `File not found: ${path}` }, USAGE_ERROR);
  const text = readFileSync(path, "utf8");
  const tooDeep = nestingBeyond(text);
  if (tooDeep) {
    throw new CliFailure(
      { zh: `${path}：嵌套层数超过 ${tooDeep.limit} 层（位置 ${tooDeep.offset}）`, en: `${path}: nested more than ${tooDeep.limit} levels deep (at offset ${tooDeep.offset})` },
      FOUND_WANTING,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new CliFailure({ zh: `${path}：不是有效的 JSON：${message}`, en: `${path}: not valid JSON: ${message}` }, FOUND_WANTING);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CliFailure({ zh: `${path}：须为一个 JSON 对象（事实编号 → 取值）`, en: `${path}: must be one JSON object (fact id → value)` }, FOUND_WANTING);
  }
  const source = (parsed as Record<string, unknown>).facts && typeof (parsed as Record<string, unknown>).facts === "object"
    ? ((parsed as Record<string, unknown>).facts as Record<string, unknown>)
    : (parsed as Record<string, unknown>);
  const definitions = new Map(applicationFacts(doc).map((definition) => [definition.id, definition]));
  const facts: Facts = {};
  const errors: CohortRowError[] = [];
  const unknown: string[] = [];
  for (const [key, raw] of Object.entries(source)) {
    const definition = definitions.get(key);
    if (!definition) {
      if (key !== "id") unknown.push(key);
      continue;
    }
    const typed = typeFactValue(definition, raw, lineOfKey(text, key), false);
    if (typed.error) errors.push(typed.error);
    else if (typed.value !== undefined) Object.defineProperty(facts, key, { value: typed.value, enumerable: true, writable: true, configurable: true });
  }
  if (unknown.length > 0) {
    errors.push(...unknown.map((key) => ({
      code: "unknownColumn" as const,
      line: lineOfKey(text, key),
      column: key,
      message: {
        zh: `第 ${lineOfKey(text, key)} 行，字段 “${key}”：不是本标准的事实编号`,
        en: `line ${lineOfKey(text, key)}, field "${key}": names no fact of this standard`,
      },
      params: { known: [...definitions.keys()] },
    })));
  }
  if (errors.length > 0) {
    throw new CliFailure(
      { zh: `申请人事实有误：${path}`, en: `Problems in the facts file: ${path}` },
      FOUND_WANTING,
      errors.map((error) => `${path}  ${say(lang, error.message)}`),
    );
  }
  return facts;
}

/** Line (1-based) where `"key":` first appears, so errors point into the file. */
function lineOfKey(text: string, key: string): number {
  const at = text.indexOf(`${JSON.stringify(key)}`);
  return at < 0 ? 1 : text.slice(0, at).split("\n").length;
}

function compactRecord(id: string, score: CompactScore, verdict: Verdict, itemIds: string[], categoryIds: string[]) {
  const byId = (ids: string[], values: number[]) => {
    const record: Record<string, number> = {};
    ids.forEach((key, index) => Object.defineProperty(record, key, { value: values[index], enumerable: true, writable: true, configurable: true }));
    return record;
  };
  return {
    id,
    eligible: score.eligible,
    vetoed: score.vetoed,
    failedGates: score.failedGates,
    verdict,
    total: verdict === "vetoed" || verdict === "ineligible" ? null : score.total,
    categories: byId(categoryIds, score.categories),
    items: byId(itemIds, score.items),
  };
}

async function scoreCommand(options: ScoreOptions, lang: CliLang): Promise<void> {
  if (Boolean(options.facts) === Boolean(options.applicants)) {
    throw new CliFailure(
      { zh: "请给出 --facts FILE.json（一位申请人）或 --applicants FILE.jsonl|.csv（多位）之一", en: "Give one of --facts FILE.json (one applicant) or --applicants FILE.jsonl|.csv (many)" },
      USAGE_ERROR,
    );
  }
  const one = Boolean(options.facts);
  const format = options.format ?? (one ? "text" : "jsonl");
  const formats = one ? ["text", "md", "html"] : ["jsonl", "csv"];
  if (!formats.includes(format)) {
    throw new CliFailure(
      one
        ? { zh: `一位申请人时 --format 须为 text、md 或 html（收到 “${format}”）`, en: `With one applicant --format must be text, md or html (got "${format}")` }
        : { zh: `多位申请人时 --format 须为 jsonl 或 csv（收到 “${format}”）`, en: `With many applicants --format must be jsonl or csv (got "${format}")` },
      USAGE_ERROR,
    );
  }
  const doc = loadStandard(options.standard, lang);
  const programId = checkProgram(doc, options.program);
  const cutoff = doc.programs.find((program) => program.id === programId)?.evaluationCutoff?.date;
  if (options.date === undefined && cutoff === undefined) {
    throw new CliFailure(
      { zh: `项目 “${programId}” 没有规定计分截止日期，请用 --date YYYY-MM-DD 给出评估日期`, en: `Program "${programId}" sets no evaluation cut-off date: give the evaluation date with --date YYYY-MM-DD` },
      USAGE_ERROR,
    );
  }
  const date = checkDate(options.date ?? cutoff, "--date");

  if (options.facts) {
    const facts = readFactsFile(options.facts, doc, lang);
    const sheet = await scoreApplicant(doc, facts, programId, date);
    const explanation = explainScore(doc, sheet);
    if (options.json) {
      const answer = { ...sheet, total: explanation.total, verdict: explanation.verdict.kind, explanation };
      process.stdout.write(JSON.stringify(answer, null, 2) + "\n");
      return;
    }
    process.stdout.write(format === "md" ? sheetMarkdown(explanation, lang) : format === "html" ? sheetHtml(explanation, lang) : sheetText(explanation, lang, process.stdout.columns || 100));
    return;
  }

  const cohort = await readCohortFile(options.applicants as string, applicationFacts(doc));
  const compiled = compileProgram(doc, programId);
  const chunks: string[] = [];
  if (format === "csv") {
    chunks.push(csvLine(["id", "eligible", "vetoed", "failedGates", "total", ...compiled.categoryIds.map((id) => `category:${id}`), ...compiled.itemIds.map((id) => `item:${id}`), "verdict"]));
  }
  cohort.rows.forEach((facts, index) => {
    const score = compiled.score(facts, date);
    const id = cohort.ids[index];
    const verdict = verdictOf(doc, programId, score);
    const total = verdict === "vetoed" || verdict === "ineligible" ? "" : score.total;
    chunks.push(
      format === "csv"
        ? csvLine([id, score.eligible, score.vetoed, score.failedGates.join(" "), total, ...score.categories, ...score.items, verdict])
        : JSON.stringify(compactRecord(id, score, verdict, compiled.itemIds, compiled.categoryIds)) + "\n",
    );
    if (chunks.length >= 1000) process.stdout.write(chunks.splice(0).join(""));
  });
  process.stdout.write(chunks.join(""));
}

export function register(program: Command): void {
  program
    .command("score")
    .description("score one applicant (explained) or many (compiled) / 为申请人计分")
    .requiredOption("--standard <file>", "standard document (JSON)")
    .requiredOption("--program <id>", "program id")
    .option("--date <date>", "evaluation date YYYY-MM-DD (default: the program's evaluation cut-off date; required when it has none)")
    .option("--facts <file>", "one applicant's facts (JSON object)")
    .option("--applicants <file>", "many applicants (.jsonl or .csv)")
    .option("--json", "one applicant: the score sheet and its explanation as JSON (with ids)")
    .option("--format <format>", "one applicant: text (default), md or html (a printable sheet); many applicants: jsonl (default) or csv")
    .action(async (options: ScoreOptions, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      try {
        await scoreCommand(options, lang);
      } catch (error) {
        if (error instanceof CohortInputError || error instanceof CliFailure) return reportFailure(error, lang);
        throw error;
      }
    });
}
