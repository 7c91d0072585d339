/**
 * "What it would take" (issue 24, part 1): for an applicant below the line, the smallest changes of the facts he can
 * act on (facts marked `actionable` in the standard) that lift him to the line, against the same version and date.
 *
 * Changes go one way only: integer and number facts up, enum facts to a later value of their list (lists run from
 * lowest to highest), boolean facts to true. Dates, texts and records are never changed; neither is a fact the
 * standard does not mark. A proposal changes one fact when one suffices, else two; each fact's new value is the
 * smallest that crosses (given the other's), so no value of a proposal can be lowered and still reach the line.
 *
 * "Reaching the line" means: eligible (every gate passed), not vetoed, and a total at least the line. On a quota
 * program the line is the lowest admitted total of the pool; an applicant on it is ranked by the tie-breaks.
 */
import type { FactDefinition, Id, IsoDate, StandardDocument } from "../../rules-schema/types";
import { compileProgram } from "../scoring/compiled";
import type { CompactScore, Facts } from "../types";

export interface WhatItTakesInput {
  doc: StandardDocument;
  programId: Id;
  facts: Facts;
  date: IsoDate;
  /** The total to reach: the cut-off of the applicant's pool, or the program's threshold. */
  line: number;
  /** Facts the applicant may change; default: those the standard marks `actionable`. */
  actionable?: Id[];
  /** At most this many facts changed together (1 or 2; default 2). */
  maxFacts?: number;
  /** At most this many proposals (default 5). */
  limit?: number;
  /** At most this many applicants scored while searching (default 200,000: well under a second), so that no request stalls. */
  maxEvaluations?: number;
}

export interface FactChange {
  fact: Id;
  from: unknown;
  to: number | string | boolean;
}

export interface Proposal {
  changes: FactChange[];
  /** The total with the changes (eligible and not vetoed). */
  total: number;
}

/** Where the applicant stands now: his total (none if a gate fails or a veto applies), and which. */
export interface Standing {
  total: number | null;
  failedGates: Id[];
  vetoed: boolean;
  line: number;
}

export type WhatItTakes =
  | ({ outcome: "reached"; total: number } & Standing)
  | ({ outcome: "proposals"; proposals: Proposal[] } & Standing)
  /** `noActionableFacts`: the standard marks no fact the applicant can change; `outOfReach`: no change of one or two such facts within their ranges reaches the line. */
  | ({ outcome: "none"; reason: "noActionableFacts" | "outOfReach" | "searchLimit" } & Standing);

/** How far an integer or number fact is tried above its value when the standard gives it no maximum. */
const SCAN_ABOVE = 1200;
/** Distinct levels of one fact tried in a two-fact search (the values where the fact alone moves the score). */
const MAX_LEVELS = 60;

type Value = number | string | boolean;

/** Values to try for a fact, ascending, all above its current value: the order in which a smaller change comes first. */
export function candidateValues(doc: StandardDocument, fact: FactDefinition, current: unknown): Value[] {
  switch (fact.type) {
    case "boolean":
      return current === true ? [] : [true];
    case "enum": {
      const values = (fact.values ?? []).map((entry) => entry.value);
      const at = typeof current === "string" ? values.indexOf(current) : -1;
      return values.slice(at + 1);
    }
    case "integer":
    case "number": {
      const from = typeof current === "number" && Number.isFinite(current) ? current : typeof fact.default === "number" ? fact.default : (fact.minimum ?? 0);
      const top = fact.maximum ?? Math.max(from, 0) + SCAN_ABOVE;
      const values = new Set<number>();
      // Past 2^53, v++ no longer moves v: a huge value would loop for ever.
      for (let v = Math.floor(from) + 1; v <= top && v <= Number.MAX_SAFE_INTEGER && values.size <= SCAN_ABOVE; v++) values.add(v);
      if (fact.type === "number") {
        // Bounds the standard writes for this fact: the value itself and just above it, for fractional limits.
        for (const bound of numbersComparedWith(doc, fact.id)) {
          for (const v of [bound, Math.round((bound + 0.01) * 100) / 100]) if (v > from && v <= top) values.add(v);
        }
      }
      if ((current === undefined || current === null) && from >= (fact.minimum ?? -Infinity) && from <= top) values.add(from);
      return [...values].sort((a, b) => a - b);
    }
    default:
      return [];
  }
}

/** Every number a condition of the document compares this fact with (`{fact, operator, value}`). */
function numbersComparedWith(doc: StandardDocument, factId: Id): number[] {
  const found: number[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (record.fact === factId) {
      const value = record.value;
      if (typeof value === "number") found.push(value);
      else if (Array.isArray(value)) for (const v of value) if (typeof v === "number") found.push(v);
    }
    for (const child of Object.values(record)) walk(child);
  };
  walk([doc.items, doc.gates, doc.vetoes, doc.derived]);
  return found;
}

export function actionableFacts(doc: StandardDocument): Id[] {
  return doc.facts.filter((fact) => fact.actionable && ["integer", "number", "enum", "boolean"].includes(fact.type)).map((fact) => fact.id);
}

export function whatItTakes(input: WhatItTakesInput): WhatItTakes {
  const { doc, facts, date, line } = input;
  const compiled = compileProgram(doc, input.programId);
  let budget = input.maxEvaluations ?? 200_000;
  const score = (f: Facts): CompactScore => {
    budget--;
    return compiled.score(f, date);
  };
  const reaches = (s: CompactScore) => s.eligible && !s.vetoed && s.total >= line;
  const now = score(facts);
  const standing: Standing = { total: now.eligible && !now.vetoed ? now.total : null, failedGates: now.failedGates, vetoed: now.vetoed, line };
  if (reaches(now)) return { outcome: "reached", ...standing, total: now.total };

  const byId = new Map(doc.facts.map((fact) => [fact.id, fact]));
  const ids = (input.actionable ?? actionableFacts(doc)).filter((id) => byId.has(id));
  if (ids.length === 0) return { outcome: "none", ...standing, reason: "noActionableFacts" };
  const candidates = new Map(ids.map((id) => [id, candidateValues(doc, byId.get(id)!, facts[id])]));
  const limit = input.limit ?? 5;
  const maxFacts = input.maxFacts ?? 2;

  /** The smallest value of `id` (from its candidates, up to but excluding `below`) that reaches the line with `base`. */
  const smallest = (base: Facts, id: Id, below = Infinity): { value: Value; score: CompactScore } | undefined => {
    const values = candidates.get(id)!;
    for (let k = 0; k < values.length && k < below && budget > 0; k++) {
      const tried = score({ ...base, [id]: values[k] });
      if (reaches(tried)) return { value: values[k], score: tried };
    }
    return undefined;
  };
  const change = (id: Id, to: Value): FactChange => ({ fact: id, from: facts[id], to });

  const singles: Proposal[] = [];
  for (const id of ids) {
    const found = smallest(facts, id);
    if (found) singles.push({ changes: [change(id, found.value)], total: found.score.total });
  }
  if (singles.length > 0 || maxFacts < 2) {
    if (singles.length === 0) return { outcome: "none", ...standing, reason: budget > 0 ? "outOfReach" : "searchLimit" };
    return { outcome: "proposals", ...standing, proposals: ordered(singles, ids).slice(0, limit) };
  }

  // Two facts: for each level of the first (a value where it alone moves the score or eligibility), the smallest
  // second value that reaches the line; then the first lowered as far as that second value allows.
  const levels = new Map<Id, number[]>();
  for (const id of ids) {
    const values = candidates.get(id)!;
    const found: number[] = [];
    let previous = keyOf(now);
    for (let k = 0; k < values.length && found.length < MAX_LEVELS && budget > 0; k++) {
      const key = keyOf(score({ ...facts, [id]: values[k] }));
      if (key !== previous) found.push(k);
      previous = key;
    }
    levels.set(id, found);
  }
  /** Lowers each value of a pair that reaches the line while the other stays, until neither can be lowered. */
  const lowered = (a: Id, valueA: Value, b: Id, valueB: Value): { a: Value; b: Value; total: number } => {
    let total = score({ ...facts, [a]: valueA, [b]: valueB }).total;
    for (let moved = true; moved; ) {
      moved = false;
      const lowerA = smallest({ ...facts, [b]: valueB }, a, candidates.get(a)!.indexOf(valueA));
      if (lowerA) [valueA, total, moved] = [lowerA.value, lowerA.score.total, true];
      const lowerB = smallest({ ...facts, [a]: valueA }, b, candidates.get(b)!.indexOf(valueB));
      if (lowerB) [valueB, total, moved] = [lowerB.value, lowerB.score.total, true];
    }
    return { a: valueA, b: valueB, total };
  };
  const pairs: Proposal[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    for (let j = 0; j < ids.length; j++) {
      if (i === j) continue;
      const [a, b] = [ids[i], ids[j]];
      let bestB = Infinity;
      for (const levelA of levels.get(a)!) {
        const valueA = candidates.get(a)![levelA];
        const foundB = smallest({ ...facts, [a]: valueA }, b, bestB);
        if (!foundB) continue;
        const indexB = candidates.get(b)!.indexOf(foundB.value);
        bestB = indexB;
        const pair = lowered(a, valueA, b, foundB.value);
        const key = `${a}=${String(pair.a)}\u0000${b}=${String(pair.b)}`;
        const mirror = `${b}=${String(pair.b)}\u0000${a}=${String(pair.a)}`;
        if (seen.has(key) || seen.has(mirror)) continue;
        seen.add(key);
        const [first, second] = i < j ? [change(a, pair.a), change(b, pair.b)] : [change(b, pair.b), change(a, pair.a)];
        pairs.push({ changes: [first, second], total: pair.total });
        if (indexB === 0) break;
      }
    }
  }
  if (pairs.length === 0) return { outcome: "none", ...standing, reason: budget > 0 ? "outOfReach" : "searchLimit" };
  return { outcome: "proposals", ...standing, proposals: ordered(pairs, ids).slice(0, limit) };
}

function keyOf(s: CompactScore): string {
  return `${s.eligible}|${s.vetoed}|${s.total}`;
}

/** Closest to the line first (the least overshoot), then in the document's order of facts. */
function ordered(proposals: Proposal[], ids: Id[]): Proposal[] {
  const position = (p: Proposal) => p.changes.map((c) => ids.indexOf(c.fact));
  return proposals.sort((x, y) => x.total - y.total || compareLists(position(x), position(y)));
}

function compareLists(x: number[], y: number[]): number {
  for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return x[k] - y[k];
  return x.length - y.length;
}
