/**
 * The try-an-applicant form, generated from a standard's fact dictionary: field names, and parsing the submitted
 * strings back into typed facts with an error per field in the UI's language. Pure (no React, no I/O).
 *
 * Field names: `fact:<id>` for a scalar fact, `rec:<id>:<rowKey>:<field>` for a field of one record row,
 * `program`, `date` for the evaluation date. A blank field means "not given" (the fact's default applies).
 */
import type { FactDefinition, Id, StandardDocument } from "../../../rules-schema/types";
import { isIsoDate } from "../../../rules-schema/iso-date";
import { MAX_MAGNITUDE } from "../../../rules-schema/limits";
import { applicationFacts } from "../../../rules-schema/persons";
import type { Lang } from "../read-view/describe";

export type FormValues = Record<string, string>;

export interface ParsedApplicant {
  program: Id;
  date: string;
  facts: Record<string, unknown>;
  /** Error message per field name; empty when the form is good. */
  errors: Record<string, string>;
  /** What was submitted, to show the form again unchanged. */
  values: FormValues;
  /** Record row keys per records fact, in the order submitted. */
  rowKeys: Record<Id, string[]>;
}

export const scalarName = (factId: Id) => `fact:${factId}`;
export const recordFieldName = (factId: Id, rowKey: string, fieldId: Id) => `rec:${factId}:${rowKey}:${fieldId}`;

const ERRORS = {
  notNumber: { zh: "请输入数字（如 12 或 3.5）。", en: "Enter a number (such as 12 or 3.5)." },
  notInteger: { zh: "请输入整数。", en: "Enter a whole number." },
  tooLarge: { zh: "数值过大：绝对值不能超过 1000000000000。", en: "The number is too large: at most 1000000000000 either way." },
  belowMinimum: { zh: "不能小于 {min}。", en: "Must be at least {min}." },
  aboveMaximum: { zh: "不能大于 {max}。", en: "Must be at most {max}." },
  notDate: { zh: "请输入有效日期（年-月-日）。", en: "Enter a valid date (year-month-day)." },
  notBoolean: { zh: "请选择“是”或“否”。", en: "Choose yes or no." },
  notOption: { zh: "请从列表中选择。", en: "Choose from the list." },
  dateRequired: { zh: "请填写评估日期。", en: "Enter the evaluation date." },
  programRequired: { zh: "请选择积分项目。", en: "Choose a program." },
} as const;

type ErrorKey = keyof typeof ERRORS;

function message(lang: Lang, key: ErrorKey, params: Record<string, string | number> = {}): string {
  let text: string = lang === "en" ? ERRORS[key].en : ERRORS[key].zh;
  for (const [name, value] of Object.entries(params)) text = text.split(`{${name}}`).join(String(value));
  return text;
}


/** One submitted string as a typed value of `definition`, or an error key. Blank → undefined (not given). */
function parseValue(definition: FactDefinition, raw: string, lang: Lang): { value?: unknown; error?: string } {
  const text = raw.trim();
  if (text === "") return {};
  switch (definition.type) {
    case "number":
    case "integer": {
      const normalised = text.replace(/，/g, ",").replace(/,/g, "").replace(/．/g, ".");
      if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(normalised)) return { error: message(lang, "notNumber") };
      const value = Number(normalised);
      // The API's bound on a number fact: beyond it sums overflow and searches cannot step (MAX_MAGNITUDE).
      if (!(Math.abs(value) <= MAX_MAGNITUDE)) return { error: message(lang, "tooLarge") };
      if (definition.type === "integer" && !Number.isInteger(value)) return { error: message(lang, "notInteger") };
      if (definition.minimum !== undefined && value < definition.minimum) return { error: message(lang, "belowMinimum", { min: definition.minimum }) };
      if (definition.maximum !== undefined && value > definition.maximum) return { error: message(lang, "aboveMaximum", { max: definition.maximum }) };
      return { value };
    }
    case "boolean":
      if (text === "true") return { value: true };
      if (text === "false") return { value: false };
      return { error: message(lang, "notBoolean") };
    case "date":
      return isIsoDate(text) ? { value: text } : { error: message(lang, "notDate") };
    case "enum":
      return (definition.values ?? []).some((entry) => entry.value === text) ? { value: text } : { error: message(lang, "notOption") };
    case "string":
      return { value: text };
    default:
      return {};
  }
}

/** Parses the submitted form into facts for `scoreApplicant`; every bad field gets its own message. */
export function parseApplicantForm(doc: StandardDocument, entries: Iterable<[string, string]>, lang: Lang): ParsedApplicant {
  // Maps, then own properties: a field named `__proto__` or `rec:constructor:…` is only a name, never a prototype.
  const submitted = new Map<string, string>();
  const keysByFact = new Map<Id, string[]>();
  for (const [name, value] of entries) {
    submitted.set(name, value);
    const match = /^rec:([^:]+):([^:]+):/.exec(name);
    if (match) {
      const keys = keysByFact.get(match[1]) ?? [];
      keysByFact.set(match[1], keys);
      if (!keys.includes(match[2])) keys.push(match[2]);
    }
  }
  const values: FormValues = Object.fromEntries(submitted);
  const rowKeys: Record<Id, string[]> = Object.fromEntries(keysByFact);
  const errors: Record<string, string> = {};
  const facts: Record<string, unknown> = {};
  for (const definition of applicationFacts(doc)) {
    if (definition.type === "records") {
      const rows: Array<Record<string, unknown>> = [];
      for (const key of keysByFact.get(definition.id) ?? []) {
        const row: Record<string, unknown> = {};
        let filled = false;
        for (const field of definition.fields ?? []) {
          const name = recordFieldName(definition.id, key, field.id);
          const parsed = parseValue(field, submitted.get(name) ?? "", lang);
          if (parsed.error) errors[name] = parsed.error;
          if (parsed.value !== undefined) {
            row[field.id] = parsed.value;
            filled = true;
          }
        }
        if (filled) rows.push(row);
      }
      if (keysByFact.has(definition.id)) facts[definition.id] = rows;
      continue;
    }
    const name = scalarName(definition.id);
    const parsed = parseValue(definition, submitted.get(name) ?? "", lang);
    if (parsed.error) errors[name] = parsed.error;
    if (parsed.value !== undefined) facts[definition.id] = parsed.value;
  }
  const program = (values.program ?? "").trim();
  if (!doc.programs.some((candidate) => candidate.id === program)) errors.program = message(lang, "programRequired");
  const date = (values.date ?? "").trim();
  if (date === "") errors.date = message(lang, "dateRequired");
  else if (!isIsoDate(date)) errors.date = message(lang, "notDate");
  return { program, date, facts, errors, values, rowKeys };
}

function asFieldText(definition: FactDefinition, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (definition.type === "boolean") return value === true ? "true" : value === false ? "false" : "";
  return String(value);
}

/** Form values for a set of facts (a test case's applicant), the inverse of `parseApplicantForm`. */
export function formValuesOf(doc: StandardDocument, facts: Record<string, unknown>, program: Id, date: string): { values: FormValues; rowKeys: Record<Id, string[]> } {
  const values: FormValues = { program, date };
  const rowKeys: Record<Id, string[]> = {};
  for (const definition of applicationFacts(doc)) {
    const value = Object.prototype.hasOwnProperty.call(facts, definition.id) ? facts[definition.id] : undefined;
    if (definition.type === "records") {
      const rows = Array.isArray(value) ? value : [];
      rowKeys[definition.id] = rows.map((_, index) => `r${index}`);
      rows.forEach((row, index) => {
        for (const field of definition.fields ?? []) {
          const fieldValue = row !== null && typeof row === "object" ? (row as Record<string, unknown>)[field.id] : undefined;
          values[recordFieldName(definition.id, `r${index}`, field.id)] = asFieldText(field, fieldValue);
        }
      });
      continue;
    }
    values[scalarName(definition.id)] = asFieldText(definition, value);
  }
  return { values, rowKeys };
}

/** The line the applicant is measured against: as entered, else the program's threshold; none for a quota program left blank. */
export function lineToReach(doc: StandardDocument, programId: Id, entered: string): { value?: number; error?: true } {
  const text = entered.trim();
  if (text) return /^-?\d+(\.\d+)?$/.test(text) ? { value: Number(text) } : { error: true };
  const allocation = doc.programs.find((program) => program.id === programId)?.allocation;
  return allocation?.kind === "threshold" ? { value: allocation.threshold } : {};
}
