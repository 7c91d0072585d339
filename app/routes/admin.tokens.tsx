/** Administrators issue, list and revoke department API tokens (docs/decisions/007-department-api.md). */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { createApiToken, getApiToken, isTokenScope, listApiTokens, revokeApiToken } from "../../db/tokens";
import { requestLang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { translateIn, useMessages } from "~/features/api-tokens/messages";
import { auditTime } from "~/features/audit/sentences";

/** The scopes of db/tokens.ts TOKEN_SCOPES, repeated here so the page does not pull server code into the browser. */
const SCOPES = ["evaluate", "rank", "read"] as const;

function requireAdministrator(request: Request) {
  const user = requireUser(request);
  if (!user.roles.includes("administrator")) {
    throw new Response(translateIn(requestLang(request), "forbidden"), { status: 403 });
  }
  return user;
}

export async function loader({ request }: LoaderFunctionArgs) {
  requireAdministrator(request);
  return { tokens: listApiTokens(getDb()) };
}

type ActionResult =
  | { kind: "created"; token: string; department: string }
  | { kind: "revoked"; id: number }
  | { kind: "alreadyRevoked"; id: number }
  | { kind: "unknownToken"; id: string }
  | { kind: "invalid" };

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireAdministrator(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "revoke") {
    const rawId = String(form.get("id") ?? "");
    const id = /^\d{1,15}$/.test(rawId) ? Number(rawId) : NaN;
    // Tokens are never deleted, so a token that is not found here never existed.
    if (Number.isNaN(id) || !getApiToken(getDb(), id)) return data<ActionResult>({ kind: "unknownToken", id: rawId.slice(0, 40) }, { status: 404 });
    if (!revokeApiToken(getDb(), id, user.id)) return data<ActionResult>({ kind: "alreadyRevoked", id }, { status: 409 });
    return data<ActionResult>({ kind: "revoked", id });
  }
  const name = String(form.get("name") ?? "").trim();
  const department = String(form.get("department") ?? "").trim();
  const scopes = form.getAll("scopes").map(String).filter(isTokenScope);
  if (!name || !department || scopes.length === 0) return data<ActionResult>({ kind: "invalid" }, { status: 400 });
  const { token } = createApiToken(getDb(), { name, department, scopes, createdBy: user.id });
  return data<ActionResult>({ kind: "created", token, department });
}

export default function AdminTokens() {
  const { tokens } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { m } = useMessages();
  return (
    <section>
      <h1>{m("title")}</h1>
      <p className="muted">{m("intro")}</p>
      <p>
        <a href="/api/v1/openapi.json">{m("docs")}</a>
      </p>
      {result?.kind === "created" ? (
        <div className="notice" role="status" data-testid="new-token">
          <p>{m("created", { department: result.department })}</p>
          <code data-testid="token-plaintext" style={{ userSelect: "all", wordBreak: "break-all" }}>
            {result.token}
          </code>
        </div>
      ) : null}
      {result?.kind === "revoked" ? (
        <p role="status" className="notice">
          {m("revokedDone", { id: result.id })}
        </p>
      ) : null}
      {result?.kind === "alreadyRevoked" ? (
        <p role="status" className="notice">
          {m("alreadyRevoked", { id: result.id })}
        </p>
      ) : null}
      {result?.kind === "unknownToken" ? (
        <p role="alert" className="error">
          {m("unknownToken", { id: result.id })}
        </p>
      ) : null}
      {result?.kind === "invalid" ? (
        <p role="alert" className="error">
          {m("needFields")}
        </p>
      ) : null}

      <h2>{m("createTitle")}</h2>
      <Form method="post" data-testid="create-token">
        <input type="hidden" name="intent" value="create" />
        <p>
          <label>
            {m("name")} <input name="name" required />
          </label>{" "}
          <label>
            {m("department")} <input name="department" required />
          </label>
        </p>
        <fieldset>
          <legend>{m("scopes")}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} style={{ display: "block" }}>
              <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === "evaluate"} /> {m(`scope_${scope}`)}
            </label>
          ))}
        </fieldset>
        <p>
          <button type="submit">{m("create")}</button>
        </p>
      </Form>

      <h2>{m("listTitle")}</h2>
      {tokens.length === 0 ? (
        <p>{m("none")}</p>
      ) : (
        <table className="grid" data-testid="tokens-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{m("name")}</th>
              <th>{m("department")}</th>
              <th>{m("scopes")}</th>
              <th>{m("colCreated")}</th>
              <th>{m("colLastUsed")}</th>
              <th>{m("colState")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-token-id={t.id}>
                <td>{t.id}</td>
                <td>{t.name}</td>
                <td>{t.department}</td>
                <td>{t.scopes.join(", ")}</td>
                <td>{auditTime(t.createdAt)}</td>
                <td>{t.lastUsedAt ? auditTime(t.lastUsedAt) : m("never")}</td>
                <td>{t.revokedAt ? m("revoked", { at: t.revokedAt.slice(0, 10) }) : m("active")}</td>
                <td>
                  {t.revokedAt ? null : (
                    <Form method="post">
                      <input type="hidden" name="intent" value="revoke" />
                      <input type="hidden" name="id" value={t.id} />
                      <button type="submit" data-testid={`revoke-${t.id}`}>
                        {m("revoke")}
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
