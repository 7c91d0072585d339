/**
 * "What it would take" in the officer's and the applicant's words, in either language: each change of a fact by its
 * label and values ("在本市缴纳社会保险月数：40个月 → 54个月（再增加14个月）"), then what it brings
 * ("总分 93 → 100 分，达到 100 分的分数线").
 */
import type { StandardDocument } from "../../rules-schema/types";
import { describeValue, factInfo, factLabel, formatNumber, pickText, quantity, type DescribeContext } from "../scoring/describe";
import type { FactChange, Proposal, Standing, WhatItTakes } from "./what-it-takes";

type Lang = "zh" | "en";

const context = (doc: StandardDocument, lang: Lang): DescribeContext => ({ doc, lang: lang === "en" ? "en" : "zh-CN" });
const round = (n: number) => formatNumber(Math.round(n * 100) / 100);

export function describeChange(doc: StandardDocument, change: FactChange, lang: Lang): string {
  const ctx = context(doc, lang);
  const label = factLabel(ctx, change.fact);
  const from = describeValue(ctx, change.fact, change.from);
  const to = describeValue(ctx, change.fact, change.to);
  let more = "";
  if (typeof change.to === "number") {
    const base = typeof change.from === "number" ? change.from : 0;
    const delta = quantity(ctx.lang, change.to - base, factInfo(ctx, change.fact).unit);
    more = lang === "en" ? ` (${delta} more)` : `（再增加${delta}）`;
  }
  return lang === "en" ? `${label}: ${from} → ${to}${more}` : `${label}：${from} → ${to}${more}`;
}

export function describeProposal(doc: StandardDocument, proposal: Proposal, result: { total: number | null; line: number }, lang: Lang): string {
  const changes = proposal.changes.map((change) => describeChange(doc, change, lang));
  const before = result.total === null ? (lang === "en" ? "no score" : "不计分") : round(result.total);
  if (lang === "en") return `${changes.join("; and ")}: total ${before} → ${round(proposal.total)}, reaching the line of ${round(result.line)}`;
  return `${changes.join("；并且")}：总分 ${before} → ${round(proposal.total)} 分，达到 ${round(result.line)} 分的分数线`;
}

/** Why there is no score: the conditions of application not met, or the vetoes, by label. */
function noScore(doc: StandardDocument, standing: Standing, lang: Lang): string {
  if (standing.vetoed) {
    return lang === "en" ? "no score (a veto applies)" : "不计分（一票否决）";
  }
  const labels = standing.failedGates.map((id) => {
    const gate = doc.gates?.find((candidate) => candidate.id === id);
    return gate ? pickText(context(doc, lang).lang, gate.label) : id;
  });
  return lang === "en" ? `no score (conditions of application not met: ${labels.join("; ")})` : `不计分（不符合申请条件：${labels.join("；")}）`;
}

/** The whole answer as lines: the situation, then one line per proposal. */
export function describeWhatItTakes(doc: StandardDocument, result: WhatItTakes, lang: Lang): string[] {
  const line = round(result.line);
  if (result.outcome === "reached") {
    return [lang === "en" ? `Already at the line: total ${round(result.total)}, line ${line}.` : `已达到分数线：总分 ${round(result.total)} 分，分数线 ${line} 分。`];
  }
  const now = result.total === null ? noScore(doc, result, lang) : lang === "en" ? `total ${round(result.total)}` : `总分 ${round(result.total)} 分`;
  const head = lang === "en" ? `Now: ${now}; the line is ${line}.` : `目前${now}；分数线 ${line} 分。`;
  if (result.outcome === "none") {
    const why =
      result.reason === "noActionableFacts"
        ? lang === "en"
          ? "The standard marks no fact the applicant can change himself, so nothing can be proposed."
          : "本标准未标明申请人可通过自身努力改变的事项，无法给出建议。"
        : result.reason === "searchLimit"
          ? lang === "en"
            ? "No change was found within the search's limit; try with fewer facts the applicant can change."
            : "在计算上限内未找到可达到分数线的改变；可减少可改变的事项后再试。"
          : lang === "en"
            ? "No change of one or two facts the applicant can act on reaches the line."
            : "改变申请人可改变的一至两项事实都无法达到分数线。";
    return [head, why];
  }
  const intro = lang === "en" ? "Any one of these would reach it:" : "以下任一项即可达到：";
  return [head, intro, ...result.proposals.map((proposal, k) => `${k + 1}. ${describeProposal(doc, proposal, result, lang)}`)];
}

