/**
 * The explanation of one score sheet, in both languages, as every output shows it (decision 037): the web sheet, the
 * CLI (text, Markdown, HTML), the API's `explain=true` and the exports render this model and add nothing of their own.
 * Per item: the inputs read with their units, the arithmetic in words ("84个月 → 7年 × 4分 = 28分"), the tier or band
 * chosen and those not reached, records counted and those outside the window with its dates, caps with the amount
 * removed, choose-one groups, vesting; gates and vetoes by label with the fact values that decided them; the verdict,
 * and no total where there is no score. Ids stay beside the texts for `--json`; the texts never show them.
 * Pure: the sheet and the document in, plain JSON out.
 */
import type { ConditionTrace, ItemOutcome, ScoreSheet } from "../types";
import type {
  AccrualScoring,
  FactCondition,
  Id,
  IsoDate,
  LinearScoring,
  LocalizedText,
  PerRecordScoring,
  ScoringItem,
  StandardDocument,
  Verdict,
} from "../../rules-schema/types";
import { personLabel } from "../../rules-schema/persons";
import {
  describeFactCondition,
  describeRange,
  describeValue,
  describeWindow,
  factInfo,
  formatDate,
  formatNumber,
  inRecords,
  joinList,
  pickText,
  pointsText,
  quantity,
  type DescribeContext,
  type Lang,
} from "./describe";
import { verdictOf } from "./testcases";

export type Text = LocalizedText;

/** A fact as the explanation read it: its label and its value in words. */
export interface ExplainedFact {
  fact: Id;
  label: Text;
  value: Text;
}

export interface ExplainedItem {
  id: Id;
  label: Text;
  category: Id;
  /** Points that count towards the total. */
  points: number;
  notApplicable: boolean;
  inputs: ExplainedFact[];
  /** The scoring rule's arithmetic in words, one line per step ("84个月 → 7年 × 4分 = 28分"). */
  arithmetic: Text[];
  /** What then changed the points: vesting not reached, the item's cap (with the amount removed), a choose-one group. */
  limits: Text[];
  /** Tiers and bands not reached, records not counted, the window, vesting, caps, choose-one groups. */
  notes: Text[];
  article?: string;
}

export interface ExplainedRule {
  id: Id;
  label: Text;
  /** A gate that passed; a veto that was not triggered: the outcome the applicant wants. */
  ok: boolean;
  /** The condition with the values seen, one line per leaf. */
  conditions: Text[];
  /** The facts that decided the outcome. */
  facts: ExplainedFact[];
  /** The document's reason, shown when the rule goes against the applicant. */
  reason?: Text;
}

export interface ExplainedAdjustment {
  kind: ScoreSheet["adjustments"][number]["kind"];
  id?: Id;
  category?: Id;
  points: number;
  label: Text;
}

export interface ExplainedVerdict {
  kind: Verdict;
  /** The score line (threshold, or a quota program's minimum total) when the program has one. */
  line?: number;
  text: Text;
}

export interface ExplainedPersons {
  scored: Id;
  text: Text;
  candidates: Array<{ person: Id; label: Text; total: number | null; status: Text; counts: boolean }>;
}

export interface Explanation {
  standard: { id: Id; title: Text; version: string; documentNumbers: string[] };
  program: { id: Id; label: Text };
  date: IsoDate;
  dateText: Text;
  persons?: ExplainedPersons;
  gates: ExplainedRule[];
  vetoes: ExplainedRule[];
  items: ExplainedItem[];
  adjustments: ExplainedAdjustment[];
  categories: Array<{ id: Id; label: Text; points: number }>;
  verdict: ExplainedVerdict;
  /** null: the applicant fails a gate or is vetoed, so there is no score (decision 037). */
  total: number | null;
}

type Ctx = DescribeContext;
const LANGS: Lang[] = ["zh-CN", "en"];

/** Builds a text in both languages from one function of the language. */
function both(doc: StandardDocument, make: (ctx: Ctx) => string): Text {
  const [zh, en] = LANGS.map((lang) => make({ doc, lang }));
  return { zh, en };
}

const en = (ctx: Ctx) => ctx.lang === "en";
const colon = (ctx: Ctx) => (en(ctx) ? ": " : "：");

/** The score a sheet gives: none when a gate fails or a veto is triggered. */
export function scoreOf(sheet: Pick<ScoreSheet, "eligible" | "vetoed" | "total">): number | null {
  return sheet.eligible && !sheet.vetoed ? sheet.total : null;
}

function leaves(trace: ConditionTrace | undefined): ConditionTrace[] {
  if (!trace) return [];
  if (!trace.kind) return [trace];
  return (trace.children ?? []).flatMap(leaves);
}

function traceLine(ctx: Ctx, trace: ConditionTrace): string {
  const sentence = trace.fact
    ? describeFactCondition(ctx, { fact: trace.fact, operator: trace.operator as FactCondition["operator"], value: trace.value })
    : "";
  const seen = describeValue(ctx, trace.fact, trace.factValue);
  const mark = trace.result ? "✓" : "✗";
  return en(ctx) ? `${mark} ${sentence} (value: ${seen})` : `${mark} ${sentence}（实际：${seen}）`;
}

function explainFact(doc: StandardDocument, fact: Id, value: unknown, recordsOf?: Id): ExplainedFact {
  return {
    fact,
    label: both(doc, (ctx) => factInfo(recordsOf ? inRecords(ctx, recordsOf) : ctx, fact).label),
    value: both(doc, (ctx) => describeValue(recordsOf ? inRecords(ctx, recordsOf) : ctx, fact, value)),
  };
}

function uniqueFacts(facts: ExplainedFact[]): ExplainedFact[] {
  const seen = new Set<string>();
  return facts.filter((fact) => (seen.has(fact.fact) ? false : (seen.add(fact.fact), true)));
}

function explainRule(
  doc: StandardDocument,
  definition: { id: Id; label: Text } | undefined,
  id: Id,
  trace: ConditionTrace,
  ok: boolean,
  reason: Text,
  decisive: (leaf: ConditionTrace) => boolean,
): ExplainedRule {
  const all = leaves(trace).filter((leaf) => leaf.fact !== undefined);
  const deciding = ok ? all : all.filter(decisive);
  return {
    id,
    label: definition?.label ?? { zh: id, en: id },
    ok,
    conditions: all.map((leaf) => both(doc, (ctx) => traceLine(ctx, leaf))),
    facts: uniqueFacts((deciding.length > 0 ? deciding : all).map((leaf) => explainFact(doc, leaf.fact as Id, leaf.factValue))),
    ...(ok ? {} : { reason }),
  };
}

/** "84个月 → 7年" when the accrual counts per 12 months; otherwise "7 × 6个月". */
function unitsText(ctx: Ctx, units: number, per: number, unit: string | undefined): string {
  if (per === 1) return quantity(ctx.lang, units, unit);
  if ((unit === "month" || unit === "months") && per % 12 === 0) return quantity(ctx.lang, (units * per) / 12, "year");
  return `${formatNumber(units)} × ${quantity(ctx.lang, per, unit)}`;
}

function rateText(ctx: Ctx, rate: number): string {
  return pointsText(ctx.lang, rate);
}

function accrualLines(ctx: Ctx, scoring: AccrualScoring, value: number, raw: number): string[] {
  const info = factInfo(ctx, scoring.fact);
  const per = scoring.per ?? 1;
  const floor = scoring.rounding !== "none";
  const shown = quantity(ctx.lang, value, info.unit);
  const parts: string[] = [];
  for (const band of scoring.bands) {
    const upper = band.to === undefined ? value : Math.min(value, band.to);
    const part = upper - band.from;
    if (part <= 0) continue;
    const quotient = Math.round((part / per) * 1e9) / 1e9;
    const units = floor ? Math.floor(quotient) : quotient;
    const points = Math.round(units * band.rate * 1e9) / 1e9;
    const step = `${unitsText(ctx, units, per, info.unit)} × ${rateText(ctx, band.rate)} = ${pointsText(ctx.lang, points)}`;
    const single = scoring.bands.length === 1 && band.from === 0;
    if (single) parts.push(`${shown} → ${step}`);
    else {
      const range = describeRange(ctx.lang, band.from, band.to, info.unit);
      parts.push(en(ctx) ? `the part ${range} (${quantity(ctx.lang, part, info.unit)}) → ${step}` : `${range}部分（${quantity(ctx.lang, part, info.unit)}）→ ${step}`);
    }
  }
  if (parts.length === 0) return [en(ctx) ? `${shown} → ${pointsText(ctx.lang, 0)}` : `${shown} → ${pointsText(ctx.lang, 0)}`];
  if (parts.length === 1) return parts;
  return [`${shown}${colon(ctx)}`, ...parts, en(ctx) ? `together ${pointsText(ctx.lang, raw)}` : `合计 ${pointsText(ctx.lang, raw)}`];
}

function linearLine(ctx: Ctx, scoring: LinearScoring, value: number, raw: number): string {
  const info = factInfo(ctx, scoring.fact);
  const unit = info.unit === "age" ? "year" : info.unit;
  const rawUnits = scoring.direction === "up" ? value - scoring.origin : scoring.origin - value;
  const units = Math.max(0, rawUnits);
  const step = scoring.step ?? 1;
  const quotient = Math.round((units / step) * 1e9) / 1e9;
  const steps = scoring.rounding === "none" ? quotient : Math.floor(quotient);
  const shown = quantity(ctx.lang, value, info.unit);
  const origin = quantity(ctx.lang, scoring.origin, info.unit);
  const distance = quantity(ctx.lang, units, unit);
  const side = en(ctx)
    ? `${distance} ${scoring.direction === "up" ? "above" : "below"} ${origin}`
    : `${scoring.direction === "up" ? "超出" : "低于"}${origin} ${distance}`;
  const stepQuantity = quantity(ctx.lang, step, unit);
  const stepsText = step === 1 ? "" : `${en(ctx) ? ", " : "，"}${distance} ÷ ${stepQuantity} = ${formatNumber(steps)}`;
  const unclamped = Math.round((scoring.basePoints + steps * scoring.pointsPerStep) * 1e9) / 1e9;
  let line = `${shown}${en(ctx) ? ", " : "，"}${side}${stepsText} → ${pointsText(ctx.lang, scoring.basePoints)} + ${formatNumber(steps)} × ${rateText(ctx, scoring.pointsPerStep)} = ${pointsText(ctx.lang, unclamped)}`;
  if (unclamped !== raw) {
    line += en(ctx) ? `, limited to ${pointsText(ctx.lang, raw)}` : `，按${unclamped < raw ? "最低" : "最高"}${pointsText(ctx.lang, raw)}计`;
  }
  return line;
}

function windowText(ctx: Ctx, window: NonNullable<ItemOutcome["explanation"]["window"]>): string {
  const from = formatDate(ctx.lang, window.from);
  const to = formatDate(ctx.lang, window.to);
  if (en(ctx)) return `${window.fromInclusive ? "from" : "after"} ${from} up to ${to}`;
  return `${from}${window.fromInclusive ? "" : "（不含）"}至${to}`;
}

function perRecordLines(ctx: Ctx, scoring: PerRecordScoring, outcome: ItemOutcome, raw: number): { arithmetic: string[]; notes: string[] } {
  const explanation = outcome.explanation;
  const records = explanation.records ?? [];
  const recordsLabel = factInfo(ctx, scoring.records).label;
  const recordCtx = inRecords(ctx, scoring.records);
  const counted = records.filter((record) => record.counted);
  const notes: string[] = [];
  if (scoring.within) {
    const rule = describeWindow(ctx, scoring.within);
    const window = explanation.window;
    notes.push(
      window
        ? en(ctx) ? `window: ${rule}, ${windowText(ctx, window)}` : `时间范围：${rule}，即${windowText(ctx, window)}`
        : en(ctx) ? `window: ${rule}; its starting date is not given, so no record is inside` : `时间范围：${rule}；起算日期未填写，没有记录在范围内`,
    );
  }
  const dateOf = (record: (typeof records)[number]) =>
    record.date !== undefined && scoring.within ? describeValue(recordCtx, scoring.within.dateField, record.date) : "";
  const number = (record: (typeof records)[number]) => {
    const date = dateOf(record);
    const n = en(ctx) ? `#${record.index + 1}` : `第${record.index + 1}条`;
    return date ? (en(ctx) ? `${n} (${date})` : `${n}（${date}）`) : n;
  };
  const reasons: Array<[string, string]> = [
    ["within", en(ctx) ? "outside the window" : "不在时间范围内"],
    ["where", en(ctx) ? "not of this item" : "不属于本项"],
    ["perUnit", en(ctx) ? "no quantity given" : "缺少计分数量"],
    ["onceBy", en(ctx) ? "the same act counts once" : "同一事项只计一次"],
  ];
  for (const [reason, why] of reasons) {
    const these = records.filter((record) => !record.counted && (record.reason ?? "onceBy") === reason);
    if (these.length === 0) continue;
    notes.push(en(ctx) ? `not counted (${why}): ${these.map(number).join(", ")}` : `不计（${why}）：${these.map(number).join("、")}`);
  }
  if (records.length === 0) return { arithmetic: [en(ctx) ? `${recordsLabel}: none → ${pointsText(ctx.lang, 0)}` : `${recordsLabel}：无记录 → ${pointsText(ctx.lang, 0)}`], notes };
  const term = (record: (typeof records)[number]) => {
    if (scoring.perUnit && record.quantity !== undefined) {
      const field = factInfo(recordCtx, scoring.perUnit.field);
      return `${quantity(ctx.lang, record.quantity, field.unit)} × ${rateText(ctx, scoring.perUnit.rate)}`;
    }
    return pointsText(ctx.lang, record.points);
  };
  const countedText = en(ctx) ? `${counted.length} of ${records.length} record(s) counted` : `${records.length}条中计入${counted.length}条`;
  let sum: string;
  const sameFixed = !scoring.perUnit && counted.length > 1 && counted.every((record) => record.points === counted[0].points);
  if (counted.length === 0) sum = pointsText(ctx.lang, 0);
  else if (counted.length === 1 && !scoring.perUnit) sum = pointsText(ctx.lang, counted[0].points);
  else if (sameFixed) sum = `${counted.length} × ${pointsText(ctx.lang, counted[0].points)} = ${pointsText(ctx.lang, counted.reduce((a, r) => a + r.points, 0))}`;
  else sum = `${counted.map(term).join(" + ")} = ${pointsText(ctx.lang, Math.round(counted.reduce((a, r) => a + r.points, 0) * 1e9) / 1e9)}`;
  const lines = [`${recordsLabel}${colon(ctx)}${countedText} → ${sum}`];
  const summed = Math.round(counted.reduce((a, r) => a + r.points, 0) * 1e9) / 1e9;
  if (summed !== raw && scoring.groupCap) {
    lines.push(
      en(ctx)
        ? `at most ${pointsText(ctx.lang, scoring.groupCap.cap)} per group → ${pointsText(ctx.lang, raw)}`
        : `每组最多${pointsText(ctx.lang, scoring.groupCap.cap)} → ${pointsText(ctx.lang, raw)}`,
    );
  }
  if (counted.length > 0 && records.length > 1) {
    notes.unshift(
      en(ctx)
        ? `counted: ${counted.map(number).join(", ")}`
        : `计入：${counted.map(number).join("、")}`,
    );
  }
  return { arithmetic: lines, notes };
}

function describeItem(ctx: Ctx, doc: StandardDocument, item: ScoringItem | undefined, outcome: ItemOutcome, byId: Map<Id, ItemOutcome>): { arithmetic: string[]; limits: string[]; notes: string[] } {
  const explanation = outcome.explanation;
  const arithmetic: string[] = [];
  const limits: string[] = [];
  const notes: string[] = [];
  if (explanation.notApplicable) return { arithmetic: [en(ctx) ? "does not apply to this program" : "不适用于本项目"], limits, notes };
  if (explanation.when && !explanation.when.result) {
    arithmetic.push(en(ctx) ? `condition not met → ${pointsText(ctx.lang, 0)}` : `计分条件不满足 → ${pointsText(ctx.lang, 0)}`);
    notes.push(...leaves(explanation.when).filter((leaf) => leaf.fact).map((leaf) => traceLine(ctx, leaf)));
    return { arithmetic, limits, notes };
  }
  if (!item) return { arithmetic: [pointsText(ctx.lang, outcome.points)], limits, notes };
  const scoring = item.scoring;
  const raw = explanation.rawPoints ?? explanation.cappedFrom ?? (explanation.supersededBy?.forgone ?? outcome.points);
  switch (scoring.kind) {
    case "fixed":
      arithmetic.push(en(ctx) ? `fixed: ${pointsText(ctx.lang, scoring.points)}` : `固定分值：${pointsText(ctx.lang, scoring.points)}`);
      break;
    case "tiers": {
      const chosen = scoring.tiers.find((tier) => tier.id === explanation.chosenTier);
      if (chosen) {
        arithmetic.push(en(ctx) ? `tier “${pickText(ctx.lang, chosen.label)}” → ${pointsText(ctx.lang, chosen.points)}` : `“${pickText(ctx.lang, chosen.label)}”档 → ${pointsText(ctx.lang, chosen.points)}`);
        const trace = explanation.tiers?.find((tier) => tier.id === chosen.id)?.trace;
        notes.push(...leaves(trace).filter((leaf) => leaf.fact).map((leaf) => traceLine(ctx, leaf)));
      } else arithmetic.push(en(ctx) ? `no tier holds → ${pointsText(ctx.lang, 0)}` : `没有满足的档次 → ${pointsText(ctx.lang, 0)}`);
      const higher = scoring.tiers.filter((tier) => tier.points > (chosen?.points ?? 0) && tier.id !== chosen?.id);
      if (higher.length > 0) {
        const names = higher.map((tier) => (en(ctx) ? `“${pickText(ctx.lang, tier.label)}” (${pointsText(ctx.lang, tier.points)})` : `“${pickText(ctx.lang, tier.label)}”（${pointsText(ctx.lang, tier.points)}）`));
        notes.push(en(ctx) ? `not reached: ${names.join(", ")}` : `未达到：${names.join("、")}`);
      }
      break;
    }
    case "bands": {
      const info = factInfo(ctx, scoring.fact);
      const value = describeValue(ctx, scoring.fact, explanation.input);
      const band = scoring.bands.find((entry) => entry.id === explanation.chosenTier);
      const bandName = (entry: (typeof scoring.bands)[number]) =>
        entry.label ? pickText(ctx.lang, entry.label) : describeRange(ctx.lang, entry.min, entry.max, info.unit, info.type === "integer");
      if (band) arithmetic.push(`${value} → ${en(ctx) ? `band “${bandName(band)}”` : `“${bandName(band)}”档`} → ${pointsText(ctx.lang, band.points)}`);
      else arithmetic.push(en(ctx) ? `${value}: in no band → ${pointsText(ctx.lang, 0)}` : `${value}：不在任何一档 → ${pointsText(ctx.lang, 0)}`);
      const higher = scoring.bands.filter((entry) => entry.points > (band?.points ?? 0) && entry.id !== band?.id);
      if (higher.length > 0) {
        const names = higher.map((entry) => (en(ctx) ? `“${bandName(entry)}” (${pointsText(ctx.lang, entry.points)})` : `“${bandName(entry)}”（${pointsText(ctx.lang, entry.points)}）`));
        notes.push(en(ctx) ? `not reached: ${names.join(", ")}` : `未达到：${names.join("、")}`);
      }
      break;
    }
    case "linear":
    case "accrual": {
      const value = explanation.input;
      if (typeof value !== "number" || !Number.isFinite(value)) {
        arithmetic.push(`${describeValue(ctx, scoring.fact, value)} → ${pointsText(ctx.lang, 0)}`);
      } else if (scoring.kind === "linear") arithmetic.push(linearLine(ctx, scoring, value, explanation.rawPoints ?? raw));
      else arithmetic.push(...accrualLines(ctx, scoring, value, explanation.rawPoints ?? raw));
      break;
    }
    case "perRecord": {
      const lines = perRecordLines(ctx, scoring, outcome, explanation.rawPoints ?? raw);
      arithmetic.push(...lines.arithmetic);
      notes.push(...lines.notes);
      break;
    }
  }
  if (explanation.vesting) {
    const info = factInfo(ctx, explanation.vesting.fact);
    const value = describeValue(ctx, explanation.vesting.fact, explanation.vesting.value);
    const atLeast = quantity(ctx.lang, explanation.vesting.atLeast, info.unit);
    const given = explanation.vesting.value !== undefined && explanation.vesting.value !== null;
    if (!given) limits.push(en(ctx) ? `${info.label}: not given, so it does not count → ${pointsText(ctx.lang, 0)}` : `${info.label}：未填写，不计分 → ${pointsText(ctx.lang, 0)}`);
    else if (explanation.vesting.vested) notes.push(en(ctx) ? `${info.label}: ${value}, reaches ${atLeast}: counts` : `${info.label}：${value}，已满${atLeast}，计分`);
    else limits.push(en(ctx) ? `${info.label}: ${value}, below ${atLeast}: does not count yet → ${pointsText(ctx.lang, 0)}` : `${info.label}：${value}，未满${atLeast}，暂不计分 → ${pointsText(ctx.lang, 0)}`);
  }
  if (explanation.cappedFrom !== undefined) {
    const capped = Math.sign(explanation.cappedFrom) * (item.cap ?? Math.abs(outcome.points));
    const removed = Math.round((explanation.cappedFrom - capped) * 1e9) / 1e9;
    limits.push(
      en(ctx)
        ? `capped at ${pointsText(ctx.lang, Math.abs(capped))}: ${pointsText(ctx.lang, explanation.cappedFrom)} → ${pointsText(ctx.lang, capped)} (${pointsText(ctx.lang, removed)} removed)`
        : `封顶${pointsText(ctx.lang, Math.abs(capped))}：${pointsText(ctx.lang, explanation.cappedFrom)} → ${pointsText(ctx.lang, capped)}（减去${pointsText(ctx.lang, removed)}）`,
    );
  }
  const superseded = explanation.supersededBy;
  if (superseded) {
    const winner = byId.get(superseded.item);
    // Every member at 0: nothing was chosen, and saying "X counts" would mislead.
    if (winner && winner.points !== 0 && (superseded.forgone ?? 0) !== 0) {
      const group = doc.groups?.find((candidate) => candidate.id === superseded.group);
      const winnerItem = doc.items.find((candidate) => candidate.id === superseded.item);
      const name = winnerItem ? pickText(ctx.lang, winnerItem.label) : superseded.item;
      const groupName = group ? pickText(ctx.lang, group.label) : "";
      limits.push(
        en(ctx)
          ? `choose one${groupName ? ` (${groupName})` : ""}: “${name}” counts with ${pointsText(ctx.lang, winner.points)} → this item ${pointsText(ctx.lang, 0)}`
          : `择一计分${groupName ? `（${groupName}）` : ""}：计入“${name}”${pointsText(ctx.lang, winner.points)} → 本项${pointsText(ctx.lang, 0)}`,
      );
    }
  }
  return { arithmetic, limits, notes };
}

function itemInputs(doc: StandardDocument, item: ScoringItem | undefined, outcome: ItemOutcome): ExplainedFact[] {
  const explanation = outcome.explanation;
  if (!item || explanation.notApplicable) return [];
  const facts: ExplainedFact[] = [];
  if (explanation.when) facts.push(...leaves(explanation.when).filter((leaf) => leaf.fact).map((leaf) => explainFact(doc, leaf.fact as Id, leaf.factValue)));
  const scoring = item.scoring;
  if (scoring.kind === "linear" || scoring.kind === "accrual" || scoring.kind === "bands") facts.push(explainFact(doc, scoring.fact, explanation.input));
  if (scoring.kind === "tiers") {
    const trace = explanation.tiers?.find((tier) => tier.id === explanation.chosenTier)?.trace ?? explanation.tiers?.[0]?.trace;
    facts.push(...leaves(trace).filter((leaf) => leaf.fact).map((leaf) => explainFact(doc, leaf.fact as Id, leaf.factValue)));
  }
  if (scoring.kind === "perRecord") {
    const count = explanation.records?.length ?? 0;
    facts.push({
      fact: scoring.records,
      label: both(doc, (ctx) => factInfo(ctx, scoring.records).label),
      value: { zh: `${count}条记录`, en: `${count} record(s)` },
    });
  }
  if (explanation.vesting) facts.push(explainFact(doc, explanation.vesting.fact, explanation.vesting.value));
  return uniqueFacts(facts);
}

function adjustmentLabel(ctx: Ctx, doc: StandardDocument, adjustment: ScoreSheet["adjustments"][number], sheet: ScoreSheet): string {
  const removed = pointsText(ctx.lang, adjustment.points);
  switch (adjustment.kind) {
    case "groupCap": {
      const group = doc.groups?.find((candidate) => candidate.id === adjustment.id);
      const name = group ? pickText(ctx.lang, group.label) : String(adjustment.id);
      return en(ctx)
        ? `shared cap “${name}” (at most ${pointsText(ctx.lang, group?.cap ?? 0)}): ${removed}`
        : `“${name}”合计封顶${pointsText(ctx.lang, group?.cap ?? 0)}：${removed}`;
    }
    case "categoryCap": {
      const category = doc.categories.find((candidate) => candidate.id === adjustment.id);
      const name = category ? pickText(ctx.lang, category.label) : String(adjustment.id);
      return en(ctx)
        ? `category cap “${name}” (at most ${pointsText(ctx.lang, category?.cap ?? 0)}): ${removed}`
        : `“${name}”类别封顶${pointsText(ctx.lang, category?.cap ?? 0)}：${removed}`;
    }
    case "totalFloor":
      return en(ctx) ? `floor of the total: ${removed}` : `总分保底：${removed}`;
    case "totalCap":
      return en(ctx) ? `ceiling of the total: ${removed}` : `总分封顶：${removed}`;
    case "totalAdjustment": {
      const program = doc.programs.find((candidate) => candidate.id === sheet.program);
      const found = [program?.total, doc.total].flatMap((rule) => rule?.adjustments ?? []).find((candidate) => candidate.id === adjustment.id);
      const name = found ? pickText(ctx.lang, found.label) : String(adjustment.id);
      return en(ctx) ? `adjustment of the total “${name}”: ${removed}` : `总分调整“${name}”：${removed}`;
    }
  }
}

function verdictText(ctx: Ctx, kind: Verdict, line: number | undefined, quota: boolean, total: number, failed: string[]): string {
  const points = pointsText(ctx.lang, total);
  const names = joinList(ctx.lang, failed.map((name) => `“${name}”`), "and");
  switch (kind) {
    case "vetoed":
      return en(ctx) ? `Vetoed: ${names}; no score` : `一票否决：${names}，不计分`;
    case "ineligible":
      return en(ctx) ? `Not eligible: ${names} not met; no score` : `不符合准入条件：${names}不满足，不计分`;
    case "belowLine":
      return en(ctx)
        ? `Below the score line: ${points}, the line is ${pointsText(ctx.lang, line ?? 0)}`
        : `未达分值线：${points}，分值线${pointsText(ctx.lang, line ?? 0)}`;
    case "admitted":
      if (quota) {
        return line !== undefined
          ? en(ctx) ? `Eligible: ${points}, reaches the minimum of ${pointsText(ctx.lang, line)}; ranked for the places` : `符合条件：${points}，达到准入分值${pointsText(ctx.lang, line)}，参加排序`
          : en(ctx) ? `Eligible: ${points}; ranked for the places` : `符合条件：${points}，参加排序`;
      }
      return line !== undefined
        ? en(ctx) ? `Reaches the score line: ${points}, the line is ${pointsText(ctx.lang, line)}` : `达到分值线：${points}，分值线${pointsText(ctx.lang, line)}`
        : en(ctx) ? `Eligible: ${points}` : `符合条件：${points}`;
  }
}

/** The explanation of a score sheet in both languages (decision 037). */
export function explainScore(doc: StandardDocument, sheet: ScoreSheet): Explanation {
  const program = doc.programs.find((candidate) => candidate.id === sheet.program);
  const allocation = program?.allocation;
  const line = allocation?.kind === "threshold" ? allocation.threshold : allocation?.minimumTotal;
  const verdict = verdictOf(doc, sheet.program, sheet);
  const byId = new Map<Id, ItemOutcome>();
  for (const outcome of sheet.items) if (!byId.has(outcome.id)) byId.set(outcome.id, outcome);
  const itemDefinitions = new Map(doc.items.map((item) => [item.id, item]));

  const gates = sheet.gates.map((gate) =>
    explainRule(doc, doc.gates?.find((g) => g.id === gate.id), gate.id, gate.trace, gate.passed, gate.reason, (leaf) => !leaf.result),
  );
  const vetoes = sheet.vetoes.map((veto) =>
    explainRule(doc, doc.vetoes?.find((v) => v.id === veto.id), veto.id, veto.trace, !veto.triggered, veto.reason, (leaf) => leaf.result),
  );
  const failedLabels = (lang: Lang) =>
    verdict === "vetoed"
      ? vetoes.filter((veto) => !veto.ok).map((veto) => pickText(lang, veto.label))
      : gates.filter((gate) => !gate.ok).map((gate) => pickText(lang, gate.label));

  const items: ExplainedItem[] = sheet.items.map((outcome) => {
    const item = itemDefinitions.get(outcome.id);
    const parts = LANGS.map((lang) => describeItem({ doc, lang }, doc, item, outcome, byId));
    const pair = (zh: string[], enLines: string[]) => zh.map((text, i) => ({ zh: text, en: enLines[i] ?? text }));
    return {
      id: outcome.id,
      label: item?.label ?? { zh: outcome.id, en: outcome.id },
      category: outcome.category,
      points: outcome.points,
      notApplicable: outcome.explanation.notApplicable === true,
      inputs: itemInputs(doc, item, outcome),
      arithmetic: pair(parts[0].arithmetic, parts[1].arithmetic),
      limits: pair(parts[0].limits, parts[1].limits),
      notes: pair(parts[0].notes, parts[1].notes),
      ...(outcome.explanation.article !== undefined ? { article: outcome.explanation.article } : {}),
    };
  });

  const explanation: Explanation = {
    standard: { id: doc.id, title: doc.title, version: doc.version, documentNumbers: doc.legalBasis.map((basis) => basis.documentNumber) },
    program: { id: sheet.program, label: program?.label ?? { zh: sheet.program, en: sheet.program } },
    date: sheet.date,
    dateText: both(doc, (ctx) => formatDate(ctx.lang, sheet.date)),
    gates,
    vetoes,
    items,
    adjustments: sheet.adjustments.map((adjustment) => ({
      kind: adjustment.kind,
      ...(adjustment.id !== undefined ? { id: adjustment.id } : {}),
      ...(adjustment.category !== undefined ? { category: adjustment.category } : {}),
      points: adjustment.points,
      label: both(doc, (ctx) => adjustmentLabel(ctx, doc, adjustment, sheet)),
    })),
    categories: doc.categories.map((category) => ({ id: category.id, label: category.label, points: sheet.categories[category.id] ?? 0 })),
    verdict: {
      kind: verdict,
      ...(line !== undefined ? { line } : {}),
      text: both(doc, (ctx) => verdictText(ctx, verdict, line, allocation?.kind === "quota", sheet.total, failedLabels(ctx.lang))),
    },
    total: scoreOf(sheet),
  };
  if (sheet.persons) {
    const persons = sheet.persons;
    const name = (lang: Lang, id: Id) => pickText(lang, personLabel(doc, id));
    const first = persons.candidates[0]?.person ?? persons.scored;
    explanation.persons = {
      scored: persons.scored,
      text: both(doc, (ctx) => {
        const who = name(ctx.lang, persons.scored);
        switch (persons.reason) {
          case "higher":
            return en(ctx) ? `Points of ${who}: the highest total of those who qualify (the higher counts)` : `按${who}的积分计算：符合条件者中总分最高（就高不就低）`;
          case "only":
            return en(ctx) ? `Points of ${who}: the only one who qualifies` : `按${who}的积分计算：只有${who}符合条件`;
          case "tieFirst":
            return en(ctx) ? `Points of ${who}: equal totals, ${name(ctx.lang, first)} is listed first` : `按${who}的积分计算：总分相同，取${name(ctx.lang, first)}`;
          case "none":
            return en(ctx) ? `Nobody qualifies; the sheet is that of ${who}` : `均不符合条件；以下为${who}的计分情况`;
        }
      }),
      candidates: persons.candidates.map((candidate) => ({
        person: candidate.person,
        label: personLabel(doc, candidate.person),
        total: scoreOf(candidate),
        status: both(doc, (ctx) =>
          candidate.vetoed ? (en(ctx) ? "vetoed" : "一票否决") : candidate.eligible ? (en(ctx) ? "eligible" : "符合条件") : en(ctx) ? "not eligible" : "不符合准入条件",
        ),
        counts: candidate.person === persons.scored,
      })),
    };
  }
  return explanation;
}

/** A text in the chosen language. */
export function say(lang: Lang, text: Text): string {
  return pickText(lang, text);
}
