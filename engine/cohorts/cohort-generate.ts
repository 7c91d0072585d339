/**
 * Synthetic, reproducible applicants for a standard's facts, for simulations and benchmarks.
 *
 * Each applicant is drawn from its own generator seeded by (seed, index), so row i is the same whether 10 or 1M rows
 * are generated, and the same seed gives byte-identical output. No clock: dates are relative to `referenceDate`.
 *
 * Shape of the population (plausible, not statistics of any city):
 * - enum facts skew to the low end of their declared order (most applicants have lower education);
 *   facts used as a pool (`poolBy`) spread over all values, larger pools first;
 * - numbers skew low inside their declared bounds (insurance years: many short, few long);
 * - facts that feed vetoes or deduction items are rare: a few percent of applicants have offence records or
 *   a flag set; boolean facts a gate requires true are mostly true;
 * - birth dates give ages 20–55; other dates lie up to 15 years before the reference date, mostly recent;
 * - period records (used by `periods` derived facts) are common: 1–3 periods per applicant.
 */
import type {
  Condition,
  DerivedFact,
  FactCondition,
  FactDefinition,
  Id,
  IsoDate,
  StandardDocument,
} from "../../rules-schema/types";
import type { Facts } from "../types";
import { applicationFacts, otherPersons, personFactKey } from "../../rules-schema/persons";
import { dayNumber, fromDayNumber, parseIsoDate } from "../scoring/dates";
import { factsReadBy } from "../scoring/conditions";
import { fnv1a, mix32, mulberry32, seedNumber } from "../prng";
import { emptyColumn, writeCohortRow, type Cohort, type CohortColumn, type CohortDictionaries } from "./cohort";

export interface GenerateOptions {
  /** Dates are drawn relative to this day (default: the document's effectiveFrom, else 2024-01-01). */
  referenceDate?: IsoDate;
  /** Prefix of applicant ids (default "A"); ids are the prefix and the 1-based index padded to 7 digits. */
  idPrefix?: string;
}

type Random = () => number;

interface FactPlan {
  definition: FactDefinition;
  draw: (random: Random) => unknown;
}

const DAY_SPAN_YEAR = 365.25;

/** Upper bound of a number fact without `maximum`, by unit. */
function defaultMaximum(definition: FactDefinition): number {
  switch (definition.unit) {
    case "month":
      return 240;
    case "year":
      return 30;
    case "day":
      return 3650;
    case "m2":
      return 200;
    case "yuan":
      return 200_000;
    case "hour":
      return 500;
    case "ml":
      return 2000;
    default:
      return 100;
  }
}

function round(value: number, integer: boolean): number {
  return integer ? Math.floor(value) : Math.round(value * 100) / 100;
}

const TWO_DIGITS = Array.from({ length: 32 }, (_, n) => (n < 10 ? "0" : "") + n);

/** ISO text of a day number (hot in generation: no intermediate strings beyond the result). */
function isoOfDay(day: number): string {
  const { year, month, day: dayOfMonth } = fromDayNumber(day);
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[dayOfMonth]}`;
}

/** Base facts whose values feed `roots`, following derived definitions. */
function baseFactsBehind(roots: Set<Id>, derived: readonly DerivedFact[]): Set<Id> {
  const byId = new Map(derived.map((d) => [d.id, d]));
  const result = new Set<Id>();
  const stack = [...roots];
  const seen = new Set<Id>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const d = byId.get(id);
    if (!d) {
      result.add(id);
      continue;
    }
    switch (d.kind) {
      case "age":
        stack.push(d.birthDate);
        break;
      case "duration":
        stack.push(d.from, ...(d.to ? [d.to] : []));
        break;
      case "aggregate":
        stack.push(d.records, ...(d.within?.anchor ? [d.within.anchor] : []));
        break;
      case "periods":
        stack.push(d.records, ...(d.except ? [d.except.records] : []), ...(d.within?.anchor ? [d.within.anchor] : []));
        break;
      case "combine":
        for (const part of d.of) if (typeof part === "string") stack.push(part);
        break;
    }
  }
  return result;
}

/** The conditions a typical applicant meets to pass: every member of an `all`, the first alternative of an `any`. */
function topLevelConditions(condition: Condition): FactCondition[] {
  if ("all" in condition) return condition.all.flatMap(topLevelConditions);
  if ("any" in condition) return condition.any.length > 0 ? topLevelConditions(condition.any[0]) : [];
  if ("fact" in condition) return [condition];
  return [];
}

interface Roles {
  pools: Set<Id>;
  rare: Set<Id>;
  periodRecords: Set<Id>;
  requiredTrue: Set<Id>;
  requiredFalse: Set<Id>;
  atLeast: Map<Id, number>;
}

function rolesOf(doc: StandardDocument): Roles {
  const derived = doc.derived ?? [];
  const deductionCategories = new Set(doc.categories.filter((c) => c.kind === "deduction").map((c) => c.id));
  const rareRoots = new Set<Id>();
  for (const veto of doc.vetoes ?? []) factsReadBy(veto.condition, rareRoots);
  for (const item of doc.items) {
    if (!deductionCategories.has(item.category)) continue;
    factsReadBy(item.when, rareRoots);
    const scoring = item.scoring;
    if (scoring.kind === "perRecord") rareRoots.add(scoring.records);
    if (scoring.kind === "tiers") for (const tier of scoring.tiers) factsReadBy(tier.when, rareRoots);
    if ("fact" in scoring && typeof scoring.fact === "string") rareRoots.add(scoring.fact);
  }
  const requiredTrue = new Set<Id>();
  const requiredFalse = new Set<Id>();
  const atLeast = new Map<Id, number>();
  for (const gate of doc.gates ?? []) {
    for (const c of topLevelConditions(gate.condition)) {
      if (c.operator === "equal" && c.value === true) requiredTrue.add(c.fact);
      if (c.operator === "equal" && c.value === false) requiredFalse.add(c.fact);
      if ((c.operator === "greaterThanInclusive" || c.operator === "greaterThan") && typeof c.value === "number") {
        atLeast.set(c.fact, c.value + (c.operator === "greaterThan" ? 1 : 0));
      }
    }
  }
  const periodRecords = new Set<Id>();
  for (const d of derived) {
    if (d.kind !== "periods") continue;
    periodRecords.add(d.records);
    // Periods taken out (study time) are period records too, so the generated cohort exercises `except`.
    if (d.except) periodRecords.add(d.except.records);
  }
  const pools = new Set<Id>();
  for (const program of doc.programs) {
    if (program.allocation.kind === "quota" && program.allocation.poolBy) pools.add(program.allocation.poolBy);
  }
  return { pools, rare: baseFactsBehind(rareRoots, derived), periodRecords, requiredTrue, requiredFalse, atLeast };
}

function pickWeighted(random: Random, weights: readonly number[]): number {
  const sum = weights.reduce((a, b) => a + b, 0);
  let r = random() * sum;
  for (let k = 0; k < weights.length; k++) {
    r -= weights[k];
    if (r < 0) return k;
  }
  return weights.length - 1;
}

function isBirthDate(definition: FactDefinition): boolean {
  return /birth/i.test(definition.id) || /birth/i.test(definition.label.en) || /出生/.test(definition.label.zh);
}

function planFact(definition: FactDefinition, roles: Roles, reference: number, recordContext: boolean): FactPlan {
  const id = definition.id;
  const rare = roles.rare.has(id);
  const date = (days: number) => isoOfDay(Math.floor(days));
  switch (definition.type) {
    case "enum": {
      const values = (definition.values ?? []).map((v) => v.value);
      if (values.length === 0) return { definition, draw: () => undefined };
      const weights = roles.pools.has(id)
        ? values.map((_, k) => 1 / Math.sqrt(k + 1))
        : rare
          ? values.map((_, k) => (k === 0 ? 30 : 1))
          : values.map((_, k) => Math.pow(0.55, k));
      return { definition, draw: (random) => values[pickWeighted(random, weights)] };
    }
    case "boolean": {
      const p = roles.requiredTrue.has(id) ? 0.95 : roles.requiredFalse.has(id) || rare ? 0.03 : 0.3;
      return { definition, draw: (random) => random() < p };
    }
    case "number":
    case "integer": {
      const integer = definition.type === "integer";
      const min = definition.minimum ?? 0;
      const max = Math.max(min, definition.maximum ?? min + defaultMaximum(definition));
      const floor = roles.atLeast.get(id);
      return {
        definition,
        draw: (random) => {
          if (rare && random() < 0.96) return Math.max(min, Math.min(max, 0));
          const u = random();
          if (floor !== undefined && floor <= max && random() < 0.85) {
            return round(Math.max(floor, min) + (max - Math.max(floor, min)) * u * u, integer);
          }
          return round(min + (max - min) * u * u, integer);
        },
      };
    }
    case "date": {
      if (isBirthDate(definition)) {
        return { definition, draw: (random) => date(reference - (20 + 35 * random()) * DAY_SPAN_YEAR) };
      }
      const span = recordContext ? 6 : 15;
      return { definition, draw: (random) => date(reference - 1 - span * DAY_SPAN_YEAR * Math.pow(random(), 1.5)) };
    }
    case "records": {
      const fields = (definition.fields ?? []).map((field) => planFact(field, roles, reference, true));
      const periods = roles.periodRecords.has(id);
      const share = periods ? 1 : rare ? 0.04 : 0.1;
      return {
        definition,
        draw: (random) => {
          if (random() >= share) return [];
          const count = periods ? 1 + Math.floor(random() * 3) : 1 + Math.floor(random() * 2);
          const records: Facts[] = [];
          for (let k = 0; k < count; k++) {
            const record: Facts = {};
            for (const field of fields) record[field.definition.id] = field.draw(random);
            records.push(record);
          }
          if (periods) orderPeriods(records, definition, reference);
          return records;
        },
      };
    }
    default:
      return { definition, draw: (random) => `s${Math.floor(random() * 20)}` };
  }
}

/** Periods as consecutive, non-overlapping spans ending at or before the reference date (the last one open). */
function orderPeriods(records: Facts[], definition: FactDefinition, reference: number) {
  const dateFields = (definition.fields ?? []).filter((f) => f.type === "date").map((f) => f.id);
  if (dateFields.length < 2) return;
  const [startField, endField] = dateFields;
  const starts = records
    .map((r) => parseIsoDate(r[startField]))
    .map((d) => (d ? dayNumber(d) : reference - 365))
    .sort((a, b) => a - b);
  for (let k = 0; k < records.length; k++) {
    records[k][startField] = isoOfDay(starts[k]);
    const end = k + 1 < starts.length ? starts[k + 1] - 30 : reference;
    records[k][endField] = isoOfDay(Math.max(starts[k], end));
  }
}

/** Share of applicants who have each declared person (a spouse, a second parent). */
const PERSON_PRESENT = 0.7;

/** Per declared person, the plans of his per-person facts under `<person>.<fact>` (decision 028). */
function personFactPlans(doc: StandardDocument, plans: readonly FactPlan[]): FactPlan[][] {
  const perPerson = plans.filter((plan) => plan.definition.perPerson === true);
  if (perPerson.length === 0) return [];
  const expanded = new Map(applicationFacts(doc).map((definition) => [definition.id, definition]));
  return otherPersons(doc).map((person) =>
    perPerson.map((plan) => ({ definition: expanded.get(personFactKey(person, plan.definition.id)) ?? plan.definition, draw: plan.draw })),
  );
}

/** A function giving applicant `index`'s facts; the same (doc, seed, index) always gives the same facts. */
export function applicantGenerator(
  doc: StandardDocument,
  seed: string | number,
  opts: GenerateOptions = {},
): (index: number) => Facts {
  const referenceIso = opts.referenceDate ?? doc.effectiveFrom ?? "2024-01-01";
  const referenceDate = parseIsoDate(referenceIso);
  if (!referenceDate) throw new Error(`Invalid reference date "${referenceIso}": expected YYYY-MM-DD`);
  const reference = dayNumber(referenceDate);
  const roles = rolesOf(doc);
  const plans = doc.facts.map((definition) => planFact(definition, roles, reference, false));
  const personPlans = personFactPlans(doc, plans);
  const base = seedNumber(seed);
  return (index) => {
    const random = mulberry32(mix32(base ^ fnv1a(String(index))));
    const facts: Facts = {};
    for (const plan of plans) {
      const value = plan.draw(random);
      if (value !== undefined) facts[plan.definition.id] = value;
    }
    // Other persons are drawn after the applicant, so a document without persons gets the same rows as before.
    for (const person of personPlans) {
      if (random() >= PERSON_PRESENT) continue;
      for (const plan of person) {
        const value = plan.draw(random);
        if (value !== undefined) facts[plan.definition.id] = value;
      }
    }
    return facts;
  };
}

/** The id of applicant `index` (ids sort in index order). */
export function generatedId(index: number, prefix = "A"): string {
  return prefix + String(index + 1).padStart(7, "0");
}

/** `size` synthetic applicants' facts. */
export function generateCohort(doc: StandardDocument, size: number, seed: string | number, opts: GenerateOptions = {}): Facts[] {
  const next = applicantGenerator(doc, seed, opts);
  const rows: Facts[] = new Array(size);
  for (let i = 0; i < size; i++) rows[i] = next(i);
  return rows;
}

/** Applicants one at a time with their ids (for writing large cohorts without holding them). */
export function* generateApplicants(
  doc: StandardDocument,
  size: number,
  seed: string | number,
  opts: GenerateOptions = {},
): Generator<{ id: string; facts: Facts }> {
  const next = applicantGenerator(doc, seed, opts);
  for (let i = 0; i < size; i++) yield { id: generatedId(i, opts.idPrefix), facts: next(i) };
}

/** The same applicants as `generateCohort`, straight into columns (1M applicants without 1M objects held). */
export function generateCohortColumns(
  doc: StandardDocument,
  size: number,
  seed: string | number,
  opts: GenerateOptions = {},
): Cohort {
  const next = applicantGenerator(doc, seed, opts);
  const columns: Record<Id, CohortColumn> = {};
  const facts = applicationFacts(doc);
  for (const definition of facts) columns[definition.id] = emptyColumn(definition, size);
  const dictionaries: CohortDictionaries = new Map();
  const ids: string[] = new Array(size);
  for (let i = 0; i < size; i++) {
    ids[i] = generatedId(i, opts.idPrefix);
    writeCohortRow(columns, dictionaries, i, next(i));
  }
  return { size, ids, factIds: facts.map((f) => f.id), columns };
}
