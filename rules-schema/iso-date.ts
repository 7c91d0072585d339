/**
 * The one reading of a date in Jifen: `YYYY-MM-DD` on the proleptic Gregorian calendar, with a day that exists in
 * its month (2030-02-30 and 2030-13-45 are not dates). Documents (the schema's `date` format), the API (query,
 * bodies, facts, the table form's byte reader), publishing, the CLI and the engine all decide with these
 * functions, so a date one of them accepts is never refused, rolled over or thrown on by another.
 * No Date objects and no allocation: the engine calls `packedIsoDate` per record on its hot path.
 */
import type { IsoDate } from "./types";

const ZERO = 48;
const MINUS = 45;

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whether year, month and day (numbers as read) name a day of the calendar. */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** A real `YYYY-MM-DD` date as the number YYYYMMDD, or -1 for anything else (impossible dates included). */
export function packedIsoDate(value: unknown): number {
  if (typeof value !== "string" || value.length !== 10) return -1;
  if (value.charCodeAt(4) !== MINUS || value.charCodeAt(7) !== MINUS) return -1;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  return isCalendarDay(year, month, day) ? (year * 100 + month) * 100 + day : -1;
}

/** Whether `value` is a real `YYYY-MM-DD` date. */
export function isIsoDate(value: unknown): value is IsoDate {
  return packedIsoDate(value) >= 0;
}

/** Why `value` is not a date: not written YYYY-MM-DD, or written so but no such day (2030-02-30); undefined when it is one. */
export function isoDateFault(value: unknown): "format" | "noSuchDay" | undefined {
  if (isIsoDate(value)) return undefined;
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? "noSuchDay" : "format";
}

/** The fault in the officer's words, after the name of what was given ("生效日期" / "The effective date"). */
export function isoDateMessage(value: unknown, what: { zh: string; en: string }): { zh: string; en: string } {
  // Not JSON.stringify of any value: a list or object sent as a date is shown by its kind, whatever its depth.
  const text =
    typeof value === "string" ? (value.length > 40 ? `${value.slice(0, 37)}...` : value) : Array.isArray(value) ? "[…]" : value !== null && typeof value === "object" ? "{…}" : String(value);
  return isoDateFault(value) === "noSuchDay"
    ? { zh: `${what.zh}“${text}”不是有效日期：日历上没有这一天`, en: `${what.en} "${text}" is not a real date: the calendar has no such day` }
    : { zh: `${what.zh}应为 YYYY-MM-DD 格式的日期（收到“${text}”）`, en: `${what.en} must be a date YYYY-MM-DD (got "${text}")` };
}
