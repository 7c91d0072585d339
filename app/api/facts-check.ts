/**
 * Checks the facts a department sends against the version's fact dictionary before scoring, so a typo in a fact id
 * or a number sent as text is refused with its place instead of silently scoring 0. Pure: no I/O.
 */
import type { FactDefinition, StandardDocument } from "../../rules-schema/types";
import { joinPointer } from "../../rules-schema/errors";
import { isIsoDate, isoDateFault, isoDateMessage } from "../../rules-schema/iso-date";
import { MAX_MAGNITUDE } from "../../rules-schema/limits";
import { apiProblem, type ApiProblem } from "./errors.server";
import { applicationFacts } from "../../rules-schema/persons";

/** The generated row check's test for date cells: the one strict reading of a date. */
const ISO_DATE = { test: isIsoDate };

export interface FactDictionary {
  byId: Map<string, FactDefinition>;
  derived: Set<string>;
  /** What checking each fact needs, prepared once per version (enum values as a set, record fields by id). */
  checks: Map<string, FactCheck>;
}

export interface FactCheck {
  fact: FactDefinition;
  enumValues?: Set<string>;
  fields?: Map<string, FactCheck>;
}

function factCheck(fact: FactDefinition): FactCheck {
  return {
    fact,
    ...(fact.type === "enum" ? { enumValues: new Set((fact.values ?? []).map((v) => v.value)) } : {}),
    ...(fact.type === "records" ? { fields: new Map((fact.fields ?? []).map((f) => [f.id, factCheck(f)])) } : {}),
  };
}

export function factDictionary(doc: StandardDocument): FactDictionary {
  // Persons' facts are accepted as `<person>.<fact>` (decision 028).
  const facts = applicationFacts(doc);
  return {
    byId: new Map(facts.map((f) => [f.id, f])),
    derived: new Set((doc.derived ?? []).map((d) => d.id)),
    checks: new Map(facts.map((f) => [f.id, factCheck(f)])),
  };
}

/**
 * True when the value fits (the common case, decided without allocating anything). table-rows.ts reads a table's
 * cells from bytes by the same rules; its tests compare the two, so a change here must be made there too.
 */
export function fits(check: FactCheck, value: unknown): boolean {
  const fact = check.fact;
  switch (fact.type) {
    case "number":
      return typeof value === "number" && Number.isFinite(value) && inBounds(fact, value);
    case "integer":
      return Number.isInteger(value) && inBounds(fact, value as number);
    case "boolean":
      return typeof value === "boolean";
    case "date":
      return isIsoDate(value);
    case "string":
      return typeof value === "string";
    case "enum":
      return typeof value === "string" && check.enumValues!.has(value);
    case "records":
      return Array.isArray(value);
  }
}

/** A number fact's lower bound: its own `minimum`, and never below -MAX_MAGNITUDE (so scores stay finite). */
export function factMinimum(fact: FactDefinition): number {
  return fact.minimum === undefined || fact.minimum < -MAX_MAGNITUDE ? -MAX_MAGNITUDE : fact.minimum;
}

export function factMaximum(fact: FactDefinition): number {
  return fact.maximum === undefined || fact.maximum > MAX_MAGNITUDE ? MAX_MAGNITUDE : fact.maximum;
}

function inBounds(fact: FactDefinition, value: number): boolean {
  return value >= factMinimum(fact) && value <= factMaximum(fact);
}

function expectation(fact: FactDefinition, value: unknown): { expected: string; expectedZh: string } | undefined {
  switch (fact.type) {
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) return { expected: "a number", expectedZh: "数字" };
      return bounds(fact, value);
    case "integer":
      if (!Number.isInteger(value)) return { expected: "a whole number", expectedZh: "整数" };
      return bounds(fact, value as number);
    case "boolean":
      return typeof value === "boolean" ? undefined : { expected: "true or false", expectedZh: "true 或 false" };
    case "date":
      return isIsoDate(value) ? undefined : { expected: "a date YYYY-MM-DD", expectedZh: "日期 YYYY-MM-DD" };
    case "string":
      return typeof value === "string" ? undefined : { expected: "text", expectedZh: "文字" };
    case "enum": {
      const declared = (fact.values ?? []).map((v) => v.value);
      return typeof value === "string" && declared.includes(value)
        ? undefined
        : { expected: `one of ${declared.join(", ")}`, expectedZh: `以下之一：${declared.join("、")}` };
    }
    case "records":
      return Array.isArray(value) ? undefined : { expected: "a list of records", expectedZh: "记录列表 […]" };
  }
}

function bounds(fact: FactDefinition, value: number): { expected: string; expectedZh: string } | undefined {
  const minimum = factMinimum(fact);
  const maximum = factMaximum(fact);
  if (value < minimum) return { expected: `at least ${minimum}`, expectedZh: `不小于 ${minimum}` };
  if (value > maximum) return { expected: `at most ${maximum}`, expectedZh: `不大于 ${maximum}` };
  return undefined;
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Too deep to write out (a body's depth is limited, a value built in process is not).
    text = Array.isArray(value) ? "[…]" : "{…}";
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Checks one value; `path` is built only when there is something to report or records to descend into. */
export function checkValue(check: FactCheck, value: unknown, parentPath: string, segment: string | number, problems: ApiProblem[], limit: number): void {
  if (value === null || problems.length >= limit) return;
  const fact = check.fact;
  if (!fits(check, value)) {
    if (fact.type === "date" && isoDateFault(value) === "noSuchDay") {
      const message = isoDateMessage(value, { zh: `事实“${fact.id}”（${fact.label.zh}）的值`, en: `Fact "${fact.id}" (${fact.label.en}):` });
      problems.push(apiProblem("api.badDate", joinPointer(parentPath, segment), message.zh, message.en, { fact: fact.id, type: fact.type, value }));
      return;
    }
    const wrong = expectation(fact, value);
    if (wrong) {
      problems.push(
        apiProblem(
          "api.factType",
          joinPointer(parentPath, segment),
          `事实“${fact.id}”（${fact.label.zh}）的值 ${describe(value)} 不符合其类型：应为${wrong.expectedZh}`,
          `Fact "${fact.id}" (${fact.label.en}) has the value ${describe(value)}, which does not fit: expected ${wrong.expected}`,
          { fact: fact.id, type: fact.type, expected: wrong.expected },
        ),
      );
      return;
    }
  }
  if (fact.type !== "records" || (value as unknown[]).length === 0) return;
  const path = joinPointer(parentPath, segment);
  const fields = check.fields!;
  (value as unknown[]).forEach((record, index) => {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      problems.push(
        apiProblem("api.factType", joinPointer(path, index), `事实“${fact.id}”的第 ${index + 1} 条记录应为对象 {…}`, `Record ${index + 1} of fact "${fact.id}" must be an object {…}`, {
          fact: fact.id,
          index,
        }),
      );
      return;
    }
    const recordPath = joinPointer(path, index);
    for (const key of Object.keys(record)) {
      const field = fields.get(key);
      if (!field) {
        problems.push(unknownFact(joinPointer(recordPath, key), key, `记录型事实“${fact.id}”的字段`, `field of records fact "${fact.id}"`, [...fields.keys()]));
        continue;
      }
      checkValue(field, (record as Record<string, unknown>)[key], recordPath, key, problems, limit);
    }
  });
}

function unknownFact(path: string, id: string, whatZh: string, whatEn: string, known: string[]): ApiProblem {
  const suggestion = closest(id, known);
  return apiProblem(
    "api.unknownFact",
    path,
    `“${id}”不是此版本定义的${whatZh}${suggestion ? `（是否想写“${suggestion}”？）` : ""}`,
    `"${id}" is not a ${whatEn} defined by this version${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
    { id, ...(suggestion ? { suggestion } : {}) },
  );
}

function closest(id: string, known: string[]): string | undefined {
  const lower = id.toLowerCase();
  return known.find((k) => k.toLowerCase() === lower) ?? known.find((k) => k.toLowerCase().startsWith(lower.slice(0, 6)) && lower.length >= 6);
}

/** Problems with `facts` (located at `basePath`, e.g. "/facts" or "/applicants/3/facts"), at most `limit`. */
export function checkFacts(dictionary: FactDictionary, facts: unknown, basePath: string, problems: ApiProblem[] = [], limit = 50): ApiProblem[] {
  if (facts === null || typeof facts !== "object" || Array.isArray(facts)) {
    problems.push(apiProblem("api.factsNotObject", basePath, "facts 应为对象 {事实编号: 值}", "facts must be an object {factId: value}"));
    return problems;
  }
  for (const id of Object.keys(facts)) {
    if (problems.length >= limit) break;
    const check = dictionary.checks.get(id);
    if (check) checkValue(check, (facts as Record<string, unknown>)[id], basePath, id, problems, limit);
    else problems.push(notAFact(dictionary, id, joinPointer(basePath, id)));
  }
  return problems;
}

/** The problem with `id`, which is not a fact the department can send: a derived fact, or no fact of this version. */
export function notAFact(dictionary: FactDictionary, id: string, path: string): ApiProblem {
  if (dictionary.derived.has(id)) {
    return apiProblem(
      "api.derivedFact",
      path,
      `“${id}”是派生事实，由引擎根据其他事实计算，请改为提供它所依据的事实`,
      `"${id}" is a derived fact computed by the engine; send the facts it is computed from instead`,
      { id },
    );
  }
  return unknownFact(path, id, "事实", "fact", [...dictionary.byId.keys()]);
}

/**
 * For the table form of a batch: per layout of columns, two functions generated once (a batch scores thousands of
 * rows with the same columns). `fits(row)` is true when every cell is null or fits its fact and no records need
 * checking field by field (the common case; otherwise the caller checks the row cell by cell with `checkValue` for
 * located problems). `facts(row)` makes the facts object with one fixed shape, so the scorer reads it fast; a null
 * cell becomes undefined, which the engine and canonical JSON treat as a fact not given.
 */
export interface RowReader {
  fits(row: readonly unknown[]): boolean;
  facts(row: readonly unknown[]): Record<string, unknown>;
}

const rowReaders = new WeakMap<FactDictionary, Map<string, RowReader>>();

/** `columns[j]` is the fact id of cell j, or undefined for a cell that is not a fact (the applicant id). */
export function rowReader(dictionary: FactDictionary, columns: ReadonlyArray<string | undefined>): RowReader {
  let readers = rowReaders.get(dictionary);
  if (!readers) {
    readers = new Map();
    rowReaders.set(dictionary, readers);
  }
  const key = columns.map((c) => c ?? "").join("\u0000");
  let reader = readers.get(key);
  if (!reader) {
    if (readers.size >= 64) readers.clear();
    reader = generateRowReader(dictionary, columns);
    readers.set(key, reader);
  }
  return reader;
}

function generateRowReader(dictionary: FactDictionary, columns: ReadonlyArray<string | undefined>): RowReader {
  const enumSets: Array<Set<string> | undefined> = [];
  const tests: string[] = [];
  const fields: string[] = [];
  columns.forEach((id, j) => {
    const check = id === undefined ? undefined : dictionary.checks.get(id);
    if (!check) return;
    const v = `r[${j}]`;
    const fact = check.fact;
    const bounds = ` && ${v} >= ${JSON.stringify(factMinimum(fact))} && ${v} <= ${JSON.stringify(factMaximum(fact))}`;
    let test: string;
    switch (fact.type) {
      case "number":
        test = `typeof ${v} === "number" && Number.isFinite(${v})${bounds}`;
        break;
      case "integer":
        test = `Number.isInteger(${v})${bounds}`;
        break;
      case "boolean":
        test = `typeof ${v} === "boolean"`;
        break;
      case "date":
        test = `typeof ${v} === "string" && D.test(${v})`;
        break;
      case "string":
        test = `typeof ${v} === "string"`;
        break;
      case "enum":
        enumSets[j] = check.enumValues;
        test = `typeof ${v} === "string" && E[${j}].has(${v})`;
        break;
      case "records":
        // An empty list needs no field checks; a list with records goes to the cell-by-cell check.
        test = `Array.isArray(${v}) && ${v}.length === 0`;
        break;
    }
    tests.push(`(${v} === null || (${test}))`);
    fields.push(`${JSON.stringify(fact.id)}: ${v} === null ? undefined : ${v}`);
  });
  const fits = new Function("D", "E", `return function fits(r) { return ${tests.join(" && ") || "true"}; };`)(ISO_DATE, enumSets) as RowReader["fits"];
  const facts = new Function(`return function facts(r) { return { ${fields.join(", ")} }; };`)() as RowReader["facts"];
  return { fits, facts };
}
