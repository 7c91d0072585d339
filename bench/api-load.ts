/**
 * Load test of the department API on loopback: single evaluations per second and their p99 latency, batch
 * applicants per second and the p99 latency of a batch request. Starts the production server on an existing build
 * (JIFEN_BUILD_DIR, default build/) with a fresh database, issues a token, and fires concurrent requests over
 * keep-alive connections with node:http (fetch's own per-request cost was the bottleneck: the server sat half idle).
 * The load generator shares the machine's cores with the server.
 *
 * `tsx bench/api-load.ts [--seconds 5]` prints one JSON object.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../db/connection";
import { createApiToken } from "../db/tokens";
import { generateCohort } from "../engine/cohort-generate";
import type { StandardDocument } from "../rules-schema/types";

export interface ApiBenchOptions {
  /** The production server (server/start.mjs), which mounts the API on Express ahead of Remix. */
  mount?: "production";
  /** Seconds per measurement (default 5). */
  seconds?: number;
  /** Concurrent connections for single evaluations (default 16). */
  singleConnections?: number;
  /** Concurrent connections for batches (default 2) and applicants per batch (default 5,000). */
  batchConnections?: number;
  batchSize?: number;
}

export interface ApiBenchFigures {
  mount: "production";
  singlePerSecond: number;
  singleP99Ms: number;
  batchApplicantsPerSecond: number;
  batchP99Ms: number;
  batchSize: number;
}

export const API_TARGETS = { singlePerSecond: 5_000, batchApplicantsPerSecond: 200_000 };

const root = fileURLToPath(new URL("../", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

async function startBenchServer(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "jifen-apibench-"));
  const databaseUrl = join(dir, "jifen.sqlite");
  const port = await freePort();
  const args = ["server/start.mjs"];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: databaseUrl, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    child.stdout!.on("data", (c: Buffer) => {
      output += c.toString();
      if (output.includes("Jifen is running at")) {
        clearTimeout(timer);
        resolveStart();
      }
    });
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Poster {
  post(path: string, body: string): Promise<void>;
  close(): void;
}

/** POSTs over a pool of keep-alive connections; any status but 200 is an error. */
function poster(baseUrl: string, token: string, connections: number): Poster {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    post(path, body) {
      return new Promise((resolvePost, reject) => {
        const req = httpRequest(
          {
            agent,
            host: url.hostname,
            port: url.port,
            method: "POST",
            path,
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
              else resolvePost();
            });
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs `connections` loops, each sending requests one after another, for `seconds`; returns count and latencies. */
async function drive(seconds: number, connections: number, send: (k: number) => Promise<void>) {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let counter = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await send(counter++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, elapsed, p99: percentile(latencies, 99) };
}

export async function benchApi(opts: ApiBenchOptions = {}): Promise<ApiBenchFigures> {
  const mount = opts.mount ?? "production";
  const seconds = opts.seconds ?? 5;
  const batchSize = opts.batchSize ?? 5_000;
  const doc = JSON.parse(readFileSync(join(root, "rules-schema/examples/suzhou-2015.json"), "utf8")) as StandardDocument;
  const program = "settlement";
  const date = "2016-05-15";
  const server = await startBenchServer({ API_RATE_PER_SECOND: "1000000" });
  try {
    const db = openDatabase(server.databaseUrl);
    const token = createApiToken(db, { name: "bench", department: "bench", scopes: ["evaluate"] }).token;
    db.$client.close();
    const singleConnections = opts.singleConnections ?? 16;
    const batchConnections = opts.batchConnections ?? 2;
    const client = poster(server.url, token, Math.max(singleConnections, batchConnections));
    const pool = generateCohort(doc, 1_000, "api-bench");
    const singleBodies = pool.map((facts) => JSON.stringify({ program, date, facts }));
    const evaluatePath = "/api/v1/standards/suzhou/evaluate";
    // Warm-up: compiles the program and lets the JIT settle.
    await drive(1, 4, (k) => client.post(evaluatePath, singleBodies[k % singleBodies.length]));
    const single = await drive(seconds, singleConnections, (k) => client.post(evaluatePath, singleBodies[k % singleBodies.length]));

    const cohort = generateCohort(doc, batchSize, "api-bench-batch");
    const batchBody = JSON.stringify({ program, date, applicants: cohort.map((facts, i) => ({ id: `B${i}`, facts })) });
    const batchPath = "/api/v1/standards/suzhou/evaluate/batch";
    await client.post(batchPath, batchBody);
    const batch = await drive(seconds, batchConnections, () => client.post(batchPath, batchBody));
    client.close();
    return {
      mount,
      singlePerSecond: Math.round(single.requests / single.elapsed),
      singleP99Ms: Math.round(single.p99 * 100) / 100,
      batchApplicantsPerSecond: Math.round((batch.requests * batchSize) / batch.elapsed),
      batchP99Ms: Math.round(batch.p99),
      batchSize,
    };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const figures = await benchApi({
    seconds: value("--seconds") ? Number(value("--seconds")) : undefined,
    batchSize: value("--batch-size") ? Number(value("--batch-size")) : undefined,
  });
  process.stdout.write(JSON.stringify({ ...figures, targets: API_TARGETS }) + "\n");
}
