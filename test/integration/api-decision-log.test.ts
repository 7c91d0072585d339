/**
 * The decision log under the department API: batches logged once and replayable per applicant and whole, the log
 * append-only at the database level, and group commit answering only once a decision is committed. Handlers are
 * called in process on a real SQLite file with the committed migrations.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { findBatchOfDecision, getDecision, getDecisionBatch, recordDecisionBatch, recordDecisions, type NewDecision, type NewDecisionBatch } from "../../db/decisions";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../db/seed";
import { createApiToken, revokeApiToken } from "../../db/tokens";
import { withdraw } from "../../db/workflow";
import { generateCohort } from "../../engine/cohort-generate";
import { canonicalJson } from "../../rules-schema/canonical";
import type { StandardDocument } from "../../rules-schema/types";
import { handleApiCall } from "../../app/api/handlers.server";
import { logDecision } from "../../app/api/decision-writer.server";
import { changeWatch } from "../../app/api/change-watch.server";
import { getDb } from "../../app/lib/db.server";

// The handlers answer with JSON whose shape the OpenAPI tests pin; here the fields are read freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const dir = mkdtempSync(join(tmpdir(), "jifen-decision-log-"));
const databaseUrl = join(dir, "jifen.sqlite");
let other: JifenDb;
let token: string;

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl;
  other = openDatabase(databaseUrl);
  migrateDatabase(other);
  await seedIfEmpty(other);
  token = createApiToken(other, { name: "log", department: "教育局", scopes: ["evaluate", "read", "rank"] }).token;
});

afterAll(() => {
  other.$client.close();
  getDb().$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) => callAs(token, method, path, body);

async function callAs(bearer: string, method: string, path: string, body?: unknown) {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const [pathname, search = ""] = path.split("?");
  const reply = await handleApiCall({
    method,
    pathname,
    query: new URLSearchParams(search),
    header: (name) => (name === "authorization" ? `Bearer ${bearer}` : null),
    readText: async () => text,
  });
  return { status: reply.status, json: JSON.parse(reply.body) as Body };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const program = "settlement";
const date = "2016-05-15";
const cohort = generateCohort(suzhou, 40, "decision-log");

describe("a batch is logged once", () => {
  it("stores the body as received with its hash, and gives its applicants a block of decision ids", async () => {
    const text = JSON.stringify({ program, date, applicants: cohort.map((facts, i) => ({ id: `A${i}`, facts })) }, null, 1);
    const before = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[0] });
    const batch = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", text);
    const after = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[0] });
    expect(batch.status).toBe(200);
    const ids = (batch.json.results as Array<{ decisionId: number }>).map((r) => r.decisionId);
    expect(ids[0]).toBeGreaterThan(before.json.decisionId);
    expect(ids).toEqual(ids.map((_, i) => ids[0] + i));
    expect(after.json.decisionId).toBeGreaterThan(ids[ids.length - 1]);

    const stored = getDecisionBatch(other, batch.json.batchId)!;
    expect(stored).toMatchObject({ firstDecisionId: ids[0], applicantCount: cohort.length, input: text, inputHash: sha256(text), versionHash: batch.json.versionHash });
    expect(JSON.parse(stored.output)).toEqual({
      itemIds: batch.json.itemIds,
      categoryIds: batch.json.categoryIds,
      results: (batch.json.results as Body[]).map(({ categories, eligible, failedGates, items, total, vetoed }) => ({ categories, eligible, failedGates, items, total, vetoed })),
    });
    expect(stored.output).toBe(canonicalJson(JSON.parse(stored.output)));
    expect(findBatchOfDecision(other, ids[7])).toMatchObject({ index: 7, batch: { id: stored.id } });
    expect(findBatchOfDecision(other, after.json.decisionId)).toBeUndefined();
    expect(getDecision(other, ids[0])).toBeUndefined();
  });

  it("shows an applicant of a batch as the decision a single evaluation of its facts would have logged", async () => {
    const batch = await call("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", { program, date, applicants: cohort.map((facts, i) => ({ id: `A${i}`, facts })) });
    for (const index of [0, 13, cohort.length - 1]) {
      const result = batch.json.results[index];
      const single = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[index] });
      expect(result.inputHash).toBe(single.json.inputHash);
      const member = await call("GET", `/api/v1/decisions/${result.decisionId}`);
      const singleLogged = await call("GET", `/api/v1/decisions/${single.json.decisionId}`);
      expect(member.status).toBe(200);
      expect(member.json).toMatchObject({
        decisionId: result.decisionId,
        inputHash: single.json.inputHash,
        input: singleLogged.json.input,
        output: single.json.score,
        batch: { batchId: batch.json.batchId, index, applicantId: `A${index}` },
      });
    }
  });

  it("answers without input hashes unless asked, and the decision gives them later", async () => {
    const batch = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, applicants: [{ id: "x", facts: cohort[3] }] });
    expect(batch.json.results[0].inputHash).toBeUndefined();
    const member = await call("GET", `/api/v1/decisions/${batch.json.results[0].decisionId}`);
    expect(member.json.inputHash).toBe(sha256(canonicalJson({ facts: cohort[3], program, date })));
  });

  it("replays one applicant of a batch identically, with the explained sheet", async () => {
    const batch = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, applicants: cohort.map((facts, i) => ({ id: `A${i}`, facts })) });
    const result = batch.json.results[5];
    const replay = await call("POST", `/api/v1/decisions/${result.decisionId}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ decisionId: result.decisionId, identical: true, inputHashMatches: true, versionHashMatches: true, batch: { index: 5, applicantId: "A5" } });
    expect(replay.json.replayed.total).toBe(result.total);
    expect(replay.json.sheet.total).toBe(result.total);
  });

  it("replays a whole batch identically", async () => {
    const batch = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, applicants: cohort.map((facts, i) => ({ id: `A${i}`, facts })) });
    const stored = await call("GET", `/api/v1/decision-batches/${batch.json.batchId}`);
    expect(stored.json).toMatchObject({ batchId: batch.json.batchId, applicantCount: cohort.length, firstDecisionId: batch.json.results[0].decisionId, itemIds: batch.json.itemIds });
    const replay = await call("POST", `/api/v1/decision-batches/${batch.json.batchId}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ identical: true, inputHashMatches: true, versionHashMatches: true, differingCount: 0, differences: [], applicantCount: cohort.length });
  });

  it("answers 404 for an unknown batch, and for a decision id past every batch", async () => {
    expect((await call("GET", "/api/v1/decision-batches/999999")).json.errors[0].code).toBe("api.unknownBatch");
    expect((await call("POST", "/api/v1/decision-batches/nope/replay")).status).toBe(404);
    expect((await call("GET", "/api/v1/decisions/999999999")).json.errors[0].code).toBe("api.unknownDecision");
  });
});

const someBatch = (): NewDecisionBatch => ({
  tokenId: null,
  standardId: "suzhou",
  versionId: 1,
  versionHash: "a".repeat(64),
  programId: program,
  evaluationDate: date,
  applicantCount: 3,
  input: '{"applicants":[]}',
  inputHash: sha256('{"applicants":[]}'),
  output: '{"categoryIds":[],"itemIds":[],"results":[]}',
});

const someDecision = (): NewDecision => ({
  tokenId: null,
  standardId: "suzhou",
  versionId: 1,
  versionHash: "a".repeat(64),
  programId: program,
  evaluationDate: date,
  inputHash: "b".repeat(64),
  input: "{}",
  output: '{"total":1}',
});

describe("the decision log is append-only in the database", () => {
  let db: JifenDb;
  beforeAll(() => {
    db = openDatabase(":memory:");
    migrateDatabase(db);
  });

  it("refuses to change or delete a logged decision", () => {
    const [id] = recordDecisions(db, [someDecision()]);
    expect(() => db.$client.prepare("update decision_log set output = '{}' where id = ?").run(id)).toThrow(/decisions_append_only/);
    expect(() => db.$client.prepare("delete from decision_log where id = ?").run(id)).toThrow(/decisions_append_only/);
    expect(getDecision(db, id)?.output).toBe('{"total":1}');
  });

  it("refuses to change or delete a logged batch", () => {
    const { batchId } = recordDecisionBatch(db, someBatch());
    expect(() => db.$client.prepare("update decision_batches set output = '{}' where id = ?").run(batchId)).toThrow(/decisions_append_only/);
    expect(() => db.$client.prepare("update decision_batches set input_hash = ? where id = ?").run("c".repeat(64), batchId)).toThrow(/decisions_append_only/);
    expect(() => db.$client.prepare("delete from decision_batches where id = ?").run(batchId)).toThrow(/decisions_append_only/);
    expect(getDecisionBatch(db, batchId)?.output).toBe(someBatch().output);
  });

  it("keeps decision ids one series: batches reserve blocks that decision_log never reuses", () => {
    const [single] = recordDecisions(db, [someDecision()]);
    const first = recordDecisionBatch(db, someBatch());
    const second = recordDecisionBatch(db, { ...someBatch(), applicantCount: 1 });
    const [next] = recordDecisions(db, [someDecision()]);
    expect(first.firstDecisionId).toBe(single + 1);
    expect(second.firstDecisionId).toBe(first.firstDecisionId + 3);
    expect(next).toBe(second.firstDecisionId + 1);
  });

  it("refuses a batch whose ids were not reserved, or overlap a decision or another batch", () => {
    const { firstDecisionId } = recordDecisionBatch(db, someBatch());
    const insert = db.$client.prepare(
      `insert into decision_batches (standard_id, version_id, version_hash, program_id, evaluation_date, first_decision_id, applicant_count, input, input_hash, output)
       values ('suzhou', 1, 'h', 'settlement', '2016-05-15', ?, ?, '{}', 'h', '{}')`,
    );
    expect(() => insert.run(firstDecisionId + 1000, 1)).toThrow(/decision_ids_reserved/);
    expect(() => insert.run(firstDecisionId + 1, 1)).toThrow(/decision_ids_reserved/);
    const [single] = recordDecisions(db, [someDecision()]);
    expect(() => insert.run(single, 1)).toThrow(/decision_ids_reserved/);
    expect(() => insert.run(1, 0)).toThrow(/decision_ids_reserved/);
  });
});

describe("group commit of single evaluations", () => {
  const unchanged = () => {
    throw new Error("rechecked although the database did not change");
  };

  it("resolves only once the decisions are committed, several to one transaction", async () => {
    const db = getDb();
    const generation = changeWatch(db).current();
    const pending = [logDecision(db, someDecision(), generation, unchanged), logDecision(db, { ...someDecision(), output: '{"total":2}' }, generation, unchanged)];
    const seen: Array<number | undefined> = [];
    // Nothing is committed in the turn the decisions were handed over.
    const latest = other.$client.prepare("select max(id) as id from decision_log").pluck();
    const before = latest.get() as number;
    const ids = await Promise.all(pending.map((p) => p.then((id) => (seen.push(getDecision(other, id) ? id : undefined), id))));
    expect(ids[1]).toBe(ids[0] + 1);
    expect(ids[0]).toBeGreaterThan(before);
    // Each promise resolved after its row could be read through another connection: it was committed.
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("rejects every decision of a group when one cannot be written (one transaction)", async () => {
    const db = getDb();
    const generation = changeWatch(db).current();
    const count = other.$client.prepare("select count(*) from decision_log").pluck();
    const before = count.get();
    const results = await Promise.allSettled([
      logDecision(db, someDecision(), generation, unchanged),
      logDecision(db, { ...someDecision(), tokenId: 987654 }, generation, unchanged),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(count.get()).toBe(before);
  });

  it("rechecks, inside the commit, decisions made before the database changed, and leaves out those that fail", async () => {
    const db = getDb();
    const before = changeWatch(db).current();
    createApiToken(other, { name: "a change", department: "elsewhere", scopes: ["read"] });
    const refused = new Error("no longer holds");
    const results = await Promise.allSettled([
      logDecision(db, { ...someDecision(), output: '{"total":"kept"}' }, before, () => {}),
      logDecision(db, { ...someDecision(), output: '{"total":"refused"}' }, before, () => {
        throw refused;
      }),
    ]);
    expect(results[0].status).toBe("fulfilled");
    expect(results[1]).toEqual({ status: "rejected", reason: refused });
    expect(getDecision(other, (results[0] as PromiseFulfilledResult<number>).value)?.output).toBe('{"total":"kept"}');
    expect(other.$client.prepare("select count(*) from decision_log where output = '{\"total\":\"refused\"}'").pluck().get()).toBe(0);
  });

  it("refuses a request in flight whose cached token is revoked before its decision is committed", async () => {
    const { token: revokedSoon, record } = createApiToken(other, { name: "in flight", department: "公安", scopes: ["evaluate"] });
    const warm = await callAs(revokedSoon, "POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[1] });
    expect(warm.status).toBe(200);
    const inFlight = callAs(revokedSoon, "POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[1] });
    expect(revokeApiToken(other, record.id)).toBe(true);
    const answered = await inFlight;
    expect(answered.status).toBe(401);
    expect(answered.json.errors[0].code).toBe("api.tokenRevoked");
  });

  it("decides again a request in flight whose version is withdrawn before its decision is committed", async () => {
    const warm = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[2] });
    expect(warm.status).toBe(200);
    const inFlight = call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[2] });
    const publisher = other.$client.prepare("select id from users where username = 'publisher'").get() as { id: number };
    expect(withdraw(other, { versionId: warm.json.versionId, actor: { id: publisher.id, roles: ["publisher"] }, reason: "test" })).toEqual({ ok: true });
    const answered = await inFlight;
    expect(answered.status).toBe(404);
    expect(answered.json.errors[0].code).toBe("api.noVersionInEffect");
  });
});
