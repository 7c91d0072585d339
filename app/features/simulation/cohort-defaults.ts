/**
 * Defaults of the simulation form taken from the cohort rather than from the calendar (issue 21, part 8): the program
 * the cohort was made for (named in its name or description) or whose facts it carries, and an evaluation date in the
 * cohort's year. Pure, so it is unit-tested.
 */
import type { Id, LocalizedText, Program, StandardDocument } from "../../../rules-schema/types";
import { missingFacts } from "../../../engine/simulation/facts-read";

export interface CohortInfo {
  name: string;
  description: string | null;
}

/**
 * The program a cohort is for: the one whose label (either language) its name or description mentions; else the first
 * program for which it lacks no fact either version reads; else the first program.
 */
export function programForCohort(
  programs: ReadonlyArray<{ id: Id; label: LocalizedText }>,
  cohort: CohortInfo | undefined,
  docs: { baseline: StandardDocument | null; candidate: StandardDocument | null },
  carries: ((factId: Id) => boolean) | undefined,
): Id | undefined {
  if (programs.length === 0) return undefined;
  const text = `${cohort?.name ?? ""} ${cohort?.description ?? ""}`.toLowerCase();
  const named = programs.filter((p) => [p.label.zh, p.label.en].some((label) => label && text.includes(label.toLowerCase())));
  if (named.length === 1) return named[0].id;
  const pool = named.length > 1 ? named : programs;
  const { baseline, candidate } = docs;
  if (carries && baseline && candidate) {
    const complete = pool.find((p) => missingFacts(baseline, candidate, p.id, carries).length === 0);
    if (complete) return complete.id;
  }
  return pool[0].id;
}

/** The year a cohort's name or description gives ("2019年…", "… 2019 applicants"), if any. */
export function cohortYear(cohort: CohortInfo | undefined): number | undefined {
  // A count is not a year: "苏州 2000 人", "2000 applicants".
  const match = /(?<!\d)(19[5-9]\d|20\d\d)(?!\d)(?!\s*(?:[人名条户份行]|(?:applicants?|people|persons?|rows?|records?)\b))/iu.exec(`${cohort?.name ?? ""} ${cohort?.description ?? ""}`);
  return match ? Number(match[1]) : undefined;
}

/**
 * The evaluation date in the cohort's year: the program's own cut-off day of the year when it states one, else
 * 30 June (the middle of the year; the form says to set the round's own date).
 */
export function evaluationDateFor(year: number, program: Program | undefined): string {
  const cutoff = program?.evaluationCutoff?.date;
  const monthDay = cutoff && /^\d{4}-\d{2}-\d{2}$/.test(cutoff) && cutoff.slice(5) !== "02-29" ? cutoff.slice(5) : "06-30";
  return `${year}-${monthDay}`;
}
