/**
 * The public notice (公示) of an announced round, without signing in: the ranked list per pool with masked identities,
 * points, result and cut-off, the notice period in working days, how to object, and the amendments with their dates;
 * printable and downloadable. An applicant looks up his own line with his application number and full identity number
 * (checked against its salted hash, decision 043) and sees his explained score sheet.
 */
import { type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { matchesIdNumber } from "../../db/cohorts";
import { getNotice, listAmendments, listRoundResults } from "../../db/rounds";
import { listStandards } from "../../db/standards";
import type { ScoreSheet, Facts } from "../../engine/types";
import type { StandardDocument } from "../../rules-schema/types";
import { lookupAllowed, lookupFailed } from "~/features/rounds/lookup-limit.server";
import { roundText, useRoundMessages } from "~/features/rounds/messages";
import { PoolTables } from "~/features/rounds/PoolTables";
import { amendmentLines, poolLabel, points, poolTables, verdictText } from "~/features/rounds/present.server";
import { loadVersion, requireNoticedRound, roundProgramLabel, roundStanding, standingSheet } from "~/features/rounds/rounds.server";
import roundStyles from "~/features/rounds/rounds.css?url";
import { ScoreSheetView } from "~/features/score-sheet/ScoreSheetView";
import scoreSheetStyles from "~/features/score-sheet/score-sheet.css?url";
import { pick, requestLang, type Lang } from "~/i18n";
import { assertSameOrigin, clientAddress } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: roundStyles },
  { rel: "stylesheet", href: scoreSheetStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => (data ? [{ title: data.title }] : []);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const db = getDb();
  const lang = requestLang(request);
  const round = requireNoticedRound(db, params.roundId);
  const notice = getNotice(db, round.id)!;
  const version = loadVersion(db, round.versionId!)!;
  const standing = roundStanding(db, round);
  const standard = listStandards(db).find((s) => s.id === round.standardId);
  const today = new Date().toISOString().slice(0, 10);
  return {
    title: roundText(lang, "noticeTitle", { name: round.name }),
    roundId: round.id,
    head: roundText(lang, "noticeHead", {
      standard: standard ? pick(lang, standard.title) : round.standardId,
      program: pick(lang, roundProgramLabel(db, round)),
      cutoff: round.cutoffDate,
    }),
    versionLine: roundText(lang, "noticeVersion", { title: pick(lang, version.doc.title), label: version.label }),
    notice: { startsOn: notice.startsOn, endsOn: notice.endsOn, workingDays: notice.workingDays, holidays: notice.holidays, contact: notice.contact, closed: today > notice.endsOn },
    pools: poolTables(lang, version.doc, round, standing, Number.MAX_SAFE_INTEGER),
    amendments: amendmentLines(lang, listAmendments(db, round.id), listRoundResults(db, round.id)),
  };
}

interface LookupAnswer {
  error?: string;
  line?: string;
  amended?: string;
  sheet?: ScoreSheet;
  doc?: StandardDocument;
  facts?: Facts;
}

export async function action({ request, params, context }: ActionFunctionArgs): Promise<LookupAnswer> {
  assertSameOrigin(request);
  const db = getDb();
  const lang: Lang = requestLang(request);
  const round = requireNoticedRound(db, params.roundId);
  const address = clientAddress(context);
  if (!lookupAllowed(address)) return { error: roundText(lang, "lookupThrottled") };
  const form = await request.formData();
  const ref = String(form.get("ref") ?? "").trim();
  const idNumber = String(form.get("idNumber") ?? "").trim();
  const result = ref === "" ? undefined : listRoundResults(db, round.id).find((r) => r.applicantRef === ref);
  if (result && result.idMasked === null) return { error: roundText(lang, "lookupNoId") };
  if (!result || round.cohortId === null || !matchesIdNumber(db, round.cohortId, result.rowNo, idNumber)) {
    lookupFailed(address);
    return { error: roundText(lang, "lookupNotFound") };
  }
  const row = roundStanding(db, round).rows.find((r) => r.rowNo === result.rowNo)!;
  const version = loadVersion(db, round.versionId!)!;
  const explained = await standingSheet(db, round, result.rowNo);
  return {
    line: roundText(lang, "lookupResult", {
      ref,
      pool: poolLabel(lang, version.doc, round.programId, row.pool),
      rank: row.rank ?? "—",
      points: row.eligible && !row.vetoed ? points(row.total) : "—",
      verdict: verdictText(lang, row),
    }),
    ...(row.amendedOn ? { amended: roundText(lang, "lookupAmended", { on: row.amendedOn }) } : {}),
    ...(explained ? { sheet: explained.sheet, doc: explained.doc, facts: explained.facts } : {}),
  };
}

export default function NoticePage() {
  const data = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const { lang, m } = useRoundMessages();
  return (
    <section className="notice-page">
      <h1 data-testid="notice-title">{data.title}</h1>
      <p>{data.head}</p>
      <p className="muted small">{data.versionLine}</p>
      <div className="card" data-testid="notice-period">
        <p>
          <strong>{m("noticePeriod", { startsOn: data.notice.startsOn, endsOn: data.notice.endsOn, workingDays: data.notice.workingDays })}</strong>
        </p>
        {data.notice.holidays.length > 0 ? <p className="small">{m("noticeHolidays", { dates: data.notice.holidays.join("、") })}</p> : null}
        <p data-testid="notice-how-to-object">{m("noticeHowToObject", { endsOn: data.notice.endsOn, contact: data.notice.contact })}</p>
        {data.notice.closed ? <p className="muted">{m("noticeClosed")}</p> : null}
        <p className="muted small">{m("noticeIdentities")}</p>
        <p className="no-print">
          <button type="button" className="secondary" onClick={() => window.print()}>
            {m("print")}
          </button>{" "}
          <a href={`/notice/${data.roundId}/export.csv?lang=${lang}`} download data-testid="notice-csv">
            {m("exportCsv")}
          </a>
        </p>
      </div>

      {data.amendments.length > 0 ? (
        <div className="section" data-testid="notice-amendments">
          <h2>{m("amendmentsTitle")}</h2>
          <ul>
            {data.amendments.map((a) => (
              <li key={a.id}>{a.text}</li>
            ))}
          </ul>
        </div>
      ) : null}

      <div className="section card no-print" data-testid="lookup">
        <h2>{m("lookupTitle")}</h2>
        <p className="muted small">{m("lookupIntro")}</p>
        <Form method="post" className="inline-form">
          <label>
            {m("fieldRef")} <input name="ref" required autoComplete="off" data-testid="lookup-ref" />
          </label>
          <label>
            {m("fieldIdNumber")} <input name="idNumber" required autoComplete="off" data-testid="lookup-id" />
          </label>
          <button type="submit" data-testid="lookup-submit">
            {m("lookup")}
          </button>
        </Form>
        {answer?.error ? (
          <p className="notice notice-bad" data-testid="lookup-error">
            {answer.error}
          </p>
        ) : null}
        {answer?.line ? (
          <div data-testid="lookup-result">
            <p>
              <strong>{answer.line}</strong>
            </p>
            {answer.amended ? <p className="amended-note">{answer.amended}</p> : null}
            {answer.sheet && answer.doc ? <ScoreSheetView sheet={answer.sheet} doc={answer.doc} lang={lang} facts={answer.facts} /> : null}
          </div>
        ) : null}
      </div>

      <div className="section" data-testid="notice-list">
        <PoolTables pools={data.pools} />
      </div>
    </section>
  );
}
