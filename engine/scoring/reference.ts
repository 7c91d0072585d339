/**
 * The explainable reference path: conditions go through json-rules-engine (with the shared operators), and
 * every condition's fact value and result become the explanation. Slow by design (the engine deep-copies
 * conditions on every run); the compiled path must give the same figures and is checked against this one.
 */
import { Engine, type RuleProperties, type RuleResult } from "json-rules-engine";
import type {
  Condition,
  FactCondition,
  Id,
  IsoDate,
  Program,
  ScoringItem,
  StandardDocument,
} from "../../rules-schema/types";
import { booleanKind, factsReadBy, resolvePath } from "./conditions";
import { adjustmentPoints, totalAdjustmentsOf } from "./total-adjustments";
import { evaluationDate, type EvaluationDate } from "./dates";
import { compileWindowBounds } from "./windows";
import { compileLookback, prepareFacts, setOwn, type DerivedEvaluator } from "./derived";
import { ownValue, recordsOf, type ApplicantScope, type FactTable } from "./facts";
import { scoreCandidateSheets } from "./persons";
import { levelOperatorName, operatorNames, registerOperators, UnknownOperatorError } from "./operators";
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
import type {
  Adjustment,
  ConditionTrace,
  Facts,
  GateOutcome,
  ItemExplanation,
  ItemOutcome,
  ScoreSheet,
  VetoOutcome,
} from "../types";

export class UnknownProgramError extends Error {
  readonly code = "engine.unknownProgram";
  constructor(readonly program: Id) {
    super(`Unknown program: ${program}`);
  }
}

export function findProgram(doc: StandardDocument, programId: Id): Program {
  const program = doc.programs.find((candidate) => candidate.id === programId);
  if (!program) throw new UnknownProgramError(programId);
  return program;
}

export function appliesTo(programs: Id[] | undefined, programId: Id): boolean {
  return !programs || programs.includes(programId);
}

/** Enum orders used by atLeastLevel conditions, each registered as its own operator instance. */
class LevelOrders {
  readonly orders: string[][] = [];
  private readonly byKey = new Map<string, number>();
  nameFor(levels: readonly string[] | undefined): string {
    if (!levels) return "atLeastLevel";
    const key = JSON.stringify(levels);
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.orders.length;
      this.orders.push([...levels]);
      this.byKey.set(key, index);
    }
    return levelOperatorName(index);
  }
}

type EngineCondition = Record<string, unknown>;

/** Copies a document condition into json-rules-engine's form; atLeastLevel gets the instance for the fact's enum order. */
function toEngineCondition(
  condition: Condition,
  levels: (factId: Id) => readonly string[] | undefined,
  orders: LevelOrders,
): EngineCondition {
  const kind = booleanKind(condition);
  if (kind === "all" || kind === "any") {
    const list = (condition as unknown as Record<string, Condition[]>)[kind];
    return { [kind]: list.map((child) => toEngineCondition(child, levels, orders)) };
  }
  if (kind === "not") return { not: toEngineCondition((condition as { not: Condition }).not, levels, orders) };
  const fact = condition as FactCondition;
  if (!operatorNames.has(fact.operator)) throw new UnknownOperatorError(String(fact.operator));
  const copy: EngineCondition = { fact: fact.fact, operator: fact.operator, value: fact.value };
  if (fact.path !== undefined) copy.path = fact.path;
  if (fact.operator === "atLeastLevel") copy.operator = orders.nameFor(levels(fact.fact));
  return copy;
}

/** json-rules-engine needs all/any/not at the top; a bare fact condition is wrapped (and unwrapped in the trace). */
function topLevel(condition: EngineCondition): RuleProperties["conditions"] {
  const kind = booleanKind(condition);
  return (kind ? condition : { all: [condition] }) as unknown as RuleProperties["conditions"];
}

/** The explanation of a condition: the document's condition with the engine's fact values and results. */
function toTrace(original: Condition, evaluated: unknown): ConditionTrace {
  const node = (evaluated ?? {}) as Record<string, unknown>;
  const kind = booleanKind(original);
  if (kind === "all" || kind === "any") {
    const list = (original as unknown as Record<string, Condition[]>)[kind];
    const evaluatedList = (node[kind] as unknown[] | undefined) ?? [];
    return { kind, result: node.result === true, children: list.map((child, i) => toTrace(child, evaluatedList[i])) };
  }
  if (kind === "not") {
    return { kind, result: node.result === true, children: [toTrace((original as { not: Condition }).not, node.not)] };
  }
  const fact = original as FactCondition;
  return { fact: fact.fact, operator: fact.operator, value: fact.value, factValue: node.factResult, result: node.result === true };
}

function traceOfRule(original: Condition, result: RuleResult | undefined): ConditionTrace {
  if (!result) return toTrace(original, undefined);
  const conditions = result.conditions as unknown as Record<string, unknown>;
  // The engine records the top node's outcome on the rule result, not on the node.
  if (booleanKind(original)) return { ...toTrace(original, conditions), result: result.result === true };
  return toTrace(original, (conditions.all as unknown[])[0]);
}

interface RuleSpec {
  name: string;
  condition: Condition;
}

interface PreparedProgram {
  program: Program;
  engine: Engine;
  recordEngines: Map<number, Engine>;
}

interface PreparedDocument {
  table: FactTable;
  derived: DerivedEvaluator;
  orders: LevelOrders;
  programs: Map<Id, PreparedProgram>;
}

const prepared = new WeakMap<StandardDocument, PreparedDocument>();

function newEngine(rules: RuleSpec[], levels: (id: Id) => readonly string[] | undefined, orders: LevelOrders): Engine {
  const translated = rules.map((rule) => ({
    name: rule.name,
    conditions: topLevel(toEngineCondition(rule.condition, levels, orders)),
    event: { type: rule.name },
  }));
  const engine = new Engine([], { allowUndefinedFacts: true, pathResolver: resolvePath });
  for (const rule of translated) engine.addRule(rule);
  registerOperators(engine, orders.orders);
  return engine;
}

function rulesOf(doc: StandardDocument, programId: Id): RuleSpec[] {
  const rules: RuleSpec[] = [];
  doc.items.forEach((item, index) => {
    if (!appliesTo(item.programs, programId)) return;
    if (item.when) rules.push({ name: `item:${index}:when`, condition: item.when });
    if (item.scoring.kind === "tiers") {
      item.scoring.tiers.forEach((tier, tierIndex) =>
        rules.push({ name: `item:${index}:tier:${tierIndex}`, condition: tier.when }),
      );
    }
  });
  (doc.gates ?? []).forEach((gate, index) => {
    if (appliesTo(gate.programs, programId)) rules.push({ name: `gate:${index}`, condition: gate.condition });
  });
  (doc.vetoes ?? []).forEach((veto, index) => {
    if (appliesTo(veto.programs, programId)) rules.push({ name: `veto:${index}`, condition: veto.condition });
  });
  totalAdjustmentsOf(doc, findProgram(doc, programId)).forEach(({ adjustment }, index) => {
    if (adjustment.when) rules.push({ name: `adjust:${index}`, condition: adjustment.when });
  });
  return rules;
}

function prepare(doc: StandardDocument, programId: Id): { document: PreparedDocument; program: PreparedProgram } {
  let document = prepared.get(doc);
  if (!document) {
    const { table, derived } = prepareFacts(doc);
    document = { table, derived, orders: new LevelOrders(), programs: new Map() };
    prepared.set(doc, document);
  }
  let program = document.programs.get(programId);
  if (!program) {
    const table = document.table;
    const engine = newEngine(rulesOf(doc, programId), (id) => table.levels(id), document.orders);
    const recordEngines = new Map<number, Engine>();
    doc.items.forEach((item, index) => {
      if (item.scoring.kind !== "perRecord" || !item.scoring.where || !appliesTo(item.programs, programId)) return;
      const context = table.recordContext(item.scoring.records);
      const rules = [{ name: "where", condition: item.scoring.where }];
      recordEngines.set(index, newEngine(rules, (id) => context.levels(id), document.orders));
    });
    program = { program: findProgram(doc, programId), engine, recordEngines };
    document.programs.set(programId, program);
  }
  return { document, program };
}

/** The facts json-rules-engine sees: the applicant's own facts, declared defaults, lists and derived facts. */
function engineFacts(doc: StandardDocument, table: FactTable, scope: ApplicantScope, derivedIds: Id[]): Record<string, unknown> {
  const facts: Record<string, unknown> = Object.create(null);
  const put = (id: Id, value: unknown) => {
    if (value !== undefined) setOwn(facts, id, value);
  };
  for (const id of Object.keys(scope.facts)) put(id, scope.facts[id]);
  for (const id of table.definitions.keys()) put(id, table.read(id)(scope));
  for (const [id, values] of table.lists) put(id, values);
  derivedIds.forEach((id, index) => put(id, scope.derived[index]));
  return facts;
}

/** A record's fields as facts (with field defaults) plus the lists, for a perRecord `where`. */
function recordFacts(table: FactTable, recordsId: Id, record: unknown, where: Condition): Record<string, unknown> {
  const facts: Record<string, unknown> = Object.create(null);
  const context = table.recordContext(recordsId);
  if (record !== null && typeof record === "object") {
    for (const key of Object.keys(record)) setOwn(facts, key, ownValue(record, key));
  }
  for (const id of factsReadBy(where)) {
    const value = context.read(id)(record);
    if (value !== undefined) setOwn(facts, id, value);
  }
  return facts;
}

interface Evaluated {
  held(name: string): boolean;
  trace(name: string, condition: Condition): ConditionTrace;
}

async function runRules(engine: Engine, facts: Record<string, unknown>): Promise<Evaluated> {
  const outcome = await engine.run(facts);
  const byName = new Map<string, RuleResult>();
  for (const result of [...outcome.results, ...outcome.failureResults]) byName.set(result.name, result);
  return {
    held: (name) => byName.get(name)?.result === true,
    trace: (name, condition) => traceOfRule(condition, byName.get(name)),
  };
}

async function scoreItem(
  item: ScoringItem,
  index: number,
  prepared: { document: PreparedDocument; program: PreparedProgram },
  scope: ApplicantScope,
  date: EvaluationDate,
  evaluated: Evaluated,
): Promise<ItemOutcome> {
  const { table } = prepared.document;
  const scoring = item.scoring;
  const explanation: ItemExplanation = { kind: scoring.kind };
  if (item.article !== undefined) explanation.article = item.article;
  const outcome: ItemOutcome = { id: item.id, category: item.category, points: 0, explanation };
  if (!appliesTo(item.programs, prepared.program.program.id)) {
    explanation.notApplicable = true;
    return outcome;
  }
  if (item.when) {
    const name = `item:${index}:when`;
    explanation.when = evaluated.trace(name, item.when);
    if (!evaluated.held(name)) return outcome;
  }
  let points = 0;
  switch (scoring.kind) {
    case "fixed":
      points = scoring.points;
      break;
    case "tiers": {
      let chosen = -1;
      explanation.tiers = scoring.tiers.map((tier, tierIndex) => {
        const name = `item:${index}:tier:${tierIndex}`;
        const held = evaluated.held(name);
        if (held && (chosen < 0 || tier.points > scoring.tiers[chosen].points)) chosen = tierIndex;
        return { id: tier.id, points: tier.points, held, trace: evaluated.trace(name, tier.when) };
      });
      if (chosen >= 0) {
        points = scoring.tiers[chosen].points;
        explanation.chosenTier = scoring.tiers[chosen].id;
      }
      break;
    }
    case "bands": {
      const value = table.read(scoring.fact)(scope);
      explanation.input = value;
      const band = matchingBand(scoring, value);
      explanation.tiers = scoring.bands.map((entry, bandIndex) => ({
        id: entry.id,
        points: entry.points,
        held: bandIndex === band,
      }));
      if (band >= 0) {
        points = scoring.bands[band].points;
        explanation.chosenTier = scoring.bands[band].id;
      }
      break;
    }
    case "linear":
    case "accrual": {
      const value = table.read(scoring.fact)(scope);
      explanation.input = value;
      if (isNumber(value)) points = scoring.kind === "linear" ? linearPoints(scoring, value) : accrualPoints(scoring, value);
      explanation.rawPoints = points;
      break;
    }
    case "perRecord": {
      const records = recordsOf(table.read(scoring.records)(scope));
      const engine = prepared.program.recordEngines.get(index);
      const inWindow = compileLookback(scoring.within, table.fieldReader(scoring.records, scoring.within?.dateField ?? ""), table);
      const readQuantity = scoring.perUnit ? table.fieldReader(scoring.records, scoring.perUnit.field) : undefined;
      const readOnce = scoring.onceBy ? table.fieldReader(scoring.records, scoring.onceBy) : undefined;
      const readGroup = scoring.groupCap ? table.fieldReader(scoring.records, scoring.groupCap.by) : undefined;
      const recordsExplained: NonNullable<ItemExplanation["records"]> = [];
      const readDate = scoring.within ? table.fieldReader(scoring.records, scoring.within.dateField) : undefined;
      if (scoring.within) explanation.window = compileWindowBounds(scoring.within, table)(scope, date) ?? null;
      const candidates: RecordCandidate[] = [];
      const quantities = new Map<number, unknown>();
      for (let recordIndex = 0; recordIndex < records.length; recordIndex++) {
        const record = records[recordIndex];
        if (engine && scoring.where) {
          const matched = await runRules(engine, recordFacts(table, scoring.records, record, scoring.where));
          if (!matched.held("where")) {
            recordsExplained.push({ index: recordIndex, points: 0, counted: false, reason: "where" });
            continue;
          }
        }
        if (inWindow && !inWindow(record, date, scope)) {
          recordsExplained.push({ index: recordIndex, points: 0, counted: false, reason: "within", date: readDate?.(record) });
          continue;
        }
        let recordPoints = scoring.points ?? 0;
        if (scoring.perUnit && readQuantity) {
          const quantity = readQuantity(record);
          if (!isNumber(quantity)) {
            recordsExplained.push({ index: recordIndex, points: 0, counted: false, reason: "perUnit" });
            continue;
          }
          recordPoints = exact(scoring.perUnit.rate * quantity);
        }
        if (readQuantity) quantities.set(recordIndex, readQuantity(record));
        candidates.push({
          index: recordIndex,
          points: recordPoints,
          onceKey: readOnce ? readOnce(record) : undefined,
          groupKey: readGroup ? groupKeyOf(readGroup(record), scoring.groupCap?.byYear) : undefined,
        });
      }
      const total = perRecordTotal(candidates, Boolean(scoring.onceBy), scoring.groupCap?.cap);
      candidates.forEach((candidate, i) =>
        recordsExplained.push({
          index: candidate.index,
          points: candidate.points,
          counted: total.counted[i],
          ...(total.counted[i] ? {} : { reason: "onceBy" }),
          ...(readDate ? { date: readDate(records[candidate.index]) } : {}),
          ...(quantities.has(candidate.index) ? { quantity: quantities.get(candidate.index) as number } : {}),
        }),
      );
      recordsExplained.sort((a, b) => a.index - b.index);
      explanation.records = recordsExplained;
      explanation.rawPoints = total.total;
      points = total.total;
      break;
    }
  }
  if (item.vesting) {
    const value = table.read(item.vesting.fact)(scope);
    const vested = isNumber(value) && value >= item.vesting.atLeast;
    explanation.vesting = { fact: item.vesting.fact, value, atLeast: item.vesting.atLeast, vested };
    if (!vested) points = 0;
  }
  const capped = capMagnitude(points, item.cap);
  if (capped !== points) explanation.cappedFrom = points;
  outcome.points = exact(capped);
  return outcome;
}

/** Scores one applicant for one program on the evaluation date, with the explanation of every figure. */
export async function scoreApplicant(
  doc: StandardDocument,
  facts: Facts,
  programId: Id,
  date: IsoDate,
): Promise<ScoreSheet> {
  const persons = findProgram(doc, programId).persons;
  if (!persons) return scoreOnePerson(doc, facts, programId, date);
  return scoreCandidateSheets(doc, facts, persons, (candidate) => scoreOnePerson(doc, candidate, programId, date));
}

/** One person's score sheet: the whole document on these facts, whoever the program names as candidates. */
async function scoreOnePerson(
  doc: StandardDocument,
  facts: Facts,
  programId: Id,
  date: IsoDate,
): Promise<ScoreSheet> {
  const state = prepare(doc, programId);
  const { table, derived } = state.document;
  const program = state.program.program;
  const when = evaluationDate(date);
  const scope: ApplicantScope = { facts: facts ?? {}, derived: new Array(derived.ids.length) };
  derived.compute(scope, when);
  const evaluated = await runRules(state.program.engine, engineFacts(doc, table, scope, derived.ids));

  const gates: GateOutcome[] = [];
  (doc.gates ?? []).forEach((gate, index) => {
    if (!appliesTo(gate.programs, programId)) return;
    const name = `gate:${index}`;
    gates.push({ id: gate.id, passed: evaluated.held(name), reason: gate.reason, trace: evaluated.trace(name, gate.condition) });
  });
  const vetoes: VetoOutcome[] = [];
  (doc.vetoes ?? []).forEach((veto, index) => {
    if (!appliesTo(veto.programs, programId)) return;
    const name = `veto:${index}`;
    vetoes.push({ id: veto.id, triggered: evaluated.held(name), reason: veto.reason, trace: evaluated.trace(name, veto.condition) });
  });
  const vetoed = vetoes.some((veto) => veto.triggered);

  const items: ItemOutcome[] = [];
  for (let index = 0; index < doc.items.length; index++) {
    items.push(await scoreItem(doc.items[index], index, state, scope, when, evaluated));
  }
  const itemById = new Map<Id, ItemOutcome>();
  for (const item of items) if (!itemById.has(item.id)) itemById.set(item.id, item);

  const adjustments: Adjustment[] = [];
  for (const group of doc.groups ?? []) {
    const members = group.members
      .map((id) => itemById.get(id))
      .filter((member): member is ItemOutcome => member !== undefined && !member.explanation.notApplicable);
    if (members.length === 0) continue;
    if (group.mode === "highestOnly") {
      let winner = members[0];
      for (const member of members) if (member.points > winner.points) winner = member;
      for (const member of members) {
        if (member === winner) continue;
        member.explanation.supersededBy = { group: group.id, item: winner.id, forgone: member.points };
        member.points = 0;
      }
    } else if (group.cap !== undefined) {
      let sum = 0;
      for (const member of members) sum = exact(sum + member.points);
      const capped = capMagnitude(sum, group.cap);
      if (capped !== sum) {
        adjustments.push({ kind: "groupCap", id: group.id, category: members[0].category, points: exact(capped - sum) });
      }
    }
  }

  const categories: Record<Id, number> = {};
  const subtotals = new Map<Id, number>(doc.categories.map((category) => [category.id, 0]));
  for (const item of items) {
    const current = subtotals.get(item.category);
    if (current !== undefined) subtotals.set(item.category, exact(current + item.points));
  }
  for (const adjustment of [...adjustments]) {
    const current = adjustment.category !== undefined ? subtotals.get(adjustment.category) : undefined;
    if (current !== undefined) subtotals.set(adjustment.category as Id, exact(current + adjustment.points));
  }
  let total = 0;
  for (const category of doc.categories) {
    const subtotal = subtotals.get(category.id) ?? 0;
    const capped = capMagnitude(subtotal, category.cap);
    if (capped !== subtotal) {
      adjustments.push({ kind: "categoryCap", id: category.id, category: category.id, points: exact(capped - subtotal) });
    }
    subtotals.set(category.id, capped);
    if (!Object.prototype.hasOwnProperty.call(categories, category.id)) setOwn(categories, category.id, capped);
    total = exact(total + capped);
  }
  const base = total;
  totalAdjustmentsOf(doc, program).forEach(({ id, adjustment, factor }, index) => {
    if (adjustment.when && !evaluated.held(`adjust:${index}`)) return;
    const points = adjustmentPoints(base, factor);
    adjustments.push({ kind: "totalAdjustment", id, points });
    total = exact(total + points);
  });
  const rule = program.total ?? doc.total;
  if (rule?.floor !== undefined && total < rule.floor) {
    adjustments.push({ kind: "totalFloor", points: exact(rule.floor - total) });
    total = rule.floor;
  }
  if (rule?.cap !== undefined && total > rule.cap) {
    adjustments.push({ kind: "totalCap", points: exact(rule.cap - total) });
    total = rule.cap;
  }

  const derivedValues: Record<Id, unknown> = {};
  derived.ids.forEach((id, index) => setOwn(derivedValues, id, scope.derived[index]));

  return {
    standardId: doc.id,
    version: doc.version,
    program: programId,
    date,
    eligible: gates.every((gate) => gate.passed) && !vetoed,
    gates,
    vetoes,
    vetoed,
    derived: derivedValues,
    items,
    adjustments,
    categories,
    total: exact(total),
  };
}
