/**
 * What the API's evaluation endpoints share, whichever thread runs them (batches and single evaluations may run on a
 * batch worker, batch-worker.ts): reading the body, checking the token again, program, date and applicants, and
 * writing scores as the answers and the decision log show them. No database connection of its own: callers pass
 * theirs.
 */
import { createHash, hash } from "node:crypto";
import { canonicalJson } from "../../rules-schema/canonical";
import { isIsoDate, isoDateMessage } from "../../rules-schema/iso-date";
import { validJsonNestingBeyond, type TooDeep } from "../../rules-schema/json-depth";
import { locatedText, parseJsonText } from "../../rules-schema/locate";
import type { Id, StandardDocument, Verdict } from "../../rules-schema/types";
import type { CompiledProgram } from "../../engine/scoring/compiled";
import { verdictOf } from "../../engine/scoring/verdict";
import type { CompactScore, Facts, ScoreSheet } from "../../engine/types";
import type { JifenDb } from "../../db/connection";
import type { NewDecision } from "../../db/decisions";
import { isTokenActive } from "../../db/tokens";
import { GenerationCache, perConnection } from "./change-watch.server";
import { ApiError, apiError, apiProblem, type ApiProblem } from "./errors.server";
import { checkFacts, checkValue, notAFact, rowReader, type FactCheck } from "./facts-check";
import type { LoadedVersion } from "./versions.server";

/** 422 `api.badDate` at `path` for a value that is not a day of the calendar (the one reading: rules-schema/iso-date.ts). */
export function badDateProblem(path: string, what: { zh: string; en: string }, value: unknown): ApiProblem {
  const message = isoDateMessage(value, what);
  return apiProblem("api.badDate", path, message.zh, message.en, { value });
}

function tooDeepError(text: string, tooDeep: TooDeep): ApiError {
  const { line, column } = locatedText(text, undefined, true).positionAt(tooDeep.offset);
  const problem = apiProblem(
    "api.tooDeep",
    tooDeep.pointer,
    `请求体嵌套层数超过 ${tooDeep.limit} 层（第 ${line} 行第 ${column} 列）`,
    `The request body is nested more than ${tooDeep.limit} levels deep (line ${line}, column ${column})`,
    { limit: tooDeep.limit },
  );
  return new ApiError(422, [{ ...problem, line, column }]);
}

/**
 * The score in a form a department reads without the document: points by item and category id, the total (null
 * where there is no score: a gate fails or a veto applies) and the program's verdict (decision 047). A decision
 * logged before 047 has no `verdict` and a number as `total` for everyone; it is read and replayed in that form.
 */
export interface ScoreSummary {
  eligible: boolean;
  vetoed: boolean;
  failedGates: Id[];
  total: number | null;
  verdict?: Verdict;
  categories: Record<Id, number>;
  items: Record<Id, number>;
}

/** A compact score as the API answers and logs it (decision 047); `verdict` absent in a batch logged before 047. */
export interface AnsweredScore extends Omit<CompactScore, "total"> {
  total: number | null;
  verdict?: Verdict;
}

/**
 * The engine's compact score as the API gives it: no total for an applicant who fails a gate or is vetoed (the
 * engine's figure is the points counted, not a score), and the program's verdict.
 */
export function answeredScore(doc: StandardDocument, programId: Id, score: CompactScore): AnsweredScore {
  const verdict = verdictOf(doc, programId, score);
  return { ...score, total: score.eligible && !score.vetoed ? score.total : null, verdict };
}

/** Which form a logged score is in: from 047 on it carries the verdict; before, the total was always the engine's. */
export function loggedBefore047(logged: { verdict?: unknown }): boolean {
  return logged.verdict === undefined;
}

export function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Only a failed parse pays for locating the error (parseJsonText refuses a text nested too deep first).
    const located = parseJsonText(text).problems[0];
    if (located?.code === "json.tooDeep") throw tooDeepError(text, { offset: Number(located.params.offset), pointer: located.path, limit: Number(located.params.limit) });
    const problem: ApiProblem = located
      ? { code: "api.jsonSyntax", path: "", message: located.message, params: located.params, line: located.line, column: located.column }
      : apiProblem("api.jsonSyntax", "", "请求体不是有效的 JSON", "The request body is not valid JSON");
    throw new ApiError(400, [problem]);
  }
  // Refused before anything recurses on it: a 10,000-deep body would overflow the stack of what reads it.
  const tooDeep = validJsonNestingBeyond(text);
  if (tooDeep) throw tooDeepError(text, tooDeep);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw apiError(422, "api.bodyNotObject", "", "请求体应为 JSON 对象 {…}", "The request body must be a JSON object {…}");
  }
  return value as Record<string, unknown>;
}

const BEARER_CHALLENGE = { "WWW-Authenticate": 'Bearer realm="jifen"' };

/** 401 for a token that is not valid, saying whether it was revoked. */
export function tokenRefused(reason: "unknown" | "revoked"): ApiError {
  const revoked = reason === "revoked";
  return new ApiError(
    401,
    [
      apiProblem(
        revoked ? "api.tokenRevoked" : "api.tokenInvalid",
        "",
        revoked ? "此 API 令牌已被吊销，请向系统管理员申请新令牌" : "API 令牌无效",
        revoked ? "This API token has been revoked; ask an administrator for a new one" : "The API token is not valid",
      ),
    ],
    BEARER_CHALLENGE,
  );
}

const activeTokens = perConnection(() => new GenerationCache<number, boolean>(10_000));

/**
 * 401 unless the token a request was accepted with is still active at `generation`, looked up once per token per
 * database generation. The receiving thread checked it from what it had in memory; a worker checks it again on the
 * database as it is when the work starts (a later change is caught at commit).
 */
export function requireActiveToken(db: JifenDb, tokenId: number, generation: number): void {
  const cache = activeTokens(db);
  let active = cache.get(generation, tokenId);
  if (active === undefined) {
    active = isTokenActive(db, tokenId);
    cache.set(generation, tokenId, active);
  }
  if (!active) throw tokenRefused("revoked");
}

/**
 * 503 for a request whose version in effect changed under it at every attempt (a publication or withdrawal each
 * time it was about to be logged): nothing was logged; the client retries.
 */
export function versionKeptChanging(): ApiError {
  return new ApiError(
    503,
    [apiProblem("api.versionChanging", "", "计分标准的生效版本正在变更，请稍后重试", "The version in effect is changing; please retry")],
    { "Retry-After": "1" },
  );
}

export function requireProgramAndDate(body: Record<string, unknown>): { program: string; date: string } {
  const problems: ApiProblem[] = [];
  if (typeof body.program !== "string" || body.program === "") {
    problems.push(apiProblem("api.required", "/program", "缺少项目编号 program（文字）", 'Missing "program" (the program id, text)', { property: "program" }));
  }
  if (body.date === undefined) {
    problems.push(apiProblem("api.required", "/date", "缺少评估日期 date（YYYY-MM-DD）", 'Missing "date" (evaluation date, YYYY-MM-DD)', { property: "date" }));
  } else if (!isIsoDate(body.date)) {
    problems.push(badDateProblem("/date", { zh: "评估日期 date", en: 'The evaluation "date"' }, body.date));
  }
  if (problems.length) throw new ApiError(422, problems);
  return { program: body.program as string, date: body.date as string };
}

export function requireProgram(version: LoadedVersion, programId: string): void {
  if (version.doc.programs.some((p) => p.id === programId)) return;
  const known = version.doc.programs.map((p) => p.id);
  throw apiError(
    404,
    "api.unknownProgram",
    "/program",
    `计分标准“${version.head.standardId}”（版本 ${version.head.versionLabel}）没有项目“${programId}”，可选：${known.join("、")}`,
    `Standard "${version.head.standardId}" (version ${version.head.versionLabel}) has no program "${programId}"; it has: ${known.join(", ")}`,
    { program: programId, known },
  );
}

/** SHA-256 (hex); the one-shot `crypto.hash` (Node ≥ 20.12) costs half of a `createHash` object per call. */
export const sha256: (text: string | Uint8Array) => string =
  typeof hash === "function" ? (text) => hash("sha256", text, "hex") : (text) => createHash("sha256").update(text).digest("hex");


/** One decision-log entry: which version decided, on what input (hashed for appeal lookups), with what output. */
export function decisionRecord(tokenId: number, version: LoadedVersion, program: string, date: string, input: string, output: string): NewDecision {
  return {
    tokenId,
    standardId: version.head.standardId,
    versionId: version.head.id,
    versionHash: version.head.contentHash,
    programId: program,
    evaluationDate: date,
    inputHash: sha256(input),
    input,
    output,
  };
}

export function versionFields(version: LoadedVersion) {
  return {
    standardId: version.head.standardId,
    versionId: version.head.id,
    versionLabel: version.head.versionLabel,
    versionHash: version.head.contentHash,
  };
}

/** Positions of the first occurrence of each id, in the sorted order canonical JSON uses. */
function sortedFirstPositions(ids: readonly Id[]): number[] {
  const first = new Map<Id, number>();
  ids.forEach((id, index) => {
    if (!first.has(id)) first.set(id, index);
  });
  return [...first.keys()].sort().map((id) => first.get(id)!);
}

const summaryOrders = new WeakMap<CompiledProgram, { items: number[]; categories: number[] }>();

function summaryInOrder(itemIds: readonly Id[], categoryIds: readonly Id[], orders: { items: number[]; categories: number[] }, score: AnsweredScore): ScoreSummary {
  const categories: Record<Id, number> = {};
  for (const c of orders.categories) categories[categoryIds[c]] = score.categories[c];
  const items: Record<Id, number> = {};
  for (const i of orders.items) items[itemIds[i]] = score.items[i];
  // Keys in sorted order (…, total, verdict, vetoed); a score logged before decision 047 has no verdict.
  if (score.verdict === undefined) return { categories, eligible: score.eligible, failedGates: score.failedGates, items, total: score.total, vetoed: score.vetoed };
  return { categories, eligible: score.eligible, failedGates: score.failedGates, items, total: score.total, verdict: score.verdict, vetoed: score.vetoed };
}

/**
 * The score by id, built with every key in sorted order so that `JSON.stringify` of it is already its canonical
 * JSON (ids start with a letter, so no key is reordered as an array index): the decision log stores one per
 * applicant, and canonicalising afterwards cost as much as scoring.
 */
export function summaryFromCompact(compiled: CompiledProgram, score: AnsweredScore): ScoreSummary {
  let orders = summaryOrders.get(compiled);
  if (!orders) {
    orders = { items: sortedFirstPositions(compiled.itemIds), categories: sortedFirstPositions(compiled.categoryIds) };
    summaryOrders.set(compiled, orders);
  }
  return summaryInOrder(compiled.itemIds, compiled.categoryIds, orders, score);
}

/** The same for a compact score stored with its own item and category ids (a logged batch). */
export function summaryFromIds(itemIds: readonly Id[], categoryIds: readonly Id[], score: AnsweredScore): ScoreSummary {
  return summaryInOrder(itemIds, categoryIds, { items: sortedFirstPositions(itemIds), categories: sortedFirstPositions(categoryIds) }, score);
}

/** A logged batch's output as the readers use it, whichever form the batch came in. */
export interface BatchOutput {
  categoryIds: Id[];
  itemIds: Id[];
  results: AnsweredScore[];
}

/**
 * Reads a logged batch's output: the object form's `results` (compact scores) as they are, the table form's `rows`
 * ([eligible, vetoed, total, verdict, failedGates, …category points, …item points]) turned into compact scores. A
 * row logged before decision 047 has no verdict cell: it is one cell shorter than the ids make a row of today.
 */
export function loggedResults(output: string): BatchOutput {
  const logged = JSON.parse(output) as { categoryIds: Id[]; itemIds: Id[]; results?: AnsweredScore[]; rows?: unknown[][] };
  if (logged.results) return { categoryIds: logged.categoryIds, itemIds: logged.itemIds, results: logged.results };
  const c = logged.categoryIds.length;
  const withVerdict = 5 + c + logged.itemIds.length;
  const results = (logged.rows ?? []).map((row): AnsweredScore => {
    const head = row.length === withVerdict ? 5 : 4;
    return {
      eligible: row[0] as boolean,
      vetoed: row[1] as boolean,
      total: row[2] as number | null,
      ...(head === 5 ? { verdict: row[3] as Verdict } : {}),
      failedGates: row[head - 1] as Id[],
      categories: row.slice(head, head + c) as number[],
      items: row.slice(head + c) as number[],
    };
  });
  return { categoryIds: logged.categoryIds, itemIds: logged.itemIds, results };
}

/**
 * The reference sheet's figures as a summary: as the API answers them (`verdict` given: decision 047) or, without
 * it, in the form decisions were logged before 047 (the engine's total for everyone, no verdict).
 */
export function summaryFromSheet(sheet: ScoreSheet, verdict?: Verdict): ScoreSummary {
  const items: Record<Id, number> = {};
  for (const item of sheet.items) if (!(item.id in items)) items[item.id] = item.points;
  const failedGates = sheet.gates.filter((g) => !g.passed).map((g) => g.id);
  const categories = { ...sheet.categories };
  if (verdict === undefined) return { eligible: sheet.eligible, vetoed: sheet.vetoed, failedGates, total: sheet.total, categories, items };
  const total = sheet.eligible && !sheet.vetoed ? sheet.total : null;
  return { eligible: sheet.eligible, vetoed: sheet.vetoed, failedGates, total, verdict, categories, items };
}

export function canonicalInput(facts: Facts, program: string, date: string): string {
  return canonicalJson({ facts, program, date });
}

export interface BatchApplicant {
  id: string;
  facts: Facts;
}

/** Whether a batch or ranking body gives its applicants in the table form (`columns` + `rows`). */
export function isTableForm(body: Record<string, unknown>): boolean {
  return body.columns !== undefined || body.rows !== undefined;
}

/**
 * The applicants of a batch or ranking body, checked against the version's fact dictionary: either the object form
 * `applicants: [{id, facts}, …]` or the table form `columns` + `rows` (requireTable). Problems are located by JSON
 * pointer into the body; at most 50 are listed.
 */
export function requireApplicants(body: Record<string, unknown>, version: LoadedVersion, uniqueIds: boolean): BatchApplicant[] {
  if (isTableForm(body)) {
    if (body.applicants !== undefined) {
      throw apiError(
        422,
        "api.twoApplicantForms",
        "/applicants",
        "请只用一种形式提供申请人：applicants 列表，或 columns 与 rows 表格",
        'Give the applicants in one form only: the "applicants" list, or the "columns" and "rows" table',
      );
    }
    return requireTable(body, version, uniqueIds);
  }
  const applicants = body.applicants;
  if (!Array.isArray(applicants) || applicants.length === 0) {
    throw apiError(
      422,
      "api.required",
      "/applicants",
      "applicants 应为非空列表 [{id, facts}, …]（或用表格形式 columns 与 rows）",
      '"applicants" must be a non-empty list [{id, facts}, …] (or use the table form, "columns" and "rows")',
      { property: "applicants" },
    );
  }
  const problems: ApiProblem[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < applicants.length && problems.length < 50; i++) {
    const applicant = applicants[i] as { id?: unknown; facts?: unknown } | null;
    const path = `/applicants/${i}`;
    if (applicant === null || typeof applicant !== "object" || Array.isArray(applicant)) {
      problems.push(apiProblem("api.applicantNotObject", path, "每位申请人应为对象 {id, facts}", "Each applicant must be an object {id, facts}"));
      continue;
    }
    if (typeof applicant.id !== "string" || applicant.id === "") {
      problems.push(apiProblem("api.required", `${path}/id`, "申请人缺少编号 id（文字）", 'The applicant has no "id" (text)', { property: "id" }));
    } else if (uniqueIds) {
      if (seen.has(applicant.id)) {
        problems.push(apiProblem("api.duplicateApplicant", `${path}/id`, `申请人编号“${applicant.id}”重复`, `Applicant id "${applicant.id}" appears twice`, { id: applicant.id }));
      }
      seen.add(applicant.id);
    }
    checkFacts(version.dictionary, applicant.facts ?? {}, `${path}/facts`, problems);
  }
  if (problems.length) throw new ApiError(422, problems);
  return applicants as BatchApplicant[];
}


const MAX_PROBLEMS = 50;

/**
 * The table form: `columns` names each cell of a row ("id" and fact ids, in any order) and `rows` holds one list of
 * cells per applicant. A null cell is a fact not given (the object form leaves the key out). About a quarter of the
 * bytes of the object form and a third of its parsing; the decision log keeps the body as received either way.
 * Problems point at the cell: `/rows/{row}/{column}`.
 */
function requireTable(body: Record<string, unknown>, version: LoadedVersion, uniqueIds: boolean): BatchApplicant[] {
  const { columns, rows } = body;
  const problems: ApiProblem[] = [];
  if (!Array.isArray(columns) || columns.length === 0) {
    problems.push(
      apiProblem("api.required", "/columns", "columns 应为非空列表：\"id\" 与各事实编号", '"columns" must be a non-empty list: "id" and fact ids', { property: "columns" }),
    );
  }
  if (!Array.isArray(rows) || rows.length === 0) {
    problems.push(apiProblem("api.required", "/rows", "rows 应为非空列表，每位申请人一行 [单元格, …]", '"rows" must be a non-empty list, one row [cell, …] per applicant', { property: "rows" }));
  }
  if (problems.length) throw new ApiError(422, problems);
  const names = columns as unknown[];
  const checks: Array<FactCheck | undefined> = new Array(names.length);
  const seenColumns = new Set<string>();
  let idColumn = -1;
  names.forEach((name, j) => {
    const path = `/columns/${j}`;
    if (typeof name !== "string") {
      problems.push(apiProblem("api.columnName", path, "列名应为文字：\"id\" 或事实编号", 'A column name must be text: "id" or a fact id'));
    } else if (seenColumns.has(name)) {
      problems.push(apiProblem("api.duplicateColumn", path, `列“${name}”出现了两次`, `Column "${name}" appears twice`, { column: name }));
    } else if (name === "id") {
      idColumn = j;
    } else {
      checks[j] = version.dictionary.checks.get(name);
      if (!checks[j]) problems.push(notAFact(version.dictionary, name, path));
    }
    if (typeof name === "string") seenColumns.add(name);
  });
  if (idColumn < 0 && !problems.some((p) => p.code === "api.duplicateColumn")) {
    problems.push(apiProblem("api.required", "/columns", "columns 中缺少申请人编号列 \"id\"", 'The applicant id column "id" is missing from "columns"', { property: "id" }));
  }
  if (problems.length) throw new ApiError(422, problems);
  const table = rows as unknown[];
  const width = names.length;
  const reader = rowReader(version.dictionary, names.map((name, j) => (checks[j] ? (name as string) : undefined)));
  const applicants: BatchApplicant[] = new Array(table.length);
  const seenIds = new Set<string>();
  for (let i = 0; i < table.length && problems.length < MAX_PROBLEMS; i++) {
    const row = table[i];
    if (!Array.isArray(row) || row.length !== width) {
      const cells = Array.isArray(row) ? row.length : undefined;
      problems.push(
        apiProblem(
          "api.rowShape",
          `/rows/${i}`,
          `第 ${i + 1} 行应为含 ${width} 个单元格的列表（与 columns 对应）${cells === undefined ? "" : `，实有 ${cells} 个`}`,
          `Row ${i + 1} must be a list of ${width} cells, one per column${cells === undefined ? "" : `; it has ${cells}`}`,
          { expected: width, ...(cells === undefined ? {} : { cells }) },
        ),
      );
      continue;
    }
    const id = row[idColumn] as unknown;
    if (typeof id !== "string" || id === "") {
      problems.push(apiProblem("api.required", `/rows/${i}/${idColumn}`, "申请人缺少编号 id（文字）", 'The applicant has no "id" (text)', { property: "id" }));
    } else if (uniqueIds) {
      if (seenIds.has(id)) problems.push(apiProblem("api.duplicateApplicant", `/rows/${i}/${idColumn}`, `申请人编号“${id}”重复`, `Applicant id "${id}" appears twice`, { id }));
      seenIds.add(id);
    }
    if (!reader.fits(row)) {
      for (let j = 0; j < width; j++) if (checks[j] && row[j] !== null) checkValue(checks[j]!, row[j], `/rows/${i}`, j, problems, MAX_PROBLEMS);
    }
    applicants[i] = { id: id as string, facts: reader.facts(row) };
  }
  if (problems.length) throw new ApiError(422, problems);
  return applicants;
}

/** The applicants of a body that was accepted and logged (either form), without checking again. */
export function loggedApplicants(body: { applicants?: BatchApplicant[]; columns?: string[]; rows?: unknown[][] }): BatchApplicant[] {
  if (body.applicants) return body.applicants;
  const columns = body.columns ?? [];
  const idColumn = columns.indexOf("id");
  return (body.rows ?? []).map((row) => {
    const facts: Facts = {};
    for (let j = 0; j < columns.length; j++) if (j !== idColumn && row[j] !== null) facts[columns[j]] = row[j];
    return { id: row[idColumn] as string, facts };
  });
}
