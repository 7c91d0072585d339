/**
 * Levers in the officer's words, in either language: a parameter's value with its unit ("70分", "0.25分",
 * "60个月"), a step ("+1 → 71分"), and what it does ("新录取 3 名，被挤出 3 名；分数线最多上移 5 分（s3）；
 * 大学本科 占录取 +2.5 个百分点"). Pool and group values by the standard's labels. Pure.
 */
import type { Id, StandardDocument } from "../../rules-schema/types";
import { formatNumber, quantity, unitText, type Lang } from "../scoring/describe";
import type { LeverStep } from "./levers";
import type { NumericParameter } from "./parameters";

const round = (n: number, digits = 2) => formatNumber(Math.round(n * 10 ** digits) / 10 ** digits);
const signed = (n: number, digits = 2) => (n > 0 ? `+${round(n, digits)}` : n < 0 ? `−${round(-n, digits)}` : "0");

/** A parameter's number with its unit. */
export function parameterValueText(parameter: Pick<NumericParameter, "unit">, value: number, lang: Lang): string {
  switch (parameter.unit) {
    case "points":
      return lang === "en" ? `${round(value, 6)} ${value === 1 ? "point" : "points"}` : `${round(value, 6)}分`;
    case "percent":
      return `${round(value, 6)}%`;
    case "multiplier":
      return lang === "en" ? `×${round(value, 6)}` : `${round(value, 6)}倍`;
    default:
      return parameter.unit && unitText(lang, parameter.unit) ? quantity(lang, value, parameter.unit) : round(value, 6);
  }
}

/** The label of a value of a categorical fact (pool, group): the enum's label, yes/no, or the value. */
export function factValueText(doc: StandardDocument, fact: Id | undefined, value: string, lang: Lang): string {
  if (value === "") return lang === "en" ? "(not given)" : "（未填写）";
  const definition = fact === undefined ? undefined : doc.facts.find((f) => f.id === fact);
  if (definition?.type === "boolean") return value === "true" ? (lang === "en" ? "yes" : "是") : lang === "en" ? "no" : "否";
  const label = definition?.values?.find((v) => v.value === value)?.label;
  return label ? (lang === "en" ? label.en : label.zh) : value;
}

export function poolFactOf(doc: StandardDocument, programId: Id): Id | undefined {
  const allocation = doc.programs.find((p) => p.id === programId)?.allocation;
  return allocation?.kind === "quota" ? allocation.poolBy : undefined;
}

export function poolText(doc: StandardDocument, programId: Id, pool: string, lang: Lang): string {
  const fact = poolFactOf(doc, programId);
  if (fact === undefined) return lang === "en" ? "the whole program" : "全部名额";
  return factValueText(doc, fact, pool, lang);
}

/** "+1分 → 71分" / "+1 point → 71 points". */
export function stepText(parameter: NumericParameter, step: Pick<LeverStep, "direction" | "value">, lang: Lang): string {
  const delta = parameterValueText(parameter, parameter.step, lang);
  return `${step.direction > 0 ? "+" : "−"}${delta} → ${parameterValueText(parameter, step.value, lang)}`;
}

/** What one step does, in one sentence. */
export function stepEffectText(doc: StandardDocument, programId: Id, step: LeverStep, groupFact: Id | undefined, lang: Lang): string {
  const parts: string[] = [];
  parts.push(lang === "en" ? `${step.entered} entered, ${step.left} left` : `新录取 ${step.entered} 名，被挤出 ${step.left} 名`);
  const moved = step.pools.filter((p) => p.shift !== null && p.shift !== 0);
  if (moved.length > 0) {
    const largest = moved.reduce((a, b) => (Math.abs(b.shift!) > Math.abs(a.shift!) ? b : a));
    const where = poolFactOf(doc, programId) === undefined ? "" : lang === "en" ? ` (${poolText(doc, programId, largest.pool, lang)})` : `（${poolText(doc, programId, largest.pool, lang)}）`;
    const others = moved.length - 1;
    parts.push(
      lang === "en"
        ? `cut-off ${signed(largest.shift!)}${where}${others > 0 ? ` and ${others} more ${others === 1 ? "pool" : "pools"} moved` : ""}`
        : `录取分数线 ${signed(largest.shift!)} 分${where}${others > 0 ? `，另有 ${others} 个名额池的分数线变化` : ""}`,
    );
  } else {
    parts.push(lang === "en" ? "no cut-off moves" : "录取分数线不变");
  }
  const shares = step.groups.filter((g) => Math.abs(g.shareShift) >= 0.0005).sort((a, b) => Math.abs(b.shareShift) - Math.abs(a.shareShift));
  for (const g of shares.slice(0, 3)) {
    const name = factValueText(doc, groupFact, g.value, lang);
    parts.push(lang === "en" ? `${name} ${signed(g.shareShift * 100, 1)} points of the admitted share` : `${name} 占录取 ${signed(g.shareShift * 100, 1)} 个百分点`);
  }
  return parts.join(lang === "en" ? "; " : "；");
}
