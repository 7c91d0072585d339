/**
 * The table form of a batch read straight from the body's bytes: the cells become the facts objects the scorer
 * reads, without `JSON.parse` building a list per row and a text per cell first (docs/decisions/014-reading-table-rows-from-bytes.md).
 *
 * It is a fast path only. It takes a body that is valid JSON, has "rows" as its last member and whose every cell fits
 * its fact; anything else (a syntax error, a cell of the wrong type, an escaped text, a row of the wrong width, rows
 * before columns...) makes it answer `undefined`, and the caller reads the body the usual way, which finds and
 * locates the problem. So it never accepts what the usual way refuses, and what it accepts it reads to the same
 * values: the same texts, the same numbers (to the last bit, -0 included), records with their fields in the order
 * sent, a null cell as a fact not given.
 */
import { isUtf8 } from "node:buffer";
import { isCalendarDay } from "../../rules-schema/iso-date";
import { factMaximum, factMinimum, type FactCheck, type FactDictionary } from "./facts-check";
import type { BatchApplicant } from "./evaluation.server";

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_LIST = 91;
const CLOSE_LIST = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * Where a reader leaves the value it read; one per batch being read. Readers take the position of what they read
 * and answer the position after it, or -1 when it is not what they read.
 */
interface Out {
  v: unknown;
}

const enum Kind {
  Number,
  Integer,
  Boolean,
  Date,
  String,
  Enum,
  Records,
}

/** What reading a cell of one fact needs, prepared once per version and layout. */
interface CellReader {
  kind: Kind;
  minimum: number;
  maximum: number;
  /** Enum values and record field ids as UTF-8 bytes, with the texts they stand for. */
  names: Uint8Array[];
  texts: string[];
  /** A records fact's fields, in the order of `names`. */
  fields: CellReader[];
}

const KINDS = { number: Kind.Number, integer: Kind.Integer, boolean: Kind.Boolean, date: Kind.Date, string: Kind.String, enum: Kind.Enum, records: Kind.Records };

function cellReader(check: FactCheck): CellReader {
  const fact = check.fact;
  // Texts JSON writes with an escape (a quote, a backslash, a control character) are left out: such a value is never
  // matched as bytes, and the body is read the usual way.
  const texts = (fact.type === "enum" ? [...check.enumValues!] : fact.type === "records" ? [...check.fields!.keys()] : []).filter(
    (text) => JSON.stringify(text) === `"${text}"` && text !== "__proto__",
  );
  return {
    kind: KINDS[fact.type],
    minimum: factMinimum(fact),
    maximum: factMaximum(fact),
    names: texts.map((text) => new Uint8Array(Buffer.from(text, "utf8"))),
    texts,
    fields: fact.type === "records" ? texts.map((id) => cellReader(check.fields!.get(id)!)) : [],
  };
}

function isSpace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

function skipSpace(b: Buffer, p: number): number {
  while (isSpace(b[p])) p++;
  return p;
}

/** The position after the byte `c`, with space before it skipped, or -1. */
function after(b: Buffer, p: number, c: number): number {
  if (b[p] === c) return p + 1;
  p = skipSpace(b, p);
  return b[p] === c ? p + 1 : -1;
}

/** The position of a text's closing quote, for a text without escapes or control characters opening at `p`, or -1. */
function plainTextEnd(b: Buffer, p: number): number {
  for (p++; p < b.length; p++) {
    const c = b[p];
    if (c === QUOTE) return p;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/**
 * The text of the bytes start…end. Short plain ASCII is made in JavaScript (measured: 33 ns against 130–170 ns for
 * Buffer's decoding, which crosses into C++); other text is decoded as UTF-8.
 */
function decode(b: Buffer, start: number, end: number): string {
  if (end - start > 24) return b.toString("utf8", start, end);
  let text = "";
  let p = start;
  for (; p + 4 <= end; p += 4) {
    const c0 = b[p];
    const c1 = b[p + 1];
    const c2 = b[p + 2];
    const c3 = b[p + 3];
    if ((c0 | c1 | c2 | c3) >= 0x80) return b.toString("utf8", start, end);
    text += String.fromCharCode(c0, c1, c2, c3);
  }
  for (; p < end; p++) {
    if (b[p] >= 0x80) return b.toString("utf8", start, end);
    text += String.fromCharCode(b[p]);
  }
  return text;
}

/** A plain text. */
function readText(b: Buffer, p: number, s: Out): number {
  p = skipSpace(b, p);
  if (b[p] !== QUOTE) return readNull(b, p, s);
  const end = plainTextEnd(b, p);
  if (end < 0) return -1;
  s.v = decode(b, p + 1, end);
  return end + 1;
}

function readNull(b: Buffer, p: number, s: Out): number {
  if (b[p] !== 110 || b[p + 1] !== 117 || b[p + 2] !== 108 || b[p + 3] !== 108) return -1;
  s.v = null;
  return p + 4;
}

/**
 * The index in `names` of the text whose opening quote is at `p`, or -1: each name is compared with the bytes as they
 * come, and must be followed by the closing quote. A name that JSON would write with an escape was left out of
 * `names` (cellReader), so a match is exactly the text `JSON.parse` reads there.
 */
function readName(b: Buffer, p: number, names: Uint8Array[]): number {
  const start = p + 1;
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    const length = name.length;
    let i = 0;
    while (i < length && name[i] === b[start + i]) i++;
    if (i === length && b[start + length] === QUOTE) return k;
  }
  return -1;
}

/** The position after the name `k` that opens at `p`. */
function afterName(p: number, names: Uint8Array[], k: number): number {
  return p + names[k].length + 2;
}

/** One of an enum's values. */
function readEnum(b: Buffer, p: number, s: Out, cell: CellReader): number {
  p = skipSpace(b, p);
  if (b[p] !== QUOTE) return readNull(b, p, s);
  const k = readName(b, p, cell.names);
  if (k < 0) return -1;
  s.v = cell.texts[k];
  return afterName(p, cell.names, k);
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * A JSON number within [minimum, maximum] (a whole one for `whole`). With at most 15 digits and no exponent it is
 * worked out from its digits: they make an exact whole number below 2^53 and the power of ten is exact up to 10^22,
 * so the one division rounds correctly to the same double `JSON.parse` gives. Other numbers are checked against
 * JSON's grammar and converted by `Number`.
 */
function readNumber(b: Buffer, p: number, s: Out, whole: boolean, minimum: number, maximum: number): number {
  p = skipSpace(b, p);
  const start = p;
  const negative = b[p] === MINUS;
  if (negative) p++;
  let digits = 0;
  let mantissa = 0;
  if (b[p] === ZERO) {
    p++;
  } else if (isDigit(b[p])) {
    do {
      mantissa = mantissa * 10 + (b[p] - ZERO);
      digits++;
      p++;
    } while (isDigit(b[p]));
  } else {
    return negative ? -1 : readNull(b, p, s);
  }
  let fraction = 0;
  if (b[p] === DOT) {
    p++;
    if (!isDigit(b[p])) return -1;
    do {
      mantissa = mantissa * 10 + (b[p] - ZERO);
      digits++;
      fraction++;
      p++;
    } while (isDigit(b[p]));
  }
  let value: number;
  if (b[p] === 101 || b[p] === 69) {
    p++;
    if (b[p] === PLUS || b[p] === MINUS) p++;
    if (!isDigit(b[p])) return -1;
    while (isDigit(b[p])) p++;
    value = Number(b.toString("latin1", start, p));
  } else if (digits <= 15) {
    value = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction];
    if (negative) value = -value;
  } else {
    value = Number(b.toString("latin1", start, p));
  }
  if (whole ? !Number.isInteger(value) : !Number.isFinite(value)) return -1;
  if (!(value >= minimum && value <= maximum)) return -1;
  s.v = value;
  return p;
}

function readBoolean(b: Buffer, p: number, s: Out): number {
  p = skipSpace(b, p);
  if (b[p] === 116 && b[p + 1] === 114 && b[p + 2] === 117 && b[p + 3] === 101) {
    s.v = true;
    return p + 4;
  }
  if (b[p] === 102 && b[p + 1] === 97 && b[p + 2] === 108 && b[p + 3] === 115 && b[p + 4] === 101) {
    s.v = false;
    return p + 5;
  }
  return readNull(b, p, s);
}

function twoDigits(b: Buffer, p: number): number {
  const high = b[p] - ZERO;
  const low = b[p + 1] - ZERO;
  return high >= 0 && high <= 9 && low >= 0 && low <= 9 ? high * 10 + low : -1;
}

/** Date texts by their digits: most dates recur within a batch and across batches, and are then not made again. */
const dateTexts = new Map<number, string>();

/** A date "YYYY-MM-DD" that is a day of the calendar, as the fact check takes it (isCalendarDay, rules-schema/iso-date.ts). */
function readDate(b: Buffer, p: number, s: Out): number {
  p = skipSpace(b, p);
  if (b[p] !== QUOTE) return readNull(b, p, s);
  if (b[p + 11] !== QUOTE || b[p + 5] !== MINUS || b[p + 8] !== MINUS) return -1;
  const century = twoDigits(b, p + 1);
  const year = twoDigits(b, p + 3);
  const month = twoDigits(b, p + 6);
  const day = twoDigits(b, p + 9);
  if (century < 0 || year < 0 || month < 0 || day < 0) return -1;
  const key = ((century * 100 + year) * 100 + month) * 100 + day;
  let text = dateTexts.get(key);
  if (text === undefined) {
    // Only real days enter the cache, so a date seen before is not checked again.
    if (!isCalendarDay(century * 100 + year, month, day)) return -1;
    text = b.toString("latin1", p + 1, p + 11);
    if (dateTexts.size >= 100_000) dateTexts.clear();
    dateTexts.set(key, text);
  }
  s.v = text;
  return p + 12;
}

/** A value of any kind that fits the fact: a record's field. */
function readField(b: Buffer, p: number, s: Out, cell: CellReader): number {
  switch (cell.kind) {
    case Kind.Number:
      return readNumber(b, p, s, false, cell.minimum, cell.maximum);
    case Kind.Integer:
      return readNumber(b, p, s, true, cell.minimum, cell.maximum);
    case Kind.Boolean:
      return readBoolean(b, p, s);
    case Kind.Date:
      return readDate(b, p, s);
    case Kind.String:
      return readText(b, p, s);
    case Kind.Enum:
      return readEnum(b, p, s, cell);
    case Kind.Records:
      return readRecords(b, p, s, cell);
  }
}

/** A list of records whose every field is one of the fact's and fits it, read as `JSON.parse` reads it. */
function readRecords(b: Buffer, p: number, s: Out, cell: CellReader): number {
  p = skipSpace(b, p);
  if (b[p] !== OPEN_LIST) return readNull(b, p, s);
  const list: Array<Record<string, unknown>> = [];
  p = skipSpace(b, p + 1);
  if (b[p] === CLOSE_LIST) {
    s.v = list;
    return p + 1;
  }
  for (;;) {
    p = after(b, p, OPEN_OBJECT);
    if (p < 0) return -1;
    const record: Record<string, unknown> = {};
    p = skipSpace(b, p);
    if (b[p] === CLOSE_OBJECT) {
      p++;
    } else {
      for (;;) {
        p = skipSpace(b, p);
        if (b[p] !== QUOTE) return -1;
        const k = readName(b, p, cell.names);
        if (k < 0) return -1;
        p = after(b, afterName(p, cell.names, k), COLON);
        if (p < 0) return -1;
        p = readField(b, p, s, cell.fields[k]);
        if (p < 0) return -1;
        // A field sent twice keeps its first place and its last value, as JSON.parse does.
        record[cell.texts[k]] = s.v;
        p = skipSpace(b, p);
        if (b[p] === COMMA) {
          p++;
          continue;
        }
        if (b[p] !== CLOSE_OBJECT) return -1;
        p++;
        break;
      }
    }
    list.push(record);
    p = skipSpace(b, p);
    if (b[p] === COMMA) {
      p++;
      continue;
    }
    if (b[p] !== CLOSE_LIST) return -1;
    s.v = list;
    return p + 1;
  }
}

/** A row's reader, generated per layout of columns like the row check in facts-check.ts: the position after the row. */
type RowFunction = (b: Buffer, p: number, s: Out, out: BatchApplicant[]) => number;

function generateRowFunction(cells: ReadonlyArray<CellReader | undefined>, columns: readonly string[]): RowFunction {
  const lines: string[] = [];
  const fields: string[] = [];
  const bound = (n: number) => (n === Infinity ? "Infinity" : n === -Infinity ? "-Infinity" : String(n));
  cells.forEach((cell, j) => {
    if (j > 0) lines.push(`p = after(b, p, ${COMMA}); if (p < 0) return -1;`);
    let read: string;
    if (cell === undefined) read = "readText(b, p, s)";
    else if (cell.kind === Kind.Number || cell.kind === Kind.Integer) read = `readNumber(b, p, s, ${cell.kind === Kind.Integer}, ${bound(cell.minimum)}, ${bound(cell.maximum)})`;
    else if (cell.kind === Kind.Boolean) read = "readBoolean(b, p, s)";
    else if (cell.kind === Kind.Date) read = "readDate(b, p, s)";
    else if (cell.kind === Kind.String) read = "readText(b, p, s)";
    else if (cell.kind === Kind.Enum) read = `readEnum(b, p, s, C[${j}])`;
    else read = `readRecords(b, p, s, C[${j}])`;
    lines.push(`p = ${read}; if (p < 0) return -1; const c${j} = s.v;`);
    if (cell === undefined) lines.push(`if (typeof c${j} !== "string" || c${j} === "") return -1;`);
    else fields.push(`${JSON.stringify(columns[j])}: c${j} === null ? undefined : c${j}`);
  });
  const id = cells.indexOf(undefined);
  const source =
    `return function row(b, p, s, out) { p = after(b, p, ${OPEN_LIST}); if (p < 0) return -1; ${lines.join(" ")} ` +
    `p = after(b, p, ${CLOSE_LIST}); if (p < 0) return -1; out.push({ id: c${id}, facts: { ${fields.join(", ")} } }); return p; };`;
  const helpers = { after, readText, readNumber, readBoolean, readDate, readEnum, readRecords };
  return new Function(...Object.keys(helpers), "C", source)(...Object.values(helpers), cells) as RowFunction;
}

const layouts = new WeakMap<FactDictionary, Map<string, RowFunction>>();

/** The row reader of a layout: `columns` are the body's, with exactly one "id" and the rest facts of the version. */
function rowFunction(dictionary: FactDictionary, columns: readonly string[]): RowFunction | undefined {
  let byLayout = layouts.get(dictionary);
  if (!byLayout) {
    byLayout = new Map();
    layouts.set(dictionary, byLayout);
  }
  const key = JSON.stringify(columns);
  let row = byLayout.get(key);
  if (row) return row;
  const cells: Array<CellReader | undefined> = [];
  const seen = new Set<string>();
  for (const name of columns) {
    if (seen.has(name)) return undefined;
    seen.add(name);
    const check = dictionary.checks.get(name);
    if (name !== "id" && !check) return undefined;
    cells.push(name === "id" ? undefined : cellReader(check!));
  }
  if (!seen.has("id")) return undefined;
  if (byLayout.size >= 64) byLayout.clear();
  row = generateRowFunction(cells, columns);
  byLayout.set(key, row);
  return row;
}

/** The end of the JSON value at `start` (not checked: JSON.parse of the span checks it), or -1. */
function valueEnd(b: Buffer, start: number): number {
  let depth = 0;
  for (let p = start; p < b.length; p++) {
    const c = b[p];
    if (c === QUOTE) {
      p++;
      while (p < b.length && b[p] !== QUOTE) p += b[p] === BACKSLASH ? 2 : 1;
      if (p >= b.length) return -1;
      if (depth === 0) return p + 1;
    } else if (c === OPEN_LIST || c === OPEN_OBJECT) {
      depth++;
    } else if (c === CLOSE_LIST || c === CLOSE_OBJECT) {
      if (depth === 0) return p;
      if (--depth === 0) return p + 1;
    } else if (depth === 0 && (c === COMMA || isSpace(c))) {
      return p;
    }
  }
  return depth === 0 ? b.length : -1;
}

/** A batch body whose rows are still bytes: its other members, parsed, and where its rows are. */
export interface TableBody {
  bytes: Buffer;
  members: Record<string, unknown>;
  rowsStart: number;
  rowsEnd: number;
}

/** The members a table-form batch has: any other (an object-form body's "applicants") is read the usual way. */
const TABLE_MEMBERS = new Set(["program", "date", "columns", "rows"]);

/**
 * The members of a table-form body before its rows, and the span of its rows, when its members are program, date,
 * columns and rows, "rows" last, and the body is valid UTF-8; otherwise undefined.
 */
export function scanTableBody(bytes: Uint8Array): TableBody | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s: Out = { v: undefined };
  let p = after(b, 0, OPEN_OBJECT);
  if (p < 0) return undefined;
  const members: Record<string, unknown> = {};
  for (;;) {
    p = readText(b, p, s);
    const key = s.v;
    if (p < 0 || typeof key !== "string" || !TABLE_MEMBERS.has(key) || Object.hasOwn(members, key)) return undefined;
    p = after(b, p, COLON);
    if (p < 0) return undefined;
    p = skipSpace(b, p);
    if (key === "rows") {
      // The last member: the body ends "]", then "}", with only space between and after.
      let end = b.length;
      while (end > p && isSpace(b[end - 1])) end--;
      if (b[--end] !== CLOSE_OBJECT) return undefined;
      while (end > p && isSpace(b[end - 1])) end--;
      if (members.columns === undefined || b[p] !== OPEN_LIST || b[end - 1] !== CLOSE_LIST || !isUtf8(b)) return undefined;
      return { bytes: b, members, rowsStart: p, rowsEnd: end };
    }
    const end = valueEnd(b, p);
    if (end < 0) return undefined;
    try {
      members[key] = JSON.parse(b.toString("utf8", p, end));
    } catch {
      return undefined;
    }
    p = after(b, end, COMMA);
    if (p < 0) return undefined;
  }
}

/**
 * The applicants of the rows of `body`, each cell checked against its fact; undefined when the rows are not all
 * plain and fitting (or the columns are not "id" and facts of this version, each once), to be read the usual way.
 */
export function readTableRows(body: TableBody, dictionary: FactDictionary): BatchApplicant[] | undefined {
  const columns = body.members.columns;
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === "string")) return undefined;
  const row = rowFunction(dictionary, columns as string[]);
  if (!row) return undefined;
  const b = body.bytes;
  const s: Out = { v: undefined };
  const applicants: BatchApplicant[] = [];
  let p = skipSpace(b, body.rowsStart + 1);
  if (b[p] === CLOSE_LIST) return undefined;
  for (;;) {
    p = row(b, p, s, applicants);
    if (p < 0) return undefined;
    p = skipSpace(b, p);
    if (b[p] === COMMA) {
      p++;
      continue;
    }
    return b[p] === CLOSE_LIST && p + 1 === body.rowsEnd ? applicants : undefined;
  }
}
