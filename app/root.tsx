import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLoaderData,
  useLocation,
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { langCookie, parseLang, requestLang, translate, type Lang } from "./i18n";
import { errorText, errorTitle } from "./components/error-text";
import { currentUser } from "./lib/auth.server";
import stylesHref from "./styles.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesHref }];

export async function loader({ request }: LoaderFunctionArgs) {
  const lang = requestLang(request);
  const user = currentUser(request);
  const headers = new Headers();
  if (parseLang(new URL(request.url).searchParams.get("lang"))) headers.append("Set-Cookie", langCookie(lang));
  return data({ lang, user: user ? { username: user.username, displayName: user.displayName, roles: user.roles } : null }, { headers });
}

type RootData = { lang: Lang; user: { username: string; displayName: string; roles: string[] } | null };

export function Layout({ children }: { children: React.ReactNode }) {
  const root = useRouteLoaderData("root") as RootData | undefined;
  const lang = root?.lang ?? "zh-CN";
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{translate(lang, "appName")}</title>
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/** What a route says about itself in its `handle`: a public page (no signed-in navigation), and the form its language switch re-submits. */
interface PageHandle {
  publicPage?: boolean;
  langForm?: string;
}

function usePageHandle(): { publicPage: boolean; langForm?: string } {
  const matches = useMatches();
  const handles = matches.map((match) => ({ handle: (match.handle ?? {}) as PageHandle, loaded: match.data !== undefined }));
  const publicPage = handles.some(({ handle }) => handle.publicPage === true);
  // A page that failed to load (its error page) has no form to re-submit.
  const langForm = handles.find(({ handle, loaded }) => handle.langForm && loaded)?.handle.langForm;
  return { publicPage, langForm };
}

function Header({ lang, user: signedIn }: RootData) {
  const location = useLocation();
  const { publicPage, langForm } = usePageHandle();
  // A public page shows no one's navigation or name, signed in or not.
  const user = publicPage ? null : signedIn;
  const other: Lang = lang === "en" ? "zh-CN" : "en";
  const params = new URLSearchParams(location.search);
  params.set("lang", other);
  const switchTo = `${location.pathname}?${params.toString()}`;
  return (
    <header className="topbar">
      {publicPage ? (
        <Link to="/estimate" className="brand">
          {translate(lang, "appName")}
        </Link>
      ) : (
        <Link to="/standards" className="brand">
          {translate(lang, "appName")}
        </Link>
      )}
      {user ? (
        <nav>
          <NavLink to="/standards">{translate(lang, "navStandards")}</NavLink>
          <NavLink to="/cohorts">{translate(lang, "navCohorts")}</NavLink>
          <NavLink to="/simulations">{translate(lang, "navSimulations")}</NavLink>
          <NavLink to="/rounds">{translate(lang, "navRounds")}</NavLink>
          {user.roles.includes("administrator") ? <NavLink to="/admin/tokens">{translate(lang, "navTokens")}</NavLink> : null}
          {user.roles.includes("administrator") ? <NavLink to="/admin/integrity">{translate(lang, "navIntegrity")}</NavLink> : null}
        </nav>
      ) : null}
      <div className="topbar-right">
        {langForm ? (
          // Re-submits the page's form in the other language, so that what was entered is kept.
          <button type="submit" form={langForm} formAction={switchTo} formMethod="post" name="intent" value="lang" className="link-button" lang={other} data-testid="switch-lang">
            {translate(lang, "switchLang")}
          </button>
        ) : (
          <a href={switchTo} hrefLang={other} data-testid="switch-lang">
            {translate(lang, "switchLang")}
          </a>
        )}
        {user ? (
          <Form method="post" action="/logout" className="inline">
            <span className="muted">
              {translate(lang, "signedInAs")}: {user.displayName}
            </span>{" "}
            <button type="submit" className="link-button">
              {translate(lang, "signOut")}
            </button>
          </Form>
        ) : null}
      </div>
    </header>
  );
}

export default function App() {
  const root = useLoaderData<typeof loader>() as RootData;
  return (
    <>
      <Header {...root} />
      <main className="page">
        <Outlet />
      </main>
    </>
  );
}

/**
 * Error pages keep the layout (the navigation) and speak the UI's language. Unknown addresses reach the splat route
 * (`$.tsx`), so the root loader has run and knows the language and the user; only if the root loader itself failed is
 * the page said in both languages, Chinese first. No stack trace is shown.
 */
export function ErrorBoundary() {
  const error = useRouteError();
  const root = useRouteLoaderData("root") as RootData | undefined;
  const langs: Lang[] = root ? [root.lang] : ["zh-CN", "en"];
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <>
      {root ? <Header {...root} /> : null}
      <main className="page" data-testid="error-page" data-status={status}>
        {langs.map((lang) => (
          <section key={lang} lang={lang}>
            <h1>{errorTitle(status, lang)}</h1>
            <p>{isRouteErrorResponse(error) ? errorText(error, lang) : translate(lang, "errorHint")}</p>
            <p>
              <Link to="/standards">{translate(lang, "back")}</Link>
            </p>
          </section>
        ))}
      </main>
    </>
  );
}
