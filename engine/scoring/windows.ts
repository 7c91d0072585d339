/**
 * Windows (rolling, calendar years, anchored on a date fact) and the general form of `periods` (windows, `except`,
 * `groupBy`, gaps in months, calendar-month counts), decision 022. Both scoring paths use this one implementation;
 * the plain `periods` of derived.ts stays the fast path for documents that use none of these options.
 */
import type { Condition, Id, IsoDate, PeriodsDerived, PeriodSet, Window } from "../../rules-schema/types";
import { compileCondition } from "./conditions";
import {
  dayNumber,
  daysInMonth,
  formatIsoDate,
  fromDayNumber,
  isIsoDate,
  isoDayNumber,
  parseIsoDate,
  subtractYearsMonths,
  wholeMonthsBetweenDays,
  type CalendarDate,
  type EvaluationDate,
} from "./dates";
import { recordsOf, type ApplicantScope, type FactTable } from "./facts";

/** The dates a window admits, as ISO text: `from < date` (`from <= date` when `fromInclusive`) and `date <= to`. */
export interface WindowBounds {
  from: IsoDate;
  fromInclusive: boolean;
  to: IsoDate;
}

/** Whether a window needs more than the evaluation date and a rolling span (the cases decision 022 added). */
export function isExtendedWindow(window: Window | undefined): boolean {
  return Boolean(window && (window.anchor !== undefined || window.calendarYears !== undefined));
}

const yearText = (year: number) => String(Math.min(9999, Math.max(0, year))).padStart(4, "0");

function boundsAt(window: Window, anchorIso: IsoDate, anchor: CalendarDate, date: EvaluationDate): WindowBounds {
  const calendar = window.calendarYears;
  if (calendar) {
    const to = `${yearText(anchor.year + calendar.to)}-12-31`;
    return { from: `${yearText(anchor.year + calendar.from)}-01-01`, fromInclusive: true, to: to < date.iso ? to : date.iso };
  }
  const from = formatIsoDate(subtractYearsMonths(anchor, window.years ?? 0, window.months ?? 0));
  return { from, fromInclusive: false, to: anchorIso < date.iso ? anchorIso : date.iso };
}

/** The bounds of a window for one applicant (undefined: the anchor fact is missing, so nothing is inside). */
export function compileWindowBounds(
  window: Window,
  table: FactTable,
): (scope: ApplicantScope, date: EvaluationDate) => WindowBounds | undefined {
  if (window.anchor === undefined) {
    let cachedFor: EvaluationDate | undefined;
    let cached: WindowBounds | undefined;
    return (_scope, date) => {
      if (date !== cachedFor) {
        cached = boundsAt(window, date.iso, date.calendar, date);
        cachedFor = date;
      }
      return cached;
    };
  }
  const readAnchor = table.read(window.anchor);
  return (scope, date) => {
    const value = readAnchor(scope);
    const anchor = parseIsoDate(value);
    return anchor ? boundsAt(window, value as IsoDate, anchor, date) : undefined;
  };
}

/** The window's bounds when they depend on the evaluation date only (no anchor). */
export function fixedWindowBounds(window: Window, date: EvaluationDate): WindowBounds {
  return boundsAt(window, date.iso, date.calendar, date);
}

export function insideWindow(value: unknown, bounds: WindowBounds | undefined): boolean {
  return (
    bounds !== undefined &&
    typeof value === "string" &&
    (bounds.fromInclusive ? value >= bounds.from : value > bounds.from) &&
    value <= bounds.to &&
    isIsoDate(value)
  );
}

/** A span of days [start, end), end exclusive, with the group key of its record. */
interface Span {
  start: number;
  end: number;
  key: unknown;
}

type SpanReader = (scope: ApplicantScope, first: number, limit: number, out: Span[]) => void;

/** Reads the period records of a set as spans clipped to [first, limit). */
function compileSpanReader(set: PeriodSet, table: FactTable, keyField?: Id): SpanReader {
  const readRecords = table.read(set.records);
  const matches = set.where ? compileCondition(set.where as Condition, table.recordContext(set.records)) : undefined;
  const readStart = table.fieldReader(set.records, set.startField);
  const readEnd = table.fieldReader(set.records, set.endField);
  const readKey = keyField ? table.fieldReader(set.records, keyField) : undefined;
  return (scope, first, limit, out) => {
    const records = recordsOf(readRecords(scope));
    for (const record of records) {
      if (matches && !matches(record)) continue;
      let start = isoDayNumber(readStart(record));
      if (Number.isNaN(start)) continue;
      const endValue = readEnd(record);
      let end: number;
      if (endValue === undefined || endValue === null || endValue === "") end = limit;
      else {
        const last = isoDayNumber(endValue);
        if (Number.isNaN(last)) continue;
        end = Math.min(last + 1, limit);
      }
      if (start < first) start = first;
      if (start >= end) continue;
      out.push({ start, end, key: readKey ? readKey(record) : undefined });
    }
  };
}

/** Sorted, with overlapping and touching spans joined. */
function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) {
      if (span.end > last.end) last.end = span.end;
    } else merged.push({ ...span });
  }
  return merged;
}

/** Merged spans minus merged spans. */
function subtractSpans(spans: Span[], cut: Span[]): Span[] {
  const result: Span[] = [];
  for (const span of spans) {
    let start = span.start;
    for (const hole of cut) {
      if (hole.end <= start || hole.start >= span.end) continue;
      if (hole.start > start) result.push({ start, end: hole.start, key: span.key });
      start = Math.max(start, hole.end);
      if (start >= span.end) break;
    }
    if (start < span.end) result.push({ start, end: span.end, key: span.key });
  }
  return result;
}

function monthIndex(day: number): number {
  const date = fromDayNumber(day);
  return date.year * 12 + date.month - 1;
}

/** The day `months` calendar months after `day` (clamped to the end of a shorter month). */
function addMonths(day: number, months: number): number {
  const date = fromDayNumber(day);
  const total = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return dayNumber({ year, month, day: Math.min(date.day, daysInMonth(year, month)) });
}

/** Covered time of merged spans in the derived fact's unit. */
export function measureSpans(spans: readonly Span[], unit: PeriodsDerived["unit"], monthCount: "whole" | "calendar"): number {
  if (unit === "days") return spans.reduce((days, span) => days + (span.end - span.start), 0);
  let months = 0;
  if (monthCount === "calendar") {
    let counted = -Infinity;
    for (const span of spans) {
      const first = Math.max(monthIndex(span.start), counted + 1);
      const last = monthIndex(span.end - 1);
      if (last >= first) months += last - first + 1;
      if (last > counted) counted = last;
    }
  } else for (const span of spans) months += wholeMonthsBetweenDays(span.start, span.end);
  return unit === "months" ? months : Math.floor(months / 12);
}

/** Whether a derived periods fact uses an option of decision 022 (and so the general path). */
export function isExtendedPeriods(derived: PeriodsDerived): boolean {
  return (
    derived.allowGapMonths !== undefined ||
    (derived.monthCount !== undefined && derived.monthCount !== "whole") ||
    derived.within !== undefined ||
    derived.except !== undefined ||
    derived.groupBy !== undefined
  );
}

/** `periods` with windows, `except`, `groupBy`, gaps in months and calendar-month counts. */
export function compileExtendedPeriods(
  derived: PeriodsDerived,
  table: FactTable,
  includeEvaluationDay: boolean,
): (scope: ApplicantScope, date: EvaluationDate) => number | undefined {
  const readMain = compileSpanReader(derived, table, derived.groupBy?.field);
  const readExcept = derived.except ? compileSpanReader(derived.except, table) : undefined;
  const bounds = derived.within ? compileWindowBounds(derived.within, table) : undefined;
  const gapDays = derived.allowGapDays ?? 0;
  const gapMonths = derived.allowGapMonths;
  const monthCount = derived.monthCount ?? "whole";
  const joins = (previousEnd: number, nextStart: number) =>
    nextStart - previousEnd <= gapDays || (gapMonths !== undefined && nextStart <= addMonths(previousEnd, gapMonths));
  const measureGroup = (spans: Span[], cut: Span[]): number => {
    let merged = mergeSpans(spans);
    if (cut.length > 0) merged = subtractSpans(merged, cut);
    if (merged.length === 0) return 0;
    if (derived.mode === "continuous") {
      let first = merged.length - 1;
      while (first > 0 && joins(merged[first - 1].end, merged[first].start)) first--;
      merged = merged.slice(first);
    }
    return measureSpans(merged, derived.unit, monthCount);
  };
  return (scope, date) => {
    let first = -Infinity;
    let limit = date.day + (includeEvaluationDay ? 1 : 0);
    if (bounds) {
      const window = bounds(scope, date);
      if (!window) return 0;
      first = isoDayNumber(window.from) + (window.fromInclusive ? 0 : 1);
      limit = Math.min(limit, isoDayNumber(window.to) + 1);
    }
    const spans: Span[] = [];
    readMain(scope, first, limit, spans);
    const cut: Span[] = [];
    if (readExcept) readExcept(scope, first, limit, cut);
    const mergedCut = mergeSpans(cut);
    if (!derived.groupBy) return measureGroup(spans, mergedCut);
    const groups = new Map<unknown, Span[]>();
    for (const span of spans) {
      const group = groups.get(span.key);
      if (group) group.push(span);
      else groups.set(span.key, [span]);
    }
    let result = 0;
    for (const group of groups.values()) {
      const measured = measureGroup(group, mergedCut);
      result = derived.groupBy.op === "sum" ? result + measured : Math.max(result, measured);
    }
    return result;
  };
}

/** Calendar months from the month of `from` to the month of `to`, both counted (0 when `to` is before `from`). */
export function calendarMonthsBetween(from: CalendarDate, to: CalendarDate): number {
  if (dayNumber(to) < dayNumber(from)) return 0;
  return (to.year - from.year) * 12 + (to.month - from.month) + 1;
}
