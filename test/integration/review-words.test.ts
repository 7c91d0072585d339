/**
 * Issue 21, parts 4, 6 and 7: the audit trail in sentences with opinions, filtered; the inbox of each signed-in user
 * (roles and four-eyes as the workflow applies them); the return reason for the drafter; an unchanged save is not a
 * revision. Real SQLite with the committed migrations.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../db/audit";
import { createCohort } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { recordSimulationRun } from "../../db/runs";
import { createStandardWithVersion, getVersion, listRevisions, saveDraftDocument } from "../../db/standards";
import { createUser, type Role } from "../../db/users";
import { approve, inboxFor, publish, returnToDraft, startRevision, submitForReview, withdraw, type Actor } from "../../db/workflow";
import { latestReturn, loadTrail } from "../../app/features/audit/trail.server";
import { checkContent, withActualResultsAccepted } from "../../app/lib/content-checks.server";

const EXAMPLE = readFileSync(join(__dirname, "../../rules-schema/examples/suzhou-2015.json"), "utf8");
const STANDARD = { id: "suzhou", jurisdiction: { code: "320500", zh: "苏州市", en: "Suzhou" }, title: { zh: "苏州市积分标准", en: "Suzhou standard" } };
const OK = { documentValid: true, casesPassed: true };

let db: JifenDb;
let drafter: Actor;
let reviewer: Actor;
let publisher: Actor;
let admin: Actor;
let published: number;

async function actor(username: string, displayName: string, roles: Role[]): Promise<Actor> {
  return { id: await createUser(db, { username, displayName, password: "pw-for-tests", roles }), roles };
}

beforeEach(async () => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
  drafter = await actor("drafter", "起草人 Drafter", ["drafter"]);
  reviewer = await actor("reviewer", "审核人 Reviewer", ["reviewer"]);
  publisher = await actor("publisher", "发布人 Publisher", ["publisher"]);
  admin = await actor("admin", "系统管理员 Administrator", ["administrator"]);
  published = createStandardWithVersion(db, STANDARD, { versionLabel: "2015", status: "published", documentText: EXAMPLE, effectiveFrom: "2016-01-15" });
});

function revision(by: Actor = drafter): number {
  const started = startRevision(db, { fromVersionId: published, versionLabel: "2027", actor: by });
  if (!started.ok) throw new Error(JSON.stringify(started.errors));
  return started.versionId;
}

function simulate(versionId: number) {
  const v = getVersion(db, versionId)!;
  const cohortId = createCohort(db, { name: "2019年苏州入学申请人", standardId: v.standardId, sourceFormat: "generated", createdBy: drafter.id }, [
    { rowNo: 1, applicantRef: "A1", facts: { x: 1 } },
  ]).cohortId;
  recordSimulationRun(db, {
    standardId: v.standardId,
    baselineVersionId: published,
    baselineHash: "b",
    candidateVersionId: v.id,
    candidateHash: v.contentHash,
    cohortId,
    programId: "school",
    evaluationDate: "2019-06-30",
    quotas: { "*": 10 },
    seed: null,
    summary: {},
    createdBy: drafter.id,
  });
}

describe("the inbox", () => {
  it("shows each user what waits for them, by role and four-eyes, and the return reason to its drafter", () => {
    const id = revision();
    simulate(id);
    const ids = (list: Array<{ versionId: number }>) => list.map((e) => e.versionId);
    expect(inboxFor(db, reviewer)).toEqual({ toReview: [], toPublish: [], returned: [] });

    submitForReview(db, { versionId: id, actor: drafter, checks: OK });
    expect(ids(inboxFor(db, reviewer).toReview)).toEqual([id]);
    expect(inboxFor(db, reviewer).toReview[0]).toMatchObject({ versionLabel: "2027", by: "起草人 Drafter", standardTitle: STANDARD.title });
    expect(ids(inboxFor(db, admin).toReview)).toEqual([id]);
    expect(ids(inboxFor(db, drafter).toReview)).toEqual([]);
    expect(ids(inboxFor(db, publisher).toReview)).toEqual([]);

    returnToDraft(db, { versionId: id, actor: reviewer, reason: "文化程度档次与办法第七条不一致" });
    expect(inboxFor(db, drafter).returned).toEqual([expect.objectContaining({ versionId: id, by: "审核人 Reviewer", reason: "文化程度档次与办法第七条不一致" })]);
    expect(inboxFor(db, reviewer).returned).toEqual([]);
    expect(latestReturn(db, STANDARD.id, id)).toMatchObject({ who: "审核人 Reviewer", reason: "文化程度档次与办法第七条不一致" });

    submitForReview(db, { versionId: id, actor: drafter, checks: OK });
    expect(inboxFor(db, drafter).returned).toEqual([]);
    expect(latestReturn(db, STANDARD.id, id)).toBeUndefined();
    approve(db, { versionId: id, actor: reviewer });
    expect(ids(inboxFor(db, publisher).toPublish)).toEqual([id]);
    expect(ids(inboxFor(db, reviewer).toPublish)).toEqual([]);
  });

  it("does not offer an administrator the versions they authored", () => {
    const id = revision(admin);
    simulate(id);
    submitForReview(db, { versionId: id, actor: admin, checks: OK });
    expect(inboxFor(db, admin).toReview).toEqual([]);
    expect(inboxFor(db, reviewer).toReview.map((e) => e.versionId)).toEqual([id]);
  });
});

describe("the audit trail in sentences", () => {
  function walk(): number {
    const id = revision();
    simulate(id);
    submitForReview(db, { versionId: id, actor: drafter, checks: OK, opinion: "已按2026年征求意见修改" });
    returnToDraft(db, { versionId: id, actor: reviewer, reason: "请补充退役军人加分" });
    submitForReview(db, { versionId: id, actor: drafter, checks: OK });
    simulate(id);
    approve(db, { versionId: id, actor: reviewer, opinion: "同意" });
    publish(db, {
      versionId: id,
      actor: publisher,
      effectiveFrom: "2027-01-01",
      checks: OK,
      announcement: { documentNumber: "苏府规字〔2026〕21号", announcedOn: "2026-11-20" },
      opinion: "按期发布",
    });
    withdraw(db, { versionId: id, actor: publisher, reason: "上位法修改" });
    return id;
  }

  it("says who did what to which version, with the opinion, in Chinese", () => {
    const id = walk();
    const trail = loadTrail(db, STANDARD.id, { versionId: id }, "zh-CN");
    const lines = trail.map((r) => (r.opinion ? `${r.sentence}｜${r.opinion}` : r.sentence)).reverse();
    expect(lines).toEqual([
      "起草人 Drafter 基于版本“2015”起草了修订版本“2027”",
      "起草人 Drafter 用历史申请人数据“2019年苏州入学申请人”对版本“2027”进行了模拟测算（积分入学）",
      "起草人 Drafter 将版本“2027”提交审核｜已按2026年征求意见修改",
      "审核人 Reviewer 将版本“2027”退回修改｜请补充退役军人加分",
      "起草人 Drafter 将版本“2027”提交审核",
      "起草人 Drafter 用历史申请人数据“2019年苏州入学申请人”对版本“2027”进行了模拟测算（积分入学）",
      "审核人 Reviewer 批准了版本“2027”｜同意",
      "发布人 Publisher 发布了版本“2027”（苏府规字〔2026〕21号），自2027年1月1日起施行｜按期发布",
      "发布人 Publisher 撤回了版本“2027”｜上位法修改",
    ]);
    for (const row of trail) {
      expect(row.sentence).not.toMatch(/version\.|simulation_run|#\d|[0-9a-f]{12}/);
      expect(row.at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    }
  });

  it("reads in English, filters by kind, and covers the whole standard when asked", () => {
    const id = walk();
    const decisions = loadTrail(db, STANDARD.id, { versionId: id, kind: "decision" }, "en").map((r) => r.sentence).reverse();
    expect(decisions).toEqual([
      "起草人 Drafter submitted version “2027” for review",
      "审核人 Reviewer returned version “2027” for changes",
      "起草人 Drafter submitted version “2027” for review",
      "审核人 Reviewer approved version “2027”",
      "发布人 Publisher published version “2027” under 苏府规字〔2026〕21号, in force from 1 January 2027",
      "发布人 Publisher withdrew version “2027”",
    ]);
    const standardWide = loadTrail(db, STANDARD.id, {}, "en").map((r) => r.sentence);
    expect(standardWide).toContain("version “2015” was superseded by version “2027”; in force until 31 December 2026");
    expect(standardWide).toContain("version “2015” was entered as published");
    expect(loadTrail(db, STANDARD.id, { versionId: id }, "en").map((r) => r.sentence)).not.toContain(
      "version “2015” was superseded by version “2027”; in force until 31 December 2026",
    );
  });
});

describe("submitting needs valid content, passing cases and a simulation of the current content", () => {
  it("refuses without a simulation unless a reason is given, which the trail records", () => {
    const id = revision();
    const refused = submitForReview(db, { versionId: id, actor: drafter, checks: OK });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.errors.map((e) => e.code)).toEqual(["workflow.noSimulation"]);
      expect(refused.errors[0].message.zh).toContain("请先模拟测算，或填写不经模拟测算即提交的理由");
    }
    expect(getVersion(db, id)!.status).toBe("draft");
    expect(submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "  " }).ok).toBe(false);
    expect(submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "只改了文字说明，分值未变" })).toEqual({ ok: true });
    const [latest] = loadTrail(db, STANDARD.id, { versionId: id, kind: "decision" }, "zh-CN");
    expect(latest.sentence).toBe("起草人 Drafter 在未对当前内容模拟测算的情况下将版本“2027”提交审核，理由：只改了文字说明，分值未变");
    // Publishing still requires a real run of the approved content.
    approve(db, { versionId: id, actor: reviewer });
    const blocked = publish(db, { versionId: id, actor: publisher, effectiveFrom: "2027-01-01", checks: OK });
    expect(blocked.ok).toBe(false);
    if (!blocked.ok) expect(blocked.errors.map((e) => e.code)).toEqual(["workflow.noSimulation"]);
  });

  it("refuses failing cases and an invalid document, whatever the override", () => {
    const id = revision();
    simulate(id);
    const failing = submitForReview(db, { versionId: id, actor: drafter, checks: { documentValid: true, casesPassed: false } });
    expect(failing.ok).toBe(false);
    if (!failing.ok) expect(failing.errors.map((e) => e.code)).toEqual(["workflow.casesFailing"]);
    const invalid = submitForReview(db, { versionId: id, actor: drafter, checks: { documentValid: false, casesPassed: false }, simulationOverride: "x" });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) expect(invalid.errors.map((e) => e.code)).toEqual(["workflow.invalidDocument"]);
    expect(getVersion(db, id)!.status).toBe("draft");
  });
});

describe("an unchanged save", () => {
  it("makes no revision and no audit entry", () => {
    const id = revision();
    const before = getVersion(db, id)!;
    const entries = listAudit(db, STANDARD.id).length;
    const reformatted = JSON.stringify(JSON.parse(before.document));
    expect(saveDraftDocument(db, { versionId: id, baseRevision: 1, documentText: reformatted, document: JSON.parse(reformatted), userId: drafter.id })).toEqual({
      kind: "unchanged",
      revision: 1,
    });
    expect(getVersion(db, id)).toMatchObject({ revision: 1, document: before.document });
    expect(listRevisions(db, id)).toHaveLength(1);
    expect(listAudit(db, STANDARD.id)).toHaveLength(entries);
  });
});

describe("test results in the officer's words, and accepting the actual results", () => {
  // The Suzhou 2015 table with 大学本科 raised from 60 to 80 points: the cases written for 60 now fail.
  function raisedBachelor(): string {
    const doc = JSON.parse(EXAMPLE) as { items: Array<{ id: string; scoring: { tiers: Array<{ id: string; points: number }> } }> };
    doc.items.find((i) => i.id === "education")!.scoring.tiers.find((t) => t.id === "bachelor")!.points = 80;
    return JSON.stringify(doc, null, 2);
  }

  it("says 文化程度：预期 60 分，实际 80 分, in both languages", async () => {
    const text = raisedBachelor();
    const report = await checkContent(text, "raised-bachelor-words");
    const tc01 = report.cases.find((c) => c.id === "tc01_ordinary_graduate")!;
    expect(tc01.pass).toBe(false);
    expect(tc01.words.zh).toContain("文化程度：预期 60 分，实际 80 分");
    expect(tc01.words.en).toContain("education: expected 60 points, got 80 points");
    expect(tc01.words.zh.join()).not.toMatch(/\[reference\]|\[compiled\]|education/);
  });

  it("takes the actual results of the selected cases as their expectations, and only those", async () => {
    const text = raisedBachelor();
    const report = await checkContent(text, "raised-bachelor-accept");
    const failing = report.cases.filter((c) => !c.pass).map((c) => c.id);
    expect(failing).toEqual(expect.arrayContaining(["tc01_ordinary_graduate", "tc11_spouse_higher_counts"]));
    const next = withActualResultsAccepted(text, report, ["tc01_ordinary_graduate"]);
    expect(next?.accepted).toEqual(["tc01_ordinary_graduate"]);
    const after = await checkContent(next!.text, "raised-bachelor-accepted");
    expect(after.cases.find((c) => c.id === "tc01_ordinary_graduate")!.pass).toBe(true);
    expect(after.cases.find((c) => c.id === "tc11_spouse_higher_counts")!.pass).toBe(false);
    const all = withActualResultsAccepted(text, report, failing);
    expect((await checkContent(all!.text, "raised-bachelor-all")).checks.casesPassed).toBe(true);
    expect(withActualResultsAccepted(text, report, [])).toBeNull();
  });

  it("says a failing ranking case in words too: who was expected, who was admitted, the order", async () => {
    const doc = JSON.parse(EXAMPLE) as { rankingCases: Array<{ id: string; quotas: Record<string, number>; expect: { admitted: string[]; order?: string[] } }> };
    const rankingCase = doc.rankingCases[0];
    const places = Object.values(rankingCase.quotas)[0];
    // One place fewer than the case expects to fill: someone expected is not admitted.
    for (const key of Object.keys(rankingCase.quotas)) rankingCase.quotas[key] = places - 1;
    const report = await checkContent(JSON.stringify(doc, null, 2), "ranking-one-place-fewer");
    const failed = report.cases.find((c) => c.id === rankingCase.id)!;
    expect(failed.kind).toBe("ranking");
    expect(failed.pass).toBe(false);
    expect(failed.words.zh.join("\n")).toMatch(/^预期录取但未录取：\S+/m);
    expect(failed.words.en.join("\n")).toMatch(/^Expected to be admitted but not admitted: \S+/m);
    expect(failed.words.zh.join("\n")).not.toMatch(/not admitted but expected|admitted but not expected/);
  });
});
