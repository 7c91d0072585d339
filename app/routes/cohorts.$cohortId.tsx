/** Browse one cohort: its applicants page by page, with masked identity numbers and the facts under their labels. */
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { countApplicants, getCohort, listApplicants } from "../../db/cohorts";
import { listStandards } from "../../db/standards";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { cohortText, useCohortMessages } from "~/features/cohorts/messages";
import { factChoices, standardFacts, type FactChoice } from "~/features/cohorts/standard-facts.server";
import { pick, requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { auditTime } from "~/features/audit/sentences";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: cohortStyles }];

const PAGE_SIZE = 50;

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const db = getDb();
  const id = Number(params.cohortId);
  const cohort = Number.isInteger(id) ? getCohort(db, id) : undefined;
  if (!cohort) throw new Response(cohortText(requestLang(request), "notFound"), { status: 404 });
  const total = countApplicants(db, id);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(pages, Math.max(1, Number(new URL(request.url).searchParams.get("page")) || 1));
  const applicants = listApplicants(db, id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const facts = cohort.standardId ? factChoices(standardFacts(db, cohort.standardId) ?? []) : [];
  // Only the facts this page's applicants have (a cohort seldom holds every fact of every version), in dictionary order.
  const present = new Set(applicants.flatMap((a) => Object.keys(a.facts)));
  const columns: FactChoice[] = [
    ...facts.filter((f) => present.has(f.id)),
    ...[...present].filter((k) => !facts.some((f) => f.id === k)).map((k) => ({ id: k, type: "string" as const, label: { zh: k, en: k } })),
  ];
  const standard = listStandards(db).find((s) => s.id === cohort.standardId);
  return { cohort, standardTitle: standard?.title ?? null, total, page, pages, applicants, columns };
}

function cellText(fact: FactChoice, value: unknown, lang: "zh-CN" | "en", m: ReturnType<typeof useCohortMessages>["m"]): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return m("records", { count: value.length });
  if (typeof value === "boolean") return value ? m("yes") : m("no");
  if (fact.values) {
    const label = fact.values.find((v) => v.value === value)?.label;
    if (label) return pick(lang, label);
  }
  return String(value);
}

export default function CohortApplicants() {
  const { cohort, standardTitle, total, page, pages, applicants, columns } = useLoaderData<typeof loader>();
  const { lang, m } = useCohortMessages();
  return (
    <section>
      <p>
        <Link to="/cohorts">← {m("back")}</Link>
      </p>
      <div className="page-head">
        <h1>{m("browseTitle", { name: cohort.name })}</h1>
        <div className="actions">
          {cohort.standardId ? (
            <Link className="button-link" to={`/simulations/new?standard=${encodeURIComponent(cohort.standardId)}&cohort=${cohort.id}`}>
              {m("simulate")}
            </Link>
          ) : null}
        </div>
      </div>
      <p className="muted" data-testid="cohort-meta" data-total={total}>
        {m("browseMeta", {
          rows: total.toLocaleString(lang),
          standard: standardTitle ? pick(lang, standardTitle) : (cohort.standardId ?? "—"),
          format: m(`format_${cohort.sourceFormat}` as "format_csv"),
          created: auditTime(cohort.createdAt),
        })}
      </p>
      {cohort.description ? <p>{cohort.description}</p> : null}
      <div className="table-scroll">
        <table className="grid compact" data-testid="applicants">
          <thead>
            <tr>
              <th>#</th>
              <th>{m("colRef")}</th>
              <th>{m("colIdMasked")}</th>
              {columns.map((f) => (
                <th key={f.id} title={f.id}>
                  {pick(lang, f.label)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {applicants.map((a) => (
              <tr key={a.rowNo} data-ref={a.applicantRef}>
                <td>{a.rowNo}</td>
                <td className="mono">{a.applicantRef}</td>
                <td className="mono">{a.idMasked ?? ""}</td>
                {columns.map((f) => (
                  <td key={f.id}>{cellText(f, a.facts[f.id], lang, m)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager" data-testid="pager">
        {page > 1 ? <Link to={`?page=${page - 1}`}>← {m("previous")}</Link> : <span className="muted">← {m("previous")}</span>}
        <span>{m("pageOf", { page, pages })}</span>
        {page < pages ? (
          <Link to={`?page=${page + 1}`} data-testid="next-page">
            {m("next")} →
          </Link>
        ) : (
          <span className="muted">{m("next")} →</span>
        )}
      </div>
    </section>
  );
}
