/**
 * Goal search from a simulation (issue 24, part 3): goals in the officer's terms (a group's share of the admitted at
 * or above a level, how far a cut-off may move, how much a group may lose), which numbers may move and how far; up to
 * five proposals with their outcome, goals and change list in words, each saved as a draft revision on request; or
 * the binding goal. The search runs on GET (the same query and seed give the same proposals); saving re-runs it.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getVersion } from "../../db/standards";
import { GoalSearchInputError, type Goal, type GoalSearchResult, type Movable } from "../../engine/levers/goal-search";
import { describeCheck, describeGoal, describeNotMet, describeParameterChange } from "../../engine/levers/goal-words";
import { diffDocuments } from "../../engine/simulation/document-diff";
import type { StandardDocument } from "../../rules-schema/types";
import { describeChanges } from "~/features/history/change-list";
import { goalSearchForRun, openDraftWithChanges, parametersOfRun } from "~/features/levers/levers.server";
import { leverText, useLeverMessages } from "~/features/levers/messages";
import simulationStyles from "~/features/simulation/simulation.css?url";
import { groupableFacts, loadRun, SimulationInputError, type LoadedRun } from "~/features/simulation/run.server";
import { pick, requestLang, type Lang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: simulationStyles }];

function loadOr404(request: Request, runIdParam: string | undefined): LoadedRun {
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

/** "fact=value": the admitted at or above that value of an enum fact (lists run lowest to highest), or yes of a boolean. */
function levelOptions(loaded: LoadedRun) {
  return groupableFacts(loaded)
    .filter((f) => f.type === "enum" || f.type === "boolean")
    .flatMap((f) =>
      f.type === "boolean"
        ? [{ key: `${f.id}=true`, fact: f.id, values: ["true"], label: { zh: `${f.label.zh}：是`, en: `${f.label.en}: yes` } }]
        : (f.values ?? []).map((v, k, all) => ({
            key: `${f.id}=${v.value}`,
            fact: f.id,
            values: all.slice(k).map((x) => x.value),
            label: k === all.length - 1 ? { zh: `${f.label.zh}：${v.label.zh}`, en: `${f.label.en}: ${v.label.en}` } : { zh: `${f.label.zh}：${v.label.zh}及以上`, en: `${f.label.en}: ${v.label.en} or above` },
          })),
    );
}

type Query = { level: string; atLeast: string; cutoff: string; lossFact: string; loss: string; movable: string; maxChange: string; seed: string };

function readQuery(params: URLSearchParams | FormData): Query {
  const get = (k: string) => String(params.get(k) ?? "").trim();
  return { level: get("level"), atLeast: get("atLeast"), cutoff: get("cutoff"), lossFact: get("lossFact"), loss: get("loss"), movable: get("movable") || "all", maxChange: get("maxChange"), seed: get("seed") || "1" };
}

function parseInputs(loaded: LoadedRun, q: Query, lang: Lang): { goals: Goal[]; movable?: Movable[] } | { error: string } {
  const number = (text: string, field: string): number | { error: string } => {
    const value = Number(text);
    return text !== "" && Number.isFinite(value) ? value : { error: leverText(lang, "badNumber", { field }) };
  };
  const goals: Goal[] = [];
  if (q.atLeast !== "") {
    const option = levelOptions(loaded).find((o) => o.key === q.level);
    const value = number(q.atLeast, leverText(lang, "goalShareAtLeast"));
    if (typeof value !== "number") return value;
    if (!option) return { error: leverText(lang, "badNumber", { field: leverText(lang, "goalShareFact") }) };
    goals.push({ kind: "share", fact: option.fact, values: option.values, atLeast: value / 100 });
  }
  if (q.cutoff !== "") {
    const value = number(q.cutoff, leverText(lang, "goalCutoff"));
    if (typeof value !== "number") return value;
    goals.push({ kind: "cutoffShift", atMost: value });
  }
  if (q.loss !== "") {
    const value = number(q.loss, leverText(lang, "goalLoss"));
    if (typeof value !== "number") return value;
    const fact = groupableFacts(loaded).find((f) => f.id === q.lossFact);
    if (!fact) return { error: leverText(lang, "badNumber", { field: leverText(lang, "goalLossFact") }) };
    goals.push({ kind: "groupLoss", fact: fact.id, atMost: value / 100 });
  }
  if (goals.length === 0) return { error: leverText(lang, "noGoal") };
  let movable: Movable[] | undefined;
  const share = q.maxChange === "" ? undefined : number(q.maxChange, leverText(lang, "maxChange"));
  if (share !== undefined && typeof share !== "number") return share;
  if (q.movable === "points" || share !== undefined) {
    movable = parametersOfRun(loaded)
      .filter((p) => q.movable !== "points" || p.kind === "points" || p.kind === "rate")
      .map((p) => {
        if (share === undefined) return { pointer: p.pointer };
        const room = Math.max(p.step, (Math.abs(p.value) * Math.max(0, share)) / 100);
        return { pointer: p.pointer, min: Math.max(p.min, p.value - room), max: Math.min(p.max, p.value + room) };
      });
  }
  return { goals, ...(movable ? { movable } : {}) };
}

function run(loaded: LoadedRun, q: Query, lang: Lang): { goals: Goal[]; result: GoalSearchResult; elapsedMs: number } | { error: string } {
  const inputs = parseInputs(loaded, q, lang);
  if ("error" in inputs) return inputs;
  try {
    return { goals: inputs.goals, ...goalSearchForRun(loaded, inputs.goals, inputs.movable, q.seed) };
  } catch (error) {
    if (error instanceof GoalSearchInputError) return { error: pick(lang, error.text) };
    throw error;
  }
}

function changeListLines(baseline: StandardDocument, candidate: StandardDocument, lang: Lang): string[] {
  return describeChanges(baseline, candidate, diffDocuments(baseline, candidate), lang).flatMap((group) => group.rows.flatMap((row) => row.lines.map((line) => `${group.title} › ${row.subject}${lang === "en" ? ": " : "："}${line}`)));
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const lang = requestLang(request);
  const loaded = loadOr404(request, params.runId);
  const url = new URL(request.url);
  const q = readQuery(url.searchParams);
  const doc = loaded.candidate;
  const programId = loaded.run.programId;
  const facts = groupableFacts(loaded);
  const levels = levelOptions(loaded);
  const defaults: Query = { ...q, level: q.level || levels.find((o) => /bachelor/.test(o.key))?.key || levels[0]?.key || "", lossFact: q.lossFact || (facts.find((f) => f.type === "enum")?.id ?? "") };
  let outcome: null | { error: string } | { goals: string[]; now: string[]; status: GoalSearchResult["status"]; notMet: string[]; proposals: Array<{ changes: string[]; changeList: string[]; outcome: { admitted: number; entered: number; left: number }; checks: string[] }>; closest: string[] | null; evaluations: number; elapsedMs: number } =
    null;
  if (url.searchParams.get("search") === "1") {
    const searched = run(loaded, q, lang);
    if ("error" in searched) outcome = { error: searched.error };
    else {
      const { goals, result } = searched;
      outcome = {
        goals: goals.map((g) => describeGoal(doc, g, lang)),
        now: goals.map((g, k) => describeCheck(doc, programId, g, result.baselineChecks[k], lang)),
        status: result.status,
        notMet: result.status === "notMet" ? describeNotMet(doc, goals, result, lang) : [],
        proposals: result.candidates.map((c) => ({
          changes: c.changes.map((change) => describeParameterChange(change, lang)),
          changeList: changeListLines(doc, c.doc, lang),
          outcome: { admitted: c.outcome.admitted, entered: c.outcome.entered, left: c.outcome.left },
          checks: goals.map((g, k) => `${describeGoal(doc, g, lang)}${lang === "en" ? ": " : "："}${describeCheck(doc, programId, g, c.checks[k], lang)}`),
        })),
        closest: result.closest ? [...result.closest.changes.map((change) => describeParameterChange(change, lang)), ...goals.map((g, k) => `${describeGoal(doc, g, lang)}${lang === "en" ? ": " : "："}${describeCheck(doc, programId, g, result.closest!.checks[k], lang)}`)] : null,
        evaluations: result.evaluations,
        elapsedMs: searched.elapsedMs,
      };
    }
  }
  return {
    runId: loaded.run.id,
    candidateLabel: getVersion(getDb(), loaded.run.candidateVersionId)?.versionLabel ?? "—",
    levels: levels.map((o) => ({ key: o.key, label: o.label })),
    facts: facts.map((f) => ({ id: f.id, label: f.label })),
    query: defaults,
    outcome,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const loaded = loadOr404(request, params.runId);
  const form = await request.formData();
  const searched = run(loaded, readQuery(form), lang);
  if ("error" in searched) return data({ error: searched.error }, { status: 422 });
  const chosen = searched.result.candidates[Number(form.get("proposal"))];
  if (!chosen) return data({ error: leverText(lang, "badChange") }, { status: 422 });
  const opened = openDraftWithChanges(
    getDb(),
    user,
    loaded,
    chosen.changes.map((c) => ({ pointer: c.pointer, linked: c.parameter.linked, from: c.from, to: c.to })),
    "goalSearch",
  );
  if (!opened.ok) return data({ error: leverText(lang, opened.message, { problem: opened.problem ? pick(lang, opened.problem) : "" }) }, { status: opened.status });
  return redirect(`/standards/${encodeURIComponent(opened.standardId)}/versions/${opened.versionId}?at=${encodeURIComponent(opened.pointer)}`);
}

export default function Goals() {
  const d = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const { lang, m } = useLeverMessages();
  const q = d.query;
  const o = d.outcome;
  const hidden = Object.entries(q).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />);
  return (
    <section>
      <p>
        <Link to={`/simulations/${d.runId}`}>← {m("backToRun")}</Link>
      </p>
      <h1>{m("goalsTitle", { version: d.candidateLabel })}</h1>
      <p className="muted">{m("goalsIntro")}</p>
      <Form method="get" className="goal-form" data-testid="goal-form">
        <input type="hidden" name="search" value="1" />
        <fieldset>
          <legend>{m("goalShare")}</legend>
          <label>
            {m("goalShareFact")}{" "}
            <select name="level" defaultValue={q.level} data-testid="goal-level">
              {d.levels.map((o) => (
                <option key={o.key} value={o.key}>
                  {pick(lang, o.label)}
                </option>
              ))}
            </select>
          </label>{" "}
          <label>
            {m("goalShareAtLeast")} <input name="atLeast" defaultValue={q.atLeast} inputMode="decimal" size={6} data-testid="goal-share" />
          </label>
        </fieldset>
        <fieldset>
          <label>
            {m("goalCutoff")} <input name="cutoff" defaultValue={q.cutoff} inputMode="decimal" size={6} data-testid="goal-cutoff" />
          </label>
        </fieldset>
        <fieldset>
          <label>
            {m("goalLossFact")}{" "}
            <select name="lossFact" defaultValue={q.lossFact}>
              {d.facts.map((f) => (
                <option key={f.id} value={f.id}>
                  {pick(lang, f.label)}
                </option>
              ))}
            </select>
          </label>{" "}
          <label>
            {m("goalLoss")} <input name="loss" defaultValue={q.loss} inputMode="decimal" size={6} data-testid="goal-loss" />
          </label>
        </fieldset>
        <fieldset>
          <legend>{m("movableTitle")}</legend>
          <label>
            <input type="radio" name="movable" value="all" defaultChecked={q.movable !== "points"} /> {m("movableAll")}
          </label>{" "}
          <label>
            <input type="radio" name="movable" value="points" defaultChecked={q.movable === "points"} /> {m("movablePoints")}
          </label>{" "}
          <label>
            {m("maxChange")} <input name="maxChange" defaultValue={q.maxChange} inputMode="decimal" size={6} />
          </label>{" "}
          <label>
            {m("seed")} <input name="seed" defaultValue={q.seed} size={8} />
          </label>
        </fieldset>
        <button type="submit" disabled={busy} data-testid="goal-search">
          {m("search")}
        </button>
      </Form>
      {failed && "error" in failed ? (
        <p className="notice notice-bad" role="alert" data-testid="goal-error">
          {failed.error}
        </p>
      ) : null}
      {o && "error" in o ? (
        <p className="notice notice-bad" role="alert" data-testid="goal-error">
          {o.error}
        </p>
      ) : null}
      {o && !("error" in o) ? (
        <div className="section" data-testid="goal-result" data-status={o.status}>
          <h2>{m("goalChecks")}</h2>
          <ul>
            {o.goals.map((g, k) => (
              <li key={k}>
                {lang === "en" ? `${g} (${m("goalsNow")}: ${o.now[k]})` : `${g}（${m("goalsNow")}：${o.now[k]}）`}
              </li>
            ))}
          </ul>
          {o.status === "alreadyMet" ? <p className="notice notice-info">{m("alreadyMet")}</p> : null}
          {o.status === "notMet" ? (
            <div className="notice notice-bad" data-testid="binding">
              {o.notMet.map((line, k) => (
                <p key={k}>{line}</p>
              ))}
              {o.closest ? (
                <>
                  <p>{m("closest")}</p>
                  <ul>
                    {o.closest.map((line, k) => (
                      <li key={k}>{line}</li>
                    ))}
                  </ul>
                </>
              ) : null}
            </div>
          ) : null}
          {o.proposals.map((p, n) => (
            <div key={n} className="chart-card" data-testid="proposal">
              <h3>{m("proposal", { n: n + 1, count: p.changes.length })}</h3>
              <ul data-testid="proposal-changes">
                {p.changes.map((line, k) => (
                  <li key={k}>{line}</li>
                ))}
              </ul>
              <p>{m("proposalOutcome", p.outcome)}</p>
              <ul data-testid="proposal-checks">
                {p.checks.map((line, k) => (
                  <li key={k}>{line}</li>
                ))}
              </ul>
              <details>
                <summary>{m("changeList")}</summary>
                <ul>
                  {p.changeList.map((line, k) => (
                    <li key={k}>{line}</li>
                  ))}
                </ul>
              </details>
              <Form method="post">
                {hidden}
                <input type="hidden" name="proposal" value={n} />
                <button type="submit" disabled={busy} data-testid="save-proposal">
                  {m("saveDraft")}
                </button>
              </Form>
            </div>
          ))}
          <p className="muted small">{m("evaluations", { n: o.evaluations, ms: o.elapsedMs })}</p>
        </div>
      ) : null}
    </section>
  );
}
