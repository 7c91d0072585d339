/**
 * Compare this version (as it is now) with another version of the standard or an earlier revision of this one: the
 * change list in the officer's words (by category and indicator, conditions as the official table reads them); the
 * engineer's view (Monaco's diff of the texts, the structural changes with JSON pointers) only on request
 * (`?view=json`), so it is not on the page otherwise.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { getRevisionDocument, getVersion, listRevisions, listStandards } from "../../db/standards";
import { diffDocuments, type DocumentDiff } from "../../engine/simulation/document-diff";
import type { StandardDocument } from "../../rules-schema/types";
import { JsonDiff } from "~/components/JsonDiff";
import { describeChanges } from "~/features/history/change-list";
import { historyMessages } from "~/features/history/messages";
import { editorMessages } from "~/features/editor/messages";
import { pick, requestLang, useT, type MessageKey } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { loadVersionOr404 } from "~/lib/versions.server";

function parse(text: string): StandardDocument | null {
  try {
    return JSON.parse(text) as StandardDocument;
  } catch {
    return null;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const db = getDb();
  const version = loadVersionOr404(params);
  const standard = listStandards(db).find((s) => s.id === version.standardId)!;
  const revisions = listRevisions(db, version.id);
  const others = standard.versions.filter((v) => v.id !== version.id);
  const url = new URL(request.url);
  // Default: the version this one was based on, else the published one, else the previous revision.
  const fallback = others.find((v) => v.status === "published") ?? others[0];
  const showJson = url.searchParams.get("view") === "json";
  const against = url.searchParams.get("against") ?? (fallback ? `v:${fallback.id}` : revisions[1] ? `r:${revisions[1].revision}` : `r:${version.revision}`);
  let leftText: string | undefined;
  let leftName = against;
  const [kind, rawId] = against.split(":");
  if (kind === "v") {
    const other = getVersion(db, Number(rawId));
    if (other && other.standardId === version.standardId) {
      leftText = other.document;
      leftName = other.versionLabel;
    }
  } else if (kind === "r") {
    leftText = getRevisionDocument(db, version.id, Number(rawId));
    leftName = `${version.versionLabel} #${rawId}`;
  }
  if (leftText === undefined) throw new Response("Unknown comparison", { status: 404 });
  const left = parse(leftText);
  const right = parse(version.document);
  const diff: DocumentDiff | null = left && right ? diffDocuments(left, right) : null;
  const labels = new Map<string, { zh: string; en: string }>();
  for (const doc of [left, right]) {
    if (!doc) continue;
    for (const section of ["facts", "categories", "items", "groups", "gates", "vetoes", "programs", "testCases"] as const) {
      for (const entry of (doc[section] ?? []) as Array<{ id: string; label?: { zh: string; en: string } }>) {
        if (entry.label) labels.set(`${section}/${entry.id}`, entry.label);
      }
    }
  }
  const changes = left && right && diff ? describeChanges(left, right, diff, requestLang(request)) : null;
  return {
    version: { id: version.id, standardId: version.standardId, versionLabel: version.versionLabel, status: version.status },
    changes,
    showJson,
    options: [
      ...others.map((v) => ({ value: `v:${v.id}`, kind: "version" as const, label: v.versionLabel, status: v.status })),
      ...revisions.map((r) => ({ value: `r:${r.revision}`, kind: "revision" as const, label: String(r.revision), status: "" })),
    ],
    against,
    leftName,
    // The texts and pointers go to the page only when the JSON view is asked for.
    leftText: showJson ? leftText : "",
    rightText: showJson ? version.document : "",
    diff: diff ? { ...diff, entries: showJson ? diff.entries.filter((e) => e.status !== "unchanged") : [], header: showJson ? diff.header : [] } : null,
    labels: showJson ? Object.fromEntries(labels) : {},
  };
}

function show(value: unknown): string {
  if (value === undefined) return "—";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** Up to two changes inline; more fold into a summary the reader can open. */
function FieldChanges({ changes }: { changes: Array<{ path: string; before?: unknown; after?: unknown }> }) {
  const { m } = historyMessages.useMessages();
  const rows = changes.map((c) => (
    <div key={c.path}>
      {c.path || "/"}: {show(c.before)} → {show(c.after)}
    </div>
  ));
  if (changes.length <= 2) return <>{rows}</>;
  return (
    <details>
      <summary>{m("fieldsChanged", { count: changes.length, first: changes[0].path || "/" })}</summary>
      {rows}
    </details>
  );
}

export default function Compare() {
  const { version, options, against, leftName, leftText, rightText, diff, labels, changes, showJson } = useLoaderData<typeof loader>();
  const { lang, t } = useT();
  const { m } = historyMessages.useMessages();
  const editor = editorMessages.useMessages();
  const base = `/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}`;
  const viewLink = (json: boolean) => `${base}/compare?${new URLSearchParams({ against, ...(json ? { view: "json" } : {}) }).toString()}`;
  return (
    <section>
      <p className="links-row">
        <Link to={base}>← {t("back")}</Link>
        <Link to={`${base}/history`}>{m("historyTitle")}</Link>
        <Link to={`${base}/review`}>{m("reviewPage")}</Link>
      </p>
      <h1>
        {m("compareTitle")}: {version.versionLabel}
      </h1>
      <Form method="get" className="toolbar">
        <label>
          {m("against")}{" "}
          <select name="against" defaultValue={against} data-testid="against">
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.kind === "version"
                  ? m("versionOption", { label: o.label, status: t(`status_${o.status}` as MessageKey) })
                  : m("revisionOption", { revision: o.label })}
              </option>
            ))}
          </select>
        </label>
        {showJson ? <input type="hidden" name="view" value="json" /> : null}
        <button type="submit">{m("show")}</button>
      </Form>
      <p className="muted small">
        {m("before", { name: leftName })} · {m("after", { name: version.versionLabel })}
      </p>

      <h2>{m("changeListTitle")}</h2>
      {!diff || !changes ? (
        <p className="notice">{m("notParsable")}</p>
      ) : changes.length === 0 ? (
        <p className="ok">{m("noChanges")}</p>
      ) : (
        <>
          <p className="muted" data-testid="diff-counts">
            {m("counts", { added: diff.counts.added, removed: diff.counts.removed, modified: diff.counts.modified, moved: diff.counts.moved })}
          </p>
          <div data-testid="change-list">
            {changes.map((group) => (
              <div key={group.key} className="change-group">
                <h3>{group.title}</h3>
                <table className="grid compact change-list">
                  <thead>
                    <tr>
                      <th className="col-subject">{m("entry")}</th>
                      <th className="col-change">{m("change")}</th>
                      <th>{m("whatChanged")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {group.rows.map((row) => (
                      <tr key={row.key} className={`diff-${row.status}`}>
                        <td className="col-subject">
                          {row.subject}
                          {row.pointer ? (
                            <>
                              {" "}
                              <Link to={`${base}?at=${encodeURIComponent(row.pointer)}`} className="small no-print" data-testid="change-edit">
                                {editor.m("openInEditor")}
                              </Link>
                            </>
                          ) : null}
                        </td>
                        <td className="col-change">{m(`status_${row.status}`)}</td>
                        <td>
                          {row.lines.length === 1 ? (
                            row.lines[0]
                          ) : (
                            <ul className="change-lines">
                              {row.lines.map((line, i) => (
                                <li key={i}>{line}</li>
                              ))}
                            </ul>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </div>
        </>
      )}

      <h2>{m("jsonTitle")}</h2>
      {!showJson ? (
        <p>
          <Link to={viewLink(true)} data-testid="show-json" preventScrollReset>
            {m("showJson")}
          </Link>{" "}
          <span className="muted small">{m("showJsonHint")}</span>
        </p>
      ) : (
        <>
          <p>
            <Link to={viewLink(false)} data-testid="hide-json" preventScrollReset>
              {m("hideJson")}
            </Link>
          </p>
          <JsonDiff original={leftText} modified={rightText} loadingText={t("editorLoading")} />
          {diff && (diff.entries.length > 0 || diff.header.length > 0) ? (
            <table className="grid compact" data-testid="structural-diff">
              <thead>
                <tr>
                  <th>{m("section")}</th>
                  <th>{m("entry")}</th>
                  <th className="col-change">{m("change")}</th>
                  <th>{m("fields")}</th>
                </tr>
              </thead>
              <tbody>
                {diff.header.length > 0 ? (
                  <tr>
                    <td>{m("header")}</td>
                    <td />
                    <td className="col-change">{m("status_modified")}</td>
                    <td className="mono small">
                      <FieldChanges changes={diff.header} />
                    </td>
                  </tr>
                ) : null}
                {diff.entries.map((e) => (
                  <tr key={`${e.section}/${e.id}/${e.beforeIndex ?? ""}/${e.afterIndex ?? ""}`} className={`diff-${e.status}`}>
                    <td className="mono">{e.section}</td>
                    <td>
                      <span className="mono">{e.id}</span> {labels[`${e.section}/${e.id}`] ? pick(lang, labels[`${e.section}/${e.id}`]) : ""}
                    </td>
                    <td className="col-change">{m(`status_${e.status}`)}</td>
                    <td className="mono small">
                      <FieldChanges changes={e.changes} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      )}
    </section>
  );
}
