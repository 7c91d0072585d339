/**
 * Why an applicant entered or left in a what-if (issue 22, decision 038): one sentence in both languages, from the
 * simulation's columns. In order of precedence: newly ineligible or vetoed, or newly eligible (naming the conditions
 * when the caller can say which); under or over the score line; the applicant's own items (which, by how much); and
 * otherwise displaced: how many others overtook them (or fell behind them) in the pool, and by which items.
 * Pure; one index per simulation, built on first use, so a whole export costs about (entered + left) × places.
 */
import type { Id, IsoDate, LocalizedText, StandardDocument } from "../../rules-schema/types";
import type { Facts } from "../types";
import { compileProgram, type CompiledProgram } from "../scoring/compiled";
import { OUTCOME } from "../allocation/rank";
import { pointsText } from "../scoring/describe";
import type { SimulationResult } from "./simulate";

export type ChangeKind = "eligibility" | "line" | "ownItems" | "displaced" | "tie";

export interface ChangeReason {
  kind: ChangeKind;
  text: LocalizedText;
  /** Displaced: how many others moved past (left) or fell behind (entered). */
  others?: number;
  /** Items of the applicant that changed, or those that moved the others (most common first). */
  items?: Id[];
}

/** The failed gates' and triggered vetoes' labels of one row under one version, when the caller can score it. */
export type ConditionsOf = (row: number, version: "before" | "after") => LocalizedText[] | undefined;

const admitted = (code: number) => code === OUTCOME.round1 || code === OUTCOME.round2;
const unscored = (code: number) => code === OUTCOME.ineligible || code === OUTCOME.vetoed;
const belowLine = (code: number) => code === OUTCOME.belowMinimum || code === OUTCOME.belowThreshold;

function signed(lang: "zh-CN" | "en", value: number): string {
  const text = pointsText(lang, Math.abs(value));
  return value >= 0 ? `+${text}` : `−${text}`;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export class ChangeReasons {
  private readonly labels = new Map<Id, LocalizedText>();
  private aheadAfter?: Map<string, number[]>;
  private aheadBefore?: Map<string, number[]>;

  constructor(
    private readonly result: SimulationResult,
    baseline: StandardDocument,
    candidate: StandardDocument,
    private readonly conditionsOf?: ConditionsOf,
  ) {
    for (const item of [...candidate.items, ...baseline.items]) if (!this.labels.has(item.id)) this.labels.set(item.id, item.label);
  }

  /** The reason of row `i`, or undefined when its admission did not change. */
  reasonOf(i: number): ChangeReason | undefined {
    const c = this.result.columns;
    const wasIn = admitted(c.outcomeBefore[i]);
    const isIn = admitted(c.outcomeAfter[i]);
    if (wasIn === isIn) return undefined;
    const before = c.totalBefore[i];
    const after = c.totalAfter[i];
    const totals = (lang: "zh-CN" | "en") => `${pointsText(lang, round(before))} → ${pointsText(lang, round(after))}`;
    const outcome = isIn ? c.outcomeBefore[i] : c.outcomeAfter[i];
    if (unscored(outcome)) {
      const names = this.conditionsOf?.(i, isIn ? "before" : "after") ?? [];
      const list = (lang: "zh-CN" | "en") => names.map((name) => `“${lang === "en" ? name.en : name.zh}”`).join(lang === "en" ? ", " : "、");
      const vetoed = outcome === OUTCOME.vetoed;
      const text = isIn
        ? {
            zh: `原${vetoed ? "被一票否决" : "不符合准入条件"}${names.length ? `（${list("zh-CN")}）` : ""}，修订后符合条件，总分${pointsText("zh-CN", round(after))}，新进入录取`,
            en: `was ${vetoed ? "vetoed" : "not eligible"} before${names.length ? ` (${list("en")})` : ""}, eligible after the revision with ${pointsText("en", round(after))}: entered`,
          }
        : {
            zh: `修订后${vetoed ? "被一票否决" : "不符合准入条件"}${names.length ? `（${list("zh-CN")}）` : ""}，不计分，不再录取`,
            en: `${vetoed ? "vetoed" : "not eligible"} after the revision${names.length ? ` (${list("en")})` : ""}, so no score: left`,
          };
      return { kind: "eligibility", text };
    }
    const items = this.ownItems(i);
    const itemsText = (lang: "zh-CN" | "en") =>
      items.map(({ id, delta }) => `${this.label(id, lang)} ${signed(lang, delta)}`).join(lang === "en" ? ", " : "、");
    if (belowLine(outcome)) {
      const text = isIn
        ? { zh: `总分${totals("zh-CN")}，达到分值线${items.length ? `（${itemsText("zh-CN")}）` : ""}，新进入录取`, en: `total ${totals("en")}, now reaches the score line${items.length ? ` (${itemsText("en")})` : ""}: entered` }
        : { zh: `总分${totals("zh-CN")}，低于分值线${items.length ? `（${itemsText("zh-CN")}）` : ""}，不再录取`, en: `total ${totals("en")}, now below the score line${items.length ? ` (${itemsText("en")})` : ""}: left` };
      return { kind: "line", text, items: items.map((entry) => entry.id) };
    }
    const displaced = this.displaced(i, isIn);
    const ownPart = (lang: "zh-CN" | "en") =>
      items.length === 0
        ? lang === "en" ? `own points unchanged (${pointsText(lang, round(after))})` : `本人得分未变（${pointsText(lang, round(after))}）`
        : lang === "en" ? `own items changed: ${itemsText(lang)}, total ${totals(lang)}` : `本人指标变化：${itemsText(lang)}，总分${totals(lang)}`;
    const othersPart = (lang: "zh-CN" | "en") => {
      if (displaced.count === 0) return "";
      const by = displaced.items.slice(0, 3).map((id) => this.label(id, lang)).join(lang === "en" ? ", " : "、");
      if (isIn) {
        return lang === "en"
          ? `${displaced.count} applicant(s) ranked above before fell behind or out${by ? ` (by ${by})` : ""}`
          : `原排在前面的 ${displaced.count} 人名次后移或退出${by ? `（因${by}）` : ""}`;
      }
      return lang === "en"
        ? `overtaken by ${displaced.count} applicant(s) in the pool${by ? ` (by ${by})` : ""}`
        : `同一名额池内被 ${displaced.count} 人超过${by ? `（因${by}）` : ""}`;
    };
    const rankPart = (lang: "zh-CN" | "en") => {
      const r0 = c.rankBefore[i] || null;
      const r1 = c.rankAfter[i] || null;
      if (r0 === null && r1 === null) return "";
      return lang === "en" ? `rank ${r0 ?? "—"} → ${r1 ?? "—"}` : `名次 ${r0 ?? "—"} → ${r1 ?? "—"}`;
    };
    const sentence = (lang: "zh-CN" | "en") => {
      const parts = [ownPart(lang), othersPart(lang), rankPart(lang)].filter(Boolean);
      const end = isIn ? (lang === "en" ? "entered" : "新进入录取") : lang === "en" ? "left" : "被挤出";
      return lang === "en" ? `${parts.join("; ")}: ${end}` : `${parts.join("；")}，${end}`;
    };
    const kind: ChangeKind = items.length > 0 ? "ownItems" : displaced.count > 0 ? "displaced" : "tie";
    if (kind === "tie") {
      const outcomeText = (code: number, lang: "zh-CN" | "en") =>
        code === OUTCOME.lotteryLost ? (lang === "en" ? "lost the lottery among equal scores" : "同分抽签未中")
          : code === OUTCOME.tieExcluded ? (lang === "en" ? "tied at the cut-off, excluded" : "在分数线上同分，未录取")
            : code === OUTCOME.sameKey ? (lang === "en" ? "another applicant of the same key ranks higher" : "同一对象仅录取排名最前者")
              : "";
      const own = outcomeText(outcome, "zh-CN");
      if (own) {
        return { kind, text: { zh: `${sentence("zh-CN")}（${own}）`, en: `${sentence("en")} (${outcomeText(outcome, "en")})` } };
      }
    }
    return {
      kind,
      text: { zh: sentence("zh-CN"), en: sentence("en") },
      ...(displaced.count > 0 ? { others: displaced.count } : {}),
      items: kind === "ownItems" ? items.map((entry) => entry.id) : displaced.items,
    };
  }

  private label(id: Id, lang: "zh-CN" | "en"): string {
    const label = this.labels.get(id);
    return label ? (lang === "en" ? label.en : label.zh) : id;
  }

  private ownItems(i: number): Array<{ id: Id; delta: number }> {
    const c = this.result.columns;
    const items: Array<{ id: Id; delta: number }> = [];
    for (let e = c.changeStart[i]; e < c.changeStart[i + 1]; e++) {
      const delta = round(c.changeAfter[e] - c.changeBefore[e]);
      if (delta !== 0) items.push({ id: c.itemIds[c.changeItem[e]], delta });
    }
    return items;
  }

  /** Rows ranked in each pool, ordered by rank, under one version. */
  private ranked(version: "before" | "after"): Map<string, number[]> {
    const cached = version === "after" ? this.aheadAfter : this.aheadBefore;
    if (cached) return cached;
    const c = this.result.columns;
    const rank = version === "after" ? c.rankAfter : c.rankBefore;
    const pool = version === "after" ? c.poolAfter : c.poolBefore;
    const names = version === "after" ? c.poolNamesAfter : c.poolNamesBefore;
    const byPool = new Map<string, number[]>();
    for (let j = 0; j < rank.length; j++) {
      if (rank[j] === 0) continue;
      const name = names[pool[j]] ?? "*";
      let list = byPool.get(name);
      if (!list) byPool.set(name, (list = []));
      list.push(j);
    }
    for (const list of byPool.values()) list.sort((a, b) => rank[a] - rank[b]);
    if (version === "after") this.aheadAfter = byPool;
    else this.aheadBefore = byPool;
    return byPool;
  }

  /**
   * Left: others ranked ahead of i after, who were not ahead of i in the same pool before. Entered: others ahead of
   * i before who are no longer ahead after. With the items that changed for them, most common first.
   */
  private displaced(i: number, entered: boolean): { count: number; items: Id[] } {
    const c = this.result.columns;
    const [mine, theirs] = entered ? (["before", "after"] as const) : (["after", "before"] as const);
    const rank = mine === "after" ? c.rankAfter : c.rankBefore;
    const otherRank = theirs === "after" ? c.rankAfter : c.rankBefore;
    const poolName = (version: "before" | "after", row: number) =>
      version === "after" ? c.poolNamesAfter[c.poolAfter[row]] ?? "*" : c.poolNamesBefore[c.poolBefore[row]] ?? "*";
    if (rank[i] === 0) return { count: 0, items: [] };
    const pool = poolName(mine, i);
    const list = this.ranked(mine).get(pool) ?? [];
    const counts = new Map<number, number>();
    let count = 0;
    for (const j of list) {
      if (rank[j] >= rank[i]) break;
      if (j === i) continue;
      // Ahead of i under the other version too: not one who moved past (or fell behind).
      const aheadThere = otherRank[j] !== 0 && poolName(theirs, j) === poolName(theirs, i) && (otherRank[i] === 0 || otherRank[j] < otherRank[i]);
      if (aheadThere) continue;
      count++;
      for (let e = c.changeStart[j]; e < c.changeStart[j + 1]; e++) {
        const delta = c.changeAfter[e] - c.changeBefore[e];
        if (delta === 0) continue;
        counts.set(c.changeItem[e], (counts.get(c.changeItem[e]) ?? 0) + 1);
      }
    }
    const items = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([slot]) => c.itemIds[slot]);
    return { count, items };
  }
}

/**
 * ConditionsOf from the applicants' facts: each version's compiled evaluator scores the one row asked about and names
 * its failed gates by label (a veto is named as such by the sentence; the compact score does not say which).
 */
export function conditionsFromFacts(
  baseline: StandardDocument,
  candidate: StandardDocument,
  programId: Id,
  date: IsoDate,
  factsOf: (row: number) => Facts,
): ConditionsOf {
  const compiled = new Map<"before" | "after", CompiledProgram>();
  return (row, version) => {
    const doc = version === "before" ? baseline : candidate;
    let program = compiled.get(version);
    if (!program) compiled.set(version, (program = compileProgram(doc, programId)));
    const score = program.score(factsOf(row), date);
    return score.failedGates.map((id) => doc.gates?.find((gate) => gate.id === id)?.label ?? { zh: id, en: id });
  };
}
