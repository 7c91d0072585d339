/**
 * The incremental part of the what-if session (whatif-session.ts): a baseline's item points kept per item in
 * columns, and a candidate's totals recomputed from them with only its changed items scored again.
 *
 * The totals are re-added here in plain JavaScript with the generated scorer's own arithmetic, in its order
 * (engine/scoring/columnar.ts: groups, then each category's items in document order with every sum rounded to the
 * 1e-9 grid, the groups' cap adjustments, the category caps, the total, its floor and ceiling). The session checks
 * this on the baseline, row by row, against the scorer's totals before it relies on it.
 */
import type { DerivedFact, FactDefinition, Id, IsoDate, Program, ScoringItem, StandardDocument } from "../../rules-schema/types";
import type { Cohort, CohortColumn } from "../cohorts/cohort";
import { flagsOf } from "../cohorts/cohort-chunks";
import { bindColumnar, type ColumnarProgram } from "../scoring/columnar";
import { programLayout } from "../scoring/compiled";
import { accrualPoints, capMagnitude, exact, linearPoints } from "../scoring/points";
import { findProgram } from "../scoring/reference";
import { totalAdjustmentsOf } from "../scoring/total-adjustments";

/** exact(a + b), as the generated scorer writes it (whole sums skip the rounding call). */
function sum(a: number, b: number): number {
  const s = a + b;
  return (s | 0) === s ? s + 0 : exact(s);
}

/** What the totals of a document's program are made of, in the form the column loops read. */
export interface TotalsLayout {
  itemCount: number;
  categoryCount: number;
  applicable: boolean[];
  /** Per item: the first index of its category (−1: none). */
  itemCategory: number[];
  /** Per category: the first index with its id (a repeated id takes the first one's subtotal). */
  firstCategory: number[];
  categoryCaps: Array<number | undefined>;
  groups: Array<{ mode: "highestOnly" | "cap"; cap?: number; members: number[] }>;
  floor?: number;
  ceiling?: number;
}

export function totalsLayout(doc: StandardDocument, programId: Id): TotalsLayout {
  const program = findProgram(doc, programId);
  const { categoryIndex, applicable, itemCategory, groups } = programLayout(doc, programId);
  const rule = program.total ?? doc.total;
  return {
    itemCount: doc.items.length,
    categoryCount: doc.categories.length,
    applicable,
    itemCategory,
    firstCategory: doc.categories.map((category) => categoryIndex.get(category.id) as number),
    categoryCaps: doc.categories.map((category) => category.cap),
    groups,
    floor: rule?.floor,
    ceiling: rule?.cap,
  };
}

/** Why a program's totals cannot be re-added from item columns (undefined: they can). */
export function totalsNotIncremental(doc: StandardDocument, programId: Id): string | undefined {
  const program = findProgram(doc, programId);
  if (program.persons) return "the program scores several persons";
  if (totalAdjustmentsOf(doc, program).length > 0) return "the total has percentages or multipliers";
  return undefined;
}

/**
 * Item points after the groups, in the groups' order as the scorer takes them: a highest-of group leaves its first
 * highest member's points and makes the others 0; a cap group's adjustment (the capped sum minus the sum) is kept per
 * row. A column is shared with `raw` unless a group changes it. Only groups of `groupsWanted` (all by default).
 */
export function pointsAfterGroups(
  layout: TotalsLayout,
  raw: readonly Float64Array[],
  size: number,
  groupsWanted?: ReadonlySet<number>,
): { points: Float64Array[]; capAdjustments: Map<number, Float64Array> } {
  const points = raw.slice();
  const capAdjustments = new Map<number, Float64Array>();
  layout.groups.forEach((group, g) => {
    if (groupsWanted && !groupsWanted.has(g)) return;
    const members = group.members;
    const columns = members.map((member) => points[member]);
    if (group.mode === "highestOnly") {
      const out = members.map(() => new Float64Array(size));
      for (let i = 0; i < size; i++) {
        let x = 0;
        let y = columns[0][i];
        for (let m = 1; m < members.length; m++) {
          if (columns[m][i] > y) {
            x = m;
            y = columns[m][i];
          }
        }
        out[x][i] = y;
      }
      members.forEach((member, m) => (points[member] = out[m]));
      return;
    }
    const adjustment = new Float64Array(size);
    const cap = group.cap;
    for (let i = 0; i < size; i++) {
      let y = 0;
      for (const q of columns) y = sum(y, q[i]);
      const x = capMagnitude(y, cap);
      if (x !== y) adjustment[i] = exact(x - y);
    }
    capAdjustments.set(g, adjustment);
  });
  return { points, capAdjustments };
}

/**
 * Each category in `categories` (first slots): its subtotal before its cap, per row, written into `into`.
 * `categories` must hold every category of a highest-of group's members once it holds one of them (`closeOverGroups`).
 */
export function categorySubtotals(layout: TotalsLayout, raw: readonly Float64Array[], size: number, categories: ReadonlySet<number>, into: Float64Array[]): void {
  const groupsWanted = new Set<number>();
  layout.groups.forEach((group, g) => {
    if (group.members.some((member) => categories.has(layout.itemCategory[member]))) groupsWanted.add(g);
  });
  const { points, capAdjustments } = pointsAfterGroups(layout, raw, size, groupsWanted);
  for (const c of categories) {
    const column = new Float64Array(size);
    for (let k = 0; k < layout.itemCount; k++) {
      if (layout.itemCategory[k] !== c || !layout.applicable[k]) continue;
      const q = points[k];
      for (let i = 0; i < size; i++) column[i] = sum(column[i], q[i]);
    }
    layout.groups.forEach((group, g) => {
      const adjustment = capAdjustments.get(g);
      if (!adjustment || layout.itemCategory[group.members[0]] !== c) return;
      for (let i = 0; i < size; i++) if (adjustment[i] !== 0) column[i] = sum(column[i], adjustment[i]);
    });
    into[c] = column;
  }
}

/** Adds to `categories` every category of the members of a highest-of group that has a member in one of them. */
export function closeOverGroups(layout: TotalsLayout, categories: Set<number>): void {
  for (let grew = true; grew; ) {
    grew = false;
    for (const group of layout.groups) {
      const cats = group.members.map((member) => layout.itemCategory[member]).filter((c) => c >= 0);
      if (cats.some((c) => categories.has(c)) && cats.some((c) => !categories.has(c))) {
        for (const c of cats) categories.add(c);
        grew = true;
      }
    }
  }
}

/** Totals from the categories' subtotals: caps, the sum in category order, the floor and ceiling. */
export function totalsFromSubtotals(layout: TotalsLayout, subtotals: readonly Float64Array[], size: number, into: Float64Array): void {
  const { categoryCount, firstCategory, categoryCaps, floor, ceiling } = layout;
  const capped = new Float64Array(categoryCount);
  for (let i = 0; i < size; i++) {
    let total = 0;
    for (let c = 0; c < categoryCount; c++) {
      const first = firstCategory[c];
      const value = first !== c ? capped[first] : categoryCaps[c] !== undefined ? capMagnitude(subtotals[c][i], categoryCaps[c]) : subtotals[c][i];
      capped[c] = value;
      total = sum(total, value);
    }
    if (floor !== undefined && total < floor) total = floor;
    if (ceiling !== undefined && total > ceiling) total = ceiling;
    into[i] = exact(total);
  }
}

/** The baseline as the session keeps it. */
export interface ScoredBaseline {
  program: ColumnarProgram;
  total: Float64Array;
  flags: Uint8Array;
  /** Per item (document order): its points before groups. */
  raw: Float64Array[];
  /** Derived facts whose every value is a number or missing (NaN), by id: read as columns when an item changes. */
  derivedColumns: Map<Id, Float64Array>;
}

export function scoreBaseline(doc: StandardDocument, programId: Id, cohort: Cohort, date: IsoDate): ScoredBaseline {
  const program = bindColumnar(doc, programId, cohort, date);
  const size = cohort.size;
  const total = new Float64Array(size);
  const flags = new Uint8Array(size);
  const itemCount = doc.items.length;
  const raw = Array.from({ length: itemCount }, () => new Float64Array(size));
  const derivedCount = program.derivedIds.length;
  const derived = Array.from({ length: derivedCount }, () => new Float64Array(size));
  const numeric = new Array<boolean>(derivedCount).fill(true);
  const { itemPoints, state } = program;
  const derivedValues = program.derived;
  for (let i = 0; i < size; i++) {
    total[i] = program.scoreRow(i);
    flags[i] = flagsOf(state);
    for (let k = 0; k < itemCount; k++) raw[k][i] = itemPoints[k];
    for (let d = 0; d < derivedCount; d++) {
      const value = derivedValues[d];
      if (typeof value === "number") derived[d][i] = value;
      else if (value === undefined || value === null) derived[d][i] = NaN;
      else numeric[d] = false;
    }
  }
  const derivedColumns = new Map<Id, Float64Array>();
  program.derivedIds.forEach((id, d) => {
    if (numeric[d]) derivedColumns.set(id, derived[d]);
  });
  return { program, total, flags, raw, derivedColumns };
}

/** Every string in a JSON value (ids it may refer to, and more: a superset is harmless). */
function stringsIn(value: unknown, into: Set<string>): void {
  if (typeof value === "string") into.add(value);
  else if (Array.isArray(value)) for (const entry of value) stringsIn(entry, into);
  else if (value !== null && typeof value === "object") for (const entry of Object.values(value)) stringsIn(entry, into);
}

/**
 * A scorer of some items only: the candidate's document cut down to those items, without groups, gates, vetoes or
 * total rules, and with each derived fact the baseline already computed read from its column as a declared number
 * (derived facts it could not keep as numbers are computed again, with what they refer to). Returns a function that
 * writes each item's points into its column.
 */
export function changedItemsScorer(
  candidate: StandardDocument,
  programId: Id,
  itemIndexes: readonly number[],
  cohort: Cohort,
  date: IsoDate,
  derivedColumns: ReadonlyMap<Id, Float64Array>,
): (into: Float64Array[]) => void {
  const items = itemIndexes.map((k) => candidate.items[k]);
  const referenced = new Set<string>();
  stringsIn(items, referenced);
  const derivedById = new Map((candidate.derived ?? []).map((derived) => [derived.id, derived]));
  const keep: DerivedFact[] = [];
  const queue = [...referenced];
  while (queue.length > 0) {
    const id = queue.pop()!;
    const derived = derivedById.get(id);
    if (!derived || derivedColumns.has(id) || keep.includes(derived)) continue;
    keep.push(derived);
    const more = new Set<string>();
    stringsIn(derived, more);
    for (const next of more) {
      if (!referenced.has(next)) {
        referenced.add(next);
        queue.push(next);
      }
    }
  }
  const asColumns = [...derivedColumns.keys()].filter((id) => referenced.has(id));
  const declared: FactDefinition[] = asColumns.map((id) => ({ id, type: "number", label: { zh: id, en: id } }));
  const program = findProgram(candidate, programId);
  const alone: Program = { ...program, total: undefined };
  const reduced: StandardDocument = {
    ...candidate,
    facts: [...candidate.facts, ...declared],
    derived: (candidate.derived ?? []).filter((derived) => keep.includes(derived)),
    items,
    groups: [],
    gates: [],
    vetoes: [],
    total: undefined,
    programs: [alone],
    testCases: undefined,
    rankingCases: undefined,
  };
  const columns: Record<Id, CohortColumn> = { ...cohort.columns };
  for (const id of asColumns) columns[id] = { kind: "number", values: derivedColumns.get(id)! };
  const view: Cohort = { size: cohort.size, ids: cohort.ids, factIds: [...cohort.factIds, ...asColumns], columns };
  const scorer = bindColumnar(reduced, programId, view, date);
  return (into) => {
    const points = scorer.items;
    const count = itemIndexes.length;
    const columnsOut = itemIndexes.map((k) => into[k]);
    for (let i = 0; i < view.size; i++) {
      scorer.scoreRow(i);
      for (let j = 0; j < count; j++) columnsOut[j][i] = points[j];
    }
  };
}

/** Totals kept for the fast path: before the floor and ceiling, and whether every figure stays where sums are exact. */
export interface TotalsBeforeBounds {
  preBounds: Float64Array;
  /** Every subtotal and total is below 1e5 in magnitude: sums on the 1e-9 grid do not depend on their order. */
  small: boolean;
}

/** `totalsFromSubtotals`'s totals before the floor and ceiling, for the fast path. */
export function totalsBeforeBounds(layout: TotalsLayout, subtotals: readonly Float64Array[], size: number): TotalsBeforeBounds {
  const { categoryCount, firstCategory, categoryCaps } = layout;
  const preBounds = new Float64Array(size);
  const capped = new Float64Array(categoryCount);
  let small = true;
  for (let i = 0; i < size; i++) {
    let total = 0;
    for (let c = 0; c < categoryCount; c++) {
      const first = firstCategory[c];
      const value = first !== c ? capped[first] : categoryCaps[c] !== undefined ? capMagnitude(subtotals[c][i], categoryCaps[c]) : subtotals[c][i];
      capped[c] = value;
      if (first === c && !(Math.abs(subtotals[c][i]) < 1e5)) small = false;
      total = sum(total, value);
    }
    if (!(Math.abs(total) < 1e5)) small = false;
    preBounds[i] = total;
  }
  return { preBounds, small };
}

/**
 * The fast path of one run: changed items in no group, whose categories are not repeated and keep their caps, under
 * the same floor and ceiling, with small figures. Only rows whose changed items' points moved are touched: their
 * category subtotal moves by the difference, the total by the difference of the capped subtotal (on the 1e-9 grid
 * this is the same number as adding them up again). Returns undefined when the run does not qualify.
 */
export function totalsByDifference(
  before: TotalsLayout,
  after: TotalsLayout,
  changed: readonly number[],
  rawBefore: readonly Float64Array[],
  rawAfter: readonly Float64Array[],
  subtotals: readonly Float64Array[],
  totals: Float64Array,
  bounds: TotalsBeforeBounds,
): Float64Array | undefined {
  if (!bounds.small || before.floor !== after.floor || before.ceiling !== after.ceiling) return undefined;
  const inGroup = new Set<number>();
  for (const group of [...before.groups, ...after.groups]) for (const member of group.members) inGroup.add(member);
  const categories = new Set<number>();
  for (const k of changed) {
    if (inGroup.has(k)) return undefined;
    if (!after.applicable[k] || after.itemCategory[k] < 0) continue;
    categories.add(after.itemCategory[k]);
  }
  // Two categories moving in one row would each start from the baseline's total.
  if (categories.size > 1) return undefined;
  for (const c of categories) {
    if (before.categoryCaps[c] !== after.categoryCaps[c]) return undefined;
    if (after.firstCategory.some((first, other) => first === c && other !== c)) return undefined;
  }
  const total = totals.slice();
  const preBounds = bounds.preBounds;
  const { floor, ceiling } = after;
  for (const c of categories) {
    const items = changed.filter((k) => after.applicable[k] && after.itemCategory[k] === c);
    const cap = after.categoryCaps[c];
    const subtotal = subtotals[c];
    const olds = items.map((k) => rawBefore[k]);
    const news = items.map((k) => rawAfter[k]);
    for (let i = 0; i < total.length; i++) {
      let difference = 0;
      for (let j = 0; j < items.length; j++) difference += news[j][i] - olds[j][i];
      if (difference === 0) continue;
      const old = subtotal[i];
      const moved = exact(old + difference);
      const cappedOld = cap !== undefined ? capMagnitude(old, cap) : old;
      const cappedNew = cap !== undefined ? capMagnitude(moved, cap) : moved;
      if (cappedOld === cappedNew) continue;
      let value = exact(preBounds[i] + (cappedNew - cappedOld));
      if (floor !== undefined && value < floor) value = floor;
      if (ceiling !== undefined && value > ceiling) value = ceiling;
      total[i] = exact(value);
    }
  }
  return total;
}

/** The points an item's kind lists (a fixed item's one, each tier's, each band's), or undefined for other kinds. */
function listedPoints(item: ScoringItem): number[] | undefined {
  const scoring = item.scoring;
  if (scoring.kind === "fixed") return [scoring.points];
  if (scoring.kind === "tiers") return scoring.tiers.map((tier) => tier.points);
  if (scoring.kind === "bands") return scoring.bands.map((band) => band.points);
  return undefined;
}

function withoutPoints(item: ScoringItem): string {
  return JSON.stringify(item, (key, value) => (key === "points" || key === "cap" ? undefined : value));
}

/**
 * When only the points (and the cap) of a fixed, tiers or bands item changed, each row's new points follow from its
 * old ones: the same tier or band is chosen (its conditions, the fact's bands and the vesting are unchanged, and the
 * tiers keep their order by points, which decides the choice), so the old finished points name it, provided no two
 * of them are equal and none is 0. Returns the old and new finished points, or undefined when that does not hold.
 */
export function pointsOnlyChange(before: ScoringItem, after: ScoringItem): { from: Float64Array; to: Float64Array } | undefined {
  const pointsBefore = listedPoints(before);
  const pointsAfter = listedPoints(after);
  if (!pointsBefore || !pointsAfter || pointsBefore.length !== pointsAfter.length || withoutPoints(before) !== withoutPoints(after)) return undefined;
  if (before.scoring.kind === "tiers") {
    for (let a = 0; a < pointsBefore.length; a++) {
      for (let b = a + 1; b < pointsBefore.length; b++) {
        if (Math.sign(pointsBefore[a] - pointsBefore[b]) !== Math.sign(pointsAfter[a] - pointsAfter[b])) return undefined;
      }
    }
  }
  const from = Float64Array.from(pointsBefore, (points) => exact(capMagnitude(points, before.cap)));
  const to = Float64Array.from(pointsAfter, (points) => exact(capMagnitude(points, after.cap)));
  if (from.some((value, t) => value === 0 || from.indexOf(value) !== t)) return undefined;
  return { from, to };
}

/** The new points of every row from its old ones (`pointsOnlyChange`): 0 stays 0, each old tier's points become its new ones. */
export function remapPoints(change: { from: Float64Array; to: Float64Array }, before: Float64Array, into: Float64Array): void {
  const { from, to } = change;
  const n = from.length;
  for (let i = 0; i < before.length; i++) {
    const value = before[i];
    if (value === 0) continue;
    let t = 0;
    while (t < n && from[t] !== value) t++;
    into[i] = t < n ? to[t] : value;
  }
}

/**
 * When a linear or accrual item keeps its condition, vesting and fact and changes only its numbers (rates, bands,
 * origin, base, bounds, cap), each row's new points are a function of its fact's value, for the rows where the
 * condition and vesting hold. Returns the row's points as a function of the value, or undefined.
 */
export function valueOnlyChange(before: ScoringItem, after: ScoringItem): ((value: number) => number) | undefined {
  const a = before.scoring;
  const s = after.scoring;
  if ((s.kind !== "linear" && s.kind !== "accrual") || a.kind !== s.kind || a.fact !== s.fact) return undefined;
  if (JSON.stringify([before.when, before.vesting, before.programs]) !== JSON.stringify([after.when, after.vesting, after.programs])) return undefined;
  const cap = after.cap;
  return s.kind === "linear"
    ? (value) => exact(capMagnitude(Number.isFinite(value) ? linearPoints(s, value) : 0, cap))
    : (value) => exact(capMagnitude(Number.isFinite(value) ? accrualPoints(s, value) : 0, cap));
}

/** The item with fixed points 1 and no cap: scored, it says per row whether its condition and vesting hold. */
export function conditionProbe(item: ScoringItem): ScoringItem {
  return { ...item, cap: undefined, scoring: { kind: "fixed", points: 1 } };
}

/**
 * The value a linear or accrual item reads, per row, when it is a number column of the cohort (a missing value
 * takes the fact's default) or a derived fact kept as a column; undefined otherwise.
 */
export function numericValues(doc: StandardDocument, factId: Id, cohort: Cohort, derivedColumns: ReadonlyMap<Id, Float64Array>): Float64Array | undefined {
  const derived = derivedColumns.get(factId);
  if (derived) return derived;
  if ((doc.derived ?? []).some((d) => d.id === factId)) return undefined;
  const definition = doc.facts.find((fact) => fact.id === factId);
  const column = cohort.factIds.includes(factId) ? cohort.columns[factId] : undefined;
  if (!definition || !column || column.kind !== "number") return undefined;
  const fallback = definition.default;
  if (fallback === undefined || fallback === null) return column.values;
  if (typeof fallback !== "number") return undefined;
  return Float64Array.from(column.values, (value) => (value === value ? value : fallback));
}

/** Writes the new points of the rows whose condition holds (`holds[i]` 1) from their values. */
export function pointsFromValues(points: (value: number) => number, values: Float64Array, holds: Float64Array, into: Float64Array): void {
  let lastValue = NaN;
  let lastPoints = points(NaN);
  for (let i = 0; i < values.length; i++) {
    if (holds[i] === 0) continue;
    const value = values[i];
    if (value !== lastValue) {
      lastValue = value;
      lastPoints = points(value);
    }
    into[i] = lastPoints;
  }
}
