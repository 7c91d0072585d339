/**
 * What `rank`, `simulate` and `generate-cohort` share: loading a standard, parsing quotas, reporting input errors,
 * and a progress line on stderr.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import type { StandardDocument } from "../rules-schema/types";
import { validateDocumentText } from "../rules-schema/validate";
import { isIsoDate } from "../engine/scoring/dates";
import { say, type CliLang } from "./locale";
import { CohortInputError } from "../applicant-files/applicants";
import { startScoringWorker } from "../engine/parallel/parallel";

export const INPUT_FOUND_WANTING = 1;
export const USAGE_ERROR = 2;

/** An error that ends the command with a message in both languages and an exit code. */
export class CliFailure extends Error {
  constructor(
    readonly text: { zh: string; en: string },
    readonly exitCode: number,
    readonly details: string[] = [],
  ) {
    super(text.en);
  }
}

/** Reads and validates a standard document. Missing file → usage error; invalid document → exit 1. */
export function loadStandard(path: string, lang: CliLang): StandardDocument {
  if (!existsSync(path)) throw new CliFailure({ zh: `找不到文件：${path}`, en: `File not found: ${path}` }, USAGE_ERROR);
  const result = validateDocumentText(readFileSync(path, "utf8"));
  if (!result.ok || !result.document) {
    const details = result.problems
      .filter((p) => p.severity === "error")
      .slice(0, 20)
      .map((p) => `${path}${p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : ""}  ${p.code}  ${say(lang, p.message)}${p.path ? `  [${p.path}]` : ""}`);
    throw new CliFailure({ zh: `计分标准无效：${path}`, en: `Invalid standard: ${path}` }, INPUT_FOUND_WANTING, details);
  }
  return result.document;
}

export function checkDate(date: string | undefined, option: string): string {
  if (!date || !isIsoDate(date)) {
    throw new CliFailure(
      { zh: `${option} 须为 YYYY-MM-DD 格式的日期（收到 “${date ?? ""}”）`, en: `${option} must be a date YYYY-MM-DD (got "${date ?? ""}")` },
      USAGE_ERROR,
    );
  }
  return date;
}

export function checkProgram(doc: StandardDocument, programId: string | undefined): string {
  const known = doc.programs.map((p) => p.id);
  if (!programId || !known.includes(programId)) {
    throw new CliFailure(
      {
        zh: `未知的项目 “${programId ?? ""}”；本标准的项目：${known.join("、")}`,
        en: `Unknown program "${programId ?? ""}"; programs of this standard: ${known.join(", ")}`,
      },
      USAGE_ERROR,
    );
  }
  return programId;
}

/** Collects repeated `--quota` values. */
export function collectQuota(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function badQuota(text: string): CliFailure {
  return new CliFailure(
    {
      zh: `名额格式错误：“${text}”。用 --quota 100（单一名额池）或 --quota 池=名额（如 --quota s1=40），或 --quotas 文件.json`,
      en: `Bad quota "${text}". Use --quota 100 (one pool), --quota pool=N (e.g. --quota s1=40), or --quotas FILE.json`,
    },
    USAGE_ERROR,
  );
}

function placesOf(text: string, whole: string): number {
  if (!/^\d+$/.test(text.trim())) throw badQuota(whole);
  return Number(text.trim());
}

/** Quotas from `--quota N`, `--quota pool=N ...` and `--quotas FILE.json` ({"pool": N}). */
export function parseQuotas(quotaArgs: string[] | undefined, quotasFile: string | undefined): Record<string, number> {
  const quotas: Record<string, number> = {};
  if (quotasFile) {
    if (!existsSync(quotasFile)) throw new CliFailure({ zh: `找不到文件：${quotasFile}`, en: `File not found: ${quotasFile}` }, USAGE_ERROR);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(quotasFile, "utf8"));
    } catch (error) {
      throw new CliFailure(
        { zh: `${quotasFile} 不是有效的 JSON：${(error as Error).message}`, en: `${quotasFile} is not valid JSON: ${(error as Error).message}` },
        USAGE_ERROR,
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw badQuota(quotasFile);
    for (const [pool, places] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof places !== "number" || !Number.isInteger(places) || places < 0) throw badQuota(`${pool}=${JSON.stringify(places)}`);
      quotas[pool] = places;
    }
  }
  for (const arg of quotaArgs ?? []) {
    const eq = arg.indexOf("=");
    if (eq < 0) quotas["*"] = placesOf(arg, arg);
    else {
      const pool = arg.slice(0, eq).trim();
      if (pool === "") throw badQuota(arg);
      quotas[pool] = placesOf(arg.slice(eq + 1), arg);
    }
  }
  if (Object.keys(quotas).length === 0) {
    throw new CliFailure(
      { zh: "缺少名额：用 --quota N、--quota 池=N 或 --quotas 文件.json", en: "No quotas: use --quota N, --quota pool=N or --quotas FILE.json" },
      USAGE_ERROR,
    );
  }
  return quotas;
}

/** Prints a failure and sets the exit code; rethrows anything else. */
export function reportFailure(error: unknown, lang: CliLang): void {
  if (error instanceof CliFailure) {
    process.stderr.write(say(lang, error.text) + "\n");
    for (const line of error.details) process.stderr.write("  " + line + "\n");
    process.exitCode = error.exitCode;
    return;
  }
  if (error instanceof CohortInputError) {
    const notFound = error.errors.some((e) => e.code === "fileNotFound");
    process.stderr.write(say(lang, { zh: "申请人数据有误：", en: "Problems in the applicant file:" }) + "\n");
    for (const e of error.errors) process.stderr.write("  " + say(lang, e.message) + "\n");
    process.exitCode = notFound ? USAGE_ERROR : INPUT_FOUND_WANTING;
    return;
  }
  const e = error as { code?: string; message?: string };
  if (e && (e.code === "engine.unknownProgram" || e.code === "engine.unknownRankKey")) {
    process.stderr.write((e.message ?? String(error)) + "\n");
    process.exitCode = INPUT_FOUND_WANTING;
    return;
  }
  throw error;
}

/** A progress reporter: an in-place line on stderr when stderr is a terminal, nothing otherwise. */
export function progressLine(lang: CliLang, label: { zh: string; en: string }): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => {};
  return (done, total) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    process.stderr.write(`\r${say(lang, label)} ${done}/${total} (${percent}%)`);
    if (done >= total) process.stderr.write("\n");
  };
}

/**
 * Starts the scoring worker (engine/parallel.ts) while a cohort file is read, when the file is large enough for the
 * command to score on both cores (from 500,000 applicants). A CSV row takes 170 to 700 bytes for the example
 * standards, so `minBytes` errs on the small side.
 */
export function startWorkerFor(cohortPath: string, minBytes: number): void {
  try {
    if (statSync(cohortPath).size >= minBytes) startScoringWorker();
  } catch {
    // A missing file is reported by the reader.
  }
}

/** `--score-line N`: this round's score line (replaces the program's minimum total or threshold), a number. */
export function parseScoreLine(option: string | undefined): number | undefined {
  if (option === undefined) return undefined;
  const value = Number(option);
  if (option.trim() === "" || !Number.isFinite(value) || Math.abs(value) > 1e12) {
    throw new CliFailure({ zh: `--score-line 须为分数（收到 “${option}”）`, en: `--score-line must be a number of points (got "${option}")` }, USAGE_ERROR);
  }
  return value;
}
