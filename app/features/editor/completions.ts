/**
 * Completions from the document itself (issue 25, part 4): what is expected at a position of the text (a fact, an
 * item, a category, a program, a gate, an operator, one of an enum fact's values) and the candidates, each with its
 * label. Pure, so that "nothing irrelevant is offered" is unit-tested.
 */
import { findNodeAtLocation, getLocation, getNodeValue } from "jsonc-parser";
import type { Node as JsonNode, Segment } from "jsonc-parser";
import { keyReferenceKindAt, referenceKindAt, type DocumentIndex, type LocalizedText, type RefKind, type Span } from "./document-index";

export type Expected =
  | { what: "id"; kind: RefKind; asKey: boolean }
  | { what: "operator" }
  | { what: "enumValue"; factId: string };

export interface CompletionContext {
  expected: Expected;
  /** The characters to replace: the string's content when inside quotes, else empty at the offset. */
  replace: Span;
  /** Whether the cursor is inside quotes (the candidate is inserted without them). */
  inString: boolean;
}

export interface Candidate {
  /** What is inserted (without quotes). */
  value: string;
  label?: LocalizedText;
  /** For an id: what kind of entry it is; for an operator: its meaning in words. */
  detail?: LocalizedText;
  description?: LocalizedText;
}

/** The operators of conditions with their meaning in words (the read view says them the same way). */
export const OPERATOR_MEANINGS: Record<string, LocalizedText> = {
  equal: { zh: "等于", en: "is" },
  notEqual: { zh: "不等于", en: "is not" },
  lessThan: { zh: "小于", en: "is less than" },
  lessThanInclusive: { zh: "不超过（小于或等于）", en: "is at most" },
  greaterThan: { zh: "大于", en: "is more than" },
  greaterThanInclusive: { zh: "不少于（大于或等于）", en: "is at least" },
  in: { zh: "为其中之一", en: "is one of" },
  notIn: { zh: "不为其中任何一项", en: "is none of" },
  contains: { zh: "包含", en: "includes" },
  doesNotContain: { zh: "不包含", en: "does not include" },
  between: { zh: "在区间 [最小, 最大) 内", en: "is within [min, max)" },
  dateBefore: { zh: "早于某日", en: "is before a date" },
  dateOnOrAfter: { zh: "在某日当日或之后", en: "is on or after a date" },
  atLeastLevel: { zh: "达到某一等级及以上", en: "is at or above a level" },
  isPresent: { zh: "已填写（true）或未填写（false）", en: "is given (true) or not (false)" },
};

const KIND_WORDS: Record<RefKind, LocalizedText> = {
  fact: { zh: "事实", en: "fact" },
  category: { zh: "类别", en: "category" },
  item: { zh: "指标", en: "indicator" },
  group: { zh: "指标组", en: "group" },
  program: { zh: "项目", en: "program" },
  gate: { zh: "准入条件", en: "eligibility condition" },
  list: { zh: "名录", en: "list" },
  person: { zh: "人员", en: "person" },
};

function objectAt(tree: JsonNode | undefined, path: Segment[]): Record<string, unknown> | undefined {
  if (!tree) return undefined;
  const node = findNodeAtLocation(tree, path);
  const value = node ? getNodeValue(node) : undefined;
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function enumFact(index: DocumentIndex, factId: string | undefined): string | undefined {
  if (!factId) return undefined;
  const definition = index.definitionOf("fact", factId);
  if (!definition || definition.entry !== "fact") return undefined;
  const fact = objectAt(index.tree, pathOf(definition.pointer));
  return fact?.type === "enum" ? factId : undefined;
}

function pathOf(pointer: string): Segment[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** What is expected at `offset`, or nothing (then no candidates from the document are offered). */
export function completionContextAt(index: DocumentIndex, offset: number): CompletionContext | undefined {
  const location = getLocation(index.text, offset);
  const path = location.path;
  const node = location.previousNode;
  const inString = node?.type === "string" && offset > node.offset && offset < node.offset + node.length;
  const replace: Span = inString && node ? { offset: node.offset + 1, length: node.length - 2 } : { offset, length: 0 };
  const p = path.map(String);
  const last = p[p.length - 1];
  const inWhere = p.includes("where");

  if (location.isAtPropertyKey) {
    const kind = keyReferenceKindAt(path);
    return kind ? { expected: { what: "id", kind, asKey: true }, replace, inString } : undefined;
  }
  if (inWhere) return undefined;
  const kind = referenceKindAt(path);
  if (kind) return { expected: { what: "id", kind, asKey: false }, replace, inString };
  if (last === "fact") return { expected: { what: "id", kind: "fact", asKey: false }, replace, inString };
  if (last === "operator") return { expected: { what: "operator" }, replace, inString };
  // A rank key's id: whatever its `key` says.
  if (last === "id" && p[0] === "programs" && (p[3] === "rankBy" || p[3] === "tieBreak")) {
    const key = objectAt(index.tree, path.slice(0, -1))?.key;
    const rankKind = key === "category" ? "category" : key === "item" ? "item" : key === "fact" ? "fact" : undefined;
    return rankKind ? { expected: { what: "id", kind: rankKind, asKey: false }, replace, inString } : undefined;
  }
  // A condition's value (or one of the values of `in`), when its fact is an enum.
  const valueAt = last === "value" ? path.length - 1 : p[p.length - 2] === "value" && typeof path[path.length - 1] === "number" ? path.length - 2 : -1;
  if (valueAt >= 0) {
    const condition = objectAt(index.tree, path.slice(0, valueAt));
    const factId = enumFact(index, typeof condition?.fact === "string" ? condition.fact : undefined);
    return factId ? { expected: { what: "enumValue", factId }, replace, inString } : undefined;
  }
  // A test case's fact value.
  if (p[0] === "testCases" && p[2] === "facts" && p.length === 4) {
    const factId = enumFact(index, last.includes(".") ? last.slice(last.indexOf(".") + 1) : last);
    return factId ? { expected: { what: "enumValue", factId }, replace, inString } : undefined;
  }
  return undefined;
}

/** The candidates for a context: the document's own ids of the expected kind, operators, or an enum's values. */
export function candidatesFor(index: DocumentIndex, context: CompletionContext): Candidate[] {
  const { expected } = context;
  if (expected.what === "operator") {
    return Object.entries(OPERATOR_MEANINGS).map(([value, meaning]) => ({ value, detail: meaning }));
  }
  if (expected.what === "enumValue") {
    const definition = index.definitionOf("fact", expected.factId);
    const fact = definition ? objectAt(index.tree, pathOf(definition.pointer)) : undefined;
    const values = Array.isArray(fact?.values) ? (fact.values as Array<{ value?: unknown; label?: LocalizedText }>) : [];
    return values.filter((v) => typeof v.value === "string").map((v) => ({ value: String(v.value), label: v.label, detail: definition?.label }));
  }
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const definition of index.definitions) {
    if (definition.kind !== expected.kind || seen.has(definition.id)) continue;
    seen.add(definition.id);
    out.push({
      value: expected.kind === "list" ? `list:${definition.id}` : definition.id,
      label: definition.label,
      detail: KIND_WORDS[expected.kind],
      description: definition.description,
    });
  }
  // Conditions may compare with an external list (`list:<id>`).
  if (expected.kind === "fact" && !expected.asKey) {
    for (const list of index.definitions.filter((d) => d.kind === "list")) {
      out.push({ value: `list:${list.id}`, label: list.label, detail: KIND_WORDS.list });
    }
  }
  return out;
}

/**
 * The schema as the editor's JSON worker gets it: a condition's `operator` loses its list of names there, because the
 * operators are offered by the completions above with their meaning in words (the worker would offer each a second
 * time, bare). The server's validation still checks the operator against the full schema while typing.
 */
export function schemaForEditor(schema: unknown): unknown {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== "object") return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) copy[key] = visit(value);
    const properties = copy.properties as Record<string, Record<string, unknown>> | undefined;
    if (properties?.fact && properties.operator && Array.isArray(properties.operator.enum)) {
      const { enum: _names, ...rest } = properties.operator;
      copy.properties = { ...properties, operator: { ...rest, type: "string" } };
    }
    return copy;
  };
  return visit(schema);
}
