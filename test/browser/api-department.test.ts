/**
 * The department API over real HTTP on 127.0.0.1 against the production server and its real SQLite database:
 * tokens and scopes, evaluation with the version in effect, batch, rank with quotas, located errors, decision replay,
 * the rate limit, and every response body checked against the served OpenAPI document. No browser needed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { createApiToken, revokeApiToken, type TokenScope } from "../../db/tokens";
import { canonicalJson } from "../../rules-schema/canonical";
import type { StandardDocument } from "../../rules-schema/types";
import { startServer, type RunningServer } from "./harness";

// Response bodies are checked against the served OpenAPI schemas; past that the tests read their fields freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ApiBody = Record<string, any>;

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;

let server: RunningServer;
let db: JifenDb;
const tokens: Record<string, string> = {};
let ajv: Ajv2020;

function issue(name: string, scopes: TokenScope[]): string {
  return createApiToken(db, { name, department: `${name} department`, scopes }).token;
}

async function call(method: string, path: string, opts: { token?: string; body?: unknown; rawBody?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${server.url}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as ApiBody };
}

/** Asserts the body matches the served OpenAPI schema of that name. */
function conforms(schemaName: string, body: unknown): void {
  const validate = ajv.getSchema(`jifen-api#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`no schema ${schemaName}`);
  const ok = validate(body);
  expect(validate.errors ?? [], `${schemaName}: ${JSON.stringify(validate.errors)}`).toEqual([]);
  expect(ok).toBe(true);
}

function firstCodes(json: ApiBody): string[] {
  return (json.errors as Array<{ code: string }>).map((e) => e.code);
}

function dbVersionHash(label: string): { id: number; hash: string } {
  const row = db.$client
    .prepare("select id, content_hash as hash from standard_versions where standard_id = 'suzhou' and version_label = ?")
    .get(label) as { id: number; hash: string };
  return row;
}

beforeAll(async () => {
  server = await startServer();
  db = openDatabase(server.databaseUrl);
  tokens.all = issue("all", ["evaluate", "rank", "read"]);
  tokens.evaluateOnly = issue("education", ["evaluate"]);
  tokens.revoked = issue("revoked", ["evaluate", "read"]);
  const openapi = await call("GET", "/api/v1/openapi.json");
  expect(openapi.status).toBe(200);
  ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ ...openapi.json, $id: "jifen-api" });
});

afterAll(async () => {
  db?.$client.close();
  await server?.stop();
});

const case01 = suzhou.testCases!.find((t) => t.id === "tc01_ordinary_graduate")!;

/** A batch body in the table form: "id" last, then one row of cells per applicant, a fact not given as null. */
function tableForm(program: string, date: string, applicants: Array<{ id: string; facts: Record<string, unknown> }>) {
  const columns = [...suzhou.facts.map((f) => f.id), "id"];
  return { program, date, columns, rows: applicants.map((a) => columns.map((c) => (c === "id" ? a.id : (a.facts[c] ?? null)))) };
}

describe("authentication and scopes", () => {
  it("refuses a request without a token, with the error shape and a Bearer challenge", async () => {
    const r = await call("POST", "/api/v1/standards/suzhou/evaluate", { body: { program: "settlement", date: case01.date, facts: case01.facts } });
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(firstCodes(r.json)).toEqual(["api.unauthenticated"]);
    expect(r.json.errors[0].message.zh).toMatch(/令牌/);
    conforms("ErrorBody", r.json);
  });

  it("refuses an unknown token and a revoked one, saying which", async () => {
    const unknown = await call("GET", "/api/v1/standards/suzhou?date=2016-05-15", { token: "jifen_not-a-real-token" });
    expect(unknown.status).toBe(401);
    expect(firstCodes(unknown.json)).toEqual(["api.tokenInvalid"]);

    const before = await call("GET", "/api/v1/standards/suzhou?date=2016-05-15", { token: tokens.revoked });
    expect(before.status).toBe(200);
    const id = (db.$client.prepare("select id from api_tokens where name = 'revoked'").get() as { id: number }).id;
    expect(revokeApiToken(db, id)).toBe(true);
    const after = await call("GET", "/api/v1/standards/suzhou?date=2016-05-15", { token: tokens.revoked });
    expect(after.status).toBe(401);
    expect(firstCodes(after.json)).toEqual(["api.tokenRevoked"]);
    conforms("ErrorBody", after.json);
  });

  it("stores only the token's hash", () => {
    const stored = db.$client.prepare("select token_hash as hash from api_tokens where name = 'all'").get() as { hash: string };
    expect(stored.hash).toBe(createHash("sha256").update(tokens.all).digest("hex"));
    const everything = JSON.stringify(db.$client.prepare("select * from api_tokens").all());
    expect(everything).not.toContain(tokens.all);
  });

  it("refuses an endpoint outside the token's scopes with 403", async () => {
    const ranking = suzhou.rankingCases![0];
    const r = await call("POST", "/api/v1/standards/suzhou/rank", {
      token: tokens.evaluateOnly,
      body: { program: ranking.program, date: ranking.date, quotas: ranking.quotas, applicants: ranking.applicants },
    });
    expect(r.status).toBe(403);
    expect(r.json.errors[0]).toMatchObject({ code: "api.scopeMissing", params: { required: "rank" } });
    const read = await call("GET", "/api/v1/standards/suzhou", { token: tokens.evaluateOnly });
    expect(read.status).toBe(403);
  });
});

describe("version in effect and evaluation", () => {
  it("gives the version in effect on a date with its fact dictionary and the database's hash", async () => {
    const r = await call("GET", `/api/v1/standards/suzhou?date=${case01.date}`, { token: tokens.all });
    expect(r.status).toBe(200);
    conforms("StandardInEffect", r.json);
    expect(r.json.versionLabel).toBe("2015");
    expect(r.json.versionHash).toBe(dbVersionHash("2015").hash);
    const facts = r.json.facts as Array<{ id: string; type: string }>;
    expect(facts.map((f) => f.id)).toEqual(suzhou.facts.map((f) => f.id));
    expect(facts.find((f) => f.id === "socialInsuranceMonths")?.type).toBe("integer");
  });

  it("scores the document's own test case with the version in effect, and the hash is the database's", async () => {
    const r = await call("POST", "/api/v1/standards/suzhou/evaluate", {
      token: tokens.all,
      body: { program: case01.program, date: case01.date, facts: case01.facts },
    });
    expect(r.status).toBe(200);
    conforms("EvaluateResponse", r.json);
    const { id, hash } = dbVersionHash("2015");
    expect(r.json).toMatchObject({ standardId: "suzhou", versionId: id, versionLabel: "2015", versionHash: hash, program: "settlement", date: case01.date });
    for (const [item, points] of Object.entries(case01.expect.items ?? {})) expect(r.json.score.items[item], item).toBe(points);
    if (case01.expect.total !== undefined) expect(r.json.score.total).toBe(case01.expect.total);
    expect(r.json.score.eligible).toBe(case01.expect.eligible);
    expect(r.json.sheet).toBeUndefined();
    expect(r.json.inputHash).toBe(createHash("sha256").update(canonicalJson({ facts: case01.facts, program: case01.program, date: case01.date })).digest("hex"));
  });

  it("explains the score in full with ?explain=true, with the same figures", async () => {
    const plain = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, body: { program: case01.program, date: case01.date, facts: case01.facts } });
    const explained = await call("POST", "/api/v1/standards/suzhou/evaluate?explain=true", {
      token: tokens.all,
      body: { program: case01.program, date: case01.date, facts: case01.facts },
    });
    expect(explained.status).toBe(200);
    conforms("EvaluateResponse", explained.json);
    expect(explained.json.sheet.total).toBe(plain.json.score.total);
    expect(explained.json.sheet.items.length).toBe(suzhou.items.length);
    expect(explained.json.score).toEqual(plain.json.score);
    // Issue 22: the same explanation model as every other output, documented in the OpenAPI document.
    expect(explained.json.explanation.total).toBe(explained.json.score.eligible && !explained.json.score.vetoed ? plain.json.score.total : null);
    expect(explained.json.explanation.verdict.kind).toBe(explained.json.verdict);
    const social = explained.json.explanation.items.find((item: { id: string }) => item.id === "social_insurance");
    expect(social.arithmetic[0].zh).toMatch(/^\d+个月 → \d+个月 × 5分 = \d+分$/);
    expect(social.arithmetic[0].en).toMatch(/^\d+ months → \d+ months × 5 points = \d+ points$/);
  });

  it("scores a batch with the same figures as single evaluations, one decision per applicant", async () => {
    const cases = suzhou.testCases!.filter((t) => t.program === "settlement" && t.date === case01.date);
    const r = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", {
      token: tokens.all,
      body: { program: "settlement", date: case01.date, applicants: cases.map((c) => ({ id: c.id, facts: c.facts })) },
    });
    expect(r.status).toBe(200);
    conforms("BatchResponse", r.json);
    expect(r.json.itemIds).toEqual(suzhou.items.map((i) => i.id));
    expect(new Set(r.json.results.map((x: { decisionId: number }) => x.decisionId)).size).toBe(cases.length);
    for (const [k, c] of cases.entries()) {
      const result = r.json.results[k];
      expect(result.id).toBe(c.id);
      if (c.expect.total !== undefined) expect(result.total, c.id).toBe(c.expect.total);
      if (c.expect.vetoed !== undefined) expect(result.vetoed, c.id).toBe(c.expect.vetoed);
      if (c.expect.eligible !== undefined) expect(result.eligible, c.id).toBe(c.expect.eligible);
      const single = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, body: { program: "settlement", date: c.date, facts: c.facts } });
      expect(single.json.score.total, c.id).toBe(result.total);
      expect(
        (r.json.itemIds as string[]).map((id) => single.json.score.items[id]),
        c.id,
      ).toEqual(result.items);
    }
  });

  it("scores a batch in the table form with the figures of the object form, answered in kind", async () => {
    const cases = suzhou.testCases!.filter((t) => t.program === "settlement" && t.date === case01.date);
    const applicants = [...cases.map((c) => ({ id: c.id, facts: c.facts })), { id: "nothing-given", facts: {} }];
    const body = tableForm("settlement", case01.date, applicants);
    expect(body.rows.flat()).toContain(null);
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", { token: tokens.all, body });
    expect(table.status).toBe(200);
    conforms("BatchResponse", table.json);
    conforms("BatchTableResponse", table.json);
    const object = await call("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", { token: tokens.all, body: { program: "settlement", date: case01.date, applicants } });
    conforms("BatchObjectResponse", object.json);

    const columns = table.json.columns as string[];
    expect(columns).toEqual([
      "id",
      "decisionId",
      "inputHash",
      "eligible",
      "vetoed",
      "total",
      "verdict",
      "failedGates",
      ...suzhou.categories.map((c) => `categories/${c.id}`),
      ...suzhou.items.map((i) => `items/${i.id}`),
    ]);
    expect(table.json.rows).toHaveLength(applicants.length);
    for (const [k, result] of (object.json.results as ApiBody[]).entries()) {
      const row = Object.fromEntries(columns.map((name, j) => [name, table.json.rows[k][j]]));
      expect(row.id).toBe(applicants[k].id);
      expect(row.decisionId).toBe(table.json.firstDecisionId + k);
      expect(row, applicants[k].id).toMatchObject({ inputHash: result.inputHash, eligible: result.eligible, vetoed: result.vetoed, total: result.total, verdict: result.verdict, failedGates: result.failedGates });
      expect((object.json.categoryIds as string[]).map((id) => row[`categories/${id}`]), applicants[k].id).toEqual(result.categories);
      expect((object.json.itemIds as string[]).map((id) => row[`items/${id}`]), applicants[k].id).toEqual(result.items);
    }

    const member = await call("GET", `/api/v1/decisions/${table.json.firstDecisionId + applicants.length - 1}`, { token: tokens.all });
    conforms("Decision", member.json);
    expect(member.json).toMatchObject({ input: { facts: {} }, batch: { batchId: table.json.batchId, index: applicants.length - 1, applicantId: "nothing-given" } });
    const replay = await call("POST", `/api/v1/decision-batches/${table.json.batchId}/replay`, { token: tokens.all });
    conforms("BatchReplayResponse", replay.json);
    expect(replay.json).toMatchObject({ identical: true, differingCount: 0 });
  });

  it("ranks the document's ranking cases with their quotas, admitting the expected applicants", async () => {
    for (const ranking of suzhou.rankingCases!) {
      const r = await call("POST", "/api/v1/standards/suzhou/rank", {
        token: tokens.all,
        body: { program: ranking.program, date: ranking.date, quotas: ranking.quotas, applicants: ranking.applicants },
      });
      expect(r.status, ranking.id).toBe(200);
      conforms("RankResponse", r.json);
      const admitted = (r.json.allocation.applicants as Array<{ id: string; admitted: string | null }>).filter((a) => a.admitted).map((a) => a.id);
      expect(admitted.sort(), ranking.id).toEqual([...ranking.expect.admitted].sort());
    }
  });
});

describe("errors name the place", () => {
  it("locates a JSON syntax error by line and column", async () => {
    const r = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, rawBody: '{\n  "program": "settlement",\n  "date": "2016-05-15",\n}' });
    expect(r.status).toBe(400);
    conforms("ErrorBody", r.json);
    expect(r.json.errors[0]).toMatchObject({ code: "api.jsonSyntax", line: 4, path: "" });
    expect(r.json.errors[0].message.en).toMatch(/line 4/);
    expect(r.json.errors[0].message.zh).toMatch(/第 4 行/);
  });

  it("names an unknown program and lists the known ones", async () => {
    const r = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, body: { program: "housing", date: "2016-05-15", facts: {} } });
    expect(r.status).toBe(404);
    conforms("ErrorBody", r.json);
    expect(r.json.errors[0]).toMatchObject({ code: "api.unknownProgram", path: "/program" });
    expect(r.json.errors[0].params.known).toEqual(suzhou.programs.map((p) => p.id));
  });

  it("refuses facts of the wrong type at /facts/<id>, and unknown facts", async () => {
    const r = await call("POST", "/api/v1/standards/suzhou/evaluate", {
      token: tokens.all,
      body: { program: "settlement", date: "2016-05-15", facts: { ...case01.facts, socialInsuranceMonths: "36", educationLevl: "bachelor" } },
    });
    expect(r.status).toBe(422);
    conforms("ErrorBody", r.json);
    const byPath = Object.fromEntries((r.json.errors as Array<{ path: string; code: string }>).map((e) => [e.path, e.code]));
    expect(byPath["/facts/socialInsuranceMonths"]).toBe("api.factType");
    expect(byPath["/facts/educationLevl"]).toBe("api.unknownFact");
  });

  it("locates a wrong fact inside a batch by applicant", async () => {
    const r = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", {
      token: tokens.all,
      body: { program: "settlement", date: "2016-05-15", applicants: [{ id: "a", facts: case01.facts }, { id: "b", facts: { birthDate: "1990/01/01" } }] },
    });
    expect(r.status).toBe(422);
    expect(r.json.errors[0]).toMatchObject({ code: "api.factType", path: "/applicants/1/facts/birthDate" });
  });

  it("locates a wrong cell of a table-form batch at /rows/i/j and an unknown column at /columns/j", async () => {
    const body = tableForm("settlement", "2016-05-15", [
      { id: "a", facts: case01.facts },
      { id: "b", facts: { ...case01.facts, socialInsuranceMonths: "36" } },
    ]);
    const cell = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { token: tokens.all, body });
    expect(cell.status).toBe(422);
    conforms("ErrorBody", cell.json);
    expect(cell.json.errors).toHaveLength(1);
    expect(cell.json.errors[0]).toMatchObject({ code: "api.factType", path: `/rows/1/${body.columns.indexOf("socialInsuranceMonths")}`, params: { fact: "socialInsuranceMonths" } });

    const misspelt = body.columns.indexOf("educationLevel");
    const column = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", {
      token: tokens.all,
      body: { ...body, columns: body.columns.map((c, j) => (j === misspelt ? "educationlevel" : c)) },
    });
    expect(column.status).toBe(422);
    conforms("ErrorBody", column.json);
    expect(column.json.errors[0]).toMatchObject({ code: "api.unknownFact", path: `/columns/${misspelt}`, params: { suggestion: "educationLevel" } });
  });

  it("says when no version is in effect on the date, and when the standard does not exist", async () => {
    const before = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, body: { program: "settlement", date: "2010-01-01", facts: {} } });
    expect(before.status).toBe(404);
    conforms("ErrorBody", before.json);
    expect(before.json.errors[0]).toMatchObject({ code: "api.noVersionInEffect", path: "/date" });
    expect(before.json.errors[0].message.zh).toContain("2010-01-01");
    const unknown = await call("POST", "/api/v1/standards/atlantis/evaluate", { token: tokens.all, body: { program: "settlement", date: "2016-05-15", facts: {} } });
    expect(unknown.status).toBe(404);
    expect(firstCodes(unknown.json)).toEqual(["api.unknownStandard"]);
  });

  it("refuses a missing date and an over-large body with the error shape", async () => {
    const missing = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, body: { program: "settlement" } });
    expect(missing.status).toBe(422);
    expect(missing.json.errors[0]).toMatchObject({ code: "api.required", path: "/date" });
    const big = await call("POST", "/api/v1/standards/suzhou/evaluate", {
      token: tokens.all,
      body: { program: "settlement", date: "2016-05-15", facts: {}, padding: "x".repeat(1024 * 1024 + 10) },
    });
    expect(big.status).toBe(413);
    conforms("ErrorBody", big.json);
    expect(firstCodes(big.json)).toEqual(["api.bodyTooLarge"]);
  });

  it("answers every over-large body with the 413, never a broken pipe, with or without a valid token", async () => {
    // The server used to close the connection while the client was still sending (fetch: EPIPE, about 1 in 13).
    const padding = "x".repeat(1024 * 1024 + 10);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const token = i % 2 === 0 ? tokens.all : "not-a-token";
      const reply = await call("POST", "/api/v1/standards/suzhou/evaluate", { token, body: { program: "settlement", date: "2016-05-15", facts: {}, padding } });
      statuses.push(reply.status);
    }
    expect(statuses).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 413 : 401)));
  });
});

describe("decision log and replay (复核)", () => {
  it("stores the evaluation with the version hash and input hash, and replays it identically", async () => {
    const evaluated = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, body: { program: case01.program, date: case01.date, facts: case01.facts } });
    const decisionId = evaluated.json.decisionId as number;
    const stored = await call("GET", `/api/v1/decisions/${decisionId}`, { token: tokens.all });
    expect(stored.status).toBe(200);
    conforms("Decision", stored.json);
    expect(stored.json).toMatchObject({ versionHash: dbVersionHash("2015").hash, inputHash: evaluated.json.inputHash, output: evaluated.json.score });
    expect(createHash("sha256").update(canonicalJson(stored.json.input)).digest("hex")).toBe(stored.json.inputHash);

    const replay = await call("POST", `/api/v1/decisions/${decisionId}/replay`, { token: tokens.all });
    expect(replay.status).toBe(200);
    conforms("ReplayResponse", replay.json);
    expect(replay.json).toMatchObject({ identical: true, versionHashMatches: true, inputHashMatches: true });
    expect(replay.json.replayed).toEqual(evaluated.json.score);
    expect(replay.json.sheet.total).toBe(evaluated.json.score.total);
  });

  it("replays a ranking decision identically", async () => {
    const ranking = suzhou.rankingCases![0];
    const ranked = await call("POST", "/api/v1/standards/suzhou/rank", {
      token: tokens.all,
      body: { program: ranking.program, date: ranking.date, quotas: ranking.quotas, applicants: ranking.applicants },
    });
    const replay = await call("POST", `/api/v1/decisions/${ranked.json.decisionId}/replay`, { token: tokens.all });
    expect(replay.json.identical).toBe(true);
    expect(replay.json.replayed).toEqual(ranked.json.allocation);
  });

  it("detects a tampered log entry", async () => {
    const evaluated = await call("POST", "/api/v1/standards/suzhou/evaluate", { token: tokens.all, body: { program: case01.program, date: case01.date, facts: case01.facts } });
    const id = evaluated.json.decisionId as number;
    const tampered = { ...evaluated.json.score, total: evaluated.json.score.total + 100 };
    const tamper = db.$client.prepare("update decision_log set output = ? where id = ?");
    // The database refuses; someone with the file and a SQL shell can still drop the trigger, which replay catches.
    expect(() => tamper.run(canonicalJson(tampered), id)).toThrow(/decisions_append_only/);
    const trigger = db.$client.prepare("select sql from sqlite_master where type = 'trigger' and name = 'decision_log_append_only_update'").pluck().get() as string;
    db.$client.exec("drop trigger decision_log_append_only_update");
    db.$client.prepare("update decision_log set output = ? where id = ?").run(canonicalJson(tampered), id);
    db.$client.exec(trigger);
    const replay = await call("POST", `/api/v1/decisions/${id}/replay`, { token: tokens.all });
    expect(replay.json.identical).toBe(false);
    expect(replay.json.recorded.total).toBe(tampered.total);
    expect(replay.json.replayed.total).toBe(evaluated.json.score.total);
  });

  it("logs a batch once, and shows and replays one of its applicants and the whole batch", async () => {
    const cases = suzhou.testCases!.filter((t) => t.program === "settlement" && t.date === case01.date);
    const batch = await call("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", {
      token: tokens.all,
      body: { program: "settlement", date: case01.date, applicants: cases.map((c) => ({ id: c.id, facts: c.facts })) },
    });
    expect(batch.status).toBe(200);
    conforms("BatchResponse", batch.json);
    const last = batch.json.results[cases.length - 1];
    expect(last.inputHash).toBe(createHash("sha256").update(canonicalJson({ facts: cases[cases.length - 1].facts, program: "settlement", date: case01.date })).digest("hex"));

    const member = await call("GET", `/api/v1/decisions/${last.decisionId}`, { token: tokens.all });
    expect(member.status).toBe(200);
    conforms("Decision", member.json);
    expect(member.json).toMatchObject({ inputHash: last.inputHash, versionHash: batch.json.versionHash, batch: { batchId: batch.json.batchId, index: cases.length - 1, applicantId: last.id } });
    expect(member.json.output.total).toBe(last.total);

    const replayMember = await call("POST", `/api/v1/decisions/${last.decisionId}/replay`, { token: tokens.all });
    conforms("ReplayResponse", replayMember.json);
    expect(replayMember.json).toMatchObject({ identical: true, inputHashMatches: true, versionHashMatches: true });
    expect(replayMember.json.sheet.total).toBe(last.total);

    const stored = await call("GET", `/api/v1/decision-batches/${batch.json.batchId}`, { token: tokens.all });
    expect(stored.status).toBe(200);
    conforms("DecisionBatch", stored.json);
    expect(stored.json).toMatchObject({ applicantCount: cases.length, firstDecisionId: batch.json.results[0].decisionId, lastDecisionId: last.decisionId });

    const replayBatch = await call("POST", `/api/v1/decision-batches/${batch.json.batchId}/replay`, { token: tokens.all });
    expect(replayBatch.status).toBe(200);
    conforms("BatchReplayResponse", replayBatch.json);
    expect(replayBatch.json).toMatchObject({ identical: true, differingCount: 0, applicantCount: cases.length });
  });

  it("refuses to change a logged batch in the database", async () => {
    const batch = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", {
      token: tokens.all,
      body: { program: "settlement", date: case01.date, applicants: [{ id: "a", facts: case01.facts }] },
    });
    expect(() => db.$client.prepare("update decision_batches set output = '{}' where id = ?").run(batch.json.batchId)).toThrow(/decisions_append_only/);
    expect(() => db.$client.prepare("delete from decision_batches where id = ?").run(batch.json.batchId)).toThrow(/decisions_append_only/);
  });

  it("answers 404 for an unknown decision", async () => {
    const r = await call("GET", "/api/v1/decisions/999999999", { token: tokens.all });
    expect(r.status).toBe(404);
    expect(firstCodes(r.json)).toEqual(["api.unknownDecision"]);
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a token's bucket is empty", async () => {
    const limited = await startServer({ API_RATE_PER_SECOND: "1", API_RATE_BURST: "3" });
    const limitedDb = openDatabase(limited.databaseUrl);
    try {
      const token = createApiToken(limitedDb, { name: "burst", department: "test", scopes: ["read"] }).token;
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      let body: ApiBody | undefined;
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${limited.url}/api/v1/standards/suzhou?date=2016-05-15`, { headers: { Authorization: `Bearer ${token}` } });
        statuses.push(response.status);
        if (response.status === 429) {
          retryAfter = response.headers.get("retry-after");
          body = (await response.json()) as ApiBody;
        } else await response.arrayBuffer();
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(body!.errors[0].code).toBe("api.rateLimited");
      conforms("ErrorBody", body);
    } finally {
      limitedDb.$client.close();
      await limited.stop();
    }
  });
});
