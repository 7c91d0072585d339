/**
 * What the drafting aids know about a standard's text: where each id is defined (its label, its JSON range), where it
 * is referred to, the outline an officer reads, and what is expected at a position of the text. Pure (jsonc-parser's
 * tolerant parser, no Monaco, no React), so it works on a half-typed document and is unit-tested on the examples.
 * Offsets are UTF-16 offsets into the text, as Monaco's `getPositionAt` takes them.
 */
import { findNodeAtLocation, getLocation, getNodePath, getNodeValue, parseTree } from "jsonc-parser";
import type { Node as JsonNode, Segment } from "jsonc-parser";

export interface LocalizedText {
  zh: string;
  en: string;
}

export interface Span {
  offset: number;
  length: number;
}

/** The kinds of id that other parts of a document refer to. Facts and derived facts share one namespace. */
export type RefKind = "fact" | "category" | "item" | "group" | "program" | "gate" | "list" | "person";

export type EntryKind =
  | "fact"
  | "derived"
  | "category"
  | "item"
  | "tier"
  | "band"
  | "group"
  | "gate"
  | "veto"
  | "program"
  | "testCase"
  | "rankingCase"
  | "list"
  | "person";

export interface Definition {
  entry: EntryKind;
  /** The namespace references use (absent: nothing refers to this kind of entry by id). */
  kind?: RefKind;
  id: string;
  pointer: string;
  label?: LocalizedText;
  description?: LocalizedText;
  /** The id inside its quotes. */
  idSpan: Span;
  /** The whole entry (the object). */
  span: Span;
}

export interface Reference {
  kind: RefKind;
  id: string;
  /** The id inside its quotes (for `spouse.education`, only `education`; for `list:x`, only `x`). */
  span: Span;
  pointer: string;
  /** A property name (a test case's facts, expected items and categories) rather than a string value. */
  asKey: boolean;
}

export interface DocumentIndex {
  readonly text: string;
  readonly tree: JsonNode | undefined;
  readonly definitions: Definition[];
  readonly references: Reference[];
  /** The definition of an id of a kind (the first, if duplicated). */
  definitionOf(kind: RefKind, id: string): Definition | undefined;
  referencesTo(kind: RefKind, id: string): Reference[];
  /** The definition's id or the reference under an offset. */
  symbolAt(offset: number): { kind: RefKind | undefined; entry?: EntryKind; id: string; span: Span; definition?: Definition } | undefined;
}

export function toPointer(path: Segment[]): string {
  return path.map((segment) => "/" + String(segment).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

export function fromPointer(pointer: string): string[] {
  if (pointer === "" || pointer === "/") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function parseDocumentTree(text: string): JsonNode | undefined {
  return parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
}

function child(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (!node || node.type !== "object") return undefined;
  for (const property of node.children ?? []) {
    if (property.children?.[0]?.value === key) return property.children[1];
  }
  return undefined;
}

function stringAt(node: JsonNode | undefined): string | undefined {
  return node?.type === "string" && typeof node.value === "string" ? node.value : undefined;
}

function localized(node: JsonNode | undefined): LocalizedText | undefined {
  const zh = stringAt(child(node, "zh"));
  const en = stringAt(child(node, "en"));
  if (zh === undefined && en === undefined) return undefined;
  return { zh: zh ?? en ?? "", en: en ?? zh ?? "" };
}

/** The characters of a string node without its quotes (ids never contain escapes). */
function innerSpan(node: JsonNode, skip = 0, length?: number): Span {
  return { offset: node.offset + 1 + skip, length: length ?? Math.max(0, node.length - 2 - skip) };
}

const SECTIONS: Array<{ section: string; entry: EntryKind; kind?: RefKind }> = [
  { section: "facts", entry: "fact", kind: "fact" },
  { section: "derived", entry: "derived", kind: "fact" },
  { section: "lists", entry: "list", kind: "list" },
  { section: "persons", entry: "person", kind: "person" },
  { section: "categories", entry: "category", kind: "category" },
  { section: "items", entry: "item", kind: "item" },
  { section: "groups", entry: "group", kind: "group" },
  { section: "gates", entry: "gate", kind: "gate" },
  { section: "vetoes", entry: "veto" },
  { section: "programs", entry: "program", kind: "program" },
  { section: "testCases", entry: "testCase" },
  { section: "rankingCases", entry: "rankingCase" },
];

function definitionOfEntry(node: JsonNode, entry: EntryKind, kind: RefKind | undefined): Definition | undefined {
  const idNode = child(node, "id");
  const id = stringAt(idNode);
  if (!idNode || id === undefined) return undefined;
  return {
    entry,
    kind,
    id,
    pointer: toPointer(getNodePath(node)),
    label: localized(child(node, "label")),
    description: localized(child(node, "description")),
    idSpan: innerSpan(idNode),
    span: { offset: node.offset, length: node.length },
  };
}

function collectDefinitions(root: JsonNode): Definition[] {
  const out: Definition[] = [];
  for (const { section, entry, kind } of SECTIONS) {
    const list = child(root, section);
    for (const element of list?.type === "array" ? (list.children ?? []) : []) {
      const definition = definitionOfEntry(element, entry, kind);
      if (definition) out.push(definition);
      if (section !== "items") continue;
      const scoring = child(element, "scoring");
      for (const [key, sub] of [["tiers", "tier"], ["bands", "band"]] as const) {
        const parts = child(scoring, key);
        for (const part of parts?.type === "array" ? (parts.children ?? []) : []) {
          const partDefinition = definitionOfEntry(part, sub, undefined);
          if (partDefinition) out.push(partDefinition);
        }
      }
    }
  }
  return out;
}

/** Which kind of id a string value at `path` names, from the document format (rules-schema/types.ts). */
export function referenceKindAt(path: Segment[]): RefKind | undefined {
  const p = path.map(String);
  const n = p.length;
  const last = p[n - 1];
  const at = (...tail: string[]) => tail.every((segment, i) => segment === "*" || p[n - tail.length + i] === segment);
  if (n === 3 && p[0] === "items" && last === "category") return "category";
  if (n >= 2 && (p[0] === "items" || p[0] === "gates" || p[0] === "vetoes") && p[n - 2] === "programs" && n === 4) return "program";
  if (p[0] === "items" && (at("vesting", "fact") || (n === 4 && at("scoring", "fact")) || (n === 4 && at("scoring", "records")))) return "fact";
  if (p[0] === "derived") {
    if (n === 3 && ["birthDate", "from", "to", "records"].includes(last)) return "fact";
    if (n === 4 && p[2] === "of") return "fact";
    if (n === 4 && p[2] === "except" && last === "records") return "fact";
    if (at("within", "anchor")) return "fact";
  }
  if (p[0] === "items" && at("within", "anchor")) return "fact";
  if (p[0] === "groups" && n === 4 && p[2] === "members") return "item";
  if (p[0] === "programs") {
    if (n === 4 && p[2] === "allocation" && (last === "poolBy" || last === "oneAdmittedPer")) return "fact";
    if (n === 5 && p[2] === "persons" && p[3] === "candidates") return "person";
  }
  if ((p[0] === "testCases" || p[0] === "rankingCases") && n === 3 && last === "program") return "program";
  if (p[0] === "testCases" && n === 5 && p[2] === "expect" && p[3] === "failedGates") return "gate";
  return undefined;
}

/** A key of an object at `path` that names an id (the path ends with the key). */
export function keyReferenceKindAt(path: Segment[]): RefKind | undefined {
  const p = path.map(String);
  const n = p.length;
  if (p[0] === "testCases" && n === 4 && p[2] === "facts") return "fact";
  if (p[0] === "rankingCases" && n === 6 && p[2] === "applicants" && p[4] === "facts") return "fact";
  if (p[0] === "testCases" && n === 5 && p[2] === "expect" && p[3] === "items") return "item";
  if (p[0] === "testCases" && n === 5 && p[2] === "expect" && p[3] === "categories") return "category";
  return undefined;
}

/** Conditions inside a `where` name the fields of a records fact, not the document's facts. */
function insideWhere(path: Segment[]): boolean {
  return path.some((segment) => segment === "where");
}

const LIST_PREFIX = "list:";

function collectReferences(root: JsonNode, personIds: Set<string>): Reference[] {
  const out: Reference[] = [];
  const factValue = (node: JsonNode, path: Segment[]) => {
    const value = stringAt(node);
    if (value === undefined) return;
    if (value.startsWith(LIST_PREFIX)) {
      out.push({ kind: "list", id: value.slice(LIST_PREFIX.length), span: innerSpan(node, LIST_PREFIX.length), pointer: toPointer(path), asKey: false });
    } else {
      out.push({ kind: "fact", id: value, span: innerSpan(node), pointer: toPointer(path), asKey: false });
    }
  };
  const visit = (node: JsonNode, path: Segment[]) => {
    if (node.type === "object") {
      const factNode = child(node, "fact");
      const isCondition = factNode !== undefined && child(node, "operator") !== undefined;
      if (isCondition && !insideWhere(path)) {
        factValue(factNode, [...path, "fact"]);
        const value = child(node, "value");
        const valueFact = child(value, "fact");
        if (valueFact) factValue(valueFact, [...path, "value", "fact"]);
      }
      const rankKey = stringAt(child(node, "key"));
      const idNode = child(node, "id");
      if (rankKey && idNode && path.length === 5 && path[0] === "programs" && (path[3] === "rankBy" || path[3] === "tieBreak")) {
        const kind = rankKey === "category" ? "category" : rankKey === "item" ? "item" : rankKey === "fact" ? "fact" : undefined;
        const id = stringAt(idNode);
        if (kind && id !== undefined) out.push({ kind, id, span: innerSpan(idNode), pointer: toPointer([...path, "id"]), asKey: false });
      }
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode || typeof keyNode.value !== "string") continue;
        const childPath = [...path, keyNode.value];
        const keyKind = keyReferenceKindAt(childPath);
        if (keyKind === "fact") {
          const key = keyNode.value;
          const dot = key.indexOf(".");
          if (dot > 0 && personIds.has(key.slice(0, dot))) {
            out.push({ kind: "person", id: key.slice(0, dot), span: innerSpan(keyNode, 0, dot), pointer: toPointer(childPath), asKey: true });
            out.push({ kind: "fact", id: key.slice(dot + 1), span: innerSpan(keyNode, dot + 1), pointer: toPointer(childPath), asKey: true });
          } else {
            out.push({ kind: "fact", id: key, span: innerSpan(keyNode), pointer: toPointer(childPath), asKey: true });
          }
        } else if (keyKind) {
          out.push({ kind: keyKind, id: keyNode.value, span: innerSpan(keyNode), pointer: toPointer(childPath), asKey: true });
        }
        if (valueNode) visit(valueNode, childPath);
      }
    } else if (node.type === "array") {
      (node.children ?? []).forEach((element, i) => visit(element, [...path, i]));
    } else if (node.type === "string") {
      const kind = referenceKindAt(path);
      if (kind === "fact") factValue(node, path);
      // `applicant` is always a person; declaring it only gives it a label.
      else if (kind === "person" && node.value === "applicant" && !personIds.has("applicant")) return;
      else if (kind) out.push({ kind, id: String(node.value), span: innerSpan(node), pointer: toPointer(path), asKey: false });
    }
  };
  visit(root, []);
  return out;
}

function within(span: Span, offset: number): boolean {
  return offset >= span.offset && offset <= span.offset + span.length;
}

/** Builds the index of a document's text (a text that does not parse at all gives an empty index). */
export function indexDocument(text: string): DocumentIndex {
  const tree = parseDocumentTree(text);
  const definitions = tree ? collectDefinitions(tree) : [];
  const personIds = new Set(definitions.filter((d) => d.entry === "person").map((d) => d.id));
  const references = tree ? collectReferences(tree, personIds) : [];
  const byKey = new Map<string, Definition>();
  for (const definition of definitions) {
    if (definition.kind && !byKey.has(`${definition.kind}:${definition.id}`)) byKey.set(`${definition.kind}:${definition.id}`, definition);
  }
  return {
    text,
    tree,
    definitions,
    references,
    definitionOf: (kind, id) => byKey.get(`${kind}:${id}`),
    referencesTo: (kind, id) => references.filter((r) => r.kind === kind && r.id === id),
    symbolAt(offset) {
      const reference = references.find((r) => within(r.span, offset));
      if (reference) return { kind: reference.kind, id: reference.id, span: reference.span, definition: byKey.get(`${reference.kind}:${reference.id}`) };
      const definition = definitions.find((d) => within(d.idSpan, offset));
      if (definition) return { kind: definition.kind, entry: definition.entry, id: definition.id, span: definition.idSpan, definition };
      return undefined;
    },
  };
}

/** The id pattern of the document format. */
export const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

export interface TextEditSpan extends Span {
  text: string;
}

export type RenameResult = { ok: true; edits: TextEditSpan[] } | { ok: false; reason: "noSymbol" | "badId" | "taken"; };

/**
 * Renaming an id: its definition and every reference of the same kind, test cases included. Refused when the new id
 * does not fit the id pattern or another entry of the same kind already has it.
 */
export function renameEdits(index: DocumentIndex, offset: number, newId: string): RenameResult {
  const symbol = index.symbolAt(offset);
  if (!symbol) return { ok: false, reason: "noSymbol" };
  if (!ID_PATTERN.test(newId)) return { ok: false, reason: "badId" };
  if (newId === symbol.id) return { ok: true, edits: [] };
  const edits: TextEditSpan[] = [];
  if (symbol.kind) {
    if (index.definitionOf(symbol.kind, newId)) return { ok: false, reason: "taken" };
    for (const definition of index.definitions) {
      if (definition.kind === symbol.kind && definition.id === symbol.id) edits.push({ ...definition.idSpan, text: newId });
    }
    for (const reference of index.referencesTo(symbol.kind, symbol.id)) edits.push({ ...reference.span, text: newId });
  } else {
    // Tiers, bands, vetoes and cases: nothing refers to them, so only the id itself changes (unique among its kind).
    if (index.definitions.some((d) => d.entry === symbol.entry && d.id === newId)) return { ok: false, reason: "taken" };
    edits.push({ ...symbol.span, text: newId });
  }
  return { ok: true, edits: edits.sort((a, b) => a.offset - b.offset) };
}

/** The node at a JSON pointer, or its nearest existing ancestor; members are spanned from their key. */
export function spanOfPointer(tree: JsonNode | undefined, pointer: string): Span | undefined {
  if (!tree) return undefined;
  const segments: Segment[] = fromPointer(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(tree, segments.slice(0, n));
    if (node) {
      const anchor = node.parent?.type === "property" ? node.parent : node;
      return { offset: anchor.offset, length: anchor.length };
    }
  }
  return undefined;
}

/** Pointer of the innermost node that contains an offset (for the outline's "where am I"). */
export function pointerAt(text: string, offset: number): string {
  return toPointer(getLocation(text, offset).path.filter((segment) => segment !== ""));
}

export function valueAt(tree: JsonNode | undefined, pointer: string): unknown {
  if (!tree) return undefined;
  const node = findNodeAtLocation(
    tree,
    fromPointer(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
  );
  return node ? getNodeValue(node) : undefined;
}
