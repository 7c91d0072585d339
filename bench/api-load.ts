/**
 * Load test of the department API on loopback: single evaluations per second and their p99 latency, batch
 * applicants per second and the p99 latency of a batch request. Starts the production server on an existing build
 * (JIFEN_BUILD_DIR, default build/) with a fresh database, issues a token, and fires concurrent requests over
 * keep-alive connections with node:http (fetch's own per-request cost was the bottleneck: the server sat half idle).
 * The load generator shares the machine's cores with the server.
 *
 * Besides requests per second it reports CPU time per request (server: from /proc/<pid>/stat; client: this
 * process's `process.cpuUsage()`), which stays meaningful when other work shares the cores and wall-clock figures
 * do not.
 *
 * `tsx bench/api-load.ts [--seconds 5] [--batch-size 5000] [--log-rows N] [--server-cpu-prof DIR] [--only single|batch]
 * [--single-connections 64] [--batch-connections 2]` prints one JSON object; `--log-rows` puts N decisions in the log
 * first (a log in service is large, and inserting into a large table costs more); `--server-cpu-prof` writes the
 * server's V8 CPU profiles (node --cpu-prof, one per thread) into DIR when it stops. `BENCH_ECHO=1` shows what the
 * server prints.
 *
 * Phases: single evaluations over 64 connections, then over 16; object-form batches; table-form batches; then
 * singles over 16 connections and table-form batches at once.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { openDatabase, type JifenDb } from "../db/connection";
import { recordDecisions, type NewDecision } from "../db/decisions";
import { createApiToken } from "../db/tokens";
import { generateCohort } from "../engine/cohorts/cohort-generate";
import { canonicalJson } from "../rules-schema/canonical";
import type { StandardDocument } from "../rules-schema/types";

export interface ApiBenchOptions {
  /** The production server (server/start.mjs), which mounts the API on Express ahead of Remix. */
  mount?: "production";
  /** Seconds per measurement (default 5). */
  seconds?: number;
  /**
   * Concurrent connections for single evaluations (default 64: enough to keep the server busy, as a department's
   * connection pool would). The same is also measured with 16 (`singleFew…`), where latency rather than capacity
   * limits the rate.
   */
  singleConnections?: number;
  /** Concurrent connections for batches (default 2) and applicants per batch (default 5,000). */
  batchConnections?: number;
  batchSize?: number;
  /** Folder for the server's V8 CPU profile (`node --cpu-prof`), written when it stops. */
  serverCpuProfileDir?: string;
  /** Decisions already in the log before measuring (default 0): a log in service holds millions. */
  logRows?: number;
  /** Measure only single evaluations or only batches (default both), e.g. to profile one of them. */
  only?: "single" | "batch";
}

export interface ApiBenchFigures {
  mount: "production";
  singlePerSecond: number;
  singleP99Ms: number;
  singleConnections: number;
  /** Single evaluations over 16 connections. */
  singleFewPerSecond: number;
  singleFewP99Ms: number;
  singleFewConnections: number;
  batchApplicantsPerSecond: number;
  batchP99Ms: number;
  batchSize: number;
  /** CPU time (user + system) per single evaluation, in the server process and in the load generator, in µs. */
  singleServerCpuUs: number | null;
  singleClientCpuUs: number;
  /** CPU time per applicant of a batch, in µs. */
  batchServerCpuUsPerApplicant: number | null;
  batchClientCpuUsPerApplicant: number;
  /** The same batches in the table form (`columns` + `rows`). */
  tableBatchApplicantsPerSecond: number;
  tableBatchP99Ms: number;
  tableBatchServerCpuUsPerApplicant: number | null;
  tableBatchClientCpuUsPerApplicant: number;
  /**
   * Both at once: single evaluations over 16 connections while table-form batches run over their 2, as when a
   * department scores a cohort while others score applicants one by one (null when `only` leaves either out).
   */
  mixedSinglePerSecond: number | null;
  mixedSingleP99Ms: number | null;
  mixedTableBatchApplicantsPerSecond: number | null;
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

/** CPU seconds (user + system) used so far by a process, from /proc (Linux); null elsewhere. */
function processCpuSeconds(pid: number | undefined): number | null {
  const path = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(path)) return null;
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is 14th, stime 15th.
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function startBenchServer(env: Record<string, string>, nodeArgs: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "jifen-apibench-"));
  const databaseUrl = join(dir, "jifen.sqlite");
  const port = await freePort();
  const args = [...nodeArgs, "server/start.mjs"];
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
      if (process.env.BENCH_ECHO) process.stderr.write(c);
      if (output.includes("Jifen is running at")) {
        clearTimeout(timer);
        resolveStart();
      }
    });
    child.stderr!.on("data", (c: Buffer) => {
      output += c.toString();
      if (process.env.BENCH_ECHO) process.stderr.write(c);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    databaseUrl,
    cpuSeconds: () => processCpuSeconds(child.pid),
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

/**
 * A minimal HTTP/1.1 client: one keep-alive connection, one request in flight, requests serialised in advance
 * (request line, headers and body as one buffer). node:http's client cost ~300 µs of CPU per request here, more
 * than the server spent answering, on the same two cores; this costs a few µs. Responses are framed by their
 * Content-Length; any status but 200 is an error, and every `verifyEvery`-th body is parsed and checked.
 */
export class RawHttpConnection {
  private readonly socket: Socket;
  private chunks: Buffer[] = [];
  private received = 0;
  private waiting: { resolve: (body: Buffer) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(port: number) {
    this.socket = connect({ host: "127.0.0.1", port, noDelay: true });
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    const fail = (error: Error) => {
      this.failure = error;
      this.waiting?.reject(error);
      this.waiting = undefined;
    };
    this.socket.on("error", fail);
    this.socket.on("close", () => fail(new Error("connection closed by the server")));
  }

  send(request: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const headerEnd = data.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const head = data.toString("latin1", 0, headerEnd);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) return this.finish(new Error(`response without Content-Length:\n${head}`));
    const total = headerEnd + 4 + Number(length[1]);
    if (this.received < total) {
      this.chunks = [data];
      return;
    }
    if (this.received > total) return this.finish(new Error("more bytes than one response: the server sent something unasked"));
    const body = data.subarray(headerEnd + 4);
    const status = head.slice(9, 12);
    this.chunks = [];
    this.received = 0;
    if (status !== "200") return this.finish(new Error(`HTTP ${status}: ${body.toString("utf8", 0, 300)}`));
    this.finish(undefined, body);
  }

  private finish(error: Error | undefined, body?: Buffer): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (error) waiting?.reject(error);
    else waiting?.resolve(body!);
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.destroy();
  }
}

/** One POST serialised in advance: request line, headers and body. */
export function postRequest(port: number, token: string, path: string, body: string): Buffer {
  const bytes = Buffer.from(body, "utf8");
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), bytes]);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs one loop per connection, each sending requests one after another, for `seconds`; returns count and latencies. */
async function drive(seconds: number, connections: RawHttpConnection[], send: (connection: RawHttpConnection, k: number) => Promise<void>) {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let counter = 0;
  const start = performance.now();
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await send(connection, counter++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, elapsed, p99: percentile(latencies, 99) };
}

/** Fills the decision log with `rows` single decisions shaped like the bench's own (same sizes, distinct hashes). */
function prefillDecisionLog(db: JifenDb, doc: StandardDocument, rows: number, program: string, date: string): void {
  const version = db.$client.prepare("select id, content_hash as hash from standard_versions where standard_id = ? and status = 'published'").get(doc.id) as {
    id: number;
    hash: string;
  };
  const inputs = generateCohort(doc, 1_000, "api-bench-log").map((facts) => canonicalJson({ facts, program, date }));
  const output = JSON.stringify({ categories: {}, eligible: true, failedGates: [], items: {}, total: 0, vetoed: false }).padEnd(300);
  for (let done = 0; done < rows; ) {
    const chunk: NewDecision[] = [];
    for (; chunk.length < 10_000 && done < rows; done++) {
      const input = inputs[done % inputs.length];
      const inputHash = createHash("sha256").update(`${done}:${input}`).digest("hex");
      chunk.push({ tokenId: null, standardId: doc.id, versionId: version.id, versionHash: version.hash, programId: program, evaluationDate: date, inputHash, input, output });
    }
    recordDecisions(db, chunk);
  }
}

export async function benchApi(opts: ApiBenchOptions = {}): Promise<ApiBenchFigures> {
  const mount = opts.mount ?? "production";
  const seconds = opts.seconds ?? 5;
  const batchSize = opts.batchSize ?? 5_000;
  const doc = JSON.parse(readFileSync(join(root, "rules-schema/examples/suzhou-2015.json"), "utf8")) as StandardDocument;
  const program = "settlement";
  const date = "2016-05-15";
  const nodeArgs = opts.serverCpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.serverCpuProfileDir}`] : [];
  const server = await startBenchServer({ API_RATE_PER_SECOND: "1000000" }, nodeArgs);
  /** Runs a measurement and the CPU time it cost the server and this process. */
  const measured = async <T>(run: () => Promise<T>) => {
    const server0 = server.cpuSeconds();
    const client0 = process.cpuUsage();
    const result = await run();
    const server1 = server.cpuSeconds();
    const client = process.cpuUsage(client0);
    return { result, serverCpuS: server0 === null || server1 === null ? null : server1 - server0, clientCpuS: (client.user + client.system) / 1e6 };
  };
  const perUnit = (seconds: number | null, units: number) => (seconds === null ? null : Math.round((seconds / units) * 1e7) / 10);
  try {
    const db = openDatabase(server.databaseUrl);
    const token = createApiToken(db, { name: "bench", department: "bench", scopes: ["evaluate"] }).token;
    if (opts.logRows) prefillDecisionLog(db, doc, opts.logRows, program, date);
    db.$client.close();
    const singleConnections = opts.singleConnections ?? 64;
    const singleFewConnections = 16;
    const batchConnections = opts.batchConnections ?? 2;
    const connections = (n: number) => Array.from({ length: n }, () => new RawHttpConnection(server.port));
    const pool = generateCohort(doc, 1_000, "api-bench");
    const evaluatePath = "/api/v1/standards/suzhou/evaluate";
    const singleRequests = pool.map((facts) => postRequest(server.port, token, evaluatePath, JSON.stringify({ program, date, facts })));
    let checked = 0;
    /** Every 97th answer is parsed and must carry a decision id and a score: the figures are for real answers. */
    const check = (body: Buffer, k: number, field: string) => {
      if (k % 97 !== 0) return;
      const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      if (parsed[field] === undefined) throw new Error(`answer without ${field}: ${body.toString("utf8", 0, 300)}`);
      checked++;
    };
    const sendSingle = async (connection: RawHttpConnection, k: number) => check(await connection.send(singleRequests[k % singleRequests.length]), k, "decisionId");
    // Warm-up: compiles the program and lets the JIT settle.
    const warm = connections(4);
    await drive(1, warm, sendSingle);
    warm.forEach((c) => c.close());
    /** A measurement left out with `only`: its figures come out as NaN (null in JSON). */
    const skipped = { result: { requests: 0, elapsed: NaN, p99: NaN }, serverCpuS: NaN, clientCpuS: NaN };
    const singleClients = connections(opts.only === "batch" ? 0 : singleConnections);
    const singleRun = opts.only === "batch" ? skipped : await measured(() => drive(seconds, singleClients, sendSingle));
    const single = singleRun.result;
    singleClients.forEach((c) => c.close());
    const fewClients = connections(opts.only === "batch" ? 0 : singleFewConnections);
    const few = opts.only === "batch" ? skipped.result : (await measured(() => drive(seconds, fewClients, sendSingle))).result;
    fewClients.forEach((c) => c.close());

    const cohort = generateCohort(doc, batchSize, "api-bench-batch");
    const batchPath = "/api/v1/standards/suzhou/evaluate/batch";
    const batchRequest = postRequest(
      server.port,
      token,
      batchPath,
      JSON.stringify({ program, date, applicants: cohort.map((facts, i) => ({ id: `B${i}`, facts })) }),
    );
    const factIds = doc.facts.map((f) => f.id);
    const tableRequest = postRequest(
      server.port,
      token,
      batchPath,
      JSON.stringify({ program, date, columns: ["id", ...factIds], rows: cohort.map((facts, i) => [`B${i}`, ...factIds.map((id) => facts[id] ?? null)]) }),
    );
    const batchClients = connections(opts.only === "single" ? 0 : batchConnections);
    const sendBatch = async (connection: RawHttpConnection, k: number) => check(await connection.send(batchRequest), k, "results");
    const sendTable = async (connection: RawHttpConnection, k: number) => check(await connection.send(tableRequest), k, "rows");
    // One batch per connection first: each batch worker compiles the program and warms up, as in service.
    if (opts.only !== "single") await Promise.all(batchClients.map((c, k) => sendBatch(c, k)));
    const batchRun = opts.only === "single" ? skipped : await measured(() => drive(seconds, batchClients, sendBatch));
    const batch = batchRun.result;
    if (opts.only !== "single") await Promise.all(batchClients.map((c, k) => sendTable(c, k)));
    const tableRun = opts.only === "single" ? skipped : await measured(() => drive(seconds, batchClients, sendTable));
    const table = tableRun.result;
    let mixed: { single: { requests: number; elapsed: number; p99: number }; table: { requests: number; elapsed: number } } | undefined;
    if (opts.only === undefined) {
      const mixedSingles = connections(singleFewConnections);
      const [mixedSingle, mixedTable] = await Promise.all([drive(seconds, mixedSingles, sendSingle), drive(seconds, batchClients, sendTable)]);
      mixedSingles.forEach((c) => c.close());
      mixed = { single: mixedSingle, table: mixedTable };
    }
    batchClients.forEach((c) => c.close());
    if (checked === 0) throw new Error("no answer was checked");
    return {
      mount,
      singlePerSecond: Math.round(single.requests / single.elapsed),
      singleP99Ms: Math.round(single.p99 * 100) / 100,
      singleConnections,
      singleFewPerSecond: Math.round(few.requests / few.elapsed),
      singleFewP99Ms: Math.round(few.p99 * 100) / 100,
      singleFewConnections,
      batchApplicantsPerSecond: Math.round((batch.requests * batchSize) / batch.elapsed),
      batchP99Ms: Math.round(batch.p99),
      batchSize,
      singleServerCpuUs: perUnit(singleRun.serverCpuS, single.requests),
      singleClientCpuUs: perUnit(singleRun.clientCpuS, single.requests)!,
      batchServerCpuUsPerApplicant: perUnit(batchRun.serverCpuS, batch.requests * batchSize),
      batchClientCpuUsPerApplicant: perUnit(batchRun.clientCpuS, batch.requests * batchSize)!,
      tableBatchApplicantsPerSecond: Math.round((table.requests * batchSize) / table.elapsed),
      tableBatchP99Ms: Math.round(table.p99),
      tableBatchServerCpuUsPerApplicant: perUnit(tableRun.serverCpuS, table.requests * batchSize),
      tableBatchClientCpuUsPerApplicant: perUnit(tableRun.clientCpuS, table.requests * batchSize)!,
      mixedSinglePerSecond: mixed ? Math.round(mixed.single.requests / mixed.single.elapsed) : null,
      mixedSingleP99Ms: mixed ? Math.round(mixed.single.p99 * 100) / 100 : null,
      mixedTableBatchApplicantsPerSecond: mixed ? Math.round((mixed.table.requests * batchSize) / mixed.table.elapsed) : null,
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
    serverCpuProfileDir: value("--server-cpu-prof"),
    logRows: value("--log-rows") ? Number(value("--log-rows")) : undefined,
    singleConnections: value("--single-connections") ? Number(value("--single-connections")) : undefined,
    batchConnections: value("--batch-connections") ? Number(value("--batch-connections")) : undefined,
    only: value("--only") === "single" || value("--only") === "batch" ? (value("--only") as "single" | "batch") : undefined,
  });
  process.stdout.write(JSON.stringify({ ...figures, targets: API_TARGETS }) + "\n");
}
