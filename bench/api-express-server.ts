/**
 * Bench-only server: the production server of server/main.ts with the department API mounted directly on Express
 * (`mountApi`, ahead of compression and Remix), so bench/api-load.ts can measure both mounts. Same environment
 * variables as server/main.ts; prints the same "Jifen is running at" line.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { openDatabase } from "../db/connection";
import { migrateDatabase } from "../db/migrate";
import { seedIfEmpty } from "../db/seed";
import { readServerEnv } from "../app/lib/env.server";
import { mountApi } from "../app/api/express.server";

const env = readServerEnv();
const buildDir = resolve(process.env.JIFEN_BUILD_DIR ?? "build");
const serverBuildPath = resolve(buildDir, "server", "index.js");
if (!existsSync(serverBuildPath)) {
  console.error("No build found. Run `npm run build` first.");
  process.exit(1);
}
const db = openDatabase(env.databaseUrl);
migrateDatabase(db);
await seedIfEmpty(db);
db.$client.close();

const build = (await import(pathToFileURL(serverBuildPath).href)) as ServerBuild;
const app = express();
app.disable("x-powered-by");
mountApi(app);
app.use(compression());
app.use("/assets", express.static(resolve(buildDir, "client", "assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(resolve(buildDir, "client"), { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: "production" }));
const server = app.listen(env.port, env.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.port;
  console.log(`Jifen is running at http://${env.host}:${port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
