/**
 * The notice period (公示期) of a round, counted in working days: Saturdays and Sundays are not working days, nor
 * are the public holidays the office lists for the period. Days the State Council moves to a weekend (调休 working
 * Saturdays) are not counted as working days either: a notice only ever gets longer for it, never shorter than the
 * measures require (docs/decisions/043-notice-masking-and-what-is-public.md). Pure: the dates are arguments.
 */
import { formatIsoDate, fromDayNumber, isoDayNumber } from "../scoring/dates";

/** Whether an ISO date is a working day: a weekday that is not among `holidays`. */
export function isWorkingDay(date: string, holidays: ReadonlySet<string>): boolean {
  const day = isoDayNumber(date);
  // Day 0 (1970-01-01) was a Thursday: 0 Thu, 2 Sat, 3 Sun.
  const weekday = (((day % 7) + 7) % 7 + 4) % 7; // 0 Sunday … 6 Saturday
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/**
 * The last day of a notice of `workingDays` working days that starts on `startsOn` (counted when it is a working
 * day itself): the date on which the last of them falls.
 */
export function noticeEndsOn(startsOn: string, workingDays: number, holidays: readonly string[] = []): string {
  if (!Number.isInteger(workingDays) || workingDays < 1) throw new RangeError("a notice lasts at least one working day");
  const skip = new Set(holidays);
  let day = isoDayNumber(startsOn);
  if (Number.isNaN(day)) throw new RangeError(`not a date: ${startsOn}`);
  let counted = 0;
  for (;;) {
    const date = formatIsoDate(fromDayNumber(day));
    if (isWorkingDay(date, skip)) counted++;
    if (counted === workingDays) return date;
    day++;
  }
}

/** Whether `date` lies within the notice period (both ends included). */
export function withinNotice(date: string, startsOn: string, endsOn: string): boolean {
  return date >= startsOn && date <= endsOn;
}
