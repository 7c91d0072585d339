/**
 * A new application round: standard and program (choosing them reloads the form, GET, so the places follow the
 * program's pools), name, evaluation cut-off date, places per pool or the score line. Posting opens the round.
 */
import { redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import { createRound, mayRunRounds } from "../../db/rounds";
import { getVersion, listStandards } from "../../db/standards";
import { isIsoDate } from "../../rules-schema/iso-date";
import type { StandardDocument } from "../../rules-schema/types";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { roundText, useRoundMessages } from "~/features/rounds/messages";
import { pick, requestLang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: cohortStyles }];

/** The newest published (or superseded) version's document: its programs and their pools name the round's choices. */
function latestPublished(standardId: string): StandardDocument | null {
  const standard = listStandards(getDb()).find((s) => s.id === standardId);
  const version = [...(standard?.versions ?? [])].reverse().find((v) => v.status === "published" || v.status === "superseded");
  const text = version ? getVersion(getDb(), version.id)?.document : undefined;
  return text ? (JSON.parse(text) as StandardDocument) : null;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const q = new URL(request.url).searchParams;
  const standards = listStandards(getDb()).filter((s) => s.versions.some((v) => v.status === "published" || v.status === "superseded"));
  const standard = standards.find((s) => s.id === q.get("standard")) ?? standards[0];
  const doc = standard ? latestPublished(standard.id) : null;
  const programs = (doc?.programs ?? []).map((p) => {
    const allocation = p.allocation;
    const poolBy = allocation.kind === "quota" ? allocation.poolBy : undefined;
    const fact = poolBy ? doc?.facts.find((f) => f.id === poolBy) : undefined;
    return {
      id: p.id,
      label: p.label,
      kind: allocation.kind,
      threshold: allocation.kind === "threshold" ? allocation.threshold : null,
      poolLabel: poolBy ? (fact?.label ?? { zh: poolBy, en: poolBy }) : null,
      cutoff: p.evaluationCutoff?.date ?? null,
    };
  });
  const program = programs.find((p) => p.id === q.get("program")) ?? programs[0];
  return {
    allowed: mayRunRounds(user),
    standards: standards.map((s) => ({ id: s.id, title: s.title })),
    standardId: standard?.id ?? "",
    programs,
    program: program ?? null,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const t = (key: Parameters<typeof roundText>[1], params?: Record<string, string | number>) => roundText(lang, key, params);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const name = text("name");
  const cutoffDate = text("cutoffDate");
  if (!mayRunRounds(user)) return { error: t("forbidden") };
  if (name === "") return { error: t("badName") };
  if (!isIsoDate(cutoffDate)) return { error: t("badDate") };
  const doc = latestPublished(text("standard"));
  const program = doc?.programs.find((p) => p.id === text("program"));
  if (!program) return { error: t("badProgram") };
  const quotas: Record<string, number> = {};
  if (program.allocation.kind === "quota") {
    const places = text("places");
    if (!/^\d+$/.test(places)) return { error: t("badPlaces", { text: places || "—" }) };
    quotas["*"] = Number(places);
    for (const line of text("poolPlaces").split(/\r?\n/)) {
      if (line.trim() === "") continue;
      const match = /^(.+?)\s*[=＝:：]\s*(\d+)\s*$/.exec(line.trim());
      if (!match) return { error: t("badPlaces", { text: line.trim() }) };
      quotas[match[1]] = Number(match[2]);
    }
  }
  const lineText = text("scoreLine");
  const scoreLine = lineText === "" ? null : Number(lineText);
  if (scoreLine !== null && !Number.isFinite(scoreLine)) return { error: t("badScoreLine") };
  const created = createRound(getDb(), { standardId: text("standard"), programId: program.id, name, cutoffDate, quotas, scoreLine, cohortId: null }, user);
  if (!created.ok) return { error: pick(lang, created.error.message) };
  return redirect(`/rounds/${created.value}`);
}

export default function NewRound() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { lang, m } = useRoundMessages();
  const submit = useSubmit();
  const program = data.program;
  return (
    <section className="narrow">
      <h1>{m("newTitle")}</h1>
      <p className="muted">{m("newIntro")}</p>
      {!data.allowed ? <p className="notice notice-bad">{m("forbidden")}</p> : null}
      <Form method="get" className="stack" onChange={(event) => submit(event.currentTarget)} data-testid="round-choice">
        <label>
          {m("fieldStandard")}
          <select name="standard" defaultValue={data.standardId} key={data.standardId}>
            {data.standards.map((s) => (
              <option key={s.id} value={s.id}>
                {pick(lang, s.title)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {m("fieldProgram")}
          <select name="program" defaultValue={program?.id} key={`${data.standardId}-${program?.id}`}>
            {data.programs.map((p) => (
              <option key={p.id} value={p.id}>
                {pick(lang, p.label)}
              </option>
            ))}
          </select>
        </label>
      </Form>
      {program ? (
        <Form method="post" className="stack card" data-testid="round-form">
          <input type="hidden" name="standard" value={data.standardId} />
          <input type="hidden" name="program" value={program.id} />
          <label>
            {m("fieldName")}
            <input name="name" required data-testid="round-name" />
            <span className="muted small">{m("fieldNameHint")}</span>
          </label>
          <label>
            {m("fieldCutoff")}
            <input name="cutoffDate" type="date" required defaultValue={program.cutoff ?? ""} data-testid="round-cutoff" />
          </label>
          {program.kind === "quota" ? (
            <>
              <label>
                {program.poolLabel ? m("fieldPlaces") : m("fieldPlacesSingle")}
                <input name="places" inputMode="numeric" required defaultValue="100" data-testid="round-places" />
                {program.poolLabel ? <span className="muted small">{m("fieldPlacesHint", { fact: pick(lang, program.poolLabel) })}</span> : null}
              </label>
              {program.poolLabel ? (
                <label>
                  {m("fieldPoolPlaces")}
                  <textarea name="poolPlaces" rows={3} data-testid="round-pool-places" />
                </label>
              ) : null}
            </>
          ) : (
            <p className="muted">{m("thresholdProgram", { line: program.threshold ?? "—" })}</p>
          )}
          <label>
            {m("fieldScoreLine")}
            <input name="scoreLine" inputMode="decimal" data-testid="round-score-line" />
            <span className="muted small">{m("fieldScoreLineHint")}</span>
          </label>
          {result?.error ? (
            <p className="notice notice-bad" data-testid="round-error">
              {result.error}
            </p>
          ) : null}
          <div>
            <button type="submit" disabled={!data.allowed} data-testid="round-create">
              {m("create")}
            </button>
          </div>
        </Form>
      ) : null}
    </section>
  );
}
