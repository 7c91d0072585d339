/**
 * Programs that score several persons (decision 028): each candidate is scored by the one-person evaluator on the
 * application's facts with his own per-person facts in place, and the qualifying candidate with the highest total
 * counts (the first listed on equal totals). The reference path, the compiled path and the columnar binding all
 * make the choice here, so they cannot disagree about whose points count.
 */
import { APPLICANT, personFactKey } from "../../rules-schema/persons";
import type { FactDefinition, Id, IsoDate, ProgramPersons, StandardDocument } from "../../rules-schema/types";
import { emptyColumn, type Cohort, type CohortColumn } from "../cohorts/cohort";
import type { ColumnarProgram } from "./columnar";
import type { CompiledProgram } from "./compiled";
import type { CandidateOutcome, CompactScore, Facts, PersonsExplanation, ScoreSheet } from "../types";

export type ChoiceReason = PersonsExplanation["reason"];

export interface Choice {
  /** Position of the chosen candidate in `candidates`. */
  chosen: number;
  reason: ChoiceReason;
  /** Highest total of the qualifying candidates not chosen; NaN when there is none. */
  otherTotal: number;
}

/** The choice among candidates' outcomes (in candidate order): 就高不就低 among those who qualify. */
export function chooseCandidate(count: number, total: (c: number) => number, qualifies: (c: number) => boolean): Choice {
  let chosen = -1;
  let qualifying = 0;
  for (let c = 0; c < count; c++) {
    if (!qualifies(c)) continue;
    qualifying++;
    if (chosen < 0 || total(c) > total(chosen)) chosen = c;
  }
  if (chosen < 0) return { chosen: 0, reason: "none", otherTotal: NaN };
  let otherTotal = NaN;
  for (let c = 0; c < count; c++) {
    if (c === chosen || !qualifies(c)) continue;
    if (Number.isNaN(otherTotal) || total(c) > otherTotal) otherTotal = total(c);
  }
  const reason: ChoiceReason = qualifying === 1 ? "only" : otherTotal === total(chosen) ? "tieFirst" : "higher";
  return { chosen, reason, otherTotal };
}

export function perPersonFactIds(doc: StandardDocument): Id[] {
  return doc.facts.filter((fact) => fact.perPerson === true).map((fact) => fact.id);
}

function putOwn(target: Facts, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * The facts a candidate is scored on: the application's facts, with each per-person fact taken from the
 * candidate's `<person>.<fact>` (absent when he has none). The applicant's own facts are the application's.
 */
export function candidateFacts(perPersonIds: readonly Id[], facts: Facts, person: Id): Facts {
  const given = facts ?? {};
  if (person === APPLICANT) return given;
  // Spread copies own properties as data (a "__proto__" key stays a key), faster than defining them one by one.
  const copy: Facts = { ...given };
  for (const id of perPersonIds) {
    const key = personFactKey(person, id);
    if (Object.hasOwn(given, key)) putOwn(copy, id, given[key]);
    else if (Object.hasOwn(copy, id)) delete copy[id];
  }
  return copy;
}

function explanationOf(persons: ProgramPersons, outcomes: CandidateOutcome[], choice: Choice): PersonsExplanation {
  return { scored: persons.candidates[choice.chosen], reason: choice.reason, candidates: outcomes };
}

/** Reference path: the chosen candidate's score sheet, with who was scored, why, and every candidate's total. */
export async function scoreCandidateSheets(
  doc: StandardDocument,
  facts: Facts,
  persons: ProgramPersons,
  scoreOne: (facts: Facts) => Promise<ScoreSheet>,
): Promise<ScoreSheet> {
  const perPerson = perPersonFactIds(doc);
  const sheets: ScoreSheet[] = [];
  for (const person of persons.candidates) sheets.push(await scoreOne(candidateFacts(perPerson, facts, person)));
  const choice = chooseCandidate(sheets.length, (c) => sheets[c].total, (c) => sheets[c].eligible);
  const outcomes: CandidateOutcome[] = sheets.map((sheet, c) => ({
    person: persons.candidates[c],
    eligible: sheet.eligible,
    vetoed: sheet.vetoed,
    total: sheet.total,
  }));
  return { ...sheets[choice.chosen], persons: explanationOf(persons, outcomes, choice) };
}

/** Compiled path: each candidate's compiled program (reading his own `<person>.<fact>` keys) scores him. */
export function compileCandidates(programs: readonly CompiledProgram[]): CompiledProgram {
  const count = programs.length;
  const scores: CompactScore[] = new Array(count);
  const total = (c: number) => scores[c].total;
  const qualifies = (c: number) => scores[c].eligible;
  return {
    ...programs[0],
    score(facts: Facts, date: IsoDate): CompactScore {
      for (let c = 0; c < count; c++) scores[c] = programs[c].score(facts, date);
      const choice = chooseCandidate(count, total, qualifies);
      const chosen = scores[choice.chosen];
      chosen.scoredPerson = choice.chosen;
      chosen.otherTotal = choice.otherTotal;
      return chosen;
    },
  };
}

/**
 * The cohort as one candidate sees it: his `<person>.<fact>` columns stand in for the per-person facts (no copy;
 * an empty column when the file has none). The applicant sees the cohort as it is.
 */
export function candidateCohort(doc: StandardDocument, cohort: Cohort, person: Id): Cohort {
  if (person === APPLICANT) return cohort;
  const columns: Record<Id, CohortColumn> = {};
  for (const id of Object.keys(cohort.columns)) columns[id] = cohort.columns[id];
  for (const fact of doc.facts) {
    if (fact.perPerson !== true) continue;
    const source = cohort.columns[personFactKey(person, fact.id)];
    columns[fact.id] = source ?? emptyColumn(fact as FactDefinition, cohort.size);
  }
  return { size: cohort.size, ids: cohort.ids, factIds: cohort.factIds, columns };
}

/** Columnar path: one binding per candidate on his view of the cohort; row i's scratch is the chosen one's. */
export function bindCandidates(
  doc: StandardDocument,
  persons: ProgramPersons,
  cohort: Cohort,
  bindOne: (view: Cohort) => ColumnarProgram,
): ColumnarProgram {
  const bound = persons.candidates.map((person) => bindOne(candidateCohort(doc, cohort, person)));
  const first = bound[0];
  const count = bound.length;
  const items = new Float64Array(first.items.length);
  const itemPoints = new Float64Array(first.itemPoints.length);
  const categories = new Float64Array(first.categories.length);
  const failedGate = new Uint8Array(first.failedGate.length);
  const derived: unknown[] = new Array(first.derived.length).fill(undefined);
  /** [total, vetoed, failed gates, chosen candidate, other candidate's total (NaN: none)] */
  const state = new Float64Array(5);
  const totals = new Float64Array(count);
  const qualifying = new Uint8Array(count);
  const total = (c: number) => totals[c];
  const qualifies = (c: number) => qualifying[c] === 1;
  function scoreRow(i: number): number {
    for (let c = 0; c < count; c++) {
      const program = bound[c];
      totals[c] = program.scoreRow(i);
      qualifying[c] = program.state[1] === 0 && program.state[2] === 0 ? 1 : 0;
    }
    const choice = chooseCandidate(count, total, qualifies);
    const chosen = bound[choice.chosen];
    items.set(chosen.items);
    itemPoints.set(chosen.itemPoints);
    categories.set(chosen.categories);
    failedGate.set(chosen.failedGate);
    for (let d = 0; d < derived.length; d++) derived[d] = chosen.derived[d];
    state[0] = chosen.state[0];
    state[1] = chosen.state[1];
    state[2] = chosen.state[2];
    state[3] = choice.chosen;
    state[4] = choice.otherTotal;
    return state[0];
  }
  const columnsMode = bound.every((program) => program.mode === "columns");
  return {
    standardId: first.standardId,
    programId: first.programId,
    itemIds: first.itemIds,
    categoryIds: first.categoryIds,
    gateIds: first.gateIds,
    derivedIds: first.derivedIds,
    mode: columnsMode ? "columns" : "rows",
    ...(columnsMode ? {} : { fallbackReason: bound.find((program) => program.mode === "rows")?.fallbackReason }),
    items,
    itemPoints,
    categories,
    failedGate,
    derived,
    state,
    scoreRow,
    compact(i) {
      const rowTotal = scoreRow(i);
      const failedGates = first.gateIds.filter((_, g) => failedGate[g] === 1);
      const vetoed = state[1] === 1;
      return {
        eligible: failedGates.length === 0 && !vetoed,
        vetoed,
        failedGates,
        items: Array.from(items),
        categories: Array.from(categories),
        total: rowTotal,
        scoredPerson: state[3],
        otherTotal: state[4],
      };
    },
  };
}
