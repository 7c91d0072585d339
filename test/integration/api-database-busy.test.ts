/**
 * A database held locked by another writer: the API waits for it as long as its connection's busy timeout, then
 * answers 503 `api.databaseBusy` with Retry-After and logs nothing (single, explained and batch evaluations); once the
 * lock is released, the same requests are answered and logged. Handlers are called in process on a real SQLite file
 * with the committed migrations; the lock is held by a second connection, as the admin screens or the command line
 * would hold it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { countDecisions } from "../../db/decisions";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { createApiToken } from "../../db/tokens";
import { replyText } from "../../app/api/errors.server";
import { handleApiCall } from "../../app/api/handlers.server";
import { getDb } from "../../app/lib/db.server";

const dir = mkdtempSync(join(tmpdir(), "jifen-api-busy-"));
const databaseUrl = join(dir, "jifen.sqlite");
let other: JifenDb;
let token: string;
const WAIT_MS = 300;

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl;
  other = openDatabase(databaseUrl);
  migrateDatabase(other);
  await seedIfEmpty(other);
  token = createApiToken(other, { name: "busy", department: "公安局", scopes: ["evaluate"] }).token;
  // The API's connection waits this long for the lock (the server's own wait is 5 s): set before its first request.
  getDb().$client.pragma(`busy_timeout = ${WAIT_MS}`);
}, 60_000);

afterAll(() => {
  other.$client.close();
  getDb().$client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  const [pathname, search = ""] = path.split("?");
  const text = JSON.stringify(body);
  const reply = await handleApiCall({
    method: "POST",
    pathname,
    query: new URLSearchParams(search),
    header: (name) => (name === "authorization" ? `Bearer ${token}` : null),
    readText: async () => text,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: reply.status, headers: reply.headers, json: JSON.parse(replyText(reply)) as Record<string, any> };
}

async function get(path: string, bearer: string) {
  const reply = await handleApiCall({
    method: "GET",
    pathname: path,
    query: new URLSearchParams(),
    header: (name) => (name === "authorization" ? `Bearer ${bearer}` : null),
    readText: async () => "",
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: reply.status, json: JSON.parse(replyText(reply)) as Record<string, any> };
}

const program = "settlement";
const date = "2016-05-15";
const facts = { socialInsuranceMonths: 24, educationLevel: "bachelor" };
const requests = [
  ["single", "/api/v1/standards/suzhou/evaluate", { program, date, facts }],
  ["explained", "/api/v1/standards/suzhou/evaluate?explain=true", { program, date, facts }],
  ["batch", "/api/v1/standards/suzhou/evaluate/batch", { program, date, applicants: [{ id: "A1", facts }, { id: "A2", facts: {} }] }],
] as const;
const batchCount = () => other.$client.prepare("select count(*) from decision_batches").pluck().get() as number;

describe("a database locked by another writer", () => {
  it("answers 503 api.databaseBusy with Retry-After after the wait, logs nothing, and answers once the lock is gone", async () => {
    // A first request marks the token as used, so that what follows writes only decisions.
    expect((await post(requests[0][1], requests[0][2])).status).toBe(200);
    const decisions = countDecisions(other);
    const batches = batchCount();

    other.$client.exec("BEGIN IMMEDIATE");
    try {
      for (const [kind, path, body] of requests) {
        const started = performance.now();
        const refused = await post(path, body);
        const waited = performance.now() - started;
        expect(refused.status, kind).toBe(503);
        expect(refused.headers["Retry-After"], kind).toBe("1");
        expect(refused.json.errors, kind).toEqual([
          { code: "api.databaseBusy", path: "", message: { zh: "数据库正忙，请稍后重试", en: "The database is busy; please retry" }, params: {} },
        ]);
        // It waited for the lock before giving up, as long as the connection's busy timeout.
        expect(waited, kind).toBeGreaterThanOrEqual(WAIT_MS * 0.9);
      }
    } finally {
      other.$client.exec("COMMIT");
    }
    expect(countDecisions(other)).toBe(decisions);
    expect(batchCount()).toBe(batches);

    for (const [kind, path, body] of requests) {
      const answered = await post(path, body);
      expect(answered.status, kind).toBe(200);
    }
    // Two single evaluations and the batch's two applicants.
    expect(countDecisions(other)).toBe(decisions + 4);
    expect(batchCount()).toBe(batches + 1);
  }, 30_000);

  it("answers a request that writes nothing but its token's last-used time at once, and records that time once the lock is free", async () => {
    const { token: reader, record } = createApiToken(other, { name: "reader", department: "教育局", scopes: ["read"] });
    const lastUsed = () => other.$client.prepare("select last_used_at from api_tokens where id = ?").pluck().get(record.id);
    other.$client.exec("BEGIN IMMEDIATE");
    try {
      // The token's first use is due to be recorded, and another writer holds the lock: the request does not wait
      // for it, nor fail for it.
      const answer = await get("/api/v1/standards/suzhou", reader);
      expect(answer.status).toBe(200);
      expect(answer.json.standardId).toBe("suzhou");
    } finally {
      other.$client.exec("COMMIT");
    }
    expect(lastUsed()).toBeNull();
    // Tried again a second later, now with the lock free.
    await new Promise((wake) => setTimeout(wake, 1_100));
    expect((await get("/api/v1/standards/suzhou", reader)).status).toBe(200);
    expect(lastUsed()).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
  }, 30_000);
});
