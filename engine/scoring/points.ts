/**
 * The arithmetic of scoring, shared by the reference and compiled paths so their figures agree to the last digit.
 * Every result is rounded to 1e-9: tables use decimals such as 0.25 per month, and binary floating point would
 * otherwise show 0.30000000000000004.
 */
import type { AccrualScoring, BandsScoring, LinearScoring } from "../../rules-schema/types";

export function exact(value: number): number {
  // Beyond a million the 1e-9 grid exceeds double precision; such values are left as they are.
  if (value >= 1e6 || value <= -1e6) return value;
  return Math.round(value * 1e9) / 1e9 || 0;
}

export function add(a: number, b: number): number {
  return exact(a + b);
}

/** Limits the size of `points` to `cap`, keeping its sign (caps bound deductions by magnitude too). */
export function capMagnitude(points: number, cap: number | undefined): number {
  if (cap === undefined || Math.abs(points) <= cap) return points;
  return points < 0 ? -cap : cap;
}

export function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Index of the band with `min <= value < max`, or -1. */
export function matchingBand(scoring: BandsScoring, value: unknown): number {
  if (!isNumber(value)) return -1;
  const bands = scoring.bands;
  for (let i = 0; i < bands.length; i++) {
    const band = bands[i];
    if ((band.min === undefined || band.min <= value) && (band.max === undefined || value < band.max)) return i;
  }
  return -1;
}

export function linearPoints(scoring: LinearScoring, value: number): number {
  const rawUnits = scoring.direction === "up" ? value - scoring.origin : scoring.origin - value;
  const units = rawUnits < 0 ? 0 : rawUnits;
  const step = scoring.step ?? 1;
  const quotient = exact(units / step);
  const steps = scoring.rounding === "none" ? quotient : Math.floor(quotient);
  let points = exact(scoring.basePoints + steps * scoring.pointsPerStep);
  if (scoring.min !== undefined && points < scoring.min) points = scoring.min;
  if (scoring.max !== undefined && points > scoring.max) points = scoring.max;
  return points;
}

/** Marginal bands: the part of the value inside each band earns that band's rate per `per` units (floored by default). */
export function accrualPoints(scoring: AccrualScoring, value: number): number {
  const per = scoring.per ?? 1;
  const floorUnits = scoring.rounding !== "none";
  let points = 0;
  for (const band of scoring.bands) {
    const upper = band.to === undefined ? value : Math.min(value, band.to);
    const part = upper - band.from;
    if (part <= 0) continue;
    const quotient = exact(part / per);
    const units = floorUnits ? Math.floor(quotient) : quotient;
    points = exact(points + units * band.rate);
  }
  return points;
}

/** One record that matched a perRecord item, with the keys used to count it once and to cap its group. */
export interface RecordCandidate {
  index: number;
  points: number;
  onceKey: unknown;
  groupKey: unknown;
}

export interface PerRecordOutcome {
  total: number;
  /** Parallel to the candidates: whether each counted (false = another record of the same act counted). */
  counted: boolean[];
}

const MISSING = Symbol("missing");

/**
 * onceBy: among records sharing the onceBy value only the largest magnitude counts (the first on equal size);
 * records without the value each count. groupCap: the sum per group (in order of first appearance) is capped.
 */
export function perRecordTotal(
  candidates: readonly RecordCandidate[],
  onceBy: boolean,
  groupCap: number | undefined,
): PerRecordOutcome {
  const counted = candidates.map(() => true);
  if (onceBy) {
    const best = new Map<unknown, number>();
    candidates.forEach((candidate, i) => {
      if (candidate.onceKey === undefined || candidate.onceKey === null) return;
      const current = best.get(candidate.onceKey);
      if (current === undefined) best.set(candidate.onceKey, i);
      else if (Math.abs(candidate.points) > Math.abs(candidates[current].points)) {
        counted[current] = false;
        best.set(candidate.onceKey, i);
      } else counted[i] = false;
    });
  }
  if (groupCap === undefined) {
    let total = 0;
    candidates.forEach((candidate, i) => {
      if (counted[i]) total = exact(total + candidate.points);
    });
    return { total, counted };
  }
  const sums = new Map<unknown, number>();
  candidates.forEach((candidate, i) => {
    if (!counted[i]) return;
    const key = candidate.groupKey === undefined || candidate.groupKey === null ? MISSING : candidate.groupKey;
    sums.set(key, exact((sums.get(key) ?? 0) + candidate.points));
  });
  let total = 0;
  for (const sum of sums.values()) total = exact(total + capMagnitude(sum, groupCap));
  return { total, counted };
}

/** The group key of a record for `groupCap`: the field's value, or its calendar year when `byYear`. */
export function groupKeyOf(value: unknown, byYear: boolean | undefined): unknown {
  if (!byYear) return value;
  if (typeof value === "string" && /^\d{4}/.test(value)) return value.slice(0, 4);
  if (typeof value === "number" && Number.isInteger(value)) return String(value);
  return undefined;
}
