/** Sign-in sessions: a random id in an HttpOnly cookie, looked up in the sessions table; sessions expire. */
import { redirect } from "@remix-run/node";
import { createSession, deleteSession, getSessionUser, type Role, type UserRecord } from "../../db/users";
import { parseLang } from "../i18n";
import { getDb } from "./db.server";

const SESSION_COOKIE = "jifen_session";
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

function sessionId(request: Request): string | undefined {
  const cookie = request.headers.get("Cookie") ?? "";
  return cookie.match(new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`))?.[1];
}

export function currentUser(request: Request): UserRecord | null {
  const id = sessionId(request);
  return id ? getSessionUser(getDb(), id, new Date()) : null;
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

export function startSession(userId: number): string {
  const { id } = createSession(getDb(), userId, new Date(), SESSION_TTL_MS);
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`;
}

export function endSession(request: Request): string {
  const id = sessionId(request);
  if (id) deleteSession(getDb(), id);
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

/**
 * Refuses a state-changing request that did not come from this site's own pages (CSRF): browsers send Origin
 * on POST; a request whose Origin is another site's is rejected. The session cookie is also SameSite=Lax.
 */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get("Origin");
  if (!origin) return;
  const host = request.headers.get("Host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new Response("Bad Origin", { status: 403 });
  }
  if (originHost !== host) throw new Response("Cross-site request refused", { status: 403 });
}

/** Only same-site relative paths may be redirect targets after sign-in. */
export function safeRedirect(target: string | null | undefined, fallback = "/standards"): string {
  if (!target || !target.startsWith("/") || target.startsWith("//")) return fallback;
  return target;
}
