/**
 * How both paths read a fact: the applicant's own value, else the fact's declared default; derived facts
 * from their computed slot; lists (`list:<id>`) from the document. Only own properties are read, so an id
 * such as "constructor" or "__proto__" is an ordinary (missing) fact, never a prototype member.
 */
import type { FactDefinition, Id, StandardDocument } from "../../rules-schema/types";
import type { Facts } from "../types";
import type { ConditionContext, FactReader } from "./conditions";
import { generateFactLoader } from "./compiled-codegen";

export interface ApplicantScope {
  facts: Facts;
  /** Declared facts with their defaults applied, in the order of the document's `facts` (filled by `FactTable.load`). */
  values?: unknown[];
  /** Derived fact values, in the order of `FactTable.derivedIds`. */
  derived: unknown[];
}

export const LIST_PREFIX = "list:";

const hasOwn = Object.prototype.hasOwnProperty;

function propertyReader(key: string): (container: unknown) => unknown {
  if (key in Object.prototype) return (container) => ownValue(container, key);
  return (container) =>
    container !== null && typeof container === "object" ? (container as Record<string, unknown>)[key] : undefined;
}

export function isPresentValue(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** Reads `key` from an object (own property only); anything else has no fields. */
export function ownValue(container: unknown, key: string): unknown {
  if (container === null || typeof container !== "object") return undefined;
  return hasOwn.call(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}


function withDefault(read: (container: unknown) => unknown, definition: FactDefinition | undefined) {
  if (!definition || definition.default === undefined) return read;
  const fallback = definition.default;
  return (container: unknown) => {
    const value = read(container);
    return value === undefined || value === null ? fallback : value;
  };
}

export class FactTable {
  readonly definitions = new Map<Id, FactDefinition>();
  readonly lists = new Map<Id, unknown[]>();
  readonly derivedIndex = new Map<Id, number>();
  private readonly declaredIndex = new Map<Id, number>();
  private readonly declaredIds: Id[] = [];
  private readonly declaredDefaults: unknown[] = [];
  private readonly declaredShadowsPrototype: boolean[] = [];
  private readonly readers = new Map<Id, FactReader<ApplicantScope>>();
  private readonly generatedLoad: ((facts: unknown, values: unknown[]) => void) | undefined;

  /** The key each declared fact is read under: its id, or `<person>.<fact>` for a candidate's per-person facts. */
  private readonly declaredKeys: string[] = [];

  /**
   * `sourceKey` maps a declared fact to the key it is read from (decision 028: a candidate's per-person facts come
   * from his `<person>.<fact>` keys), so scoring a candidate needs no copy of the application's facts.
   */
  constructor(doc: StandardDocument, derivedIds: readonly Id[], sourceKey?: (definition: FactDefinition) => string) {
    for (const definition of doc.facts ?? []) {
      if (this.definitions.has(definition.id)) continue;
      const key = sourceKey ? sourceKey(definition) : definition.id;
      this.definitions.set(definition.id, definition);
      this.declaredIndex.set(definition.id, this.declaredIds.length);
      this.declaredIds.push(definition.id);
      this.declaredKeys.push(key);
      this.declaredDefaults.push(definition.default);
      this.declaredShadowsPrototype.push(key in Object.prototype);
    }
    for (const list of doc.lists ?? []) this.lists.set(LIST_PREFIX + list.id, list.values);
    derivedIds.forEach((id, index) => this.derivedIndex.set(id, index));
    this.generatedLoad = generateFactLoader(this.declaredKeys, this.declaredDefaults, this.declaredShadowsPrototype);
  }

  /** The ids of declared facts, then derived facts and lists: the facts a condition may name. */
  knownIds(): Id[] {
    return [...this.definitions.keys(), ...this.derivedIndex.keys(), ...this.lists.keys()];
  }

  read(id: Id): FactReader<ApplicantScope> {
    let reader = this.readers.get(id);
    if (!reader) {
      reader = this.makeReader(id);
      this.readers.set(id, reader);
    }
    return reader;
  }

  private makeReader(id: Id): FactReader<ApplicantScope> {
    const slot = this.derivedIndex.get(id);
    if (slot !== undefined) return (scope) => scope.derived[slot];
    if (this.lists.has(id)) {
      const values = this.lists.get(id);
      return () => values;
    }
    const declared = this.declaredIndex.get(id);
    if (declared !== undefined) return (scope) => (scope.values as unknown[])[declared];
    if (id in Object.prototype) return (scope) => ownValue(scope.facts, id);
    return (scope) => scope.facts[id];
  }

  /** Where a fact's value lives: a slot of `values` (declared), of `derived`, a list constant, or elsewhere. */
  slot(id: Id): { kind: "declared" | "derived"; index: number } | { kind: "list"; value: unknown[] | undefined } | { kind: "other" } {
    const derived = this.derivedIndex.get(id);
    if (derived !== undefined) return { kind: "derived", index: derived };
    if (this.lists.has(id)) return { kind: "list", value: this.lists.get(id) };
    const declared = this.declaredIndex.get(id);
    if (declared !== undefined) return { kind: "declared", index: declared };
    return { kind: "other" };
  }

  /** Reads every declared fact of the applicant once (defaults applied), so conditions read an array slot. */
  load(scope: ApplicantScope): void {
    const facts = scope.facts;
    const values = (scope.values ??= new Array(this.declaredIds.length));
    if (this.generatedLoad) return this.generatedLoad(facts, values);
    const keys = this.declaredKeys;
    for (let i = 0; i < keys.length; i++) {
      const value = this.declaredShadowsPrototype[i] ? ownValue(facts, keys[i]) : (facts as Record<string, unknown>)[keys[i]];
      values[i] = value === undefined || value === null ? (this.declaredDefaults[i] ?? value) : value;
    }
  }

  get declaredCount(): number {
    return this.declaredIds.length;
  }

  levels(id: Id): readonly string[] | undefined {
    return this.definitions.get(id)?.values?.map((entry) => entry.value);
  }

  /** The scope of a condition over one record of `recordsId`: its fields (with their defaults) and the lists. */
  recordContext(recordsId: Id): ConditionContext<unknown> {
    const fields = new Map((this.definitions.get(recordsId)?.fields ?? []).map((field) => [field.id, field]));
    return {
      read: (fieldId) => {
        if (this.lists.has(fieldId) && !fields.has(fieldId)) {
          const values = this.lists.get(fieldId);
          return () => values;
        }
        return withDefault(propertyReader(fieldId), fields.get(fieldId));
      },
      levels: (fieldId) => fields.get(fieldId)?.values?.map((entry) => entry.value),
    };
  }

  /** A reader of one field of a record of `recordsId`, honouring the field's default. */
  fieldReader(recordsId: Id, fieldId: Id): (record: unknown) => unknown {
    const field = this.definitions.get(recordsId)?.fields?.find((candidate) => candidate.id === fieldId);
    return withDefault(propertyReader(fieldId), field);
  }

  /** Context for conditions over applicant facts. */
  applicantContext(): ConditionContext<ApplicantScope> {
    return { read: (id) => this.read(id), levels: (id) => this.levels(id) };
  }
}

export function recordsOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
