import { data, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type * as Monaco from "monaco-editor";
import { listStandards, saveDraftDocument } from "../../db/standards";
import { JsonEditor, type EditorProblem } from "~/components/JsonEditor";
import { pick, requestLang, translate, useT, type MessageKey } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { loadVersionOr404 } from "~/lib/versions.server";
import { validateVersionForEditor } from "~/lib/validation.server";
import { documentTooLargeMessage, MAX_DOCUMENT_BYTES, MAX_SAVE_FORM_BYTES, readBodyWithin } from "~/lib/body-limit.server";
import { localizedSchema } from "../../rules-schema/schema";
import { latestReturn } from "~/features/audit/trail.server";
import { indexDocument, spanOfPointer } from "~/features/editor/document-index";
import { buildOutline, entryAtOffset } from "~/features/editor/outline";
import { Outline } from "~/features/editor/Outline";
import { editorMessages } from "~/features/editor/messages";
import { registerDraftingAids } from "~/features/editor/language-features";
import { schemaForEditor } from "~/features/editor/completions";
import { DraftingTools } from "~/features/editor/DraftingTools";
import { escapeSnippet, insertionFor, snippetText, type SnippetKind, type TriedApplicant } from "~/features/editor/snippets";
import { quickEditEdits, type QuickEditTarget } from "~/features/editor/quick-edit";
import { triedApplicantKey } from "~/features/editor/tried-applicant";
import editorStyles from "~/features/editor/editor.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const version = loadVersionOr404(params);
  const lang = requestLang(request);
  return {
    schema: localizedSchema(lang),
    validation: validateVersionForEditor(version.document, version, lang),
    standardTitle: listStandards(getDb()).find((s) => s.id === version.standardId)?.title,
    version: {
      id: version.id,
      standardId: version.standardId,
      versionLabel: version.versionLabel,
      status: version.status,
      revision: version.revision,
      document: version.document,
      effectiveFrom: version.effectiveFrom,
      effectiveTo: version.effectiveTo,
      documentNumber: version.documentNumber,
    },
    canEdit: version.status === "draft" && hasRole(user, "drafter"),
    // The real reason a user cannot edit: the version's status, or (for a draft) their role.
    readOnlyReason: version.status !== "draft" ? ("status" as const) : hasRole(user, "drafter") ? null : ("role" as const),
    returned: version.status === "draft" ? latestReturn(getDb(), version.standardId, version.id) : undefined,
  };
}

type SaveOutcome =
  | { ok: true; revision: number; message: string; problems: EditorProblem[] }
  | { ok: false; message: string; problems: EditorProblem[]; currentRevision?: number };

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const version = loadVersionOr404(params);
  const fail = (status: number, message: string, problems: EditorProblem[] = [], currentRevision?: number) =>
    data<SaveOutcome>({ ok: false, message, problems, currentRevision }, { status });
  if (!hasRole(user, "drafter")) return fail(403, translate(lang, "saveForbidden"));

  // The same limit as validate, enforced before the body is read into memory (issue 18: 8-17 MB documents were stored).
  const body = await readBodyWithin(request, MAX_SAVE_FORM_BYTES);
  if (!body) return fail(413, documentTooLargeMessage(lang));
  const form = await new Request(request.url, { method: "POST", headers: request.headers, body: new Uint8Array(body) }).formData();
  const text = String(form.get("document") ?? "");
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_DOCUMENT_BYTES) return fail(413, documentTooLargeMessage(lang, bytes));
  const baseRevision = Number(form.get("baseRevision"));
  // Drafts may be saved while they still have schema problems (work is never lost), but never as broken JSON.
  const validation = validateVersionForEditor(text, version, lang);
  const syntax = validation.problems.find((p) => p.code.startsWith("json."));
  if (syntax) {
    const message = translate(lang, "saveInvalidJson", { line: syntax.line ?? 1, column: syntax.column ?? 1, detail: syntax.message });
    return fail(400, message, validation.problems);
  }
  const result = saveDraftDocument(getDb(), {
    versionId: version.id,
    baseRevision,
    documentText: text,
    document: JSON.parse(text),
    userId: user.id,
  });
  switch (result.kind) {
    case "saved":
      return data<SaveOutcome>({
        ok: true,
        revision: result.revision,
        message: translate(lang, validation.ok ? "saved" : "savedWithProblems", { revision: result.revision, count: validation.problems.length }),
        problems: validation.problems,
      });
    case "unchanged":
      return data<SaveOutcome>({
        ok: true,
        revision: result.revision,
        message: translate(lang, "saveUnchanged", { revision: result.revision }),
        problems: validation.problems,
      });
    case "conflict":
      return fail(409, translate(lang, "saveConflict", { current: result.currentRevision, base: baseRevision }), [], result.currentRevision);
    case "notEditable":
      return fail(409, translate(lang, "saveNotEditable", { status: translate(lang, `status_${result.status}` as MessageKey) }));
    case "notFound":
      throw new Response("Not found", { status: 404 });
  }
}

const VALIDATE_DEBOUNCE_MS = 600;
/** The outline follows the text a moment after typing stops (indexing a large document on every key is wasted). */
const OUTLINE_DEBOUNCE_MS = 250;

export default function EditVersion() {
  const { version, standardTitle, canEdit, readOnlyReason, returned, schema, validation } = useLoaderData<typeof loader>();
  const { t, lang } = useT();
  const fetcher = useFetcher<typeof action>();
  const [text, setText] = useState(version.document);
  const [outlineText, setOutlineText] = useState(version.document);
  const [cursorOffset, setCursorOffset] = useState<number | undefined>(undefined);
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const [searchParams] = useSearchParams();
  const deepLink = searchParams.get("at");
  const [baseRevision, setBaseRevision] = useState(version.revision);
  const [problems, setProblems] = useState<EditorProblem[]>(validation.problems);
  const outcome = fetcher.data as SaveOutcome | undefined;

  useEffect(() => {
    if (outcome?.ok) setBaseRevision(outcome.revision);
    if (outcome) setProblems(outcome.problems);
  }, [outcome]);

  // Server-side validation (schema + semantic checks) while typing, debounced; the latest answer wins.
  useEffect(() => {
    if (text === version.document) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(`${window.location.pathname}/validate`, { method: "POST", body: text, signal: controller.signal, headers: { "Content-Type": "application/json" } })
        .then((r) => (r.ok || r.status === 413 ? r.json() : null))
        .then((r: { problems: EditorProblem[] } | null) => r && setProblems(r.problems))
        .catch(() => undefined);
    }, VALIDATE_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, version.document]);

  useEffect(() => {
    if (text === outlineText) return;
    const timer = setTimeout(() => setOutlineText(text), OUTLINE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, outlineText]);
  const outlineIndex = useMemo(() => indexDocument(outlineText), [outlineText]);
  const outline = useMemo(() => buildOutline(outlineIndex, lang), [outlineIndex, lang]);
  const current = cursorOffset === undefined ? undefined : entryAtOffset(outline, cursorOffset)?.pointer;

  /** Puts the cursor on the entry at a JSON pointer (or its nearest existing parent), near the top of the editor. */
  const reveal = useCallback((target: { pointer?: string; line?: number; column?: number }) => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model) return;
    let position: { lineNumber: number; column: number } | undefined;
    if (target.pointer && !(target.line !== undefined && target.pointer === "/")) {
      const span = spanOfPointer(indexDocument(model.getValue()).tree, target.pointer);
      if (span) position = model.getPositionAt(span.offset);
    }
    if (!position && target.line !== undefined) position = { lineNumber: target.line, column: target.column ?? 1 };
    if (!position) return;
    editor.setPosition(position);
    editor.revealLineNearTop(position.lineNumber);
    editor.focus();
  }, []);

  const { m } = editorMessages.useMessages();

  /** Inserts a snippet where its kind belongs, through Monaco's snippet controller (Tab between blanks, one undo). */
  const insertSnippet = useCallback(
    (kind: SnippetKind): string | undefined => {
      const editor = editorRef.current;
      const model = editor?.getModel();
      if (!editor || !model) return undefined;
      const index = indexDocument(model.getValue());
      const cursor = editor.getPosition();
      const cursorPointer = cursor ? entryAtOffset(buildOutline(index, lang), model.getOffsetAt(cursor))?.pointer : undefined;
      const insertion = insertionFor(kind, index, cursorPointer);
      if (!insertion) return kind === "tier" ? m("insertTierNowhere") : m("insertNowhere");
      let tried: TriedApplicant | undefined;
      if (kind === "testCase") {
        try {
          const stored = window.localStorage.getItem(triedApplicantKey(version.standardId, version.id));
          tried = stored ? (JSON.parse(stored) as TriedApplicant) : undefined;
        } catch {
          tried = undefined;
        }
      }
      editor.setPosition(model.getPositionAt(insertion.offset));
      editor.focus();
      const snippet = escapeSnippet(insertion.before) + snippetText(kind, index, lang, tried) + escapeSnippet(insertion.after);
      (editor.getContribution("snippetController2") as unknown as { insert(template: string): void }).insert(snippet);
      return kind === "testCase" && !tried ? m("insertNoTried") : m("insertedHint");
    },
    [lang, m, version.standardId, version.id],
  );

  /** Writes the quick-edit form's figures as one Monaco edit (one undo), or says what is wrong and writes nothing. */
  const quickEdit = useCallback(
    (target: QuickEditTarget, values: Record<string, string>): string | undefined => {
      const editor = editorRef.current;
      const model = editor?.getModel();
      if (!editor || !model) return undefined;
      const changed = target.fields.filter((field) => (values[field.name] ?? "").trim() !== (field.value === undefined ? "" : String(field.value)));
      for (const field of changed) {
        const result = quickEditEdits(indexDocument(model.getValue()), field.pointer, values[field.name] ?? "", field.required, field.name);
        if (!result.ok) {
          const name = m(`field_${field.name}`);
          return result.reason === "required" ? m("quickRequired", { field: name }) : result.reason === "negativeCap" ? m("quickNegativeCap") : m("quickNotNumber", { field: name });
        }
      }
      editor.pushUndoStop();
      for (const field of changed) {
        const result = quickEditEdits(indexDocument(model.getValue()), field.pointer, values[field.name] ?? "", field.required, field.name);
        if (!result.ok) continue;
        editor.executeEdits(
          "quick-edit",
          result.edits.map((edit) => {
            const start = model.getPositionAt(edit.offset);
            const end = model.getPositionAt(edit.offset + edit.length);
            return { range: { startLineNumber: start.lineNumber, startColumn: start.column, endLineNumber: end.lineNumber, endColumn: end.column }, text: edit.content };
          }),
        );
      }
      editor.pushUndoStop();
      // Back to the text, where Ctrl+Z takes the change back.
      editor.focus();
      return undefined;
    },
    [m],
  );

  const editorSchema = useMemo(() => schemaForEditor(schema), [schema]);
  const onReady = useCallback(
    (editor: Monaco.editor.IStandaloneCodeEditor, monaco: typeof Monaco) => {
      registerDraftingAids(monaco, lang);
      editorRef.current = editor;
      editor.onDidChangeCursorPosition((event) => {
        const model = editor.getModel();
        if (model) setCursorOffset(model.getOffsetAt(event.position));
      });
      if (deepLink) reveal({ pointer: deepLink });
    },
    // The deep link is read once, when the editor opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  const statusText = t(`status_${version.status}` as MessageKey);
  return (
    <section>
      <p className="links-row">
        <Link to="/standards">← {t("back")}</Link>
        <Link to={`/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}/table`}>{t("readTable")}</Link>
        <Link to={`/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}/try`}>{t("tryApplicant")}</Link>
        <Link to={`/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}/review`}>{t("reviewPublish")}</Link>
        <Link to={`/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}/history`}>{t("history")}</Link>
        <Link to={`/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}/compare`}>{t("compare")}</Link>
      </p>
      <h1>
        {t("editorTitle")}: {standardTitle ? pick(lang, standardTitle) : version.standardId} · {version.versionLabel}{" "}
        <span className={`status status-${version.status}`}>{statusText}</span>
      </h1>
      <p className="muted small" data-testid="version-identity">
        {version.effectiveFrom
          ? version.effectiveTo
            ? t("identityEffective", { from: version.effectiveFrom, to: version.effectiveTo })
            : t("identityEffectiveOpen", { from: version.effectiveFrom })
          : t("identityNotEffective")}
        {version.documentNumber ? ` · ${t("identityDocumentNumber", { number: version.documentNumber })}` : ""}
      </p>
      {returned ? (
        <div className="banner-returned" role="note" data-testid="returned-banner">
          <strong>{t("returnedBanner", { who: returned.who, at: returned.at })}</strong>
          {t("returnedReason", { reason: returned.reason })}
        </div>
      ) : null}
      {!canEdit ? (
        <p className="notice" data-testid="read-only-reason">
          {readOnlyReason === "role" ? t("editorReadOnlyRole") : t("editorReadOnly", { status: statusText })}
        </p>
      ) : null}
      <fetcher.Form method="post" className="toolbar">
        <input type="hidden" name="document" value={text} />
        <input type="hidden" name="baseRevision" value={baseRevision} />
        <span className="muted" data-testid="revision">
          {t("colRevision")}: {baseRevision}
        </span>
        {canEdit ? (
          <button type="submit" disabled={fetcher.state !== "idle"} data-testid="save">
            {fetcher.state !== "idle" ? t("saving") : t("save")}
          </button>
        ) : null}
        {outcome ? (
          <span className={outcome.ok ? "ok" : "error"} role={outcome.ok ? "status" : "alert"} data-testid="save-result">
            {outcome.message}
          </span>
        ) : null}
      </fetcher.Form>
      <div className="drafting">
        <div className="drafting-side">
          {canEdit ? <DraftingTools index={outlineIndex} current={current} onInsert={insertSnippet} onQuickEdit={quickEdit} /> : null}
          <Outline outline={outline} current={current} problems={problems} onReveal={(pointer) => reveal({ pointer })} />
        </div>
        <JsonEditor
          path={`file:///standards/${version.standardId}/versions/${version.id}.json`}
          initialValue={version.document}
          readOnly={!canEdit}
          loadingText={t("editorLoading")}
          schema={editorSchema}
          problems={problems}
          onChange={setText}
          onReady={onReady}
        />
      </div>
      <ProblemList problems={problems} onReveal={reveal} />
    </section>
  );
}

function ProblemList({ problems, onReveal }: { problems: EditorProblem[]; onReveal(target: { pointer?: string; line?: number; column?: number }): void }) {
  const { t } = useT();
  const { m } = editorMessages.useMessages();
  return (
    <section className="problems" data-testid="problems">
      <h2>
        {t("problemsTitle")} ({problems.length})
      </h2>
      {problems.length === 0 ? (
        <p className="ok">{t("noProblems")}</p>
      ) : (
        <table className="grid compact">
          <thead>
            <tr>
              <th>{t("colPlace")}</th>
              <th>{t("colCode")}</th>
              <th>{t("colMessage")}</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((p, i) => (
              <tr key={i} className={p.severity}>
                <td className="mono">
                  <a
                    href={`?at=${encodeURIComponent(p.path ?? "")}`}
                    className="go-to"
                    title={m("goToTitle")}
                    data-testid="problem-go-to"
                    onClick={(event) => {
                      event.preventDefault();
                      onReveal({ pointer: p.path, line: p.line, column: p.column });
                    }}
                  >
                    {p.line !== undefined ? `${p.line}:${p.column ?? 1}` : m("goTo")}
                  </a>{" "}
                  <span className="muted">{p.path || "/"}</span>
                </td>
                <td className="mono">{p.code}</td>
                <td>{p.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
