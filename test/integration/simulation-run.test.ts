/**
 * The simulation screens' server side: a run is stored with its summary and reproduced from its stored inputs when
 * its results are no longer in memory; pools come from the cohort; a header's columns are matched to facts.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCohort, type CohortRow } from "../../db/cohorts";
import type { JifenDb } from "../../db/connection";
import { openDatabase } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { getSimulationRun } from "../../db/runs";
import { seedIfEmpty } from "../../server/seed";
import { distinctFactValues } from "../../db/simulation-inputs";
import { listStandards } from "../../db/standards";
import { hasSimulationRun } from "../../db/workflow";
import { getVersion } from "../../db/standards";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";
import { proposeMapping, standardFacts } from "../../app/features/cohorts/standard-facts.server";
import { impactByGroup, loadRun, runAndRecord, scoreHistogram } from "../../app/features/simulation/run.server";
import { cohortFromRows } from "../../engine/cohorts/cohort";
import { factsOfBoth } from "../../engine/simulation/facts-read";
import { simulate } from "../../engine/simulation/simulate";
import { applicationFacts } from "../../rules-schema/persons";

const SUZHOU_2015 = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
let db: JifenDb;
let cohortId: number;
let baselineVersionId: number;
let candidateVersionId: number;

beforeAll(async () => {
  process.env.JIFEN_SEED_COHORT_SIZE = "0";
  db = openDatabase(":memory:");
  migrateDatabase(db);
  await seedIfEmpty(db);
  const rows: CohortRow[] = [];
  for (const a of generateApplicants(SUZHOU_2015, 1500, 11)) rows.push({ rowNo: rows.length + 1, applicantRef: a.id, facts: a.facts });
  cohortId = createCohort(db, { name: "test", standardId: "suzhou", sourceFormat: "generated", createdBy: null }, rows).cohortId;
  const versions = listStandards(db).find((s) => s.id === "suzhou")!.versions;
  baselineVersionId = versions.find((v) => v.status === "published")!.id;
  candidateVersionId = versions.find((v) => v.status === "draft")!.id;
});

describe("runAndRecord / loadRun", () => {
  it("scores a family program with each person's facts, as jifen simulate does (the spouse is not scored on nothing)", () => {
    const inputs = { baselineVersionId, candidateVersionId, cohortId, programId: "school", evaluationDate: "2021-06-30", quotas: { "*": 3 }, seed: null };
    const loaded = loadRun(db, runAndRecord(db, "suzhou", inputs, null).runId)!;
    const { baseline, candidate } = loaded;
    const applicants = [...generateApplicants(SUZHOU_2015, 1500, 11)];
    const facts = applicationFacts({ ...baseline, facts: factsOfBoth(baseline, candidate) });
    expect(facts.some((f) => f.id.startsWith("spouse."))).toBe(true);
    const direct = simulate({
      baseline,
      candidate,
      programId: "school",
      cohort: cohortFromRows(facts, applicants.map((a) => a.id), applicants.map((a) => a.facts)),
      quotas: { "*": 3 },
      date: "2021-06-30",
    });
    expect(Array.from(loaded.result.columns.totalBefore)).toEqual(Array.from(direct.columns.totalBefore));
    expect(Array.from(loaded.result.columns.totalAfter)).toEqual(Array.from(direct.columns.totalAfter));
  });

  it("stores the summary the dashboard reads, meets the publishing check, and reproduces the run from its inputs", () => {
    const inputs = { baselineVersionId, candidateVersionId, cohortId, programId: "settlement", evaluationDate: "2021-06-30", quotas: { "*": 200 }, seed: null };
    const first = runAndRecord(db, "suzhou", inputs, null);
    const stored = getSimulationRun(db, first.runId)!;
    const loaded = loadRun(db, first.runId)!;
    expect(stored.summary).toMatchObject({
      admittedBefore: loaded.result.summary.admittedBefore,
      admittedAfter: loaded.result.summary.admittedAfter,
      entered: loaded.result.summary.entered.length,
      left: loaded.result.summary.left.length,
    });
    expect(hasSimulationRun(db, getVersion(db, candidateVersionId)!)).toBe(true);
    // Push the run out of the in-memory cache (it keeps three), then load it again: recomputed, same outcome.
    for (let k = 0; k < 3; k++) runAndRecord(db, "suzhou", { ...inputs, quotas: { "*": 100 + k } }, null);
    const again = loadRun(db, first.runId)!;
    expect(again).not.toBe(loaded);
    expect(again.result.summary.entered).toEqual(loaded.result.summary.entered);
    expect(Array.from(again.result.columns.totalAfter)).toEqual(Array.from(loaded.result.columns.totalAfter));
    // Histogram bins hold every applicant once per version; groups partition the cohort.
    const bins = scoreHistogram(again);
    expect(bins.reduce((s, b) => s + b.before, 0)).toBe(1500);
    expect(bins.reduce((s, b) => s + b.after, 0)).toBe(1500);
    const groups = impactByGroup(again, "educationLevel");
    expect(groups.reduce((s, g) => s + g.applicants, 0)).toBe(1500);
    expect(groups.reduce((s, g) => s + g.admittedAfter, 0)).toBe(again.result.summary.admittedAfter);
  });

  it("allocates per pool for a program with pools, pools read from the cohort", () => {
    const pools = distinctFactValues(db, cohortId, "schoolId");
    expect(pools.reduce((s, p) => s + p.count, 0)).toBe(1500);
    const { runId } = runAndRecord(
      db,
      "suzhou",
      { baselineVersionId, candidateVersionId, cohortId, programId: "school", evaluationDate: "2021-06-30", quotas: { "*": 3, [pools[0].value]: 10 }, seed: null },
      null,
    );
    const loaded = loadRun(db, runId)!;
    const first = loaded.result.summary.pools.find((p) => p.pool === pools[0].value)!;
    expect(first.placesAfter).toBe(10);
    expect(loaded.result.summary.pools.filter((p) => p.pool !== pools[0].value).every((p) => p.placesAfter === 3)).toBe(true);
  });
});

describe("proposeMapping", () => {
  it("matches fact ids, fact labels in either language and the id columns; leaves the rest ignored", () => {
    const facts = standardFacts(db, "suzhou")!;
    expect(proposeMapping(["申请编号", "身份证号", "最高学历", "highest education", "birthDate", "备注"], facts)).toEqual({
      申请编号: "id",
      身份证号: "idNumber",
      最高学历: "educationLevel",
      "highest education": "educationLevel",
      birthDate: "birthDate",
      备注: "",
    });
  });
});
