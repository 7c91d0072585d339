/**
 * One application round: its settings, its applicants (an imported cohort), scoring and ranking it on the version
 * in effect on its cut-off date, announcing it (four-eyes), the ranking per pool, the replay check and the round's
 * history. Every step posts here with an `intent`; refusals come back in words.
 */
import { type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { getCohort, listCohorts } from "../../db/cohorts";
import { announceRound, attachCohort, getNotice, getRound, listObjections, listRoundResults, mayRunRounds, publishNotice, recordObjection, roundHistory, type RoundRecord } from "../../db/rounds";
import { applicationFacts } from "../../rules-schema/persons";
import { parseApplicantForm, scalarName } from "~/features/try-applicant/applicant-form";
import { noticeEndsOn } from "../../engine/procedure/notice-period";
import { isIsoDate } from "../../rules-schema/iso-date";
import { getUserName } from "../../db/users";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { roundText, useRoundMessages, type RoundMessageKey } from "~/features/rounds/messages";
import { PoolTables } from "~/features/rounds/PoolTables";
import { factsInWords, historySentence, poolTables } from "~/features/rounds/present.server";
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
    notice: getNotice(db, round.id) ?? null,
    objections: objectionRows(round, lang),
    factFields: version
      ? applicationFacts(version.doc)
          .filter((f) => f.type !== "records")
          .map((f) => ({ name: scalarName(f.id), label: pick(lang, f.label), type: f.type, values: (f.values ?? []).map((v) => ({ value: v.value, label: pick(lang, v.label) })) }))
      : [],
    today: new Date().toISOString().slice(0, 10),
    history: roundHistory(db, round.id).map((e) => ({ id: e.id, at: e.at.replace("T", " ").slice(0, 16), who: e.actorName ?? "", what: historySentence(lang, e) })),
  };
}

function objectionRows(round: RoundRecord, lang: Lang) {
  const db = getDb();
  const version = round.versionId !== null ? loadVersion(db, round.versionId) : undefined;
  const refOf = new Map(listRoundResults(db, round.id).map((r) => [r.rowNo, r.applicantRef]));
  return listObjections(db, round.id).map((o) => ({
    id: o.id,
    ref: refOf.get(o.rowNo) ?? String(o.rowNo),
    disputed: o.disputed,
    corrected: version && Object.keys(o.correctedFacts).length > 0 ? factsInWords(lang, version.doc, o.correctedFacts) : "",
    evidence: o.evidence,
    recorded: `${o.recordedByName ?? ""}，${o.recordedAt.replace("T", " ").slice(0, 16)}`,
    status: o.status,
    opinion: o.opinion,
  }));
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
  if (intent === "notice") {
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const startsOn = text("startsOn");
    if (!isIsoDate(startsOn)) return { error: t("badStartsOn") };
    const workingDays = Number(text("workingDays"));
    if (!Number.isInteger(workingDays) || workingDays < 1 || workingDays > 60) return { error: t("badWorkingDays") };
    const holidays: string[] = [];
    for (const line of text("holidays").split(/[\r\n,，、\s]+/)) {
      if (line === "") continue;
      if (!isIsoDate(line)) return { error: t("badHoliday", { text: line }) };
      holidays.push(line);
    }
    const contact = text("contact");
    if (contact === "") return { error: t("badContact") };
    const endsOn = noticeEndsOn(startsOn, workingDays, holidays);
    const published = publishNotice(db, { roundId: round.id, startsOn, workingDays, endsOn, holidays: holidays.sort(), contact }, user);
    return published.ok ? { ok: t("noticePublished", { startsOn, endsOn, workingDays }) } : { error: pick(lang, published.error.message) };
  }
  if (intent === "objection") {
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const ref = text("ref");
    const result = listRoundResults(db, round.id).find((r) => r.applicantRef === ref);
    if (!result) return { error: t("unknownRef", { ref }) };
    const disputed = text("disputed");
    if (disputed === "") return { error: t("badDisputed") };
    const version = loadVersion(db, round.versionId!)!;
    const entries: Array<[string, string]> = [["program", round.programId], ["date", round.cutoffDate]];
    for (const [name, value] of form.entries()) if (name.startsWith("fact:") && typeof value === "string") entries.push([name, value]);
    const parsed = parseApplicantForm(version.doc, entries, lang);
    const bad = Object.entries(parsed.errors)[0];
    if (bad) {
      const fact = version.doc.facts.find((f) => scalarName(f.id) === bad[0]);
      return { error: t("badFact", { label: fact ? pick(lang, fact.label) : bad[0], message: bad[1] }) };
    }
    const recorded = recordObjection(db, { roundId: round.id, rowNo: result.rowNo, disputed, correctedFacts: parsed.facts, evidence: text("evidence") }, new Date().toISOString().slice(0, 10), user);
    return recorded.ok ? { ok: t("objectionRecorded") } : { error: pick(lang, recorded.error.message) };
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
        <div className="card" data-testid="round-notice">
          <h2>{m("stepNotice")}</h2>
          {data.notice ? (
            <>
              <p>{m("noticePeriod", { startsOn: data.notice.startsOn, endsOn: data.notice.endsOn, workingDays: data.notice.workingDays })}</p>
              <p>
                <Link to={`/notice/${round.id}`} data-testid="open-notice">
                  {m("openNotice")}
                </Link>
              </p>
            </>
          ) : round.status !== "announced" ? (
            <p className="muted small">{m("noticeNeedsAnnouncement")}</p>
          ) : data.allowed ? (
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="notice" />
              <p className="muted small">{m("noticeIntro")}</p>
              <label>
                {m("fieldStartsOn")}
                <input type="date" name="startsOn" defaultValue={data.today} required data-testid="notice-starts" />
              </label>
              <label>
                {m("fieldWorkingDays")}
                <input name="workingDays" inputMode="numeric" defaultValue="5" required data-testid="notice-days" />
              </label>
              <label>
                {m("fieldHolidays")}
                <textarea name="holidays" rows={2} data-testid="notice-holidays" />
              </label>
              <label>
                {m("fieldContact")}
                <input name="contact" required data-testid="notice-contact" />
                <span className="muted small">{m("fieldContactHint")}</span>
              </label>
              <div>
                <button type="submit" data-testid="notice-publish">
                  {m("publishNotice")}
                </button>
              </div>
            </Form>
          ) : null}
        </div>
      </div>

      {data.notice ? (
        <div className="section" data-testid="round-objections">
          <h2>{m("stepObjections")}</h2>
          <p className="muted small">{m("objectionsIntro")}</p>
          {data.objections.length === 0 ? (
            <p>{m("noObjections")}</p>
          ) : (
            <table className="grid compact">
              <thead>
                <tr>
                  <th>{m("colRef")}</th>
                  <th>{m("colObjection")}</th>
                  <th>{m("colRecorded")}</th>
                  <th>{m("colOutcome")}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.objections.map((o) => (
                  <tr key={o.id} data-objection={o.id}>
                    <td className="mono">{o.ref}</td>
                    <td>
                      {o.disputed}
                      {o.corrected ? <div className="small">{m("correctedFactsWords", { facts: o.corrected })}</div> : null}
                      {o.evidence ? <div className="small muted">{m("reviewEvidence", { text: o.evidence })}</div> : null}
                    </td>
                    <td>{o.recorded}</td>
                    <td>
                      {m(`objection_${o.status}`)}
                      {o.opinion ? <div className="small">{o.opinion}</div> : null}
                    </td>
                    <td>
                      <Link to={`/rounds/${round.id}/objections/${o.id}`} data-testid={`re-review-${o.id}`}>
                        {m("reReview")}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.allowed ? (
            <details className="card" open={data.objections.length === 0}>
              <summary>{m("recordObjection")}</summary>
              <Form method="post" className="stack">
                <input type="hidden" name="intent" value="objection" />
                <label>
                  {m("fieldRef")}
                  <input name="ref" required data-testid="objection-ref" />
                </label>
                <label>
                  {m("fieldDisputed")}
                  <textarea name="disputed" rows={2} required data-testid="objection-disputed" />
                </label>
                <label>
                  {m("fieldEvidence")}
                  <input name="evidence" data-testid="objection-evidence" />
                </label>
                <fieldset>
                  <legend>{m("fieldCorrected")}</legend>
                  <div className="fact-fields">
                    {data.factFields.map((f) => (
                      <label key={f.name}>
                        {f.label}
                        {f.type === "enum" || f.type === "boolean" ? (
                          <select name={f.name} defaultValue="" data-fact={f.name}>
                            <option value="">—</option>
                            {f.type === "boolean" ? (
                              <>
                                <option value="true">{lang === "en" ? "yes" : "是"}</option>
                                <option value="false">{lang === "en" ? "no" : "否"}</option>
                              </>
                            ) : (
                              f.values.map((v) => (
                                <option key={v.value} value={v.value}>
                                  {v.label}
                                </option>
                              ))
                            )}
                          </select>
                        ) : (
                          <input name={f.name} type={f.type === "date" ? "date" : "text"} data-fact={f.name} />
                        )}
                      </label>
                    ))}
                  </div>
                </fieldset>
                <div>
                  <button type="submit" data-testid="objection-record">
                    {m("recordObjection")}
                  </button>
                </div>
              </Form>
            </details>
          ) : null}
        </div>
      ) : null}

      {data.pools.length > 0 ? (
        <div className="section" data-testid="round-results">
          <h2>{m("resultsTitle")}</h2>
          <p className="links-row" data-testid="round-report">
            {m("reportTitle")}：
            <a href={`/rounds/${round.id}/report.xlsx?lang=${lang}`} download data-testid="report-xlsx">
              {m("reportXlsx")}
            </a>{" "}
            <a href={`/rounds/${round.id}/report.docx?lang=${lang}`} download data-testid="report-docx">
              {m("reportDocx")}
            </a>
          </p>
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
