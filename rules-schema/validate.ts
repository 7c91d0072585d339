/**
 * Validation of a standard document: JSON syntax (located), the JSON Schema (ajv, compiled once), then the
 * semantic checks. Every finding is a ValidationProblem with a JSON pointer and, when the text is known, a line and column.
 */
import Ajv2020 from "ajv/dist/2020";
import type { ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import localizeZh from "ajv-i18n/localize/zh";
import localizeEn from "ajv-i18n/localize/en";
import { joinPointer, problem, splitPointer } from "./errors";
import type { ValidationProblem } from "./errors";
import { isIsoDate } from "./iso-date";
import { MAX_MAGNITUDE } from "./limits";
import { parseJsonText } from "./locate";
import type { LocatedText } from "./locate";
import { LOCALIZED_HELP_KEYWORDS, standardSchema } from "./schema";
import { checkSemantics } from "./semantic";
import type { StandardDocument } from "./types";

export interface ValidationResult {
  /** True when no problem has severity "error" (warnings allowed). */
  ok: boolean;
  /** The document, when it is valid. */
  document?: StandardDocument;
  /** Sorted by position in the document. */
  problems: ValidationProblem[];
}

// strictRequired is off because `required` inside if/then/else names properties declared by the enclosing schema.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
addFormats(ajv);
// The one reading of a date (rules-schema/iso-date.ts) for the schema's `date` format too.
ajv.addFormat("date", { type: "string", validate: isIsoDate });
for (const keyword of LOCALIZED_HELP_KEYWORDS) ajv.addKeyword({ keyword, schemaType: "string" });
const validateAgainstSchema = ajv.compile<StandardDocument>(standardSchema);

/** Validate the text of a document (strict JSON: no comments, no trailing commas). */
export function validateDocumentText(text: string): ValidationResult {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  return validateParsed(parsed.value, parsed.located, parsed.problems);
}

/** Validate a parsed document; give the source `text` to get line and column on each problem. */
export function validateDocument(doc: unknown, text?: string): ValidationResult {
  if (text === undefined) return validateParsed(doc, undefined, []);
  const parsed = parseJsonText(text);
  return validateParsed(doc, parsed.located, parsed.problems);
}

function validateParsed(doc: unknown, located: LocatedText | undefined, initial: ValidationProblem[]): ValidationResult {
  const problems = [...initial, ...nonFiniteNumbers(doc)];
  if (validateAgainstSchema(doc) && problems.length === initial.length) {
    problems.push(...checkSemantics(doc));
  } else {
    problems.push(...schemaProblems(validateAgainstSchema.errors ?? [], doc));
  }
  const sorted = sortAndLocate(problems, doc, located);
  const ok = !sorted.some((p) => p.severity === "error");
  return ok ? { ok, document: doc as StandardDocument, problems: sorted } : { ok, problems: sorted };
}

/**
 * Numbers JSON.parse read as ±Infinity (1e309), wherever they are (test-case facts too, which the schema leaves
 * open): reported as out of range rather than as ajv's "expected number, got number". Iterative, like every walk
 * over what a user wrote.
 */
function nonFiniteNumbers(doc: unknown): ValidationProblem[] {
  const found: ValidationProblem[] = [];
  const stack: Array<{ node: unknown; pointer: string }> = [{ node: doc, pointer: "" }];
  while (stack.length > 0 && found.length < 50) {
    const { node, pointer } = stack.pop()!;
    if (typeof node === "number") {
      if (!Number.isFinite(node)) found.push(magnitudeProblem(pointer, node));
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], pointer: joinPointer(pointer, i) });
    } else if (node !== null && typeof node === "object") {
      for (const key of Object.keys(node).reverse()) stack.push({ node: (node as Record<string, unknown>)[key], pointer: joinPointer(pointer, key) });
    }
  }
  return found;
}

function magnitudeProblem(pointer: string, value: number): ValidationProblem {
  const shown = Number.isFinite(value) ? String(value) : value > 0 ? "∞" : "-∞";
  return problem("schema.magnitude", pointer, { value: Number.isFinite(value) ? value : String(value), shown, limit: MAX_MAGNITUDE });
}

// ---- schema errors → problems -----------------------------------------------------------------------

function valueAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const segment of splitPointer(pointer)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function parentPointer(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf("/"));
}

const TYPE_NAME_ZH: Record<string, string> = {
  object: "对象 {…}", array: "列表 […]", string: "文字（带双引号）", number: "数字", integer: "整数", boolean: "是/否值（true/false）", null: "空值 null",
};
const typeNameZh = (names: string): string => names.split(" | ").map((n) => TYPE_NAME_ZH[n] ?? n).join(" 或 ");

const OPERATOR_VALUE_HINT: Record<string, { zh: string; en: string }> = {
  lessThan: { zh: "应为数字，或 {\"fact\": \"事实编号\"}", en: 'a number, or {"fact": "<id>"}' },
  in: { zh: "应为列表 [...]，或 {\"fact\": \"list:名单编号\"}", en: 'a list [...], or {"fact": "list:<id>"}' },
  between: { zh: "应为 [最小值, 最大值]，两端可为 null 表示不限", en: "[min, max], either may be null for unbounded" },
  dateBefore: { zh: "应为日期 YYYY-MM-DD，或 {\"fact\": \"事实编号\"}", en: 'a date YYYY-MM-DD, or {"fact": "<id>"}' },
  atLeastLevel: { zh: "应为该枚举事实的一个取值（文字）", en: "one of the enum fact's values (a string)" },
  isPresent: { zh: "应为 true（已提供）或 false（未提供）", en: "true (present) or false (absent)" },
};
const OPERATOR_FAMILY: Record<string, string> = {
  lessThan: "lessThan", lessThanInclusive: "lessThan", greaterThan: "lessThan", greaterThanInclusive: "lessThan",
  in: "in", notIn: "in", between: "between", dateBefore: "dateBefore", dateOnOrAfter: "dateBefore",
  atLeastLevel: "atLeastLevel", isPresent: "isPresent",
};

/** The pointer of a condition's `value` when the error is inside one, else undefined. */
function operatorValuePointer(doc: unknown, instancePath: string): string | undefined {
  const segments = splitPointer(instancePath);
  for (let i = segments.length - 1; i >= 1; i--) {
    if (segments[i] !== "value") continue;
    const conditionPointer = segments.slice(0, i).reduce((p, s) => joinPointer(p, s), "");
    const condition = valueAt(doc, conditionPointer);
    if (condition && typeof condition === "object" && "operator" in condition && "fact" in condition) {
      return joinPointer(conditionPointer, "value");
    }
  }
  return undefined;
}

function closestName(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function schemaProblems(errors: ErrorObject[], doc: unknown): ValidationProblem[] {
  const english = errors.map((e) => ({ ...e }));
  localizeEn(english);
  const chinese = errors.map((e) => ({ ...e }));
  localizeZh(chinese);

  const found: ValidationProblem[] = [];
  const seen = new Set<string>();
  const add = (p: ValidationProblem): void => {
    const key = p.code + " " + p.path + " " + p.message.en;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(p);
  };
  // A failed anyOf reports every alternative's error too; keep only the summary at that place.
  const anyOfPaths = errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath);
  const insideAnyOf = (e: ErrorObject): boolean =>
    e.keyword !== "anyOf" && anyOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(p + "/"));

  // Numbers beyond the magnitude bound, reported once as such (not also as a value unsuited to its operator).
  const outOfRange = errors.filter(
    (e) => (e.keyword === "minimum" || e.keyword === "maximum") && Math.abs(Number((e.params as { limit?: unknown }).limit)) === MAX_MAGNITUDE && typeof e.data === "number",
  );
  const outOfRangePaths = new Set(outOfRange.map((e) => e.instancePath));
  for (const e of outOfRange) add(magnitudeProblem(e.instancePath, e.data as number));

  errors.forEach((error, index) => {
    if (error.keyword === "if" || outOfRangePaths.has(error.instancePath)) return;
    const generic = { zh: chinese[index].message ?? "", en: english[index].message ?? "" };
    const valuePointer = operatorValuePointer(doc, error.instancePath);
    if (valuePointer !== undefined) {
      const operator = String((valueAt(doc, parentPointer(valuePointer)) as { operator?: unknown }).operator);
      const hint = OPERATOR_VALUE_HINT[OPERATOR_FAMILY[operator] ?? ""] ?? generic;
      const p = problem("schema.operatorValue", valuePointer, { operator, detail: hint.en });
      p.message.zh = `比较方式“${operator}”的比较值类型不对：${hint.zh}`;
      add(p);
      return;
    }
    if (insideAnyOf(error)) return;
    const params = error.params as Record<string, unknown>;
    const path = error.instancePath;
    switch (error.keyword) {
      case "required": {
        const property = String(params.missingProperty);
        add(problem("schema.required", joinPointer(path, property), { property }));
        return;
      }
      case "additionalProperties":
      case "unevaluatedProperties": {
        const property = String(params.additionalProperty ?? params.unevaluatedProperty);
        const known = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
        const suggestion = closestName(property, known);
        const p = problem("schema.additionalProperty", joinPointer(path, property), { property, known, ...(suggestion ? { suggestion } : {}) });
        p.message = suggestion
          ? { zh: `不认识的字段“${property}”，是否应为“${suggestion}”？`, en: `Unknown field "${property}"; did you mean "${suggestion}"?` }
          : { zh: `不认识的字段“${property}”，此处可用的字段：${known.join("、")}`, en: `Unknown field "${property}"; fields allowed here: ${known.join(", ")}` };
        add(p);
        return;
      }
      case "type": {
        // A non-finite number is reported once, as out of range (nonFiniteNumbers).
        if (typeof error.data === "number" && !Number.isFinite(error.data)) return;
        const expected = Array.isArray(params.type) ? params.type.join(" | ") : String(params.type);
        const actual = typeName(error.data);
        add(problem("schema.type", path, { expected, actual, expectedZh: typeNameZh(expected), actualZh: typeNameZh(actual) }));
        return;
      }
      case "minItems": {
        add(problem("schema.minItems", path, { limit: params.limit }));
        return;
      }
      case "enum":
        add(problem("schema.enum", path, { value: error.data, allowed: params.allowedValues }));
        return;
      case "const":
        add(problem("schema.const", path, { value: error.data, allowed: JSON.stringify(params.allowedValue) }));
        return;
      case "pattern":
        add(problem("schema.pattern", path, { value: error.data, pattern: params.pattern }));
        return;
      case "format":
        add(problem("schema.format", path, { value: error.data, format: params.format }));
        return;
      case "not":
        add({ ...problem("schema.notAllowed", joinPointer(path, "id"), { property: "id", detail: "" }), message: { zh: "排序依据为总分（total）时不应填写 id", en: 'A rank key on "total" takes no id' } });
        return;
      case "anyOf": {
        // The only anyOf outside condition values: `of` of a combine fact, fact ids or numbers.
        const actual = typeName(error.data);
        const p = problem("schema.type", path, { expected: "fact id | number", actual, expectedZh: "事实编号或数字", actualZh: typeNameZh(actual) });
        if (typeof error.data === "string") {
          p.message = { zh: `“${error.data}”不是有效的事实编号（以字母开头，只含字母、数字、_ 和 -），也不是数字`, en: `"${error.data}" is neither a valid fact id (a letter, then letters, digits, _ or -) nor a number` };
        }
        add(p);
        return;
      }
      default: {
        const p = problem("schema.other", path, { ...params, keyword: error.keyword, detail: generic.en });
        p.code = `schema.${error.keyword}`;
        p.message = generic;
        add(p);
      }
    }
  });
  return found;
}

// ---- ordering and positions -------------------------------------------------------------------------

/** Position of a pointer in document order without text: array indices, then key order within objects. */
function documentOrder(doc: unknown, pointer: string): number[] {
  const order: number[] = [];
  let node = doc;
  for (const segment of splitPointer(pointer)) {
    if (Array.isArray(node)) {
      order.push(Number(segment));
      node = node[Number(segment)];
    } else if (node !== null && typeof node === "object") {
      const keys = Object.keys(node);
      const index = keys.indexOf(segment);
      order.push(index === -1 ? keys.length : index);
      node = (node as Record<string, unknown>)[segment];
    } else {
      order.push(0);
    }
  }
  return order;
}

function compareOrders(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

function sortAndLocate(problems: ValidationProblem[], doc: unknown, located: LocatedText | undefined): ValidationProblem[] {
  const keyed = problems.map((p, index) => {
    if (located && p.line === undefined) {
      const position = located.locate(p.path);
      if (position) {
        p.line = position.line;
        p.column = position.column;
      }
    }
    return { p, index, order: documentOrder(doc, p.path) };
  });
  keyed.sort(
    (a, b) =>
      (a.p.line ?? 0) - (b.p.line ?? 0) ||
      (a.p.column ?? 0) - (b.p.column ?? 0) ||
      compareOrders(a.order, b.order) ||
      a.index - b.index,
  );
  return keyed.map((k) => k.p);
}
