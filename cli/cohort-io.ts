/**
 * Reading applicants from JSON Lines or CSV files, typed by the standard's fact dictionary, and writing results.
 *
 * CSV: the header names fact ids (plus an optional `id` column); cells are typed by the fact: numbers, booleans
 * (true/false/是/否/1/0/yes/no), dates `YYYY-MM-DD`, enum values, records as a JSON array in the cell; an empty
 * cell is a missing value. JSON Lines: one object per line, either `{"id": …, "facts": {…}}` or flat `{"id": …, <fact>: …}`.
 * Errors name the row (as a spreadsheet numbers it: the CSV header is row 1) and the column, in Chinese and English.
 */
import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import Papa from "papaparse";
import type { FactDefinition, Id } from "../rules-schema/types";
import type { Facts } from "../engine/types";
import { parseIsoDate } from "../engine/dates";
import { emptyColumn, writeCohortRow, type Cohort, type CohortColumn, type CohortDictionaries } from "../engine/cohort";

export type CohortFormat = "csv" | "jsonl" | "xlsx";

export interface CohortRowError {
  code:
    | "fileNotFound"
    | "badJson"
    | "notAnObject"
    | "unknownColumn"
    | "badNumber"
    | "notInteger"
    | "outOfRange"
    | "badBoolean"
    | "badDate"
    | "badEnum"
    | "badRecords"
    | "badCsv"
    | "badXlsx"
    | "duplicateId";
  /** Line of the file (1-based; the CSV header is line 1). */
  line: number;
  column?: string;
  message: { zh: string; en: string };
  params: Record<string, unknown>;
}

export class CohortInputError extends Error {
  constructor(readonly errors: CohortRowError[]) {
    super(errors.map((e) => e.message.en).join("\n"));
    this.name = "CohortInputError";
  }
}

export interface Applicant {
  id: string;
  /** Identity number when the source has one; stored only hashed and masked. */
  idNumber?: string;
  facts: Facts;
}

const TRUE_WORDS = new Set(["true", "1", "是", "yes", "y", "t"]);
const FALSE_WORDS = new Set(["false", "0", "否", "no", "n", "f"]);

function rowError(
  code: CohortRowError["code"],
  line: number,
  column: string | undefined,
  zh: string,
  en: string,
  params: Record<string, unknown> = {},
): CohortRowError {
  const where = column ? { zh: `第 ${line} 行，列 “${column}”：`, en: `line ${line}, column "${column}": ` } : { zh: `第 ${line} 行：`, en: `line ${line}: ` };
  return { code, line, ...(column ? { column } : {}), message: { zh: where.zh + zh, en: where.en + en }, params };
}

const enumValueSets = new WeakMap<FactDefinition, Set<string>>();

/** The allowed values of an enum fact, built once per definition (typing runs once per cell of large files). */
function enumValuesOf(definition: FactDefinition): Set<string> {
  let set = enumValueSets.get(definition);
  if (!set) {
    set = new Set((definition.values ?? []).map((v) => v.value));
    enumValueSets.set(definition, set);
  }
  return set;
}

/** Types one value (a CSV cell as text, or a JSON value) by its fact definition. */
export function typeFactValue(
  definition: FactDefinition,
  raw: unknown,
  line: number,
  fromText: boolean,
): { value?: unknown; error?: CohortRowError } {
  const column = definition.id;
  if (raw === undefined || raw === null || (fromText && raw === "")) return {};
  const shown = typeof raw === "string" ? raw : JSON.stringify(raw);
  switch (definition.type) {
    case "number":
    case "integer": {
      const value = typeof raw === "number" ? raw : fromText && typeof raw === "string" && raw.trim() !== "" ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(value)) {
        return { error: rowError("badNumber", line, column, `“${shown}” 不是数字`, `"${shown}" is not a number`, { value: raw }) };
      }
      if (definition.type === "integer" && !Number.isInteger(value)) {
        return { error: rowError("notInteger", line, column, `“${shown}” 不是整数`, `"${shown}" is not a whole number`, { value: raw }) };
      }
      if ((definition.minimum !== undefined && value < definition.minimum) || (definition.maximum !== undefined && value > definition.maximum)) {
        const range = `[${definition.minimum ?? "−∞"}, ${definition.maximum ?? "∞"}]`;
        return { error: rowError("outOfRange", line, column, `${value} 超出范围 ${range}`, `${value} is outside ${range}`, { value }) };
      }
      return { value };
    }
    case "boolean": {
      if (typeof raw === "boolean") return { value: raw };
      const word = fromText && typeof raw === "string" ? raw.trim().toLowerCase() : undefined;
      if (word !== undefined && TRUE_WORDS.has(word)) return { value: true };
      if (word !== undefined && FALSE_WORDS.has(word)) return { value: false };
      return {
        error: rowError("badBoolean", line, column, `“${shown}” 不是是/否（true/false/是/否/1/0）`, `"${shown}" is not a yes/no value (true/false/是/否/1/0)`, { value: raw }),
      };
    }
    case "date": {
      const text = typeof raw === "string" ? raw.trim() : undefined;
      if (text === undefined || !parseIsoDate(text)) {
        return { error: rowError("badDate", line, column, `“${shown}” 不是 YYYY-MM-DD 格式的有效日期`, `"${shown}" is not a valid date YYYY-MM-DD`, { value: raw }) };
      }
      return { value: text };
    }
    case "enum": {
      const allowed = enumValuesOf(definition);
      const text = typeof raw === "string" ? raw.trim() : undefined;
      if (text === undefined || !allowed.has(text)) {
        const list = [...allowed];
        return {
          error: rowError("badEnum", line, column, `“${shown}” 不是允许的取值（${list.join("、")}）`, `"${shown}" is not one of ${list.join(", ")}`, { value: raw, allowed: list }),
        };
      }
      return { value: text };
    }
    case "records": {
      let value: unknown = raw;
      if (fromText && typeof raw === "string") {
        try {
          value = JSON.parse(raw);
        } catch {
          value = undefined;
        }
      }
      if (!Array.isArray(value) || !value.every((r) => r !== null && typeof r === "object" && !Array.isArray(r))) {
        return {
          error: rowError("badRecords", line, column, `记录须为 JSON 对象数组，例如 [{"date":"2015-01-01"}]`, `records must be a JSON array of objects, e.g. [{"date":"2015-01-01"}]`, { value: raw }),
        };
      }
      return { value };
    }
    default:
      return { value: typeof raw === "string" ? raw : String(raw) };
  }
}

/**
 * How a source's columns map to the standard: source column → fact id, or "id" (the applicant's reference), or
 * "idNumber" (an identity number, stored only hashed and masked), or "" to ignore the column. Unmapped columns keep
 * their own name.
 */
export type ColumnMapping = Record<string, string>;

/** Reads applicants one at a time; a row with errors is yielded with its errors (and no applicant). */
export async function* readApplicants(
  input: Readable,
  format: CohortFormat,
  facts: readonly FactDefinition[],
  opts: { mapping?: ColumnMapping } = {},
): AsyncGenerator<{ line: number; applicant?: Applicant; errors: CohortRowError[] }> {
  const byId = new Map<Id, FactDefinition>(facts.map((f) => [f.id, f]));
  let dataRow = 0;
  if (format === "jsonl") {
    const lines = createInterface({ input, crlfDelay: Infinity });
    let line = 0;
    for await (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      dataRow++;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        yield { line, errors: [rowError("badJson", line, undefined, `不是有效的 JSON：${(error as Error).message}`, `not valid JSON: ${(error as Error).message}`)] };
        continue;
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        yield { line, errors: [rowError("notAnObject", line, undefined, "每行须为一个 JSON 对象", "each line must be one JSON object")] };
        continue;
      }
      const object = parsed as Record<string, unknown>;
      const hasFactsObject = object.facts !== null && typeof object.facts === "object" && !Array.isArray(object.facts) && !byId.has("facts");
      const source = renameKeys((hasFactsObject ? object.facts : object) as Record<string, unknown>, opts.mapping);
      const id = object.id === undefined ? `#${dataRow}` : String(object.id);
      const idNumber = object.idNumber ?? source.idNumber;
      if (idNumber !== undefined) source.idNumber = idNumber;
      yield typeRow(source, line, id, byId, false, hasFactsObject ? [] : ["id"]);
    }
    return;
  }
  let header: string[] | undefined;
  // Each column's meaning, resolved once from the header: a fact, the applicant id, the identity number, or ignored.
  let columns: Array<FactDefinition | "id" | "idNumber" | null> = [];
  for await (const row of format === "xlsx" ? xlsxRows(input) : csvRows(input)) {
    if ("error" in row) {
      yield { line: row.line, errors: [row.error] };
      return;
    }
    const line = row.line;
    if (!header) {
      header = row.cells.map((h) => {
        const name = String(h ?? "").trim();
        return opts.mapping && name in opts.mapping ? opts.mapping[name] : name;
      });
      const unknown = header.filter((h) => h !== "" && !SPECIAL_COLUMNS.has(h) && !byId.has(h));
      if (unknown.length > 0) {
        yield {
          line,
          errors: unknown.map((column) =>
            rowError("unknownColumn", line, column, "表头不是本标准的事实编号（请在列映射中对应到事实或忽略）", "the header names no fact of this standard (map it to a fact or ignore it)", {
              known: [...byId.keys()],
            }),
          ),
        };
        return;
      }
      columns = header.map((h) => (h === "" ? null : h === "id" || h === "idNumber" ? h : byId.get(h)!));
      continue;
    }
    const cells = row.cells;
    let blank = true;
    for (const c of cells) {
      if (c !== undefined && c !== null && c !== "") {
        blank = false;
        break;
      }
    }
    if (blank) continue;
    dataRow++;
    const facts: Facts = {};
    let errors: CohortRowError[] | undefined;
    let id: string | undefined;
    let idNumber: string | undefined;
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k];
      const cell = cells[k];
      if (column === null) continue;
      if (column === "id") {
        if (cell !== undefined && cell !== null && cell !== "") id = String(cell);
      } else if (column === "idNumber") {
        if (cell !== undefined && cell !== null && String(cell).trim() !== "") idNumber = String(cell).trim();
      } else {
        const typed = typeFactValue(column, cell, line, true);
        if (typed.error) (errors ??= []).push(typed.error);
        else if (typed.value !== undefined) facts[column.id] = typed.value;
      }
    }
    if (errors) yield { line, errors };
    else yield { line, applicant: { id: id ?? `#${dataRow}`, facts, ...(idNumber ? { idNumber } : {}) }, errors: [] };
  }
}

const SPECIAL_COLUMNS = new Set(["id", "idNumber"]);

function renameKeys(source: Record<string, unknown>, mapping: ColumnMapping | undefined): Record<string, unknown> {
  if (!mapping) return { ...source };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const name = key in mapping ? mapping[key] : key;
    if (name !== "") out[name] = value;
  }
  return out;
}

type TabularRow = { line: number; cells: unknown[] } | { line: number; error: CohortRowError };

/**
 * CSV rows through PapaParse (about twice as fast as csv-parse here). Rows are numbered as a spreadsheet shows them:
 * the header is row 1, blank rows count. A UTF-8 byte-order mark is dropped.
 */
async function* csvRows(input: Readable): AsyncGenerator<TabularRow> {
  // Chunked callbacks cost a third of PapaParse's per-row stream events; pause/resume keeps memory bounded.
  const queue: string[][][] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let paused: Papa.Parser | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  Papa.parse(utf8Text(input) as unknown as File, {
    skipEmptyLines: false,
    chunk(results: Papa.ParseResult<string[]>, parser: Papa.Parser) {
      queue.push(results.data);
      if (queue.length >= 4 && !paused) {
        paused = parser;
        parser.pause();
      }
      signal();
    },
    complete() {
      done = true;
      signal();
    },
    error(error: Error) {
      failure = error;
      done = true;
      signal();
    },
  });
  let row = 0;
  let width: number | undefined;
  for (;;) {
    const batch = queue.shift();
    if (!batch) {
      if (done) break;
      if (paused) {
        const parser = paused;
        paused = undefined;
        parser.resume();
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    for (const cells of batch) {
      row++;
      if (row === 1 && cells.length > 0 && cells[0].charCodeAt(0) === 0xfeff) cells[0] = cells[0].slice(1);
      if (cells.length === 1 && cells[0] === "") continue;
      if (width === undefined) width = cells.length;
      else if (cells.length !== width) {
        input.destroy();
        yield {
          line: row,
          error: rowError("badCsv", row, undefined, `有 ${cells.length} 列，表头有 ${width} 列`, `has ${cells.length} columns but the header has ${width}`, {
            columns: cells.length,
            expected: width,
          }),
        };
        return;
      }
      yield { line: row, cells };
    }
  }
  if (failure) {
    yield { line: row + 1, error: rowError("badCsv", row + 1, undefined, `CSV 格式错误：${failure.message}`, `malformed CSV: ${failure.message}`) };
  }
}

/**
 * The stream's bytes as UTF-8 text. PapaParse decodes each chunk on its own, which broke a character whose bytes
 * straddle two chunks (an upload arrives in arbitrary pieces) into two replacement characters.
 */
function utf8Text(input: Readable): Readable {
  const decoder = new StringDecoder("utf8");
  return Readable.from(
    (async function* () {
      for await (const chunk of input as AsyncIterable<Buffer | string>) {
        const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
        if (text !== "") yield text;
      }
      const rest = decoder.end();
      if (rest !== "") yield rest;
    })(),
  );
}

/** The first worksheet of an XLSX workbook, streamed; cells become text, numbers or ISO dates. Line = worksheet row. */
async function* xlsxRows(input: Readable): AsyncGenerator<TabularRow> {
  const { default: ExcelJS } = await import("exceljs");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: "cache", worksheets: "emit", hyperlinks: "ignore", styles: "cache", entries: "emit" });
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet as AsyncIterable<{ number: number; values: unknown[] }>) {
        yield { line: row.number, cells: row.values.slice(1).map(xlsxCell) };
      }
      return;
    }
  } catch (error) {
    yield { line: 0, error: rowError("badXlsx", 0, undefined, `不是有效的 XLSX 文件：${(error as Error).message}`, `not a valid XLSX file: ${(error as Error).message}`) };
  }
}

function xlsxCell(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "object") {
    const v = value as { richText?: Array<{ text: string }>; result?: unknown; text?: string };
    if (v.richText) return v.richText.map((r) => r.text).join("");
    if ("result" in v) return xlsxCell(v.result);
    if (typeof v.text === "string") return v.text;
  }
  return String(value);
}

function typeRow(
  source: Record<string, unknown>,
  line: number,
  id: string,
  byId: Map<Id, FactDefinition>,
  fromText: boolean,
  ignored: string[],
): { line: number; applicant?: Applicant; errors: CohortRowError[] } {
  const errors: CohortRowError[] = [];
  const facts: Facts = {};
  const idNumber = source.idNumber === undefined || source.idNumber === null || source.idNumber === "" ? undefined : String(source.idNumber).trim();
  for (const key of Object.keys(source)) {
    if (ignored.includes(key) || key === "idNumber") continue;
    const definition = byId.get(key);
    if (!definition) {
      errors.push(rowError("unknownColumn", line, key, "不是本标准的事实编号", "names no fact of this standard"));
      continue;
    }
    const typed = typeFactValue(definition, source[key], line, fromText);
    if (typed.error) errors.push(typed.error);
    else if (typed.value !== undefined) facts[key] = typed.value;
  }
  return errors.length > 0 ? { line, errors } : { line, applicant: { id, facts, ...(idNumber ? { idNumber } : {}) }, errors };
}

export function formatFromPath(path: string): CohortFormat {
  if (/\.csv$/i.test(path)) return "csv";
  if (/\.xlsx$/i.test(path)) return "xlsx";
  return "jsonl";
}

/** Reads a whole cohort file; throws `CohortInputError` with up to `maxErrors` errors. */
export async function readCohortFile(
  path: string,
  facts: readonly FactDefinition[],
  opts: { format?: CohortFormat; maxErrors?: number } = {},
): Promise<{ ids: string[]; rows: Facts[] }> {
  const ids: string[] = [];
  const rows: Facts[] = [];
  await readCohortInto(path, facts, opts, (id, row) => {
    ids.push(id);
    rows.push(row);
  });
  return { ids, rows };
}

async function countLines(path: string): Promise<number> {
  let lines = 1;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let k = chunk.indexOf(10); k >= 0; k = chunk.indexOf(10, k + 1)) lines++;
  }
  return lines;
}

/**
 * Reads a cohort file straight into columns (for large files: no object per applicant is kept). Same errors as
 * `readCohortFile`.
 */
export async function readCohortColumns(
  path: string,
  facts: readonly FactDefinition[],
  opts: { format?: CohortFormat; maxErrors?: number } = {},
): Promise<Cohort> {
  const capacity = existsSync(path) ? await countLines(path) : 0;
  const columns: Record<Id, CohortColumn> = {};
  for (const definition of facts) columns[definition.id] = emptyColumn(definition, capacity);
  const dictionaries: CohortDictionaries = new Map();
  const ids: string[] = [];
  await readCohortInto(path, facts, opts, (id, row) => {
    writeCohortRow(columns, dictionaries, ids.length, row);
    ids.push(id);
  });
  return { size: ids.length, ids, factIds: facts.map((f) => f.id), columns };
}

async function readCohortInto(
  path: string,
  facts: readonly FactDefinition[],
  opts: { format?: CohortFormat; maxErrors?: number },
  accept: (id: string, facts: Facts) => void,
): Promise<void> {
  if (!existsSync(path)) {
    throw new CohortInputError([
      { code: "fileNotFound", line: 0, message: { zh: `找不到文件：${path}`, en: `file not found: ${path}` }, params: { path } },
    ]);
  }
  const maxErrors = opts.maxErrors ?? 20;
  const errors: CohortRowError[] = [];
  const seen = new Map<string, number>();
  const stream = createReadStream(path);
  try {
    for await (const row of readApplicants(stream, opts.format ?? formatFromPath(path), facts)) {
      if (row.errors.length > 0) {
        errors.push(...row.errors);
        if (errors.length >= maxErrors) break;
        continue;
      }
      const applicant = row.applicant!;
      const firstLine = seen.get(applicant.id);
      if (firstLine !== undefined) {
        errors.push(
          rowError("duplicateId", row.line, "id", `编号 “${applicant.id}” 已在第 ${firstLine} 行出现`, `id "${applicant.id}" already appears on line ${firstLine}`, { id: applicant.id }),
        );
        if (errors.length >= maxErrors) break;
        continue;
      }
      seen.set(applicant.id, row.line);
      if (errors.length === 0) accept(applicant.id, applicant.facts);
    }
  } finally {
    stream.destroy();
  }
  if (errors.length > 0) throw new CohortInputError(errors.slice(0, maxErrors));
}

/** One CSV cell: quoted when it holds a comma, quote or line break. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\n";
}
