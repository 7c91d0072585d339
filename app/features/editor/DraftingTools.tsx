import { useEffect, useMemo, useState } from "react";
import { pick } from "../../i18n";
import { editorMessages } from "./messages";
import { quickEditTarget, type QuickEditTarget } from "./quick-edit";
import { SNIPPET_KINDS, type SnippetKind } from "./snippets";
import type { DocumentIndex } from "./document-index";

interface Props {
  index: DocumentIndex;
  /** The outline's entry under the cursor. */
  current?: string;
  onInsert(kind: SnippetKind): string | undefined;
  /** Writes one figure; returns an error message, or nothing when written. */
  onQuickEdit(target: QuickEditTarget, values: Record<string, string>): string | undefined;
}

/** Insert a snippet, and the quick-edit form of the entry under the cursor. */
export function DraftingTools({ index, current, onInsert, onQuickEdit }: Props) {
  const { m, lang } = editorMessages.useMessages();
  const [notice, setNotice] = useState<string | undefined>();
  const target = useMemo(() => quickEditTarget(index, current), [index, current]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [quickMessage, setQuickMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const targetKey = target ? `${target.pointer}:${target.fields.map((f) => f.value).join(",")}` : "";

  useEffect(() => {
    setValues(Object.fromEntries((target?.fields ?? []).map((f) => [f.name, f.value === undefined ? "" : String(f.value)])));
    // A new entry under the cursor (or new figures in the text) refills the form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [targetKey]);
  useEffect(() => setQuickMessage(undefined), [target?.pointer]);

  return (
    <>
      <section className="drafting-tool" data-testid="insert">
        <label>
          <span className="drafting-tool-title">{m("insertTitle")}</span>
          <select
            value=""
            data-testid="insert-snippet"
            onChange={(event) => {
              const kind = event.target.value as SnippetKind;
              if (kind) setNotice(onInsert(kind));
            }}
          >
            <option value="">{m("insertChoose")}</option>
            {SNIPPET_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {m(`snippet_${kind}`)}
              </option>
            ))}
          </select>
        </label>
        {notice ? (
          <p className="small muted" role="status" data-testid="insert-notice">
            {notice}
          </p>
        ) : null}
      </section>
      <section className="drafting-tool" data-testid="quick-edit">
        <h2>{m("quickTitle")}</h2>
        {!target ? (
          <p className="small muted">{m("quickHint")}</p>
        ) : (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const error = onQuickEdit(target, values);
              setQuickMessage(error ? { ok: false, text: error } : { ok: true, text: m("quickApplied") });
            }}
          >
            <p className="small" data-testid="quick-edit-entry">
              {m(`quick_${target.entry}`)}
              {lang === "en" ? ": " : "："}
              <strong>{target.label ? pick(lang, target.label) : target.pointer}</strong>
            </p>
            {target.fields.map((field) => (
              <label key={field.name} className="quick-field">
                <span>{m(`field_${field.name}`)}</span>
                <input
                  type="text"
                  inputMode="decimal"
                  name={field.name}
                  data-testid={`quick-${field.name}`}
                  value={values[field.name] ?? ""}
                  onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
                />
              </label>
            ))}
            <button type="submit" data-testid="quick-apply">
              {m("quickApply")}
            </button>
            {quickMessage ? (
              <p className={`small ${quickMessage.ok ? "ok" : "error"}`} role={quickMessage.ok ? "status" : "alert"} data-testid="quick-message">
                {quickMessage.text}
              </p>
            ) : null}
          </form>
        )}
      </section>
    </>
  );
}
