/**
 * A simulation's result: summary and cut-off per pool, charts (totals before/after, rank changes, impact by a chosen
 * group, mean points per item), who entered or left with the items that moved them (paged), one applicant's score
 * sheets side by side (reference path for both versions), exports, and the link to the candidate's review page.
 */
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { getCohort } from "../../db/cohorts";
import { getVersion, listStandards } from "../../db/standards";
import { whatItTakes } from "../../engine/levers/what-it-takes";
import { describeWhatItTakes } from "../../engine/levers/what-it-takes-words";
import { scoreApplicant } from "../../engine/scoring/reference";
import { applicantChange } from "../../engine/simulation/simulate";
import { cohortCarries, missingFacts } from "../../engine/simulation/facts-read";
import type { ScoreSheet } from "../../engine/types";
import type { StandardDocument } from "../../rules-schema/types";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { ScoreSheetView } from "~/features/score-sheet/ScoreSheetView";
import scoreSheetStyles from "~/features/score-sheet/score-sheet.css?url";
import { CountBars, PairedBars, PairedBarsHorizontal } from "~/features/simulation/Charts";
import { simulationText, useSimulationMessages } from "~/features/simulation/messages";
import { leverText } from "~/features/levers/messages";
import { MissingFactsWarning } from "~/features/simulation/MissingFactsWarning";
import { changeReasonsOf, groupableFacts, impactByGroup, loadRun, scoreHistogram, SimulationInputError } from "~/features/simulation/run.server";
import simulationStyles from "~/features/simulation/simulation.css?url";
import { pick, requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: cohortStyles },
  { rel: "stylesheet", href: scoreSheetStyles },
  { rel: "stylesheet", href: simulationStyles },
];

const PAGE_SIZE = 20;

type Text = { zh: string; en: string };

function labelsOf(doc: StandardDocument, other: StandardDocument) {
  const items = new Map<string, Text>();
  for (const item of [...other.items, ...doc.items]) items.set(item.id, item.label);
  return items;
}

function forSheet(doc: StandardDocument): StandardDocument {
  const { testCases: _t, rankingCases: _r, ...rest } = doc;
  return rest;
}

type LoadedRun = NonNullable<ReturnType<typeof loadRun>>;

/**
 * For an applicant the candidate does not admit: what it would take to reach his pool's cut-off under the candidate
 * (or the program's threshold), in words (issue 24, part 1). None when he is admitted or his pool has no cut-off.
 */
function whatItTakesAfter(loaded: LoadedRun, i: number, lang: "zh-CN" | "en"): string[] | undefined {
  const { run, result, candidate } = loaded;
  if (applicantChange(result, i).admittedAfter) return undefined;
  const allocation = candidate.programs.find((p) => p.id === run.programId)?.allocation;
  if (!allocation) return undefined;
  const facts = loaded.applicants[i].facts;
  let line: number | null | undefined;
  if (allocation.kind === "threshold") line = allocation.threshold;
  else {
    const pool = allocation.poolBy ? String(facts[allocation.poolBy] ?? "") : undefined;
    const pools = result.summary.pools;
    line = (pool === undefined ? pools[0] : pools.find((p) => p.pool === pool))?.cutoffAfter;
  }
  if (line === null || line === undefined) return undefined;
  const answer = whatItTakes({ doc: candidate, programId: run.programId, facts, date: run.evaluationDate, line });
  return describeWhatItTakes(candidate, answer, lang === "en" ? "en" : "zh");
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const lang = requestLang(request);
  const db = getDb();
  const runId = Number(params.runId);
  let loaded;
  try {
    loaded = Number.isInteger(runId) ? loadRun(db, runId) : undefined;
  } catch (error) {
    if (error instanceof SimulationInputError) throw new Response(lang === "en" ? error.text.en : error.text.zh, { status: 409 });
    throw error;
  }
  if (!loaded) throw new Response(simulationText(lang, "notFound"), { status: 404 });
  const { run, result, baseline, candidate } = loaded;
  const q = new URL(request.url).searchParams;
  const itemLabels = labelsOf(candidate, baseline);
  const facts = groupableFacts(loaded);
  const groupFact = facts.find((f) => f.id === q.get("group")) ?? facts.find((f) => f.type === "enum") ?? facts[0];
  const groupRows = groupFact ? impactByGroup(loaded, groupFact.id) : [];
  const valueLabel = (value: string): Text => {
    if (value === "") return { zh: "（未填写）", en: "(not given)" };
    if (groupFact?.type === "boolean") return value === "true" ? { zh: "是", en: "yes" } : { zh: "否", en: "no" };
    const label = groupFact?.type === "enum" ? groupFact.values?.find((v) => v.value === value)?.label : undefined;
    return label ? { zh: label.zh, en: label.en ?? label.zh } : { zh: value, en: value };
  };

  const reasons = changeReasonsOf(loaded);
  const page = (key: string, ids: string[]) => {
    const pages = Math.max(1, Math.ceil(ids.length / PAGE_SIZE));
    const current = Math.min(pages, Math.max(1, Number(q.get(key)) || 1));
    const rows = ids.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE).map((id) => {
      const row = loaded.indexOf.get(id)!;
      const change = applicantChange(result, row);
      return {
        ...change,
        reason: reasons.reasonOf(row)?.text ?? null,
        items: change.items.map((item) => ({ ...item, label: itemLabels.get(item.id) ?? { zh: item.id, en: item.id } })),
      };
    });
    return { page: current, pages, total: ids.length, rows };
  };

  const applicantRef = q.get("applicant")?.trim() || result.summary.entered[0] || result.summary.left[0] || "";
  let compare: { ref: string; sheets?: { before: ScoreSheet; after: ScoreSheet }; facts?: Record<string, unknown>; missing?: boolean; takes?: string[] } | null = null;
  if (applicantRef) {
    const i = loaded.indexOf.get(applicantRef);
    if (i === undefined) compare = { ref: applicantRef, missing: true };
    else {
      const applicantFacts = loaded.applicants[i].facts;
      const [before, after] = await Promise.all([
        scoreApplicant(baseline, applicantFacts, run.programId, run.evaluationDate),
        scoreApplicant(candidate, applicantFacts, run.programId, run.evaluationDate),
      ]);
      compare = { ref: applicantRef, sheets: { before, after }, facts: applicantFacts, takes: whatItTakesAfter(loaded, i, lang) };
    }
  }

  const standard = listStandards(db).find((s) => s.id === run.standardId);
  const baselineVersion = run.baselineVersionId === null ? undefined : getVersion(db, run.baselineVersionId);
  const candidateVersion = getVersion(db, run.candidateVersionId);
  const program = candidate.programs.find((p) => p.id === run.programId);
  const s = result.summary;
  const poolBy = (program?.allocation as { poolBy?: string } | undefined)?.poolBy;
  const poolFact = poolBy ? [...candidate.facts, ...baseline.facts].find((f) => f.id === poolBy) : undefined;
  const poolLabel = (value: string): Text | null => {
    const label = poolFact?.values?.find((v) => v.value === value)?.label;
    return label ? { zh: label.zh, en: label.en ?? label.zh } : null;
  };
  // Pools in natural order (s1, s2, … s10), not as text.
  const pools = [...s.pools].sort((a, b) => a.pool.localeCompare(b.pool, "zh-CN", { numeric: true })).map((pool) => ({ ...pool, label: poolLabel(pool.pool) }));
  const missing = missingFacts(baseline, candidate, run.programId, cohortCarries(loaded.cohort)).map((f) => ({
    label: f.label,
    baseline: f.readByBaseline,
    candidate: f.readByCandidate,
  }));
  return {
    run: { id: run.id, createdAt: run.createdAt, evaluationDate: run.evaluationDate, quotas: run.quotas, seed: run.seed, elapsedMs: loaded.elapsedMs },
    standardId: run.standardId,
    standardTitle: standard?.title ?? { zh: run.standardId, en: run.standardId },
    baselineLabel: baselineVersion?.versionLabel ?? "—",
    candidateLabel: candidateVersion?.versionLabel ?? "—",
    candidateVersionId: run.candidateVersionId,
    stale: candidateVersion ? candidateVersion.contentHash !== run.candidateHash : false,
    cohortName: getCohort(db, run.cohortId)?.name ?? `#${run.cohortId}`,
    programLabel: program?.label ?? { zh: run.programId, en: run.programId },
    hasPools: Boolean((program?.allocation as { poolBy?: string } | undefined)?.poolBy),
    summary: {
      applicants: s.applicants,
      admittedBefore: s.admittedBefore,
      admittedAfter: s.admittedAfter,
      entered: s.entered.length,
      left: s.left.length,
      changedTotal: s.applicantsWithChangedTotal,
      meanTotalBefore: s.meanTotalBefore,
      meanTotalAfter: s.meanTotalAfter,
      noLongerRanked: s.noLongerRanked,
      newlyRanked: s.newlyRanked,
      pools,
    },
    missing,
    histogram: scoreHistogram(loaded).map((b) => ({ label: `${b.from}`, before: b.before, after: b.after })),
    rankChanges: s.rankChanges.map((b) => ({ label: b.label, count: b.count })),
    items: s.items
      .filter((item) => item.meanBefore !== 0 || item.meanAfter !== 0)
      .map((item) => ({ id: item.id, label: itemLabels.get(item.id) ?? { zh: item.id, en: item.id }, before: item.meanBefore, after: item.meanAfter, changed: item.changedApplicants })),
    groupFacts: facts.map((f) => ({ id: f.id, label: f.label })),
    groupFact: groupFact?.id ?? "",
    groups: groupRows.map((g) => ({ ...g, label: valueLabel(g.value) })),
    entered: page("enteredPage", s.entered),
    left: page("leftPage", s.left),
    compare,
    docs: compare?.sheets ? { baseline: forSheet(baseline), candidate: forSheet(candidate) } : null,
  };
}

const round = (n: number, digits = 1) => (Number.isInteger(n) ? String(n) : n.toFixed(digits));

function withParams(search: string, changes: Record<string, string | number>, hash = ""): string {
  const params = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) params.set(key, String(value));
  return `?${params.toString()}${hash}`;
}

type ChangeTable = ReturnType<typeof useLoaderData<typeof loader>>["entered"];

function ChangeRows({ table, pageKey, testId, title }: { table: ChangeTable; pageKey: string; testId: string; title: string }) {
  const { lang, m } = useSimulationMessages();
  const location = useLocation();
  const rank = (r: number | null) => (r === null ? m("notRanked") : String(r));
  // No total under a version whose gate the applicant fails or whose veto applies (decision 037).
  const total = (points: number, reason: string | undefined) => (reason === "ineligible" || reason === "vetoed" ? m("noScore") : round(points));
  return (
    <div className="section" id={testId}>
      <h2>{title}</h2>
      {table.total === 0 ? (
        <p className="muted">{m("none")}</p>
      ) : (
        <>
          <table className="grid compact" data-testid={testId}>
            <thead>
              <tr>
                <th>{m("colRef")}</th>
                <th className="nowrap">{m("colTotal")}</th>
                <th className="nowrap">{m("colRank")}</th>
                <th>{m("colItems")}</th>
                <th>{m("colReason")}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row) => (
                <tr key={row.id} data-ref={row.id}>
                  <td className="mono">{row.id}</td>
                  <td className="nowrap">
                    {total(row.totalBefore, row.reasonBefore)} → <strong>{total(row.totalAfter, row.reasonAfter)}</strong>
                  </td>
                  <td className="nowrap">
                    {rank(row.rankBefore)} → {rank(row.rankAfter)}
                  </td>
                  <td>
                    {row.items.length === 0
                      ? m("none")
                      : row.items.map((item) => (
                          <span key={item.id} className="item-change">
                            {pick(lang, item.label)} {round(item.before)} → <span className={item.after > item.before ? "change-up" : "change-down"}>{round(item.after)}</span>
                          </span>
                        ))}
                  </td>
                  <td data-testid="reason">{row.reason ? pick(lang, row.reason) : ""}</td>
                  <td className="nowrap">
                    <Link to={withParams(location.search, { applicant: row.id }, "#compare")} preventScrollReset data-testid="compare-link">
                      {m("compare")}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            {table.page > 1 ? <Link to={withParams(location.search, { [pageKey]: table.page - 1 }, `#${testId}`)}>← {m("previous")}</Link> : null}
            <span>{m("pageOf", { page: table.page, pages: table.pages })}</span>
            {table.page < table.pages ? (
              <Link to={withParams(location.search, { [pageKey]: table.page + 1 }, `#${testId}`)} data-testid={`${testId}-next`}>
                {m("next")} →
              </Link>
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}

export default function SimulationResult() {
  const data = useLoaderData<typeof loader>();
  const { lang, m } = useSimulationMessages();
  const s = data.summary;
  const base = `/simulations/${data.run.id}`;
  const review = `/standards/${encodeURIComponent(data.standardId)}/versions/${data.candidateVersionId}/review`;
  return (
    <section>
      <p>
        <Link to="/simulations">← {m("back")}</Link>
      </p>
      <h1>{m("resultTitle", { id: data.run.id })}</h1>
      <p className="muted" data-testid="run-meta">
        {m("resultMeta", {
          standard: pick(lang, data.standardTitle),
          baseline: data.baselineLabel,
          candidate: data.candidateLabel,
          program: pick(lang, data.programLabel),
          cohort: data.cohortName,
          date: data.run.evaluationDate,
        })}{" "}
        · {m("elapsed", { ms: data.run.elapsedMs })}
      </p>
      {data.stale ? <p className="notice notice-info">{m("staleNotice")}</p> : null}
      {data.missing.length > 0 ? <MissingFactsWarning missing={data.missing} /> : null}
      <div className="result-actions">
        <Link to={review} className="button-link" data-testid="to-review">
          {m("toReview")}
        </Link>
        <a href={`${base}/export.csv`} className="button-secondary" data-testid="export-csv" download>
          {m("downloadCsv")}
        </a>
        <a href={`${base}/export.xlsx`} className="button-secondary" data-testid="export-xlsx" download>
          {m("downloadXlsx")}
        </a>
        <Link to={`${base}/levers`} className="button-secondary" data-testid="to-levers">
          {leverText(lang, "leversLink")}
        </Link>
        <Link to={`${base}/goals`} className="button-secondary" data-testid="to-goals">
          {leverText(lang, "goalsLink")}
        </Link>
      </div>

      <h2>{m("summaryTitle")}</h2>
      <div className="summary-cards" data-testid="summary">
        <div className="stat">
          <span>{m("applicants")}</span>
          <strong data-testid="applicants">{s.applicants}</strong>
        </div>
        <div className="stat">
          <span>{m("admittedBefore")}</span>
          <strong data-testid="admitted-before">{s.admittedBefore}</strong>
        </div>
        <div className="stat">
          <span>{m("admittedAfter")}</span>
          <strong data-testid="admitted-after">{s.admittedAfter}</strong>
        </div>
        <div className="stat stat-up">
          <span>{m("entered")}</span>
          <strong data-testid="entered-count">{s.entered}</strong>
        </div>
        <div className="stat stat-down">
          <span>{m("left")}</span>
          <strong data-testid="left-count">{s.left}</strong>
        </div>
        <div className="stat">
          <span>{m("changedTotal")}</span>
          <strong>{s.changedTotal}</strong>
        </div>
        <div className="stat">
          <span>{m("meanTotal")}</span>
          <strong>
            {round(s.meanTotalBefore)} → {round(s.meanTotalAfter)}
          </strong>
        </div>
      </div>
      <p className="muted small">{m("noLongerRanked", { count: s.noLongerRanked, new: s.newlyRanked })}</p>

      <h3>{m("poolsTitle")}</h3>
      <table className="grid compact" data-testid="pools">
        <thead>
          <tr>
            <th>{m("colPool")}</th>
            <th>{m("colPlaces")}</th>
            <th>{m("colAdmitted")}</th>
            <th>{m("colCutoffBefore")}</th>
            <th>{m("colCutoffAfter")}</th>
            <th>{m("colCutoffShift")}</th>
          </tr>
        </thead>
        <tbody>
          {s.pools.map((pool) => (
            <tr key={pool.pool} data-pool={pool.pool}>
              <td>{pool.pool === "*" && !data.hasPools ? m("wholeProgram") : pool.label ? pick(lang, pool.label) : pool.pool || "—"}</td>
              <td>{pool.placesAfter ?? pool.placesBefore ?? "—"}</td>
              <td>
                {pool.admittedBefore} → {pool.admittedAfter}
              </td>
              <td data-testid="cutoff-before">{pool.cutoffBefore ?? "—"}</td>
              <td data-testid="cutoff-after">{pool.cutoffAfter ?? "—"}</td>
              <td>{pool.cutoffShift === null ? "—" : pool.cutoffShift > 0 ? `+${round(pool.cutoffShift)}` : round(pool.cutoffShift)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 className="section">{m("chartsTitle")}</h2>
      <div className="charts">
        <div className="chart-card">
          <h3>{m("chartScores")}</h3>
          <PairedBars data={data.histogram} before={m("seriesBefore")} after={m("seriesAfter")} testId="chart-scores" />
        </div>
        <div className="chart-card">
          <h3>{m("chartRanks")}</h3>
          <CountBars data={data.rankChanges} name={m("seriesCount")} testId="chart-ranks" />
        </div>
        <div className="chart-card" id="groups">
          <h3>{m("chartGroups")}</h3>
          <Form method="get" preventScrollReset>
            <label>
              {m("groupBy")}{" "}
              <select name="group" defaultValue={data.groupFact} data-testid="group-by" key={data.groupFact}>
                {data.groupFacts.map((f) => (
                  <option key={f.id} value={f.id}>
                    {pick(lang, f.label)}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" data-testid="group-show">
              {m("show")}
            </button>
          </Form>
          <PairedBars
            data={data.groups.map((g) => ({ label: pick(lang, g.label), before: g.admittedBefore, after: g.admittedAfter }))}
            before={m("admittedBefore")}
            after={m("admittedAfter")}
            testId="chart-groups"
            height={240}
          />
          <table className="grid compact" data-testid="groups-table">
            <thead>
              <tr>
                <th>{m("colGroup")}</th>
                <th>{m("colApplicants")}</th>
                <th>{m("colAdmitted")}</th>
                <th>{m("colMeanChange")}</th>
              </tr>
            </thead>
            <tbody>
              {data.groups.map((g) => (
                <tr key={g.value}>
                  <td>{pick(lang, g.label)}</td>
                  <td>{g.applicants}</td>
                  <td>
                    {g.admittedBefore} → {g.admittedAfter}
                  </td>
                  <td>{g.meanChange > 0 ? `+${g.meanChange.toFixed(1)}` : g.meanChange.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="chart-card">
          <h3>{m("chartItems")}</h3>
          <PairedBarsHorizontal
            data={data.items.map((item) => ({ label: pick(lang, item.label), before: Number(item.before.toFixed(2)), after: Number(item.after.toFixed(2)) }))}
            before={m("seriesBefore")}
            after={m("seriesAfter")}
            testId="chart-items"
          />
        </div>
      </div>

      <ChangeRows table={data.entered} pageKey="enteredPage" testId="entered" title={m("enteredTitle", { count: data.entered.total })} />
      <ChangeRows table={data.left} pageKey="leftPage" testId="left" title={m("leftTitle", { count: data.left.total })} />

      <div className="section" id="compare">
        <h2>{data.compare ? m("compareTitle", { ref: data.compare.ref }) : m("compareFor")}</h2>
        <Form method="get" className="compare-form" preventScrollReset>
          <label>
            {m("compareFor")} <input name="applicant" defaultValue={data.compare?.ref ?? ""} data-testid="applicant-ref" key={data.compare?.ref} />
          </label>
          <button type="submit">{m("compare")}</button>
          <span className="muted small">{m("compareHint")}</span>
        </Form>
        {data.compare?.missing ? <p className="notice notice-bad">{m("unknownApplicant", { ref: data.compare.ref })}</p> : null}
        {data.compare?.sheets && data.docs ? (
          <div className="side-by-side" data-testid="side-by-side">
            <ScoreSheetView
              sheet={data.compare.sheets.before}
              doc={data.docs.baseline}
              lang={lang}
              facts={data.compare.facts}
              caption={m("captionBefore", { version: data.baselineLabel })}
            />
            <ScoreSheetView
              sheet={data.compare.sheets.after}
              doc={data.docs.candidate}
              lang={lang}
              facts={data.compare.facts}
              caption={m("captionAfter", { version: data.candidateLabel })}
            />
          </div>
        ) : null}
        {data.compare?.takes ? (
          <div className="what-it-takes" data-testid="what-it-takes">
            <h3>{m("whatItTakes", { version: data.candidateLabel })}</h3>
            {data.compare.takes.map((text, k) => (
              <p key={k}>{text}</p>
            ))}
          </div>
        ) : null}
      </div>
    </section>
  );
}
