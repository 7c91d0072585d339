/**
 * The re-review (复核) of an objection: the applicant's logged decision replayed on the round's version with the
 * corrected facts, both explained sheets side by side, the items whose points differ, the ranking again; then the
 * decision (upheld, or corrected with the amendment's date) with the reviewer's opinion, by someone other than who
 * recorded the objection (four-eyes).
 */
import { type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { decideObjection, getObjection, getRound, listRoundResults, mayRunRounds, type ObjectionRecord, type RoundRecord } from "../../db/rounds";
import { getUserName } from "../../db/users";
import { isIsoDate } from "../../rules-schema/iso-date";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { roundText, useRoundMessages, type RoundMessageKey } from "~/features/rounds/messages";
import { factsInWords, points, poolLabel, verdictText } from "~/features/rounds/present.server";
import { reReview, roundStanding } from "~/features/rounds/rounds.server";
import roundStyles from "~/features/rounds/rounds.css?url";
import { ScoreSheetView } from "~/features/score-sheet/ScoreSheetView";
import scoreSheetStyles from "~/features/score-sheet/score-sheet.css?url";
import { pick, requestLang, type Lang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: cohortStyles },
  { rel: "stylesheet", href: roundStyles },
  { rel: "stylesheet", href: scoreSheetStyles },
];

function requireObjection(params: { roundId?: string; objectionId?: string }): { round: RoundRecord; objection: ObjectionRecord } {
  const db = getDb();
  const objectionId = /^\d+$/.test(params.objectionId ?? "") ? Number(params.objectionId) : NaN;
  const objection = Number.isSafeInteger(objectionId) ? getObjection(db, objectionId) : undefined;
  const round = objection ? getRound(db, objection.roundId) : undefined;
  if (!objection || !round || String(round.id) !== params.roundId) throw new Response("objection not found", { status: 404 });
  return { round, objection };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const lang = requestLang(request);
  const db = getDb();
  const { round, objection } = requireObjection(params);
  const t = (key: RoundMessageKey, p?: Record<string, string | number>) => roundText(lang, key, p);
  const results = listRoundResults(db, round.id);
  const refOf = new Map(results.map((r) => [r.rowNo, r.applicantRef]));
  // A decided objection is shown as it was re-reviewed: on the facts that stood before its own correction.
  const review = await reReview(db, round, objection.rowNo, objection.correctedFacts, objection.status === "pending" ? undefined : objection.id);
  const now = roundStanding(db, round).rows;
  const before = now.find((r) => r.rowNo === objection.rowNo)!;
  const afterRow = review.standing.find((s) => s.rowNo === objection.rowNo)!;
  const moved = review.standing
    .filter((s) => s.rowNo !== objection.rowNo)
    .filter((s) => (now.find((r) => r.rowNo === s.rowNo)?.admitted ?? null) !== s.admitted)
    .map((s) => `${refOf.get(s.rowNo)}（${verdictText(lang, now.find((r) => r.rowNo === s.rowNo)!)} → ${verdictText(lang, s)}）`);
  return {
    roundId: round.id,
    roundName: round.name,
    ref: refOf.get(objection.rowNo) ?? String(objection.rowNo),
    objection: {
      id: objection.id,
      status: objection.status,
      disputed: objection.disputed,
      evidence: objection.evidence,
      corrected: factsInWords(lang, review.version.doc, objection.correctedFacts),
      recorded: t("reviewRecorded", { who: objection.recordedByName ?? "", at: objection.recordedAt.replace("T", " ").slice(0, 16) }),
      decided:
        objection.status === "pending"
          ? null
          : t("decided", {
              at: (objection.decidedAt ?? "").slice(0, 10),
              who: objection.decidedBy !== null ? getUserName(db, objection.decidedBy) : "",
              outcome: t(`objection_${objection.status}`),
              opinion: objection.opinion ?? "",
            }),
    },
    intro: t("reviewIntro", { version: review.version.label }),
    items: review.items.map((i) => ({ id: i.id, label: pick(lang, i.label), before: points(i.before), after: points(i.after) })),
    totalLine: t("totalLine", { before: points(review.totalBefore), after: points(review.totalAfter) }),
    rankLine: objection.status !== "pending" ? null : t("rankLine", {
      pool: poolLabel(lang, review.version.doc, round.programId, afterRow.pool),
      before: before.rank ?? "—",
      after: afterRow.rank ?? "—",
      verdictBefore: verdictText(lang, before),
      verdictAfter: verdictText(lang, afterRow),
    }),
    moved: objection.status === "pending" && moved.length > 0 ? t("othersMoved", { refs: moved.join("、") }) : null,
    changesResult: review.changesResult,
    doc: review.version.doc,
    before: review.before,
    after: review.after,
    canDecide: mayRunRounds(user) && objection.status === "pending" && objection.recordedBy !== user.id,
    recordedBySelf: objection.recordedBy === user.id,
    today: new Date().toISOString().slice(0, 10),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang: Lang = requestLang(request);
  const db = getDb();
  const { round, objection } = requireObjection(params);
  const form = await request.formData();
  const outcome = String(form.get("outcome") ?? "") === "corrected" ? "corrected" : "upheld";
  const opinion = String(form.get("opinion") ?? "").trim();
  const amendedOn = String(form.get("amendedOn") ?? "").trim();
  if (opinion === "") return { error: roundText(lang, "badOpinion") };
  if (outcome === "corrected" && !isIsoDate(amendedOn)) return { error: roundText(lang, "badDate") };
  const review = await reReview(db, round, objection.rowNo, objection.correctedFacts);
  if (outcome === "corrected" && !review.changesResult) return { error: roundText(lang, "noChange") };
  const decided = decideObjection(
    db,
    {
      objectionId: objection.id,
      outcome,
      opinion,
      review: review.decision,
      ...(outcome === "corrected"
        ? { amendment: { amendedOn, totalBefore: review.totalBefore, totalAfter: review.totalAfter, pool: review.pool, results: review.standing, pools: review.pools } }
        : {}),
    },
    user,
  );
  return decided.ok ? { error: null } : { error: pick(lang, decided.error.message) };
}

export default function ReReviewPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { lang, m } = useRoundMessages();
  return (
    <section>
      <div className="page-head">
        <h1>{m("reviewTitle", { ref: data.ref })}</h1>
        <div className="actions">
          <Link to={`/rounds/${data.roundId}`}>{m("backToRound")}</Link>
        </div>
      </div>
      <p className="muted">{data.intro}</p>
      <div className="card">
        <p>{m("reviewDisputed", { text: data.objection.disputed })}</p>
        {data.objection.corrected ? <p>{m("correctedFactsWords", { facts: data.objection.corrected })}</p> : null}
        {data.objection.evidence ? <p>{m("reviewEvidence", { text: data.objection.evidence })}</p> : null}
        <p className="muted small">{data.objection.recorded}</p>
      </div>

      <div className="section" data-testid="review-difference">
        <h2>{m("itemsTitle")}</h2>
        {data.items.length === 0 ? (
          <p>{m("noItemDifference")}</p>
        ) : (
          <table className="grid compact item-diff">
            <thead>
              <tr>
                <th>{m("colItem")}</th>
                <th>{m("colBefore")}</th>
                <th>{m("colAfter")}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <tr key={i.id}>
                  <td>{i.label}</td>
                  <td>{i.before}</td>
                  <td className={Number(i.after) > Number(i.before) ? "up" : "down"}>{i.after}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <strong data-testid="review-total">{data.totalLine}</strong>
        </p>
        {data.rankLine ? <p data-testid="review-rank">{data.rankLine}</p> : null}
        {data.moved ? <p data-testid="review-moved">{data.moved}</p> : null}
        {!data.changesResult && data.objection.status === "pending" ? <p className="notice notice-info">{m("noChange")}</p> : null}
      </div>

      <div className="section card" data-testid="review-decision">
        <h2>{m("decideTitle")}</h2>
        {data.objection.decided ? (
          <p data-testid="review-decided">{data.objection.decided}</p>
        ) : (
          <Form method="post" className="stack">
            <fieldset disabled={!data.canDecide}>
              <label className="inline-choice">
                <input type="radio" name="outcome" value="upheld" defaultChecked={!data.changesResult} /> {m("outcomeUpheld")}
              </label>
              <label className="inline-choice">
                <input type="radio" name="outcome" value="corrected" defaultChecked={data.changesResult} disabled={!data.changesResult} data-testid="outcome-corrected" />{" "}
                {m("outcomeCorrected")}
              </label>
              <label>
                {m("fieldAmendedOn")}
                <input type="date" name="amendedOn" defaultValue={data.today} />
              </label>
              <label>
                {m("fieldOpinion")}
                <textarea name="opinion" rows={3} required data-testid="review-opinion" />
              </label>
              <div>
                <button type="submit" data-testid="review-decide">
                  {m("decide")}
                </button>
              </div>
            </fieldset>
            {data.recordedBySelf ? <p className="why-disabled small">{m("decideSelf")}</p> : null}
          </Form>
        )}
        {result?.error ? (
          <p className="notice notice-bad" data-testid="review-error">
            {result.error}
          </p>
        ) : null}
      </div>

      <div className="side-by-side section" data-testid="review-sheets">
        <ScoreSheetView sheet={data.before.sheet} doc={data.doc} lang={lang} facts={data.before.facts} caption={m("captionBefore")} />
        <ScoreSheetView sheet={data.after.sheet} doc={data.doc} lang={lang} facts={data.after.facts} caption={m("captionAfter")} />
      </div>
    </section>
  );
}
