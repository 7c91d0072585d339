/**
 * A columnar cohort: one typed array per fact instead of one object per applicant. 1M applicants as objects take
 * ~780 MB (docs: performance-notes); as columns a few tens of MB. Text values (enum, date, string) are codes into a
 * dictionary, so a row's text is shared, never copied. Records facts are columnar too: the records of row i are
 * entries `start[i] … start[i+1]−1` of one column per declared field (fields not declared are not kept).
 *
 * The columnar evaluator (engine/columnar.ts) scores row i straight from these columns. The object evaluators
 * read a row through `cohortRowReader`, which builds the row's object when it is scored (one reused object, or
 * short-lived ones), so even they never hold 1M objects; its decoding is what every path's meaning refers to.
 *
 * Rows are written in order (0, 1, 2, …): the records columns grow as rows arrive.
 */
import type { FactDefinition, Id } from "../../rules-schema/types";
import type { Facts } from "../types";

/** A column of scalar values. */
export type ScalarColumn =
  /** number and integer facts; NaN = missing */
  | { kind: "number"; values: Float64Array }
  /** 1 true, 0 false, -1 missing */
  | { kind: "boolean"; values: Int8Array }
  /** enum, date and string facts: index into `dictionary`, -1 missing */
  | { kind: "text"; values: Int32Array; dictionary: string[] };

export interface RecordsColumn {
  kind: "records";
  /** 1 when the row has the fact (a list, possibly empty); 0 = missing. */
  present: Uint8Array;
  /** Records of row i are entries start[i] … start[i+1]−1. */
  start: Int32Array;
  /** Number of records stored (the field columns may be longer: spare capacity). */
  count: number;
  fieldIds: Id[];
  fields: ScalarColumn[];
}

export type CohortColumn = ScalarColumn | RecordsColumn;

export interface Cohort {
  size: number;
  /** Applicant ids, in row order. */
  ids: string[];
  /** Fact ids in column order (the document's fact order). */
  factIds: Id[];
  columns: Record<Id, CohortColumn>;
}

/*
 * Columns live in SharedArrayBuffers from the start, so a large cohort can be scored on both cores
 * (engine/parallel.ts) without a copy; on one thread they behave as any typed array.
 */
const float64 = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));
const int32 = (n: number) => new Int32Array(new SharedArrayBuffer(4 * n));
const int8 = (n: number) => new Int8Array(new SharedArrayBuffer(n));
const uint8 = (n: number) => new Uint8Array(new SharedArrayBuffer(n));

function scalarColumn(definition: FactDefinition, size: number): ScalarColumn {
  switch (definition.type) {
    case "number":
    case "integer":
      return { kind: "number", values: float64(size).fill(NaN) };
    case "boolean":
      return { kind: "boolean", values: int8(size).fill(-1) };
    default:
      return { kind: "text", values: int32(size).fill(-1), dictionary: [] };
  }
}

export function emptyColumn(definition: FactDefinition, size: number): CohortColumn {
  if (definition.type !== "records") return scalarColumn(definition, size);
  const fields = (definition.fields ?? []).filter((field) => field.type !== "records");
  const capacity = Math.max(16, size >> 2);
  return {
    kind: "records",
    present: uint8(size),
    start: int32(size + 1),
    count: 0,
    fieldIds: fields.map((field) => field.id),
    fields: fields.map((field) => scalarColumn(field, capacity)),
  };
}

function grow(column: ScalarColumn, capacity: number): ScalarColumn {
  switch (column.kind) {
    case "number": {
      const values = float64(capacity).fill(NaN);
      values.set(column.values);
      return { kind: "number", values };
    }
    case "boolean": {
      const values = int8(capacity).fill(-1);
      values.set(column.values);
      return { kind: "boolean", values };
    }
    case "text": {
      const values = int32(capacity).fill(-1);
      values.set(column.values);
      return { kind: "text", values, dictionary: column.dictionary };
    }
  }
}

/** Code of each text while writing, per text column (keyed by the column's dictionary array). */
export type CohortDictionaries = Map<string[], Map<string, number>>;

function writeScalar(column: ScalarColumn, dictionaries: CohortDictionaries, index: number, value: unknown): void {
  if (value === undefined || value === null) return;
  switch (column.kind) {
    case "number":
      if (typeof value === "number") column.values[index] = value;
      return;
    case "boolean":
      if (typeof value === "boolean") column.values[index] = value ? 1 : 0;
      return;
    case "text": {
      const text = typeof value === "string" ? value : String(value);
      let codes = dictionaries.get(column.dictionary);
      if (!codes) {
        codes = new Map(column.dictionary.map((entry, code) => [entry, code]));
        dictionaries.set(column.dictionary, codes);
      }
      let code = codes.get(text);
      if (code === undefined) {
        code = column.dictionary.length;
        column.dictionary.push(text);
        codes.set(text, code);
      }
      column.values[index] = code;
    }
  }
}

/** Writes one applicant's facts into row `i` (rows in order; values of the wrong type are stored as missing). */
export function writeCohortRow(columns: Record<Id, CohortColumn>, dictionaries: CohortDictionaries, i: number, facts: Facts): void {
  for (const factId in columns) {
    const column = columns[factId];
    const value = facts[factId];
    if (column.kind !== "records") {
      writeScalar(column, dictionaries, i, value);
      continue;
    }
    const records = Array.isArray(value) ? value : undefined;
    column.start[i] = column.count;
    if (records) {
      column.present[i] = 1;
      const needed = column.count + records.length;
      const capacity = column.fields[0]?.values.length ?? Infinity;
      if (needed > capacity) {
        const next = Math.max(needed, capacity * 2);
        column.fields = column.fields.map((field) => grow(field, next));
      }
      for (const record of records) {
        const row = record !== null && typeof record === "object" ? (record as Facts) : {};
        for (let f = 0; f < column.fields.length; f++) writeScalar(column.fields[f], dictionaries, column.count, row[column.fieldIds[f]]);
        column.count++;
      }
    }
    column.start[i + 1] = column.count;
  }
}

/** Builds a columnar cohort from applicant objects. */
export function cohortFromRows(facts: readonly FactDefinition[], ids: readonly string[], rows: readonly Facts[]): Cohort {
  const size = rows.length;
  const columns: Record<Id, CohortColumn> = {};
  for (const definition of facts) columns[definition.id] = emptyColumn(definition, size);
  const dictionaries: CohortDictionaries = new Map();
  for (let i = 0; i < size; i++) writeCohortRow(columns, dictionaries, i, rows[i]);
  return { size, ids: [...ids], factIds: facts.map((f) => f.id), columns };
}

function scalarReader(column: ScalarColumn): (index: number) => unknown {
  switch (column.kind) {
    case "number": {
      const values = column.values;
      return (index) => (values[index] === values[index] ? values[index] : undefined);
    }
    case "boolean": {
      const values = column.values;
      return (index) => (values[index] < 0 ? undefined : values[index] === 1);
    }
    case "text": {
      const { values, dictionary } = column;
      return (index) => (values[index] < 0 ? undefined : dictionary[values[index]]);
    }
  }
}

function recordsReader(column: RecordsColumn): (i: number) => Facts[] | undefined {
  const { present, start, fieldIds } = column;
  const fields = column.fields.map(scalarReader);
  return (i) => {
    if (!present[i]) return undefined;
    const records: Facts[] = [];
    for (let r = start[i]; r < start[i + 1]; r++) {
      const record: Facts = {};
      for (let f = 0; f < fields.length; f++) {
        const value = fields[f](r);
        if (value !== undefined) record[fieldIds[f]] = value;
      }
      records.push(record);
    }
    return records;
  };
}

/** A reader of one fact's value per row, as `cohortRowReader` gives it (undefined when the cohort lacks the fact). */
export function columnValueReader(cohort: Cohort, factId: Id): (i: number) => unknown {
  const column = cohort.factIds.includes(factId) ? cohort.columns[factId] : undefined;
  if (!column) return () => undefined;
  return column.kind === "records" ? recordsReader(column) : scalarReader(column);
}

/**
 * A reader of rows as objects. Every fact is an own property; a missing value is `undefined`, which the engine
 * reads as missing. With `reuse`, one object is refilled on every call (valid until the next call: for scoring
 * loops that do not keep the facts); otherwise each row is a fresh object of one shared shape.
 */
export function cohortRowReader(cohort: Cohort, opts: { reuse?: boolean } = {}): (i: number) => Facts {
  const ids = cohort.factIds;
  const readers = ids.map((factId) => {
    const column = cohort.columns[factId];
    return column.kind === "records" ? recordsReader(column) : scalarReader(column);
  });
  const count = ids.length;
  const template: Facts = {};
  for (const factId of ids) Object.defineProperty(template, factId, { value: undefined, enumerable: true, writable: true, configurable: true });
  const shared: Facts | undefined = opts.reuse ? { ...template } : undefined;
  return (i) => {
    const facts: Facts = shared ?? { ...template };
    for (let k = 0; k < count; k++) facts[ids[k]] = readers[k](i);
    return facts;
  };
}

/** The facts of row `i` (for many rows, make one `cohortRowReader`). */
export function cohortRow(cohort: Cohort, i: number): Facts {
  return cohortRowReader(cohort)(i);
}

/**
 * The column's values as text labels per row, for grouping (pools, impact by group): enum/date/string values,
 * booleans "true"/"false", numbers as written, records by their count; missing = "".
 */
export function categoricalCodes(cohort: Cohort, factId: Id): { codes: Int32Array; labels: string[] } {
  const column = cohort.columns[factId];
  const codes = new Int32Array(cohort.size);
  if (!column) return { codes, labels: [""] };
  if (column.kind === "text") {
    const labels = [...column.dictionary, ""];
    const missing = labels.length - 1;
    for (let i = 0; i < cohort.size; i++) codes[i] = column.values[i] >= 0 ? column.values[i] : missing;
    return { codes, labels };
  }
  if (column.kind === "boolean") {
    for (let i = 0; i < cohort.size; i++) codes[i] = column.values[i] === 1 ? 1 : column.values[i] === 0 ? 0 : 2;
    return { codes, labels: ["false", "true", ""] };
  }
  const labelIndex = new Map<string, number>();
  const labels: string[] = [];
  for (let i = 0; i < cohort.size; i++) {
    let label: string;
    if (column.kind === "number") label = column.values[i] === column.values[i] ? String(column.values[i]) : "";
    else label = column.present[i] ? String(column.start[i + 1] - column.start[i]) : "";
    let code = labelIndex.get(label);
    if (code === undefined) {
      code = labels.length;
      labels.push(label);
      labelIndex.set(label, code);
    }
    codes[i] = code;
  }
  return { codes, labels };
}
