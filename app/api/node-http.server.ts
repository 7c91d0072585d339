/**
 * Serves the department API straight from Node's HTTP server, ahead of Express and Remix: the same handlers
 * (`handleApiCall`) over Node's request and response. On this project's two-core machine Express's per-request
 * work (its request and response prototypes, router, query parser) cost ~230 µs of CPU per request, more than the
 * evaluation itself (docs/decisions/010-decision-log-and-api-throughput.md). The production server (server/main.ts)
 * sends every request whose path starts with /api/v1 here and the rest to Express.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleApiCall, type ApiCall } from "./handlers.server";
import type { ApiReply } from "./errors.server";

const API_PREFIX = "/api/v1";

/** True for /api/v1, /api/v1/… and /api/v1?… (the request line's target as Node gives it). */
export function isApiPath(url: string | undefined): boolean {
  if (!url || !url.startsWith(API_PREFIX)) return false;
  const next = url.charCodeAt(API_PREFIX.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
}

/** Gathers a request's body up to a limit (a class: this runs for every request). */
class BodyReader {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  /** The "data" listener, kept to be removed when the body is too long. */
  listener: (chunk: Buffer) => void = noop;

  constructor(
    private readonly req: IncomingMessage,
    private readonly limit: number,
    private readonly resolve: (body: Buffer | undefined) => void,
  ) {}

  data(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.req.off("data", this.listener);
      this.req.pause();
      this.resolve(undefined);
      return;
    }
    this.chunks.push(chunk);
  }

  end(): void {
    this.resolve(this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks));
  }
}

function noop(): void {}

/** Reads the body up to `limit` bytes; undefined when longer (the rest is drained before the answer: answerAfterDrain). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolveBody, reject) => {
    const reader = new BodyReader(req, limit, resolveBody);
    // Assigned, not declared: tsx names every function declared in a function, a cost on each request.
    reader.listener = (chunk) => reader.data(chunk);
    req.on("data", reader.listener);
    req.on("end", () => reader.end());
    req.on("error", reject);
  });
}

/**
 * The path and query of a request target. A plain target is split where the query starts; anything a URL parser
 * would rewrite (dot segments, backslashes, percent escapes, characters outside printable ASCII) goes through one.
 */
function splitTarget(url: string): { pathname: string; search: string } {
  if (/[.\\%]|[^\x21-\x7e]/.test(url)) {
    const parsed = new URL(url, "http://localhost");
    return { pathname: parsed.pathname, search: parsed.search.slice(1) };
  }
  const q = url.indexOf("?");
  return q < 0 ? { pathname: url, search: "" } : { pathname: url.slice(0, q), search: url.slice(q + 1) };
}

/** A request as the handlers see it (a class, not closures: this runs for every request). */
class NodeApiCall implements ApiCall {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;

  constructor(private readonly req: IncomingMessage) {
    const { pathname, search } = splitTarget(req.url ?? "/");
    this.method = req.method ?? "GET";
    this.pathname = pathname;
    this.query = new URLSearchParams(search);
  }

  header(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  async readText(limit: number): Promise<string | undefined> {
    return (await this.readBytes(limit))?.toString("utf8");
  }

  readBytes(limit: number): Promise<Buffer | undefined> {
    return readBody(this.req, limit);
  }
}

/** How much of a refused body is still read, and for how long, before the answer is sent. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_LIMIT_MS = 10_000;

function write(res: ServerResponse, reply: ApiReply): void {
  res.writeHead(reply.status, { ...reply.headers, "Content-Length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

/**
 * A body refused as too long: the rest is read and discarded before the answer, so that a client still sending sees
 * the 413 rather than a broken pipe; past a bound the answer goes at once and the connection is closed after it.
 */
function answerAfterDrain(req: IncomingMessage, res: ServerResponse, reply: ApiReply): void {
  let drained = 0;
  let answered = false;
  const answer = (closeAfter: boolean) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    if (closeAfter) res.once("finish", () => req.destroy());
    write(res, reply);
  };
  const timer = setTimeout(() => answer(true), DRAIN_LIMIT_MS);
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) {
      req.pause();
      answer(true);
    }
  });
  req.once("end", () => answer(false));
  req.once("error", () => answer(true));
  req.resume();
}

/**
 * Any body still unread when the answer is ready (refused as too long, by its declared length or while reading, or
 * never read because the request failed before, e.g. a wrong token) is drained first: a 413 closes the connection,
 * and closing it under a client still sending breaks its pipe instead of showing it the answer.
 */
function send(req: IncomingMessage, res: ServerResponse, reply: ApiReply): void {
  if (!req.readableEnded) answerAfterDrain(req, res, reply);
  else write(res, reply);
}

function failed(res: ServerResponse, error: unknown): void {
  // handleApiCall answers every failure itself; this is a broken connection or a bug in the plumbing.
  console.error("API request failed", error);
  res.destroy();
}

export function serveApi(req: IncomingMessage, res: ServerResponse): void {
  const call = new NodeApiCall(req);
  handleApiCall(call).then(
    (reply) => send(req, res, reply),
    (error: unknown) => failed(res, error),
  );
}
