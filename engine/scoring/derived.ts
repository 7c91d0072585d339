/**
 * Derived facts (age, duration, aggregate, combine, periods), computed in dependency order from the applicant's
 * facts and the evaluation date. Both scoring paths use this one implementation.
 *
 * Whole years and months are calendar-based (see dates.ts). Period records are inclusive of their end date; an
 * open end (missing end) runs to the evaluation date, and nothing after the evaluation date counts. Under language
 * level 1.0 the evaluation day itself is left out (decision 022: published versions replay as they were scored). Covered time
 * in months is the sum of whole calendar months of each unbroken stretch; years are those months divided by 12.
 */
import type {
  AggregateDerived,
  CombineDerived,
  Condition,
  DerivedFact,
  DurationDerived,
  FactDefinition,
  Id,
  IsoDate,
  Lookback,
  PeriodsDerived,
  StandardDocument,
} from "../../rules-schema/types";
import { periodsIncludeEvaluationDay } from "../../rules-schema/types";
import { APPLICANT, personFactKey } from "../../rules-schema/persons";
import { compileCondition } from "./conditions";
import {
  dayNumber,
  evaluationDate,
  isIsoDate,
  isoDayNumber,
  parseIsoDate,
  wholeMonthsBetween,
  wholeMonthsBetweenDays,
  wholeMonthsFromIso,
  wholeYearsBetween,
  type EvaluationDate,
} from "./dates";
import { FactTable, recordsOf, type ApplicantScope } from "./facts";
import { exact, isNumber } from "./points";
import {
  calendarMonthsBetween,
  compileExtendedPeriods,
  compileWindowBounds,
  insideWindow,
  isExtendedPeriods,
  isExtendedWindow,
} from "./windows";
import type { Facts } from "../types";

export class DerivedCycleError extends Error {
  readonly code = "engine.derivedCycle";
  constructor(readonly ids: Id[]) {
    super(`Derived facts depend on each other in a cycle: ${ids.join(" → ")}`);
  }
}

export function derivedDependencies(derived: DerivedFact): Id[] {
  switch (derived.kind) {
    case "age":
      return [derived.birthDate];
    case "duration":
      return derived.to ? [derived.from, derived.to] : [derived.from];
    case "aggregate":
      return derived.within?.anchor ? [derived.records, derived.within.anchor] : [derived.records];
    case "periods": {
      const dependencies = [derived.records];
      if (derived.except) dependencies.push(derived.except.records);
      if (derived.within?.anchor) dependencies.push(derived.within.anchor);
      return dependencies;
    }
    case "combine":
      return derived.of.filter((entry): entry is Id => typeof entry === "string");
  }
}

/** The derived facts in an order where each comes after the derived facts it uses. */
export function orderDerived(doc: StandardDocument): DerivedFact[] {
  const byId = new Map((doc.derived ?? []).map((derived) => [derived.id, derived]));
  const ordered: DerivedFact[] = [];
  const state = new Map<Id, "visiting" | "done">();
  const visit = (derived: DerivedFact, trail: Id[]) => {
    const seen = state.get(derived.id);
    if (seen === "done") return;
    if (seen === "visiting") throw new DerivedCycleError([...trail, derived.id]);
    state.set(derived.id, "visiting");
    for (const dependency of derivedDependencies(derived)) {
      const next = byId.get(dependency);
      if (next) visit(next, [...trail, derived.id]);
    }
    state.set(derived.id, "done");
    ordered.push(derived);
  };
  for (const derived of doc.derived ?? []) visit(derived, []);
  return ordered;
}

type Compute = (scope: ApplicantScope, date: EvaluationDate) => unknown;

export interface DerivedEvaluator {
  ids: Id[];
  /** Reads the applicant's declared facts into `scope.values`, then fills `scope.derived` (one slot per id, in `ids` order). */
  compute(scope: ApplicantScope, date: EvaluationDate): void;
}

/** What the document's language level changes in derived facts (decision 022). */
export interface DerivedLanguage {
  /** 1.1: a period covers its end date and the evaluation day; 1.0: the evaluation day is left out. */
  periodsIncludeEvaluationDay: boolean;
}

export function compileDerived(ordered: readonly DerivedFact[], table: FactTable, language: DerivedLanguage): DerivedEvaluator {
  const computes = ordered.map((derived) => compileOne(derived, table, language));
  const count = computes.length;
  return {
    ids: ordered.map((derived) => derived.id),
    compute(scope, date) {
      table.load(scope);
      for (let i = 0; i < count; i++) scope.derived[i] = computes[i](scope, date);
    },
  };
}

function compileOne(derived: DerivedFact, table: FactTable, language: DerivedLanguage): Compute {
  switch (derived.kind) {
    case "age": {
      const readBirth = table.read(derived.birthDate);
      return (scope, date) => {
        const months = wholeMonthsFromIso(readBirth(scope), date.calendar);
        return months === undefined ? undefined : Math.floor(months / 12);
      };
    }
    case "duration":
      return compileDuration(derived, table);
    case "aggregate":
      return compileAggregate(derived, table);
    case "combine":
      return compileCombine(derived, table);
    case "periods":
      return compilePeriods(derived, table, language);
    default:
      throw new Error(`Unknown derived kind: ${String((derived as { kind: unknown }).kind)}`);
  }
}

function compileDuration(derived: DurationDerived, table: FactTable): Compute {
  const readFrom = table.read(derived.from);
  const readTo = derived.to ? table.read(derived.to) : undefined;
  if (derived.monthCount === "calendar" && derived.unit !== "days") {
    const inYears = derived.unit === "years";
    return (scope, date) => {
      const from = parseIsoDate(readFrom(scope));
      const to = readTo ? parseIsoDate(readTo(scope)) : date.calendar;
      if (!from || !to) return undefined;
      const months = calendarMonthsBetween(from, to);
      return inYears ? Math.floor(months / 12) : months;
    };
  }
  return (scope, date) => {
    if (!readTo && derived.unit !== "days") {
      const months = wholeMonthsFromIso(readFrom(scope), date.calendar);
      if (months === undefined) return undefined;
      return derived.unit === "years" ? Math.floor(months / 12) : months;
    }
    const from = parseIsoDate(readFrom(scope));
    const to = readTo ? parseIsoDate(readTo(scope)) : date.calendar;
    if (!from || !to) return undefined;
    if (derived.unit === "years") return wholeYearsBetween(from, to);
    if (derived.unit === "months") return wholeMonthsBetween(from, to);
    const days = dayNumber(to) - dayNumber(from);
    return days < 0 ? 0 : days;
  };
}

/** Whether a record's date lies in the window: `evaluationDate - span < date <= evaluationDate`, or as decision 022 says. */
export function compileLookback(
  lookback: Lookback | undefined,
  readDate: (record: unknown) => unknown,
  table: FactTable,
): ((record: unknown, date: EvaluationDate, scope: ApplicantScope) => boolean) | undefined {
  if (!lookback) return undefined;
  if (isExtendedWindow(lookback)) {
    const bounds = compileWindowBounds(lookback, table);
    return (record, date, scope) => insideWindow(readDate(record), bounds(scope, date));
  }
  const years = lookback.years ?? 0;
  const months = lookback.months ?? 0;
  let cachedFor: EvaluationDate | undefined;
  let start = "";
  return (record, date) => {
    if (date !== cachedFor) {
      start = date.lookbackStart(years, months);
      cachedFor = date;
    }
    const value = readDate(record);
    // Range first: most records fall outside the window, and only those inside need the full date check.
    return typeof value === "string" && value > start && value <= date.iso && isIsoDate(value);
  };
}

function compileRecordFilter(
  recordsId: Id,
  where: Condition | undefined,
  within: Lookback | undefined,
  table: FactTable,
): (record: unknown, date: EvaluationDate, scope: ApplicantScope) => boolean {
  const matches = where ? compileCondition(where, table.recordContext(recordsId)) : undefined;
  const inWindow = within ? compileLookback(within, table.fieldReader(recordsId, within.dateField), table) : undefined;
  return (record, date, scope) => (!inWindow || inWindow(record, date, scope)) && (!matches || matches(record));
}

function compileAggregate(derived: AggregateDerived, table: FactTable): Compute {
  const readRecords = table.read(derived.records);
  const keep = compileRecordFilter(derived.records, derived.where, derived.within, table);
  const readField = derived.field ? table.fieldReader(derived.records, derived.field) : () => undefined;
  const readDistinct = derived.distinctBy ? table.fieldReader(derived.records, derived.distinctBy) : undefined;
  return (scope, date) => {
    const records = recordsOf(readRecords(scope));
    let seen: Set<unknown> | undefined;
    let count = 0;
    let sum = 0;
    let min: number | undefined;
    let max: number | undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      if (!keep(record, date, scope)) continue;
      if (readDistinct) {
        const key = readDistinct(record);
        if (key !== undefined && key !== null) {
          seen ??= new Set();
          if (seen.has(key)) continue;
          seen.add(key);
        }
      }
      count++;
      const value = readField(record);
      if (isNumber(value)) {
        sum = exact(sum + value);
        if (min === undefined || value < min) min = value;
        if (max === undefined || value > max) max = value;
      }
    }
    switch (derived.op) {
      case "count":
        return count;
      case "sum":
        return sum;
      case "min":
        return min;
      case "max":
        return max;
    }
  };
}

function compileCombine(derived: CombineDerived, table: FactTable): Compute {
  const operands = derived.of.map((entry) => (typeof entry === "number" ? () => entry : table.read(entry)));
  const combine = combineValues(derived);
  const values: unknown[] = new Array(operands.length);
  return (scope) => {
    for (let i = 0; i < operands.length; i++) values[i] = operands[i](scope);
    return combine(values);
  };
}

/**
 * A combine's result from its operands' values (shared with the columnar path): numbers, or for min/max ISO dates
 * (all of one kind); anything missing or mixed gives undefined.
 */
export function combineValues(derived: Pick<CombineDerived, "op" | "weights">): (values: readonly unknown[]) => unknown {
  const { op, weights } = derived;
  return (values) => {
    if ((op === "min" || op === "max") && typeof values[0] === "string") {
      let date: string | undefined;
      for (const value of values) {
        if (typeof value !== "string" || !isIsoDate(value)) return undefined;
        if (date === undefined || (op === "min" ? value < date : value > date)) date = value;
      }
      return date;
    }
    let result: number | undefined;
    for (let i = 0; i < values.length; i++) {
      const operand = values[i];
      if (!isNumber(operand)) return undefined;
      const value = weights ? exact(operand * weights[i]) : operand;
      if (result === undefined) result = value;
      else if (op === "sum") result = exact(result + value);
      else if (op === "difference") result = exact(result - value);
      else if (op === "min") result = value < result ? value : result;
      else result = value > result ? value : result;
    }
    return op === "difference" && result !== undefined && result < 0 ? 0 : result;
  };
}

/** Covered time of sorted, disjoint intervals [starts[i], ends[i]) (day numbers, end exclusive), from `first` to `count`. */
function measureIntervals(starts: number[], ends: number[], first: number, count: number, unit: PeriodsDerived["unit"]): number {
  let days = 0;
  let months = 0;
  for (let i = first; i < count; i++) {
    if (unit === "days") days += ends[i] - starts[i];
    else months += wholeMonthsBetweenDays(starts[i], ends[i]);
  }
  if (unit === "days") return days;
  return unit === "months" ? months : Math.floor(months / 12);
}

function compilePeriods(derived: PeriodsDerived, table: FactTable, language: DerivedLanguage): Compute {
  if (isExtendedPeriods(derived)) return compileExtendedPeriods(derived, table, language.periodsIncludeEvaluationDay);
  const readRecords = table.read(derived.records);
  const keep = compileRecordFilter(derived.records, derived.where, undefined, table);
  const readStart = table.fieldReader(derived.records, derived.startField);
  const readEnd = table.fieldReader(derived.records, derived.endField);
  const allowGap = derived.mode === "continuous" ? (derived.allowGapDays ?? 0) : 0;
  // Reused between applicants: scoring is synchronous, and these never escape the call.
  const starts: number[] = [];
  const ends: number[] = [];
  const pastEvaluationDay = language.periodsIncludeEvaluationDay ? 1 : 0;
  return (scope, date) => {
    const records = recordsOf(readRecords(scope));
    const limit = date.day + pastEvaluationDay;
    let count = 0;
    for (let r = 0; r < records.length; r++) {
      const record = records[r];
      if (!keep(record, date, scope)) continue;
      const start = isoDayNumber(readStart(record));
      if (Number.isNaN(start)) continue;
      const endValue = readEnd(record);
      let end: number;
      if (endValue === undefined || endValue === null || endValue === "") end = limit;
      else {
        const last = isoDayNumber(endValue);
        if (Number.isNaN(last)) continue;
        end = Math.min(last + 1, limit);
      }
      if (start >= end) continue;
      // Insertion by (start, end): record lists are short.
      let i = count++;
      while (i > 0 && (starts[i - 1] > start || (starts[i - 1] === start && ends[i - 1] > end))) {
        starts[i] = starts[i - 1];
        ends[i] = ends[i - 1];
        i--;
      }
      starts[i] = start;
      ends[i] = end;
    }
    if (count === 0) return 0;
    let merged = 0;
    for (let i = 1; i < count; i++) {
      if (starts[i] <= ends[merged]) {
        if (ends[i] > ends[merged]) ends[merged] = ends[i];
      } else {
        merged++;
        starts[merged] = starts[i];
        ends[merged] = ends[i];
      }
    }
    const mergedCount = merged + 1;
    if (derived.mode === "total") return measureIntervals(starts, ends, 0, mergedCount, derived.unit);
    let first = mergedCount - 1;
    while (first > 0 && starts[first] - ends[first - 1] <= allowGap) first--;
    return measureIntervals(starts, ends, first, mergedCount, derived.unit);
  };
}

/** The fact table and derived-fact evaluator of a document: what both paths build first. */
export function prepareFacts(doc: StandardDocument, person?: Id): { table: FactTable; derived: DerivedEvaluator } {
  const ordered = orderDerived(doc);
  // A candidate other than the applicant reads his per-person facts from `<person>.<fact>` (decision 028).
  const sourceKey = person !== undefined && person !== APPLICANT
    ? (fact: FactDefinition) => (fact.perPerson === true ? personFactKey(person, fact.id) : fact.id)
    : undefined;
  const table = new FactTable(doc, ordered.map((derived) => derived.id), sourceKey);
  return { table, derived: compileDerived(ordered, table, { periodsIncludeEvaluationDay: periodsIncludeEvaluationDay(doc) }) };
}

/** Sets an own, enumerable property even for keys such as "__proto__" (ids are data, never object plumbing). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Convenience for one applicant: the derived facts as a record keyed by id. */
export function computeDerivedFacts(doc: StandardDocument, facts: Facts, date: IsoDate): Record<Id, unknown> {
  const { derived: evaluator } = prepareFacts(doc);
  const scope: ApplicantScope = { facts, derived: new Array(evaluator.ids.length) };
  evaluator.compute(scope, evaluationDate(date));
  const result: Record<Id, unknown> = {};
  evaluator.ids.forEach((id, index) => setOwn(result, id, scope.derived[index]));
  return result;
}
