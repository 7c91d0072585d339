/**
 * `jifen score --standard FILE --program P --date D (--facts FILE.json | --applicants FILE.jsonl|.csv)`:
 * one applicant → the explained score sheet (a table in the user's language, or `--json`); many applicants →
 * one JSON line per applicant (`--format jsonl`, the default) or CSV (`--format csv`), from the compiled path.
 * Exit 1 when the standard or the facts are found wanting (each problem names file, line and field), 2 on usage errors.
 */
import { nestingBeyond } from "../../rules-schema/json-depth";
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { compileProgram } from "../../engine/scoring/compiled";
import { scoreApplicant } from "../../engine/scoring/reference";
import type { CompactScore, Facts, ScoreSheet } from "../../engine/types";
import type { StandardDocument } from "../../rules-schema/types";
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

function pad(text: string, width: number): string {
  let visible = 0;
  for (const char of text) visible += /[\u1100-\uffff]/.test(char) ? 2 : 1;
  return text + " ".repeat(Math.max(1, width - visible));
}

function itemNote(sheet: ScoreSheet, index: number, lang: CliLang): string {
  const explanation = sheet.items[index].explanation;
  const notes: string[] = [];
  if (explanation.notApplicable) notes.push(say(lang, { zh: "不适用于本项目", en: "not for this program" }));
  if (explanation.when && !explanation.when.result) notes.push(say(lang, { zh: "条件不满足", en: "condition not met" }));
  if (explanation.chosenTier) notes.push(say(lang, { zh: `档次 ${explanation.chosenTier}`, en: `tier ${explanation.chosenTier}` }));
  if (explanation.vesting && !explanation.vesting.vested) {
    notes.push(say(lang, { zh: `未满 ${explanation.vesting.atLeast}，不计分`, en: `not vested (needs ${explanation.vesting.atLeast})` }));
  }
  if (explanation.cappedFrom !== undefined) notes.push(say(lang, { zh: `封顶（原 ${explanation.cappedFrom}）`, en: `capped (was ${explanation.cappedFrom})` }));
  if (explanation.supersededBy) {
    notes.push(say(lang, { zh: `择一：计 ${explanation.supersededBy.item}`, en: `one of group: ${explanation.supersededBy.item} counts` }));
  }
  if (explanation.article) notes.push(explanation.article);
  return notes.join(lang === "zh-CN" ? "；" : "; ");
}

export function scoreSheetText(doc: StandardDocument, sheet: ScoreSheet, lang: CliLang): string {
  const labels = new Map(doc.items.map((item) => [item.id, item.label]));
  const categoryLabels = new Map(doc.categories.map((category) => [category.id, category.label]));
  const lines: string[] = [];
  lines.push(`${say(lang, doc.title)} (${doc.version}) — ${sheet.program} — ${sheet.date}`);
  lines.push("");
  lines.push(pad(say(lang, { zh: "指标", en: "Item" }), 44) + pad(say(lang, { zh: "得分", en: "Points" }), 10) + say(lang, { zh: "说明", en: "Notes" }));
  sheet.items.forEach((item, index) => {
    const label = labels.get(item.id);
    lines.push(pad(`${item.id}${label ? ` ${say(lang, label)}` : ""}`, 44) + pad(String(item.points), 10) + itemNote(sheet, index, lang));
  });
  const totalAdjustments = [doc.total, ...doc.programs.map((program) => program.total)].flatMap((rule) => rule?.adjustments ?? []);
  for (const adjustment of sheet.adjustments) {
    const own = totalAdjustments.find((candidate) => candidate.id === adjustment.id)?.label;
    const name = {
      groupCap: { zh: `组封顶 ${adjustment.id}`, en: `group cap ${adjustment.id}` },
      categoryCap: { zh: `类别封顶 ${adjustment.id}`, en: `category cap ${adjustment.id}` },
      totalFloor: { zh: "总分下限", en: "total floor" },
      totalCap: { zh: "总分上限", en: "total cap" },
      totalAdjustment: { zh: `总分调整 ${own?.zh ?? adjustment.id}`, en: `adjustment of the total ${own?.en ?? adjustment.id}` },
    }[adjustment.kind];
    lines.push(pad(say(lang, name), 44) + String(adjustment.points));
  }
  lines.push("");
  for (const [id, points] of Object.entries(sheet.categories)) {
    const label = categoryLabels.get(id);
    lines.push(pad(label ? say(lang, label) : id, 44) + String(points));
  }
  lines.push(pad(say(lang, { zh: "总分", en: "Total" }), 44) + String(sheet.total));
  lines.push("");
  for (const gate of sheet.gates.filter((g) => !g.passed)) {
    lines.push(say(lang, { zh: `✗ 未满足：${gate.id} — ${gate.reason.zh}`, en: `✗ Not met: ${gate.id} — ${gate.reason.en}` }));
  }
  for (const veto of sheet.vetoes.filter((v) => v.triggered)) {
    lines.push(say(lang, { zh: `✗ 一票否决：${veto.id} — ${veto.reason.zh}`, en: `✗ Veto: ${veto.id} — ${veto.reason.en}` }));
  }
  lines.push(
    sheet.eligible
      ? say(lang, { zh: "✓ 符合申请条件", en: "✓ Eligible" })
      : say(lang, { zh: "✗ 不符合申请条件", en: "✗ Not eligible" }),
  );
  return lines.join("\n") + "\n";
}

function compactRecord(id: string, score: CompactScore, itemIds: string[], categoryIds: string[]) {
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
    total: score.total,
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
  const format = options.format ?? "jsonl";
  if (format !== "jsonl" && format !== "csv") {
    throw new CliFailure({ zh: `--format 须为 jsonl 或 csv（收到 “${format}”）`, en: `--format must be jsonl or csv (got "${format}")` }, USAGE_ERROR);
  }
  const doc = loadStandard(options.standard, lang);
  const programId = checkProgram(doc, options.program);
  const cutoff = doc.programs.find((program) => program.id === programId)?.evaluationCutoff?.date;
  const date = checkDate(options.date ?? cutoff, "--date");

  if (options.facts) {
    const facts = readFactsFile(options.facts, doc, lang);
    const sheet = await scoreApplicant(doc, facts, programId, date);
    process.stdout.write(options.json ? JSON.stringify(sheet, null, 2) + "\n" : scoreSheetText(doc, sheet, lang));
    return;
  }

  const cohort = await readCohortFile(options.applicants as string, applicationFacts(doc));
  const compiled = compileProgram(doc, programId);
  const chunks: string[] = [];
  if (format === "csv") {
    chunks.push(csvLine(["id", "eligible", "vetoed", "failedGates", "total", ...compiled.categoryIds.map((id) => `category:${id}`), ...compiled.itemIds.map((id) => `item:${id}`)]));
  }
  cohort.rows.forEach((facts, index) => {
    const score = compiled.score(facts, date);
    const id = cohort.ids[index];
    chunks.push(
      format === "csv"
        ? csvLine([id, score.eligible, score.vetoed, score.failedGates.join(" "), score.total, ...score.categories, ...score.items])
        : JSON.stringify(compactRecord(id, score, compiled.itemIds, compiled.categoryIds)) + "\n",
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
    .option("--date <date>", "evaluation date YYYY-MM-DD (default: the program's cut-off date)")
    .option("--facts <file>", "one applicant's facts (JSON object)")
    .option("--applicants <file>", "many applicants (.jsonl or .csv)")
    .option("--json", "one applicant: print the score sheet as JSON")
    .option("--format <format>", "many applicants: jsonl (default) or csv")
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
