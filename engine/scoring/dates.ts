/**
 * Calendar arithmetic on ISO dates (`YYYY-MM-DD`) without Date objects or the clock. Day numbers count days
 * since 1970-01-01 (proleptic Gregorian), so differences and comparisons are plain integer arithmetic.
 */
import type { IsoDate } from "../../rules-schema/types";
import { daysInMonth, packedIsoDate } from "../../rules-schema/iso-date";

// The strict reading of a date lives with the document format, for every layer to share.
export { daysInMonth, isIsoDate, isLeapYear } from "../../rules-schema/iso-date";

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Day number of an ISO date string without allocating; NaN when the text is not a real date. */
export function isoDayNumber(value: unknown): number {
  const packed = packedIsoDate(value);
  if (packed < 0) return Number.NaN;
  return daysFromCivil(Math.floor(packed / 10_000), Math.floor(packed / 100) % 100, packed % 100);
}

/** Parses `YYYY-MM-DD`; anything else (including impossible dates such as 2023-02-30) gives undefined. */
export function parseIsoDate(value: unknown): CalendarDate | undefined {
  const packed = packedIsoDate(value);
  if (packed < 0) return undefined;
  return { year: Math.floor(packed / 10_000), month: Math.floor(packed / 100) % 100, day: packed % 100 };
}

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
export function dayNumber(date: CalendarDate): number {
  return daysFromCivil(date.year, date.month, date.day);
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(days: number): CalendarDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function formatIsoDate(date: CalendarDate): IsoDate {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/**
 * Whole months from `from` to `to` (0 when `to` is before `from`). A month is complete on the same day of
 * the month, or on the month's last day when that month has no such day (the corresponding-date rule of
 * Civil Code art. 202): 2025-01-31 → 2025-02-28 is one month.
 */
export function wholeMonthsBetween(from: CalendarDate, to: CalendarDate): number {
  let months = (to.year - from.year) * 12 + (to.month - from.month);
  if (to.day < from.day && to.day !== daysInMonth(to.year, to.month)) months -= 1;
  return months < 0 ? 0 : months;
}

const civilScratch = new Int32Array(3);

function civilInto(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  civilScratch[0] = yoe + era * 400 + (month <= 2 ? 1 : 0);
  civilScratch[1] = month;
  civilScratch[2] = doy - Math.floor((153 * mp + 2) / 5) + 1;
}

/** wholeMonthsBetween for two day numbers, without allocating. */
export function wholeMonthsBetweenDays(fromDay: number, toDay: number): number {
  civilInto(fromDay);
  const year = civilScratch[0];
  const month = civilScratch[1];
  const day = civilScratch[2];
  civilInto(toDay);
  const toYear = civilScratch[0];
  const toMonth = civilScratch[1];
  const toDayOfMonth = civilScratch[2];
  let months = (toYear - year) * 12 + (toMonth - month);
  if (toDayOfMonth < day && toDayOfMonth !== daysInMonth(toYear, toMonth)) months -= 1;
  return months < 0 ? 0 : months;
}

/** wholeMonthsBetween from an ISO date string, without allocating; undefined when the text is not a date. */
export function wholeMonthsFromIso(value: unknown, to: CalendarDate): number | undefined {
  const packed = packedIsoDate(value);
  if (packed < 0) return undefined;
  const year = Math.floor(packed / 10_000);
  const month = Math.floor(packed / 100) % 100;
  const day = packed % 100;
  let months = (to.year - year) * 12 + (to.month - month);
  if (to.day < day && to.day !== daysInMonth(to.year, to.month)) months -= 1;
  return months < 0 ? 0 : months;
}

/** Whole years, by the same corresponding-date rule: born 2000-06-15 → 25 on 2025-06-15, 24 on 2025-06-14. */
export function wholeYearsBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.floor(wholeMonthsBetween(from, to) / 12);
}

/** The date `years` years and `months` months before `date`, clamped to the end of a shorter month. */
export function subtractYearsMonths(date: CalendarDate, years: number, months: number): CalendarDate {
  const totalMonths = date.year * 12 + (date.month - 1) - (years * 12 + months);
  const year = Math.floor(totalMonths / 12);
  const month = totalMonths - year * 12 + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

/** Everything about the evaluation date that the engine needs, computed once per date. */
export interface EvaluationDate {
  iso: IsoDate;
  calendar: CalendarDate;
  day: number;
  /** Lower bounds (exclusive) of lookback windows, keyed by "years/months". */
  lookbackStart(years: number, months: number): IsoDate;
}

export function evaluationDate(iso: IsoDate): EvaluationDate {
  const calendar = parseIsoDate(iso);
  if (!calendar) throw new Error(`Invalid evaluation date "${String(iso)}": expected YYYY-MM-DD`);
  const starts = new Map<string, IsoDate>();
  return {
    iso,
    calendar,
    day: dayNumber(calendar),
    lookbackStart(years, months) {
      const key = `${years}/${months}`;
      let start = starts.get(key);
      if (start === undefined) {
        start = formatIsoDate(subtractYearsMonths(calendar, years, months));
        starts.set(key, start);
      }
      return start;
    },
  };
}
