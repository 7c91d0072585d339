/**
 * The scoring-standard document (计分标准), format version 1.
 *
 * This file is the contract between the JSON Schema (rules-schema/standard.schema.json), the validator,
 * the engine and the UI. Every list entry that a person might refer to carries a stable `id`, so versions
 * can be diffed by id and errors and traces point at the exact entry.
 *
 * Semantics that a type cannot carry are written beside the type; docs/decisions/003-document-format.md
 * explains the reasoning.
 */

/** The language level new documents are written in (decision 022). */
export const FORMAT_VERSION = "1.1" as const;

/**
 * Language levels: "1.0" counts `periods` without the evaluation day (kept so that published versions replay as
 * they were scored); "1.1" counts the end date and the evaluation day (decision 022).
 */
export type FormatVersion = "1.0" | "1.1";

/** Whether a period covers its end date and the evaluation day (language level 1.1 and later). */
export function periodsIncludeEvaluationDay(doc: { formatVersion?: string }): boolean {
  return doc.formatVersion !== "1.0";
}

/** Text in both languages of the UI. Both are required so that every screen reads in zh-CN and English. */
export interface LocalizedText {
  zh: string;
  en: string;
}

/** A stable identifier: letters, digits, `_` and `-`, starting with a letter (pattern ^[A-Za-z][A-Za-z0-9_-]*$). */
export type Id = string;

/** ISO date `YYYY-MM-DD`. */
export type IsoDate = string;

export type DocumentStatus = "draft" | "in_review" | "approved" | "published" | "superseded" | "withdrawn";

export interface LegalBasis {
  /** Document number, e.g. 苏府规字〔2015〕7号 */
  documentNumber: string;
  title?: LocalizedText;
  date?: IsoDate;
  url?: string;
}

export interface StandardDocument {
  $schema?: string;
  formatVersion: FormatVersion;
  /**
   * Stable id of the standard, shared by all its versions (e.g. "suzhou" for both the 2015 standard and its
   * 2020 revision); `version` tells the versions apart.
   */
  id: Id;
  jurisdiction: { code: string; name: LocalizedText };
  title: LocalizedText;
  /** Free-form version label, e.g. "2015" or "2020-rev1". */
  version: string;
  legalBasis: LegalBasis[];
  status: DocumentStatus;
  effectiveFrom?: IsoDate;
  /** Sunset date (inclusive last day in force); absent = open-ended. */
  effectiveTo?: IsoDate;
  /** Free notes, e.g. items of the official table whose figures were NOT FOUND and are therefore left out. */
  notes?: Note[];
  /** External lists (shortage occupations, talent lists, regional multipliers): usable in conditions as facts `list:<id>`. */
  lists?: ExternalList[];
  /** The persons of an application besides the applicant (spouse, father, mother, …): decision 028. */
  persons?: PersonRole[];
  facts: FactDefinition[];
  derived?: DerivedFact[];
  categories: Category[];
  items: ScoringItem[];
  groups?: ItemGroup[];
  gates?: Gate[];
  vetoes?: Veto[];
  /** Rules for the total that apply to every program unless a program overrides them. */
  total?: TotalRule;
  programs: Program[];
  testCases?: TestCase[];
  /** Small cohorts with quotas and the expected admitted list (tie-breaks, tie policy, pools). */
  rankingCases?: RankingCase[];
}

export interface Note {
  id?: Id;
  text: LocalizedText;
}

/** A person of an application (pattern 11). `applicant` is always present; declaring it only gives it a label. */
export interface PersonRole {
  id: Id;
  label: LocalizedText;
}

export interface ExternalList {
  id: Id;
  label: LocalizedText;
  /** Version/year the list is valid for, e.g. "2015". */
  validFor?: string;
  values: Array<string | number>;
}

// ---------------------------------------------------------------------------------------------------------
// Facts

export type FactType = "number" | "integer" | "boolean" | "date" | "string" | "enum" | "records";

/** Who the fact describes (pattern 11). Facts about other household members are still facts of the application. */
export type FactSubject = "applicant" | "spouse" | "child" | "household";

export interface FactDefinition {
  id: Id;
  type: FactType;
  label: LocalizedText;
  description?: LocalizedText;
  /** Unit for display, e.g. "month", "year", "m2", "yuan", "hour", "ml". */
  unit?: string;
  /** The department that supplies the value, e.g. "公安" / "public-security". Free text, shown in the UI. */
  department?: LocalizedText;
  subject?: FactSubject;
  /** Numeric bounds for number/integer facts (inclusive). */
  minimum?: number;
  maximum?: number;
  /** enum: the allowed values, in order from lowest to highest where an order exists. */
  values?: EnumValue[];
  /** records: the fields of each record (no nested records). */
  fields?: FactDefinition[];
  /** A missing fact takes this value; a fact with no default that is missing makes conditions on it false. */
  default?: unknown;
  /**
   * Each person has his own value (decision 028): the applicant's is given as `<fact>`, another person's as
   * `<person>.<fact>`. Absent = one value for the application.
   */
  perPerson?: boolean;
  /**
   * The applicant can change this fact by his own action (more months paid, a higher degree): "what it would take"
   * (engine/levers/what-it-takes.ts) proposes changes of such facts only. Absent = he cannot.
   */
  actionable?: boolean;
}

export interface EnumValue {
  value: string;
  label: LocalizedText;
}

/**
 * Facts computed from other facts, declaratively (patterns 2–9). They may depend on each other (no cycles).
 * All date arithmetic is relative to the evaluation date given to the engine (never the clock).
 */
export type DerivedFact =
  | AgeDerived
  | DurationDerived
  | AggregateDerived
  | CombineDerived
  | PeriodsDerived;

interface DerivedBase {
  id: Id;
  label: LocalizedText;
  description?: LocalizedText;
  unit?: string;
}

/** Whole years of age at the evaluation date, from a birth-date fact. */
export interface AgeDerived extends DerivedBase {
  kind: "age";
  birthDate: Id;
}

/**
 * How months are counted (decision 022): "whole" = whole elapsed months by the corresponding-date rule (the default);
 * "calendar" = every calendar month touched, the first and the last (evaluation) month included ("months paid,
 * counting the evaluation month"). Years are months divided by 12, rounded down, either way.
 */
export type MonthCount = "whole" | "calendar";

/** Whole years or months between two dates (`to` defaults to the evaluation date). Negative spans give 0. */
export interface DurationDerived extends DerivedBase {
  kind: "duration";
  from: Id;
  to?: Id;
  unit: "years" | "months" | "days";
  /** Not for days. */
  monthCount?: MonthCount;
}

/**
 * A time window (decision 022), measured from the anchor (the evaluation date, or the date fact `anchor`):
 * - rolling (`years`/`months`): `anchor - span < date <= anchor`;
 * - `calendarYears`: the calendar years year(anchor)+from … year(anchor)+to, both inclusive ("近3个年度" = {from: -3,
 *   to: -1}; "the application year and the 5 following" = {from: 0, to: 5}). Not together with years/months.
 * Nothing dated after the evaluation date is inside any window; a missing anchor leaves the window empty.
 */
export interface Window {
  years?: number;
  months?: number;
  calendarYears?: { from: number; to: number };
  anchor?: Id;
}

/** A window over the records' `dateField`: a record counts when its date lies in the window. */
export interface Lookback extends Window {
  dateField: Id;
}

/** count / sum / min / max over a records fact, optionally filtered by a condition on the record's fields and a lookback. */
export interface AggregateDerived extends DerivedBase {
  kind: "aggregate";
  records: Id;
  op: "count" | "sum" | "min" | "max";
  /** Field to sum/min/max (not used by count). */
  field?: Id;
  /** Condition over the record's fields (facts in it name record fields). */
  where?: Condition;
  within?: Lookback;
  /** Count records with the same value of this field once (one act counted once). */
  distinctBy?: Id;
}

/**
 * sum / min / max of other facts (pattern 6: residence years may not exceed insurance years = min of the two).
 * `weights` (sum only, one per operand): Σ weightᵢ × operandᵢ. "difference": the first minus the others, never below
 * 0. min / max also take dates (ISO text) and give the earlier / later date. A missing operand makes the result
 * missing (an item on it scores 0; the validator warns where that can happen).
 */
export interface CombineDerived extends DerivedBase {
  kind: "combine";
  op: "sum" | "min" | "max" | "difference";
  of: Array<Id | number>;
  weights?: number[];
}

/**
 * Length of time covered by period records (start, end), overlaps counted once (pattern 6: a period may not
 * count twice). `mode: "total"` sums the covered time; `"continuous"` is the latest unbroken run ending at or
 * before the evaluation date, where gaps up to `allowGapDays` do not break it (pattern 15). Open end = evaluation date.
 */
export interface PeriodsDerived extends DerivedBase {
  kind: "periods";
  records: Id;
  startField: Id;
  endField: Id;
  mode: "total" | "continuous";
  unit: "years" | "months" | "days";
  allowGapDays?: number;
  /** continuous: a break of up to this many whole months (from the day after the previous end) keeps the run. */
  allowGapMonths?: number;
  where?: Condition;
  /** Not for days (decision 022). */
  monthCount?: MonthCount;
  /** Only the part of each period inside this window counts. */
  within?: Window;
  /** Days covered by these periods are taken out first (insurance inside the study period does not count). */
  except?: PeriodSet;
  /** Measured separately per value of `field` (years with the same employer), then summed or the largest taken. */
  groupBy?: { field: Id; op: "sum" | "max" };
}

/** Period records of another records fact, as `except` reads them (end dates inclusive, as in `periods`). */
export interface PeriodSet {
  records: Id;
  startField: Id;
  endField: Id;
  where?: Condition;
}

// ---------------------------------------------------------------------------------------------------------
// Conditions: json-rules-engine's syntax, plus operators registered in engine/operators/.

export type Condition = AllCondition | AnyCondition | NotCondition | FactCondition;
export interface AllCondition {
  all: Condition[];
}
export interface AnyCondition {
  any: Condition[];
}
export interface NotCondition {
  not: Condition;
}
export interface FactCondition {
  fact: Id;
  operator: OperatorName;
  /** A literal, or `{ "fact": "<id>" }` to compare with another fact (lists are facts `list:<id>`). */
  value: unknown;
  /** JSONPath into an object fact (json-rules-engine semantics). */
  path?: string;
}

export type BuiltInOperator =
  | "equal"
  | "notEqual"
  | "lessThan"
  | "lessThanInclusive"
  | "greaterThan"
  | "greaterThanInclusive"
  | "in"
  | "notIn"
  | "contains"
  | "doesNotContain";

/** Custom operators (one file each under engine/operators/). */
export type CustomOperator =
  /** value [min, max): min <= fact < max; null on either side = unbounded */
  | "between"
  /** date fact strictly before the ISO date value */
  | "dateBefore"
  /** date fact on or after the ISO date value */
  | "dateOnOrAfter"
  /** enum fact at or above the given value in the fact's declared value order */
  | "atLeastLevel"
  /** fact is present (not null/undefined); value must be true (present) or false (absent) */
  | "isPresent";

export type OperatorName = BuiltInOperator | CustomOperator;

// ---------------------------------------------------------------------------------------------------------
// Scoring

export type CategoryKind = "base" | "bonus" | "deduction";

export interface Category {
  id: Id;
  kind: CategoryKind;
  label: LocalizedText;
  /** Maximum magnitude of the category's subtotal; the excess is shown as an adjustment. */
  cap?: number;
}

export interface ScoringItem {
  id: Id;
  category: Id;
  label: LocalizedText;
  /** The article of the source document this item implements, e.g. "计分标准 一(一)2" or "第十条". */
  article?: string;
  description?: LocalizedText;
  /** Programs the item applies to; absent = all programs (pattern 12). */
  programs?: Id[];
  /** The item scores only when this holds (an item whose `when` fails scores 0 and says why). */
  when?: Condition;
  /** The item counts only once the fact reaches `atLeast` (pattern 7: counts only after 5 years). */
  vesting?: { fact: Id; atLeast: number };
  /** Maximum magnitude of the item's points (封顶). For deductions it bounds the size of the deduction. */
  cap?: number;
  /**
   * Whose facts the item reads: the scored person's (default) or, with "household", only the application's, so it
   * counts once per household whoever is scored (decision 028).
   */
  person?: "scored" | "household";
  scoring: Scoring;
}

export type Scoring =
  | FixedScoring
  | TiersScoring
  | BandsScoring
  | LinearScoring
  | AccrualScoring
  | PerRecordScoring;

/** Fixed points when the item's `when` holds (pattern 1). Negative for deductions. */
export interface FixedScoring {
  kind: "fixed";
  points: number;
}

/** Highest-of tiers (pattern 1): the tier with the most points among those whose condition holds; none = 0. */
export interface TiersScoring {
  kind: "tiers";
  tiers: Array<{ id: Id; label: LocalizedText; when: Condition; points: number }>;
}

/**
 * Half-open numeric bands on one fact (pattern 4): a band matches when `min <= value < max`
 * (absent min = -∞, absent max = +∞). Bands must not overlap; gaps are reported unless `allowGaps` is true.
 */
export interface BandsScoring {
  kind: "bands";
  fact: Id;
  bands: Array<{ id: Id; label?: LocalizedText; min?: number; max?: number; points: number }>;
  allowGaps?: boolean;
}

/**
 * A base at an origin and a step rate away from it (patterns 3, 4): age slopes, area steps.
 * units = (direction "up" ? value - origin : origin - value), negatives → 0;
 * steps = floor(units / step) (or units / step when `rounding` is "none");
 * points = basePoints + steps * pointsPerStep, then clamped to [min, max] when given.
 */
export interface LinearScoring {
  kind: "linear";
  fact: Id;
  origin: number;
  direction: "up" | "down";
  /** Units per step (default 1). */
  step?: number;
  basePoints: number;
  pointsPerStep: number;
  rounding?: "floor" | "none";
  min?: number;
  max?: number;
}

/**
 * Per-unit accrual with marginal rate bands (pattern 2): the fact's value is split across bands
 * `[from, to)` in order and each part earns `rate` points per `per` units. `rounding` applies to units
 * before the rate ("floor": only whole `per` units count). A single band `{from: 0, rate}` is a flat rate.
 */
export interface AccrualScoring {
  kind: "accrual";
  fact: Id;
  per?: number;
  rounding?: "floor" | "none";
  bands: Array<{ from: number; to?: number; rate: number }>;
}

/**
 * Points per record (patterns 4, 9): deductions per event inside a lookback, honours per award.
 * Each record that matches `where` and falls inside `within` earns `points`, or `rate × record[field]`
 * (deduction proportional to a quantity: months of sentence × −50).
 * `onceBy`: records sharing that field's value count once, at their largest magnitude (one act counted once).
 * `groupCap`: the magnitude per value of `groupCap.by` (e.g. per calendar year) is capped.
 */
export interface PerRecordScoring {
  kind: "perRecord";
  records: Id;
  where?: Condition;
  within?: Lookback;
  points?: number;
  perUnit?: { field: Id; rate: number };
  onceBy?: Id;
  groupCap?: { by: Id; cap: number; byYear?: boolean };
}

/**
 * Across items (patterns 1, 5, 8):
 * - "highestOnly": only the member with the highest points counts (choose-one: education OR title; own OR rent);
 *   on equal points, the first member listed wins. Others count 0 and say which member was chosen.
 * - "cap": the members' sum is capped at `cap` magnitude; the excess appears as an adjustment of the group.
 * Members of a "cap" group must belong to one category.
 */
export interface ItemGroup {
  id: Id;
  label: LocalizedText;
  mode: "highestOnly" | "cap";
  members: Id[];
  cap?: number;
  article?: string;
}

export interface TotalRule {
  /** Floor of the total (Shanghai: 0). */
  floor?: number;
  /** Ceiling of the total. */
  cap?: number;
  /** Percentages or multipliers of the total, each when its condition holds (decision 023); before floor and cap. */
  adjustments?: TotalAdjustment[];
}

/**
 * An adjustment of the total (decision 023): when `when` holds (absent = always), `percent` % of the total (after
 * category caps, before any adjustment) is added — negative takes it off — or the total is multiplied by
 * `multiplier`. Exactly one of the two. Shown as a signed adjustment, so items plus adjustments still equal the total.
 */
export interface TotalAdjustment {
  id: Id;
  label: LocalizedText;
  article?: string;
  when?: Condition;
  percent?: number;
  multiplier?: number;
}

/** An eligibility condition that must hold (pattern 10). Absent `programs` = all programs. */
export interface Gate {
  id: Id;
  label: LocalizedText;
  reason: LocalizedText;
  article?: string;
  programs?: Id[];
  condition: Condition;
}

/** A veto (一票否决): when its condition holds the applicant is removed whatever the points. */
export interface Veto {
  id: Id;
  label: LocalizedText;
  reason: LocalizedText;
  article?: string;
  programs?: Id[];
  condition: Condition;
}

// ---------------------------------------------------------------------------------------------------------
// Programs and allocation

export type ProgramKind = "settlement" | "school" | "medical" | "housing" | "services" | "other";

export interface Program {
  id: Id;
  kind: ProgramKind;
  label: LocalizedText;
  article?: string;
  /** How points are counted up to a date: a fixed cut-off, or a description when it is set per round. */
  evaluationCutoff?: { date?: IsoDate; description?: LocalizedText };
  /** Overrides the document's `total` rule for this program. */
  total?: TotalRule;
  /** Whom the program scores and how it chooses among them (decision 028); absent = the applicant. */
  persons?: ProgramPersons;
  allocation: Allocation;
}

/**
 * Each candidate is scored on the application's facts and his own per-person facts; the qualifying candidate (eligible,
 * not vetoed) with the highest total is scored for the application, the first listed on equal totals (就高不就低).
 */
export interface ProgramPersons {
  candidates: Id[];
  choose: "highest";
}

/** A sort key for ranking: the total, a category subtotal, an item's points, or a fact (e.g. registration date). */
export interface RankKey {
  /** "otherCandidate": the highest total of the qualifying candidates not chosen (programs with `persons`). */
  key: "total" | "category" | "item" | "fact" | "otherCandidate";
  /** Category, item or fact id (not for "total"). */
  id?: Id;
  order: "desc" | "asc";
}

export type TiePolicy = "admitAll" | "lottery" | "exclude";

export type Allocation = ThresholdAllocation | QuotaAllocation;

/** Everyone eligible with total >= threshold is admitted (Shanghai 120). */
export interface ThresholdAllocation {
  kind: "threshold";
  threshold: number;
}

/**
 * Quota ranking per pool (patterns 13, 14). Applicants who pass gates and vetoes, and whose total reaches
 * `minimumTotal` when given (Guangzhou: 60 as a gate), are ordered by `rankBy` then `tieBreak`, per pool
 * (the value of `poolBy` fact; absent = one pool). Quotas per pool are given when allocating, not here.
 * Applicants still tied on every key at the cut-off are handled by `tiePolicy`.
 * `secondRound`: leftover places of all pools are offered to the unadmitted by the same order, city-wide,
 * at most `perPoolCap` extra per receiving pool when given.
 */
export interface QuotaAllocation {
  kind: "quota";
  poolBy?: Id;
  minimumTotal?: number;
  rankBy: RankKey[];
  tieBreak: RankKey[];
  tiePolicy: TiePolicy;
  /** Published seed for lotteries. */
  lotterySeed?: string;
  secondRound?: {
    enabled: boolean;
    perPoolCap?: number;
    /** Most extra places per receiving pool as a share of its quota (0.1 = 10%, rounded down); with `perPoolCap`, the smaller. */
    perPoolCapShare?: number;
  };
  /**
   * At most one admitted applicant per value of this fact (one per property): of applicants sharing a value, only
   * the highest-ranked is ranked; the others are not admitted (reason `sameKey`) and take no place. Missing = no limit.
   */
  oneAdmittedPer?: Id;
}

// ---------------------------------------------------------------------------------------------------------
// Embedded test cases

export interface TestCase {
  id: Id;
  label: LocalizedText;
  program: Id;
  /** Evaluation date. */
  date: IsoDate;
  facts: Record<string, unknown>;
  expect: {
    eligible?: boolean;
    /** Gate ids that fail. */
    failedGates?: Id[];
    vetoed?: boolean;
    /** Points per item id (items not listed are not checked). */
    items?: Record<Id, number>;
    categories?: Record<Id, number>;
    /** null: no score — the applicant fails a gate or is vetoed (decision 024). */
    total?: number | null;
    /** The program's verdict (decision 024). */
    verdict?: Verdict;
  };
  /** How the expected figures were computed by hand from the official table. */
  workings?: LocalizedText;
}

/**
 * A program's verdict on one applicant: vetoed, ineligible (a gate fails), belowLine (under the threshold, or under a
 * quota program's minimum total), admitted (reaches the threshold; for a quota program: reaches its minimum and is
 * ranked, the places being the ranking cases' matter).
 */
export type Verdict = "admitted" | "belowLine" | "ineligible" | "vetoed";

export interface RankingCase {
  id: Id;
  label: LocalizedText;
  program: Id;
  date: IsoDate;
  /** Places per pool value; the key "*" is used when the program has no `poolBy`. */
  quotas: Record<string, number>;
  applicants: Array<{ id: string; facts: Record<string, unknown> }>;
  expect: {
    /** Applicant ids admitted (any order). */
    admitted: string[];
    /** Optional full order of eligible applicants by rank. */
    order?: string[];
  };
  workings?: LocalizedText;
}
