/**
 * From scored applicants to ranking columns: collects, row by row, exactly what allocation needs (eligibility,
 * veto, total, pool, one numeric column per rank key) so that large cohorts never hold per-applicant objects.
 */
import type { Id, IsoDate, Program, RankKey, StandardDocument } from "../../rules-schema/types";
import type { CompactScore, Facts } from "../types";
import type { RankColumns } from "../allocation/rank";
import { programRankKeys } from "../allocation/rank";
import { findProgram } from "../scoring/reference";
import { dayNumber, evaluationDate, parseIsoDate, type EvaluationDate } from "../scoring/dates";
import { prepareFacts, type DerivedEvaluator } from "../scoring/derived";
import type { ApplicantScope } from "../scoring/facts";
import type { Cohort } from "./cohort";
import { cohortRowReader, columnValueReader } from "./cohort";
import { bindColumnar, type ColumnarProgram } from "../scoring/columnar";
import { CohortScorer, ELIGIBLE, VETOED } from "./cohort-chunks";
import { PARALLEL_MIN_ROWS } from "../parallel/parallel";
import { compileProgram } from "../scoring/compiled";
import { setOwn } from "../scoring/derived";
import { candidateFacts, perPersonFactIds } from "../scoring/persons";
import { personFactKey } from "../../rules-schema/persons";

/** Applicants as objects with ids, or a columnar cohort. */
export type CohortSource = Cohort | { ids: readonly string[]; rows: readonly Facts[] };

export function cohortSize(source: CohortSource): number {
  return "rows" in source ? source.rows.length : source.size;
}

/**
 * A reader of row i's facts. For columnar cohorts with `reuse`, one object is refilled per call: the facts are
 * valid until the next call (scoring loops that keep nothing of them).
 */
export function cohortFactsReader(source: CohortSource, opts: { reuse?: boolean } = {}): (i: number) => Facts {
  if ("rows" in source) {
    const rows = source.rows;
    return (i) => rows[i];
  }
  return cohortRowReader(source, opts);
}

/** A problem with a program or a rank key, found before scoring. */
export class AllocationSetupError extends Error {
  constructor(
    readonly code: "engine.unknownRankKey",
    readonly path: string,
    message: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AllocationSetupError";
  }
}


/**
 * Numeric reading of a rank key's value: numbers, booleans 0/1, dates as day numbers, enums by declared position.
 * Other text gets `undefined` here and is placed by text order once all rows are in.
 */
function keyNumber(value: unknown, enumIndex: Map<string, number> | undefined, dates: Map<string, number>): number | undefined {
  if (value === undefined || value === null) return NaN;
  if (typeof value === "number") return Number.isFinite(value) ? value : NaN;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value !== "string") return NaN;
  if (enumIndex) return enumIndex.get(value) ?? NaN;
  // Dates repeat across a cohort (a few thousand distinct days), so each is parsed once.
  const known = dates.get(value);
  if (known !== undefined) return known;
  const date = parseIsoDate(value);
  if (!date) return undefined;
  const day = dayNumber(date);
  if (dates.size < 200_000) dates.set(value, day);
  return day;
}

interface KeyCollector {
  key: RankKey;
  column: Float64Array;
  enumIndex?: Map<string, number>;
  /** Day numbers of the date texts seen so far. */
  dates: Map<string, number>;
  /** Rows whose value is text that is neither a date nor an enum value. */
  texts: Map<number, string>;
  read: (facts: Facts, score: CompactScore, scope: ApplicantScope | undefined) => unknown;
  /** A fact key naming a derived fact. */
  fromDerived?: boolean;
}

function splitFlags(flags: Uint8Array, eligible: Uint8Array, vetoed: Uint8Array): void {
  for (let i = 0; i < flags.length; i++) {
    eligible[i] = flags[i] & ELIGIBLE ? 1 : 0;
    vetoed[i] = flags[i] & VETOED ? 1 : 0;
  }
}

/** Builds `RankColumns` for one program from rows scored by its compiled evaluator. */
export class RankColumnsBuilder {
  readonly program: Program;
  private readonly size: number;
  private readonly poolBy?: Id;
  private readonly poolIndex = new Map<string, number>();
  private readonly poolNames: string[] = [];
  private readonly poolCodes: Int32Array;
  private readonly eligible: Uint8Array;
  private readonly vetoed: Uint8Array;
  private readonly total: Float64Array;
  private readonly collectors: KeyCollector[];
  /** The collectors `add` fills: a `total` key is the total column itself (see `finish`). */
  private readonly filled: KeyCollector[];
  private readonly derived?: { evaluator: DerivedEvaluator; date: EvaluationDate };
  private readonly poolDefault: unknown;
  /** `oneAdmittedPer`: the fact, and its value's code per row (−1: none). */
  private readonly onePerFact?: Id;
  private readonly onePerCodes?: Int32Array;
  private readonly onePerIndex = new Map<string, number>();
  /** Programs that score several persons: the candidates, the per-person facts, and the keys fact rank keys read. */
  private readonly candidates?: readonly Id[];
  private readonly perPerson: Id[];
  private readonly personKeys: string[];

  constructor(doc: StandardDocument, programId: Id, itemIds: readonly Id[], categoryIds: readonly Id[], size: number, date: IsoDate) {
    this.program = findProgram(doc, programId);
    this.size = size;
    this.poolBy = this.program.allocation.kind === "quota" ? this.program.allocation.poolBy : undefined;
    this.poolDefault = this.poolBy ? doc.facts.find((f) => f.id === this.poolBy)?.default : undefined;
    if (this.program.allocation.kind === "quota" && this.program.allocation.oneAdmittedPer !== undefined) {
      this.onePerFact = this.program.allocation.oneAdmittedPer;
      this.onePerCodes = new Int32Array(size).fill(-1);
    }
    this.poolCodes = new Int32Array(size);
    this.eligible = new Uint8Array(size);
    this.vetoed = new Uint8Array(size);
    this.total = new Float64Array(size);
    const factById = new Map(doc.facts.map((f) => [f.id, f]));
    const derivedIds = new Set((doc.derived ?? []).map((d) => d.id));
    const keys = programRankKeys(this.program);
    const candidates = this.program.persons?.candidates;
    this.candidates = candidates;
    this.perPerson = candidates ? perPersonFactIds(doc) : [];
    const personKeys: string[] = [];
    if (keys.some((k) => k.key === "fact" && k.id !== undefined && derivedIds.has(k.id))) {
      const { derived } = prepareFacts(doc);
      this.derived = { evaluator: derived, date: evaluationDate(date) };
    }
    this.collectors = keys.map((key, k) => {
      const path = `/programs/${doc.programs.indexOf(this.program)}/allocation/${k < (this.program.allocation as { rankBy: RankKey[] }).rankBy.length ? "rankBy" : "tieBreak"}`;
      const unknown = (what: string) =>
        new AllocationSetupError("engine.unknownRankKey", path, `Rank key ${key.key} "${String(key.id)}" names no ${what}`, { key });
      const column = new Float64Array(size);
      const texts = new Map<number, string>();
      let enumIndex: Map<string, number> | undefined;
      let read: KeyCollector["read"];
      let fromDerived = false;
      if (key.key === "total") read = (_f, score) => score.total;
      else if (key.key === "category") {
        const index = categoryIds.indexOf(key.id ?? "");
        if (index < 0) throw unknown("category");
        read = (_f, score) => score.categories[index];
      } else if (key.key === "otherCandidate") {
        read = (_f, score) => score.otherTotal;
      } else if (key.key === "item") {
        const index = itemIds.indexOf(key.id ?? "");
        if (index < 0) throw unknown("item");
        read = (_f, score) => score.items[index];
      } else {
        const id = key.id ?? "";
        const definition = factById.get(id);
        if (definition?.type === "enum") enumIndex = new Map((definition.values ?? []).map((v, k) => [v.value, k]));
        if (definition?.perPerson && candidates) {
          // The scored person's own value (decision 028): `spouse.residenceRegistrationDate` when the spouse counts.
          const keys = candidates.map((person) => personFactKey(person, id));
          const fallback = definition.default;
          read = (facts, score) => {
            const key = keys[score.scoredPerson ?? 0];
            return (Object.hasOwn(facts, key) ? facts[key] : undefined) ?? fallback;
          };
          personKeys.push(...keys);
        } else if (definition) {
          const fallback = definition.default;
          read = (facts) => (Object.hasOwn(facts, id) ? facts[id] : undefined) ?? fallback;
        } else if (derivedIds.has(id)) {
          const slot = this.derived!.evaluator.ids.indexOf(id);
          read = (_f, _s, scope) => scope!.derived[slot];
          fromDerived = true;
        } else throw unknown("fact");
      }
      return { key, column, texts, enumIndex, dates: new Map(), read, fromDerived };
    });
    this.filled = this.collectors.filter((collector) => collector.key.key !== "total");
    this.personKeys = personKeys;
  }

  /** True when `add` reads of a score only its total and flags (no category, item or derived-fact key). */
  readsOnlyTotals(): boolean {
    if (this.personKeys.length > 0) return false;
    return this.collectors.every((collector) => collector.key.key === "total" || (collector.key.key === "fact" && !collector.fromDerived));
  }

  /** The declared facts `add` reads from `facts` (the pool and fact rank keys); other facts may be absent. */
  factIdsRead(): Id[] {
    const ids = this.collectors.filter((collector) => collector.key.key === "fact" && !collector.fromDerived).map((collector) => collector.key.id ?? "");
    const read = [...ids, ...this.personKeys.filter((key) => !ids.includes(key))];
    if (this.onePerFact !== undefined && !read.includes(this.onePerFact)) read.push(this.onePerFact);
    return this.poolBy ? [this.poolBy, ...read] : read;
  }

  /**
   * Records row `i`: its facts and its compiled score. `derivedValues`, when given, are the row's derived facts in
   * evaluation order (orderDerived, as the columnar evaluator keeps them), so they are not computed again.
   */
  add(i: number, facts: Facts, score: CompactScore, derivedValues?: unknown[]): void {
    this.eligible[i] = score.eligible ? 1 : 0;
    this.vetoed[i] = score.vetoed ? 1 : 0;
    this.total[i] = score.total;
    if (this.poolBy) {
      const raw = (Object.hasOwn(facts, this.poolBy) ? facts[this.poolBy] : undefined) ?? this.poolDefault;
      const pool = raw === undefined || raw === null ? "" : String(raw);
      let code = this.poolIndex.get(pool);
      if (code === undefined) {
        code = this.poolNames.length;
        this.poolIndex.set(pool, code);
        this.poolNames.push(pool);
      }
      this.poolCodes[i] = code;
    }
    if (this.onePerCodes && this.onePerFact !== undefined) {
      const raw = Object.hasOwn(facts, this.onePerFact) ? facts[this.onePerFact] : undefined;
      if (raw !== undefined && raw !== null && raw !== "") {
        const text = String(raw);
        let code = this.onePerIndex.get(text);
        if (code === undefined) {
          code = this.onePerIndex.size;
          this.onePerIndex.set(text, code);
        }
        this.onePerCodes[i] = code;
      }
    }
    let scope: ApplicantScope | undefined;
    if (this.derived && derivedValues) scope = { facts, derived: derivedValues };
    else if (this.derived) {
      // Derived facts of the scored person, as the columnar path keeps them.
      const own = this.candidates ? candidateFacts(this.perPerson, facts, this.candidates[score.scoredPerson ?? 0]) : facts;
      scope = { facts: own, derived: new Array(this.derived.evaluator.ids.length) };
      this.derived.evaluator.compute(scope, this.derived.date);
    }
    for (let k = 0; k < this.filled.length; k++) {
      const collector = this.filled[k];
      const raw = collector.read(facts, score, scope);
      const value = keyNumber(raw, collector.enumIndex, collector.dates);
      if (value === undefined) {
        collector.texts.set(i, raw as string);
        collector.column[i] = NaN;
      } else collector.column[i] = value;
    }
  }

  /**
   * Adds every row at once from totals and flags scored elsewhere (engine/parallel.ts), for a builder that
   * `readsOnlyTotals`; `facts(i)` gives row i's facts when a pool or a fact key needs them.
   */
  addTotals(total: Float64Array, flags: Uint8Array, facts: (i: number) => Facts): void {
    this.total.set(total);
    splitFlags(flags, this.eligible, this.vetoed);
    if (!this.poolBy && this.filled.length === 0 && !this.onePerCodes) return;
    const score: CompactScore = { eligible: false, vetoed: false, failedGates: [], items: [], categories: [], total: 0 };
    for (let i = 0; i < this.size; i++) {
      score.total = total[i];
      score.eligible = (flags[i] & ELIGIBLE) !== 0;
      score.vetoed = (flags[i] & VETOED) !== 0;
      this.add(i, facts(i), score);
    }
  }

  finish(ids: ArrayLike<string>, idOrder?: Int32Array): RankColumns {
    if (!this.poolBy && this.poolNames.length === 0) this.poolNames.push("*");
    const keys = this.collectors.map((collector) => {
      if (collector.key.key === "total") return this.total;
      if (collector.texts.size === 0) return collector.column;
      // A column of free text is ranked by text order (numbers among them, if any, lose to text: rare and odd data).
      const sorted = [...new Set(collector.texts.values())].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const position = new Map(sorted.map((text, rank) => [text, rank]));
      for (const [row, text] of collector.texts) collector.column[row] = position.get(text)!;
      return collector.column;
    });
    return {
      size: this.size,
      ids,
      poolCodes: this.poolCodes,
      poolNames: this.poolNames,
      eligible: this.eligible,
      vetoed: this.vetoed,
      total: this.total,
      keys,
      idOrder,
      ...(this.onePerCodes ? { onePerKey: this.onePerCodes } : {}),
    };
  }
}

/** Row i's facts that ranking reads (`factIds`: pool and fact keys), in one object refilled per call. */
export function rankFactsReader(cohort: Cohort, factIds: readonly Id[]): (i: number) => Facts {
  const readers = factIds.map((id) => columnValueReader(cohort, id));
  const facts: Facts = {};
  for (const id of factIds) setOwn<unknown>(facts, id, undefined);
  return (i) => {
    for (let k = 0; k < factIds.length; k++) facts[factIds[k]] = readers[k](i);
    return facts;
  };
}

/** Row i scored by a columnar program, as a CompactScore view over its scratch (one object, valid until the next call). */
export function compactRowScorer(program: ColumnarProgram): (i: number) => CompactScore {
  const score: CompactScore = {
    eligible: false,
    vetoed: false,
    failedGates: [],
    items: program.items as unknown as number[],
    categories: program.categories as unknown as number[],
    total: 0,
  };
  const state = program.state;
  // A program that scores several persons keeps the other candidate's total in state[4] (persons.ts).
  const persons = state.length > 4;
  return (i) => {
    score.total = program.scoreRow(i);
    score.vetoed = state[1] === 1;
    score.eligible = state[1] === 0 && state[2] === 0;
    if (persons) {
      score.scoredPerson = state[3];
      score.otherTotal = state[4];
    }
    return score;
  };
}

/**
 * Scores every applicant of the cohort into `builder` (made for the same document, program and date): a
 * columnar cohort is read straight from its columns (engine/columnar.ts), applicants as objects go through the
 * compiled evaluator. Either way the builder receives the same figures.
 */
export function scoreCohortInto(
  builder: RankColumnsBuilder,
  doc: StandardDocument,
  programId: Id,
  cohort: CohortSource,
  date: IsoDate,
  onProgress?: (done: number, total: number) => void,
  /** Score a columnar cohort on both cores (engine/parallel.ts): by default from PARALLEL_MIN_ROWS rows. */
  bothCores?: boolean,
): void {
  const size = cohortSize(cohort);
  if ("rows" in cohort) {
    const compiled = compileProgram(doc, programId);
    for (let i = 0; i < size; i++) {
      builder.add(i, cohort.rows[i], compiled.score(cohort.rows[i], date));
      if (onProgress && (i + 1) % 50_000 === 0) onProgress(i + 1, size);
    }
    return;
  }
  const readFacts = rankFactsReader(cohort, builder.factIdsRead());
  if ((bothCores ?? size >= PARALLEL_MIN_ROWS) && builder.readsOnlyTotals()) {
    // Totals and flags are all the builder needs: scored on both cores (engine/parallel.ts), then added in order.
    const scores = new CohortScorer(doc, programId, cohort, date).scoreAll();
    builder.addTotals(scores.total, scores.flags, readFacts);
    onProgress?.(size, size);
    return;
  }
  const program = bindColumnar(doc, programId, cohort, date);
  const scoreRow = compactRowScorer(program);
  for (let i = 0; i < size; i++) {
    builder.add(i, readFacts(i), scoreRow(i), program.derived);
    if (onProgress && (i + 1) % 50_000 === 0) onProgress(i + 1, size);
  }
}
