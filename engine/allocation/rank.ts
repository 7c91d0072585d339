/**
 * Allocation of places among scored applicants (patterns 13, 14).
 *
 * Semantics, followed exactly by both entry points (`rankProgram` over objects, `allocateColumns` over typed arrays):
 *
 * Threshold allocation: an applicant is admitted (round 1) when eligible, not vetoed and total >= threshold;
 * otherwise the reason is `vetoed`, `ineligible` or `belowThreshold` (in that order). Ranks order the eligible, not vetoed
 * applicants of each pool by total (highest first), then applicant id.
 *
 * Quota allocation, per pool (the `poolBy` fact's value as text, "" when missing, "*" when the program has none):
 * 1. Candidates are eligible, not vetoed, and reach `minimumTotal` when it is given; the others are not ranked
 *    and their reason is `vetoed`, `ineligible` or `belowMinimum` (checked in that order).
 * 2. Candidates are ordered by `rankBy`, then `tieBreak`. Keys of kind total/category/item/fact compare numbers;
 *    dates (ISO `YYYY-MM-DD`) compare by day; other text compares by code units; booleans false < true.
 *    `asc`/`desc` apply to present values; a missing value sorts last whatever the order.
 *    Applicants equal on every key are "tied"; among them the final key is the applicant id (ascending).
 * 3. Places of a pool = `quotas[pool]`, else `quotas["*"]`, else 0. When the candidates outnumber the places and the
 *    applicants at positions `places` and `places + 1` are tied, the tied group straddles the cut-off:
 *    - `admitAll`: the whole group is admitted (the pool may exceed its quota);
 *    - `exclude`: nobody of the group is admitted (reason `tieExcluded`), even though places stay empty;
 *    - `lottery`: the group is reordered by a seeded draw (`lotteryDraw(seed, id)`, ties of draws by id), the first
 *      ones fill the remaining places, the others lose (reason `lotteryLost`). The seed is `opts.seed`, else the
 *      program's `lotterySeed`, else "" — so the same seed always gives the same result.
 *    Candidates after the cut-off are `belowCutoff`.
 * 4. Second round (when `secondRound.enabled`): the leftover places of all pools, Σ max(0, places − admitted),
 *    are offered to the candidates not yet admitted, in the same order city-wide (pools ignored). Each receiving pool
 *    (the applicant's own pool) takes at most `perPoolCap` extra applicants when given; applicants whose pool is full
 *    are skipped. A tied group that straddles the last leftover place is handled by the tie policy as in round 1
 *    (lottery groups are ordered by draw). Applicants admitted here are `round2`.
 *
 * 5. Given at allocation time like quotas (issue 20): `opts.scoreLine` replaces the program's `minimumTotal` (quota)
 *    or `threshold` for this allocation. `secondRound.perPoolCapShare` caps a pool's round-2 extra places at that
 *    share of its places (rounded down; the smaller with `perPoolCap`). `oneAdmittedPer` (a fact): of the candidates
 *    sharing a value, only the first in the global order stays a candidate; the others are `sameKey` and take no place.
 *
 * Output: per applicant, `rank` (1-based position within the pool, null when not a candidate; tied applicants take
 * consecutive positions by id, except a lottery group at a cut-off, which takes them in draw order), `admitted`
 * (`round1` | `round2` | null) and `reason` when not admitted; per pool: places, admitted counts per round,
 * cut-off total (the lowest total admitted in round 1) and leftover places after round 1.
 * Everything is deterministic: the same inputs give the same order and the same result.
 */
import type { Id, Program, RankKey, TiePolicy } from "../../rules-schema/types";
import { lotteryDraw } from "../prng";

/** One scored applicant, as ranking needs it. */
export interface RankEntry {
  id: string;
  /** Pool value (the `poolBy` fact as text), "*" when the program has no pool. */
  pool: string;
  eligible: boolean;
  vetoed: boolean;
  total: number;
  /** Category subtotals by id (only those named by rank keys are read). */
  categories?: Record<Id, number>;
  /** Item points by id (only those named by rank keys are read). */
  items?: Record<Id, number>;
  /** Fact values named by rank keys (dates as ISO strings). */
  facts?: Record<Id, unknown>;
  /** The value of the program's `oneAdmittedPer` fact as text; absent = no limit. */
  onePerKey?: string;
  /** Programs that score several persons: the highest total of the other qualifying candidates (decision 028). */
  otherTotal?: number;
}

export type NotAdmittedReason =
  | "ineligible"
  | "vetoed"
  | "belowMinimum"
  | "belowThreshold"
  | "belowCutoff"
  | "tieExcluded"
  | "lotteryLost"
  | "sameKey";

export interface ApplicantAllocation {
  id: string;
  pool: string;
  total: number;
  /** 1-based position within the pool; null when the applicant is not ranked. */
  rank: number | null;
  admitted: "round1" | "round2" | null;
  reason?: NotAdmittedReason;
}

export interface PoolAllocation {
  pool: string;
  /** Places of the pool (null for threshold allocation). */
  places: number | null;
  candidates: number;
  admittedRound1: number;
  admittedRound2: number;
  /** The lowest total admitted in round 1; null when nobody was. */
  cutoffTotal: number | null;
  /** Places left after round 1 (0 when ties made the pool exceed its places). */
  leftover: number;
}

export interface AllocationResult {
  programId: Id;
  kind: "threshold" | "quota";
  tiePolicy?: TiePolicy;
  /** Applicants in input order. */
  applicants: ApplicantAllocation[];
  pools: PoolAllocation[];
  admittedCount: number;
}

export interface RankOptions {
  /** Lottery seed; overrides the program's `lotterySeed`. */
  seed?: string;
  /** Declared value order of enum facts used as rank keys (compared by position instead of text). */
  enumOrder?: Record<Id, readonly string[]>;
  /** The score line of this round: replaces the program's `minimumTotal` (quota) or `threshold`. */
  scoreLine?: number;
}

/** Outcome codes of the columnar form. */
export const OUTCOME = {
  round1: 1,
  round2: 2,
  ineligible: 10,
  vetoed: 11,
  belowMinimum: 12,
  belowThreshold: 13,
  belowCutoff: 14,
  tieExcluded: 15,
  lotteryLost: 16,
  sameKey: 17,
} as const;

const REASON_BY_CODE: Record<number, NotAdmittedReason> = {
  10: "ineligible",
  11: "vetoed",
  12: "belowMinimum",
  13: "belowThreshold",
  14: "belowCutoff",
  15: "tieExcluded",
  16: "lotteryLost",
  17: "sameKey",
};

/** Columnar input: one slot per applicant. */
export interface RankColumns {
  size: number;
  ids: ArrayLike<string>;
  /** Pool code per applicant, an index into `poolNames`. */
  poolCodes: Int32Array;
  poolNames: readonly string[];
  eligible: Uint8Array;
  vetoed: Uint8Array;
  total: Float64Array;
  /** One column per key of `rankBy` then `tieBreak`, in numeric form (dates as day numbers); NaN = missing. */
  keys: Float64Array[];
  /** Position of each applicant when all ids are sorted ascending; computed when absent. */
  idOrder?: Int32Array;
  /** Code of each applicant's `oneAdmittedPer` value (−1: none), for programs that have one. */
  onePerKey?: Int32Array;
}

export interface AllocationColumns {
  /** 1-based rank within the pool, 0 when not ranked. */
  rank: Int32Array;
  /** OUTCOME code per applicant. */
  outcome: Uint8Array;
  pools: PoolAllocation[];
  admittedCount: number;
}

/** The program with this round's score line in place of its `minimumTotal` (quota) or `threshold`. */
export function withScoreLine(program: Program, scoreLine: number | undefined): Program {
  if (scoreLine === undefined) return program;
  const allocation = program.allocation.kind === "quota" ? { ...program.allocation, minimumTotal: scoreLine } : { ...program.allocation, threshold: scoreLine };
  return { ...program, allocation };
}

/** The document with this round's score line in the program (for paths that take documents, like the what-if). */
export function documentWithScoreLine<D extends { programs: Program[] }>(doc: D, programId: Id, scoreLine: number | undefined): D {
  if (scoreLine === undefined) return doc;
  return { ...doc, programs: doc.programs.map((program) => (program.id === programId ? withScoreLine(program, scoreLine) : program)) };
}

/** The rank and tie-break keys of a program (empty for threshold allocation). */
export function programRankKeys(program: Program): RankKey[] {
  return program.allocation.kind === "quota" ? [...program.allocation.rankBy, ...program.allocation.tieBreak] : [];
}

/** Rank and allocate a program's places among scored applicants (semantics in this module's comment). */
export function rankProgram(
  program: Program,
  entries: readonly RankEntry[],
  quotas: Record<string, number>,
  opts: RankOptions = {},
): AllocationResult {
  const columns = entriesToColumns(program, entries, opts);
  const allocated = allocateColumns(program, columns, quotas, opts);
  const applicants: ApplicantAllocation[] = entries.map((entry, i) => {
    const code = allocated.outcome[i];
    const result: ApplicantAllocation = {
      id: entry.id,
      pool: entry.pool,
      total: entry.total,
      rank: allocated.rank[i] === 0 ? null : allocated.rank[i],
      admitted: code === OUTCOME.round1 ? "round1" : code === OUTCOME.round2 ? "round2" : null,
    };
    if (result.admitted === null) result.reason = REASON_BY_CODE[code];
    return result;
  });
  const allocation = program.allocation;
  return {
    programId: program.id,
    kind: allocation.kind,
    ...(allocation.kind === "quota" ? { tiePolicy: allocation.tiePolicy } : {}),
    applicants,
    pools: allocated.pools,
    admittedCount: allocated.admittedCount,
  };
}

export function reasonOfOutcome(code: number): NotAdmittedReason | undefined {
  return REASON_BY_CODE[code];
}

// ---------------------------------------------------------------------------------------------------------
// Conversion of entries to columns

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Day number of an ISO date (days since 1970-01-01), NaN when not a valid ISO date. */
export function isoDayNumber(date: string): number {
  if (!ISO_DATE.test(date)) return NaN;
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const ms = Date.UTC(y, m - 1, d);
  return ms / 86_400_000;
}

function keyValue(entry: RankEntry, key: RankKey): unknown {
  switch (key.key) {
    case "total":
      return entry.total;
    case "category":
      return entry.categories?.[key.id ?? ""];
    case "item":
      return entry.items?.[key.id ?? ""];
    case "fact":
      return entry.facts?.[key.id ?? ""];
    case "otherCandidate":
      return entry.otherTotal;
  }
}

/**
 * Numeric column for one rank key: numbers as they are, booleans 0/1, ISO dates as day numbers, enum values by
 * declared position, other text by its position among the distinct texts (code-unit order). Missing → NaN.
 */
export function numericKeyColumn(values: readonly unknown[], enumOrder?: readonly string[]): Float64Array {
  const column = new Float64Array(values.length).fill(NaN);
  const texts: string[] = [];
  let allDates = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "number") column[i] = Number.isFinite(v) ? v : NaN;
    else if (typeof v === "boolean") column[i] = v ? 1 : 0;
    else if (typeof v === "string") {
      texts.push(v);
      if (!ISO_DATE.test(v)) allDates = false;
    }
  }
  if (texts.length === 0) return column;
  let position: (text: string) => number;
  if (enumOrder) {
    const index = new Map(enumOrder.map((value, i) => [value, i]));
    position = (text) => index.get(text) ?? NaN;
  } else if (allDates) {
    position = isoDayNumber;
  } else {
    const distinct = [...new Set(texts)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const index = new Map(distinct.map((value, i) => [value, i]));
    position = (text) => index.get(text) ?? NaN;
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === "string") column[i] = position(v);
  }
  return column;
}

function entriesToColumns(program: Program, entries: readonly RankEntry[], opts: RankOptions): RankColumns {
  const size = entries.length;
  const poolIndex = new Map<string, number>();
  const poolNames: string[] = [];
  const poolCodes = new Int32Array(size);
  const eligible = new Uint8Array(size);
  const vetoed = new Uint8Array(size);
  const total = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const entry = entries[i];
    let code = poolIndex.get(entry.pool);
    if (code === undefined) {
      code = poolNames.length;
      poolIndex.set(entry.pool, code);
      poolNames.push(entry.pool);
    }
    poolCodes[i] = code;
    eligible[i] = entry.eligible ? 1 : 0;
    vetoed[i] = entry.vetoed ? 1 : 0;
    total[i] = entry.total;
  }
  const keys = programRankKeys(program).map((key) =>
    key.key === "total"
      ? total
      : numericKeyColumn(
          entries.map((entry) => keyValue(entry, key)),
          key.key === "fact" && key.id ? opts.enumOrder?.[key.id] : undefined,
        ),
  );
  const onePer = program.allocation.kind === "quota" && program.allocation.oneAdmittedPer !== undefined ? onePerCodes(entries.map((entry) => entry.onePerKey)) : undefined;
  return { size, ids: entries.map((e) => e.id), poolCodes, poolNames, eligible, vetoed, total, keys, ...(onePer ? { onePerKey: onePer } : {}) };
}

/** Codes of `oneAdmittedPer` values: equal texts share one, missing is −1. */
export function onePerCodes(values: ReadonlyArray<string | undefined>): Int32Array {
  const codes = new Int32Array(values.length).fill(-1);
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    if (value === undefined || value === "") return;
    let code = seen.get(value);
    if (code === undefined) {
      code = seen.size;
      seen.set(value, code);
    }
    codes[i] = code;
  });
  return codes;
}

// ---------------------------------------------------------------------------------------------------------
// Ordering

/** Position of each id in ascending id order (identity when the ids are already sorted). */
export function idOrderOf(ids: ArrayLike<string>): Int32Array {
  const n = ids.length;
  const order = new Int32Array(n);
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (!(ids[i - 1] < ids[i])) {
      sorted = false;
      break;
    }
  }
  if (sorted) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }
  const byId = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : a - b,
  );
  for (let position = 0; position < n; position++) order[byId[position]] = position;
  return order;
}

interface KeyCodes {
  /** Dense, order-preserving code per candidate (missing = largest). */
  codes: Int32Array;
  /** Number of distinct codes. */
  distinct: number;
}

const SCALES = [1, 2, 4, 10, 100, 1000];
const MAX_DIRECT_RANGE = 1 << 22;

/*
 * The passes below run once per allocation over up to a million candidates. Each is a small function of its own:
 * a loop inside a large function that runs once is optimised on the spot (OSR), and the code after it, never run
 * yet, then lacks type feedback and falls back to the interpreter, loop after loop (measured: ~3× the time of the
 * same passes as small functions).
 */

/** [min, max] of the present values (after negation when descending); Infinity, −Infinity when none. */
function keyRange(values: Float64Array, candidates: Int32Array, descending: boolean): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let j = 0; j < candidates.length; j++) {
    const v = values[candidates[j]];
    if (v === v) {
      const t = descending ? -v : v;
      if (t < min) min = t;
      if (t > max) max = t;
    }
  }
  return [min, max];
}

/** Whether every present value times `scale` is a whole number. */
function wholeAtScale(values: Float64Array, candidates: Int32Array, scale: number): boolean {
  for (let j = 0; j < candidates.length; j++) {
    const v = values[candidates[j]];
    if (v === v) {
      const scaled = v * scale;
      if (Math.abs(scaled - Math.round(scaled)) > 1e-7) return false;
    }
  }
  return true;
}

function scaledCodes(values: Float64Array, candidates: Int32Array, descending: boolean, scale: number, base: number, missing: number, codes: Int32Array): void {
  for (let j = 0; j < candidates.length; j++) {
    const v = values[candidates[j]];
    codes[j] = v === v ? Math.round((descending ? -v : v) * scale) - base : missing;
  }
}

/** Codes by position among the sorted distinct values (keys that are not multiples of a small fraction). */
function rankedCodes(values: Float64Array, candidates: Int32Array, descending: boolean, codes: Int32Array): number {
  const m = candidates.length;
  const present = new Float64Array(m);
  let count = 0;
  for (let j = 0; j < m; j++) {
    const v = values[candidates[j]];
    if (v === v) present[count++] = descending ? -v : v;
  }
  const sorted = present.subarray(0, count).sort();
  const unique = new Float64Array(count);
  let distinct = 0;
  for (let k = 0; k < count; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) unique[distinct++] = sorted[k];
  for (let j = 0; j < m; j++) {
    const v = values[candidates[j]];
    if (v !== v) {
      codes[j] = distinct;
      continue;
    }
    const t = descending ? -v : v;
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (unique[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    codes[j] = lo;
  }
  return distinct;
}

/** Order-preserving integer codes of one key over the candidates: ascending after applying `order`, missing last. */
function keyCodes(values: Float64Array, candidates: Int32Array, descending: boolean): KeyCodes {
  const codes = new Int32Array(candidates.length);
  const [min, max] = keyRange(values, candidates, descending);
  if (min === Infinity) return { codes, distinct: 1 };
  for (const scale of SCALES) {
    if ((max - min) * scale > MAX_DIRECT_RANGE) break;
    if (!wholeAtScale(values, candidates, scale)) continue;
    const base = Math.round(min * scale);
    const range = Math.round(max * scale) - base;
    scaledCodes(values, candidates, descending, scale, base, range + 1, codes);
    return { codes, distinct: range + 2 };
  }
  return { codes, distinct: rankedCodes(values, candidates, descending, codes) + 1 };
}

/** Each candidate's keys packed into one number (mixed radix, first key most significant). */
function packCodes(codes: KeyCodes[], m: number): Float64Array {
  const packed = new Float64Array(m);
  if (codes.length === 1) packed.set(codes[0].codes);
  else for (const { codes: column, distinct } of codes) for (let j = 0; j < m; j++) packed[j] = packed[j] * distinct + column[j];
  return packed;
}

/** packCodes for keys known to fit in 31 bits (the counting sort's). */
function packCodesSmall(codes: KeyCodes[], m: number): Int32Array {
  const packed = new Int32Array(m);
  if (codes.length === 1) packed.set(codes[0].codes);
  else for (const { codes: column, distinct } of codes) for (let j = 0; j < m; j++) packed[j] = packed[j] * distinct + column[j];
  return packed;
}

function countKeys(keys: Int32Array, capacity: number): Int32Array {
  const starts = new Int32Array(capacity + 1);
  for (let j = 0; j < keys.length; j++) starts[keys[j] + 1]++;
  for (let key = 0; key < capacity; key++) starts[key + 1] += starts[key];
  return starts;
}

/** Counting-sort placement of the candidates in row order (placeById: in id order). */
function placeInOrder(candidates: Int32Array, keys: Int32Array, starts: Int32Array, order: Int32Array, keyAt: Int32Array): void {
  for (let j = 0; j < candidates.length; j++) {
    const slot = starts[keys[j]]++;
    order[slot] = candidates[j];
    keyAt[slot] = keys[j];
  }
}

function placeById(candidates: Int32Array, keys: Int32Array, starts: Int32Array, order: Int32Array, keyAt: Int32Array, idOrder: Int32Array, size: number): void {
  const candidateOfRow = new Int32Array(size).fill(-1);
  for (let j = 0; j < candidates.length; j++) candidateOfRow[candidates[j]] = j;
  const rowById = new Int32Array(size);
  for (let i = 0; i < size; i++) rowById[idOrder[i]] = i;
  for (let position = 0; position < size; position++) {
    const j = candidateOfRow[rowById[position]];
    if (j < 0) continue;
    const slot = starts[keys[j]]++;
    order[slot] = candidates[j];
    keyAt[slot] = keys[j];
  }
}

/** Dense group numbers of sorted keys: equal neighbours share one. */
function groupsOfSorted(keyAt: Int32Array, groupAt: Int32Array): void {
  let groupNumber = -1;
  for (let j = 0; j < keyAt.length; j++) {
    if (j === 0 || keyAt[j] !== keyAt[j - 1]) groupNumber++;
    groupAt[j] = groupNumber;
  }
}

/**
 * orderCandidates when the packed keys take few values (whole-point totals): a counting sort, visiting the
 * candidates in id order so that equal keys keep id order. The same order as sorting packed keys with the id last.
 */
function countingOrder(
  candidates: Int32Array,
  codes: KeyCodes[],
  capacity: number,
  idOrder: Int32Array,
  idOrderIsIdentity: boolean,
  size: number,
): { order: Int32Array; groupAt: Int32Array } {
  const m = candidates.length;
  const keys = packCodesSmall(codes, m);
  const starts = countKeys(keys, capacity);
  const order = new Int32Array(m);
  const keyAt = new Int32Array(m);
  // Candidates are in row order: row order is id order when idOrder is the identity.
  if (idOrderIsIdentity) placeInOrder(candidates, keys, starts, order, keyAt);
  else placeById(candidates, keys, starts, order, keyAt, idOrder, size);
  const groupAt = new Int32Array(m);
  groupsOfSorted(keyAt, groupAt);
  return { order, groupAt };
}

/** Packed keys with each candidate's id position in the low `idSpan` part, sorted; then split into order and groups. */
function packedOrder(candidates: Int32Array, codes: KeyCodes[], idOrder: Int32Array, idOrderIsIdentity: boolean, size: number, idSpan: number): { order: Int32Array; groupAt: Int32Array } {
  const m = candidates.length;
  const packed = packCodes(codes, m);
  withIdPart(packed, candidates, idOrder, idSpan);
  packed.sort();
  let byIdOrder: Int32Array | undefined;
  if (!idOrderIsIdentity) {
    byIdOrder = new Int32Array(size);
    for (let i = 0; i < size; i++) byIdOrder[idOrder[i]] = i;
  }
  const order = new Int32Array(m);
  const groupAt = new Int32Array(m);
  splitPacked(packed, idSpan, byIdOrder, order, groupAt);
  return { order, groupAt };
}

function withIdPart(packed: Float64Array, candidates: Int32Array, idOrder: Int32Array, idSpan: number): void {
  for (let j = 0; j < packed.length; j++) packed[j] = packed[j] * idSpan + idOrder[candidates[j]];
}

function splitPacked(packed: Float64Array, idSpan: number, byIdOrder: Int32Array | undefined, order: Int32Array, groupAt: Int32Array): void {
  let previousKey = -1;
  let groupNumber = -1;
  for (let j = 0; j < packed.length; j++) {
    const value = packed[j];
    const key = Math.floor(value / idSpan);
    const idPart = value - key * idSpan;
    order[j] = byIdOrder ? byIdOrder[idPart] : idPart;
    if (key !== previousKey) {
      groupNumber++;
      previousKey = key;
    }
    groupAt[j] = groupNumber;
  }
}

/**
 * Candidates in rank order (all pools together) and a dense tie-group number per position: positions share a
 * group exactly when their applicants are equal on every key. One numeric sort of packed keys when they fit in
 * 53 bits. Arrays are indexed by position in this order, so later passes read them sequentially.
 */
function orderCandidates(
  candidates: Int32Array,
  keyColumns: Float64Array[],
  descending: boolean[],
  idOrder: Int32Array,
  idOrderIsIdentity: boolean,
  size: number,
): { order: Int32Array; groupAt: Int32Array } {
  const m = candidates.length;
  const codes = keyColumns.map((column, k) => keyCodes(column, candidates, descending[k]));
  let capacity = 1;
  for (const c of codes) capacity *= c.distinct;
  // The id part takes the low bits (a power of two ≥ size), so splitting a packed key is an exact division.
  let idSpan = 1;
  while (idSpan < size) idSpan *= 2;
  if (capacity <= Math.max(1 << 16, 2 * m)) return countingOrder(candidates, codes, capacity, idOrder, idOrderIsIdentity, size);
  if (capacity * idSpan < 2 ** 53) return packedOrder(candidates, codes, idOrder, idOrderIsIdentity, size, idSpan);
  const order = new Int32Array(m);
  const groupAt = new Int32Array(m);
  const positions = Array.from({ length: m }, (_, j) => j);
  positions.sort((a, b) => {
    for (let k = 0; k < codes.length; k++) {
      const d = codes[k].codes[a] - codes[k].codes[b];
      if (d !== 0) return d;
    }
    return idOrder[candidates[a]] - idOrder[candidates[b]];
  });
  let groupNumber = -1;
  for (let j = 0; j < m; j++) {
    const p = positions[j];
    order[j] = candidates[p];
    let same = j > 0;
    if (same) {
      const q = positions[j - 1];
      for (let k = 0; k < codes.length && same; k++) same = codes[k].codes[p] === codes[k].codes[q];
    }
    if (!same) groupNumber++;
    groupAt[j] = groupNumber;
  }
  return { order, groupAt };
}

/** Reorder positions `list[start, end)` by the lottery draw of their applicants, then id order. */
function drawOrder(
  list: Int32Array,
  start: number,
  end: number,
  order: Int32Array,
  ids: ArrayLike<string>,
  idOrder: Int32Array,
  seed: string,
) {
  const members = Array.from(list.subarray(start, end));
  const draws = new Map(members.map((position) => [position, lotteryDraw(seed, ids[order[position]])]));
  members.sort((a, b) => draws.get(a)! - draws.get(b)! || idOrder[order[a]] - idOrder[order[b]]);
  list.set(members, start);
}

function isIdentity(order: Int32Array): boolean {
  for (let i = 0; i < order.length; i++) if (order[i] !== i) return false;
  return true;
}

/** Outcome of each applicant that cannot be ranked (vetoed, ineligible, below the minimum); returns how many can. */
function screenApplicants(vetoed: Uint8Array, eligible: Uint8Array, total: Float64Array, minimum: number | undefined, outcome: Uint8Array): number {
  let candidateCount = 0;
  const hasMinimum = minimum !== undefined;
  const least = minimum ?? 0;
  for (let i = 0; i < outcome.length; i++) {
    if (vetoed[i]) outcome[i] = OUTCOME.vetoed;
    else if (!eligible[i]) outcome[i] = OUTCOME.ineligible;
    else if (hasMinimum && !(total[i] >= least)) outcome[i] = OUTCOME.belowMinimum;
    else candidateCount++;
  }
  return candidateCount;
}

function unscreened(outcome: Uint8Array, count: number): Int32Array {
  const candidates = new Int32Array(count);
  for (let i = 0, j = 0; i < outcome.length; i++) if (outcome[i] === 0) candidates[j++] = i;
  return candidates;
}

function gatherInt32(values: Int32Array, order: Int32Array): Int32Array {
  const out = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = values[order[j]];
  return out;
}

function gatherFloat64(values: Float64Array, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let j = 0; j < order.length; j++) out[j] = values[order[j]];
  return out;
}

/** Stable split of the global order into pools: positions ascending within each pool, and where each pool starts. */
function splitByPool(poolAt: Int32Array, poolCount: number): { poolStart: Int32Array; poolOrder: Int32Array } {
  const poolStart = new Int32Array(poolCount + 1);
  const poolOrder = new Int32Array(poolAt.length);
  if (poolCount === 1) {
    poolStart[1] = poolAt.length;
    for (let j = 0; j < poolAt.length; j++) poolOrder[j] = j;
    return { poolStart, poolOrder };
  }
  for (let j = 0; j < poolAt.length; j++) poolStart[poolAt[j] + 1]++;
  for (let p = 0; p < poolCount; p++) poolStart[p + 1] += poolStart[p];
  const fill = poolStart.slice(0, poolCount);
  for (let j = 0; j < poolAt.length; j++) poolOrder[fill[poolAt[j]]++] = j;
  return { poolStart, poolOrder };
}

function setOutcomes(poolOrder: Int32Array, start: number, end: number, outcomeAt: Uint8Array, code: number): void {
  for (let j = start; j < end; j++) outcomeAt[poolOrder[j]] = code;
}

function thresholdOutcomes(poolOrder: Int32Array, start: number, end: number, totalAt: Float64Array, threshold: number, outcomeAt: Uint8Array): void {
  for (let j = start; j < end; j++) {
    const position = poolOrder[j];
    outcomeAt[position] = totalAt[position] >= threshold ? OUTCOME.round1 : OUTCOME.belowThreshold;
  }
}

/** Ranks within one pool; returns how many were admitted in round 1 and the lowest total among them. */
function rankPool(
  poolOrder: Int32Array,
  start: number,
  end: number,
  outcomeAt: Uint8Array,
  rankAt: Int32Array,
  total: Float64Array,
  totalIndex: Int32Array | undefined,
): { admitted: number; cutoff: number | null } {
  let admitted = 0;
  let cutoff: number | null = null;
  for (let j = start; j < end; j++) {
    const position = poolOrder[j];
    rankAt[position] = j - start + 1;
    if (outcomeAt[position] === OUTCOME.round1) {
      admitted++;
      const value = total[totalIndex ? totalIndex[position] : position];
      if (cutoff === null || value < cutoff) cutoff = value;
    }
  }
  return { admitted, cutoff };
}

function scatterOutcomes(order: Int32Array, rankAt: Int32Array, outcomeAt: Uint8Array, rank: Int32Array, outcome: Uint8Array): void {
  for (let j = 0; j < order.length; j++) {
    const applicant = order[j];
    rank[applicant] = rankAt[j];
    outcome[applicant] = outcomeAt[j];
  }
}

/** The columnar allocation (same semantics as `rankProgram`; the hot path of simulations). */
export function allocateColumns(
  program: Program,
  input: RankColumns,
  quotas: Record<string, number>,
  opts: RankOptions = {},
): AllocationColumns {
  const { size, ids, poolCodes, poolNames, eligible, vetoed, total } = input;
  program = withScoreLine(program, opts.scoreLine);
  const allocation = program.allocation;
  const idOrder = input.idOrder ?? idOrderOf(ids);
  const rank = new Int32Array(size);
  const outcome = new Uint8Array(size);
  const isQuota = allocation.kind === "quota";

  let candidateCount = screenApplicants(vetoed, eligible, total, isQuota ? allocation.minimumTotal : undefined, outcome);
  const candidates = unscreened(outcome, candidateCount);
  const keyColumns = isQuota ? input.keys : [total];
  const descending = isQuota ? programRankKeys(program).map((k) => k.order === "desc") : [true];
  let { order, groupAt } = orderCandidates(candidates, keyColumns, descending, idOrder, isIdentity(idOrder), size);
  if (isQuota && allocation.oneAdmittedPer !== undefined && input.onePerKey) {
    ({ order, groupAt } = firstPerKey(order, groupAt, input.onePerKey, outcome));
    candidateCount = order.length;
  }

  // Everything below is indexed by position in the global order; one gather here, one scatter at the end.
  // Gathers read in random order (the cost of this function at a million): skipped where they are not needed.
  const poolCount = poolNames.length;
  const poolAt = poolCount > 1 ? gatherInt32(poolCodes, order) : new Int32Array(candidateCount);
  // A threshold program reads every total by position; a quota program only its admitted ones' (through order).
  const totalAt = isQuota ? undefined : gatherFloat64(total, order);
  const outcomeAt = new Uint8Array(candidateCount);
  const rankAt = new Int32Array(candidateCount);
  const { poolStart, poolOrder } = splitByPool(poolAt, poolCount);

  const seed = opts.seed ?? (isQuota ? allocation.lotterySeed : undefined) ?? "";
  const placesOf = (pool: string) => Math.max(0, Math.floor(quotas[pool] ?? quotas["*"] ?? 0));
  const pools: PoolAllocation[] = [];
  let admittedCount = 0;

  for (let p = 0; p < poolCount; p++) {
    const start = poolStart[p];
    const end = poolStart[p + 1];
    const count = end - start;
    if (!isQuota) thresholdOutcomes(poolOrder, start, end, totalAt!, allocation.threshold, outcomeAt);
    else {
      const places = placesOf(poolNames[p]);
      let admitEnd = start + Math.min(places, count);
      let tieStart = -1;
      let tieEnd = -1;
      if (count > places && places > 0 && groupAt[poolOrder[start + places - 1]] === groupAt[poolOrder[start + places]]) {
        const tied = groupAt[poolOrder[start + places]];
        tieStart = start + places - 1;
        while (tieStart > start && groupAt[poolOrder[tieStart - 1]] === tied) tieStart--;
        tieEnd = start + places + 1;
        while (tieEnd < end && groupAt[poolOrder[tieEnd]] === tied) tieEnd++;
      }
      setOutcomes(poolOrder, start, end, outcomeAt, OUTCOME.belowCutoff);
      if (tieStart >= 0) {
        if (allocation.tiePolicy === "admitAll") admitEnd = tieEnd;
        else if (allocation.tiePolicy === "exclude") {
          admitEnd = tieStart;
          setOutcomes(poolOrder, tieStart, tieEnd, outcomeAt, OUTCOME.tieExcluded);
        } else {
          drawOrder(poolOrder, tieStart, tieEnd, order, ids, idOrder, seed);
          setOutcomes(poolOrder, admitEnd, tieEnd, outcomeAt, OUTCOME.lotteryLost);
        }
      }
      setOutcomes(poolOrder, start, admitEnd, outcomeAt, OUTCOME.round1);
    }
    const { admitted, cutoff } = totalAt ? rankPool(poolOrder, start, end, outcomeAt, rankAt, totalAt, undefined) : rankPool(poolOrder, start, end, outcomeAt, rankAt, total, order);
    admittedCount += admitted;
    const places = isQuota ? placesOf(poolNames[p]) : null;
    pools.push({
      pool: poolNames[p],
      places,
      candidates: count,
      admittedRound1: admitted,
      admittedRound2: 0,
      cutoffTotal: cutoff,
      leftover: places === null ? 0 : Math.max(0, places - admitted),
    });
  }

  if (isQuota) {
    // Pools named in the quotas but without candidates still offer their places.
    const seen = new Set(poolNames);
    for (const pool of Object.keys(quotas).sort()) {
      if (pool === "*" || seen.has(pool)) continue;
      const places = placesOf(pool);
      pools.push({ pool, places, candidates: 0, admittedRound1: 0, admittedRound2: 0, cutoffTotal: null, leftover: places });
    }
    if (allocation.secondRound?.enabled) {
      const { perPoolCap, perPoolCapShare } = allocation.secondRound;
      const caps = pools.map((pool) => {
        const share = perPoolCapShare === undefined ? Infinity : Math.floor(exactShare(perPoolCapShare * (pool.places ?? 0)));
        return Math.min(perPoolCap ?? Infinity, share);
      });
      admittedCount += secondRound(allocation.tiePolicy, caps, pools, order, groupAt, outcomeAt, poolAt, ids, idOrder, seed);
    }
  }
  scatterOutcomes(order, rankAt, outcomeAt, rank, outcome);
  pools.sort((a, b) => (a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : 0));
  return { rank, outcome, pools, admittedCount };
}

/** A share of places as written (10% of 30 is 3, not 2.9999999999999996). */
function exactShare(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/**
 * `oneAdmittedPer`: keeps the first candidate of each key value in the global order; the others leave the order
 * with the outcome `sameKey`.
 */
function firstPerKey(order: Int32Array, groupAt: Int32Array, keyOf: Int32Array, outcome: Uint8Array): { order: Int32Array; groupAt: Int32Array } {
  const taken = new Set<number>();
  const keptOrder: number[] = [];
  const keptGroups: number[] = [];
  for (let j = 0; j < order.length; j++) {
    const applicant = order[j];
    const key = keyOf[applicant];
    if (key >= 0) {
      if (taken.has(key)) {
        outcome[applicant] = OUTCOME.sameKey;
        continue;
      }
      taken.add(key);
    }
    keptOrder.push(applicant);
    keptGroups.push(groupAt[j]);
  }
  if (keptOrder.length === order.length) return { order, groupAt };
  return { order: Int32Array.from(keptOrder), groupAt: Int32Array.from(keptGroups) };
}

/** Round 2 over positions of the global order (see the module comment). */
function secondRound(
  tiePolicy: TiePolicy,
  caps: readonly number[],
  pools: PoolAllocation[],
  order: Int32Array,
  groupAt: Int32Array,
  outcomeAt: Uint8Array,
  poolAt: Int32Array,
  ids: ArrayLike<string>,
  idOrder: Int32Array,
  seed: string,
): number {
  let remaining = pools.reduce((sum, pool) => sum + pool.leftover, 0);
  const extra = new Int32Array(pools.length);
  let admitted = 0;
  let j = 0;
  const count = order.length;
  while (remaining > 0 && j < count) {
    let groupEnd = j + 1;
    while (groupEnd < count && groupAt[groupEnd] === groupAt[j]) groupEnd++;
    const members: number[] = [];
    for (let position = j; position < groupEnd; position++) if (outcomeAt[position] !== OUTCOME.round1) members.push(position);
    j = groupEnd;
    if (members.length === 0) continue;
    const group = Int32Array.from(members);
    if (tiePolicy === "lottery" && group.length > 1) drawOrder(group, 0, group.length, order, ids, idOrder, seed);
    const taken = new Int32Array(pools.length);
    const takeable: number[] = [];
    for (const position of group) {
      const p = poolAt[position];
      if (extra[p] + taken[p] < caps[p]) {
        taken[p]++;
        takeable.push(position);
      }
    }
    if (takeable.length === 0) continue;
    let admitNow = takeable;
    if (takeable.length > remaining) {
      if (tiePolicy === "admitAll") admitNow = takeable;
      else if (tiePolicy === "exclude") {
        for (const position of takeable) outcomeAt[position] = OUTCOME.tieExcluded;
        break;
      } else {
        admitNow = takeable.slice(0, remaining);
        for (const position of takeable.slice(remaining)) outcomeAt[position] = OUTCOME.lotteryLost;
      }
    }
    for (const position of admitNow) {
      outcomeAt[position] = OUTCOME.round2;
      extra[poolAt[position]]++;
      pools[poolAt[position]].admittedRound2++;
      admitted++;
    }
    remaining -= admitNow.length;
  }
  return admitted;
}
