/**
 * The production server: applies the committed migrations to the SQLite database named by DATABASE_URL
 * (created if missing), seeds demo content into an empty database, then serves the Remix build on HOST:PORT.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { discardUnfinishedCohorts } from "../db/cohorts";
import { databasePath, openDatabase } from "../db/connection";
import { migrateDatabase } from "../db/migrate";
import { DEMO_PASSWORD, DEMO_USERS, seedIfEmpty } from "./seed";
import { isApiPath, serveApi } from "../app/api/node-http.server";
import { startBatchWorkers } from "../app/api/handlers.server";
import { readServerEnv } from "../app/lib/env.server";
import { CROSS_SITE_REFUSED, isCrossSiteRequest } from "../app/lib/csrf.server";

const env = readServerEnv();
const buildDir = resolve(process.env.JIFEN_BUILD_DIR ?? "build");
const serverBuildPath = resolve(buildDir, "server", "index.js");
if (!existsSync(serverBuildPath)) {
  console.error("No build found. Run `npm run build` first (`npm start` builds and starts).");
  process.exit(1);
}

const db = openDatabase(env.databaseUrl);
migrateDatabase(db);
// A cohort whose import was cut off by a crash was never shown; its rows go now (decision 020).
const discarded = await discardUnfinishedCohorts(db);
if (discarded > 0) console.log(`Removed ${discarded} cohort import(s) left unfinished by a stop.`);
const seeded = await seedIfEmpty(db);
db.$client.close();

const build = (await import(pathToFileURL(serverBuildPath).href)) as ServerBuild;
const app = express();
app.disable("x-powered-by");
if (env.trustProxy !== undefined) app.set("trust proxy", env.trustProxy);
// A path with a malformed %-escape (`/%E0%A4%A`, `/%zz`) can match no page: a plain 400, before a static-file or
// Remix handler tries to decode it (Express answered with a page showing a stack trace and file paths).
app.use((req, res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    res.status(400).type("text/plain; charset=utf-8").send("请求地址无效（% 转义格式错误）。Bad request: the address has a malformed % escape.");
    return;
  }
  next();
});
// CSRF: a state-changing request not shown to come from this site's own pages is refused here with a clear 403
// (Remix would abort it with a 500). The API is exempt: it authenticates with bearer tokens, not cookies.
app.use((req, res, next) => {
  const crossSite = isCrossSiteRequest({
    method: req.method,
    pathname: req.path,
    origin: req.get("origin"),
    secFetchSite: req.get("sec-fetch-site"),
    ownHosts: [req.get("host"), env.trustProxy !== undefined ? req.get("x-forwarded-host") : undefined],
  });
  if (!crossSite) return next();
  res.status(403).type("text/plain; charset=utf-8").send(CROSS_SITE_REFUSED);
});
app.use(compression());
app.use("/assets", express.static(resolve(buildDir, "client", "assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(resolve(buildDir, "client"), { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: "production", getLoadContext: (req) => ({ clientAddress: req.ip }) }));
// Whatever a handler above throws is answered without its stack trace or a file path (Express's default page shows
// them outside production mode).
app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
  if (res.headersSent) return next(error);
  const status = (error as { status?: unknown }).status;
  const clientError = typeof status === "number" && status >= 400 && status < 500;
  if (!clientError) console.error("Request failed", error);
  res
    .status(clientError ? status : 500)
    .type("text/plain; charset=utf-8")
    .send(clientError ? "请求无效。Bad request." : "服务器内部错误。Internal server error.");
});

// The department API is answered by its plain handlers before Express: the same handlers as app/routes/api.v1.$.ts,
// without Express's or Remix's per-request work (see docs/decisions/007-department-api.md).
// The batch workers load before the server listens: loading them costs a second or two of CPU, which would
// otherwise fall on the first requests (until a worker is ready, batches are evaluated on this thread).
const batchWorkersStarted = performance.now();
const batchWorkers = await startBatchWorkers();
const batchWorkersMs = Math.round(performance.now() - batchWorkersStarted);

const server = createServer((req, res) => (isApiPath(req.url) ? serveApi(req, res) : app(req, res)));
server.listen(env.port, env.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.port;
  const url = `http://${env.host.includes(":") ? `[${env.host}]` : env.host}:${port}`;
  console.log(`Jifen is running at ${url}`);
  console.log(`Database: ${databasePath(env.databaseUrl)}`);
  if (batchWorkers) console.log(`Batch workers ready (${batchWorkersMs} ms).`);
  if (seeded.users > 0 || seeded.standards.length > 0) {
    const cohorts = seeded.cohorts.map((c) => `${c.rows} applicants`).join(", ");
    console.log(
      `Seeded ${seeded.users} demo users, ${seeded.standards.length} standards (${seeded.standards.join(", ")})` +
        (cohorts ? `, a synthetic past cohort (${cohorts}) and ${seeded.runs} simulation run.` : "."),
    );
  }
  console.log(`Sign in as ${DEMO_USERS.map((u) => u.username).join(" / ")} with password "${DEMO_PASSWORD}".`);
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
