/**
 * The read view: a version of a standard as the familiar official table (分类, 指标, 条件, 分值, 上限, 依据), then
 * eligibility, vetoes, totals, programs, legal basis and notes, in sentences. Read-only, printable, for any status.
 * (`$versionId_` keeps this page out of the editor route's layout while sharing its URL prefix.)
 */
import { errorText, errorTitle } from "~/components/error-text";
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { createContext, useContext } from "react";
import type { Category, ScoringItem, StandardDocument } from "../../rules-schema/types";
import {
  describeAllocation,
  describeCap,
  describeCondition,
  describeDerived,
  describeItemNotes,
  describePersons,
  describeProgramTotal,
  describeTotalAdjustment,
  describeScoringRows,
  formatDate,
  pickText,
  programLabels,
  type DescribeContext,
} from "~/features/read-view/describe";
import { loadVersionDocument, type LoadedVersion } from "~/features/read-view/load-version.server";
import { useReadViewMessages } from "~/features/read-view/messages";
import { editorMessages } from "~/features/editor/messages";
import { useT, type MessageKey } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import readViewStyles from "~/features/read-view/read-view.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: readViewStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  return { version: loadVersionDocument(params) };
}

export default function ReadView() {
  const { version } = useLoaderData<typeof loader>();
  const { m, lang } = useReadViewMessages();
  const { t } = useT();
  const doc = version.document as StandardDocument | null;
  const base = `/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}`;
  return (
    <article className="read-view" data-testid="read-view">
      <nav className="read-view-actions no-print">
        <Link to="/standards">← {m("back")}</Link>
        <Link to={base}>{m("openEditor")}</Link>
        <Link to={`${base}/try`} data-testid="link-try">
          {m("tryApplicant")}
        </Link>
        {doc && version.errorCount === 0 ? (
          <>
            <a href={`${base}/table.docx?lang=${lang}`} data-testid="export-docx" download>
              {m("exportDocx")}
            </a>
            <a href={`${base}/table.xlsx?lang=${lang}`} data-testid="export-xlsx" download>
              {m("exportXlsx")}
            </a>
          </>
        ) : null}
        <button type="button" onClick={() => window.print()} data-testid="print">
          {m("print")}
        </button>
      </nav>
      {doc ? (
        <EditorBase.Provider value={base}>
          <StandardTable doc={doc} identity={version} statusText={t(`status_${version.status}` as MessageKey)} errorCount={version.errorCount} />
        </EditorBase.Provider>
      ) : (
        <p className="notice" role="alert">
          {m("invalidJson")}
        </p>
      )}
    </article>
  );
}

/** The version's editor, for the links from each row to its place in the text (`?at=<JSON pointer>`). */
const EditorBase = createContext("");

function EditLink({ pointer }: { pointer: string }) {
  const base = useContext(EditorBase);
  const { m } = editorMessages.useMessages();
  return (
    <Link to={`${base}?at=${encodeURIComponent(pointer)}`} className="edit-link no-print" data-testid="row-edit" title={m("openInEditor")}>
      {m("openInEditor")}
    </Link>
  );
}

/** A tier's or band's points, linking to that tier or band in the editor. */
function PartLink({ pointer, children }: { pointer: string; children: string }) {
  const base = useContext(EditorBase);
  const { m } = editorMessages.useMessages();
  return (
    <Link to={`${base}?at=${encodeURIComponent(pointer)}`} className="part-link" data-testid="part-edit" title={m("openInEditor")}>
      {children}
    </Link>
  );
}

type VersionIdentity = Pick<LoadedVersion, "versionLabel" | "status" | "effectiveFrom" | "effectiveTo" | "documentNumber" | "announcedOn">;

/** The head of the table reads the version's identity from the workflow (label, status, period, notice), never the document's own fields. */
function StandardTable({ doc, identity, statusText, errorCount }: { doc: StandardDocument; identity: VersionIdentity; statusText: string; errorCount: number }) {
  const { m, lang } = useReadViewMessages();
  const ctx: DescribeContext = { doc, lang };
  const effective = identity.effectiveFrom
    ? identity.effectiveTo
      ? m("effectiveFromTo", { from: formatDate(lang, identity.effectiveFrom), to: formatDate(lang, identity.effectiveTo) })
      : m("effectiveFromOpen", { from: formatDate(lang, identity.effectiveFrom) })
    : m("effectiveNotSet");
  const published = ["published", "superseded", "withdrawn"].includes(identity.status);
  return (
    <>
      <header className="read-view-head">
        <h1>{pickText(lang, doc.title)}</h1>
        <dl className="facts-line">
          <div>
            <dt>{m("jurisdiction")}</dt>
            <dd>{pickText(lang, doc.jurisdiction?.name)}</dd>
          </div>
          <div>
            <dt>{m("version")}</dt>
            <dd data-testid="version-label">{identity.versionLabel}</dd>
          </div>
          <div>
            <dt>{m("status")}</dt>
            <dd>
              <span className={`status status-${identity.status}`}>{statusText}</span>
            </dd>
          </div>
          <div>
            <dt>{m("effective")}</dt>
            <dd data-testid="effective">{effective}</dd>
          </div>
          <div>
            <dt>{m("documentNumber")}</dt>
            <dd data-testid="document-number">{identity.documentNumber ?? (published ? m("notRecorded") : m("notYetPublished"))}</dd>
          </div>
          <div>
            <dt>{m("announcedOn")}</dt>
            <dd data-testid="announced-on">
              {identity.announcedOn ? formatDate(lang, identity.announcedOn) : published ? m("notRecorded") : m("notYetPublished")}
            </dd>
          </div>
        </dl>
        {errorCount > 0 ? <p className="notice no-print">{m("hasProblems", { count: errorCount })}</p> : null}
      </header>

      <section className="read-section" data-testid="items-section">
        <h2>{m("sectionItems")}</h2>
        <ItemsTable ctx={ctx} />
      </section>

      {(doc.groups ?? []).length > 0 ? (
        <section className="read-section" data-testid="groups-section">
          <h2>{m("sectionGroups")}</h2>
          <ul>
            {(doc.groups ?? []).map((group) => {
              const members = group.members
                .map((id) => pickText(lang, doc.items.find((item) => item.id === id)?.label) || id)
                .map((label) => `“${label}”`)
                .join(lang === "en" ? ", " : "、");
              return (
                <li key={group.id}>
                  <strong>{pickText(lang, group.label)}</strong>
                  {lang === "en" ? ": " : "："}
                  {group.mode === "highestOnly" ? m("groupHighestOnly", { members }) : m("groupCap", { members, cap: group.cap ?? "" })}
                  {group.article ? <span className="muted"> （{group.article}）</span> : null}
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}

      <section className="read-section" data-testid="gates-section">
        <h2>{m("sectionGates")}</h2>
        {(doc.gates ?? []).length === 0 ? (
          <p>{m("noGates")}</p>
        ) : (
          <table className="grid official">
            <thead>
              <tr>
                <th>{m("colGate")}</th>
                <th>{m("colMustHold")}</th>
                <th>{m("colReason")}</th>
                <th>{m("colPrograms")}</th>
                <th>{m("colArticle")}</th>
              </tr>
            </thead>
            <tbody>
              {(doc.gates ?? []).map((gate) => (
                <tr key={gate.id} data-gate={gate.id}>
                  <td>
                    {pickText(lang, gate.label)} <EditLink pointer={`/gates/${(doc.gates ?? []).indexOf(gate)}`} />
                  </td>
                  <td>{describeCondition(ctx, gate.condition)}</td>
                  <td>{pickText(lang, gate.reason)}</td>
                  <td>{programLabels(ctx, gate.programs)}</td>
                  <td className="article">{gate.article ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="read-section" data-testid="vetoes-section">
        <h2>{m("sectionVetoes")}</h2>
        {(doc.vetoes ?? []).length === 0 ? (
          <p>{m("noVetoes")}</p>
        ) : (
          <table className="grid official">
            <thead>
              <tr>
                <th>{m("colVeto")}</th>
                <th>{m("colWhen")}</th>
                <th>{m("colConsequence")}</th>
                <th>{m("colPrograms")}</th>
                <th>{m("colArticle")}</th>
              </tr>
            </thead>
            <tbody>
              {(doc.vetoes ?? []).map((veto) => (
                <tr key={veto.id} data-veto={veto.id}>
                  <td>
                    {pickText(lang, veto.label)} <EditLink pointer={`/vetoes/${(doc.vetoes ?? []).indexOf(veto)}`} />
                  </td>
                  <td>{describeCondition(ctx, veto.condition)}</td>
                  <td>{pickText(lang, veto.reason)}</td>
                  <td>{programLabels(ctx, veto.programs)}</td>
                  <td className="article">{veto.article ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="read-section" data-testid="total-section">
        <h2>{m("sectionTotal")}</h2>
        <p>{m("totalRule")}</p>
        <p>{describeTotal(ctx, doc) || m("noTotalRule")}</p>
      </section>

      <section className="read-section" data-testid="programs-section">
        <h2>{m("sectionPrograms")}</h2>
        {doc.programs.map((program) => {
          const total = program.total ? describeProgramTotal(ctx, program, doc.total) : "";
          return (
            <div key={program.id} className="program-block" data-program={program.id}>
              <h3>
                {pickText(lang, program.label)}
                {program.article ? <span className="muted article"> （{program.article}）</span> : null}{" "}
                <EditLink pointer={`/programs/${doc.programs.indexOf(program)}`} />
              </h3>
              <ul>
                {program.persons ? <li data-testid="program-persons">{describePersons(ctx, program.persons)}</li> : null}
                {describeAllocation(ctx, program.allocation).map((line, i) => (
                  <li key={i}>{line}</li>
                ))}
                {program.evaluationCutoff ? (
                  <li>
                    {m("cutoff")}
                    {lang === "en" ? ": " : "："}
                    {[program.evaluationCutoff.date ? formatDate(lang, program.evaluationCutoff.date) : "", pickText(lang, program.evaluationCutoff.description)]
                      .filter(Boolean)
                      .join(lang === "en" ? "; " : "；")}
                  </li>
                ) : null}
                {total ? (
                  <li>
                    {m("programTotal")}
                    {lang === "en" ? ": " : "："}
                    {total}
                  </li>
                ) : null}
              </ul>
            </div>
          );
        })}
      </section>

      {(doc.derived ?? []).length > 0 ? (
        <section className="read-section" data-testid="derived-section">
          <h2>{m("sectionDerived")}</h2>
          <ul>
            {(doc.derived ?? []).map((derived) => (
              <li key={derived.id}>
                <strong>{pickText(lang, derived.label)}</strong>
                {lang === "en" ? ": " : "："}
                {describeDerived(ctx, derived)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="read-section" data-testid="legal-section">
        <h2>{m("sectionLegal")}</h2>
        <ul>
          {doc.legalBasis.map((basis, i) => (
            <li key={i}>
              <strong>{basis.documentNumber}</strong>
              {basis.title ? ` ${pickText(lang, basis.title)}` : ""}
              {basis.date ? <span className="muted">（{formatDate(lang, basis.date)}）</span> : null}
              {basis.url ? (
                <>
                  {" "}
                  <span className="mono small">{basis.url}</span>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      {(doc.notes ?? []).length > 0 ? (
        <section className="read-section" data-testid="notes-section">
          <h2>{m("sectionNotes")}</h2>
          <ol>
            {(doc.notes ?? []).map((note, i) => (
              <li key={note.id ?? i}>{pickText(lang, note.text)}</li>
            ))}
          </ol>
        </section>
      ) : null}
    </>
  );
}

function describeTotal(ctx: DescribeContext, doc: StandardDocument): string {
  const { lang } = ctx;
  const parts: string[] = (doc.total?.adjustments ?? []).map((adjustment) => `${describeTotalAdjustment(ctx, adjustment)}${lang === "en" ? "." : "。"}`);
  if (doc.total?.floor !== undefined) parts.push(lang === "en" ? `The total is never below ${doc.total.floor} points.` : `总分最低为${doc.total.floor}分（不出现负分）。`);
  if (doc.total?.cap !== undefined) parts.push(lang === "en" ? `The total is at most ${doc.total.cap} points.` : `总分最高为${doc.total.cap}分。`);
  return parts.join(" ");
}

function ItemsTable({ ctx }: { ctx: DescribeContext }) {
  const { m } = useReadViewMessages();
  const doc = ctx.doc as StandardDocument;
  return (
    <table className="grid official" data-testid="items-table">
      <thead>
        <tr>
          <th className="col-category">{m("colCategory")}</th>
          <th className="col-indicator">{m("colIndicator")}</th>
          <th>{m("colCondition")}</th>
          <th className="col-points">{m("colPoints")}</th>
          <th className="col-cap">{m("colCap")}</th>
          <th className="col-programs">{m("colPrograms")}</th>
          <th className="col-article">{m("colArticle")}</th>
        </tr>
      </thead>
      {doc.categories.map((category) => (
        <CategoryRows key={category.id} category={category} items={doc.items.filter((item) => item.category === category.id)} ctx={ctx} />
      ))}
    </table>
  );
}

function CategoryRows({ category, items, ctx }: { category: Category; items: ScoringItem[]; ctx: DescribeContext }) {
  const { m, lang } = useReadViewMessages();
  const rowsPerItem = items.map((item) => describeScoringRows(ctx, item));
  const categoryRowSpan = Math.max(1, rowsPerItem.reduce((sum, rows) => sum + Math.max(1, rows.length), 0));
  const categoryCell = (
    <th scope="rowgroup" rowSpan={categoryRowSpan} className="category-cell">
      <div>{pickText(lang, category.label)}</div>
      <div className="muted small">{m(`kind_${category.kind}`)}</div>
      {category.cap !== undefined ? <div className="small">{m("categoryCap", { cap: category.cap })}</div> : null}
    </th>
  );
  if (items.length === 0) {
    return (
      <tbody data-category={category.id}>
        <tr>
          {categoryCell}
          <td colSpan={6} className="muted">
            {m("noItems")}
          </td>
        </tr>
      </tbody>
    );
  }
  return (
    <tbody data-category={category.id}>
      {items.flatMap((item, itemIndex) => {
        const rows = rowsPerItem[itemIndex].length > 0 ? rowsPerItem[itemIndex] : [{ condition: "", points: "" }];
        const notes = describeItemNotes(ctx, item);
        return rows.map((row, rowIndex) => (
          <tr key={`${item.id}-${rowIndex}`} data-item={item.id}>
            {itemIndex === 0 && rowIndex === 0 ? categoryCell : null}
            {rowIndex === 0 ? (
              <td rowSpan={rows.length} className="indicator-cell">
                <div className="indicator-label">{pickText(lang, item.label)}</div>
                <EditLink pointer={`/items/${(ctx.doc.items ?? []).indexOf(item)}`} />
                {item.description ? <div className="small muted">{pickText(lang, item.description)}</div> : null}
                {notes.map((note, i) => (
                  <div key={i} className="small item-note">
                    ※ {note}
                  </div>
                ))}
              </td>
            ) : null}
            <td>{row.condition}</td>
            <td className="points-cell">
              {item.scoring.kind === "tiers" || item.scoring.kind === "bands" ? (
                <PartLink pointer={`/items/${(ctx.doc.items ?? []).indexOf(item)}/scoring/${item.scoring.kind}/${rowIndex}`}>{row.points}</PartLink>
              ) : (
                row.points
              )}
            </td>
            {rowIndex === 0 ? (
              <>
                <td rowSpan={rows.length}>{item.cap !== undefined ? describeCap(lang, item.cap) : "—"}</td>
                <td rowSpan={rows.length}>{programLabels(ctx, item.programs)}</td>
                <td rowSpan={rows.length} className="article">
                  {item.article ?? ""}
                </td>
              </>
            ) : null}
          </tr>
        ));
      })}
    </tbody>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { m, lang } = useReadViewMessages();
  return (
    <section>
      <p>
        <Link to="/standards">← {m("back")}</Link>
      </p>
      <p className="notice" role="alert">
        {isRouteErrorResponse(error) ? `${errorTitle(error.status, lang)} ${errorText(error, lang)}` : m("invalidJson")}
      </p>
    </section>
  );
}
