/**
 * Which declared facts a program reads, and which of them a cohort lacks (issue 21, part 8): a simulation whose
 * cohort has no value at all for a fact the baseline or the candidate reads scores that fact as missing for everyone
 * (the 2015 → 2020 Suzhou run showed every new item as 0 → 0 without a word). Pure: the caller says what the cohort
 * carries.
 */
import type { Condition, FactDefinition, Id, LocalizedText, Program, ScoringItem, StandardDocument } from "../../rules-schema/types";
import type { Cohort, CohortColumn } from "../cohorts/cohort";
import { factsReadBy } from "../scoring/conditions";
import { derivedDependencies } from "../scoring/derived";

const LIST_PREFIX = "list:";

function appliesTo(programs: Id[] | undefined, programId: Id): boolean {
  return programs === undefined || programs.includes(programId);
}

function itemRoots(item: ScoringItem, into: Set<Id>): void {
  factsReadBy(item.when, into);
  if (item.vesting) into.add(item.vesting.fact);
  const scoring = item.scoring;
  switch (scoring.kind) {
    case "tiers":
      for (const tier of scoring.tiers) factsReadBy(tier.when, into);
      break;
    case "bands":
    case "linear":
    case "accrual":
      into.add(scoring.fact);
      break;
    case "perRecord":
      into.add(scoring.records);
      if (scoring.within?.anchor) into.add(scoring.within.anchor);
      break;
    case "fixed":
      break;
  }
}

/** Declared facts (not derived, not lists) the program reads, directly or through derived facts, in the document's order. */
export function factsReadByProgram(doc: StandardDocument, programId: Id): FactDefinition[] {
  const program: Program | undefined = (doc.programs ?? []).find((p) => p.id === programId);
  if (!program) return [];
  const read = new Set<Id>();
  for (const item of doc.items ?? []) if (appliesTo(item.programs, programId)) itemRoots(item, read);
  for (const rule of [...(doc.gates ?? []), ...(doc.vetoes ?? [])]) if (appliesTo(rule.programs, programId)) factsReadBy(rule.condition as Condition, read);
  for (const adjustment of [...(doc.total?.adjustments ?? []), ...(program.total?.adjustments ?? [])]) factsReadBy(adjustment.when, read);
  const allocation = program.allocation;
  if (allocation.kind === "quota") {
    if (allocation.poolBy) read.add(allocation.poolBy);
    if (allocation.oneAdmittedPer) read.add(allocation.oneAdmittedPer);
    for (const key of [...allocation.rankBy, ...allocation.tieBreak]) if (key.key === "fact" && key.id) read.add(key.id);
  }
  return declaredFactsBehind(doc, read);
}

/** The declared facts (not lists) behind a set of ids: derived facts stand for the facts they are computed from. */
function declaredFactsBehind(doc: StandardDocument, read: Set<Id>): FactDefinition[] {
  const derived = new Map((doc.derived ?? []).map((d) => [d.id, d]));
  const pending = [...read];
  const seen = new Set<Id>();
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const definition = derived.get(id);
    if (definition) for (const dependency of derivedDependencies(definition)) pending.push(dependency);
  }
  return (doc.facts ?? []).filter((fact) => seen.has(fact.id) && !fact.id.startsWith(LIST_PREFIX));
}

/** Declared facts one item reads, directly or through derived facts (the self-estimate asks them under its category). */
export function factsReadByItem(doc: StandardDocument, item: ScoringItem): FactDefinition[] {
  const read = new Set<Id>();
  itemRoots(item, read);
  return declaredFactsBehind(doc, read);
}

/** Declared facts a condition reads (a gate, a veto, an adjustment of the total), directly or through derived facts. */
export function factsReadByCondition(doc: StandardDocument, condition: Condition | undefined): FactDefinition[] {
  const read = new Set<Id>();
  factsReadBy(condition, read);
  return declaredFactsBehind(doc, read);
}

export interface MissingFact {
  id: Id;
  label: LocalizedText;
  /** Which versions read it. */
  readByBaseline: boolean;
  readByCandidate: boolean;
}

/** Facts the baseline or the candidate reads for the program that the cohort does not carry (`carries` says which it does). */
export function missingFacts(baseline: StandardDocument, candidate: StandardDocument, programId: Id, carries: (factId: Id) => boolean): MissingFact[] {
  const byBaseline = factsReadByProgram(baseline, programId);
  const byCandidate = factsReadByProgram(candidate, programId);
  const baselineIds = new Set(byBaseline.map((f) => f.id));
  const candidateIds = new Set(byCandidate.map((f) => f.id));
  const missing: MissingFact[] = [];
  for (const fact of [...byCandidate, ...byBaseline.filter((f) => !candidateIds.has(f.id))]) {
    if (carries(fact.id)) continue;
    missing.push({ id: fact.id, label: fact.label, readByBaseline: baselineIds.has(fact.id), readByCandidate: candidateIds.has(fact.id) });
  }
  return missing;
}

/** Whether any row of a column has a value (a records fact counts when a row has a list, even an empty one). */
export function columnHasValues(column: CohortColumn | undefined, size: number): boolean {
  if (!column) return false;
  if (column.kind === "records") {
    for (let i = 0; i < size; i++) if (column.present[i] === 1) return true;
    return false;
  }
  const values = column.values;
  for (let i = 0; i < size; i++) {
    const value = values[i];
    if (column.kind === "number" ? !Number.isNaN(value) : value !== -1) return true;
  }
  return false;
}

/** `carries` for a columnar cohort: facts with at least one value. */
export function cohortCarries(cohort: Cohort): (factId: Id) => boolean {
  const cache = new Map<Id, boolean>();
  return (factId) => {
    let known = cache.get(factId);
    if (known === undefined) {
      known = columnHasValues(cohort.columns[factId], cohort.size);
      cache.set(factId, known);
    }
    return known;
  };
}

/** Facts of both versions (the baseline's definition when both define one), so every column a version reads exists. */
export function factsOfBoth(baseline: StandardDocument, candidate: StandardDocument): FactDefinition[] {
  const seen = new Set(baseline.facts.map((f) => f.id));
  return [...baseline.facts, ...candidate.facts.filter((f) => !seen.has(f.id))];
}
