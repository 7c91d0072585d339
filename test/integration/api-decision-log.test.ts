/**
 * The decision log under the department API: batches logged once and replayable per applicant and whole, the log
 * append-only at the database level, and group commit answering only once a decision is committed; the batch's table
 * form scoring, logging and replaying as the object form does, and batches on batch workers answered as in the
 * receiving thread. Handlers are called in process on a real SQLite file with the committed migrations.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { findBatchOfDecision, getDecision, getDecisionBatch, recordDecisionBatch, recordDecisions, type NewDecision, type NewDecisionBatch } from "../../db/decisions";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { createApiToken, revokeApiToken } from "../../db/tokens";
import { withdraw } from "../../db/workflow";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import { canonicalJson } from "../../rules-schema/canonical";
import { applicationFacts } from "../../rules-schema/persons";
import type { StandardDocument } from "../../rules-schema/types";
import type { Facts } from "../../engine/types";
import { replyText } from "../../app/api/errors.server";
import { handleApiCall, startBatchWorkers } from "../../app/api/handlers.server";
import { batchPoolFor } from "../../app/api/batch-pool.server";
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

afterAll(async () => {
  // The batch workers hold connections to the database file: stopped before it is closed and removed.
  await batchPoolFor(getDb())?.close();
  other.$client.close();
  getDb().$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, body?: unknown) => callAs(token, method, path, body);
/** The same with the body also given as bytes, as the HTTP servers give it: a batch then goes to a ready batch worker. */
const callWithBytes = (method: string, path: string, body?: unknown) => callAs(token, method, path, body, { bytes: true });

async function callAs(bearer: string, method: string, path: string, body?: unknown, options: { bytes?: boolean } = {}) {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const [pathname, search = ""] = path.split("?");
  const reply = await handleApiCall({
    method,
    pathname,
    query: new URLSearchParams(search),
    header: (name) => (name === "authorization" ? `Bearer ${bearer}` : null),
    readText: async () => text,
    ...(options.bytes ? { readBytes: async () => Buffer.from(text) } : {}),
  });
  return { status: reply.status, json: JSON.parse(replyText(reply)) as Body };
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
      results: (batch.json.results as Body[]).map(({ categories, eligible, failedGates, items, total, verdict, vetoed }) => ({ categories, eligible, failedGates, items, total, verdict, vetoed })),
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
    // The sheet counts points for everyone; the answer's total is null where there is no score (decision 047).
    expect(result.total).toBe(result.eligible && !result.vetoed ? replay.json.sheet.total : null);
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

// ---------------------------------------------------------------------------------------------------------
// The table form of a batch: `columns` ("id" and fact ids, any order) and `rows` of cells, a null cell a fact not given.

// Every fact an application can give, the persons' `<person>.<fact>` included (decision 028), as a department sends them.
const factIds = applicationFacts(suzhou).map((f) => f.id);
// The id column placed among the facts: the columns may come in any order.
const columns = [factIds[0], factIds[1], "id", ...factIds.slice(2)];
const column = (name: string) => columns.indexOf(name);
const rowOf = (id: string, facts: Facts) => columns.map((name) => (name === "id" ? id : (facts[name] ?? null)));

/** The facts without `keys` (the object form of a row whose cells for them are null). */
function without(facts: Facts, keys: string[]): Facts {
  return Object.fromEntries(Object.entries(facts).filter(([key]) => !keys.includes(key)));
}

const nulled = ["educationLevel", "homes", "socialInsuranceMonths", "residenceRegistrationDate"];
// Every fourth applicant has some facts not given, and the last none at all.
const gappy: Facts[] = [...cohort.map((facts, i) => (i % 4 === 1 ? without(facts, nulled) : facts)), {}];
const ids = gappy.map((_, i) => `T${i}`);
const tableBody = () => ({ program, date, columns, rows: gappy.map((facts, i) => rowOf(ids[i], facts)) });
const objectBody = () => ({ program, date, applicants: gappy.map((facts, i) => ({ id: ids[i], facts })) });

/** An object-form answer's figures per applicant, named as the table form names its columns. */
function objectFigures(answer: Body): Array<Record<string, unknown>> {
  return (answer.results as Body[]).map((r) => ({
    eligible: r.eligible,
    vetoed: r.vetoed,
    total: r.total,
    verdict: r.verdict,
    failedGates: r.failedGates,
    ...Object.fromEntries((answer.categoryIds as string[]).map((id, c) => [`categories/${id}`, r.categories[c]])),
    ...Object.fromEntries((answer.itemIds as string[]).map((id, i) => [`items/${id}`, r.items[i]])),
  }));
}

/** A table-form answer's figures per row by column name, without the id, decision id and input hash. */
function tableFigures(answer: Body): Array<Record<string, unknown>> {
  const names = answer.columns as string[];
  return (answer.rows as unknown[][]).map((row) => Object.fromEntries(names.map((name, j) => [name, row[j]]).filter(([name]) => !["id", "decisionId", "inputHash"].includes(name as string))));
}

/** Cell `name` of row `index` of a table-form answer. */
const cell = (answer: Body, index: number, name: string) => (answer.rows as unknown[][])[index][(answer.columns as string[]).indexOf(name)];

const batchCount = () => other.$client.prepare("select count(*) from decision_batches").pluck().get() as number;

/** Posts a batch that must be refused with 422, and checks that nothing was logged. */
async function refused(body: unknown, send = call) {
  const before = batchCount();
  const answer = await send("POST", "/api/v1/standards/suzhou/evaluate/batch", body);
  expect(answer.status).toBe(422);
  expect(batchCount()).toBe(before);
  return answer.json.errors as Array<{ code: string; path: string; message: { zh: string; en: string }; params: Body }>;
}

describe("the table form of a batch", () => {
  it("gives exactly the figures of the object form, null cells scoring as facts left out", async () => {
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", tableBody());
    const object = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", objectBody());
    expect(table.status).toBe(200);
    expect(object.status).toBe(200);
    expect(table.json).toMatchObject({ standardId: "suzhou", versionId: object.json.versionId, versionHash: object.json.versionHash, program, date });
    expect(table.json.columns).toEqual([
      "id",
      "decisionId",
      "eligible",
      "vetoed",
      "total",
      "verdict",
      "failedGates",
      ...(object.json.categoryIds as string[]).map((id) => `categories/${id}`),
      ...(object.json.itemIds as string[]).map((id) => `items/${id}`),
    ]);
    expect(table.json.rows.map((row: unknown[]) => row[0])).toEqual(ids);
    expect(tableFigures(table.json)).toEqual(objectFigures(object.json));

    // The null cells matter: those applicants score otherwise with all their facts given.
    const full = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, columns, rows: cohort.map((facts, i) => rowOf(ids[i], facts)) });
    const totals = (answer: Body) => tableFigures(answer).map((r) => r.total);
    const gappyIndexes = cohort.map((_, i) => i).filter((i) => i % 4 === 1);
    expect(gappyIndexes.some((i) => totals(full.json)[i] !== totals(table.json)[i])).toBe(true);
    // ...and a row of nothing but nulls scores as an applicant with no facts.
    const single = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: {} });
    expect(cell(table.json, gappy.length - 1, "total")).toBe(single.json.score.total);
    expect(cell(table.json, gappy.length - 1, "eligible")).toBe(single.json.score.eligible);
  });

  it("gives back in both forms, exactly, ids that JSON must escape or that are not ASCII", async () => {
    const odd = ['say "hi"', "back\\slash", "tab\there", "新区-001", "😀 emoji", "lone \ud800 surrogate", "line\u2028separator"];
    const facts = odd.map((_, i) => cohort[i]);
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, columns, rows: facts.map((f, i) => rowOf(odd[i], f)) });
    const object = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program, date, applicants: facts.map((f, i) => ({ id: odd[i], facts: f })) });
    expect(table.status).toBe(200);
    expect(object.status).toBe(200);
    expect(table.json.rows.map((row: unknown[]) => row[0])).toEqual(odd);
    expect(object.json.results.map((r: Body) => r.id)).toEqual(odd);
  });

  it("logs the body as received and the cells, once, with consecutive decision ids from firstDecisionId", async () => {
    const text = JSON.stringify(tableBody(), null, 2);
    const before = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: cohort[0] });
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", text);
    expect(table.status).toBe(200);
    const first = table.json.firstDecisionId as number;
    expect(first).toBeGreaterThan(before.json.decisionId);
    expect(table.json.rows.map((row: unknown[]) => row[1])).toEqual(gappy.map((_, i) => first + i));

    const stored = getDecisionBatch(other, table.json.batchId)!;
    expect(stored).toMatchObject({ firstDecisionId: first, applicantCount: gappy.length, input: text, inputHash: sha256(text), versionHash: table.json.versionHash });
    const logged = JSON.parse(stored.output) as Body;
    expect(Object.keys(logged)).toEqual(["categoryIds", "itemIds", "rows"]);
    expect(logged.rows).toEqual((table.json.rows as unknown[][]).map((row) => row.slice(2)));
    expect(findBatchOfDecision(other, first + gappy.length - 1)).toMatchObject({ index: gappy.length - 1, batch: { id: stored.id } });
    expect(findBatchOfDecision(other, first + gappy.length)).toBeUndefined();

    const batch = await call("GET", `/api/v1/decision-batches/${table.json.batchId}`);
    expect(batch.json).toMatchObject({ firstDecisionId: first, lastDecisionId: first + gappy.length - 1, applicantCount: gappy.length, inputHash: sha256(text) });
  });

  it("shows an applicant as the decision a single evaluation of its facts logs, input hashes included on request", async () => {
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", tableBody());
    expect(table.status).toBe(200);
    expect(table.json.columns.slice(0, 4)).toEqual(["id", "decisionId", "inputHash", "eligible"]);
    for (const index of [0, 1, 5, gappy.length - 1]) {
      const row = table.json.rows[index] as unknown[];
      const single = await call("POST", "/api/v1/standards/suzhou/evaluate", { program, date, facts: gappy[index] });
      expect(single.status).toBe(200);
      expect(row[2], `row ${index}`).toBe(single.json.inputHash);
      const member = await call("GET", `/api/v1/decisions/${row[1]}`);
      const singleLogged = await call("GET", `/api/v1/decisions/${single.json.decisionId}`);
      expect(member.status).toBe(200);
      expect(member.json.input, `row ${index}`).toEqual(singleLogged.json.input);
      expect(member.json).toMatchObject({
        decisionId: row[1],
        inputHash: singleLogged.json.inputHash,
        output: singleLogged.json.output,
        batch: { batchId: table.json.batchId, index, applicantId: ids[index] },
      });
      // Null cells are left out of the input, not logged as null.
      if (index === 1) for (const key of nulled) expect(Object.keys(member.json.input.facts)).not.toContain(key);
    }
  });

  it("replays one applicant and the whole batch identically", async () => {
    const table = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", tableBody());
    for (const index of [1, 2]) {
      const row = table.json.rows[index] as unknown[];
      const replay = await call("POST", `/api/v1/decisions/${row[1]}/replay`);
      expect(replay.status).toBe(200);
      expect(replay.json).toMatchObject({ decisionId: row[1], identical: true, inputHashMatches: true, versionHashMatches: true, batch: { index, applicantId: ids[index] } });
      expect(replay.json.replayed.total).toBe(cell(table.json, index, "total"));
      expect(cell(table.json, index, "total")).toBe(replay.json.replayed.eligible && !replay.json.replayed.vetoed ? replay.json.sheet.total : null);
    }
    const replay = await call("POST", `/api/v1/decision-batches/${table.json.batchId}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ identical: true, inputHashMatches: true, versionHashMatches: true, differingCount: 0, differences: [], applicantCount: gappy.length, firstDecisionId: table.json.firstDecisionId });
  });

  it("locates a cell that does not fit its fact at /rows/i/j, a record field inside it, and logs nothing", async () => {
    const body = tableBody();
    body.rows[2][column("socialInsuranceMonths")] = "36";
    body.rows[4][column("homes")] = [{ areaM2: "big", owner: "self", inUrbanDistrict: true }];
    body.rows[6][column("educationLevel")] = "Bachelor";
    const errors = await refused(body);
    expect(errors.map((e) => [e.code, e.path])).toEqual([
      ["api.factType", `/rows/2/${column("socialInsuranceMonths")}`],
      ["api.factType", `/rows/4/${column("homes")}/0/areaM2`],
      ["api.factType", `/rows/6/${column("educationLevel")}`],
    ]);
    expect(errors[0].params).toMatchObject({ fact: "socialInsuranceMonths", type: "integer" });
    expect(errors[1].params.fact).toBe("areaM2");
    expect(errors[2].params.fact).toBe("educationLevel");
    expect(errors[0].message.en).toContain("socialInsuranceMonths");
    expect(errors[0].message.zh).toContain("socialInsuranceMonths");
  });

  it("locates a column that is not a fact at /columns/j, suggesting the fact for a near miss", async () => {
    const body = tableBody();
    body.columns = columns.map((name) => (name === "educationLevel" ? "educationlevel" : name === "skillLevel" ? "age" : name === "schoolId" ? "favouriteColour" : name));
    const errors = await refused(body);
    expect(errors).toEqual([
      expect.objectContaining({ code: "api.unknownFact", path: `/columns/${column("educationLevel")}`, params: { id: "educationlevel", suggestion: "educationLevel" } }),
      expect.objectContaining({ code: "api.derivedFact", path: `/columns/${column("skillLevel")}`, params: { id: "age" } }),
      expect.objectContaining({ code: "api.unknownFact", path: `/columns/${column("schoolId")}`, params: { id: "favouriteColour" } }),
    ]);
    expect(errors[0].message.en).toContain('did you mean "educationLevel"');
  });

  it("refuses a column named twice or not named with text", async () => {
    const twice = await refused({ program, date, columns: ["id", "birthDate", "birthDate"], rows: [["a", "1980-01-01", "1980-01-01"]] });
    expect(twice).toEqual([expect.objectContaining({ code: "api.duplicateColumn", path: "/columns/2", params: { column: "birthDate" } })]);
    const unnamed = await refused({ program, date, columns: ["id", 7], rows: [["a", 1]] });
    expect(unnamed).toEqual([expect.objectContaining({ code: "api.columnName", path: "/columns/1" })]);
  });

  it("refuses a row that is not one cell per column at /rows/i", async () => {
    const body = tableBody() as { program: string; date: string; columns: string[]; rows: unknown[] };
    body.rows[1] = (body.rows[1] as unknown[]).slice(0, -1);
    body.rows[3] = { id: "T3" };
    body.rows[5] = [...(body.rows[5] as unknown[]), null];
    const errors = await refused(body);
    expect(errors.map((e) => [e.code, e.path, e.params])).toEqual([
      ["api.rowShape", "/rows/1", { expected: columns.length, cells: columns.length - 1 }],
      ["api.rowShape", "/rows/3", { expected: columns.length }],
      ["api.rowShape", "/rows/5", { expected: columns.length, cells: columns.length + 1 }],
    ]);
  });

  it("refuses a syntax error in the rows as such, ahead of anything else wrong, when the rows are read from the body's bytes", async () => {
    // No program, and a comma too many after the last row: the syntax error is what is reported, with its place.
    const rows = JSON.stringify(tableBody().rows);
    const broken = `{"date":"${date}","columns":${JSON.stringify(columns)},"rows":${rows.slice(0, -1)},]}`;
    const before = batchCount();
    for (const send of [call, callWithBytes]) {
      const answer = await send("POST", "/api/v1/standards/suzhou/evaluate/batch", broken);
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: "api.jsonSyntax", line: 1, column: expect.any(Number) });
    }
    // With the rows mended, the missing program is what is refused.
    const mended = await callWithBytes("POST", "/api/v1/standards/suzhou/evaluate/batch", `{"date":"${date}","columns":${JSON.stringify(columns)},"rows":${rows}}`);
    expect(mended.status).toBe(422);
    expect(mended.json.errors[0]).toMatchObject({ code: "api.required", path: "/program" });
    expect(batchCount()).toBe(before);
  });

  it("answers a batch whose rows are read from its bytes exactly as one read from its text, escaped texts included", async () => {
    const body = tableBody();
    // An escaped id is read the usual way: the answer is the same.
    body.rows[0][column("id")] = 'T0 "quoted"';
    const fromBytes = await callWithBytes("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", body);
    const fromText = await call("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", body);
    expect(fromBytes.status).toBe(200);
    const withoutIds = (answer: Body) => (answer.rows as unknown[][]).map((row) => row.filter((_, j) => j !== 1));
    expect(withoutIds(fromBytes.json)).toEqual(withoutIds(fromText.json));
    expect(fromBytes.json.rows[0][0]).toBe('T0 "quoted"');
  });

  it("refuses a body with both forms, without the id column, without rows or columns, and a row without an id", async () => {
    const both = await refused({ ...tableBody(), applicants: objectBody().applicants });
    expect(both).toEqual([expect.objectContaining({ code: "api.twoApplicantForms", path: "/applicants" })]);

    const noId = await refused({ program, date, columns: factIds, rows: gappy.slice(0, 2).map((facts) => factIds.map((id) => facts[id] ?? null)) });
    expect(noId).toEqual([expect.objectContaining({ code: "api.required", path: "/columns", params: { property: "id" } })]);

    const noRows = await refused({ program, date, columns, rows: [] });
    expect(noRows).toEqual([expect.objectContaining({ code: "api.required", path: "/rows" })]);
    const noColumns = await refused({ program, date, rows: [["a"]] });
    expect(noColumns).toEqual([expect.objectContaining({ code: "api.required", path: "/columns" })]);

    const body = tableBody();
    body.rows[3][column("id")] = null;
    body.rows[4][column("id")] = "";
    const missingIds = await refused(body);
    expect(missingIds.map((e) => [e.code, e.path])).toEqual([
      ["api.required", `/rows/3/${column("id")}`],
      ["api.required", `/rows/4/${column("id")}`],
    ]);
  });

  it("ranks a cohort in the table form as in the object form, and refuses a duplicate id at its cell", async () => {
    const ranking = suzhou.rankingCases![0];
    const facts = ranking.applicants.map((a) => a.facts ?? {});
    const object = await call("POST", "/api/v1/standards/suzhou/rank", { program: ranking.program, date: ranking.date, quotas: ranking.quotas, applicants: ranking.applicants });
    const table = await call("POST", "/api/v1/standards/suzhou/rank", {
      program: ranking.program,
      date: ranking.date,
      quotas: ranking.quotas,
      columns,
      rows: ranking.applicants.map((a, i) => rowOf(a.id, facts[i])),
    });
    expect(object.status).toBe(200);
    expect(table.status).toBe(200);
    expect(table.json.allocation).toEqual(object.json.allocation);
    expect(table.json.inputHash).toBe(object.json.inputHash);

    const rows = ranking.applicants.map((a, i) => rowOf(a.id, facts[i]));
    rows[3][column("id")] = rows[0][column("id")];
    const duplicate = await call("POST", "/api/v1/standards/suzhou/rank", { program: ranking.program, date: ranking.date, quotas: ranking.quotas, columns, rows });
    expect(duplicate.status).toBe(422);
    expect(duplicate.json.errors).toEqual([expect.objectContaining({ code: "api.duplicateApplicant", path: `/rows/3/${column("id")}`, params: { id: ranking.applicants[0].id } })]);
  });
});

describe("batches on batch workers", () => {
  const answered = () => batchPoolFor(getDb())!.answered().reduce((sum, n) => sum + n, 0);
  /** An answer without what differs from one batch to the next: its batch and decision ids. */
  const figures = (answer: Body): Body => {
    const { batchId: _batch, firstDecisionId: _first, ...rest } = answer;
    if (rest.rows) return { ...rest, rows: (rest.rows as unknown[][]).map((row) => row.filter((_, j) => j !== 1)) };
    return { ...rest, results: (rest.results as Body[]).map(({ decisionId: _id, ...result }) => result) };
  };

  // The workers load the API through tsx on their own threads: given more than the default hook time on a busy machine.
  beforeAll(async () => {
    expect(await startBatchWorkers()).toBe(true);
  }, 60_000);

  it("answers a table-form batch on a worker exactly as the receiving thread does, and logs it", async () => {
    const before = answered();
    const onWorker = await callWithBytes("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", tableBody());
    expect(answered()).toBe(before + 1);
    const inThread = await call("POST", "/api/v1/standards/suzhou/evaluate/batch?inputHashes=true", tableBody());
    expect(answered()).toBe(before + 1);
    expect(onWorker.status).toBe(200);
    expect(inThread.status).toBe(200);
    expect(figures(onWorker.json)).toEqual(figures(inThread.json));
    expect(onWorker.json.batchId).not.toBe(inThread.json.batchId);
    expect(onWorker.json.rows.map((row: unknown[]) => row[1])).toEqual(gappy.map((_, i) => onWorker.json.firstDecisionId + i));

    // Logged by the worker's own connection, and read back and replayed by this one.
    const stored = getDecisionBatch(other, onWorker.json.batchId)!;
    expect(stored).toMatchObject({ firstDecisionId: onWorker.json.firstDecisionId, applicantCount: gappy.length, input: JSON.stringify(tableBody()) });
    const replay = await call("POST", `/api/v1/decision-batches/${onWorker.json.batchId}/replay`);
    expect(replay.json).toMatchObject({ identical: true, differingCount: 0 });
    const member = await call("GET", `/api/v1/decisions/${onWorker.json.rows[1][1]}`);
    expect(member.json).toMatchObject({ inputHash: onWorker.json.rows[1][2], batch: { batchId: onWorker.json.batchId, index: 1 } });
  });

  it("logs a worker's batch body as the text received, hashed as that text, for Chinese text and for bytes that are not UTF-8", async () => {
    const chinese = { ...tableBody(), rows: tableBody().rows.map((row, i) => row.map((cell, j) => (j === column("id") ? `申请人-${i}` : cell))) };
    const text = JSON.stringify(chinese);
    const answer = await callWithBytes("POST", "/api/v1/standards/suzhou/evaluate/batch", chinese);
    expect(answer.status).toBe(200);
    expect(getDecisionBatch(other, answer.json.batchId)).toMatchObject({ input: text, inputHash: sha256(text) });

    // A byte that is not UTF-8 inside an id reads as U+FFFD: the log keeps the text as read, with that text's hash.
    const marker = Buffer.from('"T0"');
    const raw = Buffer.from(JSON.stringify(tableBody()));
    const at = raw.indexOf(marker);
    const bytes = Buffer.concat([raw.subarray(0, at + 2), Buffer.from([0xff]), raw.subarray(at + 2)]);
    // Read before the call: the body's buffer is moved to the worker.
    const read = bytes.toString("utf8");
    const reply = await handleApiCall({
      method: "POST",
      pathname: "/api/v1/standards/suzhou/evaluate/batch",
      query: new URLSearchParams(),
      header: (name) => (name === "authorization" ? `Bearer ${token}` : null),
      readText: async () => read,
      readBytes: async () => bytes,
    });
    expect(reply.status).toBe(200);
    expect(read).toContain("T\ufffd0");
    const logged = getDecisionBatch(other, (JSON.parse(replyText(reply)) as Body).batchId)!;
    expect(logged.input).toBe(read);
    expect(logged.inputHash).toBe(sha256(read));
  });

  it("refuses a batch on a worker whose token is revoked after the receiving thread accepted it, logging nothing", async () => {
    const { token: soonRevoked, record } = createApiToken(other, { name: "batch in flight", department: "公安", scopes: ["evaluate"] });
    const before = batchCount();
    const inFlight = callAs(soonRevoked, "POST", "/api/v1/standards/suzhou/evaluate/batch", tableBody(), { bytes: true });
    // The receiving thread has checked the token by now; the worker has not started.
    expect(revokeApiToken(other, record.id)).toBe(true);
    const answer = await inFlight;
    expect(answer.status).toBe(401);
    expect(answer.json.errors[0].code).toBe("api.tokenRevoked");
    expect(batchCount()).toBe(before);
  });

  it("refuses a batch whose token is revoked while a worker scores it, when the worker commits, logging nothing", async () => {
    const { token: soonRevoked, record } = createApiToken(other, { name: "batch being scored", department: "公安", scopes: ["evaluate"] });
    // A first batch, so that the receiving thread has recorded the token's use (a write) before the lock is taken.
    expect((await callAs(soonRevoked, "POST", "/api/v1/standards/suzhou/evaluate/batch", tableBody(), { bytes: true })).status).toBe(200);
    const before = batchCount();
    // This connection takes the write lock and revokes the token inside a transaction it does not commit yet. The
    // receiving thread and the worker, on starting, read only what is committed: for them the token is in force.
    // The worker scores the batch and waits for the lock to log it; the revocation commits while it waits. Only the
    // worker's check at its commit can refuse the batch now.
    other.$client.exec("BEGIN IMMEDIATE");
    let open = true;
    try {
      expect(revokeApiToken(other, record.id)).toBe(true);
      const inFlight = callAs(soonRevoked, "POST", "/api/v1/standards/suzhou/evaluate/batch", tableBody(), { bytes: true });
      await new Promise((wake) => setTimeout(wake, 500));
      other.$client.exec("COMMIT");
      open = false;
      const answer = await inFlight;
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0].code).toBe("api.tokenRevoked");
    } finally {
      if (open) other.$client.exec("ROLLBACK");
    }
    expect(batchCount()).toBe(before);
  });

  it("answers an object-form batch on a worker exactly as the receiving thread does", async () => {
    const before = answered();
    const onWorker = await callWithBytes("POST", "/api/v1/standards/suzhou/evaluate/batch", objectBody());
    const inThread = await call("POST", "/api/v1/standards/suzhou/evaluate/batch", objectBody());
    expect(answered()).toBe(before + 1);
    expect(onWorker.status).toBe(200);
    expect(figures(onWorker.json)).toEqual(figures(inThread.json));
  });

  it("refuses a batch on a worker with the same error body as the receiving thread, logging nothing", async () => {
    const body = tableBody();
    body.rows[2][column("birthDate")] = "1990/01/01";
    const before = answered();
    const onWorker = await refused(body, callWithBytes);
    expect(answered()).toBe(before + 1);
    const inThread = await refused(body);
    expect(onWorker).toEqual(inThread);
    expect(onWorker).toEqual([expect.objectContaining({ code: "api.factType", path: `/rows/2/${column("birthDate")}`, params: expect.objectContaining({ fact: "birthDate" }) })]);

    const badColumn = { ...tableBody(), columns: columns.map((name) => (name === "homes" ? "Homes" : name)) };
    const onWorkerColumn = await refused(badColumn, callWithBytes);
    expect(onWorkerColumn).toEqual(await refused(badColumn));
    expect(onWorkerColumn[0]).toMatchObject({ code: "api.unknownFact", path: `/columns/${column("homes")}`, params: { suggestion: "homes" } });
    expect(answered()).toBe(before + 2);
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
    // Otherwise a well-formed next row of the batches' hash chain, so that only the block of ids is at fault.
    const insert = db.$client.prepare(
      `insert into decision_batches (id, prev_hash, row_hash, standard_id, version_id, version_hash, program_id, evaluation_date, first_decision_id, applicant_count, input, input_hash, output)
       values ((select max(id) + 1 from decision_batches), (select row_hash from decision_batches order by id desc limit 1), 'h',
               'suzhou', 1, 'h', 'settlement', '2016-05-15', ?, ?, '{}', 'h', '{}')`,
    );
    expect(() => insert.run(firstDecisionId + 1000, 1)).toThrow(/decision_ids_reserved/);
    expect(() => insert.run(firstDecisionId + 1, 1)).toThrow(/decision_ids_reserved/);
    const [single] = recordDecisions(db, [someDecision()]);
    expect(() => insert.run(single, 1)).toThrow(/decision_ids_reserved/);
    expect(() => insert.run(1, 0)).toThrow(/decision_ids_reserved/);
  });
});

describe("group commit of single evaluations", () => {
  // A decision made on the current generation holds. It may still be rechecked: a checkpoint that restarts or truncates
  // the WAL (the batch pool's checkpointer thread runs them) moves SQLite's data_version with nothing committed, so the
  // commit sees "may have changed" and rechecks, which keeps a decision that still holds.
  const unchanged = () => {};

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
