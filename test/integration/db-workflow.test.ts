/**
 * The publishing workflow and the database's own protections, against a real SQLite with the committed migrations.
 * Each protection has a test that would fail without it.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../db/audit";
import { createCohort, listApplicants, listCohorts } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { recordSimulationRun } from "../../db/runs";
import { createStandardWithVersion, getVersion, saveDraftDocument } from "../../db/standards";
import { createUser, type Role } from "../../db/users";
import { approve, publish, publishBlockers, startRevision, submitForReview, versionInEffect, type Actor } from "../../db/workflow";

const STANDARD = { id: "testcity", jurisdiction: { code: "000000", zh: "测试市", en: "Test City" }, title: { zh: "测试标准", en: "Test standard" } };
const OK = { documentValid: true, casesPassed: true };

let db: JifenDb;
let drafter: Actor;
let reviewer: Actor;
let publisher: Actor;

async function actor(username: string, roles: Role[]): Promise<Actor> {
  return { id: await createUser(db, { username, displayName: username, password: "pw-for-tests", roles }), roles };
}

beforeEach(async () => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
  drafter = await actor("d", ["drafter"]);
  reviewer = await actor("r", ["reviewer"]);
  publisher = await actor("p", ["publisher"]);
});

function cohort(): number {
  return createCohort(db, { name: "past applicants", standardId: STANDARD.id, sourceFormat: "generated", createdBy: drafter.id }, [
    { rowNo: 1, applicantRef: "A1", facts: { x: 1 } },
  ]).cohortId;
}

function simulate(versionId: number) {
  const v = getVersion(db, versionId)!;
  recordSimulationRun(db, {
    standardId: v.standardId,
    baselineVersionId: null,
    baselineHash: v.contentHash,
    candidateVersionId: v.id,
    candidateHash: v.contentHash,
    cohortId: cohort(),
    programId: "settlement",
    evaluationDate: "2025-06-30",
    quotas: { "*": 10 },
    seed: null,
    summary: {},
    createdBy: reviewer.id,
  });
}

function approvedVersion(text = '{"v":1}'): number {
  const id = createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: text, draftedBy: drafter.id });
  expect(submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" })).toEqual({ ok: true });
  expect(approve(db, { versionId: id, actor: reviewer })).toEqual({ ok: true });
  return id;
}

describe("a published version can never change", () => {
  it("the database refuses to change a published version's document, even through raw SQL", () => {
    const id = approvedVersion();
    simulate(id);
    expect(publish(db, { versionId: id, actor: publisher, effectiveFrom: "2025-01-01", checks: OK })).toEqual({ ok: true });
    expect(() => db.$client.prepare("update standard_versions set document = '{\"v\":2}' where id = ?").run(id)).toThrow(/version_immutable/);
    expect(() => db.$client.prepare("update standard_versions set content_hash = 'x' where id = ?").run(id)).toThrow(/version_immutable/);
    expect(() => db.$client.prepare("update standard_versions set status = 'draft' where id = ?").run(id)).toThrow(/version_immutable/);
    expect(() => db.$client.prepare("update standard_versions set effective_from = '2024-01-01' where id = ?").run(id)).toThrow(/version_immutable/);
    expect(() => db.$client.prepare("delete from standard_versions where id = ?").run(id)).toThrow(/version_immutable/);
    expect(getVersion(db, id)?.document).toBe('{"v":1}');
  });

  it("the editor's save path refuses a published version too", () => {
    const id = approvedVersion();
    simulate(id);
    publish(db, { versionId: id, actor: publisher, effectiveFrom: "2025-01-01", checks: OK });
    expect(saveDraftDocument(db, { versionId: id, baseRevision: 1, documentText: "{}", document: {}, userId: drafter.id })).toEqual({
      kind: "notEditable",
      status: "published",
    });
  });

  it("the audit log is append-only", () => {
    approvedVersion();
    const n = (db.$client.prepare("select count(*) n from audit_log").get() as { n: number }).n;
    expect(n).toBeGreaterThan(0);
    expect(() => db.$client.prepare("update audit_log set action = 'x'").run()).toThrow(/audit_append_only/);
    expect(() => db.$client.prepare("delete from audit_log").run()).toThrow(/audit_append_only/);
    expect((db.$client.prepare("select count(*) n from audit_log").get() as { n: number }).n).toBe(n);
  });
});

describe("four-eyes", () => {
  it("whoever drafted a version cannot approve it", async () => {
    const both = await actor("both", ["drafter", "reviewer", "publisher"]);
    const id = createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: "{}", draftedBy: both.id });
    submitForReview(db, { versionId: id, actor: both, checks: OK, simulationOverride: "simulated after approval in this test" });
    const result = approve(db, { versionId: id, actor: both });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map((e) => e.code)).toEqual(["workflow.fourEyes"]);
    expect(getVersion(db, id)?.status).toBe("in_review");
  });

  it("whoever edited a version cannot publish it, even if someone else created it", async () => {
    const editor = await actor("editor", ["drafter", "publisher"]);
    const id = createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: "{}", draftedBy: drafter.id });
    saveDraftDocument(db, { versionId: id, baseRevision: 1, documentText: '{"e":1}', document: { e: 1 }, userId: editor.id });
    submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" });
    approve(db, { versionId: id, actor: reviewer });
    simulate(id);
    const result = publish(db, { versionId: id, actor: editor, effectiveFrom: "2025-01-01", checks: OK });
    expect(!result.ok && result.errors.map((e) => e.code)).toEqual(["workflow.fourEyes"]);
    expect(getVersion(db, id)?.status).toBe("approved");
  });
});

describe("publishing", () => {
  it("says everything that blocks publishing, in both languages", () => {
    const id = approvedVersion();
    const blockers = publishBlockers(db, id, publisher, { documentValid: false, casesPassed: false });
    expect(blockers.map((b) => b.code)).toEqual(["workflow.invalidDocument", "workflow.casesFailing", "workflow.noSimulation"]);
    for (const b of blockers) {
      expect(b.message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(b.message.en).toMatch(/[a-z]/);
    }
  });

  it("needs a simulation of exactly the approved content", () => {
    const id = approvedVersion();
    expect(publishBlockers(db, id, publisher, OK).map((b) => b.code)).toEqual(["workflow.noSimulation"]);
    simulate(id);
    expect(publishBlockers(db, id, publisher, OK)).toEqual([]);
  });

  it("closes the previous version's period and answers which version is in effect on a date", () => {
    const first = approvedVersion('{"v":1}');
    simulate(first);
    expect(publish(db, { versionId: first, actor: publisher, effectiveFrom: "2016-01-15", checks: OK })).toEqual({ ok: true });
    const started = startRevision(db, { fromVersionId: first, versionLabel: "v2", actor: drafter });
    if (!started.ok) throw new Error("revision not started");
    saveDraftDocument(db, { versionId: started.versionId, baseRevision: 1, documentText: '{"v":2}', document: { v: 2 }, userId: drafter.id });
    submitForReview(db, { versionId: started.versionId, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" });
    approve(db, { versionId: started.versionId, actor: reviewer });
    simulate(started.versionId);
    expect(publish(db, { versionId: started.versionId, actor: publisher, effectiveFrom: "2021-01-01", checks: OK })).toEqual({ ok: true });

    expect(getVersion(db, first)).toMatchObject({ status: "superseded", effectiveTo: "2020-12-31" });
    expect(versionInEffect(db, STANDARD.id, "2016-01-14")).toBeUndefined();
    expect(versionInEffect(db, STANDARD.id, "2016-01-15")?.id).toBe(first);
    expect(versionInEffect(db, STANDARD.id, "2020-12-31")?.id).toBe(first);
    expect(versionInEffect(db, STANDARD.id, "2021-01-01")?.id).toBe(started.versionId);
    const actions = listAudit(db, STANDARD.id).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["version.create", "version.save", "version.submit", "version.approve", "version.publish", "version.supersede", "simulation.run"]));
  });
});

describe("cohorts", () => {
  it("stores identity numbers only hashed and masked", () => {
    const { cohortId } = createCohort(db, { name: "c", standardId: null, sourceFormat: "csv", createdBy: null }, [
      { rowNo: 1, applicantRef: "A1", idNumber: "320102199001011234", facts: { a: 1 } },
    ]);
    const [row] = listApplicants(db, cohortId);
    expect(row.idMasked).toBe("320***********1234");
    const raw = JSON.stringify(db.$client.prepare("select * from cohort_applicants").all());
    expect(raw).not.toContain("320102199001011234");
  });

  it("a failed import leaves no cohort and no rows behind", () => {
    function* rows() {
      yield { rowNo: 1, applicantRef: "A1", facts: { a: 1 } };
      yield { rowNo: 2, applicantRef: "A2", facts: { a: 2 } };
      throw new Error("row 3: bad value");
    }
    expect(() => createCohort(db, { name: "broken", standardId: null, sourceFormat: "csv", createdBy: null }, rows())).toThrow(/row 3/);
    expect(listCohorts(db)).toEqual([]);
    expect((db.$client.prepare("select count(*) n from cohort_applicants").get() as { n: number }).n).toBe(0);
  });
});
