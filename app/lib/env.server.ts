/** The server's environment, read and checked once at start-up. */
export interface ServerEnv {
  host: string;
  port: number;
  databaseUrl: string;
  /**
   * Which reverse proxies to believe about the client (X-Forwarded-For, -Proto, -Host), in Express's "trust proxy"
   * syntax: addresses or subnets (`10.0.0.1, 10.0.0.0/8`), `loopback`, or a number of hops. Unset: none.
   */
  trustProxy: string | number | undefined;
  /** `auto`: session cookies are `Secure` when the request came over HTTPS (directly or from a trusted proxy); `always`. */
  cookieSecure: "auto" | "always";
}

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535 (got "${env.PORT}")`);
  }
  const trustText = env.TRUST_PROXY?.trim() || undefined;
  const cookieSecure = (env.COOKIE_SECURE?.trim() || "auto").toLowerCase();
  if (cookieSecure !== "auto" && cookieSecure !== "always") {
    throw new Error(`COOKIE_SECURE must be "auto" or "always" (got "${env.COOKIE_SECURE}")`);
  }
  if (trustText === "true") {
    throw new Error('TRUST_PROXY=true would believe any client\'s X-Forwarded-For; name the proxy\'s address (or "loopback") instead');
  }
  return {
    host: env.HOST?.trim() || "127.0.0.1",
    port,
    databaseUrl: env.DATABASE_URL?.trim() || "./data/jifen.sqlite",
    trustProxy: trustText && /^\d+$/.test(trustText) ? Number(trustText) : trustText,
    cookieSecure,
  };
}
