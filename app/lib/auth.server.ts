/**
 * Sign-in sessions: a random value in an HttpOnly cookie, looked up in the sessions table by its SHA-256 (only the
 * hash is stored); sessions expire. `Secure` when the request came over HTTPS (COOKIE_SECURE; decision 019).
 */
import { redirect, type AppLoadContext } from "@remix-run/node";
import { createSession, deleteSession, getSessionUser, type Role, type UserRecord } from "../../db/users";
import { parseLang } from "../i18n";
import { CROSS_SITE_REFUSED, isCrossSiteRequest } from "./csrf.server";
import { getDb } from "./db.server";
import { readServerEnv } from "./env.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The client's address as the production server sees it (X-Forwarded-For only from a trusted proxy). */
    clientAddress?: string;
  }
}

const SESSION_COOKIE = "jifen_session";
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

function sessionCookieValue(request: Request): string | undefined {
  const cookie = request.headers.get("Cookie") ?? "";
  return cookie.match(new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`))?.[1];
}

export function currentUser(request: Request): UserRecord | null {
  const value = sessionCookieValue(request);
  return value ? getSessionUser(getDb(), value, new Date()) : null;
}

/**
 * The signed-in user, or a redirect to the sign-in page that comes back here afterwards. A `?lang=` on the page
 * asked for goes to the sign-in page too: the redirect is answered before the language cookie could be set, so an
 * English link opened signed out would otherwise ask for the password in Chinese.
 */
export function requireUser(request: Request): UserRecord {
  const user = currentUser(request);
  if (!user) {
    const url = new URL(request.url);
    const lang = parseLang(url.searchParams.get("lang"));
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}${lang ? `&lang=${lang}` : ""}`);
  }
  return user;
}

export function hasRole(user: UserRecord, role: Role): boolean {
  return user.roles.includes(role) || user.roles.includes("administrator");
}

let cookieSecure: "auto" | "always" | undefined;

/**
 * `; Secure` when the browser reached the site over HTTPS. Behind a TLS-terminating proxy the request's URL says
 * https only if the proxy is trusted (TRUST_PROXY) and sends X-Forwarded-Proto; COOKIE_SECURE=always sets it anyway.
 */
function secureAttribute(request: Request): string {
  cookieSecure ??= readServerEnv().cookieSecure;
  return cookieSecure === "always" || new URL(request.url).protocol === "https:" ? "; Secure" : "";
}

export function startSession(request: Request, userId: number): string {
  const { cookieValue } = createSession(getDb(), userId, new Date(), SESSION_TTL_MS);
  return `${SESSION_COOKIE}=${cookieValue}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}${secureAttribute(request)}`;
}

export function endSession(request: Request): string {
  const value = sessionCookieValue(request);
  if (value) deleteSession(getDb(), value);
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secureAttribute(request)}`;
}

/** The client's address for throttling and the audit log ("unknown" where the server gives none, e.g. `remix dev`). */
export function clientAddress(context: AppLoadContext | undefined): string {
  return context?.clientAddress || "unknown";
}

/**
 * Refuses a state-changing request that did not come from this site's own pages (CSRF; csrf.server.ts). The
 * production server refuses these before Remix too; this keeps every action safe however it is served.
 */
export function assertSameOrigin(request: Request): void {
  const crossSite = isCrossSiteRequest({
    method: request.method,
    pathname: new URL(request.url).pathname,
    origin: request.headers.get("Origin"),
    secFetchSite: request.headers.get("Sec-Fetch-Site"),
    ownHosts: [request.headers.get("Host"), new URL(request.url).host],
  });
  if (crossSite) throw new Response(CROSS_SITE_REFUSED, { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * A redirect target after sign-in: a path on this site, or the fallback. Browsers read `\` as `/` and drop tabs and
 * newlines, so `/\evil.example` and `/\t/evil.example` would leave the site: backslashes and control characters are
 * refused outright, and whatever remains must resolve to this origin.
 */
export function safeRedirect(target: string | null | undefined, fallback = "/standards"): string {
  // eslint-disable-next-line no-control-regex
  if (!target || !target.startsWith("/") || /[\\\u0000-\u001f\u007f]/.test(target)) return fallback;
  const base = "http://jifen.invalid";
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return url.pathname + url.search + url.hash;
}
