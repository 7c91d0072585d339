/**
 * The columnar compiled evaluator: a program bound to one columnar cohort (engine/cohort.ts) and one evaluation
 * date, scoring row i straight from the typed-array columns, with no per-applicant object. Its figures are those
 * of the compiled and reference paths on the row as `cohortRow` decodes it.
 *
 * How values are read: a text or boolean column has few distinct values, so every function of one such value
 * (a condition against a literal, an age, a day number, a lookback test) is computed once per dictionary entry
 * into a table indexed by `code + 1` (slot 0 = missing, i.e. the fact's default). Number columns are read as
 * numbers (NaN = missing). Derived facts are locals of the generated function. Aggregates, periods and
 * per-record items loop over the row's slice of the records columns in small generated functions of their own,
 * called only for rows that have records; a row's one or two spans (the usual case) are measured without sorting.
 *
 * Code generation follows compiled-codegen.ts: the text holds only engine-made names, operators and indices;
 * every document or cohort value reaches it through the constants array, and `assertColumnarSource` refuses
 * anything else. What cannot be read from columns (a JSONPath `path`, a records fact used as a plain value, a
 * records fact whose default is a non-empty list) makes the whole program score each row through
 * `cohortRowReader` and the compiled evaluator instead: `mode` says which way was taken and why.
 */
import type {
  AggregateDerived,
  Condition,
  DerivedFact,
  FactCondition,
  FactDefinition,
  Id,
  IsoDate,
  Lookback,
  PerRecordScoring,
  PeriodsDerived,
  StandardDocument,
} from "../../rules-schema/types";
import { periodsIncludeEvaluationDay } from "../../rules-schema/types";
import { cohortRowReader, columnValueReader, type Cohort, type RecordsColumn, type ScalarColumn } from "../cohorts/cohort";
import { compileOnePerson, programLayout } from "./compiled";
import { Constants } from "./codegen-constants";
import { bindCandidates } from "./persons";
import { booleanKind, compileCondition, isFactReference } from "./conditions";
import {
  daysInMonth,
  evaluationDate,
  fromDayNumber,
  isIsoDate,
  isoDayNumber,
  parseIsoDate,
  wholeMonthsBetweenDays,
  wholeMonthsFromIso,
  type EvaluationDate,
} from "./dates";
import { combineValues, compileDerived, orderDerived, prepareFacts } from "./derived";
import { totalAdjustmentsOf } from "./total-adjustments";
import { calendarMonthsBetween, fixedWindowBounds, insideWindow, isExtendedPeriods, isExtendedWindow } from "./windows";
import type { ApplicantScope, FactTable } from "./facts";
import { operatorFor } from "./operators";
import {
  accrualPoints,
  capMagnitude,
  exact,
  groupKeyOf,
  isNumber,
  linearPoints,
  matchingBand,
  perRecordTotal,
  type RecordCandidate,
} from "./points";
import { appliesTo, findProgram } from "./reference";
import type { CompactScore } from "../types";

// Hot functions as module constants: some loaders turn each use of an import into a property read.
const round = exact;
const isFiniteNumber = isNumber;
const dayOfIso = isoDayNumber;
const totalOfRecords = perRecordTotal;
const monthLength = daysInMonth;
const capped = capMagnitude;
const linear = linearPoints;
const accrual = accrualPoints;

/** Civil dates of the day numbers 1900-01-01 … 2199-12-31 packed as year·512 + month·32 + day (periods measure many spans). */
const CIVIL_FIRST = -25567;
const CIVIL_COUNT = 109572;
let civilTable: Int32Array | undefined;

function civilTableOf(): Int32Array {
  if (civilTable) return civilTable;
  civilTable = new Int32Array(CIVIL_COUNT);
  for (let n = 0; n < CIVIL_COUNT; n++) {
    const date = fromDayNumber(CIVIL_FIRST + n);
    civilTable[n] = date.year * 512 + date.month * 32 + date.day;
  }
  return civilTable;
}

/** A day number's civil date packed as year·512 + month·32 + day (the table where it reaches). */
function packedCivil(day: number, table: Int32Array): number {
  const n = day - CIVIL_FIRST;
  if (n >= 0 && n < CIVIL_COUNT) return table[n];
  const date = fromDayNumber(day);
  return date.year * 512 + date.month * 32 + date.day;
}

/** wholeMonthsBetweenDays of two packed civil dates. */
function monthsBetweenPacked(from: number, to: number): number {
  const toYear = to >> 9;
  const toMonth = (to >> 5) & 15;
  const toDayOfMonth = to & 31;
  let months = (toYear - (from >> 9)) * 12 + (toMonth - ((from >> 5) & 15));
  if (toDayOfMonth < (from & 31) && toDayOfMonth !== monthLength(toYear, toMonth)) months -= 1;
  return months < 0 ? 0 : months;
}

export interface ColumnarProgram {
  standardId: Id;
  programId: Id;
  itemIds: Id[];
  categoryIds: Id[];
  /** Ids of the gates that apply to the program, in document order (positions of `failedGate`). */
  gateIds: Id[];
  /** Derived fact ids in evaluation order (orderDerived), the positions of `derived`. */
  derivedIds: Id[];
  /** "columns": read from the typed arrays; "rows": each row decoded to an object (see `fallbackReason`). */
  mode: "columns" | "rows";
  fallbackReason?: string;
  /** Row scratch, valid until the next `scoreRow`: item points, category subtotals, 1 per failed gate, derived values. */
  items: Float64Array;
  /** Item points before groups (columns mode only). */
  itemPoints: Float64Array;
  categories: Float64Array;
  failedGate: Uint8Array;
  derived: unknown[];
  /** [total, vetoed (0/1), number of failed gates] of the last row scored. */
  state: Float64Array;
  /** Scores row i into the scratch and returns its total. */
  scoreRow(i: number): number;
  /** Row i as the compiled evaluator's CompactScore (a fresh object). */
  compact(i: number): CompactScore;
}

/** The program cannot be read from columns; the whole program falls back to decoded rows. */
class NeedsRows extends Error {}

const COLUMNAR_WORDS = new Set([
  "return", "function", "score", "aggregate", "periods", "perRecord", "let", "const", "if", "else", "for", "while",
  "continue", "break", "true", "false", "undefined", "null", "c", "i", "r", "s", "t", "u", "p", "v", "w", "x", "y", "a", "b",
  "n", "m", "lo", "hi", "sa", "ea", "sc", "ec", "stop", "first", "count", "total", "vetoed", "failed",
]);

/** Refuses generated text that could carry anything but engine-made code (see compiled-codegen.ts). */
export function assertColumnarSource(source: string): void {
  if (/["'`$\\]/.test(source)) throw new Error("generated columnar scorer contains a quote, backtick, $ or backslash");
  for (const word of source.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (!COLUMNAR_WORDS.has(word) && !/^(c|d|e|g|k|l|q)\d+$/.test(word)) {
      throw new Error(`generated columnar scorer contains an unexpected word: ${word}`);
    }
  }
}

/**
 * A value as the engine would see it, read at row (or record) index `at`:
 * - const: the same for every row;
 * - finite: `values[column[at] + 1]` (slot 0 = missing), so any function of it can be tabulated;
 * - number: `column[at]`, NaN = missing → `missing`;
 * - local: an expression of the generated code (derived facts).
 */
type Source =
  | { kind: "const"; value: unknown }
  | { kind: "finite"; codes: Int32Array | Int8Array; values: unknown[] }
  | { kind: "number"; column: Float64Array; missing: unknown }
  | { kind: "local"; expression: string };

function columnSource(column: ScalarColumn, missing: unknown): Source {
  switch (column.kind) {
    case "number":
      return { kind: "number", column: column.values, missing };
    case "boolean":
      return { kind: "finite", codes: column.values, values: [missing, false, true] };
    case "text":
      return { kind: "finite", codes: column.values, values: [missing, ...column.dictionary] };
  }
}

/** Expression of the source's value at index variable `at`. */
function valueExpression(source: Source, k: Constants, at: string): string {
  switch (source.kind) {
    case "const":
      return k.ref(source.value);
    case "finite":
      return `${k.ref(source.values)}[${k.ref(source.codes)}[${at}] + 1]`;
    case "number":
      return `((u = ${k.ref(source.column)}[${at}]) === u ? u : ${k.ref(source.missing)})`;
    case "local":
      return source.expression;
  }
}

const MEMO_LOW = -1024;
const MEMO_HIGH = 8192;

/**
 * f with its numeric results remembered for whole inputs in [MEMO_LOW, MEMO_HIGH): years, months, counts and
 * most amounts are such numbers, and f (points of a band, a slope, an accrual) is pure.
 */
function memoized(f: (value: unknown) => unknown): { call: (value: unknown) => unknown; known: Float64Array } {
  const known = new Float64Array(MEMO_HIGH - MEMO_LOW).fill(NaN);
  const call = (value: unknown) => {
    if (typeof value === "number" && value >= MEMO_LOW && value < MEMO_HIGH && (value | 0) === value && !Object.is(value, -0)) {
      const slot = value - MEMO_LOW;
      const hit = known[slot];
      if (hit === hit) return hit;
      const result = f(value);
      if (typeof result === "number") known[slot] = result;
      return result;
    }
    return f(value);
  };
  return { call, known };
}

/** Expression of f(value): a table lookup for finite sources, a call otherwise (`memo`: f is pure and numeric). */
function unaryExpression(source: Source, f: (value: unknown) => unknown, k: Constants, at: string, memo = false): string {
  if (source.kind === "const") return k.ref(f(source.value));
  if (source.kind === "finite") return `${k.ref(source.values.map(f))}[${k.ref(source.codes)}[${at}] + 1]`;
  if (!memo) return `${k.ref(f)}(${valueExpression(source, k, at)})`;
  // The remembered result is read inline; a miss (or −0, or a value outside the table) calls the memoised f.
  // Every test runs before the table is read, hit or miss: a test first reached on the first hit would lack type
  // feedback and throw the optimised scorer back to the interpreter (−0 is the one whole number whose 1/y is −∞).
  const { call, known } = memoized(f);
  const low = k.ref(MEMO_LOW);
  return (
    `((y = ${valueExpression(source, k, at)}) === y && (y | 0) === y && y >= ${low} && y < ${k.ref(MEMO_HIGH)} && 1 / y > ${k.ref(-Infinity)} && ` +
    `(t = ${k.ref(known)}[y - ${low}]) === t ? t : ${k.ref(call)}(y))`
  );
}

/** Expression of a test f(value) at `at`: a 0/1 table for finite sources, a call otherwise. */
function predicateExpression(source: Source, f: (value: unknown) => boolean, k: Constants, at: string): string {
  if (source.kind === "const") return f(source.value) ? "true" : "false";
  if (source.kind === "finite") return `(${k.ref(Uint8Array.from(source.values, (value) => (f(value) ? 1 : 0)))}[${k.ref(source.codes)}[${at}] + 1] === 1)`;
  return `${k.ref(f)}(${valueExpression(source, k, at)})`;
}

/** Keys seen in one row's records (SameValueZero, as a Set compares): a short list, a Set past a few dozen. */
class KeySet {
  private readonly keys: unknown[] = [];
  private count = 0;
  private set: Set<unknown> | undefined;
  readonly reset = (): void => {
    this.count = 0;
    this.set = undefined;
  };
  /** Adds the key; false when it was there already. */
  readonly add = (key: unknown): boolean => {
    if (this.set) {
      if (this.set.has(key)) return false;
      this.set.add(key);
      return true;
    }
    const keys = this.keys;
    for (let m = 0; m < this.count; m++) if (keys[m] === key || (keys[m] !== keys[m] && key !== key)) return false;
    if (this.count === 32) {
      this.set = new Set(keys.slice(0, 32));
      this.set.add(key);
      return true;
    }
    keys[this.count++] = key;
    return true;
  };
}

/** One row's per-record candidates, totalled by perRecordTotal (onceBy with other points, or group caps). */
class CandidateList {
  private list: RecordCandidate[] = [];
  constructor(
    private readonly onceBy: boolean,
    private readonly groupCap: number | undefined,
  ) {}
  readonly reset = (): void => {
    this.list = [];
  };
  readonly push = (index: number, points: number, onceKey: unknown, groupKey: unknown): void => {
    this.list.push({ index, points, onceKey, groupKey });
  };
  readonly total = (): number => (this.list.length === 0 ? 0 : totalOfRecords(this.list, this.onceBy, this.groupCap).total);
}


interface ConditionScope {
  source(id: Id): Source;
  levels(id: Id): readonly string[] | undefined;
  /** Same validation and errors as the closure form. */
  validate(node: Condition): void;
}

function conditionExpression(node: Condition, scope: ConditionScope, k: Constants, at: string): string {
  const kind = booleanKind(node);
  if (kind === "all" || kind === "any") {
    const children = ((node as unknown as Record<string, Condition[]>)[kind]).map((child) => conditionExpression(child, scope, k, at));
    if (children.length === 0) return "true";
    return `(${children.join(kind === "all" ? " && " : " || ")})`;
  }
  if (kind === "not") return `!(${conditionExpression((node as { not: Condition }).not, scope, k, at)})`;
  const fact = node as FactCondition;
  if (fact.path) throw new NeedsRows("a condition with a JSONPath path");
  const { operator, context } = operatorFor(String(fact.operator), scope.levels(fact.fact));
  const holds = (value: unknown, against: unknown) => operator.guard(value) && operator.evaluate(value, against, context);
  const left = scope.source(fact.fact);
  if (isFactReference(fact.value)) {
    if (fact.value.path) throw new NeedsRows("a condition with a JSONPath path");
    const right = scope.source(fact.value.fact);
    const contextArgument = context === undefined ? "" : `, ${k.ref(context)}`;
    return `(t = ${valueExpression(left, k, at)}, ${k.ref(operator.guard)}(t) && ${k.ref(operator.evaluate)}(t, ${valueExpression(right, k, at)}${contextArgument}))`;
  }
  const literal = fact.value;
  if (left.kind === "const") return holds(left.value, literal) ? "true" : "false";
  if (left.kind === "finite") {
    const table = Uint8Array.from(left.values, (value) => (holds(value, literal) ? 1 : 0));
    return `(${k.ref(table)}[${k.ref(left.codes)}[${at}] + 1] === 1)`;
  }
  const inline: Record<string, string> = {
    lessThan: "<",
    lessThanInclusive: "<=",
    greaterThan: ">",
    greaterThanInclusive: ">=",
    equal: "===",
  };
  const symbol = typeof literal === "number" && Object.hasOwn(inline, String(fact.operator)) ? inline[String(fact.operator)] : undefined;
  // A missing number reads as NaN here and as undefined in the engine: both fail these comparisons.
  if (symbol && left.kind === "number" && left.missing === undefined) return `(${k.ref(left.column)}[${at}] ${symbol} ${k.ref(literal)})`;
  // Derived facts are numbers or undefined (never text), so the numeric guard is the comparison itself.
  if (symbol && left.kind === "local") return `(${left.expression} ${symbol} ${k.ref(literal)})`;
  const contextArgument = context === undefined ? "" : `, ${k.ref(context)}`;
  return `(t = ${valueExpression(left, k, at)}, ${k.ref(operator.guard)}(t) && ${k.ref(operator.evaluate)}(t, ${k.ref(literal)}${contextArgument}))`;
}

/** Where a records fact's records live for each row. */
interface RecordsAccess {
  /** [start, end) of row i's records; a missing fact has none. */
  column: RecordsColumn | undefined;
  definition: FactDefinition | undefined;
}

class ColumnarBuilder {
  readonly table: FactTable;
  readonly when: EvaluationDate;
  constructor(
    readonly doc: StandardDocument,
    readonly cohort: Cohort,
    date: IsoDate,
  ) {
    this.table = prepareFacts(doc).table;
    this.when = evaluationDate(date);
  }

  /** An applicant fact as FactTable reads it from a decoded row. */
  applicantSource(id: Id): Source {
    const slot = this.table.slot(id);
    if (slot.kind === "derived") return { kind: "local", expression: `d${slot.index}` };
    if (slot.kind === "list") return { kind: "const", value: slot.value };
    const column = this.cohort.factIds.includes(id) ? this.cohort.columns[id] : undefined;
    // FactTable.load: a missing value takes the default (`default ?? value`); undeclared facts have none.
    const fallback = slot.kind === "declared" ? (this.table.definitions.get(id)?.default ?? undefined) : undefined;
    if (!column) return { kind: "const", value: fallback };
    if (column.kind === "records") throw new NeedsRows(`the records fact "${id}" read as a value`);
    return columnSource(column, fallback);
  }

  applicantScope(): ConditionScope {
    const context = this.table.applicantContext();
    return {
      source: (id) => this.applicantSource(id),
      levels: (id) => this.table.levels(id),
      validate: (node) => void compileCondition(node, context),
    };
  }

  records(id: Id): RecordsAccess {
    const slot = this.table.slot(id);
    if (slot.kind !== "declared") throw new NeedsRows(`records read from "${id}", which is not a declared fact`);
    const definition = this.table.definitions.get(id);
    const fallback = definition?.default;
    if (Array.isArray(fallback) && fallback.length > 0) throw new NeedsRows(`the records fact "${id}" has default records`);
    const column = this.cohort.factIds.includes(id) ? this.cohort.columns[id] : undefined;
    if (column && column.kind !== "records") throw new NeedsRows(`the fact "${id}" is not stored as records`);
    return { column, definition };
  }

  /** A field of a record: `forCondition` also sees lists (recordContext), else the field only (fieldReader). */
  fieldSource(access: RecordsAccess, fieldId: Id, forCondition: boolean): Source {
    const declared = access.definition?.fields?.find((field) => field.id === fieldId);
    if (forCondition && this.table.lists.has(fieldId) && !declared) return { kind: "const", value: this.table.lists.get(fieldId) };
    // withDefault: applies only when the field declares a default, and then also to null.
    const missing = declared && declared.default !== undefined ? declared.default : undefined;
    const index = access.column ? access.column.fieldIds.indexOf(fieldId) : -1;
    if (!access.column || index < 0) return { kind: "const", value: missing };
    return columnSource(access.column.fields[index], missing);
  }

  /** The `where` condition of a records loop as an expression of record index `r` (undefined: none). */
  whereExpression(recordsId: Id, access: RecordsAccess, where: Condition | undefined, k: Constants): string | undefined {
    if (!where) return undefined;
    const context = this.table.recordContext(recordsId);
    compileCondition(where, context);
    const scope: ConditionScope = {
      source: (fieldId) => this.fieldSource(access, fieldId, true),
      levels: (fieldId) => context.levels(fieldId),
      validate: () => undefined,
    };
    return conditionExpression(where, scope, k, "r");
  }

  /** A lookback window (`within`) as an expression of record index `r` (undefined: none). */
  windowExpression(access: RecordsAccess, within: Lookback | undefined, k: Constants): string | undefined {
    if (!within) return undefined;
    if (within.anchor !== undefined) throw new NeedsRows("a window measured from a date fact");
    if (isExtendedWindow(within)) {
      const bounds = fixedWindowBounds(within, this.when);
      return predicateExpression(this.fieldSource(access, within.dateField, false), (value) => insideWindow(value, bounds), k, "r");
    }
    const start = this.when.lookbackStart(within.years ?? 0, within.months ?? 0);
    const iso = this.when.iso;
    const inWindow = (value: unknown) => typeof value === "string" && value > start && value <= iso && isIsoDate(value);
    return predicateExpression(this.fieldSource(access, within.dateField, false), inWindow, k, "r");
  }

  /** Skips record r unless each test holds (the tests are pure, so their order changes nothing). */
  private skipUnless(tests: (string | undefined)[]): string[] {
    return tests.filter((test): test is string => test !== undefined).map((test) => `if (!${test}) continue;`);
  }

  /**
   * `target`'s value from row i's records: `empty` when the row has none (most rows have none of most lists), else
   * what a function generated from `body` returns (a labelled block that leaves with `break <label>`, with
   * constants of its own `k`). Each records loop is a small function of its own: it is optimised, and
   * re-optimised when a rare path first runs, without recompiling the whole scorer.
   */
  private recordsBlock(
    kind: "aggregate" | "periods" | "perRecord",
    column: RecordsColumn | undefined,
    target: string,
    empty: unknown,
    body: (start: string, label: string, k: Constants) => string[],
  ): RecordsCall {
    if (!column) return { target, empty, column };
    const k = new Constants();
    const label = "l0";
    const loop = k.compile<(i: number) => unknown>(
      [
        `return function ${kind}(i) {`,
        "let s, t, u, v, w, p = 0, x = 0, y = 0, a = 0, b = 0, n = 0, m = 0;",
        `let ${target} = ${k.ref(empty)};`,
        `${label}: {`,
        ...body(k.ref(column.start), label, k),
        "}",
        `return ${target};`,
        "};",
      ],
      assertColumnarSource,
    ).value;
    return { target, empty, column, loop };
  }

  aggregate(derived: AggregateDerived, target: string): RecordsCall {
    const access = this.records(derived.records);
    const op = derived.op;
    const empty = op === "count" || op === "sum" ? 0 : undefined;
    return this.recordsBlock("aggregate", access.column, target, empty, (start, _label, k) => {
      const tests = [this.windowExpression(access, derived.within, k), this.whereExpression(derived.records, access, derived.where, k)];
      const lines = [`const stop = ${start}[i + 1];`, "let count = 0, s = 0, lo, hi;"];
      let distinct: KeySet | undefined;
      if (derived.distinctBy) {
        distinct = new KeySet();
        lines.push(`${k.ref(distinct.reset)}();`);
      }
      lines.push(`for (let r = ${start}[i]; r < stop; r++) {`, ...this.skipUnless(tests));
      if (distinct && derived.distinctBy) {
        lines.push(`v = ${valueExpression(this.fieldSource(access, derived.distinctBy, false), k, "r")};`);
        lines.push(`if (v !== undefined && v !== null && !${k.ref(distinct.add)}(v)) continue;`);
      }
      lines.push("count = count + 1;");
      if (derived.field && op !== "count") {
        lines.push(`v = ${valueExpression(this.fieldSource(access, derived.field, false), k, "r")};`);
        lines.push(`if (${k.ref(isNumber)}(v)) {`);
        if (op === "sum") lines.push(`s = ((t = s + v) | 0) === t ? t + 0 : ${k.ref(exact)}(t);`);
        if (op === "min") lines.push("if (lo === undefined || v < lo) lo = v;");
        if (op === "max") lines.push("if (hi === undefined || v > hi) hi = v;");
        lines.push("}");
      }
      lines.push("}", `${target} = ${op === "count" ? "count" : op === "sum" ? "s" : op === "min" ? "lo" : "hi"};`);
      return lines;
    });
  }

  periods(derived: PeriodsDerived, target: string): RecordsCall {
    if (isExtendedPeriods(derived)) return this.decodedPeriods(derived, target);
    const access = this.records(derived.records);
    const column = access.column;
    return this.recordsBlock("periods", column, target, 0, (start, label, k) => {
      const where = this.whereExpression(derived.records, access, derived.where, k);
      // The first day not covered: the evaluation day under level 1.0, the day after it from 1.1 (decision 022).
      const today = this.when.day + (periodsIncludeEvaluationDay(this.doc) ? 1 : 0);
      const civil = civilTableOf();
      // Each record's [start, end) in day numbers: NaN = skip the record; an open end (no date) runs to today.
      const startOf = (value: unknown) => dayOfIso(value);
      const endOf = (value: unknown) => {
        const last = value === undefined || value === null || value === "" ? Infinity : dayOfIso(value);
        return last === Infinity ? today : Math.min(last + 1, today);
      };
      const civilOf = (day: number) => (day === day ? packedCivil(day, civil) : 0);
      // Day number and packed civil date of one end of record `at`: from per-code tables for dictionary columns
      // (dates are: the usual and the hot case), through calls otherwise. `slot` holds the code or the day number.
      const end = (source: Source, dayOf: (value: unknown) => number) => {
        if (source.kind !== "finite") {
          return (at: string, slot: string, day: string, civilDate: string) => [
            `${day} = ${unaryExpression(source, dayOf, k, at)};`,
            `${civilDate} = ${k.ref(civilOf)}(${day});`,
          ];
        }
        const days = Float64Array.from(source.values, dayOf);
        const civilDates = Int32Array.from(days, civilOf);
        return (at: string, slot: string, day: string, civilDate: string) => [
          `${slot} = ${k.ref(source.codes)}[${at}] + 1;`,
          `${day} = ${k.ref(days)}[${slot}];`,
          `${civilDate} = ${k.ref(civilDates)}[${slot}];`,
        ];
      };
      const from = end(this.fieldSource(access, derived.startField, false), startOf);
      const to = end(this.fieldSource(access, derived.endField, false), endOf);
      const months = k.ref(monthsBetweenPacked);
      const byDays = derived.unit === "days";
      // Length of the span [start day, end day) whose civil dates are (from, to).
      const span = (startDay: string, endDay: string, fromCivil: string, toCivil: string) =>
        byDays ? `(${endDay} - ${startDay})` : `${months}(${fromCivil}, ${toCivil})`;
      const finish = (sum: string) => `${target} = ${derived.unit === "years" ? `${k.ref(Math.floor)}(${sum} / 12)` : sum};`;
      const gap = k.ref(derived.allowGapDays ?? 0);
      const continuous = derived.mode === "continuous";
      const lines = [`let r = ${start}[i];`, `const stop = ${start}[i + 1];`];
      // A record: a, v (start and end day), b, w (their civil dates); a second one: n, m, x, y.
      const first = [...from("r", "x", "a", "b"), ...to("r", "y", "v", "w")];
      if (!where) {
        // Most applicants list one or two spans: those are measured without the sort scratch.
        lines.push("if (stop - r === 1) {", ...first, `if (a < v) ${finish(span("a", "v", "b", "w"))}`, `break ${label};`, "}");
        lines.push(
          "if (stop - r === 2) {",
          ...first,
          ...from("r + 1", "x", "n", "x"),
          ...to("r + 1", "y", "m", "y"),
          // NaN (no date) fails these tests too.
          `if (!(a < v)) t = n < m ? ${span("n", "m", "x", "y")} : 0;`,
          `else if (!(n < m)) t = ${span("a", "v", "b", "w")};`,
          "else {",
          // Both tests of the tie run for every pair (& rather than &&): a test first reached late lacks type feedback.
          "if (n < a || ((n === a) & (m < v))) { t = a; a = n; n = t; t = v; v = m; m = t; t = b; b = x; x = t; t = w; w = y; y = t; }",
          `if (n <= v) { if (m > v) { v = m; w = y; } t = ${span("a", "v", "b", "w")}; }`,
          continuous
            ? `else t = n - v <= ${gap} ? ${span("a", "v", "b", "w")} + ${span("n", "m", "x", "y")} : ${span("n", "m", "x", "y")};`
            : `else t = ${span("a", "v", "b", "w")} + ${span("n", "m", "x", "y")};`,
          "}",
          finish("t"),
          `break ${label};`,
          "}",
        );
      }
      // Any number of records: sorted by (start, end) into scratch as long as the longest row's records.
      let longest = 1;
      if (column) for (let i = 0; i < this.cohort.size; i++) longest = Math.max(longest, column.start[i + 1] - column.start[i]);
      const scratch = { arrays: [new Float64Array(longest), new Float64Array(longest), new Int32Array(longest), new Int32Array(longest)], capacity: new Int32Array([longest]) };
      const grow = (needed: number) => {
        scratch.arrays.splice(0, 4, new Float64Array(needed), new Float64Array(needed), new Int32Array(needed), new Int32Array(needed));
        scratch.capacity[0] = needed;
      };
      const arrays = k.ref(scratch.arrays);
      lines.push(
        // Rows added to the cohort after binding may hold more records than any row did.
        `if (stop - r > ${k.ref(scratch.capacity)}[0]) ${k.ref(grow)}(stop - r);`,
        `const sa = ${arrays}[0], ea = ${arrays}[1], sc = ${arrays}[2], ec = ${arrays}[3];`,
        "let count = 0;",
        "for (; r < stop; r++) {",
        ...this.skipUnless([where]),
        ...first,
        "if (!(a < v)) continue;",
        "n = count; count = count + 1;",
        "while (n > 0 && (sa[n - 1] > a || (sa[n - 1] === a && ea[n - 1] > v))) {",
        "sa[n] = sa[n - 1]; ea[n] = ea[n - 1]; sc[n] = sc[n - 1]; ec[n] = ec[n - 1]; n = n - 1;",
        "}",
        "sa[n] = a; ea[n] = v; sc[n] = b; ec[n] = w;",
        "}",
        `if (count === 0) break ${label};`,
        // Merge overlapping and touching spans in place; m is the last merged span.
        "m = 0;",
        "for (n = 1; n < count; n++) {",
        "if (sa[n] <= ea[m]) { if (ea[n] > ea[m]) { ea[m] = ea[n]; ec[m] = ec[n]; } }",
        "else { m = m + 1; sa[m] = sa[n]; ea[m] = ea[n]; sc[m] = sc[n]; ec[m] = ec[n]; }",
        "}",
        // "continuous": only the last run of spans separated by at most allowGapDays counts.
        continuous ? `n = m; while (n > 0 && sa[n] - ea[n - 1] <= ${gap}) n = n - 1;` : "n = 0;",
        "t = 0;",
        `for (; n <= m; n++) t = t + ${span("sa[n]", "ea[n]", "sc[n]", "ec[n]")};`,
        finish("t"),
      );
      return lines;
    });
  }

  /**
   * Periods with a window, `except`, `groupBy`, gaps in months or calendar months: only the facts they read (their
   * records, the `except` records, a declared anchor) are decoded for a row that has records, and measured by the
   * function the other paths use, so the rest of the program stays on columns.
   */
  private decodedPeriods(derived: PeriodsDerived, target: string): RecordsCall {
    const access = this.records(derived.records);
    const reads = [derived.records];
    if (derived.except) {
      this.records(derived.except.records);
      reads.push(derived.except.records);
    }
    const anchor = derived.within?.anchor;
    if (anchor !== undefined) {
      if (this.table.slot(anchor).kind !== "declared") throw new NeedsRows("a period window measured from a derived date");
      reads.push(anchor);
    }
    if (!access.column) return { target, empty: 0, column: undefined };
    // The cohort's own columns, a candidate's view included (decision 028: his columns stand in for the fact's).
    const readers = reads.map((id) => {
      const column = this.cohort.columns[id];
      return column ? columnValueReader({ ...this.cohort, factIds: [id], columns: { [id]: column } }, id) : () => undefined;
    });
    const measure = compileDerived([derived], this.table, { periodsIncludeEvaluationDay: periodsIncludeEvaluationDay(this.doc) });
    const when = this.when;
    const scope: ApplicantScope = { facts: {}, derived: [undefined] };
    const loop = (i: number): unknown => {
      const facts: Record<string, unknown> = {};
      for (let r = 0; r < reads.length; r++) facts[reads[r]] = readers[r](i);
      scope.facts = facts;
      measure.compute(scope, when);
      return scope.derived[0];
    };
    return { target, empty: 0, column: access.column, loop };
  }

  perRecord(scoring: PerRecordScoring, target: string): RecordsCall {
    const access = this.records(scoring.records);
    return this.recordsBlock("perRecord", access.column, target, 0, (start, _label, k) => {
      const tests = [this.whereExpression(scoring.records, access, scoring.where, k), this.windowExpression(access, scoring.within, k)];
      const exactName = k.ref(exact);
      const field = (id: Id) => valueExpression(this.fieldSource(access, id, false), k, "r");
      const lines = [`const stop = ${start}[i + 1], first = ${start}[i];`, `let s = 0, p = ${k.ref(scoring.points ?? 0)};`];
      const perUnit = scoring.perUnit;
      const quantity = perUnit
        ? [`v = ${field(perUnit.field)};`, `if (!${k.ref(isNumber)}(v)) continue;`, `p = ${exactName}(${k.ref(perUnit.rate)} * v);`]
        : [];
      const add = `s = ((t = s + p) | 0) === t ? t + 0 : ${exactName}(t);`;
      const loop = (body: string[]) => lines.push("for (let r = first; r < stop; r++) {", ...this.skipUnless(tests), ...quantity, ...body, "}");
      if (!scoring.onceBy && !scoring.groupCap) {
        loop([add]);
        lines.push(`${target} = s;`);
      } else if (scoring.onceBy && !scoring.groupCap && !perUnit) {
        // onceBy alone with fixed points: every record is worth the same, so "the largest of each act" is the
        // first of each act, and the total is those records plus the ones without an act.
        const acts = new KeySet();
        lines.push(`${k.ref(acts.reset)}();`);
        loop([`v = ${field(scoring.onceBy)};`, `if (v !== undefined && v !== null && !${k.ref(acts.add)}(v)) continue;`, add]);
        lines.push(`${target} = s;`);
      } else {
        // Largest per act, then the group caps: perRecordTotal over the row's candidates.
        const byYear = scoring.groupCap?.byYear;
        const groupOf = (value: unknown) => groupKeyOf(value, byYear);
        const candidates = new CandidateList(Boolean(scoring.onceBy), scoring.groupCap?.cap);
        lines.push(`${k.ref(candidates.reset)}();`);
        const once = scoring.onceBy ? field(scoring.onceBy) : "undefined";
        const group = scoring.groupCap ? unaryExpression(this.fieldSource(access, scoring.groupCap.by, false), groupOf, k, "r") : "undefined";
        loop([`${k.ref(candidates.push)}(r - first, p, ${once}, ${group});`]);
        lines.push(`${target} = ${k.ref(candidates.total)}();`);
      }
      return lines;
    });
  }

  /** Statements declaring `target`, the derived fact's value for row i. */
  derivedStatements(derived: DerivedFact, target: string, k: Constants): string[] {
    if (derived.kind === "aggregate") return recordsStatements([this.aggregate(derived, target)], k);
    if (derived.kind === "periods") return recordsStatements([this.periods(derived, target)], k);
    return [`const ${target} = ${this.derivedExpression(derived, k)};`];
  }

  /** Whether a min/max combine may see dates (a date fact, or another such combine, among its operands). */
  dateValued(derived: DerivedFact): boolean {
    if (derived.kind !== "combine" || (derived.op !== "min" && derived.op !== "max")) return false;
    return derived.of.some((entry) => {
      if (typeof entry !== "string") return false;
      if (this.table.definitions.get(entry)?.type === "date") return true;
      const other = this.doc.derived?.find((candidate) => candidate.id === entry);
      return other !== undefined && other !== derived && this.dateValued(other);
    });
  }

  derivedExpression(derived: Exclude<DerivedFact, AggregateDerived | PeriodsDerived>, k: Constants): string {
    const calendar = this.when.calendar;
    switch (derived.kind) {
      case "age": {
        const age = (value: unknown) => {
          const months = wholeMonthsFromIso(value, calendar);
          return months === undefined ? undefined : Math.floor(months / 12);
        };
        return unaryExpression(this.applicantSource(derived.birthDate), age, k, "i");
      }
      case "duration": {
        const unit = derived.unit;
        if (derived.monthCount === "calendar" && unit !== "days") {
          const inUnit = (months: number) => (unit === "years" ? Math.floor(months / 12) : months);
          const toEvaluation = (value: unknown) => {
            const from = parseIsoDate(value);
            return from ? inUnit(calendarMonthsBetween(from, calendar)) : undefined;
          };
          if (!derived.to) return unaryExpression(this.applicantSource(derived.from), toEvaluation, k, "i");
          const between = (fromValue: unknown, toValue: unknown) => {
            const from = parseIsoDate(fromValue);
            const to = parseIsoDate(toValue);
            return from && to ? inUnit(calendarMonthsBetween(from, to)) : undefined;
          };
          const from = valueExpression(this.applicantSource(derived.from), k, "i");
          return `${k.ref(between)}(${from}, ${valueExpression(this.applicantSource(derived.to), k, "i")})`;
        }
        if (!derived.to && unit !== "days") {
          const span = (value: unknown) => {
            const months = wholeMonthsFromIso(value, calendar);
            if (months === undefined) return undefined;
            return unit === "years" ? Math.floor(months / 12) : months;
          };
          return unaryExpression(this.applicantSource(derived.from), span, k, "i");
        }
        const between = (from: number, to: number) => {
          if (Number.isNaN(from) || Number.isNaN(to)) return undefined;
          if (unit === "years") return Math.floor(wholeMonthsBetweenDays(from, to) / 12);
          if (unit === "months") return wholeMonthsBetweenDays(from, to);
          const days = to - from;
          return days < 0 ? 0 : days;
        };
        const from = unaryExpression(this.applicantSource(derived.from), isoDayNumber, k, "i");
        const to = derived.to ? unaryExpression(this.applicantSource(derived.to), isoDayNumber, k, "i") : k.ref(this.when.day);
        return `${k.ref(between)}(${from}, ${to})`;
      }
      case "combine": {
        const op = derived.op;
        const combineAll = combineValues(derived);
        const combine = derived.weights || op === "difference" || this.dateValued(derived)
          ? (...values: unknown[]) => combineAll(values)
          : (...values: unknown[]) => {
              let result: number | undefined;
              for (const value of values) {
                if (!isFiniteNumber(value)) return undefined;
                if (result === undefined) result = value;
                else if (op === "sum") result = round(result + value);
                else if (op === "min") result = value < result ? value : result;
                else result = value > result ? value : result;
              }
              return result;
            };
        const operands = derived.of.map((entry) =>
          typeof entry === "number" ? k.ref(entry) : valueExpression(this.applicantSource(entry), k, "i"),
        );
        return `${k.ref(combine)}(${operands.join(", ")})`;
      }
      default:
        throw new Error(`Unknown derived kind: ${String((derived as { kind: unknown }).kind)}`);
    }
  }
}

/** A records loop's result `target`: `empty` for a row without records, else `loop(i)` (no loop: no column). */
interface RecordsCall {
  target: string;
  empty: unknown;
  column: RecordsColumn | undefined;
  loop?: (i: number) => unknown;
}

/**
 * Statements declaring each call's target for row i. Calls over the same records share one test: a row's records
 * are start[i] … start[i+1]−1, and a missing list has none.
 */
function recordsStatements(calls: RecordsCall[], k: Constants): string[] {
  const lines: string[] = [];
  const byColumn = new Map<RecordsColumn | undefined, RecordsCall[]>();
  for (const call of calls) byColumn.set(call.column, [...(byColumn.get(call.column) ?? []), call]);
  for (const [column, group] of byColumn) {
    for (const call of group) lines.push(`let ${call.target} = ${k.ref(call.empty)};`);
    if (!column) continue;
    const start = k.ref(column.start);
    lines.push(`if (${start}[i + 1] !== ${start}[i]) {`, ...group.map((call) => `${call.target} = ${k.ref(call.loop)}(i);`), "}");
  }
  return lines;
}

interface Scratch {
  items: Float64Array;
  itemPoints: Float64Array;
  categories: Float64Array;
  failedGate: Uint8Array;
  derived: unknown[];
  state: Float64Array;
}

function generateRowScorer(
  doc: StandardDocument,
  programId: Id,
  cohort: Cohort,
  date: IsoDate,
  scratch: Scratch,
  shared: Shared | undefined,
): (i: number) => number {
  const program = findProgram(doc, programId);
  const builder = new ColumnarBuilder(doc, cohort, date);
  const scope = builder.applicantScope();
  const k = new Constants();
  const exactName = k.ref(exact);
  const capName = k.ref(capMagnitude);
  const isNumberName = k.ref(isNumber);
  // exact(a + b) inline: whole sums skip the rounding call (`+ 0` turns −0 into 0, as exact does).
  const sum = (a: string, b: string) => `(((s = ${a} + ${b}) | 0) === s ? s + 0 : ${exactName}(s))`;
  const finish = (points: number, cap: number | undefined) => exact(capMagnitude(points, cap));
  const condition = (node: Condition) => {
    scope.validate(node);
    return conditionExpression(node, scope, k, "i");
  };
  const value = (id: Id) => valueExpression(builder.applicantSource(id), k, "i");

  const { categoryIndex, applicable, itemCategory, groups } = programLayout(doc, programId);

  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const items = k.ref(scratch.items);
  const cats = k.ref(scratch.categories);
  const gatesName = k.ref(scratch.failedGate);
  const stName = k.ref(scratch.state);
  const dvName = k.ref(scratch.derived);
  out("return function score(i) {");
  out("let s, t, u, v, w, p = 0, x = 0, y = 0, a = 0, b = 0, n = 0, m = 0;");
  const sharedDerived = shared ? k.ref(shared.scratch.derived) : undefined;
  orderDerived(doc).forEach((derived, index) => {
    if (sharedDerived) out(`const d${index} = ${sharedDerived}[${index}];`);
    else builder.derivedStatements(derived, `d${index}`, k).forEach(out);
    out(`${dvName}[${index}] = d${index};`);
  });
  const itemPoints = k.ref(scratch.itemPoints);
  // Per-record items are calls of their records loops: all of them run here, before the items, while few values
  // are live (a call in the middle of the items would spill every item's points). They are pure, so running one
  // whose item's condition then fails changes nothing.
  const perRecordCalls: RecordsCall[] = [];
  doc.items.forEach((item, index) => {
    if (!applicable[index] || item.scoring.kind !== "perRecord") return;
    if (shared && shared.itemIndex.get(JSON.stringify(item)) !== undefined) return;
    perRecordCalls.push(builder.perRecord(item.scoring, `e${index}`));
  });
  recordsStatements(perRecordCalls, k).forEach(out);
  // Item points and category subtotals live in locals (q<item>, k<category>) and reach the scratch arrays once.
  doc.items.forEach((item, index) => {
    if (!applicable[index]) {
      out(`const q${index} = 0;`);
      out(`${itemPoints}[${index}] = 0;`);
      return;
    }
    const same = shared?.itemIndex.get(JSON.stringify(item));
    if (shared && same !== undefined) {
      out(`let q${index} = ${k.ref(shared.scratch.itemPoints)}[${same}];`);
      out(`${itemPoints}[${index}] = q${index};`);
      return;
    }
    out("p = 0;");
    out(`if (${item.when ? condition(item.when) : "true"}) {`);
    const scoring = item.scoring;
    // The item's cap and rounding are folded into its points wherever they are known before the row is read.
    let finished = true;
    switch (scoring.kind) {
      case "fixed":
        out(`p = ${k.ref(finish(scoring.points, item.cap))};`);
        break;
      case "tiers": {
        const points = k.ref(scoring.tiers.map((tier) => tier.points));
        const finishedPoints = k.ref(scoring.tiers.map((tier) => finish(tier.points, item.cap)));
        out("x = -1;");
        scoring.tiers.forEach((tier, tierIndex) => {
          out(`if ((x < 0 || ${points}[${tierIndex}] > ${points}[x]) && ${condition(tier.when)}) x = ${tierIndex};`);
        });
        out(`p = x < 0 ? 0 : ${finishedPoints}[x];`);
        break;
      }
      case "bands": {
        const cap = item.cap;
        const band = (input: unknown) => {
          const found = matchingBand(scoring, input);
          return round(capped(found < 0 ? 0 : scoring.bands[found].points, cap));
        };
        out(`p = ${unaryExpression(builder.applicantSource(scoring.fact), band, k, "i", true)};`);
        break;
      }
      case "linear":
      case "accrual": {
        const cap = item.cap;
        const points = (input: unknown) =>
          round(capped(!isFiniteNumber(input) ? 0 : scoring.kind === "linear" ? linear(scoring, input) : accrual(scoring, input), cap));
        out(`p = ${unaryExpression(builder.applicantSource(scoring.fact), points, k, "i", true)};`);
        break;
      }
      case "perRecord":
        out(`p = e${index};`);
        finished = false;
        break;
    }
    if (item.vesting) {
      out(`y = ${value(item.vesting.fact)};`);
      out(`if (!(${isNumberName}(y) && y >= ${k.ref(item.vesting.atLeast)})) p = 0;`);
    }
    // exact(capMagnitude(0, cap)) is 0.
    if (!finished) out(item.cap !== undefined ? `p = p === 0 ? 0 : ${exactName}(${capName}(p, ${k.ref(item.cap)}));` : `p = p === 0 ? 0 : ${exactName}(p);`);
    out("}");
    out(`let q${index} = p;`);
    out(`${itemPoints}[${index}] = p;`);
  });

  groups.forEach((group, g) => {
    const members = group.members;
    out(`let g${g} = 0;`);
    if (group.mode === "highestOnly") {
      // The first member with the highest points keeps them; the others get 0.
      out(`x = 0; y = q${members[0]};`);
      for (let m = 1; m < members.length; m++) out(`if (q${members[m]} > y) { x = ${m}; y = q${members[m]}; }`);
      members.forEach((member, m) => out(`if (x !== ${m}) q${member} = 0;`));
    } else {
      out("y = 0;");
      for (const member of members) out(`y = ${sum("y", `q${member}`)};`);
      out(`x = ${capName}(y, ${k.ref(group.cap)});`);
      out(`if (x !== y) g${g} = ${exactName}(x - y);`);
    }
  });
  doc.items.forEach((_, index) => out(`${items}[${index}] = q${index};`));
  const categoryCount = doc.categories.length;
  for (let c = 0; c < categoryCount; c++) out(`let k${c} = 0;`);
  itemCategory.forEach((category, index) => {
    if (category >= 0 && applicable[index]) out(`k${category} = ${sum(`k${category}`, `q${index}`)};`);
  });
  groups.forEach((group, g) => {
    const category = itemCategory[group.members[0]];
    if (group.mode === "cap" && category >= 0) out(`if (g${g} !== 0) k${category} = ${sum(`k${category}`, `g${g}`)};`);
  });
  out("let total = 0;");
  doc.categories.forEach((category, c) => {
    const first = categoryIndex.get(category.id) as number;
    if (first !== c) out(`k${c} = k${first};`);
    else if (category.cap !== undefined) out(`k${c} = ${capName}(k${c}, ${k.ref(category.cap)});`);
    out(`${cats}[${c}] = k${c};`);
    out(`total = ${sum("total", `k${c}`)};`);
  });
  const totalRule = program.total ?? doc.total;
  const totalAdjustments = totalAdjustmentsOf(doc, program);
  if (totalAdjustments.length > 0) {
    // Each percentage is of the total before any of them (decision 023).
    out("x = total;");
    for (const { adjustment, factor } of totalAdjustments) {
      const add = `total = ${sum("total", `${exactName}(x * ${k.ref(factor)})`)};`;
      out(adjustment.when ? `if (${condition(adjustment.when)}) ${add}` : add);
    }
  }
  if (totalRule?.floor !== undefined) out(`if (total < ${k.ref(totalRule.floor)}) total = ${k.ref(totalRule.floor)};`);
  if (totalRule?.cap !== undefined) out(`if (total > ${k.ref(totalRule.cap)}) total = ${k.ref(totalRule.cap)};`);
  out("let failed = 0;");
  const gates = (doc.gates ?? []).filter((gate) => appliesTo(gate.programs, programId));
  if (shared && shared.gatesKey === JSON.stringify(gates)) {
    const sharedGates = k.ref(shared.scratch.failedGate);
    out(`failed = ${k.ref(shared.scratch.state)}[2];`);
    gates.forEach((_, g) => out(`${gatesName}[${g}] = ${sharedGates}[${g}];`));
  } else {
    gates.forEach((gate, g) => {
      out(`if (${condition(gate.condition)}) ${gatesName}[${g}] = 0; else { ${gatesName}[${g}] = 1; failed = failed + 1; }`);
    });
  }
  out("let vetoed = 0;");
  const vetoes = (doc.vetoes ?? []).filter((veto) => appliesTo(veto.programs, programId));
  if (shared && shared.vetoesKey === JSON.stringify(vetoes)) out(`vetoed = ${k.ref(shared.scratch.state)}[1];`);
  else for (const veto of vetoes) out(`if (vetoed === 0 && ${condition(veto.condition)}) vetoed = 1;`);
  out(`total = ${exactName}(total);`);
  out(`${stName}[0] = total; ${stName}[1] = vetoed; ${stName}[2] = failed;`);
  out("return total;");
  out("};");
  return k.compile<(i: number) => number>(lines, assertColumnarSource).value;
}

export interface BindOptions {
  /**
   * Another program bound to the same cohort, date and program id whose document has the same facts, lists and
   * derived facts (two versions of a standard): this program then takes row i's derived facts, and the points of
   * every item, gate list and veto list identical in both documents, from it instead of computing them again, so
   * `derivedFrom.program.scoreRow(i)` must run before this program's `scoreRow(i)`. Ignored when the
   * definitions differ.
   */
  derivedFrom?: { program: ColumnarProgram; doc: StandardDocument };
}

/** What a program bound with `derivedFrom` may take from the other program's row scratch. */
interface Shared {
  scratch: Scratch;
  /** Item JSON → its index in the other document. */
  itemIndex: Map<string, number>;
  gatesKey: string;
  vetoesKey: string;
}

const scratchOf = new WeakMap<ColumnarProgram, Scratch>();

function sameDerivedDefinitions(a: StandardDocument, b: StandardDocument): boolean {
  const definitions = (doc: StandardDocument) => JSON.stringify([doc.facts, doc.lists ?? [], doc.derived ?? []]);
  return a === b || definitions(a) === definitions(b);
}

/** Binds a program to a columnar cohort and an evaluation date (see module comment). */
export function bindColumnar(doc: StandardDocument, programId: Id, cohort: Cohort, date: IsoDate, options: BindOptions = {}): ColumnarProgram {
  const persons = findProgram(doc, programId).persons;
  if (!persons) return bindOnePerson(doc, programId, cohort, date, options);
  // Sharing a what-if's derived facts would need the other version to choose the same candidates: not attempted.
  return bindCandidates(doc, persons, cohort, (view) => bindOnePerson(doc, programId, view, date, {}));
}

function bindOnePerson(doc: StandardDocument, programId: Id, cohort: Cohort, date: IsoDate, options: BindOptions): ColumnarProgram {
  const program = findProgram(doc, programId);
  const gates = (doc.gates ?? []).filter((gate) => appliesTo(gate.programs, programId));
  const derivedIds = orderDerived(doc).map((derived) => derived.id);
  const scratch: Scratch = {
    items: new Float64Array(doc.items.length),
    itemPoints: new Float64Array(doc.items.length),
    categories: new Float64Array(doc.categories.length),
    failedGate: new Uint8Array(gates.length),
    derived: new Array(derivedIds.length).fill(undefined),
    state: new Float64Array(3),
  };
  let scoreRow: (i: number) => number;
  let mode: ColumnarProgram["mode"] = "columns";
  let fallbackReason: string | undefined;
  try {
    const source = options.derivedFrom;
    const sourceScratch = source ? scratchOf.get(source.program) : undefined;
    const shared: Shared | undefined =
      source &&
      sourceScratch &&
      source.program.mode === "columns" &&
      source.program.programId === programId &&
      source.program.derivedIds.length === derivedIds.length &&
      sameDerivedDefinitions(source.doc, doc)
        ? {
            scratch: sourceScratch,
            itemIndex: new Map(source.doc.items.map((item, index) => [JSON.stringify(item), index])),
            gatesKey: JSON.stringify((source.doc.gates ?? []).filter((gate) => appliesTo(gate.programs, programId))),
            vetoesKey: JSON.stringify((source.doc.vetoes ?? []).filter((veto) => appliesTo(veto.programs, programId))),
          }
        : undefined;
    scoreRow = generateRowScorer(doc, programId, cohort, date, scratch, shared);
  } catch (error) {
    if (!(error instanceof NeedsRows || error instanceof EvalError)) throw error;
    mode = "rows";
    fallbackReason = error instanceof NeedsRows ? error.message : "code generation is not allowed here";
    scoreRow = rowScorer(doc, program.id, cohort, date, scratch, gates.map((gate) => gate.id));
  }
  const gateIds = gates.map((gate) => gate.id);
  const bound: ColumnarProgram = {
    standardId: doc.id,
    programId: program.id,
    itemIds: doc.items.map((item) => item.id),
    categoryIds: doc.categories.map((category) => category.id),
    gateIds,
    derivedIds,
    mode,
    fallbackReason,
    ...scratch,
    scoreRow,
    compact(i) {
      const total = scoreRow(i);
      const failedGates = gateIds.filter((_, g) => scratch.failedGate[g] === 1);
      const vetoed = scratch.state[1] === 1;
      return {
        eligible: failedGates.length === 0 && !vetoed,
        vetoed,
        failedGates,
        items: Array.from(scratch.items),
        categories: Array.from(scratch.categories),
        total,
      };
    },
  };
  scratchOf.set(bound, scratch);
  return bound;
}

/** The fallback: each row decoded to an object and scored by the compiled evaluator. */
function rowScorer(doc: StandardDocument, programId: Id, cohort: Cohort, date: IsoDate, scratch: Scratch, gateIds: Id[]): (i: number) => number {
  const compiled = compileOnePerson(doc, programId);
  const read = cohortRowReader(cohort, { reuse: true });
  const { derived } = prepareFacts(doc);
  const when = evaluationDate(date);
  const gatePosition = new Map(gateIds.map((id, g) => [id, g]));
  return (i) => {
    const facts = read(i);
    const score = compiled.score(facts, date);
    scratch.items.set(score.items);
    scratch.categories.set(score.categories);
    scratch.failedGate.fill(0);
    for (const id of score.failedGates) scratch.failedGate[gatePosition.get(id) as number] = 1;
    const scope: ApplicantScope = { facts, derived: scratch.derived };
    derived.compute(scope, when);
    scratch.state[0] = score.total;
    scratch.state[1] = score.vetoed ? 1 : 0;
    scratch.state[2] = score.failedGates.length;
    return score.total;
  };
}

/** Per-row outcome columns of a whole cohort. */
export interface ColumnarScores {
  total: Float64Array;
  eligible: Uint8Array;
  vetoed: Uint8Array;
}

export function scoreColumns(program: ColumnarProgram, size: number): ColumnarScores {
  const total = new Float64Array(size);
  const eligible = new Uint8Array(size);
  const vetoed = new Uint8Array(size);
  const state = program.state;
  for (let i = 0; i < size; i++) {
    total[i] = program.scoreRow(i);
    vetoed[i] = state[1];
    eligible[i] = state[1] === 0 && state[2] === 0 ? 1 : 0;
  }
  return { total, eligible, vetoed };
}
