/** The server's environment, read and checked once at start-up. */
export interface ServerEnv {
  host: string;
  port: number;
  databaseUrl: string;
}

export function readServerEnv(env: NodeJS.ProcessEnv = process.env): ServerEnv {
  const port = env.PORT ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535 (got "${env.PORT}")`);
  }
  return {
    host: env.HOST?.trim() || "127.0.0.1",
    port,
    databaseUrl: env.DATABASE_URL?.trim() || "./data/jifen.sqlite",
  };
}
