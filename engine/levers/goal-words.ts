/**
 * Goals and goal search in the officer's words, in either language: "大学本科、硕士研究生、博士研究生占录取人数
 * 不低于 40%", "任一名额池的录取分数线变动不超过 30 分", "按文化程度分组，任一组的录取人数减少不超过 5%"; a change
 * as "基础分 › 文化程度 › 大专（高职） › 分值：30分 → 35分"; the binding goal and the value that would let the others
 * be met. Pure.
 */
import type { Id, StandardDocument } from "../../rules-schema/types";
import { formatNumber, type Lang } from "../scoring/describe";
import type { Goal, GoalCheck, GoalSearchResult, ParameterChange } from "./goal-search";
import { factValueText, parameterValueText, poolText } from "./levers-words";

const percent = (share: number) => `${formatNumber(Math.round(share * 1000) / 10)}%`;
const points = (n: number, lang: Lang) => (lang === "en" ? `${formatNumber(Math.round(n * 100) / 100)} points` : `${formatNumber(Math.round(n * 100) / 100)} 分`);

function factName(doc: StandardDocument, fact: Id, lang: Lang): string {
  const definition = doc.facts.find((f) => f.id === fact);
  return definition ? (lang === "en" ? definition.label.en : definition.label.zh) : fact;
}

export function describeGoal(doc: StandardDocument, goal: Goal, lang: Lang): string {
  switch (goal.kind) {
    case "share": {
      const values = goal.values.map((v) => factValueText(doc, goal.fact, v, lang)).join(lang === "en" ? ", " : "、");
      const bounds: string[] = [];
      if (goal.atLeast !== undefined) bounds.push(lang === "en" ? `at least ${percent(goal.atLeast)}` : `不低于 ${percent(goal.atLeast)}`);
      if (goal.atMost !== undefined) bounds.push(lang === "en" ? `at most ${percent(goal.atMost)}` : `不高于 ${percent(goal.atMost)}`);
      return lang === "en"
        ? `${factName(doc, goal.fact, lang)} ${values}: ${bounds.join(" and ")} of the admitted`
        : `${factName(doc, goal.fact, lang)}为${values}的占录取人数${bounds.join("且")}`;
    }
    case "cutoffShift":
      return lang === "en" ? `no pool's cut-off moves by more than ${points(goal.atMost, lang)}` : `任一名额池的录取分数线变动不超过 ${points(goal.atMost, lang)}`;
    case "groupLoss":
      return lang === "en"
        ? `no group of ${factName(doc, goal.fact, lang)} loses more than ${percent(goal.atMost)} of its admitted`
        : `按${factName(doc, goal.fact, lang)}分组，任一组的录取人数减少不超过 ${percent(goal.atMost)}`;
  }
}

/** What was measured for a goal: "37.5%", "最大变动 12 分（s3）", "最多减少 6.3%（大专（高职））". */
export function describeCheck(doc: StandardDocument, programId: Id, goal: Goal, check: GoalCheck, lang: Lang): string {
  const mark = check.met ? (lang === "en" ? "met" : "满足") : lang === "en" ? "not met" : "未满足";
  let measured: string;
  switch (goal.kind) {
    case "share":
      measured = percent(check.value);
      break;
    case "cutoffShift": {
      const where = check.where !== undefined ? poolText(doc, programId, check.where, lang) : undefined;
      measured = lang === "en" ? `largest move ${points(check.value, lang)}${where ? ` (${where})` : ""}` : `最大变动 ${points(check.value, lang)}${where ? `（${where}）` : ""}`;
      break;
    }
    case "groupLoss": {
      const where = check.where !== undefined ? factValueText(doc, goal.fact, check.where, lang) : undefined;
      measured = lang === "en" ? `largest loss ${percent(check.value)}${where ? ` (${where})` : ""}` : `最多减少 ${percent(check.value)}${where ? `（${where}）` : ""}`;
      break;
    }
  }
  return lang === "en" ? `${measured}, ${mark}` : `${measured}，${mark}`;
}

export function describeParameterChange(change: ParameterChange, lang: Lang): string {
  const label = lang === "en" ? change.parameter.label.en : change.parameter.label.zh;
  return `${label}${lang === "en" ? ": " : "："}${parameterValueText(change.parameter, change.from, lang)} → ${parameterValueText(change.parameter, change.to, lang)}`;
}

/** The value a binding goal would have to allow: "不低于 36.7%", "30 分 → 6 分". */
export function describeRelaxation(goal: Goal, value: number, lang: Lang): string {
  switch (goal.kind) {
    case "share":
      return lang === "en" ? `the share would have to be allowed at ${percent(value)}` : `比例须放宽到 ${percent(value)}`;
    case "cutoffShift":
      return lang === "en" ? `the cut-off would have to be allowed to move ${points(value, lang)}` : `分数线变动上限须放宽到 ${points(value, lang)}`;
    case "groupLoss":
      return lang === "en" ? `a group would have to be allowed to lose ${percent(value)}` : `减少比例上限须放宽到 ${percent(value)}`;
  }
}

/** Why no table is proposed, in one or two sentences. */
export function describeNotMet(doc: StandardDocument, goals: readonly Goal[], result: GoalSearchResult, lang: Lang): string[] {
  const lines: string[] = [];
  const name = (g: number) => (lang === "en" ? `“${describeGoal(doc, goals[g], lang)}”` : `“${describeGoal(doc, goals[g], lang)}”`);
  lines.push(lang === "en" ? "The goals cannot be met together by the moves tried." : "在所尝试的调整范围内，这些目标无法同时满足。");
  const first = result.binding[0];
  if (first !== undefined) {
    const relaxation = result.relaxations.find((r) => r.goal === first);
    const relax = relaxation ? describeRelaxation(goals[first], relaxation.value, lang) : undefined;
    lines.push(
      lang === "en"
        ? `The binding goal: ${name(first)}${relax ? ` — ${relax} for the other goals to be met` : ""}.`
        : `起约束作用的目标：${name(first)}${relax ? `（${relax}，其余目标即可满足）` : ""}。`,
    );
  }
  for (const g of result.binding.slice(1)) {
    const relaxation = result.relaxations.find((r) => r.goal === g);
    if (!relaxation) continue;
    lines.push(lang === "en" ? `Or relax ${name(g)}: ${describeRelaxation(goals[g], relaxation.value, lang)}.` : `或放宽${name(g)}：${describeRelaxation(goals[g], relaxation.value, lang)}。`);
  }
  for (const g of result.neverMet) lines.push(lang === "en" ? `No move tried met ${name(g)}, even alone.` : `所尝试的调整中，没有一个能单独满足${name(g)}。`);
  if (result.budgetExhausted) lines.push(lang === "en" ? `The search stopped after ${result.evaluations} versions (its limit).` : `测算 ${result.evaluations} 个版本后达到上限而停止。`);
  return lines;
}
