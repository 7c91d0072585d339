import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { verifyCredentials } from "../../db/users";
import { useT } from "~/i18n";
import { assertSameOrigin, currentUser, safeRedirect, startSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if (currentUser(request)) return redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const username = String(form.get("username") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const user = username && password ? await verifyCredentials(getDb(), username, password) : null;
  if (!user) return data({ error: "badCredentials" as const }, { status: 401 });
  return redirect(safeRedirect(String(form.get("redirectTo") ?? "")), { headers: { "Set-Cookie": startSession(user.id) } });
}

export default function Login() {
  const { t } = useT();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="card narrow">
      <h1>{t("signIn")}</h1>
      <Form method="post" className="stack">
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/standards"} />
        <label>
          {t("username")}
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          {t("password")}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {result?.error ? (
          <p className="error" role="alert">
            {t(result.error)}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {t("signIn")}
        </button>
      </Form>
      <p className="muted small">{t("demoHint")}</p>
    </section>
  );
}
