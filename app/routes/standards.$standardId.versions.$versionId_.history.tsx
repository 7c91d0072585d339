/** A version's revisions: who saved what when; compare any with the current content; restore one into the draft. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { getRevisionDocument, listRevisions, saveDraftDocument } from "../../db/standards";
import { historyMessages } from "~/features/history/messages";
import { pick, requestLang, useT } from "~/i18n";
import { EngineerDetails } from "~/components/EngineerDetails";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { loadVersionOr404 } from "~/lib/versions.server";
import { auditTime } from "~/features/audit/sentences";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const version = loadVersionOr404(params);
  let title: { zh: string; en: string } | undefined;
  try {
    title = (JSON.parse(version.document) as { title?: { zh: string; en: string } }).title;
  } catch {
    // A draft saved with broken JSON: its history still lists, under the standard's code.
  }
  return {
    version: { id: version.id, standardId: version.standardId, title, versionLabel: version.versionLabel, status: version.status, revision: version.revision, contentHash: version.contentHash },
    revisions: listRevisions(getDb(), version.id),
    canRestore: version.status === "draft" && hasRole(user, "drafter"),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const version = loadVersionOr404(params);
  const { translateIn } = historyMessages;
  if (!hasRole(user, "drafter")) throw new Response("Forbidden", { status: 403 });
  const form = await request.formData();
  const from = Number(form.get("revision"));
  const baseRevision = Number(form.get("baseRevision"));
  const text = getRevisionDocument(getDb(), version.id, from);
  if (text === undefined) throw new Response("Not found", { status: 404 });
  const result = saveDraftDocument(getDb(), { versionId: version.id, baseRevision, documentText: text, document: JSON.parse(text), userId: user.id });
  switch (result.kind) {
    case "saved":
      return data({ ok: true, message: translateIn(lang, "restored", { from, revision: result.revision }) });
    case "unchanged":
      return data({ ok: true, message: translateIn(lang, "restoreUnchanged", { from, revision: result.revision }) });
    case "conflict":
      return data({ ok: false, message: translateIn(lang, "restoreConflict", { current: result.currentRevision }) }, { status: 409 });
    default:
      return data({ ok: false, message: translateIn(lang, "restoreNotEditable") }, { status: 409 });
  }
}

export default function History() {
  const { version, revisions, canRestore } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, lang } = useT();
  const { m } = historyMessages.useMessages();
  const base = `/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}`;
  return (
    <section>
      <p className="links-row">
        <Link to={base}>← {t("back")}</Link>
        <Link to={`${base}/compare`}>{m("compareTitle")}</Link>
      </p>
      <h1>
        {m("historyTitle")}: {version.title ? pick(lang, version.title) : version.standardId} · {version.versionLabel}
      </h1>
      {result ? (
        <p className={result.ok ? "ok" : "error"} role={result.ok ? "status" : "alert"} data-testid="restore-result">
          {result.message}
        </p>
      ) : null}
      <table className="grid compact" data-testid="revisions">
        <thead>
          <tr>
            <th>{m("revision")}</th>
            <th>{m("savedBy")}</th>
            <th>{m("savedAt")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {revisions.map((r) => (
            <tr key={r.revision} data-revision={r.revision}>
              <td>
                {r.revision} {r.revision === version.revision ? <span className="badge">{m("current")}</span> : null}
              </td>
              <td>{r.savedBy ?? "—"}</td>
              <td>{auditTime(r.savedAt)}</td>
              <td className="links">
                {r.revision !== version.revision ? (
                  <>
                    <Link to={`${base}/compare?against=r:${r.revision}`}>{m("compareWithCurrent")}</Link>
                    {canRestore ? (
                      <Form method="post" className="inline">
                        <input type="hidden" name="revision" value={r.revision} />
                        <input type="hidden" name="baseRevision" value={version.revision} />
                        <button type="submit" className="link-button" data-testid={`restore-${r.revision}`}>
                          {m("restore")}
                        </button>
                      </Form>
                    ) : null}
                  </>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <EngineerDetails standardId={version.standardId} versionId={version.id} contentHash={version.contentHash} />
    </section>
  );
}
