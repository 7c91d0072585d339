/**
 * Issue 23 parts 2–4: a round opened for Suzhou 2015's school places, its applicants attached from an imported
 * cohort, run on the version in effect on its cut-off date (every decision logged and replayed identically),
 * announced by a second person, noticed, objected to, re-reviewed by a second person and corrected (the pool
 * re-ranked, the amendment dated); every step in the round's history.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCohort, type CohortRow } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { getDecision } from "../../db/decisions";
import { migrateDatabase } from "../../db/migrate";
import {
  announceRound,
  attachCohort,
  createRound,
  decideObjection,
  getRound,
  listAmendments,
  listRoundResults,
  publishNotice,
  recordObjection,
  roundHistory,
  type Actor,
} from "../../db/rounds";
import { createUser } from "../../db/users";
import { verifyIntegrity } from "../../db/integrity";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import { noticeEndsOn } from "../../engine/procedure/notice-period";
import type { StandardDocument } from "../../rules-schema/types";
import { seedIfEmpty } from "../../server/seed";
import { reReview, replayRound, roundStanding, runRound } from "../../app/features/rounds/rounds.server";
import { roundReport, roundReportDocx, roundReportXlsx } from "../../app/features/rounds/report.server";
import ExcelJS from "exceljs";
import JSZip from "jszip";

const SUZHOU_2015 = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
let db: JifenDb;
let drafter: Actor;
let publisher: Actor;
let reviewer: Actor;
let roundId: number;

beforeAll(async () => {
  process.env.JIFEN_SEED_COHORT_SIZE = "0";
  db = openDatabase(":memory:");
  migrateDatabase(db);
  await seedIfEmpty(db);
  drafter = { id: await createUser(db, { username: "d2", displayName: "起草人二", password: "pw-for-tests", roles: ["drafter"] }), roles: ["drafter"] };
  publisher = { id: await createUser(db, { username: "p2", displayName: "发布人二", password: "pw-for-tests", roles: ["publisher"] }), roles: ["publisher"] };
  reviewer = { id: await createUser(db, { username: "r2", displayName: "审核人二", password: "pw-for-tests", roles: ["reviewer"] }), roles: ["reviewer"] };
  const rows: CohortRow[] = [];
  for (const a of generateApplicants(SUZHOU_2015, 300, 23)) rows.push({ rowNo: rows.length + 1, applicantRef: `S${String(rows.length + 1).padStart(4, "0")}`, idNumber: `3205011990010${String(rows.length + 1).padStart(5, "0")}`, facts: { ...a.facts, schoolId: `school-${rows.length % 3}` } });
  const cohortId = createCohort(db, { name: "2019年秋季积分入学申请", standardId: "suzhou", sourceFormat: "generated", createdBy: drafter.id }, rows).cohortId;
  const opened = createRound(db, { standardId: "suzhou", programId: "school", name: "2019年秋季积分入学", cutoffDate: "2019-06-30", quotas: { "*": 20 }, scoreLine: null, cohortId: null }, drafter);
  if (!opened.ok) throw new Error(opened.error.message.en);
  roundId = opened.value;
  expect(attachCohort(db, roundId, cohortId, drafter).ok).toBe(true);
});

describe("an application round", () => {
  it("is run only by drafters and publishers, on the version in effect on its cut-off date, each decision logged", () => {
    expect(runRound(db, roundId, reviewer)).toMatchObject({ ok: false, error: { code: "round.forbidden" } });
    const run = runRound(db, roundId, drafter);
    expect(run).toMatchObject({ ok: true, value: { decisions: 300 } });
    const round = getRound(db, roundId)!;
    expect(round.status).toBe("run");
    const results = listRoundResults(db, roundId);
    expect(results).toHaveLength(300);
    expect(results[0].idMasked).toBe("320***********0001");
    const decision = getDecision(db, results[0].decisionId)!;
    expect(decision.versionHash).toBe(round.versionHash);
    expect(decision.evaluationDate).toBe("2019-06-30");
    expect(JSON.parse(decision.input)).toMatchObject({ program: "school", date: "2019-06-30" });
    // Logged as the department API logs (decision 047): no total without a score, and the verdict.
    const ineligible = results.find((r) => !r.eligible)!;
    expect(JSON.parse(getDecision(db, ineligible.decisionId)!.output)).toMatchObject({ total: null, verdict: "ineligible", eligible: false });
    // 3 pools of 20 places (ties at the cut-off all admitted): at least 20 admitted per pool that has 20 candidates.
    for (const pool of round.pools!) expect(pool.admittedRound1).toBeGreaterThanOrEqual(Math.min(20, pool.candidates));
  });

  it("replays every decision identically", () => {
    const replay = replayRound(db, roundId)!;
    expect(replay.decisions).toBe(300);
    expect(replay.identical).toBe(300);
    expect(replay.differences).toEqual([]);
  });

  it("is announced by a second person only, and is then frozen", () => {
    expect(announceRound(db, roundId, drafter)).toMatchObject({ ok: false, error: { code: "round.fourEyes" } });
    expect(announceRound(db, roundId, publisher)).toMatchObject({ ok: true });
    expect(runRound(db, roundId, drafter)).toMatchObject({ ok: false, error: { code: "round.announced" } });
    expect(getRound(db, roundId)!.status).toBe("announced");
  });

  it("gets a notice, an objection in its period, a re-review by another person that corrects and re-ranks", async () => {
    const endsOn = noticeEndsOn("2019-07-01", 5);
    expect(endsOn).toBe("2019-07-05");
    expect(publishNotice(db, { roundId, startsOn: "2019-07-01", workingDays: 5, endsOn, holidays: [], contact: "市积分办 0512-12345678" }, publisher).ok).toBe(true);
    const round = getRound(db, roundId)!;
    const before = roundStanding(db, round).rows;
    // The first applicant below the cut-off of his pool, with a master's degree he had not declared.
    const target = before.find((r) => r.admitted === null && r.eligible && !r.vetoed)!;
    expect(recordObjection(db, { roundId, rowNo: target.rowNo, disputed: "学历未计分", correctedFacts: { educationLevel: "doctor" }, evidence: "博士学位证书" }, "2019-07-08", drafter)).toMatchObject({
      ok: false,
      error: { code: "objection.outsideNotice" },
    });
    const recorded = recordObjection(db, { roundId, rowNo: target.rowNo, disputed: "学历未计分", correctedFacts: { educationLevel: "doctor" }, evidence: "博士学位证书" }, "2019-07-03", drafter);
    expect(recorded.ok).toBe(true);
    const objectionId = recorded.ok ? recorded.value : 0;
    const review = await reReview(db, round, target.rowNo, { educationLevel: "doctor" });
    expect(review.totalAfter).toBeGreaterThan(review.totalBefore);
    expect(review.items.length).toBeGreaterThan(0);
    expect(review.changesResult).toBe(true);
    const amendment = { amendedOn: "2019-07-04", totalBefore: review.totalBefore, totalAfter: review.totalAfter, pool: review.pool, results: review.standing, pools: review.pools };
    expect(decideObjection(db, { objectionId, outcome: "corrected", opinion: "核实学历证书，予以更正", review: review.decision, amendment }, drafter)).toMatchObject({
      ok: false,
      error: { code: "objection.fourEyes" },
    });
    expect(decideObjection(db, { objectionId, outcome: "corrected", opinion: "核实学历证书，予以更正", review: review.decision, amendment }, publisher).ok).toBe(true);
    expect(listAmendments(db, roundId)).toHaveLength(1);
    const after = roundStanding(db, getRound(db, roundId)!).rows;
    const amended = after.find((r) => r.rowNo === target.rowNo)!;
    expect(amended.total).toBe(review.totalAfter);
    expect(amended.amendedOn).toBe("2019-07-04");
    expect(amended.totalBefore).toBe(target.total);
    // The announced results themselves are as they were.
    expect(listRoundResults(db, roundId).find((r) => r.rowNo === target.rowNo)!.total).toBe(target.total);
    // The re-review's decision replays too.
    const replay = replayRound(db, roundId)!;
    expect(replay.decisions).toBe(301);
    expect(replay.differences).toEqual([]);
  });

  it("reports the admitted list per pool and the objections with their outcomes, as XLSX and DOCX, in both languages", async () => {
    const round = getRound(db, roundId)!;
    const standing = roundStanding(db, round).rows;
    const admitted = standing.filter((r) => r.admitted !== null);
    const amended = standing.find((r) => r.amendedOn !== null)!;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await roundReportXlsx(roundReport(db, round, "zh-CN"), "zh-CN")) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(["概要", "录取名单", "名额池", "异议与复核"]);
    const admittedSheet = workbook.getWorksheet("录取名单")!;
    expect(admittedSheet.rowCount).toBe(admitted.length + 1);
    const refs = admittedSheet.getColumn(3).values.slice(2);
    expect(refs).toContain(amended.applicantRef);
    const objections = workbook.getWorksheet("异议与复核")!;
    expect(objections.getRow(2).values).toEqual(expect.arrayContaining([amended.applicantRef, "学历未计分", "已更正", "核实学历证书，予以更正"]));
    const english = new ExcelJS.Workbook();
    await english.xlsx.load((await roundReportXlsx(roundReport(db, round, "en"), "en")) as unknown as ArrayBuffer);
    expect(english.worksheets.map((w) => w.name)).toEqual(["Summary", "Admitted", "Pools", "Objections"]);
    expect(english.getWorksheet("Objections")!.getRow(2).values).toEqual(expect.arrayContaining(["Corrected"]));
    const zip = await JSZip.loadAsync(await roundReportDocx(roundReport(db, round, "zh-CN"), "zh-CN"));
    const xml = await zip.file("word/document.xml")!.async("string");
    expect(xml).toContain("2019年秋季积分入学 积分结果报告");
    expect(xml).toContain("录取名单");
    expect(xml).toContain(amended.applicantRef);
    expect(xml).toContain("已更正");
  });

  it("keeps every step in the round's history, and the chains intact", () => {
    expect(roundHistory(db, roundId).map((e) => e.action)).toEqual(["round.open", "round.attach", "round.run", "round.announce", "round.notice", "round.objection", "round.correct"]);
    expect(verifyIntegrity(db.$client).intact).toBe(true);
  });
});
