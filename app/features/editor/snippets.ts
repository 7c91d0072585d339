/**
 * Snippets (issue 25, part 5): a new indicator of each scoring kind, a tier, a gate, a veto and a test case, each with
 * every required field and placeholders (Monaco's snippet syntax: Tab goes from one to the next, choices offer the
 * document's own ids), and where in the text each goes. Pure; the editor inserts them through Monaco's snippet
 * controller, so one undo takes an insertion back.
 */
import { findNodeAtLocation, getNodeValue } from "jsonc-parser";
import type { Node as JsonNode } from "jsonc-parser";
import { fromPointer, type DocumentIndex } from "./document-index";

export const SNIPPET_KINDS = ["item-fixed", "item-tiers", "item-bands", "item-linear", "item-accrual", "item-perRecord", "tier", "gate", "veto", "testCase"] as const;
export type SnippetKind = (typeof SNIPPET_KINDS)[number];

/** An applicant tried on the try page (kept by the browser), from which a test case is filled. */
export interface TriedApplicant {
  program: string;
  date: string;
  facts: Record<string, unknown>;
  expect: Record<string, unknown>;
}

type Lang = "zh-CN" | "en";

/** Literal text inside a snippet: `$`, `}` and `\` would otherwise be snippet syntax. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

function choice(n: number, values: string[], fallback: string): string {
  const usable = values.filter((v) => /^[A-Za-z0-9_:.-]+$/.test(v));
  return usable.length > 0 ? `\${${n}|${usable.join(",")}|}` : `\${${n}:${fallback}}`;
}

function factsOfType(index: DocumentIndex, types: string[] | "any"): string[] {
  const out: string[] = [];
  for (const definition of index.definitions) {
    if (definition.kind !== "fact") continue;
    if (types === "any") {
      out.push(definition.id);
      continue;
    }
    if (definition.entry === "derived") {
      if (types.includes("number")) out.push(definition.id);
      continue;
    }
    const node = index.tree ? findNodeAtLocation(index.tree, [...fromPointer(definition.pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s)), "type"]) : undefined;
    if (node && types.includes(String(node.value))) out.push(definition.id);
  }
  return out;
}

function freeId(index: DocumentIndex, base: string): string {
  const taken = new Set(index.definitions.map((d) => d.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

const W = {
  indicator: { zh: "指标名称", en: "indicator name" },
  tier: { zh: "档次名称", en: "tier name" },
  gate: { zh: "准入条件名称", en: "condition name" },
  gateReason: { zh: "不符合时向申请人说明的原因", en: "reason shown when it does not hold" },
  veto: { zh: "否决情形名称", en: "veto name" },
  vetoReason: { zh: "被否决时向申请人说明的原因", en: "reason shown when it applies" },
  testCase: { zh: "测试用例名称", en: "test case name" },
};

function label(n: number, text: { zh: string; en: string }): string {
  return `"label": { "zh": "\${${n}:${text.zh}}", "en": "\${${n + 1}:${text.en}}" }`;
}

function condition(index: DocumentIndex, n: number): string {
  return `{ "fact": "${choice(n, factsOfType(index, "any"), "fact")}", "operator": "\${${n + 1}|equal,greaterThanInclusive,lessThan,atLeastLevel,in,between|}", "value": \${${n + 2}:true} }`;
}

/** The snippet text of a kind for this document (its categories and facts are offered as choices). */
export function snippetText(kind: SnippetKind, index: DocumentIndex, _lang: Lang, tried?: TriedApplicant): string {
  const categories = index.definitions.filter((d) => d.entry === "category").map((d) => d.id);
  const numeric = factsOfType(index, ["number", "integer"]);
  const head = (id: string) => `"id": "\${1:${freeId(index, id)}}",\n\t"category": "${choice(2, categories, "category")}",\n\t${label(3, W.indicator)},`;
  switch (kind) {
    case "item-fixed":
      return `{\n\t${head("new_fixed")}\n\t"when": ${condition(index, 5)},\n\t"scoring": { "kind": "fixed", "points": \${8:10} }\n}`;
    case "item-tiers":
      return `{\n\t${head("new_tiers")}\n\t"scoring": {\n\t\t"kind": "tiers",\n\t\t"tiers": [\n\t\t\t{ "id": "\${5:tier_1}", ${label(6, W.tier)}, "when": ${condition(index, 8)}, "points": \${11:10} }\n\t\t]\n\t}\n}`;
    case "item-bands":
      return `{\n\t${head("new_bands")}\n\t"scoring": {\n\t\t"kind": "bands",\n\t\t"fact": "${choice(5, numeric, "fact")}",\n\t\t"bands": [\n\t\t\t{ "id": "\${6:band_1}", "min": \${7:0}, "max": \${8:10}, "points": \${9:5} }\n\t\t]\n\t}\n}`;
    case "item-linear":
      return `{\n\t${head("new_linear")}\n\t"scoring": { "kind": "linear", "fact": "${choice(5, numeric, "fact")}", "origin": \${6:0}, "direction": "\${7|up,down|}", "step": \${8:1}, "basePoints": \${9:0}, "pointsPerStep": \${10:1} }\n}`;
    case "item-accrual":
      return `{\n\t${head("new_accrual")}\n\t"scoring": { "kind": "accrual", "fact": "${choice(5, numeric, "fact")}", "per": \${6:12}, "rounding": "floor", "bands": [{ "from": 0, "rate": \${7:1} }] }\n}`;
    case "item-perRecord":
      return `{\n\t${head("new_per_record")}\n\t"scoring": { "kind": "perRecord", "records": "${choice(5, factsOfType(index, ["records"]), "records")}", "points": \${6:10} }\n}`;
    case "tier":
      return `{ "id": "\${1:${freeId(index, "new_tier")}}", ${label(2, W.tier)}, "when": ${condition(index, 4)}, "points": \${7:10} }`;
    case "gate":
      return `{\n\t"id": "\${1:${freeId(index, "new_gate")}}",\n\t${label(2, W.gate)},\n\t"reason": { "zh": "\${4:${W.gateReason.zh}}", "en": "\${5:${W.gateReason.en}}" },\n\t"condition": ${condition(index, 6)}\n}`;
    case "veto":
      return `{\n\t"id": "\${1:${freeId(index, "new_veto")}}",\n\t${label(2, W.veto)},\n\t"reason": { "zh": "\${4:${W.vetoReason.zh}}", "en": "\${5:${W.vetoReason.en}}" },\n\t"condition": ${condition(index, 6)}\n}`;
    case "testCase": {
      const programs = index.definitions.filter((d) => d.entry === "program").map((d) => d.id);
      const json = (value: unknown) => escapeSnippet(JSON.stringify(value, null, "\t").replace(/\n/g, "\n\t"));
      const program = tried ? `"${escapeSnippet(tried.program)}"` : `"${choice(4, programs, "program")}"`;
      const date = tried ? `"${escapeSnippet(tried.date)}"` : `"\${5:2026-01-01}"`;
      return `{\n\t"id": "\${1:${freeId(index, "tc_new")}}",\n\t${label(2, W.testCase)},\n\t"program": ${program},\n\t"date": ${date},\n\t"facts": ${tried ? json(tried.facts) : "{$6}"},\n\t"expect": ${tried ? json(tried.expect) : '{ "total": ${7:0} }'}\n}`;
    }
  }
}

/** Where a snippet goes: the array it joins, the offset, and the text around it (commas, the array itself when absent). */
export interface Insertion {
  offset: number;
  before: string;
  after: string;
}

function arrayAt(tree: JsonNode | undefined, path: Array<string | number>): JsonNode | undefined {
  if (!tree) return undefined;
  const node = findNodeAtLocation(tree, path);
  return node?.type === "array" ? node : undefined;
}

/**
 * The end of the array the kind belongs to (items, gates, vetoes, testCases; a tier goes into the tiers of the
 * indicator at `cursorPointer`), or a new property at the end of the document when the array is absent. `undefined`:
 * nowhere (a tier with the cursor outside a tiers indicator, or a text that does not parse).
 */
export function insertionFor(kind: SnippetKind, index: DocumentIndex, cursorPointer: string | undefined): Insertion | undefined {
  const tree = index.tree;
  if (!tree || tree.type !== "object") return undefined;
  let path: Array<string | number>;
  if (kind === "tier") {
    const match = /^\/items\/(\d+)/.exec(cursorPointer ?? "");
    if (!match) return undefined;
    path = ["items", Number(match[1]), "scoring", "tiers"];
    if (!arrayAt(tree, path)) return undefined;
  } else {
    path = [kind.startsWith("item-") ? "items" : kind === "gate" ? "gates" : kind === "veto" ? "vetoes" : "testCases"];
  }
  const array = arrayAt(tree, path);
  if (array) {
    const last = array.children?.[array.children.length - 1];
    if (last) return { offset: last.offset + last.length, before: ",\n", after: "" };
    return { offset: array.offset + 1, before: "\n", after: "\n" };
  }
  const lastProperty = tree.children?.[tree.children.length - 1];
  if (!lastProperty) return undefined;
  return { offset: lastProperty.offset + lastProperty.length, before: `,\n"${path[0]}": [\n`, after: "\n]" };
}

/** The value at a pointer (for the quick-edit form). */
export function valueAtPointer(index: DocumentIndex, pointer: string): unknown {
  if (!index.tree) return undefined;
  const node = findNodeAtLocation(index.tree, fromPointer(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
  return node ? getNodeValue(node) : undefined;
}
