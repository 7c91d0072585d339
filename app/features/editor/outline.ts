/**
 * The outline beside the editor: the document as the officer thinks of it (categories with their indicators and
 * the indicators' tiers or bands, gates, vetoes, programs, test cases), by label, with each indicator's points at a
 * glance. Pure, built from the same tolerant parse as the rest of the drafting aids.
 */
import { getNodeValue } from "jsonc-parser";
import type { Node as JsonNode } from "jsonc-parser";
import { fromPointer, type DocumentIndex, type Definition, type LocalizedText, type Span } from "./document-index";

export type Lang = "zh-CN" | "en";

export type OutlineSection = "categories" | "gates" | "vetoes" | "programs" | "testCases";

export interface OutlineEntry {
  kind: "section" | Definition["entry"] | "uncategorized";
  /** For a section: which one. */
  section?: OutlineSection;
  id?: string;
  pointer: string;
  label?: LocalizedText;
  /** Points at a glance, in the UI's language (indicators, tiers, bands). */
  points?: string;
  span: Span;
  children: OutlineEntry[];
}

function pointsText(lang: Lang, points: number): string {
  const magnitude = String(Math.round(Math.abs(points) * 1e6) / 1e6);
  const sign = points < 0 ? "−" : "";
  return lang === "en" ? `${sign}${magnitude} ${Math.abs(points) === 1 ? "pt" : "pts"}` : `${sign}${magnitude}分`;
}

function rangeText(lang: Lang, values: number[]): string | undefined {
  const numbers = values.filter((v) => typeof v === "number" && Number.isFinite(v));
  if (numbers.length === 0) return undefined;
  const low = Math.min(...numbers);
  const high = Math.max(...numbers);
  if (low === high) return pointsText(lang, low);
  const num = (v: number) => `${v < 0 ? "−" : ""}${Math.round(Math.abs(v) * 1e6) / 1e6}`;
  return lang === "en" ? `${num(low)}–${num(high)} pts` : `${num(low)}–${num(high)}分`;
}

const UNITS: Record<string, { zh: string; en: string; enMany: string }> = {
  month: { zh: "个月", en: "month", enMany: "months" },
  months: { zh: "个月", en: "month", enMany: "months" },
  year: { zh: "年", en: "year", enMany: "years" },
  years: { zh: "年", en: "year", enMany: "years" },
  day: { zh: "天", en: "day", enMany: "days" },
  days: { zh: "天", en: "day", enMany: "days" },
  m2: { zh: "㎡", en: "m²", enMany: "m²" },
  yuan: { zh: "元", en: "yuan", enMany: "yuan" },
};

function perText(lang: Lang, per: number, unit: string | undefined): string {
  const known = unit ? UNITS[unit] : undefined;
  if (lang === "en") {
    if (!known) return unit ? `${per} ${unit}` : String(per);
    return per === 1 ? known.en : `${per} ${known.enMany}`;
  }
  return known ? `${per}${known.zh}` : unit ? `${per}${unit}` : String(per);
}

/** An indicator's points in a few characters: "20分", "10–140分", "每12个月5分", "每项−2分", "封顶50分". */
export function pointsAtAGlance(lang: Lang, item: unknown, unitOf: (factId: string) => string | undefined = () => undefined): string | undefined {
  if (!item || typeof item !== "object") return undefined;
  const { scoring, cap } = item as { scoring?: Record<string, unknown>; cap?: unknown };
  if (!scoring || typeof scoring !== "object") return undefined;
  const en = lang === "en";
  let text: string | undefined;
  const numbers = (list: unknown, key: string) =>
    Array.isArray(list) ? list.map((entry) => (entry && typeof entry === "object" ? (entry as Record<string, unknown>)[key] : undefined)).filter((v): v is number => typeof v === "number") : [];
  switch (scoring.kind) {
    case "fixed":
      text = typeof scoring.points === "number" ? pointsText(lang, scoring.points) : undefined;
      break;
    case "tiers":
      text = rangeText(lang, numbers(scoring.tiers, "points"));
      break;
    case "bands":
      text = rangeText(lang, numbers(scoring.bands, "points"));
      break;
    case "linear": {
      const base = typeof scoring.basePoints === "number" ? scoring.basePoints : undefined;
      const per = typeof scoring.pointsPerStep === "number" ? scoring.pointsPerStep : undefined;
      if (base !== undefined && per !== undefined) text = en ? `${pointsText(lang, base)}, ${per >= 0 ? "+" : "−"}${Math.abs(per)}/step` : `${pointsText(lang, base)}，每步${per >= 0 ? "+" : "−"}${Math.abs(per)}`;
      break;
    }
    case "accrual": {
      const rates = numbers(scoring.bands, "rate");
      const per = typeof scoring.per === "number" ? scoring.per : 1;
      if (rates.length > 0) {
        const rate = rangeText(lang, rates);
        const unit = typeof scoring.fact === "string" ? unitOf(scoring.fact) : undefined;
        text = en ? `${rate} per ${perText(lang, per, unit)}` : `每${perText(lang, per, unit)}计${rate}`;
      }
      break;
    }
    case "perRecord": {
      if (typeof scoring.points === "number") text = en ? `${pointsText(lang, scoring.points)} each` : `每项${pointsText(lang, scoring.points)}`;
      else if (scoring.perUnit && typeof scoring.perUnit === "object") {
        const rate = (scoring.perUnit as { rate?: unknown }).rate;
        if (typeof rate === "number") text = en ? `${pointsText(lang, rate)} per unit` : `每单位${pointsText(lang, rate)}`;
      }
      break;
    }
  }
  if (typeof cap === "number") {
    const capText = en ? `cap ${cap}` : `封顶${cap}分`;
    text = text ? `${text}${en ? ", " : "，"}${capText}` : capText;
  }
  return text;
}

function node(index: DocumentIndex, pointer: string): JsonNode | undefined {
  let current = index.tree;
  for (const segment of fromPointer(pointer)) {
    if (!current) return undefined;
    if (current.type === "array") current = current.children?.[Number(segment)];
    else if (current.type === "object") current = current.children?.find((p) => p.children?.[0]?.value === segment)?.children?.[1];
    else return undefined;
  }
  return current;
}

function sectionEntry(index: DocumentIndex, section: OutlineSection, children: OutlineEntry[]): OutlineEntry {
  const sectionNode = node(index, `/${section}`);
  const span = sectionNode?.parent ? { offset: sectionNode.parent.offset, length: sectionNode.parent.length } : { offset: 0, length: 0 };
  return { kind: "section", section, pointer: `/${section}`, span, children };
}

function leaf(definition: Definition, points?: string, children: OutlineEntry[] = []): OutlineEntry {
  return { kind: definition.entry, id: definition.id, pointer: definition.pointer, label: definition.label, span: definition.span, points, children };
}

/** The outline of a document in the UI's language (the points texts depend on it). */
export function buildOutline(index: DocumentIndex, lang: Lang): OutlineEntry[] {
  const of = (entry: Definition["entry"]) => index.definitions.filter((d) => d.entry === entry);
  const parts = (item: Definition) =>
    index.definitions
      .filter((d) => (d.entry === "tier" || d.entry === "band") && d.pointer.startsWith(`${item.pointer}/scoring/`))
      .map((d) => {
        const value = node(index, d.pointer);
        const points = value ? (getNodeValue(value) as { points?: unknown }).points : undefined;
        return leaf(d, typeof points === "number" ? pointsText(lang, points) : undefined);
      });
  const unitOf = (factId: string) => {
    const fact = index.definitionOf("fact", factId);
    const unit = fact ? node(index, `${fact.pointer}/unit`) : undefined;
    return unit?.type === "string" ? String(unit.value) : undefined;
  };
  const itemEntry = (item: Definition) => {
    const value = node(index, item.pointer);
    return leaf(item, value ? pointsAtAGlance(lang, getNodeValue(value), unitOf) : undefined, parts(item));
  };
  const items = of("item");
  const categoryOf = (item: Definition) => {
    const value = node(index, `${item.pointer}/category`);
    return value?.type === "string" ? String(value.value) : undefined;
  };
  const categoryIds = new Set(of("category").map((c) => c.id));
  const categories = of("category").map((category) => leaf(category, undefined, items.filter((item) => categoryOf(item) === category.id).map(itemEntry)));
  const loose = items.filter((item) => !categoryIds.has(categoryOf(item) ?? ""));
  if (loose.length > 0) {
    categories.push({ kind: "uncategorized", pointer: "/items", span: sectionEntry(index, "categories", []).span, children: loose.map(itemEntry) });
  }
  return [
    sectionEntry(index, "categories", categories),
    sectionEntry(index, "gates", of("gate").map((d) => leaf(d))),
    sectionEntry(index, "vetoes", of("veto").map((d) => leaf(d))),
    sectionEntry(index, "programs", of("program").map((d) => leaf(d))),
    sectionEntry(index, "testCases", of("testCase").map((d) => leaf(d))),
  ];
}

function isPrefix(prefix: string, pointer: string): boolean {
  return pointer === prefix || pointer.startsWith(`${prefix}/`);
}

function walk(entries: OutlineEntry[], visit: (entry: OutlineEntry) => void): void {
  for (const entry of entries) {
    visit(entry);
    walk(entry.children, visit);
  }
}

/** The deepest entry (not a section) whose text contains the offset: the entry under the cursor. */
export function entryAtOffset(outline: OutlineEntry[], offset: number): OutlineEntry | undefined {
  let found: OutlineEntry | undefined;
  walk(outline, (entry) => {
    if (entry.kind === "section" || entry.kind === "uncategorized") return;
    if (offset >= entry.span.offset && offset <= entry.span.offset + entry.span.length) {
      if (!found || entry.span.length <= found.span.length) found = entry;
    }
  });
  return found;
}

/** The deepest entry a problem's JSON pointer falls in (an item's problem in its tier shows on the tier). */
export function entryForPointer(outline: OutlineEntry[], pointer: string): OutlineEntry | undefined {
  let found: OutlineEntry | undefined;
  walk(outline, (entry) => {
    if (entry.kind === "uncategorized") return;
    if (isPrefix(entry.pointer, pointer) && (!found || entry.pointer.length > found.pointer.length)) found = entry;
  });
  return found;
}

/** Problems counted on the entries they fall in, by the entry's pointer. */
export function problemsByEntry(outline: OutlineEntry[], problems: Array<{ path?: string; severity: string }>): Map<string, { errors: number; warnings: number }> {
  const counts = new Map<string, { errors: number; warnings: number }>();
  for (const problem of problems) {
    if (problem.path === undefined) continue;
    const entry = entryForPointer(outline, problem.path);
    if (!entry) continue;
    const count = counts.get(entry.pointer) ?? { errors: 0, warnings: 0 };
    if (problem.severity === "error") count.errors += 1;
    else count.warnings += 1;
    counts.set(entry.pointer, count);
  }
  return counts;
}
