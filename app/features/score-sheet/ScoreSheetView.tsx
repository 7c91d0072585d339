/**
 * One applicant's score sheet with every figure explained in words: eligibility (each gate with its reason),
 * vetoes, then one row per item (conditions with the fact values seen, the tier chosen, records counted inside the
 * lookback, caps, choose-one groups, the article), category subtotals, adjustments and the total.
 * Pure: it receives the sheet, the document (for labels) and the language, and renders; no hooks, no fetching,
 * so the simulation screen can render two side by side.
 */
import type { ConditionTrace, Facts, ItemOutcome, PersonsExplanation, ScoreSheet } from "../../../engine/types";
import { personLabel } from "../../../rules-schema/persons";
import type { ScoringItem, StandardDocument } from "../../../rules-schema/types";
import {
  describeAccrual,
  describeLinear,
  describeWindow,
  describeRange,
  describeTraceLeaf,
  describeValue,
  factInfo,
  factLabel,
  formatDate,
  inRecords,
  pickText,
  pointsText,
  type DescribeContext,
  type Lang,
} from "../read-view/describe";
import { scoreSheetText } from "./messages";
import { explainScore, type Explanation } from "../../../engine/scoring/explain";

export interface ScoreSheetViewProps {
  sheet: ScoreSheet;
  /** The scored document: only its labels, facts, items, categories and groups are read. */
  doc: StandardDocument;
  lang: Lang;
  /** The applicant's facts, to show the records that were counted. */
  facts?: Facts;
  /** Shown above the sheet, e.g. "before" / "after" on the simulation screen. */
  caption?: string;
}

type Text = (key: Parameters<typeof scoreSheetText>[1], params?: Record<string, string | number>) => string;

export function ScoreSheetView({ sheet, doc, lang, facts, caption }: ScoreSheetViewProps) {
  const m: Text = (key, params) => scoreSheetText(lang, key, params);
  const ctx: DescribeContext = { doc, lang };
  const explanation = explainScore(doc, sheet);
  const totalText = explanation.total === null ? m("noScore") : formatPoints(explanation.total);
  const program = doc.programs.find((candidate) => candidate.id === sheet.program);
  const itemsByCategory = doc.categories.map((category) => ({
    category,
    outcomes: sheet.items.filter((outcome) => outcome.category === category.id),
  }));
  return (
    <div className="score-sheet" data-testid="score-sheet">
      {caption ? <h3 className="score-sheet-caption">{caption}</h3> : null}
      <div className="score-summary">
        <div className="score-total">
          <span className="muted">{m("total")}</span>
          <strong data-testid="total">{totalText}</strong>
        </div>
        <span className={`badge ${explanation.verdict.kind === "admitted" ? "badge-ok" : "badge-bad"}`} data-testid="verdict" data-verdict={explanation.verdict.kind}>
          {pickText(lang, explanation.verdict.text)}
        </span>
        <span className="muted small">
          {m("evaluatedOn", { date: formatDate(lang, sheet.date), program: program ? pickText(lang, program.label) : sheet.program })}
        </span>
      </div>

      {sheet.persons ? <PersonsChoice persons={sheet.persons} doc={doc} lang={lang} m={m} /> : null}

      <h4>{m("sectionGates")}</h4>
      {sheet.gates.length > 0 ? (
        <p className={`rule-conclusion ${sheet.eligible ? "ok" : "bad"}`}>
          {sheet.eligible ? "✓ " : "✗ "}
          <span data-testid="eligibility">{sheet.eligible ? m("eligible") : m("notEligible")}</span>
        </p>
      ) : null}
      <RuleOutcomeTable
        testId="gates"
        empty={m("noGates")}
        ctx={ctx}
        m={m}
        rows={sheet.gates.map((gate) => ({
          id: gate.id,
          attributes: { "data-gate": gate.id },
          label: labelOf(doc.gates, gate.id, lang),
          trace: gate.trace,
          wanted: true,
          ok: gate.passed,
          result: gate.passed ? `✓ ${m("passed")}` : `✗ ${m("failed")}`,
          reason: gate.passed ? "" : pickText(lang, gate.reason),
        }))}
      />

      <h4>{m("sectionVetoes")}</h4>
      {sheet.vetoes.length > 0 ? (
        <p className={`rule-conclusion ${sheet.vetoed ? "bad" : "ok"}`}>
          {sheet.vetoed ? "✗ " : "✓ "}
          <span data-testid="veto-status">{sheet.vetoed ? m("vetoed") : m("notVetoed")}</span>
        </p>
      ) : null}
      <RuleOutcomeTable
        testId="vetoes"
        empty={m("noVetoes")}
        ctx={ctx}
        m={m}
        rows={sheet.vetoes.map((veto) => ({
          id: veto.id,
          attributes: { "data-veto": veto.id },
          label: labelOf(doc.vetoes, veto.id, lang),
          trace: veto.trace,
          wanted: false,
          ok: !veto.triggered,
          result: veto.triggered ? `✗ ${m("triggered")}` : `✓ ${m("notTriggered")}`,
          reason: veto.triggered ? pickText(lang, veto.reason) : "",
        }))}
      />

      <h4>{m("sectionItems")}</h4>
      <table className="grid compact sheet-table" data-testid="items">
        <thead>
          <tr>
            <th>{m("colItem")}</th>
            <th className="num">{m("colPoints")}</th>
            <th>{m("colWhy")}</th>
          </tr>
        </thead>
        {itemsByCategory.map(({ category, outcomes }) => (
          <tbody key={category.id} data-category={category.id}>
            {outcomes.map((outcome, index) => {
              const item = doc.items.find((candidate) => candidate.id === outcome.id);
              return (
                <tr key={`${outcome.id}-${index}`} data-item={outcome.id} className={outcome.explanation.notApplicable ? "muted" : ""}>
                  <td>{item ? pickText(lang, item.label) : outcome.id}</td>
                  <td className="num" data-testid={`points-${outcome.id}`}>
                    {formatPoints(outcome.points)}
                  </td>
                  <td>
                    <ItemExplanationView outcome={outcome} item={item} ctx={ctx} m={m} facts={facts} explanation={explanation} />
                  </td>
                </tr>
              );
            })}
            {sheet.adjustments
              .filter((adjustment) => adjustment.category === category.id)
              .map((adjustment, index) => (
                <tr key={`adj-${index}`} className="adjustment-row">
                  <td>{adjustmentLabel(adjustment, doc, lang, m)}</td>
                  <td className="num">{formatPoints(adjustment.points)}</td>
                  <td />
                </tr>
              ))}
            <tr className="subtotal-row" data-subtotal={category.id}>
              <th scope="row">{m("subtotal", { category: pickText(lang, category.label) })}</th>
              <td className="num strong">{formatPoints(sheet.categories[category.id] ?? 0)}</td>
              <td />
            </tr>
          </tbody>
        ))}
        <tbody>
          {sheet.adjustments
            .filter((adjustment) => adjustment.category === undefined)
            .map((adjustment, index) => (
              <tr key={`total-adj-${index}`} className="adjustment-row">
                <td>{adjustmentLabel(adjustment, doc, lang, m)}</td>
                <td className="num">{formatPoints(adjustment.points)}</td>
                <td />
              </tr>
            ))}
          <tr className="total-row">
            <th scope="row">{m("total")}</th>
            <td className="num strong" data-testid="total-row">
              {totalText}
            </td>
            <td />
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function formatPoints(points: number): string {
  const rounded = Math.round(points * 1e6) / 1e6;
  return rounded < 0 ? `−${Math.abs(rounded)}` : String(rounded);
}

/** Whose points the sheet shows, why, and every candidate's own total (decision 028). */
function PersonsChoice({ persons, doc, lang, m }: { persons: PersonsExplanation; doc: StandardDocument; lang: Lang; m: Text }) {
  const name = (id: string) => pickText(lang, personLabel(doc, id));
  const scored = name(persons.scored);
  const first = name(persons.candidates[0]?.person ?? persons.scored);
  return (
    <div className="persons-choice" data-testid="persons-choice">
      <h4>{m("sectionPersons")}</h4>
      <p data-testid="persons-reason">
        {m(`persons_${persons.reason}`, { person: scored, first })}
      </p>
      <table className="grid compact sheet-table" data-testid="persons">
        <thead>
          <tr>
            <th>{m("colPerson")}</th>
            <th className="num">{m("total")}</th>
            <th>{m("colResult")}</th>
          </tr>
        </thead>
        <tbody>
          {persons.candidates.map((candidate) => (
            <tr key={candidate.person} data-person={candidate.person} className={candidate.person === persons.scored ? "chosen" : undefined}>
              <td>{name(candidate.person)}</td>
              <td className="num">{candidate.eligible && !candidate.vetoed ? formatPoints(candidate.total) : m("noScore")}</td>
              <td>
                {[
                  candidate.vetoed ? m("vetoed") : candidate.eligible ? m("eligible") : m("notEligible"),
                  candidate.person === persons.scored ? m("personCounts") : "",
                ]
                  .filter(Boolean)
                  .join(lang === "en" ? "; " : "；")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function adjustmentLabel(adjustment: ScoreSheet["adjustments"][number], doc: StandardDocument, lang: Lang, m: Text): string {
  if (adjustment.kind === "totalAdjustment") {
    const rules = [doc.total, ...doc.programs.map((program) => program.total)];
    const found = rules.flatMap((rule) => rule?.adjustments ?? []).find((candidate) => candidate.id === adjustment.id);
    return m("adj_totalAdjustment", { name: pickText(lang, found?.label) || String(adjustment.id) });
  }
  const name =
    adjustment.kind === "groupCap"
      ? pickText(lang, doc.groups?.find((group) => group.id === adjustment.id)?.label) || String(adjustment.id)
      : pickText(lang, doc.categories.find((category) => category.id === adjustment.id)?.label) || String(adjustment.id ?? "");
  return m(`adj_${adjustment.kind}`, { name });
}

/**
 * A condition as evaluated. ✓/✗ say whether each part held; the colour says whether that is good for the applicant
 * (`wanted` is false for vetoes, where a condition that does not hold is the good outcome).
 */
function labelOf(list: Array<{ id: string; label: { zh: string; en: string } }> | undefined, id: string, lang: Lang): string {
  const definition = list?.find((candidate) => candidate.id === id);
  return definition ? pickText(lang, definition.label) : id;
}

interface RuleOutcomeRow {
  id: string;
  attributes: Record<string, string>;
  label: string;
  trace: ConditionTrace;
  /** The condition result that is good for the applicant (true for a gate, false for a veto). */
  wanted: boolean;
  ok: boolean;
  result: string;
  reason: string;
}

/** Gates and vetoes share one table: the rule with its condition trace, the outcome, and the reason when it goes against the applicant. */
function RuleOutcomeTable({ testId, empty, rows, ctx, m }: { testId: string; empty: string; rows: RuleOutcomeRow[]; ctx: DescribeContext; m: Text }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="grid compact sheet-table" data-testid={testId}>
      <thead>
        <tr>
          <th>{m("colCondition")}</th>
          <th>{m("colResult")}</th>
          <th>{m("colReason")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} {...row.attributes} className={row.ok ? "row-ok" : "row-bad"}>
            <td>
              <div className="strong">{row.label}</div>
              <TraceView trace={row.trace} ctx={ctx} m={m} wanted={row.wanted} />
            </td>
            <td className={row.ok ? "ok" : "error"}>{row.result}</td>
            <td>{row.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TraceView({ trace, ctx, m, wanted = true }: { trace: ConditionTrace; ctx: DescribeContext; m: Text; wanted?: boolean }) {
  const tone = trace.result === wanted ? "ok" : "error";
  if (!trace.kind) {
    return (
      <div className={`trace-leaf ${tone}`}>
        {trace.result ? "✓" : "✗"} {describeTraceLeaf(ctx, trace)}
      </div>
    );
  }
  const children = trace.children ?? [];
  if (trace.kind !== "not" && children.length === 1) return <TraceView trace={children[0]} ctx={ctx} m={m} wanted={wanted} />;
  const heading = trace.kind === "all" ? m("allOf") : trace.kind === "any" ? m("anyOf") : m("notOf");
  const childWanted = trace.kind === "not" ? !wanted : wanted;
  return (
    <div className="trace-group">
      <span className={tone}>{trace.result ? "✓" : "✗"}</span> {heading}
      <ul className="trace-list">
        {children.map((child, index) => (
          <li key={index}>
            <TraceView trace={child} ctx={ctx} m={m} wanted={childWanted} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function ItemExplanationView({
  outcome,
  item,
  ctx,
  m,
  facts,
  explanation: explained,
}: {
  outcome: ItemOutcome;
  item: ScoringItem | undefined;
  ctx: DescribeContext;
  m: Text;
  facts?: Facts;
  explanation: Explanation;
}) {
  const { lang } = ctx;
  const explanation = outcome.explanation;
  const parts: React.ReactNode[] = [];
  if (explanation.notApplicable) {
    parts.push(<div key="na">{m("notApplicable")}</div>);
  } else {
    if (explanation.when) {
      parts.push(
        <div key="when">
          <div>{explanation.when.result ? m("whenHeld") : m("whenFailed")}</div>
          <TraceView trace={explanation.when} ctx={ctx} m={m} />
        </div>,
      );
    }
    const whenFailed = explanation.when !== undefined && !explanation.when.result;
    const arithmetic = explained.items[explained.items.findIndex((entry) => entry.id === outcome.id)]?.arithmetic ?? [];
    if (!whenFailed && item) parts.push(...scoringParts(outcome, item, ctx, m, facts, arithmetic.map((line) => pickText(lang, line))));
    if (explanation.vesting) {
      const info = factInfo(ctx, explanation.vesting.fact);
      const params = {
        fact: info.label,
        value: describeValue(ctx, explanation.vesting.fact, explanation.vesting.value),
        atLeast: describeValue(ctx, explanation.vesting.fact, explanation.vesting.atLeast),
      };
      parts.push(<div key="vesting">{explanation.vesting.vested ? m("vested", params) : m("notVested", params)}</div>);
    }
    if (explanation.cappedFrom !== undefined) {
      parts.push(
        <div key="cap" className="note-cap">
          {m("capped", { from: pointsText(lang, explanation.cappedFrom), to: pointsText(lang, Math.sign(explanation.cappedFrom) * (item?.cap ?? Math.abs(outcome.points))) })}
        </div>,
      );
    }
    const winnerPoints = explanation.supersededBy ? explained.items.find((entry) => entry.id === explanation.supersededBy?.item)?.points : undefined;
    // Every member at 0: nothing was chosen, and naming one as counted would mislead.
    if (explanation.supersededBy && winnerPoints !== undefined && winnerPoints !== 0) {
      const group = ctx.doc.groups?.find((candidate) => candidate.id === explanation.supersededBy?.group);
      const winner = ctx.doc.items?.find((candidate) => candidate.id === explanation.supersededBy?.item);
      parts.push(
        <div key="superseded" className="note-cap">
          {m("superseded", {
            group: group ? pickText(lang, group.label) : explanation.supersededBy.group,
            item: winner ? pickText(lang, winner.label) : explanation.supersededBy.item,
          })}
        </div>,
      );
    }
  }
  if (explanation.article) parts.push(<div key="article" className="article small muted">{m("article", { article: explanation.article })}</div>);
  return <div className="explanation">{parts}</div>;
}

function scoringParts(outcome: ItemOutcome, item: ScoringItem, ctx: DescribeContext, m: Text, facts: Facts | undefined, arithmetic: string[]): React.ReactNode[] {
  const { lang } = ctx;
  const explanation = outcome.explanation;
  const scoring = item.scoring;
  switch (scoring.kind) {
    case "fixed":
      return [<div key="fixed">{pointsText(lang, scoring.points)}</div>];
    case "tiers": {
      const chosen = scoring.tiers.find((tier) => tier.id === explanation.chosenTier);
      const chosenTrace = explanation.tiers?.find((tier) => tier.id === explanation.chosenTier)?.trace;
      if (chosen) {
        return [
          <div key="tier">{m("tierChosen", { tier: pickText(lang, chosen.label), points: pointsText(lang, chosen.points) })}</div>,
          chosenTrace ? <TraceView key="trace" trace={chosenTrace} ctx={ctx} m={m} /> : null,
        ];
      }
      const first = explanation.tiers?.[0]?.trace;
      return [<div key="none">{m("noTier")}</div>, first ? <TraceView key="trace" trace={first} ctx={ctx} m={m} /> : null];
    }
    case "bands": {
      const info = factInfo(ctx, scoring.fact);
      const value = describeValue(ctx, scoring.fact, explanation.input);
      const band = scoring.bands.find((entry) => entry.id === explanation.chosenTier);
      if (!band) return [<div key="band">{m("noBand", { fact: info.label, value })}</div>];
      const bandName = band.label ? pickText(lang, band.label) : describeRange(lang, band.min, band.max, info.unit, info.type === "integer");
      return [<div key="band">{m("bandChosen", { fact: info.label, value, band: bandName, points: pointsText(lang, band.points) })}</div>];
    }
    case "linear":
    case "accrual": {
      const rule = scoring.kind === "linear" ? describeLinear(ctx, scoring) : describeAccrual(ctx, scoring);
      return [
        <div key="rule" className="small muted">{rule}</div>,
        ...arithmetic.map((line, index) => (
          <div key={`arithmetic-${index}`} className="arithmetic" data-testid="arithmetic">{line}</div>
        )),
      ];
    }
    case "perRecord": {
      const records = explanation.records ?? [];
      const recordsLabel = factLabel(ctx, scoring.records);
      if (records.length === 0) return [<div key="records">{m("noRecords", { records: recordsLabel })}</div>];
      const list = Array.isArray(facts?.[scoring.records]) ? (facts?.[scoring.records] as unknown[]) : [];
      const recordCtx = inRecords(ctx, scoring.records);
      const fields = ctx.doc.facts.find((fact) => fact.id === scoring.records)?.fields ?? [];
      const within = scoring.within ? describeWindow(ctx, scoring.within) : "";
      return [
        ...arithmetic.map((line, index) => (
          <div key={`arithmetic-${index}`} className="arithmetic" data-testid="arithmetic">{line}</div>
        )),
        explanation.window ? (
          <div key="window" className="small muted">
            {m("window", { within, from: formatDate(lang, explanation.window.from), to: formatDate(lang, explanation.window.to) })}
          </div>
        ) : null,
        <div key="records">
          {m("records", { records: recordsLabel, count: records.length })}
          <ul className="record-list">
            {records.map((record) => {
              const data = list[record.index] as Record<string, unknown> | undefined;
              const summary = data
                ? fields
                    .filter((field) => data[field.id] !== undefined)
                    .map((field) => `${pickText(lang, field.label)} ${describeValue(recordCtx, field.id, data[field.id])}`)
                    .join(lang === "en" ? ", " : "，")
                : "";
              const status = record.counted
                ? m("recordCounted", { points: pointsText(lang, record.points) })
                : record.reason === "within"
                  ? m("recordOutside", { within })
                  : record.reason === "where"
                    ? m("recordNotMatching")
                    : record.reason === "perUnit"
                      ? m("recordNoQuantity")
                      : m("recordOnce");
              return (
                <li key={record.index} className={record.counted ? "" : "muted"}>
                  {m("recordNumber", { n: record.index + 1 })}
                  {summary ? (lang === "en" ? ` (${summary})` : `（${summary}）`) : ""}
                  {lang === "en" ? ": " : "："}
                  {status}
                </li>
              );
            })}
          </ul>
        </div>,
      ];
    }
  }
}
