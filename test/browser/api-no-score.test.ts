/**
 * Issue 20, "an applicant who fails a gate or veto has no total in any output", in the department API (decision 047):
 * over real HTTP against the production server, every answer (single, explained, batch in both forms, rank, a logged
 * decision) gives `total: null` and the verdict for the ineligible and the vetoed, and decisions logged in the form
 * before 047 (a number as everyone's total, no verdict) still replay as identical. No browser needed.
 */
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { getDecision, getDecisionBatch, recordDecision, recordDecisionBatch } from "../../db/decisions";
import { createApiToken } from "../../db/tokens";
import { canonicalJson } from "../../rules-schema/canonical";
import type { StandardDocument } from "../../rules-schema/types";
import { startServer, type RunningServer } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ApiBody = Record<string, any>;

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const testCase = (id: string) => suzhou.testCases!.find((t) => t.id === id)!;
const admitted = testCase("tc01_ordinary_graduate");
const ineligible = testCase("tc05_gate_settlement_housing");
const vetoed = testCase("tc07_fraud_ban_inside");
const program = "settlement";
const date = admitted.date;
const cases = [admitted, ineligible, vetoed];

let server: RunningServer;
let db: JifenDb;
let token: string;
let tokenId: number;
let ajv: Ajv2020;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: JSON.parse(await response.text()) as ApiBody };
}

function conforms(schemaName: string, body: unknown): void {
  const validate = ajv.getSchema(`jifen-api#/components/schemas/${schemaName}`)!;
  validate(body);
  expect(validate.errors ?? [], schemaName).toEqual([]);
}

/** The points the engine counts for a case (the explained sheet's total, given to engineers who ask for it). */
async function pointsCounted(facts: unknown): Promise<number> {
  const explained = await call("POST", "/api/v1/standards/suzhou/evaluate?explain=true", { program, date, facts });
  return explained.json.sheet.total as number;
}

beforeAll(async () => {
  server = await startServer();
  db = openDatabase(server.databaseUrl);
  const created = createApiToken(db, { name: "no-score", department: "人社局", scopes: ["evaluate", "rank", "read"] });
  token = created.token;
  tokenId = created.record.id;
  const openapi = await call("GET", "/api/v1/openapi.json");
  ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ ...openapi.json, $id: "jifen-api" });
});

afterAll(async () => {
  db?.$client.close();
  await server?.stop();
});

describe("no total without a score, in every answer of the department API", () => {
  it("answers a single evaluation with total null and the verdict for the ineligible and the vetoed, and the total for the others", async () => {
    const expected = { [admitted.id]: "admitted", [ineligible.id]: "ineligible", [vetoed.id]: "vetoed" };
    for (const c of cases) {
      const plain = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: c.facts });
      expect(plain.status).toBe(200);
      conforms("EvaluateResponse", plain.json);
      expect(plain.json.score.verdict, c.id).toBe(expected[c.id]);
      const explained = await call("POST", "/api/v1/standards/suzhou/evaluate?explain=true", { program, date, facts: c.facts });
      conforms("EvaluateResponse", explained.json);
      expect(explained.json.score, c.id).toEqual(plain.json.score);
      expect(explained.json.verdict).toBe(expected[c.id]);
      expect(explained.json.explanation.total).toBe(plain.json.score.total);
      if (c === admitted) {
        expect(plain.json.score.total).toBe(admitted.expect.total ?? explained.json.sheet.total);
        expect(plain.json.score.total).toBeGreaterThan(0);
      } else {
        expect(plain.json.score.total, c.id).toBeNull();
        // The points counted stay where an engineer explicitly asks for the engine's sheet.
        expect(typeof explained.json.sheet.total).toBe("number");
      }
      const logged = await call("GET", `/api/v1/decisions/${plain.json.decisionId}`);
      expect(logged.json.output).toEqual(plain.json.score);
      const replay = await call("POST", `/api/v1/decisions/${plain.json.decisionId}/replay`);
      expect(replay.json).toMatchObject({ identical: true, recorded: plain.json.score, replayed: plain.json.score });
    }
  });

  it("answers a batch, in both forms, with total null and the verdict where there is no score", async () => {
    const applicants = cases.map((c) => ({ id: c.id, facts: c.facts }));
    const object = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, applicants });
    expect(object.status).toBe(200);
    conforms("BatchObjectResponse", object.json);
    expect(object.json.results.map((r: ApiBody) => [r.total === null, r.verdict])).toEqual([
      [false, "admitted"],
      [true, "ineligible"],
      [true, "vetoed"],
    ]);
    const columns = ["id", ...suzhou.facts.map((f) => f.id)];
    const rows = applicants.map((a) => columns.map((name) => (name === "id" ? a.id : ((a.facts as Record<string, unknown>)[name] ?? null))));
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, columns, rows });
    expect(table.status).toBe(200);
    conforms("BatchTableResponse", table.json);
    const names = table.json.columns as string[];
    const cell = (i: number, name: string) => table.json.rows[i][names.indexOf(name)];
    for (const [i, result] of (object.json.results as ApiBody[]).entries()) {
      expect(cell(i, "total"), result.id).toBe(result.total);
      expect(cell(i, "verdict"), result.id).toBe(result.verdict);
    }
    for (const answer of [object.json, table.json]) {
      const replay = await call("POST", `/api/v1/decision-batches/${answer.batchId}/replay`);
      expect(replay.json).toMatchObject({ identical: true, differingCount: 0 });
    }
  });

  it("ranks with total null for the applicants who have no score, the reason saying why", async () => {
    const applicants = cases.map((c) => ({ id: c.id, facts: c.facts }));
    const ranked = await call("POST", "/api/v1/standards/suzhou/rank", { program, date, quotas: { "*": 2 }, applicants });
    expect(ranked.status).toBe(200);
    conforms("RankResponse", ranked.json);
    const byId = Object.fromEntries((ranked.json.allocation.applicants as ApiBody[]).map((a) => [a.id, a]));
    expect(byId[admitted.id]).toMatchObject({ admitted: "round1" });
    expect(typeof byId[admitted.id].total).toBe("number");
    expect(byId[ineligible.id]).toMatchObject({ total: null, reason: "ineligible", admitted: null });
    expect(byId[vetoed.id]).toMatchObject({ total: null, reason: "vetoed", admitted: null });
    const replay = await call("POST", `/api/v1/decisions/${ranked.json.decisionId}/replay`);
    expect(replay.json).toMatchObject({ identical: true });
  });
});

describe("decisions logged before decision 047 replay as they were logged", () => {
  const versionRow = () => db.$client.prepare("select id, content_hash as hash from standard_versions where standard_id = 'suzhou' and version_label = '2015'").get() as { id: number; hash: string };

  it("replays a single evaluation logged with the engine's total and no verdict as identical, and a changed one as not", async () => {
    const answer = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: vetoed.facts });
    const logged = getDecision(db, answer.json.decisionId)!;
    const { verdict: _verdict, ...rest } = answer.json.score as ApiBody;
    const before047 = { ...rest, total: await pointsCounted(vetoed.facts) };
    expect(typeof before047.total).toBe("number");
    const record = (output: unknown) =>
      recordDecision(db, { ...logged, tokenId, programId: logged.programId, evaluationDate: logged.evaluationDate, output: canonicalJson(output) });
    const oldId = record(before047);
    const replay = await call("POST", `/api/v1/decisions/${oldId}/replay`);
    expect(replay.status).toBe(200);
    conforms("ReplayResponse", replay.json);
    expect(replay.json).toMatchObject({ identical: true, recorded: before047, replayed: before047 });
    const shown = await call("GET", `/api/v1/decisions/${oldId}`);
    expect(shown.json.output).toEqual(before047);

    const tamperedId = record({ ...before047, total: before047.total + 1 });
    const tampered = await call("POST", `/api/v1/decisions/${tamperedId}/replay`);
    expect(tampered.json).toMatchObject({ identical: false, replayed: before047 });
  });

  it("replays a batch logged in either form before 047 as identical", async () => {
    const applicants = cases.map((c) => ({ id: c.id, facts: c.facts }));
    const counted = await Promise.all(cases.map((c) => pointsCounted(c.facts)));
    const object = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, applicants });
    const stored = JSON.parse(getDecisionBatch(db, object.json.batchId)!.output) as ApiBody;
    const oldResults = (stored.results as ApiBody[]).map(({ verdict: _verdict, ...rest }, i) => ({ ...rest, total: counted[i] }));
    const { id, hash } = versionRow();
    const body = JSON.stringify({ program, date, applicants });
    const base = { tokenId, standardId: "suzhou", versionId: id, versionHash: hash, programId: program, evaluationDate: date, applicantCount: cases.length, input: body, inputHash: getDecisionBatch(db, object.json.batchId)!.inputHash };
    const oldObject = recordDecisionBatch(db, { ...base, input: getDecisionBatch(db, object.json.batchId)!.input, output: canonicalJson({ ...stored, results: oldResults }) });

    const columns = ["id", ...suzhou.facts.map((f) => f.id)];
    const rows = applicants.map((a) => columns.map((name) => (name === "id" ? a.id : ((a.facts as Record<string, unknown>)[name] ?? null))));
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, columns, rows });
    const tableStored = getDecisionBatch(db, table.json.batchId)!;
    const tableOutput = JSON.parse(tableStored.output) as ApiBody;
    // Before 047 a row was [eligible, vetoed, total, failedGates, …]: no verdict cell, the engine's total.
    const oldRows = (tableOutput.rows as unknown[][]).map((row, i) => [row[0], row[1], counted[i], ...row.slice(4)]);
    const oldTable = recordDecisionBatch(db, { ...base, input: tableStored.input, inputHash: tableStored.inputHash, output: JSON.stringify({ ...tableOutput, rows: oldRows }) });

    for (const batch of [oldObject, oldTable]) {
      const replay = await call("POST", `/api/v1/decision-batches/${batch.batchId}/replay`);
      expect(replay.status).toBe(200);
      expect(replay.json).toMatchObject({ identical: true, differingCount: 0 });
      const member = await call("POST", `/api/v1/decisions/${batch.firstDecisionId + 2}/replay`);
      expect(member.json).toMatchObject({ identical: true, recorded: { total: counted[2], vetoed: true }, replayed: { total: counted[2] } });
      expect(member.json.recorded.verdict).toBeUndefined();
    }
  });

  it("replays a ranking logged with numbers as the totals of the ineligible and the vetoed as identical", async () => {
    const applicants = cases.map((c) => ({ id: c.id, facts: c.facts }));
    const ranked = await call("POST", "/api/v1/standards/suzhou/rank", { program, date, quotas: { "*": 2 }, applicants });
    const logged = getDecision(db, ranked.json.decisionId)!;
    const counted = Object.fromEntries(await Promise.all(cases.map(async (c) => [c.id, await pointsCounted(c.facts)] as const)));
    const allocation = JSON.parse(logged.output) as ApiBody;
    const before047 = { ...allocation, applicants: (allocation.applicants as ApiBody[]).map((a) => ({ ...a, total: counted[a.id] })) };
    const oldId = recordDecision(db, { ...logged, tokenId, output: canonicalJson(before047) });
    const replay = await call("POST", `/api/v1/decisions/${oldId}/replay`);
    expect(replay.json).toMatchObject({ identical: true, replayed: before047 });
  });
});
