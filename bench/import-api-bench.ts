/**
 * The department API's latency while a large cohort is imported (issue 19): starts the production server (needs a
 * build), measures single evaluations over real HTTP at a steady pace (`connections` connections, each sending one
 * request every `intervalMs`) for a few seconds without an import, then the same while a CSV of `size` generated
 * applicants is uploaded through /cohorts/upload as the upload screen sends it, until the import is answered.
 * Reports the import's wall time (upload start to answer) and the p99 and maximum latency with and without it.
 *
 * Run alone: `npx tsx bench/import-api-bench.ts [size]` (one JSON object); bench/run.ts calls `benchImportUnderApi`.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../db/connection";
import { createApiToken } from "../db/tokens";
import { generateCohort } from "../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../rules-schema/types";
import { percentile, postRequest, RawHttpConnection, startBenchServer } from "./api-load";
import { writeBenchCsv } from "./import-bench";

export interface ImportUnderApiFigures {
  rows: number;
  csvMB: number;
  /** From the first byte of the upload to the answer (upload, reading and checking, storing). */
  importMs: number;
  /** Single evaluations offered per second (connections × 1000 / intervalMs at most). */
  apiConnections: number;
  apiIntervalMs: number;
  apiP99Ms: number;
  apiMaxMs: number;
  apiRequests: number;
  apiP99WithoutImportMs: number;
  apiMaxWithoutImportMs: number;
  apiRequestsWithoutImport: number;
}

const root = fileURLToPath(new URL("../", import.meta.url));

/** Paced single evaluations until `until` resolves (or for `seconds`): latencies in ms. */
async function paced(connections: RawHttpConnection[], requests: Buffer[], intervalMs: number, until: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let stop = false;
  void until.finally(() => (stop = true));
  let k = 0;
  await Promise.all(
    connections.map(async (connection, c) => {
      // Connections start spread over the interval, not all at once.
      await new Promise((r) => setTimeout(r, (intervalMs * c) / connections.length));
      let next = performance.now();
      while (!stop) {
        const t0 = performance.now();
        await connection.send(requests[k++ % requests.length]);
        latencies.push(performance.now() - t0);
        next += intervalMs;
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else next = performance.now();
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ username: "drafter", password: "jifen-demo", redirectTo: "/cohorts" }),
    headers: { Origin: url },
    redirect: "manual",
  });
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  if (!cookie.includes("=")) throw new Error(`sign-in failed: HTTP ${response.status}`);
  return cookie;
}

/** Sends the file as the upload screen does (raw body, declared length) and resolves with the answer. */
function upload(url: string, cookie: string, path: string): Promise<{ status: number; body: string }> {
  const size = statSync(path).size;
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/cohorts/upload?standardId=suzhou&format=csv&name=bench`, {
      method: "POST",
      headers: { Origin: url, Cookie: cookie, "Content-Type": "application/octet-stream", "Content-Length": String(size) },
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    createReadStream(path).pipe(req);
  });
}

export async function benchImportUnderApi(opts: { size?: number; connections?: number; intervalMs?: number; quietSeconds?: number } = {}): Promise<ImportUnderApiFigures> {
  const size = opts.size ?? 1_000_000;
  const connectionCount = opts.connections ?? 4;
  const intervalMs = opts.intervalMs ?? 10;
  const doc = JSON.parse(readFileSync(join(root, "rules-schema/examples/suzhou-2015.json"), "utf8")) as StandardDocument;
  const dir = mkdtempSync(join(tmpdir(), "jifen-import-api-"));
  const csvPath = join(dir, "cohort.csv");
  const bytes = await writeBenchCsv(doc, size, csvPath);
  const server = await startBenchServer({ API_RATE_PER_SECOND: "1000000", JIFEN_SEED_COHORT_SIZE: "0" });
  try {
    const db = openDatabase(server.databaseUrl);
    const token = createApiToken(db, { name: "bench", department: "bench", scopes: ["evaluate"] }).token;
    db.$client.close();
    const cookie = await signIn(server.url);
    const requests = generateCohort(doc, 1_000, "import-api-bench").map((facts) =>
      postRequest(server.port, token, "/api/v1/standards/suzhou/evaluate", JSON.stringify({ program: "settlement", date: "2016-05-15", facts })),
    );
    const connections = Array.from({ length: connectionCount }, () => new RawHttpConnection(server.port));
    try {
      // Warm-up, then the latency without an import.
      await paced(connections, requests, intervalMs, new Promise((r) => setTimeout(r, 1000)));
      const quiet = await paced(connections, requests, intervalMs, new Promise((r) => setTimeout(r, (opts.quietSeconds ?? 5) * 1000)));
      const started = performance.now();
      const answer = upload(server.url, cookie, csvPath);
      const during = await paced(connections, requests, intervalMs, answer);
      const { status, body } = await answer;
      const importMs = performance.now() - started;
      const result = JSON.parse(body) as { ok?: boolean; rowCount?: number };
      if (status !== 200 || !result.ok) throw new Error(`import failed: HTTP ${status} ${body.slice(0, 300)}`);
      const ms = (value: number) => Math.round(value * 100) / 100;
      return {
        rows: result.rowCount ?? 0,
        csvMB: Math.round(bytes / 1e5) / 10,
        importMs: Math.round(importMs),
        apiConnections: connectionCount,
        apiIntervalMs: intervalMs,
        apiP99Ms: ms(percentile(during, 99)),
        apiMaxMs: ms(during[during.length - 1]),
        apiRequests: during.length,
        apiP99WithoutImportMs: ms(percentile(quiet, 99)),
        apiMaxWithoutImportMs: ms(quiet[quiet.length - 1]),
        apiRequestsWithoutImport: quiet.length,
      };
    } finally {
      connections.forEach((c) => c.close());
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const size = Number(process.argv[2] ?? 1_000_000);
  benchImportUnderApi({ size }).then((f) => console.log(JSON.stringify(f)));
}
