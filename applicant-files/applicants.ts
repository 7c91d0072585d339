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
import Papa from "papaparse";
import type { FactDefinition, Id } from "../rules-schema/types";
import type { Facts } from "../engine/types";
import { isIsoDate, parseIsoDate } from "../engine/scoring/dates";
import { emptyColumn, writeCohortRow, type Cohort, type CohortColumn, type CohortDictionaries } from "../engine/cohorts/cohort";
import { CohortInputError, FileRefusedError, rowError, type CohortRowError } from "./errors";
import { nestingBeyond } from "../rules-schema/json-depth";
import { enumValueOf, headerTarget, slashDateAsIso } from "./columns";
import { xlsxWorksheetRows } from "./xlsx-reader";
import { decodeText, type TextEncodingName } from "./encoding";

export type CohortFormat = "csv" | "jsonl" | "xlsx";

export { CohortInputError, type CohortRowError } from "./errors";

export interface Applicant {
  id: string;
  /** Identity number when the source has one; stored only hashed and masked. */
  idNumber?: string;
  /** The applicant's name when the source has one; stored only masked (张*), for a public notice. */
  name?: string;
  facts: Facts;
}

/** An applicant ready to store: its typed facts already as JSON text, so no object per applicant is kept. */
export interface StorableApplicant {
  id: string;
  idNumber?: string;
  name?: string;
  /** `JSON.stringify` of the typed facts, in the same key order. */
  factsJson: string;
}

/** One data row of a file: the applicant, or the row's errors (and no applicant). */
export interface ApplicantRow<A = Applicant> {
  line: number;
  applicant?: A;
  errors: CohortRowError[];
}

const TRUE_WORDS = new Set(["true", "1", "是", "yes", "y", "t"]);
const FALSE_WORDS = new Set(["false", "0", "否", "no", "n", "f"]);

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
      const text = typeof raw === "string" ? slashDateAsIso(raw.trim()) : undefined;
      if (text === undefined || !parseIsoDate(text)) {
        return {
          error: rowError("badDate", line, column, `“${shown}” 不是有效日期（YYYY-MM-DD 格式，或 2019/6/30 这样的写法）`, `"${shown}" is not a valid date YYYY-MM-DD (or written as 2019/6/30)`, {
            value: raw,
          }),
        };
      }
      return { value: text };
    }
    case "enum": {
      const allowed = enumValuesOf(definition);
      const text = typeof raw === "string" ? enumValueOf(definition, raw.trim()) : undefined;
      if (text === undefined) {
        const list = [...allowed];
        // The options in the officer's words (the standard's labels); the ids stay in params for machines.
        const labels = (lang: "zh" | "en") => (definition.values ?? []).map((v) => v.label?.[lang] ?? v.value);
        return {
          error: rowError("badEnum", line, column, `“${shown}” 不是允许的取值（${labels("zh").join("、")}）`, `"${shown}" is not one of: ${labels("en").join("; ")}`, {
            value: raw,
            allowed: list,
          }),
        };
      }
      return { value: text };
    }
    case "records": {
      let value: unknown = raw;
      if (fromText && typeof raw === "string") {
        try {
          // Nested beyond the limit is refused as not a list of records, before anything recurses on it.
          value = nestingBeyond(raw) ? undefined : JSON.parse(raw);
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
 * "idNumber" (an identity number, stored only hashed and masked), "name" (stored only masked), or "" to ignore the column. Unmapped columns keep
 * their own name.
 */
export type ColumnMapping = Record<string, string>;

/** What reading a file found out about it, filled in as it is read. */
export interface FileReading {
  /** The text encoding read (CSV and JSON Lines). */
  encoding?: TextEncodingName;
}

export interface ReadOptions {
  mapping?: ColumnMapping;
  reading?: FileReading;
}

/** Reads applicants one at a time; a row with errors is yielded with its errors (and no applicant). */
export async function* readApplicants(input: Readable, format: CohortFormat, facts: readonly FactDefinition[], opts: ReadOptions = {}): AsyncGenerator<ApplicantRow> {
  for await (const batch of applicantBatches(input, format, facts, opts, "facts")) yield* batch as ApplicantRow[];
}

/**
 * Reads applicants ready to store, in batches of rows (one `await` per batch, not per row): the same rows and errors
 * as `readApplicants`, with the facts as JSON text instead of an object.
 */
export function readStorableApplicants(
  input: Readable,
  format: CohortFormat,
  facts: readonly FactDefinition[],
  opts: ReadOptions = {},
): AsyncGenerator<Array<ApplicantRow<StorableApplicant>>> {
  return applicantBatches(input, format, facts, opts, "json") as AsyncGenerator<Array<ApplicantRow<StorableApplicant>>>;
}

type RowShape = "facts" | "json";
type AnyApplicantRow = ApplicantRow<Applicant | StorableApplicant>;

const JSONL_BATCH_ROWS = 1000;

async function* applicantBatches(
  input: Readable,
  format: CohortFormat,
  facts: readonly FactDefinition[],
  opts: ReadOptions,
  shape: RowShape,
): AsyncGenerator<AnyApplicantRow[]> {
  const byId = new Map<Id, FactDefinition>(facts.map((f) => [f.id, f]));
  const mapping = opts.mapping;
  const reading = opts.reading ?? {};
  if (format === "jsonl") {
    yield* jsonLineBatches(input, byId, mapping, shape, reading);
    return;
  }
  let header: string[] | undefined;
  let reader: TabularRowReader | undefined;
  let dataRow = 0;
  for await (const rows of format === "xlsx" ? xlsxRows(input) : csvRows(input, reading)) {
    const out: AnyApplicantRow[] = [];
    for (const row of rows) {
      if ("error" in row) {
        out.push({ line: row.line, errors: [row.error] });
        yield out;
        return;
      }
      const line = row.line;
      if (!header) {
        const resolved = resolveHeader(row.cells, facts, mapping, line);
        header = resolved.targets;
        if (resolved.errors.length > 0) {
          out.push({ line, errors: resolved.errors });
          yield out;
          return;
        }
        reader = new TabularRowReader(
          header.map((h) => (h === "" ? null : h === "id" || h === "idNumber" || h === "name" ? h : byId.get(h)!)),
          shape,
        );
        continue;
      }
      const cells = row.cells;
      if (isBlankRow(cells)) continue;
      if (dataRow === 0 && isTemplateIdsRow(cells, header)) continue;
      dataRow++;
      out.push(reader!.read(cells, line, dataRow));
    }
    if (out.length > 0) yield out;
  }
}

async function* jsonLineBatches(
  input: Readable,
  byId: Map<Id, FactDefinition>,
  mapping: ColumnMapping | undefined,
  shape: RowShape,
  reading: FileReading,
): AsyncGenerator<AnyApplicantRow[]> {
  const decoded = decodeText(input);
  const text = Readable.from(decoded.chunks);
  let failure: unknown;
  text.on("error", (error) => (failure = error));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let line = 0;
  let dataRow = 0;
  let out: AnyApplicantRow[] = [];
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      dataRow++;
      out.push(jsonLineRow(text, line, dataRow, byId, mapping, shape));
      if (out.length >= JSONL_BATCH_ROWS) {
        yield out;
        out = [];
      }
    }
  } catch (error) {
    failure = error;
  }
  reading.encoding = decoded.encoding();
  if (failure instanceof FileRefusedError) out.push({ line: failure.error.line, errors: [failure.error] });
  else if (failure) throw failure;
  if (out.length > 0) yield out;
}

/**
 * One line of a JSON Lines file as the import reads it: the line's object and its fields (the line's `facts` object
 * when it has one and no fact is named "facts", else the line itself, whose `id` is then the applicant number, not a
 * field); or the line's problem. The import and the upload screen's preview both read lines through this.
 */
export function readJsonLine(
  text: string,
  line: number,
  isFact: (key: string) => boolean,
): { object: Record<string, unknown>; fields: Record<string, unknown>; hasFactsObject: boolean } | { error: CohortRowError } {
  const tooDeep = nestingBeyond(text);
  if (tooDeep) return { error: rowError("badJson", line, undefined, `嵌套层数超过 ${tooDeep.limit} 层`, `nested more than ${tooDeep.limit} levels deep`, { limit: tooDeep.limit }) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: rowError("badJson", line, undefined, `不是有效的 JSON：${(error as Error).message}`, `not valid JSON: ${(error as Error).message}`) };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    return { error: rowError("notAnObject", line, undefined, "每行须为一个 JSON 对象", "each line must be one JSON object") };
  }
  const object = parsed as Record<string, unknown>;
  const hasFactsObject = object.facts !== null && typeof object.facts === "object" && !Array.isArray(object.facts) && !isFact("facts");
  return { object, fields: (hasFactsObject ? object.facts : object) as Record<string, unknown>, hasFactsObject };
}

function jsonLineRow(text: string, line: number, dataRow: number, byId: Map<Id, FactDefinition>, mapping: ColumnMapping | undefined, shape: RowShape): AnyApplicantRow {
  const read = readJsonLine(text, line, (key) => byId.has(key));
  if ("error" in read) return { line, errors: [read.error] };
  const { object, hasFactsObject } = read;
  const source = renameKeys(read.fields, mapping);
  const id = object.id === undefined ? `#${dataRow}` : String(object.id);
  const idNumber = object.idNumber ?? source.idNumber;
  if (idNumber !== undefined) source.idNumber = idNumber;
  const name = object.name ?? source.name;
  if (name !== undefined && !byId.has("name")) source.name = name;
  const row = typeRow(source, line, id, byId, false, hasFactsObject ? [] : ["id"]);
  if (shape === "facts" || !row.applicant) return row;
  const { facts, ...rest } = row.applicant;
  return { line, applicant: { ...rest, factsJson: JSON.stringify(facts) }, errors: row.errors };
}

/** Marks a cell that failed typing; `typeFactValue` then builds the error, so fast and slow paths agree on messages. */
const INVALID: unique symbol = Symbol("invalid cell");

/**
 * Whether `String(Number(text))` gives `text` back: a plain decimal (optional minus, no leading zeros, no trailing
 * zeros after the point) of at most 15 characters, so at most 15 significant digits (which a double always keeps),
 * and not below 1e-6 (written with an exponent) nor "-0". Same as matching /^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/ and
 * ruling those two out, at a fifth of the cost.
 */
function isCanonicalNumberText(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 15) return false;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  if (i === n) return false;
  if (text.charCodeAt(i) === 48) {
    // "0" or "0.<fraction>"; "-0" and "0." are not canonical.
    i++;
    if (i === n) return i === 1;
    if (text.charCodeAt(i) !== 46) return false;
    let zeros = 0;
    for (i++; i < n && text.charCodeAt(i) === 48; i++) zeros++;
    if (zeros > 5 || i === n) return false;
  } else {
    const first = text.charCodeAt(i);
    if (first < 49 || first > 57) return false;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
    }
    if (i === n) return true;
    if (text.charCodeAt(i) !== 46) return false;
    i++;
    if (i === n) return false;
  }
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return text.charCodeAt(n - 1) !== 48;
}

/**
 * Types one text cell by its fact, like `typeFactValue(definition, cell, line, true)` without allocating a result per
 * cell. Returns the value ("facts"), or the value's JSON text ("json"), `undefined` for an empty cell, or `INVALID`
 * when `typeFactValue` has to decide (every failure, and records other than `[]`).
 */
function textCellTyper(definition: FactDefinition, shape: RowShape): (cell: string) => unknown {
  const json = shape === "json";
  switch (definition.type) {
    case "number":
    case "integer": {
      const integer = definition.type === "integer";
      const min = definition.minimum ?? -Infinity;
      const max = definition.maximum ?? Infinity;
      return (cell) => {
        if (cell === "") return undefined;
        const text = cell.trim();
        if (text === "") return INVALID;
        const value = Number(text);
        if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) return INVALID;
        if (!json) return value;
        // The cell's own text when it is already what JSON.stringify writes (most cells): saves a number formatting.
        return isCanonicalNumberText(text) ? text : String(value);
      };
    }
    case "boolean":
      return (cell) => {
        if (cell === "") return undefined;
        if (cell === "true") return json ? "true" : true;
        if (cell === "false") return json ? "false" : false;
        const word = cell.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) return json ? "true" : true;
        if (FALSE_WORDS.has(word)) return json ? "false" : false;
        return INVALID;
      };
    case "date":
      return (cell) => {
        if (cell === "") return undefined;
        const text = cell.trim();
        if (!isIsoDate(text)) return INVALID; // 2019/6/30 and the like: typeFactValue reads them.
        // A valid date is ten digits and dashes: nothing to escape.
        return json ? `"${text}"` : text;
      };
    case "enum": {
      const allowed = enumValuesOf(definition);
      const texts = new Map([...allowed].map((v) => [v, json ? JSON.stringify(v) : v]));
      return (cell) => {
        if (cell === "") return undefined;
        // A label (大学本科) goes the slower way, through typeFactValue.
        return texts.get(cell.trim()) ?? INVALID;
      };
    }
    case "records":
      return (cell) => (cell === "" ? undefined : cell === "[]" ? (json ? "[]" : []) : INVALID);
    default:
      return (cell) => (cell === "" ? undefined : json ? JSON.stringify(cell) : cell);
  }
}

/** Fact ids that JSON objects keep in insertion order and `JSON.stringify` writes without surprises. */
const PLAIN_FACT_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Types the data rows of a CSV or XLSX file by the columns resolved once from its header. For storage ("json") the
 * facts' JSON text is written directly, equal to `JSON.stringify` of the facts object: keys in column order, missing
 * values left out. A header that names a fact twice (or a fact id that is not a plain id) builds the object and
 * stringifies it instead, so the result never differs.
 */
class TabularRowReader {
  private readonly typers: Array<((cell: string) => unknown) | undefined>;
  /** `{"id":` and `,"id":` per fact column: the key as the first member of the object or after another. */
  private readonly firstKeys: string[];
  private readonly nextKeys: string[];
  /** Writes JSON text directly (storage, and every fact at most once). */
  private readonly direct: boolean;

  constructor(
    private readonly columns: ReadonlyArray<FactDefinition | "id" | "idNumber" | "name" | null>,
    private readonly shape: RowShape,
  ) {
    const ids = columns.filter((c): c is FactDefinition => c !== null && typeof c === "object").map((d) => d.id);
    this.direct = shape === "json" && new Set(ids).size === ids.length && ids.every((id) => PLAIN_FACT_ID.test(id));
    const cellShape = this.direct ? "json" : "facts";
    this.typers = columns.map((c) => (c !== null && typeof c === "object" ? textCellTyper(c, cellShape) : undefined));
    this.firstKeys = columns.map((c) => (c !== null && typeof c === "object" ? `{${JSON.stringify(c.id)}:` : ""));
    this.nextKeys = columns.map((c) => (c !== null && typeof c === "object" ? `,${JSON.stringify(c.id)}:` : ""));
  }

  read(cells: unknown[], line: number, dataRow: number): AnyApplicantRow {
    const { columns, typers, direct } = this;
    const facts: Facts | undefined = direct ? undefined : {};
    let json = "";
    let errors: CohortRowError[] | undefined;
    let id: string | undefined;
    let idNumber: string | undefined;
    let name: string | undefined;
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k];
      const cell = cells[k];
      if (column === null) continue;
      if (column === "id") {
        if (cell !== undefined && cell !== null && cell !== "") id = String(cell);
        continue;
      }
      if (column === "idNumber") {
        if (cell !== undefined && cell !== null && String(cell).trim() !== "") idNumber = String(cell).trim();
        continue;
      }
      if (column === "name") {
        if (cell !== undefined && cell !== null && String(cell).trim() !== "") name = String(cell).trim();
        continue;
      }
      let typed = typeof cell === "string" ? typers[k]!(cell) : INVALID;
      if (typed === INVALID) {
        const result = typeFactValue(column, cell, line, true);
        if (result.error) {
          (errors ??= []).push(result.error);
          continue;
        }
        typed = direct && result.value !== undefined ? JSON.stringify(result.value) : result.value;
      }
      if (typed === undefined || errors) continue;
      if (facts) facts[column.id] = typed;
      else json += (json === "" ? this.firstKeys[k] : this.nextKeys[k]) + (typed as string);
    }
    if (errors) return { line, errors };
    const ref = id ?? `#${dataRow}`;
    const person = { ...(idNumber ? { idNumber } : {}), ...(name ? { name } : {}) };
    if (this.shape === "facts") return { line, applicant: { id: ref, facts: facts!, ...person }, errors: [] };
    const factsJson = facts ? JSON.stringify(facts) : json === "" ? "{}" : `${json}}`;
    return { line, applicant: { id: ref, ...person, factsJson }, errors: [] };
  }
}

const SPECIAL_COLUMNS = new Set(["id", "idNumber", "name"]);

/**
 * What each header cell names: a fact id, "id", "idNumber", or "" (ignored). Without a mapping (the CLI, a file whose
 * header names the facts) names are read in the officer's words. A name that is no fact is an error of `line`.
 */
export function resolveHeader(cells: readonly unknown[], facts: readonly FactDefinition[], mapping: ColumnMapping | undefined, line: number): { targets: string[]; errors: CohortRowError[] } {
  const known = new Set(facts.map((f) => f.id));
  const targets = cells.map((h) => {
    const name = String(h ?? "").trim();
    return mapping && name in mapping ? mapping[name] : name === "" ? "" : (headerTarget(name, facts) ?? name);
  });
  const unknown = targets.filter((h) => h !== "" && !SPECIAL_COLUMNS.has(h) && !known.has(h));
  const errors = unknown.map((column) =>
    rowError("unknownColumn", line, column, "表头不是本标准的事实编号（请在列映射中对应到事实或忽略）", "the header names no fact of this standard (map it to a fact or ignore it)", {
      known: [...known],
    }),
  );
  return { targets, errors };
}

/** A template's second header row (the fact ids under the labels): not an applicant. */
export function isTemplateIdsRow(cells: readonly unknown[], targets: readonly string[]): boolean {
  return cells.every((c, k) => c === undefined || c === null || c === "" || String(c).trim() === targets[k]);
}

/** True when a data row holds nothing (the reader skips it). */
export function isBlankRow(cells: readonly unknown[]): boolean {
  for (const c of cells) if (c !== undefined && c !== null && c !== "") return false;
  return true;
}

export type TabularRow = { line: number; cells: unknown[] } | { line: number; error: CohortRowError };

/**
 * The rows of a CSV or XLSX file as the reader sees them before typing (decoded, split into cells; header first), in
 * batches; a refused file ends with an error row. `truncated`: the bytes are a file's beginning (a CSV preview).
 */
export function tabularRows(input: Readable, format: "csv" | "xlsx", reading: FileReading = {}, opts: { truncated?: boolean } = {}): AsyncGenerator<TabularRow[]> {
  return format === "xlsx" ? xlsxRows(input) : csvRows(input, reading, opts.truncated);
}

function renameKeys(source: Record<string, unknown>, mapping: ColumnMapping | undefined): Record<string, unknown> {
  if (!mapping) return { ...source };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const name = key in mapping ? mapping[key] : key;
    if (name !== "") out[name] = value;
  }
  return out;
}

/**
 * CSV rows through PapaParse (about twice as fast as csv-parse here), in the batches PapaParse parses. Rows are
 * numbered as a spreadsheet shows them: the header is row 1, blank rows count. A UTF-8 byte-order mark is dropped.
 */
async function* csvRows(input: Readable, reading: FileReading, truncated = false): AsyncGenerator<TabularRow[]> {
  // Chunked callbacks cost a third of PapaParse's per-row stream events; pause/resume keeps memory bounded.
  const queue: Array<{ data: string[][]; quotes?: Papa.ParseError }> = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let paused: Papa.Parser | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // Decoded before PapaParse, which would decode each chunk on its own (breaking a character across two chunks).
  const decoded = decodeText(input, { truncated });
  Papa.parse(Readable.from(decoded.chunks) as unknown as File, {
    skipEmptyLines: false,
    chunk(results: Papa.ParseResult<string[]>, parser: Papa.Parser) {
      // A quoted field left open or closed wrongly: PapaParse reports it (row = index in this chunk) and goes on.
      const quotes = results.errors.find((error) => error.type === "Quotes");
      queue.push(quotes ? { data: results.data, quotes } : { data: results.data });
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
    const entry = queue.shift();
    const batch = entry?.data;
    if (!entry || !batch) {
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
    reading.encoding ??= decoded.encoding();
    const rows: TabularRow[] = [];
    const quotes = entry.quotes;
    const quotesAt = quotes ? row + (quotes.row ?? 0) + 1 : Infinity;
    for (const cells of batch) {
      if (row + 1 >= quotesAt) break;
      row++;
      if (row === 1 && cells.length > 0 && cells[0].charCodeAt(0) === 0xfeff) cells[0] = cells[0].slice(1);
      // Line endings mixed in one file (a template's LF header, rows added in Notepad with CRLF): PapaParse splits at
      // the first kind it saw, so the other's CR ends the row's last cell; it belongs to the line ending.
      const last = cells.length - 1;
      if (last >= 0 && cells[last].charCodeAt(cells[last].length - 1) === 13) cells[last] = cells[last].slice(0, -1);
      if (cells.length === 1 && cells[0] === "") continue;
      if (width === undefined) width = cells.length;
      else if (cells.length !== width) {
        rows.push({
          line: row,
          error: rowError("badCsv", row, undefined, `有 ${cells.length} 列，表头有 ${width} 列`, `has ${cells.length} columns but the header has ${width}`, {
            columns: cells.length,
            expected: width,
          }),
        });
        yield rows;
        return;
      }
      rows.push({ line: row, cells });
    }
    if (quotes) {
      const [zh, en] =
        quotes.code === "MissingQuotes" ? ["引号括起的单元格没有结束引号", "a quoted cell has no closing quote"] : ["引号括起的单元格在结束引号后还有字符", "a quoted cell has text after its closing quote"];
      rows.push({ line: quotesAt, error: rowError("badCsv", quotesAt, undefined, `CSV 格式错误：${zh}`, `malformed CSV: ${en}`, { papaparse: quotes.code }) });
      yield rows;
      return;
    }
    if (rows.length > 0) yield rows;
  }
  reading.encoding = decoded.encoding();
  if (failure instanceof FileRefusedError) {
    yield [{ line: failure.error.line, error: failure.error }];
  } else if (failure) {
    yield [{ line: row + 1, error: rowError("badCsv", row + 1, undefined, `CSV 格式错误：${failure.message}`, `malformed CSV: ${failure.message}`) }];
  }
}

/** The first worksheet's rows in batches; a refused file (a limit passed, not a workbook) becomes an error row. */
async function* xlsxRows(input: Readable): AsyncGenerator<TabularRow[]> {
  let batch: TabularRow[] = [];
  try {
    for await (const row of xlsxWorksheetRows(input)) {
      batch.push(row);
      if (batch.length >= 500) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (!(error instanceof FileRefusedError)) throw error;
    batch.push({ line: error.error.line, error: error.error });
  }
  if (batch.length > 0) yield batch;
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
  const nameIsFact = byId.has("name");
  const name = nameIsFact || source.name === undefined || source.name === null || String(source.name).trim() === "" ? undefined : String(source.name).trim();
  for (const key of Object.keys(source)) {
    if (ignored.includes(key) || key === "idNumber" || (key === "name" && !nameIsFact)) continue;
    const definition = byId.get(key);
    if (!definition) {
      errors.push(rowError("unknownColumn", line, key, "不是本标准的事实编号", "names no fact of this standard"));
      continue;
    }
    const typed = typeFactValue(definition, source[key], line, fromText);
    if (typed.error) errors.push(typed.error);
    else if (typed.value !== undefined) facts[key] = typed.value;
  }
  return errors.length > 0 ? { line, errors } : { line, applicant: { id, facts, ...(idNumber ? { idNumber } : {}), ...(name ? { name } : {}) }, errors };
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

export { csvCell, csvLine } from "./csv-writer";
