/**
 * One application round: its settings, its applicants (an imported cohort), scoring and ranking it on the version
 * in effect on its cut-off date, announcing it (four-eyes), the ranking per pool, the replay check and the round's
 * history. Every step posts here with an `intent`; refusals come back in words.
 */
import { type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { getCohort, listCohorts } from "../../db/cohorts";
import { announceRound, attachCohort, getNotice, getRound, mayRunRounds, roundHistory, type RoundRecord } from "../../db/rounds";
import { getUserName } from "../../db/users";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { roundText, useRoundMessages, type RoundMessageKey } from "~/features/rounds/messages";
import { PoolTables } from "~/features/rounds/PoolTables";
import { historySentence, poolTables } from "~/features/rounds/present.server";
import { loadVersion, replayRound, roundProgramLabel, roundStanding, runRound } from "~/features/rounds/rounds.server";
import roundStyles from "~/features/rounds/rounds.css?url";
import { pick, requestLang, type Lang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: cohortStyles },
  { rel: "stylesheet", href: roundStyles },
];

function requireRound(params: { roundId?: string }): RoundRecord {
  const id = /^\d+$/.test(params.roundId ?? "") ? Number(params.roundId) : NaN;
  const round = Number.isSafeInteger(id) ? getRound(getDb(), id) : undefined;
  if (!round) throw new Response("round not found", { status: 404 });
  return round;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const db = getDb();
  const lang = requestLang(request);
  const round = requireRound(params);
  const cohort = round.cohortId !== null ? getCohort(db, round.cohortId) : undefined;
  const version = round.versionId !== null ? loadVersion(db, round.versionId) : undefined;
  const standing = round.status === "open" ? null : roundStanding(db, round);
  return {
    round: {
      id: round.id,
      name: round.name,
      status: round.status,
      cutoffDate: round.cutoffDate,
      quotas: round.quotas,
      scoreLine: round.scoreLine,
      program: roundProgramLabel(db, round),
      announced: round.announcedAt ? { at: round.announcedAt.slice(0, 10), who: round.announcedBy !== null ? getUserName(db, round.announcedBy) : "" } : null,
      runBySelf: round.runBy === user.id,
    },
    allowed: mayRunRounds(user),
    version: version ? { label: version.label, hash: version.hash.slice(0, 12) } : null,
    cohort: cohort ? { id: cohort.id, name: cohort.name, rowCount: cohort.rowCount } : null,
    cohorts: listCohorts(db, round.standardId).map((c) => ({ id: c.id, name: c.name, rowCount: c.rowCount })),
    standardId: round.standardId,
    pools: standing && version ? poolTables(lang, version.doc, round, standing, 100) : [],
    noticed: getNotice(db, round.id) !== undefined,
    history: roundHistory(db, round.id).map((e) => ({ id: e.id, at: e.at.replace("T", " ").slice(0, 16), who: e.actorName ?? "", what: historySentence(lang, e) })),
  };
}

type ActionResult = { ok?: string; error?: string; replay?: string };

export async function action({ request, params }: ActionFunctionArgs): Promise<ActionResult> {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang: Lang = requestLang(request);
  const t = (key: RoundMessageKey, p?: Record<string, string | number>) => roundText(lang, key, p);
  const db = getDb();
  const round = requireRound(params);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent === "replay") {
    const report = replayRound(db, round.id)!;
    return report.differences.length === 0
      ? { replay: t("replayOk", { decisions: report.decisions }) }
      : { replay: t("replayBad", { decisions: report.decisions, count: report.differences.length, refs: report.differences.slice(0, 10).map((d) => d.applicantRef).join("、") }) };
  }
  if (!mayRunRounds(user)) return { error: t("forbidden") };
  if (intent === "attach") {
    const cohortId = Number(form.get("cohort"));
    const cohort = Number.isSafeInteger(cohortId) ? getCohort(db, cohortId) : undefined;
    if (!cohort || cohort.standardId !== round.standardId) return { error: t("noApplicants") };
    const attached = attachCohort(db, round.id, cohortId, user);
    return attached.ok ? {} : { error: pick(lang, attached.error.message) };
  }
  if (intent === "run") {
    const ran = runRound(db, round.id, user);
    return ran.ok ? { ok: t("ranOk", { count: ran.value.decisions, version: ran.value.versionLabel }) } : { error: pick(lang, ran.error.message) };
  }
  if (intent === "announce") {
    const announced = announceRound(db, round.id, user);
    return announced.ok ? { ok: t("announcedOk") } : { error: pick(lang, announced.error.message) };
  }
  return { error: t("forbidden") };
}

export default function RoundPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { lang, m } = useRoundMessages();
  const { round } = data;
  const quotaWords = Object.entries(round.quotas).map(([pool, places]) => (pool === "*" ? m("placesAll", { places }) : m("placesPool", { pool, places })));
  const canAnnounce = data.allowed && round.status === "run" && !round.runBySelf;
  return (
    <section>
      <div className="page-head">
        <h1>{m("roundTitle", { name: round.name })}</h1>
        <div className="actions">
          <Link to="/rounds">{m("backToRounds")}</Link>
        </div>
      </div>
      <p data-testid="round-settings">
        {pick(lang, round.program)} · {m("colCutoff")} {round.cutoffDate} · {quotaWords.join("，")}
        {quotaWords.length ? " · " : ""}
        {round.scoreLine !== null ? m("scoreLine", { line: round.scoreLine }) : m("ownLine")} ·{" "}
        <strong data-testid="round-status">{m(`status_${round.status}`)}</strong>
      </p>
      {data.version ? <p className="muted small">{m("versionUsed", { label: data.version.label, hash: data.version.hash })}</p> : null}
      {result?.error ? (
        <p className="notice notice-bad" data-testid="round-error">
          {result.error}
        </p>
      ) : null}
      {result?.ok ? (
        <p className="notice notice-ok" data-testid="round-ok">
          {result.ok}
        </p>
      ) : null}

      <div className="round-steps">
        <div className="card">
          <h2>{m("stepApplicants")}</h2>
          <p data-testid="round-applicants">{data.cohort ? m("applicantsFrom", { name: data.cohort.name, count: data.cohort.rowCount }) : m("noApplicants")}</p>
          {round.status !== "announced" && data.allowed ? (
            <>
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="attach" />
                <label>
                  {m("chooseCohort")}{" "}
                  <select name="cohort" defaultValue={data.cohort?.id} data-testid="round-cohort">
                    {data.cohorts.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}（{c.rowCount}）
                      </option>
                    ))}
                  </select>
                </label>{" "}
                <button type="submit" className="secondary" disabled={data.cohorts.length === 0} data-testid="round-attach">
                  {m("attach")}
                </button>
              </Form>
              <p>
                <Link to={`/cohorts/new?standard=${encodeURIComponent(data.standardId)}`} data-testid="round-import">
                  {m("importNew")}
                </Link>
              </p>
            </>
          ) : null}
        </div>
        <div className="card">
          <h2>{m("stepRun")}</h2>
          <p className="muted small">{m("runIntro")}</p>
          {round.status !== "announced" && data.allowed ? (
            <Form method="post">
              <input type="hidden" name="intent" value="run" />
              <button type="submit" disabled={!data.cohort} data-testid="round-run">
                {round.status === "run" ? m("runAgain") : m("run")}
              </button>
            </Form>
          ) : null}
        </div>
        <div className="card">
          <h2>{m("stepAnnounce")}</h2>
          <p className="muted small">{m("announceIntro")}</p>
          {round.announced ? (
            <p data-testid="round-announced">{m("announcedBy", { at: round.announced.at, who: round.announced.who })}</p>
          ) : data.allowed ? (
            <Form method="post" onSubmit={(event) => (window.confirm(m("announceConfirm")) ? undefined : event.preventDefault())}>
              <input type="hidden" name="intent" value="announce" />
              <button type="submit" disabled={!canAnnounce} data-testid="round-announce">
                {m("announce")}
              </button>
              {!canAnnounce ? <p className="why-disabled small">{round.status !== "run" ? m("announceNotRun") : round.runBySelf ? m("announceSelf") : m("forbidden")}</p> : null}
            </Form>
          ) : null}
        </div>
      </div>

      {data.pools.length > 0 ? (
        <div className="section" data-testid="round-results">
          <h2>{m("resultsTitle")}</h2>
          <PoolTables pools={data.pools} />
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="replay" />
            <button type="submit" className="secondary" data-testid="round-replay">
              {m("replay")}
            </button>{" "}
            {result?.replay ? <span data-testid="round-replay-result">{result.replay}</span> : null}
          </Form>
        </div>
      ) : null}

      <div className="section">
        <h2>{m("historyTitle")}</h2>
        <table className="grid compact" data-testid="round-history">
          <thead>
            <tr>
              <th>{m("colWhen")}</th>
              <th>{m("colWho")}</th>
              <th>{m("colWhat")}</th>
            </tr>
          </thead>
          <tbody>
            {data.history.map((e) => (
              <tr key={e.id}>
                <td className="mono">{e.at}</td>
                <td>{e.who}</td>
                <td>{e.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
