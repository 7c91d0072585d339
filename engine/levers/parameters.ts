/**
 * The numbers of a standard an officer can move (issue 24, levers): every tier's and band's points, rates, caps,
 * floors, thresholds in conditions, band boundaries, adjustments of the total and score lines, each with its JSON
 * pointer, its label as the official table says it (category › indicator › tier › what), its natural step and its
 * bounds. Applying a value gives a new document and leaves the old one untouched (only the objects on the way to the
 * number are copied). Pure: no I/O.
 *
 * Not parameters: look-back periods, units per rate (`per`, a linear `step`), dates, derived facts' own numbers and
 * conditions inside records (a record's field), since moving them changes what is counted rather than how much.
 */
import { MAX_MAGNITUDE } from "../../rules-schema/limits";
import type {
  Category,
  Condition,
  FactCondition,
  Id,
  LocalizedText,
  Program,
  ScoringItem,
  StandardDocument,
  TotalRule,
} from "../../rules-schema/types";

export type ParameterKind =
  /** Points of a tier, a band, a fixed item, a record, or a linear item's base. */
  | "points"
  /** Points per unit: an accrual band's rate, a linear item's points per step, a record's rate per unit. */
  | "rate"
  /** 封顶: an item's, a category's, a group's, a linear item's maximum, a per-year cap, the total's cap. */
  | "cap"
  /** A linear item's minimum, the total's floor. */
  | "floor"
  /** A number a condition compares a fact with (a gate, a veto, an item's or a tier's condition), a vesting limit, a linear origin. */
  | "threshold"
  /** The boundary between two bands (both bands move together). */
  | "boundary"
  /** A percentage or multiplier of the total. */
  | "adjustment"
  /** A threshold program's score line, or a quota program's minimum total. */
  | "scoreLine";

/** What a change of the parameter recomputes: one item's points, or something applied after the items. */
export type ParameterScope =
  | { kind: "item"; id: Id }
  | { kind: "category"; id: Id }
  | { kind: "group"; id: Id }
  | { kind: "total"; program?: Id }
  | { kind: "gate"; id: Id }
  | { kind: "veto"; id: Id }
  | { kind: "allocation"; program: Id };

export interface NumericParameter {
  /** JSON pointer of the number in the document. */
  pointer: string;
  /** Numbers that move with it (the next band's lower boundary, equal to this band's upper one). */
  linked?: string[];
  kind: ParameterKind;
  scope: ParameterScope;
  /** Category › indicator › tier, as the official table says it (no ids). */
  path: LocalizedText[];
  /** What the number is ("分值", "封顶", "条件：社会保险缴费月数"). */
  what: LocalizedText;
  /** `path` and `what` joined with " › ". */
  label: LocalizedText;
  value: number;
  /**
   * The natural step: 1 for whole numbers and for thresholds on whole-number facts, else the number's own granularity
   * as the document writes it (0.25 → 0.25, 1.5 → 0.5, 1.2 → 0.1).
   */
  step: number;
  /** Inclusive bounds a value must stay within. */
  min: number;
  max: number;
  /** The unit the number is in, for display: "points", "percent", "multiplier" or the compared fact's unit. */
  unit?: string;
}

export interface ParameterOptions {
  /** Only what applies to this program (items, gates and vetoes of other programs, other programs' lines are left out). */
  program?: Id;
}

const SEP = " › ";

function text(zh: string, en: string): LocalizedText {
  return { zh, en };
}

function joined(parts: LocalizedText[]): LocalizedText {
  return { zh: parts.map((p) => p.zh).join(SEP), en: parts.map((p) => p.en).join(SEP) };
}

function appliesTo(programs: Id[] | undefined, program: Id | undefined): boolean {
  return program === undefined || programs === undefined || programs.includes(program);
}

const WHAT = {
  points: text("分值", "points"),
  basePoints: text("基础分值", "base points"),
  rate: text("每单位分值", "points per unit"),
  pointsPerStep: text("每档分值", "points per step"),
  perUnitRate: text("每单位分值", "points per unit"),
  cap: text("封顶分值", "cap"),
  max: text("最高分值", "maximum points"),
  min: text("最低分值", "minimum points"),
  groupCap: text("每组封顶", "cap per group"),
  floor: text("总分下限", "floor of the total"),
  totalCap: text("总分封顶", "cap of the total"),
  percent: text("总分百分比", "percentage of the total"),
  multiplier: text("总分倍数", "multiplier of the total"),
  threshold: text("分值线", "score line"),
  minimumTotal: text("最低总分", "minimum total"),
  origin: text("起算点", "starting point"),
};

/** The largest of these that divides every value given: the document's own granularity. */
const GRANULARITIES = [1, 0.5, 0.25, 0.1, 0.05, 0.01, 0.001];

function divides(g: number, value: number): boolean {
  const q = value / g;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

function granularity(values: number[]): number {
  for (const g of GRANULARITIES) if (values.every((v) => divides(g, v))) return g;
  return GRANULARITIES[GRANULARITIES.length - 1];
}

/** Rounds away float noise (0.1 + 0.2) to the millionth, the precision formatNumber shows. */
export function roundValue(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

interface Draft extends Omit<NumericParameter, "step" | "label"> {
  integral?: boolean;
}

/** Every numeric parameter of the document, in the order of the official table. */
export function listParameters(doc: StandardDocument, options: ParameterOptions = {}): NumericParameter[] {
  const program = options.program;
  const drafts: Draft[] = [];
  const categoryById = new Map(doc.categories.map((c) => [c.id, c]));
  const factById = new Map(doc.facts.map((f) => [f.id, f]));
  const derivedById = new Map((doc.derived ?? []).map((d) => [d.id, d]));

  const factName = (id: Id): LocalizedText => {
    const fact = factById.get(id) ?? derivedById.get(id);
    return fact ? fact.label : text(id, id);
  };
  const factUnit = (id: Id): string | undefined => {
    const derived = derivedById.get(id);
    return factById.get(id)?.unit ?? (derived?.kind === "age" ? "age" : derived?.unit);
  };
  const factIntegral = (id: Id): boolean => {
    const fact = factById.get(id);
    if (fact) return fact.type === "integer";
    const derived = derivedById.get(id);
    return derived !== undefined && (derived.kind === "age" || derived.kind === "duration" || (derived.kind === "aggregate" && derived.op === "count"));
  };
  const factBounds = (id: Id): [number, number] => {
    const fact = factById.get(id);
    return [fact?.minimum ?? 0, fact?.maximum ?? MAX_MAGNITUDE];
  };

  const signBounds = (category: Category | undefined): [number, number] =>
    category?.kind === "deduction" ? [-MAX_MAGNITUDE, 0] : [0, MAX_MAGNITUDE];

  /** Numbers a condition compares a fact with (not inside records, not another fact). */
  const conditionThresholds = (condition: Condition | undefined, pointer: string, path: LocalizedText[], scope: ParameterScope): void => {
    if (!condition) return;
    if ("all" in condition) return condition.all.forEach((c, k) => conditionThresholds(c, `${pointer}/all/${k}`, path, scope));
    if ("any" in condition) return condition.any.forEach((c, k) => conditionThresholds(c, `${pointer}/any/${k}`, path, scope));
    if ("not" in condition) return conditionThresholds(condition.not, `${pointer}/not`, path, scope);
    const leaf = condition as FactCondition;
    if (leaf.path !== undefined || leaf.fact.startsWith("list:")) return;
    if (!factById.has(leaf.fact) && !derivedById.has(leaf.fact)) return;
    const name = factName(leaf.fact);
    const what = text(`条件：${name.zh}`, `condition: ${name.en}`);
    const [min, max] = factBounds(leaf.fact);
    const push = (value: number, at: string) =>
      drafts.push({ pointer: at, kind: "threshold", scope, path, what, value, min, max, unit: factUnit(leaf.fact), integral: factIntegral(leaf.fact) });
    if (typeof leaf.value === "number") push(leaf.value, `${pointer}/value`);
    else if (Array.isArray(leaf.value) && leaf.operator === "between") {
      leaf.value.forEach((v, k) => {
        if (typeof v === "number") push(v, `${pointer}/value/${k}`);
      });
    }
  };

  const totalRule = (rule: TotalRule | undefined, pointer: string, path: LocalizedText[], scope: ParameterScope): void => {
    if (!rule) return;
    if (typeof rule.floor === "number")
      drafts.push({ pointer: `${pointer}/floor`, kind: "floor", scope, path, what: WHAT.floor, value: rule.floor, min: -MAX_MAGNITUDE, max: rule.cap ?? MAX_MAGNITUDE, unit: "points" });
    if (typeof rule.cap === "number")
      drafts.push({ pointer: `${pointer}/cap`, kind: "cap", scope, path, what: WHAT.totalCap, value: rule.cap, min: Math.max(0, rule.floor ?? 0), max: MAX_MAGNITUDE, unit: "points" });
    (rule.adjustments ?? []).forEach((adjustment, k) => {
      const at = `${pointer}/adjustments/${k}`;
      const adjustmentPath = [...path, adjustment.label];
      if (typeof adjustment.percent === "number")
        drafts.push({ pointer: `${at}/percent`, kind: "adjustment", scope, path: adjustmentPath, what: WHAT.percent, value: adjustment.percent, min: -100, max: MAX_MAGNITUDE, unit: "percent" });
      if (typeof adjustment.multiplier === "number")
        drafts.push({ pointer: `${at}/multiplier`, kind: "adjustment", scope, path: adjustmentPath, what: WHAT.multiplier, value: adjustment.multiplier, min: 0, max: MAX_MAGNITUDE, unit: "multiplier" });
      conditionThresholds(adjustment.when, `${at}/when`, adjustmentPath, scope);
    });
  };

  const TOTAL = text("总分", "total");

  doc.categories.forEach((category, k) => {
    if (typeof category.cap === "number")
      drafts.push({ pointer: `/categories/${k}/cap`, kind: "cap", scope: { kind: "category", id: category.id }, path: [category.label], what: WHAT.cap, value: category.cap, min: 0, max: MAX_MAGNITUDE, unit: "points" });
  });

  doc.items.forEach((item, k) => {
    if (!appliesTo(item.programs, program)) return;
    const category = categoryById.get(item.category);
    const path = category ? [category.label, item.label] : [item.label];
    const at = `/items/${k}`;
    const scope: ParameterScope = { kind: "item", id: item.id };
    const [low, high] = signBounds(category);
    const points = (pointer: string, value: number, where: LocalizedText[], what = WHAT.points, kind: ParameterKind = "points") =>
      drafts.push({ pointer, kind, scope, path: where, what, value, min: low, max: high, unit: "points" });
    conditionThresholds(item.when, `${at}/when`, path, scope);
    if (item.vesting) {
      const name = factName(item.vesting.fact);
      const [min, max] = factBounds(item.vesting.fact);
      drafts.push({ pointer: `${at}/vesting/atLeast`, kind: "threshold", scope, path, what: text(`满足后计入：${name.zh}`, `counts once reached: ${name.en}`), value: item.vesting.atLeast, min, max, unit: factUnit(item.vesting.fact), integral: factIntegral(item.vesting.fact) });
    }
    const first = drafts.length;
    scoringParameters(item, at, path, points, drafts, scope, { factName, factUnit, factIntegral, factBounds, conditionThresholds, low, high });
    if (typeof item.cap === "number") {
      // The standard refuses a cap below the item's smallest points (it would always apply): the cap stays at or
      // above them, and they at or below it.
      const own = drafts.slice(first).filter((d) => d.kind === "points" && d.pointer.startsWith(`${at}/scoring/`));
      const magnitudes = own.map((d) => Math.abs(d.value)).filter((v) => v > 0);
      const smallest = magnitudes.length ? Math.min(...magnitudes) : 0;
      const cap = item.cap;
      for (const d of own) {
        const others = own.filter((o) => o !== d).map((o) => Math.abs(o.value)).filter((v) => v > 0);
        if (others.length === 0 || Math.min(...others) > cap) {
          if (low < 0) d.min = Math.max(d.min, -cap);
          else d.max = Math.min(d.max, cap);
        }
      }
      drafts.push({ pointer: `${at}/cap`, kind: "cap", scope, path, what: WHAT.cap, value: cap, min: smallest, max: MAX_MAGNITUDE, unit: "points" });
    }
  });

  (doc.groups ?? []).forEach((group, k) => {
    if (typeof group.cap === "number")
      drafts.push({ pointer: `/groups/${k}/cap`, kind: "cap", scope: { kind: "group", id: group.id }, path: [group.label], what: WHAT.cap, value: group.cap, min: 0, max: MAX_MAGNITUDE, unit: "points" });
  });

  (doc.gates ?? []).forEach((gate, k) => {
    if (appliesTo(gate.programs, program)) conditionThresholds(gate.condition, `/gates/${k}/condition`, [text("申请条件", "eligibility conditions"), gate.label], { kind: "gate", id: gate.id });
  });
  (doc.vetoes ?? []).forEach((veto, k) => {
    if (appliesTo(veto.programs, program)) conditionThresholds(veto.condition, `/vetoes/${k}/condition`, [text("一票否决", "vetoes"), veto.label], { kind: "veto", id: veto.id });
  });

  const programUsesDocumentTotal = (p: Program) => p.total === undefined;
  const documentTotalUsed = program === undefined ? doc.programs.some(programUsesDocumentTotal) : doc.programs.some((p) => p.id === program && programUsesDocumentTotal(p));
  if (documentTotalUsed) totalRule(doc.total, "/total", [TOTAL], { kind: "total" });

  doc.programs.forEach((p, k) => {
    if (program !== undefined && p.id !== program) return;
    const path = [p.label];
    totalRule(p.total, `/programs/${k}/total`, [p.label, TOTAL], { kind: "total", program: p.id });
    const allocation = p.allocation;
    const scope: ParameterScope = { kind: "allocation", program: p.id };
    if (allocation.kind === "threshold")
      drafts.push({ pointer: `/programs/${k}/allocation/threshold`, kind: "scoreLine", scope, path, what: WHAT.threshold, value: allocation.threshold, min: -MAX_MAGNITUDE, max: MAX_MAGNITUDE, unit: "points" });
    else if (typeof allocation.minimumTotal === "number")
      drafts.push({ pointer: `/programs/${k}/allocation/minimumTotal`, kind: "scoreLine", scope, path, what: WHAT.minimumTotal, value: allocation.minimumTotal, min: -MAX_MAGNITUDE, max: MAX_MAGNITUDE, unit: "points" });
  });

  return drafts.map(({ integral, ...rest }) => {
    const step = integral ? 1 : granularity([rest.value]);
    const min = Math.min(rest.min, rest.value);
    const max = Math.max(rest.max, rest.value);
    return { ...rest, min, max, step, label: joined([...rest.path, rest.what]) };
  });
}

interface ScoringHelpers {
  factName: (id: Id) => LocalizedText;
  factUnit: (id: Id) => string | undefined;
  factIntegral: (id: Id) => boolean;
  factBounds: (id: Id) => [number, number];
  conditionThresholds: (condition: Condition | undefined, pointer: string, path: LocalizedText[], scope: ParameterScope) => void;
  low: number;
  high: number;
}

function scoringParameters(
  item: ScoringItem,
  at: string,
  path: LocalizedText[],
  points: (pointer: string, value: number, where: LocalizedText[], what?: LocalizedText, kind?: ParameterKind) => void,
  drafts: Draft[],
  scope: ParameterScope,
  h: ScoringHelpers,
): void {
  const scoring = item.scoring;
  const s = `${at}/scoring`;
  switch (scoring.kind) {
    case "fixed":
      points(`${s}/points`, scoring.points, path);
      return;
    case "tiers":
      scoring.tiers.forEach((tier, k) => {
        const tierPath = [...path, tier.label];
        h.conditionThresholds(tier.when, `${s}/tiers/${k}/when`, tierPath, scope);
        points(`${s}/tiers/${k}/points`, tier.points, tierPath);
      });
      return;
    case "bands": {
      const name = h.factName(scoring.fact);
      const [factMin, factMax] = h.factBounds(scoring.fact);
      scoring.bands.forEach((band, k) => {
        const bandPath = [...path, band.label ?? bandLabel(band.min, band.max)];
        points(`${s}/bands/${k}/points`, band.points, bandPath);
        // A boundary shared with the next band moves both, so that the bands neither overlap nor leave a gap.
        if (typeof band.max === "number") {
          const next = scoring.bands[k + 1];
          const linked = next && next.min === band.max ? [`${s}/bands/${k + 1}/min`] : undefined;
          const min = typeof band.min === "number" ? band.min : factMin;
          const max = linked && typeof next.max === "number" ? next.max : factMax;
          drafts.push({ pointer: `${s}/bands/${k}/max`, linked, kind: "boundary", scope, path: bandPath, what: text(`上限：${name.zh}`, `upper bound: ${name.en}`), value: band.max, min: nextUp(min), max: linked ? nextDown(max) : max, unit: h.factUnit(scoring.fact), integral: h.factIntegral(scoring.fact) });
        }
        if (typeof band.min === "number") {
          const previous = scoring.bands[k - 1];
          if (previous && previous.max === band.min) return;
          const max = typeof band.max === "number" ? band.max : factMax;
          drafts.push({ pointer: `${s}/bands/${k}/min`, kind: "boundary", scope, path: bandPath, what: text(`下限：${name.zh}`, `lower bound: ${name.en}`), value: band.min, min: factMin, max: nextDown(max), unit: h.factUnit(scoring.fact), integral: h.factIntegral(scoring.fact) });
        }
      });
      return;
    }
    case "linear":
      drafts.push({ pointer: `${s}/origin`, kind: "threshold", scope, path, what: WHAT.origin, value: scoring.origin, ...boundsOf(h.factBounds(scoring.fact)), unit: h.factUnit(scoring.fact), integral: h.factIntegral(scoring.fact) });
      points(`${s}/basePoints`, scoring.basePoints, path, WHAT.basePoints);
      drafts.push({ pointer: `${s}/pointsPerStep`, kind: "rate", scope, path, what: WHAT.pointsPerStep, value: scoring.pointsPerStep, min: -MAX_MAGNITUDE, max: MAX_MAGNITUDE, unit: "points" });
      if (typeof scoring.min === "number")
        drafts.push({ pointer: `${s}/min`, kind: "floor", scope, path, what: WHAT.min, value: scoring.min, min: -MAX_MAGNITUDE, max: scoring.max ?? MAX_MAGNITUDE, unit: "points" });
      if (typeof scoring.max === "number")
        drafts.push({ pointer: `${s}/max`, kind: "cap", scope, path, what: WHAT.max, value: scoring.max, min: scoring.min ?? -MAX_MAGNITUDE, max: MAX_MAGNITUDE, unit: "points" });
      return;
    case "accrual":
      scoring.bands.forEach((band, k) => {
        const bandPath = scoring.bands.length > 1 ? [...path, bandLabel(band.from, band.to)] : path;
        drafts.push({ pointer: `${s}/bands/${k}/rate`, kind: "rate", scope, path: bandPath, what: WHAT.rate, value: band.rate, min: h.low, max: h.high, unit: "points" });
      });
      return;
    case "perRecord":
      if (typeof scoring.points === "number") points(`${s}/points`, scoring.points, path);
      if (scoring.perUnit)
        drafts.push({ pointer: `${s}/perUnit/rate`, kind: "rate", scope, path, what: WHAT.perUnitRate, value: scoring.perUnit.rate, min: h.low, max: h.high, unit: "points" });
      if (scoring.groupCap)
        drafts.push({ pointer: `${s}/groupCap/cap`, kind: "cap", scope, path, what: WHAT.groupCap, value: scoring.groupCap.cap, min: 0, max: MAX_MAGNITUDE, unit: "points" });
      return;
  }
}

function boundsOf([min, max]: [number, number]): { min: number; max: number } {
  return { min, max };
}

/** Bounds of a boundary are exclusive of its neighbours; the step (at least 0.001) keeps them apart. */
function nextUp(value: number): number {
  return roundValue(value + 0.001);
}
function nextDown(value: number): number {
  return roundValue(value - 0.001);
}

function bandLabel(min: number | undefined, max: number | undefined): LocalizedText {
  const lo = min === undefined ? undefined : String(roundValue(min));
  const hi = max === undefined ? undefined : String(roundValue(max));
  if (lo !== undefined && hi !== undefined) return text(`${lo}–${hi}`, `${lo}–${hi}`);
  if (lo !== undefined) return text(`${lo}及以上`, `${lo} and above`);
  if (hi !== undefined) return text(`${hi}以下`, `below ${hi}`);
  return text("全部", "all");
}

/** The value `steps` steps away (negative: down), or undefined when it leaves the parameter's bounds. */
export function steppedValue(parameter: NumericParameter, steps: number): number | undefined {
  const value = roundValue(parameter.value + steps * parameter.step);
  return value < parameter.min || value > parameter.max ? undefined : value;
}

function setAt(node: unknown, segments: string[], value: number): unknown {
  if (segments.length === 0) return value;
  const [head, ...rest] = segments;
  const key = head.replace(/~1/g, "/").replace(/~0/g, "~");
  if (Array.isArray(node)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= node.length) throw new ParameterPointerError(segments.join("/"));
    const copy = node.slice();
    copy[index] = setAt(node[index], rest, value);
    return copy;
  }
  if (node !== null && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (rest.length > 0 && !Object.hasOwn(record, key)) throw new ParameterPointerError(segments.join("/"));
    return { ...record, [key]: setAt(record[key], rest, value) };
  }
  throw new ParameterPointerError(segments.join("/"));
}

export class ParameterPointerError extends Error {
  readonly code = "parameterPointer";
  constructor(readonly pointer: string) {
    super(`No number at ${pointer}`);
  }
}

/** A copy of the document with the number at `pointer` set to `value` (the original is not changed). */
export function withValue(doc: StandardDocument, pointer: string, value: number): StandardDocument {
  const segments = pointer.split("/").slice(1);
  return setAt(doc, segments, value) as StandardDocument;
}

/** A copy of the document with the parameter (and the numbers linked to it) set to `value`. */
export function withParameter(doc: StandardDocument, parameter: Pick<NumericParameter, "pointer" | "linked">, value: number): StandardDocument {
  let next = withValue(doc, parameter.pointer, value);
  for (const pointer of parameter.linked ?? []) next = withValue(next, pointer, value);
  return next;
}

/** The document with the parameter moved `steps` steps (negative: down), or undefined outside its bounds. */
export function applyStep(doc: StandardDocument, parameter: NumericParameter, steps: number): StandardDocument | undefined {
  const value = steppedValue(parameter, steps);
  return value === undefined ? undefined : withParameter(doc, parameter, value);
}

/** Looks a parameter up by its pointer. */
export function parameterAt(parameters: NumericParameter[], pointer: string): NumericParameter | undefined {
  return parameters.find((p) => p.pointer === pointer);
}
