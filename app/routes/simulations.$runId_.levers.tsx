/**
 * Levers of a simulation's candidate (issue 24, part 2): each number one step up and down on the run's cohort,
 * ranked by applicants moved, with a chart and the numbers; exported as CSV or Excel; a step opened as a draft.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getVersion } from "../../db/standards";
import { factValueText, parameterValueText, poolText, stepEffectText, stepText } from "../../engine/levers/levers-words";
import { PairedBarsHorizontal } from "~/features/simulation/Charts";
import simulationStyles from "~/features/simulation/simulation.css?url";
import { leverText, useLeverMessages } from "~/features/levers/messages";
import { leversForRun, openDraftWithChanges, parametersOfRun } from "~/features/levers/levers.server";
import { steppedValue } from "../../engine/levers/parameters";
import { groupableFacts, loadRun, SimulationInputError } from "~/features/simulation/run.server";
import { pick, requestLang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: simulationStyles }];

function loadOr404(request: Request, runIdParam: string | undefined) {
  const lang = requestLang(request);
  const runId = Number(runIdParam);
  try {
    const loaded = Number.isInteger(runId) ? loadRun(getDb(), runId) : undefined;
    if (!loaded) throw new Response(leverText(lang, "backToRun"), { status: 404 });
    return loaded;
  } catch (error) {
    if (error instanceof SimulationInputError) throw new Response(lang === "en" ? error.text.en : error.text.zh, { status: 409 });
    throw error;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const lang = requestLang(request);
  const loaded = loadOr404(request, params.runId);
  const facts = groupableFacts(loaded);
  const q = new URL(request.url).searchParams;
  const groupFact = facts.find((f) => f.id === q.get("group")) ?? facts.find((f) => f.type === "enum") ?? facts[0];
  const { result, elapsedMs } = leversForRun(loaded, groupFact?.id);
  const doc = loaded.candidate;
  const programId = loaded.run.programId;
  const words = (l: "zh-CN" | "en") => ({
    shares: result.baseline.groups.map((g) => `${factValueText(doc, groupFact?.id, g.value, l)} ${(g.share * 100).toFixed(1)}%`).join(l === "en" ? ", " : "，"),
    levers: result.levers.map((lever, k) => ({
      rank: k + 1,
      pointer: lever.parameter.pointer,
      label: pick(l, lever.parameter.label),
      value: parameterValueText(lever.parameter, lever.parameter.value, l),
      moved: lever.moved,
      steps: [lever.up, lever.down].filter((s) => s !== null).map((s) => ({ direction: s.direction, to: s.value, step: stepText(lever.parameter, s, l), effect: stepEffectText(doc, programId, s, groupFact?.id, l), moved: s.entered + s.left })),
    })),
  });
  const candidate = getVersion(getDb(), loaded.run.candidateVersionId);
  return {
    runId: loaded.run.id,
    candidateLabel: candidate?.versionLabel ?? "—",
    applicants: result.baseline.applicants,
    admitted: result.baseline.admitted,
    evaluations: result.evaluations,
    elapsedMs,
    cutoffs: [...result.baseline.pools]
      .filter((p) => p.cutoff !== null)
      .sort((a, b) => a.pool.localeCompare(b.pool, "zh-CN", { numeric: true }))
      .slice(0, 40)
      .map((p) => ({ pool: poolText(doc, programId, p.pool, lang), cutoff: p.cutoff })),
    groupFacts: facts.map((f) => ({ id: f.id, label: f.label })),
    groupFact: groupFact?.id ?? "",
    words: words(lang),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const loaded = loadOr404(request, params.runId);
  const form = await request.formData();
  const pointer = String(form.get("pointer") ?? "");
  const direction = Number(form.get("direction"));
  const parameter = parametersOfRun(loaded).find((p) => p.pointer === pointer);
  const to = parameter && (direction === 1 || direction === -1) ? steppedValue(parameter, direction) : undefined;
  if (!parameter || to === undefined) return data({ error: leverText(lang, "badChange") }, { status: 422 });
  const opened = openDraftWithChanges(getDb(), user, loaded, [{ pointer, linked: parameter.linked, from: parameter.value, to }], "lever");
  if (!opened.ok) return data({ error: leverText(lang, opened.message, { problem: opened.problem ? pick(lang, opened.problem) : "" }) }, { status: opened.status });
  return redirect(`/standards/${encodeURIComponent(opened.standardId)}/versions/${opened.versionId}?at=${encodeURIComponent(opened.pointer)}`);
}

export default function Levers() {
  const d = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const { lang, m } = useLeverMessages();
  const base = `/simulations/${d.runId}`;
  const top = d.words.levers.filter((l) => l.moved > 0).slice(0, 12);
  return (
    <section>
      <p>
        <Link to={base}>← {m("backToRun")}</Link>
      </p>
      <h1>{m("leversTitle", { version: d.candidateLabel })}</h1>
      <p className="muted">{m("leversIntro")}</p>
      <p data-testid="levers-meta">{m("leversMeta", { applicants: d.applicants, admitted: d.admitted, evaluations: d.evaluations, ms: d.elapsedMs })}</p>
      {d.cutoffs.length > 0 ? (
        <p className="muted small" data-testid="levers-cutoffs">
          {m("cutoffsNow", { list: d.cutoffs.map((c) => `${c.pool} ${c.cutoff}`).join(lang === "en" ? ", " : "，") })}
        </p>
      ) : null}
      {d.words.shares ? <p className="muted small">{m("sharesNow", { shares: d.words.shares })}</p> : null}
      {failed && "error" in failed ? (
        <p className="notice notice-bad" role="alert" data-testid="lever-error">
          {failed.error}
        </p>
      ) : null}
      <div className="result-actions">
        <Form method="get" preventScrollReset>
          <label>
            {m("groupBy")}{" "}
            <select name="group" defaultValue={d.groupFact} data-testid="lever-group" key={d.groupFact}>
              {d.groupFacts.map((f) => (
                <option key={f.id} value={f.id}>
                  {pick(lang, f.label)}
                </option>
              ))}
            </select>
          </label>{" "}
          <button type="submit">{m("show")}</button>
        </Form>
        <a href={`${base}/levers.csv?group=${encodeURIComponent(d.groupFact)}`} className="button-secondary" data-testid="levers-csv" download>
          {m("downloadCsv")}
        </a>
        <a href={`${base}/levers.xlsx?group=${encodeURIComponent(d.groupFact)}`} className="button-secondary" data-testid="levers-xlsx" download>
          {m("downloadXlsx")}
        </a>
      </div>
      {top.length > 0 ? (
        <div className="chart-card">
          <h3>{m("chartTitle")}</h3>
          <PairedBarsHorizontal
            data={top.map((l) => ({
              label: l.label.split(" › ").slice(-2).join(" › "),
              before: l.steps.find((s) => s.direction === -1)?.moved ?? 0,
              after: l.steps.find((s) => s.direction === 1)?.moved ?? 0,
            }))}
            before={m("seriesDown")}
            after={m("seriesUp")}
            testId="levers-chart"
            width={760}
          />
        </div>
      ) : null}
      <table className="grid compact" data-testid="levers">
        <thead>
          <tr>
            <th>{m("colRank")}</th>
            <th>{m("colParameter")}</th>
            <th>{m("colValue")}</th>
            <th>{m("colStep")}</th>
            <th>{m("colEffect")}</th>
            <th>{m("colAction")}</th>
          </tr>
        </thead>
        <tbody>
          {d.words.levers.flatMap((lever) => {
            const steps = lever.steps.length > 0 ? lever.steps : [null];
            return steps.map((s, k) => (
              <tr key={`${lever.pointer}:${s?.direction ?? 0}`} data-testid="lever-row" data-moved={s?.moved ?? 0}>
                {k === 0 ? (
                  <>
                    <td rowSpan={steps.length}>{lever.rank}</td>
                    <td rowSpan={steps.length} data-testid="lever-label">
                      {lever.label}
                    </td>
                    <td rowSpan={steps.length}>{lever.value}</td>
                  </>
                ) : null}
                {s ? (
                  <>
                    <td className="nowrap">{s.step}</td>
                    <td data-testid="lever-effect">{s.effect}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="pointer" value={lever.pointer} />
                        <input type="hidden" name="direction" value={s.direction} />
                        <button type="submit" className="button-secondary" disabled={busy} data-testid="open-draft">
                          {m("openDraft")}
                        </button>
                      </Form>
                    </td>
                  </>
                ) : (
                  <td colSpan={3} className="muted">
                    {m("cannotMove")}
                  </td>
                )}
              </tr>
            ));
          })}
        </tbody>
      </table>
    </section>
  );
}
