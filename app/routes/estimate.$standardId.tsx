/**
 * The public self-estimate (自评分 / 积分自测, issue 23 part 1, decision 041): no sign-in. The version of the standard
 * in effect today as a questionnaire generated from its fact dictionary (the try page's fields), then the explained
 * score sheet, the verdict and what it would take. Nothing entered is stored; drafts are never shown; every request
 * counts against the client address's limit.
 */
import { data, type ActionFunctionArgs, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError, type ShouldRevalidateFunction } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Id, StandardDocument } from "../../rules-schema/types";
import { formatDate, pickText, type DescribeContext } from "~/features/read-view/describe";
import { ScoreSheetView } from "~/features/score-sheet/ScoreSheetView";
import scoreSheetStyles from "~/features/score-sheet/score-sheet.css?url";
import { estimate, publicVersionInEffect, type EstimateOutcome } from "~/features/self-estimate/estimate.server";
import { estimateText, useEstimateMessages } from "~/features/self-estimate/messages";
import { personPresentName, questionnaire, type QuestionGroup } from "~/features/self-estimate/questionnaire";
import { limitEstimateRequest } from "~/features/self-estimate/rate-limit.server";
import estimateStyles from "~/features/self-estimate/self-estimate.css?url";
import { FactFields, FieldError, useRowKeys } from "~/features/try-applicant/ApplicantFields";
import tryStyles from "~/features/try-applicant/try-applicant.css?url";
import { requestLang, type Lang } from "~/i18n";
import { readBodyWithin } from "~/lib/body-limit.server";
import { getDb } from "~/lib/db.server";

const FORM_ID = "estimate-form";
/** Far above any real questionnaire (Suzhou's with a dozen records is under 4 KB), far below what would cost memory. */
const MAX_ESTIMATE_FORM_BYTES = 256 * 1024;

/** A public page: the root shows no signed-in navigation, and its language switch re-submits this form (keeping the answers). */
export const handle = { publicPage: true, langForm: FORM_ID };

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: scoreSheetStyles },
  { rel: "stylesheet", href: tryStyles },
  { rel: "stylesheet", href: estimateStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data: loaded, matches }) => {
  const lang = ((matches.find((match) => match.id === "root")?.data as { lang?: Lang } | undefined)?.lang ?? "zh-CN") as Lang;
  const title = loaded ? `${pickText(lang, loaded.version.doc.title)} · ${estimateText(lang, "pageTitle")}` : "积分自测 Self-estimate";
  return [{ title }];
};

/** An estimate does not change the page's own data: only the root (the language) loads again, and no second unit is taken. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, defaultShouldRevalidate }) => (formMethod === "POST" ? false : defaultShouldRevalidate);

export const headers: HeadersFunction = ({ errorHeaders }) => {
  const headers = new Headers();
  const retryAfter = errorHeaders?.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};

/** A body somewhat over the limit is read to its end (and dropped), so that the client gets the 413 rather than a reset. */
const DRAINED_BYTES = 4 * 1024 * 1024;

async function drain(request: Request, limit: number): Promise<void> {
  if (!request.body || request.bodyUsed || Number(request.headers.get("content-length") ?? 0) > limit) return;
  const reader = request.body.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return;
    }
  }
}

/** The day the estimate counts to, as the standards page reads "in effect today". */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function versionOr404(standardId: string | undefined, lang: Lang) {
  const version = standardId ? publicVersionInEffect(getDb(), standardId, today()) : undefined;
  if (!version) throw new Response(estimateText(lang, "notFoundText"), { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  return version;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const lang = requestLang(request);
  limitEstimateRequest(context, lang);
  const version = versionOr404(params.standardId, lang);
  const asked = new URL(request.url).searchParams.get("program") ?? "";
  const program = version.doc.programs.some((candidate) => candidate.id === asked) ? asked : (version.doc.programs[0]?.id ?? "");
  return { today: today(), version, program };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const lang = requestLang(request);
  limitEstimateRequest(context, lang);
  const version = versionOr404(params.standardId, lang);
  // A public form: its body is read only up to a bound, and only as the page sends it (URL-encoded fields).
  const body = await readBodyWithin(request, MAX_ESTIMATE_FORM_BYTES);
  if (!body) {
    await drain(request, DRAINED_BYTES);
    throw new Response(estimateText(lang, "tooLargeText"), { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
  const form = new URLSearchParams(body.toString("utf8"));
  const entries: Array<[string, string]> = [];
  for (const [name, value] of form.entries()) if (name !== "intent" && name !== "shown") entries.push([name, value]);
  // The language switch re-submits the answers; it scores them again only if a result was on the page.
  const score = form.get("intent") !== "lang" || form.get("shown") === "1";
  try {
    const outcome = await estimate(version.doc, entries, today(), lang, score);
    return data<EstimateOutcome & { failed?: string }>(outcome, { status: Object.keys(outcome.errors).length > 0 && score ? 400 : 200 });
  } catch {
    const outcome = await estimate(version.doc, entries, today(), lang, false);
    return data<EstimateOutcome & { failed?: string }>({ ...outcome, failed: estimateText(lang, "engineError") }, { status: 400 });
  }
}

type Outcome = EstimateOutcome & { failed?: string };

export default function SelfEstimate() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  const { m, lang } = useEstimateMessages();
  const doc = loaded.version.doc as StandardDocument;
  const version = loaded.version;
  return (
    <section className="estimate-page">
      <header className="estimate-head">
        <p className="no-print small">
          <Link to="/estimate" data-testid="back-to-list">{m("backToList")}</Link>
        </p>
        <p className="estimate-kicker">{m("pageTitle")}</p>
        <h1>{pickText(lang, doc.title)}</h1>
        <p className="muted small">
          {m("versionLine", { version: version.versionLabel, from: version.effectiveFrom ? formatDate(lang, version.effectiveFrom) : "—" })}
          {version.effectiveTo ? m("versionUntil", { to: formatDate(lang, version.effectiveTo) }) : null}
          {version.documentNumber ? <>{lang === "en" ? ". " : "；"}{m("documentNumber", { number: version.documentNumber })}</> : null}
        </p>
        <p className="estimate-intro">{m("intro")}</p>
        <p className="notice small" data-testid="not-stored">
          {m("notStored")}
        </p>
      </header>
      <Estimate key={lang} doc={doc} loaded={loaded} outcome={outcome} />
    </section>
  );
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function Estimate({ doc, loaded, outcome }: { doc: StandardDocument; loaded: Loaded; outcome: Outcome | undefined }) {
  const { m, lang } = useEstimateMessages();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const values = outcome?.values ?? {};
  const errors = outcome?.errors ?? {};
  const [program, setProgram] = useState<Id>(outcome?.values.program || loaded.program);
  const [present, setPresent] = useState<Id[]>(outcome?.present ?? []);
  const { rowKeys, addRow, removeRow } = useRowKeys(outcome?.rowKeys ?? {});
  const asked = useMemo(() => questionnaire(doc, program), [doc, program]);
  const ctx: DescribeContext = { doc, lang };
  const resultRef = useRef<HTMLElement>(null);
  const errorCount = Object.keys(errors).length;
  const formRef = useRef<HTMLFormElement>(null);
  // On a phone the result or the first answer to correct is out of sight: bring it into view.
  useEffect(() => {
    if (outcome?.sheet) resultRef.current?.scrollIntoView({ block: "start" });
    else if (outcome && Object.keys(outcome.errors).length > 0) {
      const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      first?.scrollIntoView({ block: "center" });
      first?.focus();
    }
  }, [outcome]);
  const allocation = doc.programs.find((candidate) => candidate.id === program)?.allocation;
  const fields = (groups: QuestionGroup[], person?: Id) =>
    groups.map((group) => (
      <fieldset className="try-fieldset estimate-group" key={`${person ?? ""}:${group.key}`} data-group={group.key}>
        <legend>{pickText(lang, group.label)}</legend>
        <FactFields facts={group.facts} ctx={ctx} values={values} errors={errors} rowKeys={rowKeys} onAdd={addRow} onRemove={removeRow} />
      </fieldset>
    ));
  const setPresence = (person: Id, on: boolean) => setPresent((current) => (on ? [...current.filter((p) => p !== person), person] : current.filter((p) => p !== person)));

  return (
    <>
      {outcome?.sheet ? (
        <section className="estimate-result" data-testid="result" ref={resultRef}>
          <div className="estimate-result-head">
            <h2>{m("result")}</h2>
            <button type="button" className="secondary no-print" onClick={() => window.print()} data-testid="print">
              {m("print")}
            </button>
          </div>
          <p className="print-only small">{m("printNote")}</p>
          <ScoreSheetView sheet={outcome.sheet} doc={doc} lang={lang} facts={outcome.facts} />
          {outcome.takes ? (
            <section className="what-it-takes" data-testid="what-it-takes">
              <h3>{m("whatItTakes")}</h3>
              {outcome.line !== undefined ? <p className="muted small">{m("whatItTakesLine", { line: outcome.line })}</p> : null}
              {outcome.takes.map((text, k) => (
                <p key={k}>{text}</p>
              ))}
            </section>
          ) : null}
        </section>
      ) : null}
      {outcome?.failed ? (
        <p className="error message" role="alert" data-testid="message">
          {outcome.failed}
        </p>
      ) : null}
      <Form method="post" noValidate id={FORM_ID} ref={formRef} className="estimate-form no-print" data-testid="estimate-form">
        <input type="hidden" name="shown" value={outcome?.sheet ? "1" : "0"} />
        <p className="small muted">{m("evaluatedToday", { date: formatDate(lang, loaded.today) })}</p>
        <fieldset className="try-fieldset">
          <div className="field-grid">
            <label className="field">
              <span className="field-label">{m("program")}</span>
              <select name="program" value={program} onChange={(event) => setProgram(event.target.value)} aria-invalid={errors.program ? true : undefined} data-testid="program">
                {doc.programs.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {pickText(lang, candidate.label)}
                  </option>
                ))}
              </select>
              <span className="field-hint small muted">{m("programHint")}</span>
              <FieldError message={errors.program} name="program" />
            </label>
            {allocation?.kind === "quota" ? (
              <label className="field">
                <span className="field-label">{m("line")}</span>
                <input type="text" inputMode="decimal" name="line" defaultValue={values.line ?? ""} aria-invalid={errors.line ? true : undefined} data-testid="line" />
                <span className="field-hint small muted">{m("lineHint")}</span>
                <FieldError message={errors.line} name="line" />
              </label>
            ) : null}
          </div>
        </fieldset>
        {fields(asked.groups)}
        {asked.persons.length > 0 ? (
          <section className="estimate-persons" data-testid="persons-questions">
            {asked.persons.map((section) => {
              const isSpouse = section.person === "spouse";
              const label = pickText(lang, section.label);
              // "the spouse's circumstances": a role's label is a common noun inside an English sentence.
              const name = lang === "en" ? label.charAt(0).toLowerCase() + label.slice(1) : label;
              const shown = !section.optional || present.includes(section.person);
              return (
                <div key={section.person} data-person={section.person}>
                  {section.optional ? (
                    <fieldset className="try-fieldset presence">
                      <legend>{isSpouse ? m("married") : m("personPresent", { person: name })}</legend>
                      <div className="presence-choices">
                        <label>
                          <input type="radio" name={personPresentName(section.person)} value="yes" checked={shown} onChange={() => setPresence(section.person, true)} data-testid={`present-${section.person}`} />{" "}
                          {m("yes")}
                        </label>
                        <label>
                          <input type="radio" name={personPresentName(section.person)} value="no" checked={!shown} onChange={() => setPresence(section.person, false)} data-testid={`absent-${section.person}`} />{" "}
                          {m("no")}
                        </label>
                      </div>
                      <span className="field-hint small muted">{isSpouse ? m("marriedHint") : m("personPresentHint")}</span>
                    </fieldset>
                  ) : null}
                  {shown ? (
                    <div className="person-section" data-testid={`person-${section.person}`}>
                      <h2 className="person-heading">{section.person === "applicant" ? m("personYou") : m("personSection", { person: name })}</h2>
                      {fields(section.groups, section.person)}
                    </div>
                  ) : null}
                </div>
              );
            })}
          </section>
        ) : null}
        <div className="try-submit">
          <button type="submit" name="intent" value="estimate" disabled={busy} data-testid="estimate">
            {busy ? m("computing") : m("submit")}
          </button>
          {errorCount > 0 ? (
            <span className="error" role="alert" data-testid="form-errors">
              {m("formHasErrors", { count: errorCount })}
            </span>
          ) : null}
        </div>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { m } = useEstimateMessages();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const title = status === 404 ? m("notFoundTitle") : status === 429 ? m("tooManyTitle") : status === 413 ? m("tooLargeTitle") : m("errorTitle");
  // The route's own responses carry their text in the request's language; anything else gets a plain sentence.
  const own = isRouteErrorResponse(error) && typeof error.data === "string" && [404, 413, 429].includes(status) ? error.data : undefined;
  const text = own ?? (status === 404 ? m("notFoundText") : m("errorText"));
  return (
    <section className="estimate-page" data-testid="estimate-error" data-status={status}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <Link to="/estimate">{m("backToList")}</Link>
      </p>
    </section>
  );
}
