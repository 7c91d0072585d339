/** Past cohorts: every imported set of applicants, with a link to browse it and to simulate on it. */
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listCohorts } from "../../db/cohorts";
import { listStandards } from "../../db/standards";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { useCohortMessages } from "~/features/cohorts/messages";
import { pick } from "~/i18n";
import { hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { auditTime } from "~/features/audit/sentences";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: cohortStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const db = getDb();
  const titles = Object.fromEntries(listStandards(db).map((s) => [s.id, s.title]));
  return {
    cohorts: listCohorts(db).map((c) => ({ ...c, standardTitle: c.standardId ? (titles[c.standardId] ?? null) : null })),
    canUpload: hasRole(user, "drafter"),
  };
}

export default function Cohorts() {
  const { cohorts, canUpload } = useLoaderData<typeof loader>();
  const { lang, m } = useCohortMessages();
  return (
    <section>
      <div className="page-head">
        <h1>{m("listTitle")}</h1>
        <div className="actions">
          {canUpload ? (
            <Link to="/cohorts/new" className="button-link" data-testid="upload-link">
              {m("upload")}
            </Link>
          ) : null}
        </div>
      </div>
      <p className="muted">{m("listIntro")}</p>
      {cohorts.length === 0 ? (
        <p>{m("noCohorts")}</p>
      ) : (
        <table className="grid" data-testid="cohorts-table">
          <thead>
            <tr>
              <th>{m("colName")}</th>
              <th>{m("colStandard")}</th>
              <th>{m("colRows")}</th>
              <th>{m("colFormat")}</th>
              <th>{m("colCreated")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {cohorts.map((c) => (
              <tr key={c.id} data-cohort={c.id}>
                <td>
                  <Link to={`/cohorts/${c.id}`}>{c.name}</Link>
                  {c.description ? <div className="muted small">{c.description}</div> : null}
                </td>
                <td>{c.standardTitle ? pick(lang, c.standardTitle) : (c.standardId ?? "—")}</td>
                <td data-testid="row-count">{c.rowCount.toLocaleString(lang)}</td>
                <td>{m(`format_${c.sourceFormat}` as "format_csv")}</td>
                <td>{auditTime(c.createdAt)}</td>
                <td className="links">
                  <Link to={`/cohorts/${c.id}`}>{m("browse")}</Link>{" "}
                  {c.standardId ? <Link to={`/simulations/new?standard=${encodeURIComponent(c.standardId)}&cohort=${c.id}`}>{m("simulate")}</Link> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
