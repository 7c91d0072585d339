/**
 * Administrators see whether the audit trail and the logged decisions are intact: each hash chain's length, head and
 * first broken entry, and the published documents against their recorded hashes (docs/decisions/017-tamper-evident-logs.md).
 */
import { type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigation } from "@remix-run/react";
import { pick, requestLang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { lastIntegrityReport, runIntegrityCheck } from "~/features/integrity/check.server";
import { translateIn, useMessages } from "~/features/integrity/messages";
import { auditTime } from "~/features/audit/sentences";

function requireAdministrator(request: Request) {
  const user = requireUser(request);
  if (!user.roles.includes("administrator")) {
    throw new Response(translateIn(requestLang(request), "forbidden"), { status: 403 });
  }
  return user;
}

async function check() {
  try {
    return { report: lastIntegrityReport() ?? (await runIntegrityCheck(getDb())), failure: null };
  } catch (error) {
    console.error("integrity check failed", error);
    return { report: null, failure: error instanceof Error ? error.message : String(error) };
  }
}

export async function loader({ request }: LoaderFunctionArgs) {
  requireAdministrator(request);
  return check();
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  requireAdministrator(request);
  try {
    await runIntegrityCheck(getDb());
  } catch (error) {
    console.error("integrity check failed", error);
  }
  return null;
}

export default function AdminIntegrity() {
  const { report, failure } = useLoaderData<typeof loader>();
  const { m, lang } = useMessages();
  const busy = useNavigation().state !== "idle";
  return (
    <section>
      <h1>{m("title")}</h1>
      <p className="muted">{m("intro")}</p>
      {failure !== null ? (
        <p role="alert" className="error">
          {m("failed", { reason: failure })}
        </p>
      ) : null}
      {report ? (
        <>
          <p role="status" className={report.intact ? "ok" : "error"} data-testid="integrity-state" data-intact={report.intact}>
            <strong>{report.chained ? m(report.intact ? "intact" : "broken") : m("notChained")}</strong>{" "}
            <span className="muted">{m("checkedAt", { at: auditTime(report.checkedAt) })}</span>
          </p>
          <table className="grid" data-testid="integrity-table">
            <thead>
              <tr>
                <th>{m("colRecords")}</th>
                <th>{m("colRows")}</th>
                <th>{m("colHead")}</th>
                <th>{m("colState")}</th>
              </tr>
            </thead>
            <tbody>
              {report.chains.map((chain) => (
                <tr key={chain.table} data-chain={chain.table} className={chain.intact ? undefined : "error"}>
                  <td>{pick(lang, chain.name)}</td>
                  <td>{chain.rows}</td>
                  <td>
                    <code style={{ wordBreak: "break-all" }}>{chain.head}</code>
                  </td>
                  <td className={chain.intact ? "ok" : "error"}>{chain.firstBreak ? pick(lang, chain.firstBreak.message) : m("stateIntact")}</td>
                </tr>
              ))}
              {report.chained ? (
                <tr data-chain="documents" className={report.documents.intact ? undefined : "error"}>
                  <td>{m("documents")}</td>
                  <td>{report.documents.checked}</td>
                  <td />
                  <td className={report.documents.intact ? "ok" : "error"}>
                    {report.documents.firstBreak ? pick(lang, report.documents.firstBreak.message) : m("documentsIntact")}
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </>
      ) : null}
      <Form method="post">
        <p>
          <button type="submit" disabled={busy} data-testid="check-again">
            {m("checkAgain")}
          </button>
        </p>
      </Form>
    </section>
  );
}
