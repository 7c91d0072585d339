/** Every simulation run, newest first, with its outcome in one line. */
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { useSimulationMessages } from "~/features/simulation/messages";
import { runListRows } from "~/features/simulation/run-list.server";
import { pick } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: cohortStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  requireUser(request);
  return { runs: runListRows(getDb(), 200) };
}

export default function Simulations() {
  const { runs } = useLoaderData<typeof loader>();
  const { m, lang } = useSimulationMessages();
  return (
    <section>
      <div className="page-head">
        <h1>{m("listTitle")}</h1>
        <div className="actions">
          <Link to="/simulations/new" className="button-link" data-testid="new-simulation">
            {m("newRun")}
          </Link>
        </div>
      </div>
      <p className="muted">{m("listIntro")}</p>
      {runs.length === 0 ? (
        <p>{m("noRuns")}</p>
      ) : (
        <table className="grid compact" data-testid="runs">
          <thead>
            <tr>
              <th>{m("colId")}</th>
              <th>{m("colStandard")}</th>
              <th>{m("colVersions")}</th>
              <th>{m("colCohort")}</th>
              <th>{m("colProgram")}</th>
              <th>{m("colOutcome")}</th>
              <th>{m("colWhen")}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-run={r.id}>
                <td>
                  <Link to={`/simulations/${r.id}`}>#{r.id}</Link>
                </td>
                <td>{pick(lang, r.standard)}</td>
                <td>{r.versions}</td>
                <td>{r.cohort}</td>
                <td>{pick(lang, r.program)}</td>
                <td>
                  {r.summary.admittedBefore !== undefined
                    ? m("outcomeShort", {
                        before: r.summary.admittedBefore,
                        after: r.summary.admittedAfter ?? 0,
                        entered: Number(r.summary.entered ?? 0),
                        left: Number(r.summary.left ?? 0),
                      })
                    : "—"}
                </td>
                <td>{r.at}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
