/**
 * Issue 18, department isolation: a token reads and replays only the decisions its own department made. Another
 * department's decision, batch, batch member or ranking answers exactly as a missing one (404, same code and
 * message shape), over real HTTP against the production server, whose single evaluations and batches are decided
 * and logged on its worker threads.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { createApiToken, revokeApiToken } from "../../db/tokens";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";
import { startServer, type RunningServer } from "../browser/harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ApiBody = Record<string, any>;

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const cohort = generateCohort(suzhou, 5, "isolation");
const date = "2016-05-15";

let server: RunningServer;
let db: JifenDb;
const tokens: Record<string, string> = {};

async function call(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: JSON.parse(await response.text()) as ApiBody };
}

/** What the reader sees, with the id asked for replaced, so a refusal can be compared with a missing id's. */
function withoutId(json: ApiBody, id: number | string): string {
  return JSON.stringify(json).split(String(id)).join("<id>");
}

/** An id beyond every decision and batch logged so far (ids of decision_log and batch members are one series). */
function missingId(): number {
  const row = db.$client
    .prepare("select max(coalesce((select max(id) from decision_log), 0), coalesce((select max(first_decision_id + applicant_count) from decision_batches), 0), coalesce((select max(id) from decision_batches), 0)) + 1000 as id")
    .get() as { id: number };
  return row.id;
}

let single: ApiBody;
let batch: ApiBody;
let ranked: ApiBody;

beforeAll(async () => {
  server = await startServer();
  db = openDatabase(server.databaseUrl);
  const all = ["evaluate", "rank", "read"] as const;
  tokens.education = createApiToken(db, { name: "学位核验", department: "市教育局", scopes: [...all] }).token;
  tokens.educationOld = createApiToken(db, { name: "旧令牌", department: "市教育局", scopes: [...all] }).token;
  tokens.educationReader = createApiToken(db, { name: "查询", department: "市教育局", scopes: ["read"] }).token;
  tokens.police = createApiToken(db, { name: "户籍", department: "市公安局", scopes: ["read", "evaluate"] }).token;

  single = (await call("POST", "/api/v1/standards/suzhou/evaluate", tokens.education, { program: "settlement", date, facts: cohort[0] })).json;
  expect(single.decisionId).toBeTypeOf("number");
  batch = (
    await call("POST", "/api/v1/standards/suzhou/evaluate/batch", tokens.education, {
      program: "settlement",
      date,
      applicants: cohort.map((facts, i) => ({ id: `A${i}`, facts })),
    })
  ).json;
  expect(batch.batchId).toBeTypeOf("number");
  ranked = (
    await call("POST", "/api/v1/standards/suzhou/rank", tokens.education, {
      program: "settlement",
      date,
      quotas: { "*": 2 },
      applicants: cohort.map((facts, i) => ({ id: `A${i}`, facts })),
    })
  ).json;
  expect(ranked.decisionId).toBeTypeOf("number");
});

afterAll(async () => {
  db?.$client.close();
  await server?.stop();
});

describe("another department's decisions answer as missing ones", () => {
  it("refuses a single evaluation's decision and its replay to another department's read token, exactly as a missing id", async () => {
    const id = single.decisionId as number;
    const own = await call("GET", `/api/v1/decisions/${id}`, tokens.education);
    expect(own.status).toBe(200);
    expect(own.json.input.facts).toBeTypeOf("object");

    const foreign = await call("GET", `/api/v1/decisions/${id}`, tokens.police);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.json)).not.toContain(JSON.stringify(own.json.input.facts).slice(1, 30));
    const missing = missingId();
    const absent = await call("GET", `/api/v1/decisions/${missing}`, tokens.police);
    expect(absent.status).toBe(404);
    expect(withoutId(foreign.json, id)).toBe(withoutId(absent.json, missing));

    const replay = await call("POST", `/api/v1/decisions/${id}/replay`, tokens.police);
    const replayAbsent = await call("POST", `/api/v1/decisions/${missing}/replay`, tokens.police);
    expect(replay.status).toBe(404);
    expect(withoutId(replay.json, id)).toBe(withoutId(replayAbsent.json, missing));
  });

  it("refuses a batch, its replay and each of its applicants' decisions to another department", async () => {
    const batchId = batch.batchId as number;
    const missing = missingId();
    for (const [method, path] of [
      ["GET", (id: number) => `/api/v1/decision-batches/${id}`],
      ["POST", (id: number) => `/api/v1/decision-batches/${id}/replay`],
    ] as const) {
      const foreign = await call(method, path(batchId), tokens.police);
      const absent = await call(method, path(missing), tokens.police);
      expect(foreign.status, path(batchId)).toBe(404);
      expect(withoutId(foreign.json, batchId)).toBe(withoutId(absent.json, missing));
    }
    for (const member of batch.results as Array<{ decisionId: number }>) {
      const foreign = await call("GET", `/api/v1/decisions/${member.decisionId}`, tokens.police);
      expect(foreign.status).toBe(404);
      expect(foreign.json.errors[0].code).toBe("api.unknownDecision");
      const replay = await call("POST", `/api/v1/decisions/${member.decisionId}/replay`, tokens.police);
      expect(replay.status).toBe(404);
    }
  });

  it("refuses a ranking's decision (every applicant's input) to another department", async () => {
    const foreign = await call("GET", `/api/v1/decisions/${ranked.decisionId}`, tokens.police);
    expect(foreign.status).toBe(404);
    expect(foreign.json.errors[0].code).toBe("api.unknownDecision");
    expect((await call("POST", `/api/v1/decisions/${ranked.decisionId}/replay`, tokens.police)).status).toBe(404);
  });

  it("gives another department's decisions to none of its own tokens either, whatever they decided themselves", async () => {
    const own = await call("POST", "/api/v1/standards/suzhou/evaluate", tokens.police, { program: "settlement", date, facts: cohort[1] });
    expect(own.status).toBe(200);
    expect((await call("GET", `/api/v1/decisions/${own.json.decisionId}`, tokens.police)).status).toBe(200);
    expect((await call("GET", `/api/v1/decisions/${own.json.decisionId}`, tokens.education)).status).toBe(404);
  });
});

describe("a department's own decisions", () => {
  it("are read and replayed by any of its tokens, a revoked one's decisions included", async () => {
    const old = await call("POST", "/api/v1/standards/suzhou/evaluate", tokens.educationOld, { program: "settlement", date, facts: cohort[2] });
    expect(old.status).toBe(200);
    const oldId = db.$client.prepare("select id from api_tokens where name = '旧令牌'").get() as { id: number };
    expect(revokeApiToken(db, oldId.id)).toBe(true);

    for (const id of [single.decisionId, old.json.decisionId, batch.results[0].decisionId, ranked.decisionId] as number[]) {
      const read = await call("GET", `/api/v1/decisions/${id}`, tokens.educationReader);
      expect(read.status, `decision ${id}`).toBe(200);
      const replay = await call("POST", `/api/v1/decisions/${id}/replay`, tokens.educationReader);
      expect(replay.status, `replay ${id}`).toBe(200);
      expect(replay.json.identical).toBe(true);
    }
    const stored = await call("GET", `/api/v1/decision-batches/${batch.batchId}`, tokens.educationReader);
    expect(stored.status).toBe(200);
    const replayBatch = await call("POST", `/api/v1/decision-batches/${batch.batchId}/replay`, tokens.educationReader);
    expect(replayBatch.status).toBe(200);
    expect(replayBatch.json.identical).toBe(true);
  });
});
