import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { useT } from "~/i18n";
import { assertSameOrigin, clientAddress, currentUser, safeRedirect, startSession } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { attemptSignIn } from "~/lib/sign-in.server";

export async function loader({ request }: LoaderFunctionArgs) {
  if (currentUser(request)) return redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  return null;
}

/** A refused sign-in's Retry-After reaches the page's response too (Remix applies action headers only through this). */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const headers = new Headers();
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};

type SignInFailure = { error: "badCredentials" } | { error: "throttled"; retryAfterSeconds: number };

export async function action({ request, context }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const outcome = await attemptSignIn(getDb(), {
    username: String(form.get("username") ?? "").trim(),
    password: String(form.get("password") ?? ""),
    address: clientAddress(context),
  });
  if (outcome.kind === "throttled") {
    return data<SignInFailure>(
      { error: "throttled", retryAfterSeconds: outcome.retryAfterSeconds },
      { status: 429, headers: { "Retry-After": String(outcome.retryAfterSeconds) } },
    );
  }
  if (outcome.kind === "badCredentials") return data<SignInFailure>({ error: "badCredentials" }, { status: 401 });
  return redirect(safeRedirect(String(form.get("redirectTo") ?? "")), { headers: { "Set-Cookie": startSession(request, outcome.user.id) } });
}

/** A wait in whole minutes and seconds, as a person says it. */
function waitWords(seconds: number, lang: string): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (lang === "en") {
    const parts = [minutes ? `${minutes} minute${minutes === 1 ? "" : "s"}` : "", rest ? `${rest} second${rest === 1 ? "" : "s"}` : ""];
    return parts.filter(Boolean).join(" ");
  }
  return `${minutes ? `${minutes} 分` : ""}${rest ? `${rest} 秒` : minutes ? "钟" : ""}`;
}

export default function Login() {
  const { t, lang } = useT();
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
        {result?.error === "badCredentials" ? (
          <p className="error" role="alert">
            {t("badCredentials")}
          </p>
        ) : null}
        {result?.error === "throttled" ? (
          <p className="error" role="alert" data-testid="sign-in-throttled">
            {t("signInThrottled", { wait: waitWords(result.retryAfterSeconds, lang) })}
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
