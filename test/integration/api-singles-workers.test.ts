/**
 * Single evaluations on batch workers: groups decided and logged on a worker's own connection answer exactly as the
 * receiving thread does, refuse the same way, see a revocation or a withdrawal that happens while they are in flight,
 * and the workers' log is copied back into the database file by the checkpointer thread. Handlers are called in
 * process on a real SQLite file with the committed migrations; the workers are real threads.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { getDecision } from "../../db/decisions";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { createApiToken, revokeApiToken } from "../../db/tokens";
import { withdraw } from "../../db/workflow";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import { canonicalJson } from "../../rules-schema/canonical";
import type { StandardDocument } from "../../rules-schema/types";
import { replyText } from "../../app/api/errors.server";
import { handleApiCall, startBatchWorkers } from "../../app/api/handlers.server";
import { batchPoolFor } from "../../app/api/batch-pool.server";
import { getDb } from "../../app/lib/db.server";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const dir = mkdtempSync(join(tmpdir(), "jifen-singles-"));
const databaseUrl = join(dir, "jifen.sqlite");
let other: JifenDb;
let token: string;

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl;
  other = openDatabase(databaseUrl);
  migrateDatabase(other);
  await seedIfEmpty(other);
  // This connection never copies the log back itself, so that only the pool's checkpointer can (last test).
  other.$client.pragma("wal_autocheckpoint = 0");
  token = createApiToken(other, { name: "singles", department: "人社局", scopes: ["evaluate", "read"] }).token;
  // The workers load the API through tsx on their own threads: given more than the default hook time on a busy machine.
  expect(await startBatchWorkers()).toBe(true);
}, 60_000);

afterAll(async () => {
  await batchPoolFor(getDb())?.close();
  other.$client.close();
  getDb().$client.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Calls the API in process; `bytes` gives the body as bytes too, as the HTTP servers do, so a ready worker takes it. */
async function callAs(bearer: string, path: string, body: unknown, bytes: boolean) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const [pathname, search = ""] = path.split("?");
  const reply = await handleApiCall({
    method: "POST",
    pathname,
    query: new URLSearchParams(search),
    header: (name) => (name === "authorization" ? `Bearer ${bearer}` : null),
    readText: async () => text,
    ...(bytes ? { readBytes: async () => Buffer.from(text) } : {}),
  });
  return { status: reply.status, headers: reply.headers, json: JSON.parse(replyText(reply)) as Body };
}

const evaluatePath = "/api/v1/standards/suzhou/evaluate";
const onWorker = (body: unknown, bearer = token) => callAs(bearer, evaluatePath, body, true);
const inThread = (body: unknown, bearer = token) => callAs(bearer, evaluatePath, body, false);
const singlesAnswered = () => batchPoolFor(getDb())!.singlesAnswered().reduce((sum, n) => sum + n, 0);

const program = "settlement";
const date = "2016-05-15";
const cohort = generateCohort(suzhou, 12, "singles-on-workers");
const withoutDecision = ({ decisionId: _id, ...rest }: Body) => rest;

describe("single evaluations on batch workers", () => {
  it("answers exactly as the receiving thread does, several at once as one group, each logged with its own id", async () => {
    const before = singlesAnswered();
    const answers = await Promise.all(cohort.map((facts) => onWorker({ program, date, facts })));
    expect(singlesAnswered()).toBe(before + cohort.length);
    const expected = [];
    for (const facts of cohort) expected.push(await inThread({ program, date, facts }));
    expect(singlesAnswered()).toBe(before + cohort.length);

    expect(answers.map((a) => a.status)).toEqual(cohort.map(() => 200));
    expect(answers.map((a) => a.headers["Content-Type"])).toEqual(cohort.map(() => "application/json; charset=utf-8"));
    expect(answers.map((a) => withoutDecision(a.json))).toEqual(expected.map((e) => withoutDecision(e.json)));
    const ids = answers.map((a) => a.json.decisionId as number);
    expect(new Set(ids).size).toBe(cohort.length);
    // Each decision was committed before its answer: this connection reads it back, as logged by the worker.
    answers.forEach((answer, i) => {
      const logged = getDecision(other, answer.json.decisionId)!;
      expect(logged.input).toBe(canonicalJson({ facts: cohort[i], program, date }));
      expect(logged.inputHash).toBe(answer.json.inputHash);
      expect(JSON.parse(logged.output)).toEqual(answer.json.score);
      expect(logged.versionHash).toBe(answer.json.versionHash);
    });
  });

  it("decides single evaluations in the receiving thread while every worker holds a batch, with the same answers", async () => {
    const pool = batchPoolFor(getDb())!;
    const factIds = suzhou.facts.map((f) => f.id);
    const big = generateCohort(suzhou, 3000, "singles-beside-batches");
    const batch = { program, date, columns: ["id", ...factIds], rows: big.map((facts, i) => [`A${i}`, ...factIds.map((id) => facts[id] ?? null)]) };
    const here = pool.singlesAnsweredHere();
    const onWorkers = pool.singlesAnswered().reduce((sum, n) => sum + n, 0);
    const batches = [0, 1].map(() => callAs(token, `${evaluatePath}/batch`, batch, true));
    const singles = await Promise.all(cohort.slice(0, 3).map((facts) => onWorker({ program, date, facts })));
    expect(pool.singlesAnsweredHere()).toBe(here + 3);
    expect(pool.singlesAnswered().reduce((sum, n) => sum + n, 0)).toBe(onWorkers);
    for (const [i, answer] of singles.entries()) {
      expect(answer.status).toBe(200);
      expect(withoutDecision(answer.json)).toEqual(withoutDecision((await inThread({ program, date, facts: cohort[i] })).json));
      expect(getDecision(other, answer.json.decisionId)?.inputHash).toBe(answer.json.inputHash);
    }
    expect((await Promise.all(batches)).map((b) => b.status)).toEqual([200, 200]);
  });

  it("refuses with the same error bodies as the receiving thread, logging nothing", async () => {
    const count = other.$client.prepare("select count(*) from decision_log").pluck();
    const refusals: Array<[unknown, number, string]> = [
      ['{"program": "settlement",\n  "date": 2016-05-15}', 400, "api.jsonSyntax"],
      [{ program, date, facts: { ...cohort[0], homes: "two" } }, 422, "api.factType"],
      [{ program, date, facts: { ...cohort[0], hoems: [] } }, 422, "api.unknownFact"],
      [{ program: "nosuch", date, facts: cohort[0] }, 404, "api.unknownProgram"],
      [{ program, date: "1990-01-01", facts: cohort[0] }, 404, "api.noVersionInEffect"],
      [{ program, facts: cohort[0] }, 422, "api.required"],
    ];
    const before = count.get();
    const fromWorker = await Promise.all(refusals.map(([body]) => onWorker(body)));
    for (const [i, [body, status, code]] of refusals.entries()) {
      expect(fromWorker[i].status).toBe(status);
      expect(fromWorker[i].json.errors[0].code).toBe(code);
      expect(fromWorker[i].json).toEqual((await inThread(body)).json);
    }
    // The syntax error is located by line and column whichever thread found it.
    expect(fromWorker[0].json.errors[0]).toMatchObject({ line: 2, column: expect.any(Number) });
    expect(count.get()).toBe(before);
  });

  it("refuses a revoked token the receiving thread still holds as valid, with its challenge header", async () => {
    const { token: soonRevoked, record } = createApiToken(other, { name: "revoked soon", department: "公安局", scopes: ["evaluate"] });
    expect((await onWorker({ program, date, facts: cohort[1] }, soonRevoked)).status).toBe(200);
    const inFlight = onWorker({ program, date, facts: cohort[1] }, soonRevoked);
    expect(revokeApiToken(other, record.id)).toBe(true);
    const answer = await inFlight;
    expect(answer.status).toBe(401);
    expect(answer.json.errors[0].code).toBe("api.tokenRevoked");
    expect(answer.headers["WWW-Authenticate"]).toBe('Bearer realm="jifen"');
  });

  it("decides again a request in flight whose version is withdrawn before it is logged", async () => {
    const warm = await onWorker({ program, date, facts: cohort[2] });
    expect(warm.status).toBe(200);
    const inFlight = onWorker({ program, date, facts: cohort[2] });
    const publisher = other.$client.prepare("select id from users where username = 'publisher'").get() as { id: number };
    expect(withdraw(other, { versionId: warm.json.versionId, actor: { id: publisher.id, roles: ["publisher"] }, reason: "test" })).toEqual({ ok: true });
    const answer = await inFlight;
    expect(answer.status).toBe(404);
    expect(answer.json.errors[0].code).toBe("api.noVersionInEffect");
  });

  it("has the workers' log copied back into the database file by the checkpointer, without a commit of this thread", async () => {
    // What the workers logged above lives in the write-ahead log until a checkpoint: a copy of the database file
    // alone (no -wal file beside it) holds it only once the checkpointer has run.
    const latest = other.$client.prepare("select max(id) from decision_log").pluck().get() as number;
    const copy = join(dir, "copy.sqlite");
    let found = false;
    for (let attempt = 0; attempt < 50 && !found; attempt++) {
      await new Promise((wake) => setTimeout(wake, 100));
      rmSync(copy, { force: true });
      copyFileSync(databaseUrl, copy);
      expect(existsSync(`${copy}-wal`)).toBe(false);
      const copied = openDatabase(copy);
      found = (copied.$client.prepare("select count(*) from decision_log where id = ?").pluck().get(latest) as number) === 1;
      copied.$client.close();
      rmSync(`${copy}-wal`, { force: true });
      rmSync(`${copy}-shm`, { force: true });
    }
    expect(found).toBe(true);
  });
});
