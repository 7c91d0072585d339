/**
 * A file's column names in the officer's words: a fact's id, its Chinese label or its English label (any case), and
 * the usual names of the applicant number and identity number columns. Used by the reader (a file without a
 * mapping) and by the upload screen's proposed mapping, so both read a header alike.
 */
import type { FactDefinition } from "../rules-schema/types";

const ID_NAMES = new Set(["id", "申请编号", "编号", "applicant", "applicantid", "ref"]);
const ID_NUMBER_NAMES = new Set(["idnumber", "身份证号", "身份证号码", "公民身份号码"]);
const NAME_NAMES = new Set(["name", "姓名", "申请人姓名"]);

const targetTables = new WeakMap<readonly FactDefinition[], Map<string, string>>();

function targets(facts: readonly FactDefinition[]): Map<string, string> {
  let table = targetTables.get(facts);
  if (!table) {
    table = new Map();
    // Labels first, ids last: an id always wins over a label that happens to read the same.
    for (const fact of facts) {
      if (fact.label?.en) table.set(fact.label.en.trim().toLowerCase(), fact.id);
      if (fact.label?.zh) table.set(fact.label.zh.trim(), fact.id);
    }
    for (const fact of facts) table.set(fact.id, fact.id);
    targetTables.set(facts, table);
  }
  return table;
}

/** What a column holds by its name: a fact id, "id", "idNumber", "name", or undefined when the name says nothing. */
export function headerTarget(header: string, facts: readonly FactDefinition[]): string | undefined {
  const name = header.trim();
  const lower = name.toLowerCase();
  const table = targets(facts);
  const fact = table.get(name) ?? table.get(lower);
  if (fact) return fact;
  if (name === "id" || name === "idNumber" || name === "name") return name;
  if (ID_NAMES.has(lower)) return "id";
  if (ID_NUMBER_NAMES.has(lower)) return "idNumber";
  if (NAME_NAMES.has(lower)) return "name";
  return undefined;
}

const enumTables = new WeakMap<FactDefinition, Map<string, string>>();

/** An enum cell's value by its id or its label (Chinese, or English in any case): `大学本科` as well as `bachelor`. */
export function enumValueOf(definition: FactDefinition, cell: string): string | undefined {
  let table = enumTables.get(definition);
  if (!table) {
    table = new Map();
    for (const v of definition.values ?? []) {
      if (v.label?.en) table.set(v.label.en.trim().toLowerCase(), v.value);
      if (v.label?.zh) table.set(v.label.zh.trim(), v.value);
    }
    for (const v of definition.values ?? []) table.set(v.value, v.value);
    enumTables.set(definition, table);
  }
  return table.get(cell) ?? table.get(cell.toLowerCase());
}

const SLASH_DATE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;

/** `2019/6/30` as `2019-06-30` (as Excel shows dates on Chinese Windows); other text unchanged. */
export function slashDateAsIso(text: string): string {
  const m = SLASH_DATE.exec(text);
  return m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : text;
}
