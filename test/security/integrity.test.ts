/**
 * Issue 18, "Records that claim to be immutable are not": every attack of that list, tried with plain SQL as a person
 * with a sqlite3 shell would, is refused by the database itself (the committed migrations); and what the guards
 * cannot stop (someone who drops them first) is detected by the hash chains and `jifen audit verify`.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../db/audit";
import { chainRowHash, decisionFields, decisionRowHash, GENESIS_HASH } from "../../db/chain";
import { createCohort } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { recordDecisionBatch, recordDecisions, type NewDecision } from "../../db/decisions";
import { verifyIntegrity } from "../../db/integrity";
import { migrateDatabase, MIGRATIONS_FOLDER } from "../../db/migrate";
import { recordSimulationRun } from "../../db/runs";
import { createStandardWithVersion, createVersion, getVersion } from "../../db/standards";
import { createUser, type Role } from "../../db/users";
import { approve, publish, returnToDraft, startRevision, submitForReview, withdraw, type Actor } from "../../db/workflow";
import { createHash } from "node:crypto";

const STANDARD = { id: "testcity", jurisdiction: { code: "000000", zh: "测试市", en: "Test City" }, title: { zh: "测试标准", en: "Test standard" } };
const OK = { documentValid: true, casesPassed: true };
const dirs: string[] = [];

let db: JifenDb;
let drafter: Actor;
let reviewer: Actor;
let publisher: Actor;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "jifen-integrity-"));
  dirs.push(dir);
  return dir;
}

async function actor(username: string, roles: Role[]): Promise<Actor> {
  return { id: await createUser(db, { username, displayName: username, password: "pw-for-tests", roles }), roles };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function simulate(versionId: number) {
  const v = getVersion(db, versionId)!;
  const cohortId = createCohort(db, { name: "past", standardId: v.standardId, sourceFormat: "generated", createdBy: drafter.id }, [
    { rowNo: 1, applicantRef: "A1", facts: { x: 1 } },
  ]).cohortId;
  recordSimulationRun(db, {
    standardId: v.standardId,
    baselineVersionId: null,
    baselineHash: v.contentHash,
    candidateVersionId: v.id,
    candidateHash: v.contentHash,
    cohortId,
    programId: "settlement",
    evaluationDate: "2025-06-30",
    quotas: { "*": 10 },
    seed: null,
    summary: {},
    createdBy: reviewer.id,
  });
}

/** Drafted, reviewed, approved and published through the workflow: every approval column is set. */
function publishThroughWorkflow(fromVersionId: number | null, effectiveFrom: string, text: string, standard = STANDARD): number {
  const id =
    fromVersionId === null
      ? createStandardWithVersion(db, standard, { versionLabel: `v-${effectiveFrom}`, status: "draft", documentText: text, draftedBy: drafter.id })
      : createVersion(db, STANDARD.id, { versionLabel: `v-${effectiveFrom}`, status: "draft", documentText: text, draftedBy: drafter.id, basedOnVersionId: fromVersionId });
  expect(submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" })).toEqual({ ok: true });
  expect(approve(db, { versionId: id, actor: reviewer })).toEqual({ ok: true });
  simulate(id);
  expect(publish(db, { versionId: id, actor: publisher, effectiveFrom, checks: OK })).toEqual({ ok: true });
  return id;
}

const row = (table: string, id: number) => db.$client.prepare(`select * from ${table} where id = ?`).get(id) as Record<string, unknown>;
const count = (table: string) => (db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

function decision(i: number): NewDecision {
  const input = JSON.stringify({ date: "2025-06-30", facts: { age: 30 + i }, program: "settlement" });
  return { tokenId: null, standardId: STANDARD.id, versionId: 1, versionHash: "h", programId: "settlement", evaluationDate: "2025-06-30", inputHash: sha256(input), input, output: `{"total":${i}}` };
}

function batch(n: number) {
  const input = JSON.stringify({ program: "settlement", date: "2025-06-30", applicants: Array.from({ length: n }, (_, i) => ({ id: `A${i}`, facts: { age: i } })) });
  return {
    tokenId: null,
    standardId: STANDARD.id,
    versionId: 1,
    versionHash: "h",
    programId: "settlement",
    evaluationDate: "2025-06-30",
    applicantCount: n,
    input: Buffer.from(input),
    inputHash: sha256(input),
    output: Buffer.from(JSON.stringify({ categoryIds: [], itemIds: [], results: Array.from({ length: n }, (_, i) => [i]) })),
  };
}

beforeEach(async () => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
  drafter = await actor("d", ["drafter"]);
  reviewer = await actor("r", ["reviewer"]);
  publisher = await actor("p", ["publisher"]);
});

describe("a published, superseded or withdrawn version cannot be replaced, whatever the SQL", () => {
  function versions() {
    const superseded = publishThroughWorkflow(null, "2020-01-01", '{"points":10}');
    const published = publishThroughWorkflow(superseded, "2021-01-01", '{"points":20}');
    const withdrawn = publishThroughWorkflow(null, "2022-01-01", '{"points":30}', { ...STANDARD, id: "othercity" });
    expect(withdraw(db, { versionId: withdrawn, actor: publisher, reason: "error" })).toEqual({ ok: true });
    expect([superseded, published, withdrawn].map((id) => getVersion(db, id)!.status)).toEqual(["superseded", "published", "withdrawn"]);
    return { superseded, published, withdrawn };
  }

  const columns = "(id, standard_id, version_label, status, document, content_hash, revision, effective_from)";
  const attacks: Array<[string, string]> = [
    ["INSERT OR REPLACE", `insert or replace into standard_versions ${columns} values (?, 'testcity', 'x', 'published', '{"points":99}', 'x', 1, '2020-01-01')`],
    ["REPLACE INTO", `replace into standard_versions ${columns} values (?, 'testcity', 'x', 'published', '{"points":99}', 'x', 1, '2020-01-01')`],
    ["plain INSERT", `insert into standard_versions ${columns} values (?, 'testcity', 'x', 'published', '{"points":99}', 'x', 1, '2020-01-01')`],
    [
      "UPSERT (ON CONFLICT DO UPDATE)",
      `insert into standard_versions ${columns} values (?, 'testcity', 'x', 'published', '{"points":99}', 'x', 1, '2020-01-01')
       on conflict(id) do update set document = excluded.document, content_hash = excluded.content_hash`,
    ],
  ];

  it.each(attacks)("%s over an existing version is refused and changes nothing", (_name, statement) => {
    const ids = versions();
    for (const id of Object.values(ids)) {
      const before = row("standard_versions", id);
      expect(() => db.$client.prepare(statement).run(id)).toThrow(/version_immutable|UNIQUE/);
      expect(row("standard_versions", id)).toEqual(before);
    }
  });

  it("UPDATE OR REPLACE cannot move a draft onto a published version's id (REPLACE's delete fires no trigger)", () => {
    const { published } = versions();
    const draft = startRevision(db, { fromVersionId: published, versionLabel: "next", actor: drafter });
    expect(draft.ok).toBe(true);
    const before = row("standard_versions", published);
    expect(() => db.$client.prepare("update or replace standard_versions set id = ? where id = ?").run(published, draft.ok && draft.versionId)).toThrow(
      /version_immutable/,
    );
    expect(row("standard_versions", published)).toEqual(before);
  });

  const frozen: Array<[string, string]> = [
    ["approved_by", "approved_by = (select id from users where username = 'd')"],
    ["published_by", "published_by = (select id from users where username = 'd')"],
    ["drafted_by", "drafted_by = (select id from users where username = 'p')"],
    ["submitted_by", "submitted_by = (select id from users where username = 'p')"],
    ["published_at", "published_at = '2019-01-01T00:00:00.000Z'"],
    ["revision", "revision = revision + 1"],
    ["based_on_version_id", "based_on_version_id = 999"],
    ["version_label", "version_label = 'forged'"],
    ["created_at", "created_at = '2019-01-01T00:00:00.000Z'"],
    ["updated_at (alone)", "updated_at = '2030-01-01T00:00:00.000Z'"],
    ["approved_by to nothing", "approved_by = null"],
  ];

  it.each(frozen)("%s of a published, superseded or withdrawn version cannot change", (_name, assignment) => {
    const ids = versions();
    for (const id of Object.values(ids)) {
      const before = row("standard_versions", id);
      expect(() => db.$client.prepare(`update standard_versions set ${assignment} where id = ?`).run(id)).toThrow(/version_immutable/);
      expect(row("standard_versions", id)).toEqual(before);
    }
  });

  it("what the workflow itself does still works: supersede (status and end of period) and withdraw (with updated_at)", () => {
    const first = publishThroughWorkflow(null, "2020-01-01", '{"points":10}');
    const second = publishThroughWorkflow(first, "2021-01-01", '{"points":20}');
    expect(getVersion(db, first)).toMatchObject({ status: "superseded", effectiveTo: "2020-12-31" });
    expect(withdraw(db, { versionId: second, actor: publisher, reason: "error" })).toEqual({ ok: true });
    expect(getVersion(db, second)?.status).toBe("withdrawn");
    // A closed period stays closed.
    expect(() => db.$client.prepare("update standard_versions set effective_to = '2030-01-01' where id = ?").run(first)).toThrow(/version_immutable/);
  });
});

describe("approval", () => {
  it("a version returned to draft no longer carries the earlier approval", () => {
    const id = createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: "{}", draftedBy: drafter.id });
    submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" });
    approve(db, { versionId: id, actor: reviewer });
    expect(row("standard_versions", id).approved_by).toBe(reviewer.id);
    expect(returnToDraft(db, { versionId: id, actor: reviewer, reason: "more work" })).toEqual({ ok: true });
    expect(row("standard_versions", id)).toMatchObject({ status: "draft", approved_by: null });
  });

  it("SQL cannot give a draft or a version in review an approval or a publication", () => {
    const id = createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: "{}", draftedBy: drafter.id });
    expect(() => db.$client.prepare("update standard_versions set approved_by = ? where id = ?").run(reviewer.id, id)).toThrow(/version_unapproved/);
    submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" });
    expect(() => db.$client.prepare("update standard_versions set published_by = ? where id = ?").run(publisher.id, id)).toThrow(/version_unapproved/);
    approve(db, { versionId: id, actor: reviewer });
    // Returned to draft by hand, keeping the approval: refused.
    expect(() => db.$client.prepare("update standard_versions set status = 'draft' where id = ?").run(id)).toThrow(/version_unapproved/);
    expect(() =>
      db.$client
        .prepare("insert into standard_versions (standard_id, version_label, status, document, content_hash, approved_by) values ('testcity', 'x', 'draft', '{}', 'h', ?)")
        .run(reviewer.id),
    ).toThrow(/version_unapproved/);
  });
});

describe("revisions decide who is an author (four-eyes): they cannot be deleted or replaced", () => {
  it("DELETE, REPLACE by id and REPLACE by (version, revision) are refused", () => {
    const id = createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: "{}", draftedBy: drafter.id });
    const revision = db.$client.prepare("select * from version_revisions where version_id = ?").get(id) as Record<string, unknown>;
    expect(() => db.$client.prepare("delete from version_revisions where id = ?").run(revision.id)).toThrow(/revisions_append_only/);
    expect(() => db.$client.prepare("delete from version_revisions").run()).toThrow(/revisions_append_only/);
    expect(() =>
      db.$client.prepare("insert or replace into version_revisions (id, version_id, revision, document, content_hash, saved_by) values (?, ?, 9, '{}', 'h', null)").run(revision.id, id),
    ).toThrow(/revisions_append_only/);
    expect(() =>
      db.$client.prepare("replace into version_revisions (version_id, revision, document, content_hash, saved_by) values (?, 1, '{}', 'h', null)").run(id),
    ).toThrow(/revisions_append_only/);
    expect(db.$client.prepare("select * from version_revisions where version_id = ?").all(id)).toEqual([revision]);
  });
});

describe("audit entries and logged decisions cannot be replaced", () => {
  function logs() {
    createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: "{}", draftedBy: drafter.id });
    const [decisionId] = recordDecisions(db, [decision(1), decision(2)]);
    const { batchId, firstDecisionId } = recordDecisionBatch(db, batch(3));
    recordDecisions(db, [decision(3)]);
    const auditId = (db.$client.prepare("select min(id) as id from audit_log").get() as { id: number }).id;
    return { auditId, decisionId, batchId, firstDecisionId };
  }

  it("REPLACE INTO, INSERT OR REPLACE, plain INSERT and UPSERT over an audit entry are refused", () => {
    const { auditId } = logs();
    const before = row("audit_log", auditId);
    const values = "(id, action, entity_type, entity_id, details, prev_hash, row_hash) values (?, 'version.publish', 'version', '1', '{}', ?, ?)";
    for (const statement of [
      `replace into audit_log ${values}`,
      `insert or replace into audit_log ${values}`,
      `insert into audit_log ${values}`,
      `insert into audit_log ${values} on conflict(id) do update set action = excluded.action`,
    ]) {
      expect(() => db.$client.prepare(statement).run(auditId, before.prev_hash, before.row_hash)).toThrow(/audit_append_only/);
    }
    expect(row("audit_log", auditId)).toEqual(before);
  });

  it("REPLACE INTO, INSERT OR REPLACE and UPSERT over a logged decision are refused", () => {
    const { decisionId } = logs();
    const before = row("decision_log", decisionId);
    const values = `(id, standard_id, version_id, version_hash, program_id, evaluation_date, input_hash, input, output, prev_hash, row_hash)
                    values (?, 'testcity', 1, 'h', 'settlement', '2025-06-30', 'h', '{}', '{"total":999}', ?, ?)`;
    for (const statement of [
      `replace into decision_log ${values}`,
      `insert or replace into decision_log ${values}`,
      `insert into decision_log ${values} on conflict(id) do update set output = excluded.output`,
    ]) {
      expect(() => db.$client.prepare(statement).run(decisionId, before.prev_hash, before.row_hash)).toThrow(/decisions_append_only/);
    }
    expect(row("decision_log", decisionId)).toEqual(before);
  });

  it("a logged batch cannot be replaced by its id or by its first decision id", () => {
    const { batchId, firstDecisionId } = logs();
    const before = row("decision_batches", batchId);
    const columns = "(id, standard_id, version_id, version_hash, program_id, evaluation_date, first_decision_id, applicant_count, input, input_hash, output, prev_hash, row_hash)";
    const byId = `insert or replace into decision_batches ${columns} values (?, 'testcity', 1, 'h', 'settlement', '2025-06-30', 999999, 1, '{}', 'h', '{}', ?, ?)`;
    const byFirstDecision = `insert or replace into decision_batches ${columns} values (9999, 'testcity', 1, 'h', 'settlement', '2025-06-30', ?, 3, '{}', 'h', '{}', ?, ?)`;
    expect(() => db.$client.prepare(byId).run(batchId, before.prev_hash, before.row_hash)).toThrow(/decisions_append_only|decision_ids_reserved/);
    expect(() => db.$client.prepare(byFirstDecision).run(firstDecisionId, before.prev_hash, before.row_hash)).toThrow(/decisions_append_only|decision_ids_reserved/);
    expect(row("decision_batches", batchId)).toEqual(before);
    expect(count("decision_batches")).toBe(1);
  });

  it("a new row must carry a hash and link to the last row of its chain", () => {
    logs();
    const last = db.$client.prepare("select id, row_hash from decision_log order by id desc limit 1").get() as { id: number; row_hash: string };
    const insert = db.$client.prepare(
      `insert into decision_log (id, standard_id, version_id, version_hash, program_id, evaluation_date, input_hash, input, output, prev_hash, row_hash)
       values (?, 'testcity', 1, 'h', 'settlement', '2025-06-30', 'h', '{}', '{}', ?, ?)`,
    );
    expect(() => insert.run(last.id + 1, last.row_hash, null)).toThrow(/decisions_append_only/);
    expect(() => insert.run(last.id + 1, GENESIS_HASH, "f".repeat(64))).toThrow(/decisions_append_only/);
    expect(() =>
      db.$client
        .prepare("insert into audit_log (action, entity_type, entity_id) values ('version.publish', 'version', '1')")
        .run(),
    ).toThrow(/audit_append_only/);
  });
});

describe("hash chains", () => {
  it("every write through the application is chained: the verification finds all three chains and the documents intact", () => {
    publishThroughWorkflow(null, "2020-01-01", '{"points":10}');
    recordDecisions(db, [decision(1), decision(2)]);
    recordDecisionBatch(db, batch(5));
    recordDecisions(db, [decision(3)]);
    const report = verifyIntegrity(db.$client);
    expect(report.intact).toBe(true);
    expect(report.chains.map((c) => [c.table, c.rows, c.intact])).toEqual([
      ["audit_log", count("audit_log"), true],
      ["decision_log", 3, true],
      ["decision_batches", 1, true],
    ]);
    expect(report.chains[1].head).toBe((db.$client.prepare("select row_hash from decision_log order by id desc limit 1").get() as { row_hash: string }).row_hash);
    expect(report.documents).toEqual({ checked: 1, intact: true, firstBreak: null });
    // Ids stay one series across single decisions and batches.
    expect(db.$client.prepare("select id from decision_log order by id").all()).toEqual([{ id: 1 }, { id: 2 }, { id: 8 }]);
  });

  it("the single decisions' hash, written out directly, is the generic one that verification recomputes", () => {
    for (const [tokenId, standardId, programId] of [
      [null, "suzhou", "settlement"],
      [7, 'quote " and \\ backslash', "项目\u2028"],
    ] as const) {
      const row = { id: 12, at: "2026-01-01T00:00:00.000Z", tokenId, standardId, versionId: 3, versionHash: "ab", programId, evaluationDate: "2025-06-30", inputHash: "cd" };
      expect(decisionRowHash(GENESIS_HASH, row, '{"total":1,"名":"值"}')).toBe(chainRowHash("decision_log", GENESIS_HASH, decisionFields(row), '{"total":1,"名":"值"}'));
    }
  });

  it("a database written before the chains has its rows chained once by the migration, in id order", () => {
    const dir = tempDir();
    // The committed migrations up to 0005, the state of a database in service before this change.
    const old = join(dir, "migrations-0005");
    mkdirSync(join(old, "meta"), { recursive: true });
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: Array<{ idx: number; tag: string }> };
    journal.entries = journal.entries.filter((e) => e.idx <= 5);
    writeFileSync(join(old, "meta", "_journal.json"), JSON.stringify(journal));
    for (const file of readdirSync(MIGRATIONS_FOLDER).filter((f) => /^000[0-5]_.*\.sql$/.test(f))) copyFileSync(join(MIGRATIONS_FOLDER, file), join(old, file));
    const legacy = openDatabase(join(dir, "legacy.sqlite"));
    migrate(legacy, { migrationsFolder: old });
    const sqlite = legacy.$client;
    for (let i = 0; i < 3; i++) {
      sqlite.prepare("insert into audit_log (action, entity_type, entity_id, details) values ('version.create', 'version', ?, '{}')").run(String(i));
      const d = decision(i);
      sqlite
        .prepare("insert into decision_log (standard_id, version_id, version_hash, program_id, evaluation_date, input_hash, input, output) values (?, 1, 'h', 'settlement', '2025-06-30', ?, ?, ?)")
        .run(STANDARD.id, d.inputHash, d.input, d.output);
    }
    migrateDatabase(legacy);
    const hashes = () => sqlite.prepare("select id, prev_hash, row_hash from decision_log order by id").all() as Array<{ id: number; prev_hash: string; row_hash: string }>;
    const chained = hashes();
    expect(chained[0].prev_hash).toBe(GENESIS_HASH);
    expect(chained[1].prev_hash).toBe(chained[0].row_hash);
    expect(chained[2].prev_hash).toBe(chained[1].row_hash);
    expect(verifyIntegrity(sqlite).intact).toBe(true);
    // New rows continue the chain; migrating again changes nothing.
    recordDecisions(legacy, [decision(9)]);
    migrateDatabase(legacy);
    expect(hashes().slice(0, 3)).toEqual(chained);
    const report = verifyIntegrity(sqlite);
    expect(report.intact).toBe(true);
    expect(report.chains.map((c) => c.rows)).toEqual([3, 4, 0]);
    legacy.$client.close();
  });

  function dropGuards(sqlite: JifenDb["$client"]) {
    for (const { name } of sqlite.prepare("select name from sqlite_master where type = 'trigger'").all() as Array<{ name: string }>) {
      sqlite.exec(`drop trigger "${name}"`);
    }
  }

  it("a row rewritten in any chain, after the guards were dropped, is named as the first break", () => {
    publishThroughWorkflow(null, "2020-01-01", '{"points":10}');
    recordDecisions(db, [decision(1), decision(2), decision(3)]);
    recordDecisionBatch(db, batch(4));
    recordDecisionBatch(db, batch(2));
    dropGuards(db.$client);
    const sqlite = db.$client;

    // A decision's output rewritten with INSERT OR REPLACE, its hashes copied from the original row.
    const d2 = row("decision_log", 2);
    sqlite
      .prepare(
        `insert or replace into decision_log (id, at, token_id, standard_id, version_id, version_hash, program_id, evaluation_date, input_hash, input, output, prev_hash, row_hash)
         values (@id, @at, @token_id, @standard_id, @version_id, @version_hash, @program_id, @evaluation_date, @input_hash, @input, '{"total":999}', @prev_hash, @row_hash)`,
      )
      .run(d2);
    let report = verifyIntegrity(sqlite);
    expect(report.intact).toBe(false);
    const decisions = report.chains.find((c) => c.table === "decision_log")!;
    expect(decisions.firstBreak).toMatchObject({ table: "decision_log", id: 2, problem: "content" });
    expect(decisions.firstBreak!.message.zh).toContain("编号 2");
    expect(decisions.firstBreak!.message.en).toContain("no. 2");

    // An audit entry's actor rewritten, and a batch deleted: the next batch no longer links.
    sqlite.prepare("update audit_log set actor_id = ? where action = 'version.approve'").run(drafter.id);
    const firstBatch = (sqlite.prepare("select min(id) as id from decision_batches").get() as { id: number }).id;
    sqlite.prepare("delete from decision_batches where id = ?").run(firstBatch);
    report = verifyIntegrity(sqlite);
    const approveId = (sqlite.prepare("select id from audit_log where action = 'version.approve'").get() as { id: number }).id;
    expect(report.chains.find((c) => c.table === "audit_log")!.firstBreak).toMatchObject({ id: approveId, problem: "content" });
    expect(report.chains.find((c) => c.table === "decision_batches")!.firstBreak).toMatchObject({ id: firstBatch + 1, problem: "link" });
  });

  it("a published document rewritten (with a matching content hash) is detected against the hash its publication recorded", () => {
    const id = publishThroughWorkflow(null, "2020-01-01", '{"points":10}');
    dropGuards(db.$client);
    const forged = '{"points":99}';
    db.$client.prepare("update standard_versions set document = ?, content_hash = ? where id = ?").run(forged, sha256(forged), id);
    const report = verifyIntegrity(db.$client);
    expect(report.chains.every((c) => c.intact)).toBe(true);
    expect(report.documents.firstBreak).toMatchObject({ versionId: id, problem: "publishedHash" });
    expect(report.intact).toBe(false);
    expect(listAudit(db, STANDARD.id).some((e) => e.action === "version.publish")).toBe(true);
  });

  it("a logged input rewritten (its hash kept) is detected", () => {
    recordDecisions(db, [decision(1)]);
    dropGuards(db.$client);
    db.$client.prepare("update decision_log set input = ? where id = 1").run(decision(7).input);
    expect(verifyIntegrity(db.$client).chains.find((c) => c.table === "decision_log")!.firstBreak).toMatchObject({ id: 1, problem: "input" });
  });

  it("jifen audit verify: exit 0 and the heads when intact, 1 naming the broken row, 2 for a missing file; --json for machines", () => {
    const path = join(tempDir(), "jifen.sqlite");
    const fileDb = openDatabase(path);
    migrateDatabase(fileDb);
    recordDecisions(fileDb, [decision(1), decision(2)]);
    fileDb.$client.close();
    const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/jifen.mjs", ...args], { encoding: "utf8", env: { ...process.env, JIFEN_LANG: "" } });

    let result = cli("--lang", "zh-CN", "audit", "verify", "--database", path);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/计分决定记录（单个申请人）：2 条；链头 [0-9a-f]{64}；完整/);
    expect(result.stdout).toContain("结论：完整");
    const json = cli("audit", "verify", "--database", path, "--json");
    expect(json.status).toBe(0);
    const intact = JSON.parse(json.stdout) as { intact: boolean; chains: Array<{ table: string; rows: number; head: string }> };
    expect(intact.intact).toBe(true);

    const tampered = openDatabase(path);
    dropGuards(tampered.$client);
    tampered.$client.prepare("update decision_log set output = '{\"total\":999}' where id = 2").run();
    tampered.$client.close();
    result = cli("--lang", "en", "audit", "verify", "--database", path);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Logged decisions (single applicants), first break: decision no. 2: its content no longer matches the hash written with it");
    expect(result.stdout).not.toMatch(/at .*\.ts:\d+/);
    const broken = JSON.parse(cli("audit", "verify", "--database", path, "--json").stdout) as { intact: boolean; chains: Array<{ firstBreak: unknown }> };
    expect(broken.intact).toBe(false);
    expect(broken.chains[1].firstBreak).toMatchObject({ table: "decision_log", id: 2, problem: "content" });

    // Damaged below the rows (every page after the schema overwritten): a finding about the file, exit 1, no stack.
    const damaged = join(tempDir(), "damaged.sqlite");
    const bytes = readFileSync(path);
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    writeFileSync(damaged, bytes);
    result = cli("--lang", "en", "audit", "verify", "--database", damaged);
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).not.toMatch(/\n\s+at /);

    result = cli("--lang", "en", "audit", "verify", "--database", join(tempDir(), "missing.sqlite"));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("does not exist");
    const notSqlite = join(tempDir(), "notes.txt");
    writeFileSync(notSqlite, "not a database, just some words ".repeat(100));
    result = cli("--lang", "en", "audit", "verify", "--database", notSqlite);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("not a SQLite database");
  });
});
