/**
 * Turns a standard document's conditions and scoring rules into sentences an officer reads in the UI's language
 * ("文化程度 达到 大学本科及以上" / "highest education is bachelor or higher"), using the document's own fact labels
 * and enum value labels. Pure: no React, no I/O, so it is unit-tested and shared by the read view and the score sheet.
 */
import type {
  AccrualScoring,
  Allocation,
  Condition,
  FactCondition,
  FactDefinition,
  Id,
  LinearScoring,
  PerRecordScoring,
  Program,
  ProgramPersons,
  RankKey,
  ScoringItem,
  StandardDocument,
  TiePolicy,
  TotalAdjustment,
  Window,
} from "../../rules-schema/types";
import { periodsIncludeEvaluationDay } from "../../rules-schema/types";
import type { ConditionTrace } from "../types";
import { personLabel } from "../../rules-schema/persons";

export type Lang = "zh-CN" | "en";

type Bilingual = { zh: string; en: string };

export function pickText(lang: Lang, text: Bilingual | undefined): string {
  if (!text) return "";
  return lang === "en" ? text.en : text.zh;
}

/**
 * What a sentence may name: the document (facts, derived facts, lists, items, categories) and, inside a records
 * condition, the fields of that records fact.
 */
export interface DescribeContext {
  doc: Pick<StandardDocument, "facts"> & Partial<Pick<StandardDocument, "derived" | "lists" | "items" | "categories" | "groups" | "programs" | "formatVersion" | "persons">>;
  lang: Lang;
  /** Records fact whose fields a condition names (perRecord `where`, aggregate `where`). */
  recordsOf?: Id;
}

export function inRecords(ctx: DescribeContext, recordsId: Id): DescribeContext {
  return { ...ctx, recordsOf: recordsId };
}

const LIST_PREFIX = "list:";

interface FactInfo {
  label: string;
  unit?: string;
  type?: string;
  values?: FactDefinition["values"];
}

function recordFields(ctx: DescribeContext): FactDefinition[] {
  if (!ctx.recordsOf) return [];
  return ctx.doc.facts.find((fact) => fact.id === ctx.recordsOf)?.fields ?? [];
}

/** Label, unit, type and enum values of a fact (record field, declared fact, derived fact or list). */
export function factInfo(ctx: DescribeContext, id: Id): FactInfo {
  const field = recordFields(ctx).find((candidate) => candidate.id === id);
  const declared = field ?? ctx.doc.facts.find((fact) => fact.id === id);
  if (declared) return { label: pickText(ctx.lang, declared.label), unit: declared.unit, type: declared.type, values: declared.values };
  const derived = (ctx.doc.derived ?? []).find((fact) => fact.id === id);
  if (derived) {
    const integral = derived.kind === "age" || derived.kind === "duration" || (derived.kind === "aggregate" && derived.op === "count");
    const unit = derived.kind === "age" ? "age" : derived.unit;
    return { label: pickText(ctx.lang, derived.label), unit, type: integral ? "integer" : "number" };
  }
  if (id.startsWith(LIST_PREFIX)) {
    const list = (ctx.doc.lists ?? []).find((candidate) => candidate.id === id.slice(LIST_PREFIX.length));
    if (list) return { label: pickText(ctx.lang, list.label), type: "list" };
  }
  // Another person's own value of a per-person fact (`spouse.education`, decision 028): the fact's, under his label.
  const dot = id.indexOf(".");
  const person = dot > 0 ? id.slice(0, dot) : "";
  const own = person && (ctx.doc.persons ?? []).some((role) => role.id === person) ? ctx.doc.facts.find((fact) => fact.id === id.slice(dot + 1) && fact.perPerson) : undefined;
  if (own) {
    const whose = pickText(ctx.lang, personLabel(ctx.doc, person));
    return { label: ctx.lang === "en" ? `${whose}'s ${pickText(ctx.lang, own.label)}` : `${whose}${pickText(ctx.lang, own.label)}`, unit: own.unit, type: own.type, values: own.values };
  }
  return { label: id };
}

export function factLabel(ctx: DescribeContext, id: Id): string {
  return factInfo(ctx, id).label;
}

const UNITS: Record<string, Bilingual & { enOne?: string }> = {
  age: { zh: "周岁", en: "years old", enOne: "year old" },
  year: { zh: "年", en: "years", enOne: "year" },
  years: { zh: "年", en: "years", enOne: "year" },
  month: { zh: "个月", en: "months", enOne: "month" },
  months: { zh: "个月", en: "months", enOne: "month" },
  day: { zh: "天", en: "days", enOne: "day" },
  days: { zh: "天", en: "days", enOne: "day" },
  m2: { zh: "㎡", en: "m²", enOne: "m²" },
  yuan: { zh: "元", en: "yuan", enOne: "yuan" },
  hour: { zh: "小时", en: "hours", enOne: "hour" },
  hours: { zh: "小时", en: "hours", enOne: "hour" },
  ml: { zh: "毫升", en: "ml", enOne: "ml" },
  time: { zh: "次", en: "times", enOne: "time" },
  person: { zh: "人", en: "people", enOne: "person" },
  percent: { zh: "%", en: "%", enOne: "%" },
};

/** A unit as shown after a number ("个月", "months"); unknown units are shown as written. */
export function unitText(lang: Lang, unit: string | undefined, amount?: number): string {
  if (!unit) return "";
  const known = UNITS[unit];
  if (!known) return unit;
  if (lang === "en") return amount === 1 && known.enOne ? known.enOne : known.en;
  return known.zh;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 1e6) / 1e6);
}

/** A number with its unit: "75㎡", "12 months". */
export function quantity(lang: Lang, value: number, unit: string | undefined): string {
  const text = unitText(lang, unit, value);
  if (!text) return formatNumber(value);
  if (lang === "en") return text === "%" ? `${formatNumber(value)}%` : `${formatNumber(value)} ${text}`;
  return `${formatNumber(value)}${text}`;
}

const EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** ISO date in words: 2016年5月15日 / 15 May 2016; anything that is not an ISO date is returned as is. */
export function formatDate(lang: Lang, iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return iso;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) return iso;
  return lang === "en" ? `${day} ${EN_MONTHS[month - 1]} ${year}` : `${year}年${month}月${day}日`;
}

export function joinList(lang: Lang, parts: string[], conjunction: "and" | "or"): string {
  if (parts.length <= 1) return parts.join("");
  if (lang === "en") {
    const word = conjunction === "and" ? "and" : "or";
    return parts.length === 2 ? `${parts[0]} ${word} ${parts[1]}` : `${parts.slice(0, -1).join(", ")} ${word} ${parts[parts.length - 1]}`;
  }
  const word = conjunction === "and" ? "和" : "或";
  return `${parts.slice(0, -1).join("、")}${word}${parts[parts.length - 1]}`;
}

/** A value of a fact as an officer reads it: enum labels, 是/否, dates in words, lists joined, numbers with units. */
export function describeValue(ctx: DescribeContext, factId: Id | undefined, value: unknown): string {
  const { lang } = ctx;
  if (value === undefined || value === null || value === "") return lang === "en" ? "not given" : "未填写";
  const info = factId ? factInfo(ctx, factId) : undefined;
  if (Array.isArray(value)) {
    if (info?.type === "records") return lang === "en" ? `${value.length} record(s)` : `${value.length}条记录`;
    return joinList(lang, value.map((entry) => describeValue(ctx, factId, entry)), "and");
  }
  if (typeof value === "object") {
    const reference = value as { fact?: unknown };
    if (typeof reference.fact === "string") return factLabel(ctx, reference.fact);
    return JSON.stringify(value);
  }
  if (typeof value === "boolean") return lang === "en" ? (value ? "yes" : "no") : value ? "是" : "否";
  if (typeof value === "number") return quantity(lang, value, info?.unit);
  if (typeof value === "string") {
    const label = info?.values?.find((entry) => entry.value === value)?.label;
    if (label) return pickText(lang, label);
    if (info?.type === "date" || /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(lang, value);
    return value;
  }
  return String(value);
}

function isFactReference(value: unknown): value is { fact: Id } {
  return value !== null && typeof value === "object" && typeof (value as { fact?: unknown }).fact === "string";
}

/** A numeric range [min, max) in words, integer-aware: "18至40周岁" / "75㎡及以上、不满100㎡". */
export function describeRange(lang: Lang, min: number | null | undefined, max: number | null | undefined, unit?: string, integral = false): string {
  const hasMin = min !== undefined && min !== null;
  const hasMax = max !== undefined && max !== null;
  const q = (value: number) => quantity(lang, value, unit);
  if (integral && hasMax) {
    const last = (max as number) - 1;
    if (hasMin && last === min) return q(min as number);
    if (hasMin) return lang === "en" ? `${formatNumber(min as number)} to ${q(last)}` : `${formatNumber(min as number)}至${q(last)}`;
    return lang === "en" ? `at most ${q(last)}` : `${q(last)}及以下`;
  }
  if (hasMin && hasMax) return lang === "en" ? `at least ${q(min as number)} and under ${q(max as number)}` : `${q(min as number)}及以上、不满${q(max as number)}`;
  if (hasMin) return lang === "en" ? `at least ${q(min as number)}` : `${q(min as number)}及以上`;
  if (hasMax) return lang === "en" ? `under ${q(max as number)}` : `不满${q(max as number)}`;
  return lang === "en" ? "any value" : "任意值";
}

function isIntegral(info: FactInfo): boolean {
  return info.type === "integer";
}

/** One fact condition in words. */
export function describeFactCondition(ctx: DescribeContext, condition: FactCondition): string {
  const { lang } = ctx;
  const en = lang === "en";
  const info = factInfo(ctx, condition.fact);
  const subject = condition.path ? `${info.label} ${condition.path}` : info.label;
  const value = condition.value;
  const shown = (entry: unknown) => describeValue(ctx, condition.fact, entry);
  const rhs = isFactReference(value) ? factLabel(ctx, value.fact) : shown(value);
  switch (condition.operator) {
    case "equal":
      if (typeof value === "boolean" && !isFactReference(value)) return en ? `${subject}: ${value ? "yes" : "no"}` : `${subject}：${value ? "是" : "否"}`;
      return en ? `${subject} is ${rhs}` : `${subject} 为 ${rhs}`;
    case "notEqual":
      if (typeof value === "boolean") return en ? `${subject}: ${value ? "no" : "yes"}` : `${subject}：${value ? "否" : "是"}`;
      return en ? `${subject} is not ${rhs}` : `${subject} 不为 ${rhs}`;
    case "lessThan":
      return en ? `${subject} is less than ${rhs}` : `${subject} 小于 ${rhs}`;
    case "lessThanInclusive":
      return en ? `${subject} is at most ${rhs}` : `${subject} 不超过 ${rhs}`;
    case "greaterThan":
      return en ? `${subject} is more than ${rhs}` : `${subject} 大于 ${rhs}`;
    case "greaterThanInclusive":
      return en ? `${subject} is at least ${rhs}` : `${subject} 不少于 ${rhs}`;
    case "in":
    case "notIn": {
      const options = Array.isArray(value) ? joinList(lang, value.map(shown), "or") : rhs;
      if (condition.operator === "in") return en ? `${subject} is ${options}` : `${subject} 为 ${options}`;
      const none = Array.isArray(value) ? joinList(lang, value.map(shown), "and") : rhs;
      return en ? `${subject} is none of ${none}` : `${subject} 不为 ${none} 中任何一项`;
    }
    case "contains":
      return en ? `${subject} includes ${rhs}` : `${subject} 包含 ${rhs}`;
    case "doesNotContain":
      return en ? `${subject} does not include ${rhs}` : `${subject} 不包含 ${rhs}`;
    case "between": {
      const [min, max] = Array.isArray(value) ? (value as Array<number | null>) : [undefined, undefined];
      return en
        ? `${subject} is ${describeRange(lang, min, max, info.unit, isIntegral(info))}`
        : `${subject} 在 ${describeRange(lang, min, max, info.unit, isIntegral(info))}`;
    }
    case "dateBefore":
      return en ? `${subject} is before ${rhs}` : `${subject} 早于 ${rhs}`;
    case "dateOnOrAfter":
      return en ? `${subject} is on or after ${rhs}` : `${subject} 在 ${rhs} 当日或之后`;
    case "atLeastLevel":
      return en ? `${subject} is ${rhs} or higher` : `${subject} 达到 ${rhs}及以上`;
    case "isPresent":
      return value === false ? (en ? `${subject} is not given` : `未填写 ${subject}`) : en ? `${subject} is given` : `已填写 ${subject}`;
    default:
      return `${subject} ${String(condition.operator)} ${rhs}`;
  }
}

function kindOf(condition: Condition): "all" | "any" | "not" | "fact" {
  if ("any" in condition) return "any";
  if ("all" in condition) return "all";
  if ("not" in condition) return "not";
  return "fact";
}

function bracket(lang: Lang, text: string): string {
  return lang === "en" ? `(${text})` : `（${text}）`;
}

/** A condition of any shape in one sentence: all → "且" / "and", any → "或" / "or", not → "并非" / "not". */
export function describeCondition(ctx: DescribeContext, condition: Condition): string {
  const { lang } = ctx;
  const kind = kindOf(condition);
  if (kind === "fact") return describeFactCondition(ctx, condition as FactCondition);
  if (kind === "not") {
    const inner = (condition as { not: Condition }).not;
    const text = describeCondition(ctx, inner);
    const wrapped = kindOf(inner) === "fact" ? text : bracket(lang, text);
    return lang === "en" ? `not ${wrapped}` : `并非${wrapped}`;
  }
  const children = (condition as unknown as Record<string, Condition[]>)[kind];
  if (children.length === 0) return lang === "en" ? "always" : "无条件";
  const parts = children.map((child) => {
    const text = describeCondition(ctx, child);
    return kindOf(child) === "all" || kindOf(child) === "any" ? bracket(lang, text) : text;
  });
  if (parts.length === 1) return parts[0];
  if (lang === "en") return parts.join(kind === "all" ? " and " : " or ");
  return parts.join(kind === "all" ? "，且" : "，或");
}

/** A condition as evaluated: the same sentence for a leaf, plus the fact value seen. */
export function describeTraceLeaf(ctx: DescribeContext, trace: ConditionTrace): string {
  const sentence = trace.fact
    ? describeFactCondition(ctx, { fact: trace.fact, operator: trace.operator as FactCondition["operator"], value: trace.value })
    : "";
  const seen = describeValue(ctx, trace.fact, trace.factValue);
  return ctx.lang === "en" ? `${sentence} (value seen: ${seen})` : `${sentence}（实际：${seen}）`;
}

export function pointsText(lang: Lang, points: number): string {
  const abs = formatNumber(Math.abs(points));
  if (lang === "en") return `${points < 0 ? "−" : ""}${abs} ${Math.abs(points) === 1 ? "point" : "points"}`;
  return `${points < 0 ? "−" : ""}${abs}分`;
}

/**
 * "近5年内" / "within the last 5 years"; calendar-year windows and windows measured from a date fact (decision 022)
 * in the same words (`anchorLabel`: the label of the window's anchor fact, when it has one).
 */
export function describeLookback(lang: Lang, within: Window, anchorLabel?: string): string {
  const en = lang === "en";
  const calendar = within.calendarYears;
  if (calendar) {
    const anchor = anchorLabel ?? (en ? "the evaluation date" : "评估日");
    const { from, to } = calendar;
    if (to === -1 && from < 0) {
      if (!anchorLabel) return en ? `in the ${quantity(lang, -from, "year")} (calendar years) before the evaluation year` : `近${formatNumber(-from)}个年度内（评估当年之前的${formatNumber(-from)}个自然年度）`;
      return en ? `in the ${quantity(lang, -from, "year")} (calendar years) before the year of ${anchor}` : `${anchor}所在年度之前的${formatNumber(-from)}个自然年度内`;
    }
    if (from === 0 && to >= 0) {
      return en
        ? `in the calendar year of ${anchor}${to > 0 ? ` and the ${quantity(lang, to, "year")} following` : ""}`
        : `${anchor}所在年度${to > 0 ? `及其后${formatNumber(to)}个年度` : ""}内`;
    }
    const offset = (n: number) =>
      en ? (n === 0 ? "the year" : `${quantity(lang, Math.abs(n), "year")} ${n < 0 ? "before" : "after"}`) : n === 0 ? "当年" : `${n < 0 ? "前" : "后"}${formatNumber(Math.abs(n))}年`;
    return en ? `in the calendar years from ${offset(from)} to ${offset(to)} of ${anchor}` : `${anchor}所在年度${offset(from)}至${offset(to)}的自然年度内`;
  }
  const parts: string[] = [];
  if (within.years) parts.push(quantity(lang, within.years, "year"));
  if (within.months) parts.push(quantity(lang, within.months, "month"));
  const span = en ? parts.join(" ") : parts.join("");
  if (anchorLabel) return en ? `within the ${span} up to ${anchorLabel}` : `${anchorLabel}前${span}内`;
  return en ? `within the last ${span}` : `近${span}内`;
}

/** describeLookback with the anchor fact's label taken from the document. */
export function describeWindow(ctx: DescribeContext, within: Window): string {
  return describeLookback(ctx.lang, within, within.anchor ? factLabel({ ...ctx, recordsOf: undefined }, within.anchor) : undefined);
}

/** Accrual as a rule: "每满1个月积5分" / "5 points per full month"; marginal bands named by their range. */
export function describeAccrual(ctx: DescribeContext, scoring: AccrualScoring): string {
  const { lang } = ctx;
  const info = factInfo(ctx, scoring.fact);
  const per = scoring.per ?? 1;
  const floor = scoring.rounding !== "none";
  const perUnit = (rate: number) => {
    if (lang === "en") {
      const unit = per === 1 ? unitText(lang, info.unit, 1) || "unit" : quantity(lang, per, info.unit);
      return `${pointsText(lang, rate)} per ${floor ? "full " : ""}${unit}${floor ? "" : " (pro rata)"}`;
    }
    const unit = quantity(lang, per, info.unit);
    return floor ? `每满${unit}${rate < 0 ? "扣" : "积"}${formatNumber(Math.abs(rate))}分` : `每${unit}${rate < 0 ? "扣" : "积"}${formatNumber(Math.abs(rate))}分（按比例计）`;
  };
  const bands = scoring.bands.map((band) => {
    const single = scoring.bands.length === 1 && band.from === 0 && band.to === undefined;
    if (single) return perUnit(band.rate);
    const range = describeRange(lang, band.from, band.to, info.unit);
    return lang === "en" ? `for the part ${range}: ${perUnit(band.rate)}` : `${range}部分${perUnit(band.rate)}`;
  });
  return lang === "en" ? bands.join("; ") : bands.join("；");
}

/** Linear as a rule: "年龄56周岁积5分，每减少1年加2分" / "5 points at 56 years, +2 per 1 year below". */
export function describeLinear(ctx: DescribeContext, scoring: LinearScoring): string {
  const { lang } = ctx;
  const info = factInfo(ctx, scoring.fact);
  const step = scoring.step ?? 1;
  const origin = quantity(lang, scoring.origin, info.unit);
  const pps = scoring.pointsPerStep;
  const pro = scoring.rounding === "none";
  const limits: string[] = [];
  if (scoring.min !== undefined) limits.push(lang === "en" ? `at least ${pointsText(lang, scoring.min)}` : `最低${pointsText(lang, scoring.min)}`);
  if (scoring.max !== undefined) limits.push(lang === "en" ? `at most ${pointsText(lang, scoring.max)}` : `最高${pointsText(lang, scoring.max)}`);
  if (lang === "en") {
    const direction = scoring.direction === "up" ? "above" : "below";
    const change = `${pps < 0 ? "−" : "+"}${formatNumber(Math.abs(pps))}`;
    const stepName = step === 1 ? unitText(lang, info.unit === "age" ? "year" : info.unit, 1) || "unit" : quantity(lang, step, info.unit === "age" ? "year" : info.unit);
    const base = `${pointsText(lang, scoring.basePoints)} at ${origin} (${info.label}), ${change} for each ${pro ? "" : "full "}${stepName} ${direction}${pro ? " (pro rata)" : ""}`;
    return [base, ...limits].join("; ");
  }
  const direction = scoring.direction === "up" ? "增加" : "减少";
  const change = pps < 0 ? "减" : "加";
  const stepText = quantity(lang, step, info.unit);
  const base = `${info.label}${origin}积${formatNumber(scoring.basePoints)}分，每${pro ? "" : "满"}${direction}${stepText}${change}${formatNumber(Math.abs(pps))}分${pro ? "（按比例计）" : ""}`;
  return [base, ...limits].join("，");
}

/** perRecord as a rule: "近5年内每次扣100分" / "−100 points each, within the last 5 years". */
export function describePerRecord(ctx: DescribeContext, scoring: PerRecordScoring): string {
  const { lang } = ctx;
  const recordCtx = inRecords(ctx, scoring.records);
  const en = lang === "en";
  const parts: string[] = [];
  const within = scoring.within ? describeWindow(ctx, scoring.within) : "";
  const where = scoring.where ? describeCondition(recordCtx, scoring.where) : "";
  const records = factLabel(ctx, scoring.records);
  let rule: string;
  if (scoring.perUnit) {
    const field = factLabel(recordCtx, scoring.perUnit.field);
    const rate = scoring.perUnit.rate;
    rule = en
      ? `each: ${field} × ${formatNumber(rate)} points`
      : `每次按${field}×${formatNumber(Math.abs(rate))}分${rate < 0 ? "扣减" : "计分"}`;
  } else {
    const points = scoring.points ?? 0;
    rule = en ? `${pointsText(lang, points)} each` : `每次${points < 0 ? "扣" : "积"}${formatNumber(Math.abs(points))}分`;
  }
  if (en) {
    parts.push(`${records}${where ? ` where ${where}` : ""}: ${rule}${within ? `, ${within}` : ""}`);
  } else {
    parts.push(`${records}${where ? `（${where}）` : ""}：${within}${rule}`);
  }
  if (scoring.onceBy) {
    const field = factLabel(recordCtx, scoring.onceBy);
    parts.push(en ? `records with the same ${field} count once, at the largest amount` : `同一${field}只计一次（按最高分值）`);
  }
  if (scoring.groupCap) {
    const by = scoring.groupCap.byYear
      ? en
        ? `calendar year of ${factLabel(recordCtx, scoring.groupCap.by)}`
        : `${factLabel(recordCtx, scoring.groupCap.by)}所在年度`
      : factLabel(recordCtx, scoring.groupCap.by);
    parts.push(en ? `at most ${pointsText(lang, scoring.groupCap.cap)} per ${by}` : `每个${by}最多${formatNumber(scoring.groupCap.cap)}分`);
  }
  return parts.join(en ? "; " : "；");
}

export function describeVesting(ctx: DescribeContext, vesting: NonNullable<ScoringItem["vesting"]>): string {
  const info = factInfo(ctx, vesting.fact);
  const amount = quantity(ctx.lang, vesting.atLeast, info.unit);
  return ctx.lang === "en" ? `counts only once ${info.label} reaches ${amount}` : `${info.label}满${amount}后方可计分`;
}

export function describeCap(lang: Lang, cap: number): string {
  return lang === "en" ? `at most ${pointsText(lang, cap)}` : `最高${pointsText(lang, cap)}`;
}

/** One row of the official table for an item: what must hold and what it earns. */
export interface ScoringRow {
  condition: string;
  points: string;
}

/** The rows of an item as in the official table: one per tier or band, or one row stating the rule. */
export function describeScoringRows(ctx: DescribeContext, item: ScoringItem): ScoringRow[] {
  const { lang } = ctx;
  const when = item.when ? describeCondition(ctx, item.when) : "";
  const withWhen = (text: string) => (when && text ? (lang === "en" ? `${when}; ${text}` : `${when}；${text}`) : when || text);
  const scoring = item.scoring;
  switch (scoring.kind) {
    case "fixed":
      return [{ condition: when || (lang === "en" ? "always" : "无条件"), points: pointsText(lang, scoring.points) }];
    case "tiers":
      return scoring.tiers.map((tier) => ({ condition: withWhen(describeCondition(ctx, tier.when)), points: pointsText(lang, tier.points) }));
    case "bands": {
      const info = factInfo(ctx, scoring.fact);
      return scoring.bands.map((band) => ({
        condition: withWhen(
          lang === "en"
            ? `${info.label} ${describeRange(lang, band.min, band.max, info.unit, isIntegral(info))}`
            : `${info.label} ${describeRange(lang, band.min, band.max, info.unit, isIntegral(info))}`,
        ),
        points: pointsText(lang, band.points),
      }));
    }
    case "linear":
      return [{ condition: withWhen(factLabel(ctx, scoring.fact)), points: describeLinear(ctx, scoring) }];
    case "accrual":
      return [{ condition: withWhen(factLabel(ctx, scoring.fact)), points: describeAccrual(ctx, scoring) }];
    case "perRecord": {
      const recordCtx = inRecords(ctx, scoring.records);
      const where = scoring.where ? describeCondition(recordCtx, scoring.where) : "";
      const records = factLabel(ctx, scoring.records);
      const what = where ? (lang === "en" ? `${records} where ${where}` : `${records}（${where}）`) : records;
      return [{ condition: withWhen(what), points: describePerRecordRule(ctx, scoring) }];
    }
  }
}

/** The points part of a perRecord rule without repeating which records ("近5年内每次扣100分"). */
function describePerRecordRule(ctx: DescribeContext, scoring: PerRecordScoring): string {
  const full = describePerRecord(ctx, scoring);
  // The condition itself may contain a colon ("第一发明人：是"), so the known head is removed rather than cut at the first one.
  const where = scoring.where ? describeCondition(inRecords(ctx, scoring.records), scoring.where) : "";
  const records = factLabel(ctx, scoring.records);
  const head = ctx.lang === "en" ? `${records}${where ? ` where ${where}` : ""}: ` : `${records}${where ? `（${where}）` : ""}：`;
  return full.startsWith(head) ? full.slice(head.length) : full;
}

/** Notes of an item beside its rows: vesting, choose-one or capped groups it belongs to. */
export function describeItemNotes(ctx: DescribeContext, item: ScoringItem): string[] {
  const { lang } = ctx;
  const notes: string[] = [];
  if (item.scoring.kind === "tiers") notes.push(lang === "en" ? "only the highest tier that holds counts" : "按满足的最高一档计分，不累加");
  if (item.vesting) notes.push(describeVesting(ctx, item.vesting));
  if (item.person === "household") notes.push(lang === "en" ? "counted once per household, whoever is scored" : "每户计一次，不论以谁的积分计算");
  for (const group of ctx.doc.groups ?? []) {
    if (!group.members.includes(item.id)) continue;
    const others = group.members
      .filter((id) => id !== item.id)
      .map((id) => {
        const other = (ctx.doc.items ?? []).find((candidate) => candidate.id === id);
        return other ? pickText(lang, other.label) : id;
      });
    const othersText = lang === "en" ? others.map((o) => `“${o}”`).join(", ") : others.map((o) => `“${o}”`).join("、");
    if (group.mode === "highestOnly") {
      notes.push(lang === "en" ? `choose one: only the higher of this and ${othersText} counts (${pickText(lang, group.label)})` : `与${othersText}只取得分最高的一项（${pickText(lang, group.label)}）`);
    } else if (group.cap !== undefined) {
      notes.push(lang === "en" ? `together with ${othersText}: at most ${pointsText(lang, group.cap)} (${pickText(lang, group.label)})` : `与${othersText}合计最高${formatNumber(group.cap)}分（${pickText(lang, group.label)}）`);
    }
  }
  return notes;
}

export function programLabels(ctx: DescribeContext, ids: Id[] | undefined): string {
  const { lang } = ctx;
  if (!ids) return lang === "en" ? "all programs" : "全部项目";
  const labels = ids.map((id) => {
    const program = (ctx.doc.programs ?? []).find((candidate) => candidate.id === id);
    return program ? pickText(lang, program.label) : id;
  });
  return lang === "en" ? labels.join(", ") : labels.join("、");
}

/** A ranking key in words: "总分高者优先" / "higher total first"; dates read as earlier/later. */
export function describeRankKey(ctx: DescribeContext, key: RankKey): string {
  const { lang } = ctx;
  const en = lang === "en";
  let name: string;
  if (key.key === "total") name = en ? "total" : "总分";
  else if (key.key === "category") {
    const category = (ctx.doc.categories ?? []).find((candidate) => candidate.id === key.id);
    name = category ? pickText(lang, category.label) : String(key.id);
  } else if (key.key === "item") {
    const item = (ctx.doc.items ?? []).find((candidate) => candidate.id === key.id);
    name = item ? `${pickText(lang, item.label)}${en ? " points" : "得分"}` : String(key.id);
  } else if (key.key === "otherCandidate") name = en ? "total of the other person" : "另一方总分";
  else name = factLabel(ctx, String(key.id));
  const isDate = key.key === "fact" && factInfo(ctx, String(key.id)).type === "date";
  if (en) {
    const word = isDate ? (key.order === "asc" ? "earlier" : "later") : key.order === "asc" ? "lower" : "higher";
    return `${word} ${name} first`;
  }
  const word = isDate ? (key.order === "asc" ? "早者优先" : "晚者优先") : key.order === "asc" ? "低者优先" : "高者优先";
  return `${name}${word}`;
}

export function describeTiePolicy(lang: Lang, policy: TiePolicy): string {
  switch (policy) {
    case "admitAll":
      return lang === "en" ? "Everyone tied at the cut-off is admitted" : "名额线上完全并列者全部录取";
    case "lottery":
      return lang === "en" ? "A lottery decides among those tied at the cut-off" : "名额线上完全并列者抽签决定";
    case "exclude":
      return lang === "en" ? "None of those tied at the cut-off is admitted" : "名额线上完全并列者均不录取";
  }
}

/** Whose points a program counts (decision 028), in one sentence: "the higher of the applicant and the spouse". */
export function describePersons(ctx: DescribeContext, persons: ProgramPersons): string {
  const { lang } = ctx;
  const en = lang === "en";
  const names = persons.candidates.map((id) => pickText(lang, personLabel(ctx.doc, id)));
  const first = names[0] ?? "";
  if (names.length === 1) return en ? `The ${first.toLowerCase()}'s points count.` : `以${first}的积分计算。`;
  const all = en ? joinList(lang, names.map((name) => `the ${name.toLowerCase()}`), "and") : names.join("、");
  return en
    ? `Each of ${all} is scored on their own facts; the highest total among those who meet the conditions counts (the higher counts); on equal totals, the ${first.toLowerCase()}'s. Items marked "once per household" count once.`
    : `${all}分别计分，取符合条件者中总分最高的一方（就高不就低）；总分相同时取${first}。标明“每户计一次”的指标只计一次。`;
}

/** How a program allocates: a threshold, or quota ranking with its keys, tie-breaks and pools, in sentences. */
export function describeAllocation(ctx: DescribeContext, allocation: Allocation): string[] {
  const { lang } = ctx;
  const en = lang === "en";
  if (allocation.kind === "threshold") {
    return [en ? `Everyone eligible with a total of at least ${pointsText(lang, allocation.threshold)} is admitted.` : `符合条件且总分达到${formatNumber(allocation.threshold)}分的，均予准入。`];
  }
  const lines: string[] = [];
  const separator = en ? ", then " : "，其次";
  const rankBy = allocation.rankBy.map((key) => describeRankKey(ctx, key)).join(separator);
  lines.push(en ? `Ranked within the quota: ${rankBy}.` : `在指标数内按排名录取：${rankBy}。`);
  if (allocation.poolBy) lines.push(en ? `Ranked separately for each ${factLabel(ctx, allocation.poolBy)}.` : `按${factLabel(ctx, allocation.poolBy)}分别排序。`);
  if (allocation.minimumTotal !== undefined) {
    lines.push(en ? `Only applicants with a total of at least ${pointsText(lang, allocation.minimumTotal)} are ranked.` : `总分须达到${formatNumber(allocation.minimumTotal)}分方可参加排名。`);
  }
  if (allocation.tieBreak.length > 0) {
    const ties = allocation.tieBreak.map((key) => describeRankKey(ctx, key)).join(separator);
    lines.push(en ? `On equal scores: ${ties}.` : `同分时依次：${ties}。`);
  }
  lines.push(`${describeTiePolicy(lang, allocation.tiePolicy)}${en ? "." : "。"}`);
  if (allocation.lotterySeed) lines.push(en ? `Published lottery seed: ${allocation.lotterySeed}.` : `公开抽签种子：${allocation.lotterySeed}。`);
  if (allocation.oneAdmittedPer) {
    lines.push(en ? `At most one applicant is admitted per ${factLabel(ctx, allocation.oneAdmittedPer)}: only the highest-ranked of those sharing one is ranked.` : `同一${factLabel(ctx, allocation.oneAdmittedPer)}最多录取一人，仅排名最前者参加排名。`);
  }
  if (allocation.secondRound?.enabled && allocation.secondRound.perPoolCapShare !== undefined) {
    const percent = formatNumber(Math.round(allocation.secondRound.perPoolCapShare * 1e7) / 1e5);
    lines.push(en ? `In the second round a pool takes at most ${percent}% of its own places extra (rounded down).` : `第二轮补录中，每个排序单位增加的名额不超过其名额数的${percent}%（向下取整）。`);
  }
  if (allocation.secondRound?.enabled) {
    const cap = allocation.secondRound.perPoolCap;
    lines.push(
      en
        ? `Places left over are offered city-wide in a second round by the same order${cap !== undefined ? `, at most ${cap} extra per pool` : ""}.`
        : `剩余名额按同一顺序在全市范围内第二轮补录${cap !== undefined ? `，每个排序单位最多增加${cap}名` : ""}。`,
    );
  }
  return lines;
}

export function describeProgramTotal(ctx: DescribeContext, program: Program, fallback: StandardDocument["total"]): string {
  const rule = program.total ?? fallback;
  const { lang } = ctx;
  const parts: string[] = [];
  if (rule?.floor !== undefined) parts.push(lang === "en" ? `the total is never below ${pointsText(lang, rule.floor)}` : `总分最低为${formatNumber(rule.floor)}分`);
  if (rule?.cap !== undefined) parts.push(lang === "en" ? `the total is at most ${pointsText(lang, rule.cap)}` : `总分最高为${formatNumber(rule.cap)}分`);
  for (const adjustment of rule?.adjustments ?? []) parts.unshift(describeTotalAdjustment(ctx, adjustment));
  return parts.join(lang === "en" ? "; " : "；");
}

/** "居住地不在五个城区的，总分另加30%（五区以外）" / "where …: 30% of the total added (outside the five districts)". */
export function describeTotalAdjustment(ctx: DescribeContext, adjustment: TotalAdjustment): string {
  const en = ctx.lang === "en";
  const label = en ? adjustment.label.en : adjustment.label.zh;
  const when = adjustment.when ? describeCondition(ctx, adjustment.when) : "";
  let rate: string;
  if (adjustment.percent !== undefined) {
    const amount = formatNumber(Math.abs(adjustment.percent));
    rate = en ? `${amount}% of the total ${adjustment.percent < 0 ? "taken off" : "added"}` : `总分另${adjustment.percent < 0 ? "减" : "加"}${amount}%`;
  } else rate = en ? `the total multiplied by ${formatNumber(adjustment.multiplier ?? 1)}` : `总分乘以${formatNumber(adjustment.multiplier ?? 1)}`;
  const article = adjustment.article ? (en ? `, ${adjustment.article}` : `，${adjustment.article}`) : "";
  if (en) return `${when ? `where ${when}: ` : ""}${rate} (${label}${article})`;
  return `${when ? `${when}的，` : ""}${rate}（${label}${article}）`;
}

/** How a computed fact is obtained, in one sentence (shown beside the table so "满年" figures can be checked). */
export function describeDerived(ctx: DescribeContext, derived: NonNullable<StandardDocument["derived"]>[number]): string {
  const { lang } = ctx;
  const en = lang === "en";
  const unitName = (unit: string) => unitText(lang, unit);
  switch (derived.kind) {
    case "age":
      return en ? `whole years of age at the evaluation date, from ${factLabel(ctx, derived.birthDate)}` : `按${factLabel(ctx, derived.birthDate)}计算至评估日的周岁`;
    case "duration": {
      const to = derived.to ? factLabel(ctx, derived.to) : en ? "the evaluation date" : "评估日";
      if (derived.monthCount === "calendar" && derived.unit !== "days") {
        const years = derived.unit === "years";
        return en
          ? `calendar months from the month of ${factLabel(ctx, derived.from)} to the month of ${to}, both counted${years ? ", in whole years of 12 months" : ""}`
          : `自${factLabel(ctx, derived.from)}所在月至${to}所在月的月数（首尾两月均计入）${years ? "，每满12个月为1年" : ""}`;
      }
      return en ? `whole ${unitName(derived.unit)} from ${factLabel(ctx, derived.from)} to ${to}` : `自${factLabel(ctx, derived.from)}至${to}的整${unitName(derived.unit)}数`;
    }
    case "aggregate": {
      const recordCtx = inRecords(ctx, derived.records);
      const records = factLabel(ctx, derived.records);
      const filters: string[] = [];
      if (derived.where) filters.push(describeCondition(recordCtx, derived.where));
      if (derived.within) filters.push(en ? `${factLabel(recordCtx, derived.within.dateField)} is ${describeWindow(ctx, derived.within)}` : `${factLabel(recordCtx, derived.within.dateField)}在${describeWindow(ctx, derived.within)}`);
      const field = derived.field ? factLabel(recordCtx, derived.field) : "";
      const op = en
        ? { count: "number of", sum: `sum of ${field} over`, min: `smallest ${field} among`, max: `largest ${field} among` }[derived.op]
        : { count: "条数", sum: `${field}合计`, min: `${field}最小值`, max: `${field}最大值` }[derived.op];
      const distinct = derived.distinctBy ? (en ? `, same ${factLabel(recordCtx, derived.distinctBy)} counted once` : `，同一${factLabel(recordCtx, derived.distinctBy)}只计一次`) : "";
      if (en) return `${op} ${records}${filters.length ? ` where ${filters.join(" and ")}` : ""}${distinct}`;
      return `${records}${filters.length ? `（${filters.join("，且")}）` : ""}的${op}${distinct}`;
    }
    case "combine": {
      const parts = derived.of.map((entry) => (typeof entry === "number" ? formatNumber(entry) : factLabel(ctx, entry)));
      if (derived.op === "difference") {
        const [first, ...rest] = parts;
        return en ? `${first} minus ${joinList(lang, rest, "and")}, never below 0` : `${first}减去${joinList(lang, rest, "and")}，最低为0`;
      }
      if (derived.weights) {
        const weighted = parts.map((part, i) => (en ? `${part} × ${formatNumber(derived.weights?.[i] ?? 1)}` : `${part}×${formatNumber(derived.weights?.[i] ?? 1)}`));
        return en ? `the sum of ${joinList(lang, weighted, "and")}` : `${joinList(lang, weighted, "and")}之和`;
      }
      const op = en ? { sum: "sum", min: "smaller (or earlier)", max: "larger (or later)" }[derived.op] : { sum: "之和", min: "中较小（较早）者", max: "中较大（较晚）者" }[derived.op];
      return en ? `the ${op} of ${joinList(lang, parts, "and")}` : `${joinList(lang, parts, "and")}${op}`;
    }
    case "periods": {
      const recordCtx = inRecords(ctx, derived.records);
      const span = `${factLabel(recordCtx, derived.startField)}–${factLabel(recordCtx, derived.endField)}`;
      let gap = derived.allowGapDays ? (en ? `; gaps of up to ${derived.allowGapDays} days do not break it` : `，间断不超过${derived.allowGapDays}天视为连续`) : "";
      if (derived.allowGapMonths) gap += en ? `; breaks of up to ${quantity(lang, derived.allowGapMonths, "month")} do not break it` : `，中断不超过${derived.allowGapMonths}个月视为连续`;
      const extra: string[] = [];
      if (derived.within) extra.push(en ? `counting only the time ${describeWindow(ctx, derived.within)}` : `只计${describeWindow(ctx, derived.within)}的部分`);
      if (derived.except) {
        const exceptLabel = factLabel(ctx, derived.except.records);
        extra.push(en ? `leaving out the time covered by ${exceptLabel}` : `扣除与${exceptLabel}重叠的时间`);
      }
      if (derived.groupBy) {
        const field = factLabel(recordCtx, derived.groupBy.field);
        extra.push(derived.groupBy.op === "sum" ? (en ? `counted per ${field} and added up` : `按${field}分别计算后相加`) : en ? `counted per ${field}, the longest taken` : `按${field}分别计算，取最长者`);
      }
      if (derived.monthCount === "calendar" && derived.unit !== "days") {
        extra.push(en ? "every calendar month touched counts, the first and the evaluation month included" : "按自然月计，首月和评估当月均计入");
      }
      gap += extra.map((part) => (en ? `; ${part}` : `，${part}`)).join("");
      const days = ctx.doc.formatVersion === undefined ? "" : periodsIncludeEvaluationDay(ctx.doc)
        ? en ? "; the end date and the evaluation day count" : "，含结束日和评估日当天"
        : en ? "; the evaluation day itself does not count (format 1.0)" : "，评估日当天不计（格式1.0）";
      if (en) {
        const mode = derived.mode === "total" ? "total time covered" : "latest unbroken run";
        return `${mode} by ${factLabel(ctx, derived.records)} (${span}), in whole ${unitName(derived.unit)}, overlaps counted once${gap}${days}`;
      }
      const mode = derived.mode === "total" ? "覆盖的累计时长" : "截至评估日的最近连续时长";
      return `${factLabel(ctx, derived.records)}（${span}）${mode}，按整${unitName(derived.unit)}计，重叠部分只计一次${gap}${days}`;
    }
  }
}
