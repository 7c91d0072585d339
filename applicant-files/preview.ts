/**
 * The upload screen's preview: the first rows of a CSV or XLSX file as the import will read them, before anything is
 * stored. `readSample` takes the rows from the file by the reader's own code (decoding, CSV or XLSX under the same
 * limits, blank rows skipped); `previewSample` types them by the same code as the import (`resolveHeader`, the
 * template's ids row, `typeFactValue`: labels to values, 2019/6/30 to 2019-06-30), keeping each cell's value or its
 * problem, so one bad cell does not hide the others of its row.
 */
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { FactDefinition } from "../rules-schema/types";
import { isBlankRow, isTemplateIdsRow, readJsonLine, resolveHeader, tabularRows, typeFactValue, type ColumnMapping, type FileReading } from "./applicants";
import { decodeText, type TextEncodingName } from "./encoding";
import { FileRefusedError, type CohortRowError } from "./errors";
import { HEADER_PREVIEW_BYTES } from "./header";
import { nestingBeyond } from "../rules-schema/json-depth";

/** Rows the preview shows. */
export const PREVIEW_ROWS = 20;

type Message = { zh: string; en: string };

/**
 * A file's header and first rows, cells as text (`null` for an empty XLSX cell). For JSON Lines (`json`), the header
 * is the lines' field names in order of appearance, each cell the field's value as JSON text (`null` where a line
 * lacks the field), and `id` the line's applicant number.
 */
export interface FileSample {
  header: string[];
  rows: Array<{ line: number; cells: Array<string | null>; id?: string }>;
  json?: boolean;
  /** Where and why the reader would stop within these rows (a row with a column too many, a byte no encoding has). */
  stop?: CohortRowError;
  encoding?: TextEncodingName;
}

/** The file's first bytes only, for CSV: a preview never reads a whole file. */
async function* firstBytes(input: AsyncIterable<Uint8Array>, limit: number, cut: () => void): AsyncGenerator<Uint8Array> {
  let read = 0;
  for await (const chunk of input) {
    const room = limit - read;
    if (chunk.length > room) {
      cut();
      if (room > 0) yield chunk.subarray(0, room);
      return;
    }
    read += chunk.length;
    yield chunk;
  }
}

/**
 * Reads the header and the first data rows (one more than shown, in case the first is a template's ids row).
 * `truncated`: the bytes sent are the beginning of a larger file (the screen sends a CSV's first 256 KB).
 */
export async function readSample(input: Readable, format: "csv" | "xlsx" | "jsonl", opts: { truncated?: boolean; rows?: number; isFact?: (key: string) => boolean } = {}): Promise<FileSample> {
  const wanted = (opts.rows ?? PREVIEW_ROWS) + 1;
  if (format === "jsonl") return readJsonLinesSample(input, wanted, opts.truncated ?? false, opts.isFact ?? (() => false));
  let truncated = opts.truncated ?? false;
  const source = format === "csv" ? Readable.from(firstBytes(input, HEADER_PREVIEW_BYTES, () => (truncated = true))) : input;
  const reading: FileReading = {};
  const sample: FileSample = { header: [], rows: [] };
  let header: string[] | undefined;
  let full = false;
  read: for await (const batch of tabularRows(source, format, reading, { truncated: format === "csv" })) {
    for (const row of batch) {
      if ("error" in row) {
        sample.stop = row.error;
        break read;
      }
      if (!header) {
        header = row.cells.map((cell) => (cell === undefined || cell === null ? "" : String(cell)));
        continue;
      }
      if (isBlankRow(row.cells)) continue;
      sample.rows.push({ line: row.line, cells: row.cells.map((cell) => (cell === undefined || cell === null ? null : String(cell))) });
      if (sample.rows.length >= wanted) {
        full = true;
        break read;
      }
    }
  }
  if (source !== input) source.destroy();
  // The last row of a file's beginning may be cut in the middle (and a problem found there may be the cut's).
  if (truncated && !full) {
    if (sample.stop) delete sample.stop;
    else sample.rows.pop();
  }
  sample.header = header ?? [];
  if (reading.encoding) sample.encoding = reading.encoding;
  return sample;
}

/**
 * The first lines of a JSON Lines file, decoded as the import decodes it (UTF-8, UTF-16, GB18030) and read by the
 * import's own line reader; a line the import would refuse stops the sample there, with its problem.
 */
async function readJsonLinesSample(input: Readable, wanted: number, truncatedAtStart: boolean, isFact: (key: string) => boolean): Promise<FileSample> {
  let truncated = truncatedAtStart;
  const decoded = decodeText(firstBytes(input, HEADER_PREVIEW_BYTES, () => (truncated = true)), { truncated: true });
  const text = Readable.from(decoded.chunks);
  let failure: unknown;
  text.on("error", (error) => (failure = error));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  const header: string[] = [];
  const columns = new Map<string, number>();
  const read: Array<{ line: number; fields: Record<string, unknown>; id?: string }> = [];
  const sample: FileSample = { header, rows: [], json: true };
  let line = 0;
  let full = false;
  try {
    for await (const lineText of lines) {
      line++;
      if (lineText.trim() === "") continue;
      const result = readJsonLine(lineText, line, isFact);
      if ("error" in result) {
        sample.stop = result.error;
        break;
      }
      const fields: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(result.fields)) if (key !== "id") fields[key] = value;
      if (result.hasFactsObject && result.object.idNumber !== undefined && fields.idNumber === undefined) fields.idNumber = result.object.idNumber;
      for (const key of Object.keys(fields)) {
        if (!columns.has(key)) {
          columns.set(key, header.length);
          header.push(key);
        }
      }
      read.push({ line, fields, ...(result.object.id === undefined ? {} : { id: String(result.object.id) }) });
      if (read.length >= wanted) {
        full = true;
        break;
      }
    }
  } catch (error) {
    failure = error;
  }
  lines.close();
  text.destroy();
  if (failure && !sample.stop) {
    if (failure instanceof FileRefusedError) sample.stop = failure.error;
    else throw failure;
  }
  // The last line of a file's beginning may be cut in the middle (and the problem found there may be the cut's).
  if (truncated && !full) {
    if (sample.stop) delete sample.stop;
    else read.pop();
  }
  sample.rows = read.map(({ line, fields, id }) => ({
    line,
    cells: header.map((key) => (fields[key] === undefined ? null : JSON.stringify(fields[key]))),
    ...(id === undefined ? {} : { id }),
  }));
  const encoding = decoded.encoding();
  if (encoding) sample.encoding = encoding;
  return sample;
}

export interface PreviewCell {
  /** The cell as read from the file (decoded). */
  text: string;
  /** The value the import stores (an enum's value id, a date as YYYY-MM-DD, a number); absent for an empty cell. */
  value?: unknown;
  error?: Message;
}

export interface PreviewRow {
  line: number;
  /** The applicant number as stored: the id column's cell, or `#n` for the n-th row without one. */
  id: string;
  cells: PreviewCell[];
  /** A problem of the row as a whole (an applicant number already used above). */
  error?: Message;
}

export interface FilePreview {
  /** The columns that are read (mapped to a fact, the applicant number or the identity number), in file order. */
  columns: Array<{ source: string; target: string }>;
  rows: PreviewRow[];
  /** A header the import refuses (a column naming no fact), before any row. */
  headerErrors: Message[];
  stop?: FileSample["stop"];
  /** Problems in the rows shown. */
  problems: number;
}

/** A JSON Lines cell of a sample back to its value (the sample came back from the browser: anything unreadable is text). */
function jsonValue(cell: string | null): unknown {
  if (cell === null) return undefined;
  if (nestingBeyond(cell)) return cell;
  try {
    return JSON.parse(cell) as unknown;
  } catch {
    return cell;
  }
}

export function previewSample(sample: FileSample, facts: readonly FactDefinition[], mapping: ColumnMapping | undefined, rowsShown = PREVIEW_ROWS): FilePreview {
  const byId = new Map(facts.map((f) => [f.id, f]));
  const { targets, errors } = resolveHeader(sample.header, facts, mapping, 1);
  const read = targets.flatMap((target, k) => (target === "" ? [] : [k]));
  const columns = read.map((k) => ({ source: sample.header[k], target: targets[k] }));
  const preview: FilePreview = { columns, rows: [], headerErrors: errors.map((e) => e.message), problems: errors.length, ...(sample.stop ? { stop: sample.stop } : {}) };
  if (errors.length > 0) return preview;
  const seen = new Map<string, number>();
  let dataRow = 0;
  for (const { line, cells, id: lineId } of sample.rows) {
    if (!sample.json && dataRow === 0 && isTemplateIdsRow(cells, targets)) continue;
    if (preview.rows.length >= rowsShown) break;
    dataRow++;
    let id: string | undefined = sample.json ? lineId : undefined;
    const shown: PreviewCell[] = read.map((k) => {
      const cell = cells[k] ?? null;
      // A JSON Lines value is typed as the import types it (a number stays a number); its text is shown as written.
      const raw: unknown = sample.json ? jsonValue(cell) : cell;
      const text = typeof raw === "string" ? raw : sample.json ? (cell ?? "") : "";
      const target = targets[k];
      if (target === "id" || target === "idNumber" || target === "name") {
        const value = raw === undefined || raw === null ? "" : String(raw);
        if (target === "id" && value !== "") id = value;
        return value.trim() === "" ? { text } : { text, value: target === "id" ? value : value.trim() };
      }
      const typed = typeFactValue(byId.get(target)!, raw, 0, !sample.json);
      if (typed.error) {
        preview.problems++;
        return { text, error: typed.error.message };
      }
      return typed.value === undefined ? { text } : { text, value: typed.value };
    });
    const row: PreviewRow = { line, id: id ?? `#${dataRow}`, cells: shown };
    const first = seen.get(row.id);
    if (first !== undefined) {
      preview.problems++;
      row.error = { zh: `编号 “${row.id}” 已在第 ${first} 行出现`, en: `Id "${row.id}" already appears on line ${first}` };
    } else seen.set(row.id, line);
    preview.rows.push(row);
  }
  if (sample.stop) preview.problems++;
  return preview;
}
