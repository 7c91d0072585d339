/**
 * Cross-site request forgery: a state-changing request (any method but GET and HEAD, outside the bearer-token API)
 * is accepted only when the browser says it came from this site's own pages: an `Origin` naming this host, or, where
 * a browser sends no Origin, `Sec-Fetch-Site: same-origin`. Anything else is refused, a foreign `Referer` included.
 * Used by the production server for every request and by each action (docs/decisions/019-sign-in-and-isolation.md).
 */

export interface RequestOriginFacts {
  method: string;
  pathname: string;
  origin: string | null | undefined;
  secFetchSite: string | null | undefined;
  /** The hosts (`name[:port]`) this site answers as for this request: the Host header, and a trusted proxy's. */
  ownHosts: ReadonlyArray<string | null | undefined>;
}

export const CROSS_SITE_REFUSED = "拒绝跨站请求：此操作只能从本站页面提交。Cross-site request refused: this action can only be submitted from this site's own pages.";

/** Whether the request must be refused as cross-site. */
export function isCrossSiteRequest(facts: RequestOriginFacts): boolean {
  const method = facts.method.toUpperCase();
  if (method === "GET" || method === "HEAD" || facts.pathname.startsWith("/api/")) return false;
  if (facts.origin) {
    let host: string;
    try {
      host = new URL(facts.origin).host;
    } catch {
      return true; // "null" (sandboxed frames, some redirects) and anything unparsable
    }
    return !facts.ownHosts.some((own) => own && own.toLowerCase() === host.toLowerCase());
  }
  return facts.secFetchSite !== "same-origin";
}
