/**
 * What the engine returns. Plain JSON-serialisable data: the UI and the API receive these as they are.
 */
import type { Id, IsoDate } from "../rules-schema/types";

export type Facts = Record<string, unknown>;

/** One condition as evaluated: the fact value it saw and whether it held (json-rules-engine's trace). */
export interface ConditionTrace {
  fact?: string;
  operator?: string;
  value?: unknown;
  factValue?: unknown;
  result: boolean;
  /** For all/any/not nodes. */
  kind?: "all" | "any" | "not";
  children?: ConditionTrace[];
}

export interface GateOutcome {
  id: Id;
  passed: boolean;
  reason: { zh: string; en: string };
  trace: ConditionTrace;
}

export interface VetoOutcome {
  id: Id;
  triggered: boolean;
  reason: { zh: string; en: string };
  trace: ConditionTrace;
}

/** Why an item has its points. Only the fields relevant to the item's scoring kind are present. */
export interface ItemExplanation {
  kind: string;
  /** The item does not apply to the program. */
  notApplicable?: boolean;
  /** Trace of the item's `when` condition. */
  when?: ConditionTrace;
  /** Vesting outcome: the fact value seen and whether it reached the threshold. */
  vesting?: { fact: Id; value: unknown; atLeast: number; vested: boolean };
  /** tiers/bands: the tier or band chosen (highest) and every tier's result. */
  chosenTier?: Id;
  tiers?: Array<{ id: Id; points: number; held: boolean; trace?: ConditionTrace }>;
  /** linear/accrual: the input value and the raw points before caps. */
  input?: unknown;
  rawPoints?: number;
  /** perRecord: the records counted (their index in the input list) and the points each gave. */
  records?: Array<{ index: number; points: number; counted: boolean; reason?: string; date?: unknown; quantity?: number }>;
  /** perRecord with a look-back window: the dates it admitted for this applicant (none: its anchor fact is missing). */
  window?: { from: IsoDate; fromInclusive: boolean; to: IsoDate } | null;
  /** Item cap applied: points before the cap. */
  cappedFrom?: number;
  /** Choose-one group: this item was not counted because another member was chosen. */
  supersededBy?: { group: Id; item: Id; forgone?: number };
  article?: string;
}

export interface ItemOutcome {
  id: Id;
  category: Id;
  /** Points that count towards the total (0 when superseded or not applicable). */
  points: number;
  explanation: ItemExplanation;
}

/** Caps and floors above the item level, as signed corrections so items + adjustments = total. */
export interface Adjustment {
  kind: "groupCap" | "categoryCap" | "totalFloor" | "totalCap" | "totalAdjustment";
  /** Group, category or total adjustment id; absent for a total's floor and cap. */
  id?: Id;
  category?: Id;
  points: number;
}

export interface ScoreSheet {
  standardId: Id;
  version: string;
  program: Id;
  date: IsoDate;
  eligible: boolean;
  gates: GateOutcome[];
  vetoes: VetoOutcome[];
  vetoed: boolean;
  derived: Record<Id, unknown>;
  items: ItemOutcome[];
  adjustments: Adjustment[];
  /** Subtotal per category id, after category caps. */
  categories: Record<Id, number>;
  total: number;
  /** Programs that score several persons: whose points these are, why, and every candidate's total (decision 028). */
  persons?: PersonsExplanation;
}

/** One candidate of a program that scores several persons, as scored on his own facts. */
export interface CandidateOutcome {
  person: Id;
  eligible: boolean;
  vetoed: boolean;
  total: number;
}

export interface PersonsExplanation {
  /** The person whose points count. */
  scored: Id;
  /**
   * higher: the highest total of those who qualify; only: the only one who qualifies; tieFirst: equal totals, the
   * first listed; none: nobody qualifies (the sheet is the first candidate's).
   */
  reason: "higher" | "only" | "tieFirst" | "none";
  candidates: CandidateOutcome[];
}

/** The compact result the compiled evaluator gives per applicant; identical figures to ScoreSheet. */
export interface CompactScore {
  eligible: boolean;
  vetoed: boolean;
  failedGates: Id[];
  /** Points per item in document order of `items` (0 for items not applicable to the program). */
  items: number[];
  /** Subtotals in document order of `categories`. */
  categories: number[];
  total: number;
  /** Programs that score several persons: position of the scored candidate, and the other's total (NaN: none). */
  scoredPerson?: number;
  otherTotal?: number;
}
