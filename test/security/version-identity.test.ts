/**
 * Issue 21, part 1: the workflow owns a version's identity. A revision starts with its own label and no effective
 * date, a draft whose document contradicts the version is not submitted, publishing records the document number
 * (文号) and announcement date, and those two columns are frozen once published, whatever the SQL.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../db/audit";
import { createCohort } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { recordSimulationRun } from "../../db/runs";
import { createStandardWithVersion, getVersion, saveDraftDocument } from "../../db/standards";
import { createUser, type Role } from "../../db/users";
import { approve, identityErrors, publish, startRevision, submitForReview, suggestRevisionLabel, type Actor } from "../../db/workflow";
import { runTestCases } from "../../engine/scoring/testcases";
import type { StandardDocument } from "../../rules-schema/types";
import { validateDocumentText } from "../../rules-schema/validate";

const EXAMPLE = readFileSync(join(__dirname, "../../rules-schema/examples/suzhou-2015.json"), "utf8");
const STANDARD = { id: "suzhou", jurisdiction: { code: "320500", zh: "苏州市", en: "Suzhou" }, title: { zh: "苏州", en: "Suzhou" } };
const OK = { documentValid: true, casesPassed: true };
const NOTICE = { documentNumber: "苏府规字〔2026〕3号", announcedOn: "2026-11-20" };

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

/** The 2015 example as the seed stores it: published, effective 2016-01-15, with its notice. */
function published2015(): number {
  return createStandardWithVersion(db, STANDARD, {
    versionLabel: "2015",
    status: "published",
    documentText: EXAMPLE,
    effectiveFrom: "2016-01-15",
    documentNumber: "苏府规字〔2015〕7号",
    announcedOn: "2015-12-11",
  });
}

function approvedRevision(from = published2015()): number {
  const started = startRevision(db, { fromVersionId: from, versionLabel: "2027", actor: drafter });
  if (!started.ok) throw new Error(JSON.stringify(started.errors));
  expect(submitForReview(db, { versionId: started.versionId, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" })).toEqual({ ok: true });
  expect(approve(db, { versionId: started.versionId, actor: reviewer })).toEqual({ ok: true });
  simulate(started.versionId);
  return started.versionId;
}

describe("a new revision has its own identity", () => {
  it("starts with its own label, as a draft, without the effective date of the version it came from", () => {
    const from = published2015();
    const started = startRevision(db, { fromVersionId: from, versionLabel: "2027", actor: drafter });
    if (!started.ok) throw new Error("not started");
    const doc = JSON.parse(getVersion(db, started.versionId)!.document) as StandardDocument;
    expect(doc.version).toBe("2027");
    expect(doc.status).toBe("draft");
    expect(doc).not.toHaveProperty("effectiveFrom");
    expect(getVersion(db, started.versionId)).toMatchObject({ versionLabel: "2027", status: "draft", effectiveFrom: null, documentNumber: null, announcedOn: null });
    expect(identityErrors(getVersion(db, started.versionId)!)).toEqual([]);
  });

  it("keeps validating and scoring as the version it came from (only the identity fields changed)", async () => {
    const from = published2015();
    const started = startRevision(db, { fromVersionId: from, versionLabel: "2027", actor: drafter });
    if (!started.ok) throw new Error("not started");
    const validation = validateDocumentText(getVersion(db, started.versionId)!.document);
    expect(validation.ok).toBe(true);
    const original = JSON.parse(EXAMPLE) as StandardDocument;
    const revised = validation.document!;
    const { version: _v1, status: _s1, effectiveFrom: _e1, ...originalRest } = original;
    const { version: _v2, status: _s2, effectiveFrom: _e2, ...revisedRest } = revised;
    expect(revisedRest).toEqual(originalRest);
    const before = await runTestCases(original, { path: "both" });
    const after = await runTestCases(revised, { path: "both" });
    expect(after.map((r) => [r.id, r.path, r.pass])).toEqual(before.map((r) => [r.id, r.path, r.pass]));
    expect(after.every((r) => r.pass)).toBe(true);
  });

  it("refuses a label the standard already has, and suggests a free one", () => {
    const from = published2015();
    const refused = startRevision(db, { fromVersionId: from, versionLabel: "2015", actor: drafter });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.errors[0].code).toBe("workflow.badLabel");
      expect(refused.errors[0].message.zh).toContain("已有版本号为“2015”的版本");
    }
    expect(suggestRevisionLabel(db, STANDARD.id, "2015")).toBe("2015-rev");
    expect(startRevision(db, { fromVersionId: from, versionLabel: "2015-rev", actor: drafter }).ok).toBe(true);
    expect(suggestRevisionLabel(db, STANDARD.id, "2015")).toBe("2015-rev2");
  });

  it("does not submit a draft whose document claims another label, a published status or an effective date", () => {
    const from = published2015();
    const started = startRevision(db, { fromVersionId: from, versionLabel: "2027", actor: drafter });
    if (!started.ok) throw new Error("not started");
    // The officer pastes the old text back: it says 2015, published, effective 2016-01-15.
    saveDraftDocument(db, { versionId: started.versionId, baseRevision: 1, documentText: EXAMPLE, document: JSON.parse(EXAMPLE), userId: drafter.id });
    const problems = identityErrors(getVersion(db, started.versionId)!);
    expect(problems.map((p) => p.path)).toEqual(["/version", "/status", "/effectiveFrom"]);
    expect(problems[0].message.zh).toContain("文档中的版本号“2015”与本版本“2027”不一致");
    expect(problems[0].message.en).toContain('differs from this version\'s label "2027"');
    const refused = submitForReview(db, { versionId: started.versionId, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.errors.map((e) => e.code)).toEqual(["workflow.identityMismatch", "workflow.identityMismatch", "workflow.identityMismatch"]);
    expect(getVersion(db, started.versionId)!.status).toBe("draft");
  });
});

describe("publishing records the notice: document number and announcement date", () => {
  it("stores them with the version and in the audit trail", () => {
    const id = approvedRevision();
    expect(publish(db, { versionId: id, actor: publisher, effectiveFrom: "2027-01-01", checks: OK, announcement: NOTICE })).toEqual({ ok: true });
    expect(getVersion(db, id)).toMatchObject({ status: "published", effectiveFrom: "2027-01-01", ...NOTICE });
    const entry = listAudit(db, STANDARD.id).find((a) => a.action === "version.publish");
    expect(entry?.details).toMatchObject({ effectiveFrom: "2027-01-01", ...NOTICE });
  });

  it.each([
    [{ documentNumber: "  ", announcedOn: "2026-11-20" }, "workflow.announcementMissing", "请填写发布文件的文号"],
    [{ documentNumber: "苏府规字〔2026〕3号", announcedOn: "" }, "workflow.announcementMissing", "请填写公布日期"],
    [{ documentNumber: "苏府规字〔2026〕3号", announcedOn: "2026-02-30" }, "workflow.badDate", "公布日期“2026-02-30”不是有效日期"],
    [{ documentNumber: "苏府规字〔2026〕3号", announcedOn: "2027-01-02" }, "workflow.badDate", "公布日期不能晚于生效日期"],
  ])("refuses %j and publishes nothing", (announcement, code, zh) => {
    const id = approvedRevision();
    const result = publish(db, { versionId: id, actor: publisher, effectiveFrom: "2027-01-01", checks: OK, announcement });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.code)).toEqual([code]);
      expect(result.errors[0].message.zh).toContain(zh);
      expect(result.errors[0].message.en).toMatch(/[a-z]/);
    }
    expect(getVersion(db, id)).toMatchObject({ status: "approved", documentNumber: null, announcedOn: null });
  });
});

describe("the notice of a published version is frozen, whatever the SQL", () => {
  const sqlite = () => db.$client;

  it.each([
    ["document_number", "'苏府规字〔2099〕1号'"],
    ["document_number", "NULL"],
    ["announced_on", "'2099-01-01'"],
    ["announced_on", "NULL"],
  ])("%s of a published, superseded or withdrawn version cannot change (set to %s)", (column, value) => {
    const superseded = published2015();
    const id = approvedRevision(superseded);
    publish(db, { versionId: id, actor: publisher, effectiveFrom: "2027-01-01", checks: OK, announcement: NOTICE });
    for (const versionId of [superseded, id]) {
      expect(() => sqlite().prepare(`update standard_versions set ${column} = ${value} where id = ?`).run(versionId)).toThrow(/version_immutable/);
    }
    sqlite().prepare("update standard_versions set status = 'withdrawn', updated_at = 'x' where id = ?").run(id);
    expect(() => sqlite().prepare(`update standard_versions set ${column} = ${value} where id = ?`).run(id)).toThrow(/version_immutable/);
    expect(getVersion(db, id)).toMatchObject(NOTICE);
    expect(getVersion(db, superseded)).toMatchObject({ documentNumber: "苏府规字〔2015〕7号", announcedOn: "2015-12-11" });
  });

  it.each(["document_number", "announced_on"])("a version not yet published cannot be given a %s", (column) => {
    const id = approvedRevision();
    expect(() => sqlite().prepare(`update standard_versions set ${column} = '2026-01-01' where id = ?`).run(id)).toThrow(/version_unannounced/);
    expect(() =>
      sqlite()
        .prepare(
          `insert into standard_versions (standard_id, version_label, status, document, content_hash, ${column}) values ('suzhou', 'x', 'draft', '{}', 'h', '2026-01-01')`,
        )
        .run(),
    ).toThrow(/version_unannounced/);
  });

  it("what the workflow does to a published version still works: superseding it closes its period", () => {
    const first = published2015();
    const id = approvedRevision(first);
    expect(publish(db, { versionId: id, actor: publisher, effectiveFrom: "2027-01-01", checks: OK, announcement: NOTICE })).toEqual({ ok: true });
    expect(getVersion(db, first)).toMatchObject({ status: "superseded", effectiveTo: "2026-12-31", documentNumber: "苏府规字〔2015〕7号" });
  });
});
