/**
 * Structural diff of two versions of a standard, entry by entry, matched by stable id (GoRules' vocabulary:
 * added | removed | modified | unchanged | moved).
 *
 * - `moved`: the same content, out of the relative order its list keeps (entries shifted by an insertion or a
 *   removal elsewhere are not moved).
 * - `modified`: the content differs (whether or not it also moved; `moved: true` then says so).
 * - Changes are listed per field as JSON pointers relative to the entry (`/scoring/points`). Inside an entry,
 *   lists whose elements all carry an `id` (tiers, bands) are matched by id too, and reported both as field
 *   changes (pointers into the candidate's list, or the baseline's for removed elements) and as `children`.
 *   Other lists (conditions, values) are compared whole.
 * - Header fields (title, version, status, dates, legal basis, total rule, notes, persons) are compared as fields.
 */
import type { Id, StandardDocument } from "../../rules-schema/types";

export type DiffStatus = "added" | "removed" | "modified" | "unchanged" | "moved";

export type DiffSection =
  | "lists"
  | "facts"
  | "derived"
  | "categories"
  | "items"
  | "groups"
  | "gates"
  | "vetoes"
  | "programs"
  | "testCases"
  | "rankingCases";

export const DIFF_SECTIONS: readonly DiffSection[] = [
  "lists",
  "facts",
  "derived",
  "categories",
  "items",
  "groups",
  "gates",
  "vetoes",
  "programs",
  "testCases",
  "rankingCases",
];

export interface FieldChange {
  /** JSON pointer relative to the entry (or to the document for header fields). */
  path: string;
  /** Absent when the field was added. */
  before?: unknown;
  /** Absent when the field was removed. */
  after?: unknown;
}

export interface EntryDiff {
  section: DiffSection;
  id: Id;
  status: DiffStatus;
  /** JSON pointer of the entry in the candidate (baseline when removed). */
  pointer: string;
  beforeIndex?: number;
  afterIndex?: number;
  /** Also changed position (for `modified`). */
  moved?: boolean;
  changes: FieldChange[];
  /** Nested id-matched elements (tiers, bands) with their own status. */
  children?: Array<{ path: string; id: Id; status: DiffStatus; changes: FieldChange[] }>;
}

export interface DocumentDiff {
  header: FieldChange[];
  entries: EntryDiff[];
  counts: Record<DiffStatus, number>;
}

const HEADER_FIELDS = [
  "formatVersion",
  "id",
  "jurisdiction",
  "title",
  "version",
  "legalBasis",
  "status",
  "effectiveFrom",
  "effectiveTo",
  "notes",
  "persons",
  "total",
] as const;

function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, "~0").replace(/\//g, "~1");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Deep equality of JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const otherKeys = Object.keys(b).filter((k) => b[k] !== undefined);
    if (keys.length !== otherKeys.length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function isIdList(value: unknown): value is Array<{ id: string }> {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((element) => isPlainObject(element) && typeof element.id === "string")
  );
}

interface Matched<T> {
  id: string;
  before?: T;
  after?: T;
  beforeIndex?: number;
  afterIndex?: number;
  /** Present in both and out of the relative order kept by the others (not on a longest common subsequence). */
  moved?: boolean;
}

/** Marks pairs whose relative order changed: those off a longest increasing run of baseline positions. */
function markMoved<T>(pairs: Matched<T>[]): void {
  const common = pairs.filter((p) => p.beforeIndex !== undefined && p.afterIndex !== undefined);
  const tails: number[] = [];
  const tailAt: number[] = [];
  const previous = new Array<number>(common.length).fill(-1);
  common.forEach((pair, k) => {
    const value = pair.beforeIndex!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = value;
    tailAt[lo] = k;
    previous[k] = lo > 0 ? tailAt[lo - 1] : -1;
  });
  const kept = new Set<number>();
  for (let k = tails.length ? tailAt[tails.length - 1] : -1; k >= 0; k = previous[k]) kept.add(k);
  common.forEach((pair, k) => (pair.moved = !kept.has(k)));
}

/** Pairs list elements by id, in candidate order then removed ones in baseline order. Duplicate ids pair in order. */
function matchById<T extends { id: string }>(before: readonly T[], after: readonly T[]): Matched<T>[] {
  const beforeById = new Map<string, number[]>();
  before.forEach((element, index) => {
    const list = beforeById.get(element.id) ?? [];
    list.push(index);
    beforeById.set(element.id, list);
  });
  const used = new Set<number>();
  const pairs: Matched<T>[] = after.map((element, afterIndex) => {
    const candidates = beforeById.get(element.id);
    const beforeIndex = candidates?.shift();
    if (beforeIndex === undefined) return { id: element.id, after: element, afterIndex };
    used.add(beforeIndex);
    return { id: element.id, before: before[beforeIndex], after: element, beforeIndex, afterIndex };
  });
  before.forEach((element, beforeIndex) => {
    if (!used.has(beforeIndex)) pairs.push({ id: element.id, before: element, beforeIndex });
  });
  markMoved(pairs);
  return pairs;
}

/** Field changes between two JSON values, as pointers under `base`. */
function diffValues(before: unknown, after: unknown, base: string, out: FieldChange[], children?: EntryDiff["children"]): void {
  if (jsonEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    for (const key of keys) {
      const path = `${base}/${escapePointer(key)}`;
      const b = before[key];
      const a = after[key];
      if (b === undefined && a !== undefined) out.push({ path, after: a });
      else if (a === undefined && b !== undefined) out.push({ path, before: b });
      else diffValues(b, a, path, out, children);
    }
    return;
  }
  if (isIdList(before) && isIdList(after)) {
    for (const pair of matchById(before, after)) {
      if (pair.before === undefined) {
        const path = `${base}/${pair.afterIndex}`;
        out.push({ path, after: pair.after });
        children?.push({ path, id: pair.id, status: "added", changes: [] });
      } else if (pair.after === undefined) {
        const path = `${base}/${pair.beforeIndex}`;
        out.push({ path, before: pair.before });
        children?.push({ path, id: pair.id, status: "removed", changes: [] });
      } else {
        const path = `${base}/${pair.afterIndex}`;
        const changes: FieldChange[] = [];
        diffValues(pair.before, pair.after, "", changes);
        if (changes.length > 0) {
          for (const change of changes) out.push({ ...change, path: path + change.path });
          children?.push({ path, id: pair.id, status: "modified", changes });
        } else if (pair.moved) {
          children?.push({ path, id: pair.id, status: "moved", changes: [] });
        }
      }
    }
    return;
  }
  out.push({ path: base || "", before, after });
}

/** Diff two documents by stable id (see module comment). */
export function diffDocuments(baseline: StandardDocument, candidate: StandardDocument): DocumentDiff {
  const header: FieldChange[] = [];
  for (const field of HEADER_FIELDS) {
    const b = (baseline as unknown as Record<string, unknown>)[field];
    const a = (candidate as unknown as Record<string, unknown>)[field];
    if (b === undefined && a !== undefined) header.push({ path: `/${field}`, after: a });
    else if (a === undefined && b !== undefined) header.push({ path: `/${field}`, before: b });
    else diffValues(b, a, `/${field}`, header);
  }
  const entries: EntryDiff[] = [];
  const counts: Record<DiffStatus, number> = { added: 0, removed: 0, modified: 0, unchanged: 0, moved: 0 };
  for (const section of DIFF_SECTIONS) {
    const before = ((baseline as unknown as Record<string, unknown>)[section] ?? []) as Array<{ id: string }>;
    const after = ((candidate as unknown as Record<string, unknown>)[section] ?? []) as Array<{ id: string }>;
    for (const pair of matchById(before, after)) {
      let entry: EntryDiff;
      if (pair.before === undefined) {
        entry = { section, id: pair.id, status: "added", pointer: `/${section}/${pair.afterIndex}`, afterIndex: pair.afterIndex, changes: [] };
      } else if (pair.after === undefined) {
        entry = { section, id: pair.id, status: "removed", pointer: `/${section}/${pair.beforeIndex}`, beforeIndex: pair.beforeIndex, changes: [] };
      } else {
        const changes: FieldChange[] = [];
        const children: NonNullable<EntryDiff["children"]> = [];
        diffValues(pair.before, pair.after, "", changes, children);
        const moved = pair.moved === true;
        entry = {
          section,
          id: pair.id,
          status: changes.length > 0 ? "modified" : moved ? "moved" : "unchanged",
          pointer: `/${section}/${pair.afterIndex}`,
          beforeIndex: pair.beforeIndex,
          afterIndex: pair.afterIndex,
          changes,
        };
        if (changes.length > 0 && moved) entry.moved = true;
        if (children.length > 0) entry.children = children;
      }
      counts[entry.status]++;
      entries.push(entry);
    }
  }
  return { header, entries, counts };
}
