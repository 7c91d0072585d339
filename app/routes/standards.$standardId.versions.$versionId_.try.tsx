/**
 * Try an applicant: a form generated from the standard's fact dictionary; submitting scores the applicant on the
 * reference path and shows the explained score sheet. A drafter can save the applicant with the computed figures
 * as a test case of the draft (optimistic concurrency on the revision the page loaded).
 * (`$versionId_` keeps this page out of the editor route's layout while sharing its URL prefix.)
 */
import { errorText, errorTitle } from "~/components/error-text";
import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, isRouteErrorResponse, useActionData, useLoaderData, useNavigation, useRouteError } from "@remix-run/react";
import { useEffect, useState } from "react";
import { triedApplicantKey } from "~/features/editor/tried-applicant";
import { saveDraftDocument } from "../../db/standards";
import { whatItTakes } from "../../engine/levers/what-it-takes";
import { describeWhatItTakes } from "../../engine/levers/what-it-takes-words";
import { scoreApplicant } from "../../engine/scoring/reference";
import type { Facts, ScoreSheet } from "../../engine/types";
import type { FactDefinition, Id, StandardDocument, TestCase } from "../../rules-schema/types";
import { otherPersons, personFactKey, personLabel } from "../../rules-schema/persons";
import { pickText, type DescribeContext } from "~/features/read-view/describe";
import { loadVersionDocument } from "~/features/read-view/load-version.server";
import { ScoreSheetView } from "~/features/score-sheet/ScoreSheetView";
import scoreSheetStyles from "~/features/score-sheet/score-sheet.css?url";
import { formValuesOf, lineToReach, parseApplicantForm, type FormValues } from "~/features/try-applicant/applicant-form";
import { FactFields, FieldError, useRowKeys } from "~/features/try-applicant/ApplicantFields";
import { tryText, useTryMessages } from "~/features/try-applicant/messages";
import tryStyles from "~/features/try-applicant/try-applicant.css?url";
import { requestLang, translate, type MessageKey } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: scoreSheetStyles },
  { rel: "stylesheet", href: tryStyles },
];

/** A fieldset per person besides the applicant, with that person's own facts under `<person>.<fact>` (decision 028). */
function personFieldsets(doc: StandardDocument, lang: "zh-CN" | "en"): Array<{ legend: string; facts: FactDefinition[]; person: string }> {
  const own = doc.facts.filter((fact) => fact.perPerson === true);
  if (own.length === 0) return [];
  return otherPersons(doc).map((person) => ({
    person,
    legend: pickText(lang, personLabel(doc, person)),
    facts: own.map((fact) => ({ ...fact, id: personFactKey(person, fact.id) })),
  }));
}

/** The document without its embedded test and ranking cases: what the form and the sheet need, and much smaller. */
function documentForPage(doc: StandardDocument): StandardDocument {
  const { testCases: _testCases, rankingCases: _rankingCases, ...rest } = doc;
  return rest;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const version = loadVersionDocument(params);
  const doc = version.document;
  const caseId = new URL(request.url).searchParams.get("case");
  const testCase = doc?.testCases?.find((candidate) => candidate.id === caseId);
  let initial: { values: FormValues; rowKeys: Record<Id, string[]> };
  if (doc && testCase) initial = formValuesOf(doc, testCase.facts, testCase.program, testCase.date);
  else {
    const program = doc?.programs?.[0];
    initial = { values: { program: program?.id ?? "", date: program?.evaluationCutoff?.date ?? new Date().toISOString().slice(0, 10) }, rowKeys: {} };
  }
  return {
    version: { id: version.id, standardId: version.standardId, versionLabel: version.versionLabel, status: version.status, revision: version.revision, errorCount: version.errorCount },
    doc: doc ? documentForPage(doc) : null,
    cases: (doc?.testCases ?? []).map((candidate) => ({ id: candidate.id, label: candidate.label })),
    initial,
    initialKey: testCase ? testCase.id : "",
    canSave: version.status === "draft" && hasRole(user, "drafter"),
  };
}

interface TryOutcome {
  values: FormValues;
  rowKeys: Record<Id, string[]>;
  errors: Record<string, string>;
  sheet?: ScoreSheet;
  facts?: Facts;
  /** What it would take to reach the line, in words (issue 24, part 1). */
  takes?: string[];
  message?: { ok: boolean; text: string };
  savedRevision?: number;
}

function nextTestCaseId(doc: StandardDocument): string {
  const used = new Set((doc.testCases ?? []).map((candidate) => candidate.id));
  let n = 1;
  while (used.has(`tc_try_${n}`)) n += 1;
  return `tc_try_${n}`;
}

function expectedFigures(sheet: ScoreSheet): TestCase["expect"] {
  const items: Record<Id, number> = {};
  for (const item of sheet.items) {
    if (!item.explanation.notApplicable && !Object.prototype.hasOwnProperty.call(items, item.id)) items[item.id] = item.points;
  }
  return {
    eligible: sheet.eligible,
    vetoed: sheet.vetoed,
    failedGates: sheet.gates.filter((gate) => !gate.passed).map((gate) => gate.id),
    items,
    categories: { ...sheet.categories },
    total: sheet.total,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const version = loadVersionDocument(params);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "score");
  const entries: Array<[string, string]> = [];
  for (const [name, value] of form.entries()) if (typeof value === "string" && name !== "intent" && name !== "baseRevision") entries.push([name, value]);
  const doc = version.document;
  const echo = (status: number, outcome: Partial<TryOutcome>) => {
    const keys = new Map<Id, string[]>();
    for (const [name] of entries) {
      const match = /^rec:([^:]+):([^:]+):/.exec(name);
      if (!match) continue;
      const list = keys.get(match[1]) ?? [];
      keys.set(match[1], list);
      if (!list.includes(match[2])) list.push(match[2]);
    }
    return data<TryOutcome>({ values: Object.fromEntries(entries), rowKeys: Object.fromEntries(keys), errors: {}, ...outcome }, { status });
  };

  if (intent === "save") {
    // Enforced here, not only by hiding the button: only drafters may change a draft.
    if (!hasRole(user, "drafter")) return echo(403, { message: { ok: false, text: tryText(lang, "saveForbidden") } });
    if (version.status !== "draft") {
      const status = translate(lang, `status_${version.status}` as MessageKey);
      return echo(409, { message: { ok: false, text: tryText(lang, "saveNotDraft", { status }) } });
    }
  }
  if (!doc || version.errorCount > 0) return echo(400, { message: { ok: false, text: tryText(lang, "invalidDocument", { count: Math.max(1, version.errorCount) }) } });

  const parsed = parseApplicantForm(doc, entries, lang);
  const base = { values: parsed.values, rowKeys: parsed.rowKeys, errors: parsed.errors };
  if (Object.keys(parsed.errors).length > 0) return data<TryOutcome>(base, { status: 400 });

  let sheet: ScoreSheet;
  try {
    sheet = await scoreApplicant(doc, parsed.facts, parsed.program, parsed.date);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return data<TryOutcome>({ ...base, message: { ok: false, text: tryText(lang, "engineError", { detail }) } }, { status: 400 });
  }
  const line = lineToReach(doc, parsed.program, String(form.get("line") ?? ""));
  if (line.error) return data<TryOutcome>({ ...base, errors: { line: tryText(lang, "lineInvalid") } }, { status: 400 });
  const takes =
    line.value === undefined
      ? undefined
      : describeWhatItTakes(doc, whatItTakes({ doc, programId: parsed.program, facts: parsed.facts, date: parsed.date, line: line.value }), lang === "en" ? "en" : "zh");
  const scored: TryOutcome = { ...base, sheet, facts: parsed.facts, takes };
  if (intent !== "save") return data<TryOutcome>(scored);

  const labelZh = String(form.get("labelZh") ?? "").trim();
  const labelEn = String(form.get("labelEn") ?? "").trim();
  if (!labelZh) return data<TryOutcome>({ ...scored, errors: { labelZh: tryText(lang, "labelRequired") } }, { status: 400 });
  const baseRevision = Number(form.get("baseRevision"));
  const testCase: TestCase = {
    id: nextTestCaseId(doc),
    label: { zh: labelZh, en: labelEn || labelZh },
    program: parsed.program,
    date: parsed.date,
    facts: parsed.facts,
    expect: expectedFigures(sheet),
    workings: {
      zh: `由“试算申请人”页面按参考计算路径记录（${user.username}），未经手工核算。`,
      en: `Recorded from the reference path on the try-an-applicant page (${user.username}); not computed by hand.`,
    },
  };
  const next: StandardDocument = { ...doc, testCases: [...(doc.testCases ?? []), testCase] };
  const result = saveDraftDocument(getDb(), {
    versionId: version.id,
    baseRevision,
    documentText: `${JSON.stringify(next, null, 2)}\n`,
    document: next,
    userId: user.id,
  });
  switch (result.kind) {
    case "saved":
      return data<TryOutcome>({ ...scored, savedRevision: result.revision, message: { ok: true, text: tryText(lang, "saved", { id: testCase.id, revision: result.revision }) } });
    case "unchanged":
      return data<TryOutcome>({ ...scored, savedRevision: result.revision, message: { ok: true, text: translate(lang, "saveUnchanged", { revision: result.revision }) } });
    case "conflict":
      return data<TryOutcome>(
        { ...scored, message: { ok: false, text: tryText(lang, "saveConflict", { current: result.currentRevision, base: baseRevision }) } },
        { status: 409 },
      );
    case "notEditable": {
      const status = translate(lang, `status_${result.status}` as MessageKey);
      return data<TryOutcome>({ ...scored, message: { ok: false, text: tryText(lang, "saveNotDraft", { status }) } }, { status: 409 });
    }
    case "notFound":
      throw new Response("Not found", { status: 404 });
  }
}

export default function TryApplicant() {
  const loaded = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as TryOutcome | undefined;
  const { m, lang } = useTryMessages();
  const doc = loaded.doc as StandardDocument | null;
  const base = `/standards/${encodeURIComponent(loaded.version.standardId)}/versions/${loaded.version.id}`;
  return (
    <section className="try-page">
      <nav className="try-actions">
        <Link to="/standards">← {m("back")}</Link>
        <Link to={`${base}/table`} data-testid="link-table">
          {m("readTable")}
        </Link>
        <Link to={base}>{m("openEditor")}</Link>
      </nav>
      <h1>
        {m("pageTitle")}
        {lang === "en" ? ": " : "："}
        {doc ? pickText(lang, doc.title) : loaded.version.standardId} · {loaded.version.versionLabel}
      </h1>
      <p className="muted">{m("intro")}</p>
      {!doc || loaded.version.errorCount > 0 ? (
        <p className="notice" role="alert">
          {m("invalidDocument", { count: Math.max(1, loaded.version.errorCount) })}
        </p>
      ) : (
        <ApplicantWorkspace key={loaded.initialKey} doc={doc} loaded={loaded} outcome={outcome} />
      )}
    </section>
  );
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function ApplicantWorkspace({ doc, loaded, outcome }: { doc: StandardDocument; loaded: Loaded; outcome: TryOutcome | undefined }) {
  const { m, lang } = useTryMessages();
  const navigation = useNavigation();
  const values = outcome?.values ?? loaded.initial.values;
  const errors = outcome?.errors ?? {};
  const { rowKeys, addRow, removeRow } = useRowKeys(outcome?.rowKeys ?? loaded.initial.rowKeys);
  const [baseRevision, setBaseRevision] = useState(loaded.version.revision);
  useEffect(() => {
    if (outcome?.savedRevision) setBaseRevision(outcome.savedRevision);
  }, [outcome]);
  // The editor fills a new test case from the last applicant tried here (issue 25, part 5).
  useEffect(() => {
    if (!outcome?.sheet || !outcome.facts) return;
    const tried = { program: String(outcome.values.program ?? ""), date: String(outcome.values.date ?? ""), facts: outcome.facts, expect: expectedFigures(outcome.sheet) };
    try {
      window.localStorage.setItem(triedApplicantKey(loaded.version.standardId, loaded.version.id), JSON.stringify(tried));
    } catch {
      // Storage full or disabled: the editor then offers a blank test case.
    }
  }, [outcome, loaded.version.standardId, loaded.version.id]);
  const errorCount = Object.keys(errors).length;
  const busy = navigation.state !== "idle";
  const ctx: DescribeContext = { doc, lang };


  return (
    <>
      {loaded.cases.length > 0 ? (
        <p className="case-links small">
          {m("fillFrom")}{" "}
          {loaded.cases.map((candidate) => (
            <Link key={candidate.id} to={`?case=${encodeURIComponent(candidate.id)}`} className="case-link" data-case={candidate.id}>
              {pickText(lang, candidate.label)}
            </Link>
          ))}
        </p>
      ) : null}
      <Form method="post" noValidate className="try-layout" data-testid="try-form">
        <input type="hidden" name="baseRevision" value={baseRevision} />
        <div className="try-form-column">
          <fieldset className="try-fieldset">
            <div className="field-grid">
              <label className="field">
                <span className="field-label">{m("program")}</span>
                <select name="program" defaultValue={values.program ?? ""} aria-invalid={errors.program ? true : undefined} data-testid="program">
                  {doc.programs.map((program) => (
                    <option key={program.id} value={program.id}>
                      {pickText(lang, program.label)}
                    </option>
                  ))}
                </select>
                <FieldError message={errors.program} name="program" />
              </label>
              <label className="field">
                <span className="field-label">{m("evaluationDate")}</span>
                <input type="date" name="date" defaultValue={values.date ?? ""} aria-invalid={errors.date ? true : undefined} data-testid="date" />
                <span className="field-hint small muted">{m("evaluationDateHint")}</span>
                <FieldError message={errors.date} name="date" />
              </label>
              <label className="field">
                <span className="field-label">{m("line")}</span>
                <input type="text" inputMode="decimal" name="line" defaultValue={values.line ?? ""} aria-invalid={errors.line ? true : undefined} data-testid="line" />
                <span className="field-hint small muted">{m("lineHint")}</span>
                <FieldError message={errors.line} name="line" />
              </label>
            </div>
          </fieldset>
          {[{ legend: m("sectionApplicant"), facts: doc.facts, person: "applicant" }, ...personFieldsets(doc, lang)].map((set) => (
          <fieldset className="try-fieldset" key={set.person} data-person={set.person}>
            <legend>{set.legend}</legend>
            <FactFields facts={set.facts} ctx={ctx} values={values} errors={errors} rowKeys={rowKeys} onAdd={addRow} onRemove={removeRow} />
          </fieldset>
          ))}
          <div className="try-submit">
            <button type="submit" name="intent" value="score" disabled={busy} data-testid="compute">
              {busy ? m("computing") : m("submit")}
            </button>
            {errorCount > 0 ? (
              <span className="error" role="alert" data-testid="form-errors">
                {m("formHasErrors", { count: errorCount })}
              </span>
            ) : null}
          </div>
        </div>
        <div className="try-result-column" data-testid="result">
          {outcome?.message ? (
            <p className={outcome.message.ok ? "ok message" : "error message"} role={outcome.message.ok ? "status" : "alert"} data-testid="message">
              {outcome.message.text}
            </p>
          ) : null}
          {outcome?.sheet ? (
            <>
              <h2>{m("result")}</h2>
              <ScoreSheetView sheet={outcome.sheet} doc={doc} lang={lang} facts={outcome.facts} />
              {outcome.takes ? (
                <section className="what-it-takes" data-testid="what-it-takes">
                  <h3>{m("whatItTakes")}</h3>
                  {outcome.takes.map((text, k) => (
                    <p key={k}>{text}</p>
                  ))}
                </section>
              ) : null}
              {loaded.canSave ? (
                <fieldset className="try-fieldset save-case" data-testid="save-case">
                  <legend>{m("saveTitle")}</legend>
                  <p className="small muted">{m("saveIntro")}</p>
                  <label className="field">
                    <span className="field-label">{m("labelZh")}</span>
                    <input type="text" name="labelZh" defaultValue={values.labelZh ?? ""} data-testid="label-zh" aria-invalid={errors.labelZh ? true : undefined} />
                    <FieldError message={errors.labelZh} name="labelZh" />
                  </label>
                  <label className="field">
                    <span className="field-label">{m("labelEn")}</span>
                    <input type="text" name="labelEn" defaultValue={values.labelEn ?? ""} data-testid="label-en" />
                  </label>
                  <button type="submit" name="intent" value="save" disabled={busy} data-testid="save-case-button">
                    {m("save")}
                  </button>{" "}
                  <span className="muted small">
                    {m("revision")}: {baseRevision}
                  </span>
                </fieldset>
              ) : (
                <p className="muted small">{m("saveOnlyDrafts")}</p>
              )}
            </>
          ) : null}
        </div>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { m, lang } = useTryMessages();
  return (
    <section>
      <p>
        <Link to="/standards">← {m("back")}</Link>
      </p>
      <p className="notice" role="alert">
        {isRouteErrorResponse(error) ? `${errorTitle(error.status, lang)} ${errorText(error, lang)}` : translate(lang, "errorHint")}
      </p>
    </section>
  );
}
