/**
 * A new simulation: standard, baseline (default: the version in effect), candidate (default: the draft), cohort,
 * program, evaluation date, places per pool and seed. Changing a choice reloads the form (GET) so the pools follow the
 * program and cohort; running posts, runs `simulate` on the server, stores the run and opens its result.
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useState } from "react";
import { listCohorts } from "../../db/cohorts";
import { distinctFactValues, factsCarriedByCohort } from "../../db/simulation-inputs";
import { missingFacts } from "../../engine/simulation/facts-read";
import { cohortYear, evaluationDateFor, programForCohort } from "~/features/simulation/cohort-defaults";
import { MissingFactsWarning } from "~/features/simulation/MissingFactsWarning";
import { getVersion, listStandards } from "../../db/standards";
import type { StandardDocument } from "../../rules-schema/types";
import { isIsoDate } from "../../rules-schema/iso-date";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { runAndRecord, SimulationInputError } from "~/features/simulation/run.server";
import { simulationText, useSimulationMessages } from "~/features/simulation/messages";
import simulationStyles from "~/features/simulation/simulation.css?url";
import { pick, requestLang, translate, type MessageKey } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: cohortStyles },
  { rel: "stylesheet", href: simulationStyles },
];

function parseDoc(text: string | undefined): StandardDocument | null {
  try {
    return text ? (JSON.parse(text) as StandardDocument) : null;
  } catch {
    return null;
  }
}

/** The pools of a program: the `poolBy` fact's enum values, else the values found in the cohort. */
function poolsOf(doc: StandardDocument | null, programId: string, cohortId: number | undefined) {
  const program = doc?.programs?.find((p) => p.id === programId);
  const allocation = program?.allocation as { poolBy?: string } | undefined;
  const poolBy = allocation?.poolBy;
  if (!poolBy) return null;
  const fact = doc?.facts.find((f) => f.id === poolBy);
  const counts = cohortId ? distinctFactValues(getDb(), cohortId, poolBy) : [];
  const countOf = new Map(counts.map((c) => [c.value, c.count]));
  const values =
    fact?.type === "enum" && fact.values
      ? fact.values.map((v) => ({ value: v.value, label: v.label, count: countOf.get(v.value) ?? 0 }))
      : counts
          .map((c) => ({ value: c.value, label: null, count: c.count }))
          .sort((a, b) => a.value.localeCompare(b.value, "zh-CN", { numeric: true }));
  return { fact: poolBy, factLabel: fact?.label ?? { zh: poolBy, en: poolBy }, values: values.slice(0, 60) };
}

/** The facts each cohort has values for: cohorts never change once imported, so this is kept per cohort. */
const carriedCache = new Map<number, Set<string>>();
function carriedBy(cohortId: number): (factId: string) => boolean {
  let carried = carriedCache.get(cohortId);
  if (!carried) {
    carried = factsCarriedByCohort(getDb(), cohortId);
    if (carriedCache.size > 50) carriedCache.clear();
    carriedCache.set(cohortId, carried);
  }
  const known = carried;
  return (factId) => known.has(factId);
}

export async function loader({ request }: LoaderFunctionArgs) {
  requireUser(request);
  const db = getDb();
  const url = new URL(request.url);
  const q = url.searchParams;
  const today = new Date().toISOString().slice(0, 10);
  const standards = listStandards(db);
  const standard = standards.find((s) => s.id === q.get("standard")) ?? standards.find((s) => s.versions.some((v) => v.status === "draft")) ?? standards[0];
  const versions = standard?.versions ?? [];
  const inEffect = versions.find(
    (v) => (v.status === "published" || v.status === "superseded") && v.effectiveFrom && v.effectiveFrom <= today && (!v.effectiveTo || v.effectiveTo >= today),
  );
  const byId = (id: string | null) => versions.find((v) => String(v.id) === id);
  const baseline = byId(q.get("baseline")) ?? inEffect ?? [...versions].reverse().find((v) => v.status === "published") ?? versions[0];
  const candidate =
    byId(q.get("candidate")) ?? [...versions].reverse().find((v) => v.status === "draft") ?? [...versions].reverse().find((v) => v.id !== baseline?.id) ?? versions[0];
  const cohorts = standard ? listCohorts(db, standard.id) : [];
  const cohort = cohorts.find((c) => String(c.id) === q.get("cohort")) ?? cohorts[0];
  const baselineDoc = baseline ? parseDoc(getVersion(db, baseline.id)?.document) : null;
  const candidateDoc = candidate ? parseDoc(getVersion(db, candidate.id)?.document) : null;
  const baselinePrograms = new Set((baselineDoc?.programs ?? []).map((p) => p.id));
  const programs = (candidateDoc?.programs ?? []).filter((p) => baselinePrograms.has(p.id)).map((p) => ({ id: p.id, label: p.label }));
  const carries = cohort ? carriedBy(cohort.id) : undefined;
  const program =
    programs.find((p) => p.id === q.get("program")) ??
    programs.find((p) => p.id === programForCohort(programs, cohort, { baseline: baselineDoc, candidate: candidateDoc }, carries)) ??
    programs[0];
  const candidateProgram = candidateDoc?.programs.find((p) => p.id === program?.id);
  const year = cohortYear(cohort);
  const date = q.get("date") || (year ? evaluationDateFor(year, candidateProgram) : undefined) || candidateProgram?.evaluationCutoff?.date || candidate?.effectiveFrom || today;
  const missing =
    program && carries && baselineDoc && candidateDoc
      ? missingFacts(baselineDoc, candidateDoc, program.id, carries).map((f) => ({ label: f.label, baseline: f.readByBaseline, candidate: f.readByCandidate }))
      : [];
  return {
    standards: standards.map((s) => ({ id: s.id, title: s.title })),
    standardId: standard?.id ?? "",
    versions: versions.map((v) => ({ id: v.id, label: v.versionLabel, status: v.status, inEffect: v.id === inEffect?.id })),
    baselineId: baseline?.id ?? 0,
    candidateId: candidate?.id ?? 0,
    cohorts: cohorts.map((c) => ({ id: c.id, name: c.name, rowCount: c.rowCount })),
    cohortId: cohort?.id ?? 0,
    programs,
    programId: program?.id ?? "",
    pools: program ? poolsOf(candidateDoc, program.id, cohort?.id) : null,
    date,
    dateFromCohortYear: !q.get("date") && year !== undefined ? year : null,
    missing,
    seed: q.get("seed") ?? "",
  };
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  if (!(["drafter", "reviewer", "publisher"] as const).some((role) => hasRole(user, role))) {
    return { error: simulationText(lang, "forbidden") };
  }
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const date = text("date");
  if (!isIsoDate(date)) return { error: simulationText(lang, "badDate") };
  const baselineVersionId = Number(text("baseline"));
  const candidateVersionId = Number(text("candidate"));
  if (baselineVersionId === candidateVersionId) return { error: simulationText(lang, "sameVersion") };
  const quotas: Record<string, number> = {};
  for (const [name, value] of form.entries()) {
    if (!name.startsWith("quota:") || typeof value !== "string" || value.trim() === "") continue;
    const pool = name.slice("quota:".length);
    const places = Number(value);
    if (!Number.isInteger(places) || places < 0) return { error: simulationText(lang, "badQuota", { pool: pool === "*" ? simulationText(lang, "quotaOther") : pool }) };
    quotas[pool] = places;
  }
  try {
    const { runId } = runAndRecord(
      getDb(),
      text("standard"),
      {
        baselineVersionId,
        candidateVersionId,
        cohortId: Number(text("cohort")),
        programId: text("program"),
        evaluationDate: date,
        quotas,
        seed: text("seed") || null,
      },
      user.id,
    );
    return redirect(`/simulations/${runId}`);
  } catch (error) {
    if (error instanceof SimulationInputError) return { error: lang === "en" ? error.text.en : error.text.zh };
    throw error;
  }
}

function Elapsed() {
  const [seconds, setSeconds] = useState(0);
  const { m } = useSimulationMessages();
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 250);
    return () => clearInterval(timer);
  }, []);
  return (
    <p className="notice notice-info running" data-testid="running">
      <span className="spinner" aria-hidden="true" /> {m("running", { seconds })} <span className="muted">{m("runningHint")}</span>
    </p>
  );
}

export default function NewSimulation() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const { lang, m } = useSimulationMessages();
  const running = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const reload = (event: React.ChangeEvent<HTMLSelectElement>) => {
    const form = event.currentTarget.form!;
    const params = new URLSearchParams();
    // What follows from the changed choice is derived again: a cohort gives the program and the date, a program the date.
    const derived: Record<string, string[]> = { standard: ["baseline", "candidate", "cohort", "program", "date", "seed"], cohort: ["program", "date"], program: ["date"] };
    const dropped = new Set(derived[event.currentTarget.name] ?? []);
    for (const name of ["standard", "baseline", "candidate", "cohort", "program", "date", "seed"]) {
      const field = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
      if (field && !dropped.has(name)) params.set(name, field.value);
    }
    submit(params, { method: "get", replace: true });
  };
  const statusText = (status: string) => translate(lang, `status_${status}` as MessageKey);
  return (
    <section>
      <p>
        <Link to="/simulations">← {m("back")}</Link>
      </p>
      <h1>{m("newTitle")}</h1>
      <p className="muted">{m("newIntro")}</p>
      <Form method="post" className="card" data-testid="simulation-form">
        <div className="upload-form">
          <label>
            {m("fieldStandard")}
            <select name="standard" defaultValue={data.standardId} onChange={reload} data-testid="standard" key={`s${data.standardId}`}>
              {data.standards.map((s) => (
                <option key={s.id} value={s.id}>
                  {pick(lang, s.title)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m("fieldCohort")}
            {data.cohorts.length === 0 ? (
              <span className="notice notice-bad">
                {m("noCohort")} <Link to={`/cohorts/new?standard=${encodeURIComponent(data.standardId)}`}>{m("uploadCohort")}</Link>
              </span>
            ) : (
              <select name="cohort" defaultValue={data.cohortId} onChange={reload} data-testid="cohort" key={`c${data.standardId}${data.cohortId}`}>
                {data.cohorts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.rowCount.toLocaleString(lang)})
                  </option>
                ))}
              </select>
            )}
          </label>
          <label>
            {m("fieldBaseline")}
            <select name="baseline" defaultValue={data.baselineId} onChange={reload} data-testid="baseline" key={`b${data.standardId}${data.baselineId}`}>
              {data.versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.label} · {statusText(v.status)}
                  {v.inEffect ? ` · ${m("inEffect")}` : ""}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m("fieldCandidate")}
            <select name="candidate" defaultValue={data.candidateId} onChange={reload} data-testid="candidate" key={`v${data.standardId}${data.candidateId}`}>
              {data.versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.label} · {statusText(v.status)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m("fieldProgram")}
            <select name="program" defaultValue={data.programId} onChange={reload} data-testid="program" key={`p${data.standardId}${data.programId}`}>
              {data.programs.map((p) => (
                <option key={p.id} value={p.id}>
                  {pick(lang, p.label)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m("fieldDate")} <span className="hint">{m("fieldDateHint")}</span>
            <input type="date" name="date" defaultValue={data.date} required data-testid="date" key={`d${data.date}`} />
            {data.dateFromCohortYear !== null ? (
              <span className="hint" data-testid="date-from-cohort">
                {m("dateFromCohort", { year: data.dateFromCohortYear })}
              </span>
            ) : null}
          </label>
          <label>
            {m("fieldSeed")} <span className="hint">{m("fieldSeedHint")}</span>
            <input name="seed" defaultValue={data.seed} data-testid="seed" />
          </label>
        </div>

        <h2>{m("quotasTitle")}</h2>
        {data.pools ? (
          <>
            <p className="muted">{m("quotaPoolsIntro", { fact: pick(lang, data.pools.factLabel) })}</p>
            <label className="quota-single">
              {m("quotaEveryPool")}
              <input type="number" min={0} step={1} name="quota:*" required data-pool="*" data-testid="quota-every-pool" />
            </label>
            <details className="quota-overrides">
              <summary>{m("quotaOverrides", { count: data.pools.values.length })}</summary>
              <table className="grid compact quota-table" data-testid="pools">
                <tbody>
                  {data.pools.values.map((pool) => (
                    <tr key={pool.value}>
                      <td>
                        {pool.label ? pick(lang, pool.label) : pool.value || m("poolMissing")} <span className="muted">{m("poolApplicants", { count: pool.count })}</span>
                      </td>
                      <td>
                        <input type="number" min={0} step={1} name={`quota:${pool.value}`} data-pool={pool.value} placeholder={m("quotaSameAsEvery")} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        ) : (
          <label className="quota-single">
            {m("quotaSingle")}
            <input type="number" min={0} step={1} name="quota:*" required data-testid="quota" />
          </label>
        )}
        {data.missing.length > 0 ? <MissingFactsWarning missing={data.missing} /> : null}
        {actionData && "error" in actionData ? (
          <p className="notice notice-bad" data-testid="run-error">
            {actionData.error}
          </p>
        ) : null}
        {running ? <Elapsed /> : null}
        <p>
          <button type="submit" disabled={running || data.cohorts.length === 0} data-testid="run">
            {m("run")}
          </button>
        </p>
      </Form>
    </section>
  );
}

