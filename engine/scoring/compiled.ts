/**
 * The compiled path: a document and program prepared once, then applied to many applicants, with the same
 * figures as reference.ts. By default the item/group/category/total logic is one generated function whose text
 * holds no document value (see compiled-codegen.ts); `{ codegen: false }` uses a tree of closures instead.
 * Derived facts and per-record loops are closures in both forms.
 */
import type { Id, IsoDate, ScoringItem, StandardDocument } from "../../rules-schema/types";
import { compileCondition, type CompiledCondition } from "./conditions";
import { evaluationDate, type EvaluationDate } from "./dates";
import { compileLookback, prepareFacts } from "./derived";
import { adjustmentPoints, totalAdjustmentsOf } from "./total-adjustments";
import { recordsOf, type ApplicantScope, type FactTable } from "./facts";
import {
  accrualPoints,
  capMagnitude,
  exact,
  groupKeyOf,
  isNumber,
  linearPoints,
  matchingBand,
  perRecordTotal,
  type RecordCandidate,
} from "./points";
import { appliesTo, findProgram } from "./reference";
import { compileCandidates } from "./persons";
import { generateProgramScorer, type ProgramScorer } from "./compiled-codegen";
import type { CompactScore, Facts } from "../types";

export interface CompiledProgram {
  standardId: Id;
  programId: Id;
  /** Item ids in document order: the positions of `CompactScore.items`. */
  itemIds: Id[];
  /** Category ids in document order: the positions of `CompactScore.categories`. */
  categoryIds: Id[];
  score(facts: Facts, date: IsoDate): CompactScore;
}

type ItemScorer = (scope: ApplicantScope, date: EvaluationDate) => number;

export interface CompileOptions {
  /**
   * true (default): one generated function per program (document values only as constants, see
   * compiled-codegen.ts); false: a tree of closures. Both give identical results; the first is faster.
   */
  codegen?: boolean;
  /** The candidate whose per-person facts are read (`<person>.<fact>`); absent = the applicant (decision 028). */
  person?: Id;
}

function compileScoring(item: ScoringItem, table: FactTable): ItemScorer {
  const scoring = item.scoring;
  const context = table.applicantContext();
  switch (scoring.kind) {
    case "fixed": {
      const points = scoring.points;
      return () => points;
    }
    case "tiers": {
      const conditions = scoring.tiers.map((tier) => compileCondition(tier.when, context));
      const points = scoring.tiers.map((tier) => tier.points);
      const count = points.length;
      return (scope) => {
        let chosen = -1;
        for (let i = 0; i < count; i++) {
          if ((chosen < 0 || points[i] > points[chosen]) && conditions[i](scope)) chosen = i;
        }
        return chosen < 0 ? 0 : points[chosen];
      };
    }
    case "bands": {
      const read = table.read(scoring.fact);
      return (scope) => {
        const band = matchingBand(scoring, read(scope));
        return band < 0 ? 0 : scoring.bands[band].points;
      };
    }
    case "linear": {
      const read = table.read(scoring.fact);
      return (scope) => {
        const value = read(scope);
        return isNumber(value) ? linearPoints(scoring, value) : 0;
      };
    }
    case "accrual": {
      const read = table.read(scoring.fact);
      return (scope) => {
        const value = read(scope);
        return isNumber(value) ? accrualPoints(scoring, value) : 0;
      };
    }
    case "perRecord": {
      const readRecords = table.read(scoring.records);
      const where = scoring.where ? compileCondition(scoring.where, table.recordContext(scoring.records)) : undefined;
      const inWindow = scoring.within
        ? compileLookback(scoring.within, table.fieldReader(scoring.records, scoring.within.dateField), table)
        : undefined;
      const perUnit = scoring.perUnit;
      const readQuantity = perUnit ? table.fieldReader(scoring.records, perUnit.field) : undefined;
      const readOnce = scoring.onceBy ? table.fieldReader(scoring.records, scoring.onceBy) : undefined;
      const readGroup = scoring.groupCap ? table.fieldReader(scoring.records, scoring.groupCap.by) : undefined;
      const byYear = scoring.groupCap?.byYear;
      const groupCap = scoring.groupCap?.cap;
      const fixedPoints = scoring.points ?? 0;
      const simple = !readOnce && !readGroup;
      return (scope, date) => {
        const records = recordsOf(readRecords(scope));
        if (records.length === 0) return 0;
        let total = 0;
        let candidates: RecordCandidate[] | undefined;
        for (let i = 0; i < records.length; i++) {
          const record = records[i];
          if (where && !where(record)) continue;
          if (inWindow && !inWindow(record, date, scope)) continue;
          let points = fixedPoints;
          if (perUnit && readQuantity) {
            const quantity = readQuantity(record);
            if (!isNumber(quantity)) continue;
            points = exact(perUnit.rate * quantity);
          }
          if (simple) total = exact(total + points);
          else {
            candidates ??= [];
            candidates.push({
              index: i,
              points,
              onceKey: readOnce ? readOnce(record) : undefined,
              groupKey: readGroup ? groupKeyOf(readGroup(record), byYear) : undefined,
            });
          }
        }
        if (simple) return total;
        return candidates ? perRecordTotal(candidates, Boolean(readOnce), groupCap).total : 0;
      };
    }
    default:
      throw new Error(`Unknown scoring kind: ${String((scoring as { kind: unknown }).kind)}`);
  }
}

function compileItem(item: ScoringItem, table: FactTable): ItemScorer {
  const context = table.applicantContext();
  const when: CompiledCondition<ApplicantScope> | undefined = item.when ? compileCondition(item.when, context) : undefined;
  const score = compileScoring(item, table);
  const vesting = item.vesting;
  const readVesting = vesting ? table.read(vesting.fact) : undefined;
  const cap = item.cap;
  return (scope, date) => {
    if (when && !when(scope)) return 0;
    let points = score(scope, date);
    if (vesting && readVesting) {
      const value = readVesting(scope);
      if (!(isNumber(value) && value >= vesting.atLeast)) points = 0;
    }
    return exact(capMagnitude(points, cap));
  };
}

/** How a program's items map to categories and groups: shared by the compiled and the columnar evaluators. */
export interface ProgramLayout {
  /** Category id → its first position in `categories` (a repeated id shares that subtotal). */
  categoryIndex: Map<Id, number>;
  /** Per item: whether it applies to the program. */
  applicable: boolean[];
  /** Per item: its category's position, −1 for an unknown category. */
  itemCategory: number[];
  /** Groups that can change points, with their members as item positions (applicable items only). */
  groups: Array<{ mode: "highestOnly" | "cap"; cap?: number; members: number[] }>;
}

export function programLayout(doc: StandardDocument, programId: Id): ProgramLayout {
  const categoryIndex = new Map<Id, number>();
  doc.categories.forEach((category, index) => {
    if (!categoryIndex.has(category.id)) categoryIndex.set(category.id, index);
  });
  const applicable = doc.items.map((item) => appliesTo(item.programs, programId));
  const itemCategory = doc.items.map((item) => categoryIndex.get(item.category) ?? -1);
  const firstItemIndex = new Map<Id, number>();
  doc.items.forEach((item, index) => {
    if (!firstItemIndex.has(item.id)) firstItemIndex.set(item.id, index);
  });
  const groups = (doc.groups ?? [])
    .map((group) => ({
      mode: group.mode,
      cap: group.cap,
      members: group.members
        .map((id) => firstItemIndex.get(id))
        .filter((index): index is number => index !== undefined && applicable[index]),
    }))
    .filter((group) => group.members.length > 0 && (group.mode === "highestOnly" || group.cap !== undefined));
  return { categoryIndex, applicable, itemCategory, groups };
}

export function compileProgram(doc: StandardDocument, programId: Id, options: CompileOptions = {}): CompiledProgram {
  const persons = findProgram(doc, programId).persons;
  if (!persons) return compileOnePerson(doc, programId, options);
  // One program per candidate, each reading his own keys: no copy of the facts per applicant and candidate.
  return compileCandidates(persons.candidates.map((person) => compileOnePerson(doc, programId, { ...options, person })));
}

/** The program for one person's facts, whatever candidates the program names (persons.ts scores each with it). */
export function compileOnePerson(doc: StandardDocument, programId: Id, options: CompileOptions = {}): CompiledProgram {
  const program = findProgram(doc, programId);
  const { table, derived } = prepareFacts(doc, options.person);
  const context = table.applicantContext();
  const itemCount = doc.items.length;
  const { categoryIndex, applicable, itemCategory, groups } = programLayout(doc, programId);
  const categoryCount = doc.categories.length;
  const categoryCaps = doc.categories.map((category) => category.cap);
  const firstCategorySlot = doc.categories.map((category, index) => categoryIndex.get(category.id) === index);

  const scorers: Array<ItemScorer | undefined> = doc.items.map((item, index) =>
    applicable[index] ? compileItem(item, table) : undefined,
  );

  const groupCategory = groups.map((group) => itemCategory[group.members[0]]);
  const groupAdjustments = new Array<number>(groups.length).fill(0);

  const gates = (doc.gates ?? [])
    .filter((gate) => appliesTo(gate.programs, programId))
    .map((gate) => ({ id: gate.id, holds: compileCondition(gate.condition, context) }));
  const vetoes = (doc.vetoes ?? [])
    .filter((veto) => appliesTo(veto.programs, programId))
    .map((veto) => compileCondition(veto.condition, context));
  const totalRule = program.total ?? doc.total;
  const floor = totalRule?.floor;
  const ceiling = totalRule?.cap;
  const totalAdjustments = totalAdjustmentsOf(doc, program).map(({ adjustment, factor }) => ({
    factor,
    holds: adjustment.when ? compileCondition(adjustment.when, context) : undefined,
  }));
  // The total after its percentages and multipliers (decision 023); the generated scorer calls it too.
  const adjustTotal = totalAdjustments.length === 0
    ? undefined
    : (total: number, scope: ApplicantScope): number => {
        let adjusted = total;
        for (const { factor, holds } of totalAdjustments) if (!holds || holds(scope)) adjusted = exact(adjusted + adjustmentPoints(total, factor));
        return adjusted;
      };

  const scope: ApplicantScope = { facts: {}, derived: new Array(derived.ids.length) };
  let cachedDate: IsoDate | undefined;
  let cachedEvaluationDate: EvaluationDate | undefined;

  let generated: ProgramScorer | undefined;
  if (options.codegen !== false) {
    try {
      generated = generateProgramScorer({
        doc,
        table,
        applicable,
        recordScorer: (index) => compileScoring(doc.items[index], table),
        gates: (doc.gates ?? []).filter((gate) => appliesTo(gate.programs, programId)),
        vetoes: (doc.vetoes ?? []).filter((veto) => appliesTo(veto.programs, programId)).map((veto) => veto.condition),
        groups,
        itemCategory,
        categoryCaps,
        firstCategorySlot: doc.categories.map((category) => categoryIndex.get(category.id) as number),
        floor,
        ceiling,
        adjustTotal,
      }).scorer;
    } catch (error) {
      // Compiling code may be forbidden (Content-Security-Policy): the closures give the same results.
      if (!(error instanceof EvalError)) throw error;
    }
  }

  function score(facts: Facts, date: IsoDate): CompactScore {
    if (date !== cachedDate || !cachedEvaluationDate) {
      cachedEvaluationDate = evaluationDate(date);
      cachedDate = date;
    }
    const when = cachedEvaluationDate;
    scope.facts = facts ?? {};
    derived.compute(scope, when);
    if (generated) return generated(scope, when);

    const items = new Array<number>(itemCount);
    for (let i = 0; i < itemCount; i++) {
      const scorer = scorers[i];
      items[i] = scorer ? scorer(scope, when) : 0;
    }
    const groupCount = groups.length;
    for (let g = 0; g < groupCount; g++) {
      const group = groups[g];
      const members = group.members;
      groupAdjustments[g] = 0;
      if (group.mode === "highestOnly") {
        let winner = members[0];
        for (let m = 1; m < members.length; m++) if (items[members[m]] > items[winner]) winner = members[m];
        for (let m = 0; m < members.length; m++) if (members[m] !== winner) items[members[m]] = 0;
      } else {
        let sum = 0;
        for (let m = 0; m < members.length; m++) sum = exact(sum + items[members[m]]);
        const capped = capMagnitude(sum, group.cap);
        if (capped !== sum) groupAdjustments[g] = exact(capped - sum);
      }
    }
    // Items first, then group adjustments in group order: the order in which the reference path adds them.
    const categories = new Array<number>(categoryCount).fill(0);
    for (let i = 0; i < itemCount; i++) {
      const category = itemCategory[i];
      if (category >= 0) categories[category] = exact(categories[category] + items[i]);
    }
    for (let g = 0; g < groupCount; g++) {
      const category = groupCategory[g];
      if (groupAdjustments[g] !== 0 && category >= 0) categories[category] = exact(categories[category] + groupAdjustments[g]);
    }
    let total = 0;
    for (let c = 0; c < categoryCount; c++) {
      if (!firstCategorySlot[c]) {
        categories[c] = categories[categoryIndex.get(doc.categories[c].id) as number];
        total = exact(total + categories[c]);
        continue;
      }
      categories[c] = capMagnitude(categories[c], categoryCaps[c]);
      total = exact(total + categories[c]);
    }
    if (adjustTotal) total = adjustTotal(total, scope);
    if (floor !== undefined && total < floor) total = floor;
    if (ceiling !== undefined && total > ceiling) total = ceiling;

    const failedGates: Id[] = [];
    for (const gate of gates) if (!gate.holds(scope)) failedGates.push(gate.id);
    let vetoed = false;
    for (const veto of vetoes) {
      if (veto(scope)) {
        vetoed = true;
        break;
      }
    }
    return { eligible: failedGates.length === 0 && !vetoed, vetoed, failedGates, items, categories, total: exact(total) };
  }

  return {
    standardId: doc.id,
    programId,
    itemIds: doc.items.map((item) => item.id),
    categoryIds: doc.categories.map((category) => category.id),
    score,
  };
}

export function scoreMany(compiled: CompiledProgram, applicants: Facts[], date: IsoDate): CompactScore[] {
  const results = new Array<CompactScore>(applicants.length);
  for (let i = 0; i < applicants.length; i++) results[i] = compiled.score(applicants[i], date);
  return results;
}
