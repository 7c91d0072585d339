/** Every application round, newest first, with its status. */
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getCohort } from "../../db/cohorts";
import { getNotice, listRounds, mayRunRounds } from "../../db/rounds";
import { listStandards } from "../../db/standards";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { useRoundMessages } from "~/features/rounds/messages";
import { roundProgramLabel } from "~/features/rounds/rounds.server";
import { pick } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: cohortStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const db = getDb();
  const titles = new Map(listStandards(db).map((s) => [s.id, s.title]));
  return {
    allowed: mayRunRounds(user),
    rounds: listRounds(db).map((r) => ({
      id: r.id,
      name: r.name,
      standard: titles.get(r.standardId) ?? { zh: r.standardId, en: r.standardId },
      program: roundProgramLabel(db, r),
      cutoffDate: r.cutoffDate,
      status: r.status,
      noticed: getNotice(db, r.id) !== undefined,
      applicants: r.cohortId !== null ? (getCohort(db, r.cohortId)?.rowCount ?? null) : null,
    })),
  };
}

export default function Rounds() {
  const { rounds, allowed } = useLoaderData<typeof loader>();
  const { lang, m } = useRoundMessages();
  return (
    <section>
      <div className="page-head">
        <h1>{m("listTitle")}</h1>
        {allowed ? (
          <div className="actions">
            <Link to="/rounds/new" className="button-link" data-testid="new-round">
              {m("newRound")}
            </Link>
          </div>
        ) : null}
      </div>
      <p className="muted">{m("listIntro")}</p>
      {rounds.length === 0 ? (
        <p>{m("noRounds")}</p>
      ) : (
        <table className="grid compact" data-testid="rounds">
          <thead>
            <tr>
              <th>{m("colName")}</th>
              <th>{m("colStandard")}</th>
              <th>{m("colProgram")}</th>
              <th>{m("colCutoff")}</th>
              <th>{m("colApplicants")}</th>
              <th>{m("colStatus")}</th>
            </tr>
          </thead>
          <tbody>
            {rounds.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/rounds/${r.id}`}>{r.name}</Link>
                </td>
                <td>{pick(lang, r.standard)}</td>
                <td>{pick(lang, r.program)}</td>
                <td>{r.cutoffDate}</td>
                <td>{r.applicants ?? "—"}</td>
                <td>{r.noticed ? m("statusNoticed") : m(`status_${r.status}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
