/**
 * A round's standing in the officer's words, per pool, ranked: masked identities only (decision 043), points (none
 * for the ineligible and the vetoed, decision 037), the result, amendments marked with their date; and the round's
 * history as sentences.
 */
import type { AmendmentRecord, RoundHistoryEntry, RoundRecord, PoolStanding, StoredRoundResult } from "../../../db/rounds";
import type { StandardDocument } from "../../../rules-schema/types";
import { describeValue, factLabel } from "../../../engine/scoring/describe";
import type { Lang } from "../../i18n";
import { roundText, type RoundMessageKey } from "./messages";
import type { PoolTable } from "./present";
import type { StandingRow } from "./rounds.server";

export const points = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, ""));

/** The pool's words: "全部申请人" without pools, the enum label of the pool fact's value, else the value. */
export function poolLabel(lang: Lang, doc: StandardDocument, programId: string, pool: string): string {
  if (pool === "*") return roundText(lang, "poolAll");
  const program = doc.programs.find((p) => p.id === programId);
  const poolBy = program?.allocation.kind === "quota" ? program.allocation.poolBy : undefined;
  const fact = poolBy ? doc.facts.find((f) => f.id === poolBy) : undefined;
  const value = fact?.values?.find((v) => v.value === pool);
  const name = fact ? (lang === "en" ? fact.label.en : fact.label.zh) : "";
  const shown = value ? (lang === "en" ? value.label.en : value.label.zh) : pool === "" ? "—" : pool;
  return name ? `${name}：${shown}` : shown;
}

export function verdictText(lang: Lang, row: Pick<StandingRow, "admitted" | "reason">): string {
  if (row.admitted === "round1" || row.admitted === "round2") return roundText(lang, `verdict_${row.admitted}`);
  const key = `reason_${row.reason ?? "belowCutoff"}` as RoundMessageKey;
  return roundText(lang, key);
}

/** The standing per pool, each ranked (the ranked first by rank, then the others by points), at most `limit` rows. */
export function poolTables(lang: Lang, doc: StandardDocument, round: Pick<RoundRecord, "programId">, standing: { rows: StandingRow[]; pools: PoolStanding[] }, limit: number): PoolTable[] {
  const order = (a: StandingRow, b: StandingRow) =>
    (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || b.total - a.total || a.applicantRef.localeCompare(b.applicantRef);
  const pools = [...standing.pools].sort((a, b) => a.pool.localeCompare(b.pool, "zh-CN", { numeric: true }));
  return pools.map((pool) => {
    const rows = standing.rows.filter((r) => r.pool === pool.pool).sort(order);
    return {
      pool: pool.pool,
      label: poolLabel(lang, doc, round.programId, pool.pool),
      places: pool.places,
      admitted: pool.admittedRound1 + pool.admittedRound2,
      cutoff: pool.cutoffTotal,
      more: Math.max(0, rows.length - limit),
      rows: rows.slice(0, limit).map((r) => ({
        ref: r.applicantRef,
        rank: r.rank,
        name: r.nameMasked ?? roundText(lang, "unnamed"),
        idNumber: r.idMasked ?? "—",
        points: r.eligible && !r.vetoed ? points(r.total) : roundText(lang, "noScore"),
        verdict: verdictText(lang, r),
        admitted: r.admitted !== null,
        amended: r.amendedOn && r.totalBefore !== null ? roundText(lang, "amendedNote", { on: r.amendedOn, before: points(r.totalBefore) }) : null,
      })),
    };
  });
}

const ACTIONS: Record<string, RoundMessageKey> = {
  "round.open": "action_open",
  "round.attach": "action_attach",
  "round.run": "action_run",
  "round.announce": "action_announce",
  "round.notice": "action_notice",
  "round.objection": "action_objection",
  "round.uphold": "action_uphold",
  "round.correct": "action_correct",
};

/** One step of the round's history as a sentence. */
export function historySentence(lang: Lang, entry: Pick<RoundHistoryEntry, "action" | "details">): string {
  const key = ACTIONS[entry.action];
  if (!key) return entry.action;
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(entry.details)) if (typeof value === "string" || typeof value === "number") params[name] = value;
  return roundText(lang, key, params);
}

/** Each amendment of a round as the notice announces it, oldest first. */
export function amendmentLines(lang: Lang, amendments: readonly AmendmentRecord[], results: readonly StoredRoundResult[]): Array<{ id: number; text: string }> {
  const refOf = new Map(results.map((r) => [r.rowNo, r.applicantRef]));
  return amendments.map((a) => {
    const row = a.results.find((s) => s.rowNo === a.rowNo);
    return {
      id: a.id,
      text: roundText(lang, "amendmentLine", {
        on: a.amendedOn,
        ref: refOf.get(a.rowNo) ?? String(a.rowNo),
        before: points(a.totalBefore),
        after: points(a.totalAfter),
        verdict: row ? verdictText(lang, row) : "—",
      }),
    };
  });
}

/** Corrected facts in words: "最高学历：博士研究生；…". */
export function factsInWords(lang: Lang, doc: StandardDocument, facts: Record<string, unknown>): string {
  const ctx = { doc, lang };
  return Object.entries(facts)
    .map(([id, value]) => `${factLabel(ctx, id)}${lang === "en" ? ": " : "："}${describeValue(ctx, id, value)}`)
    .join(lang === "en" ? "; " : "；");
}
