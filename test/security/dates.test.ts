/**
 * Issue 18, "Dates": an impossible date (2030-02-30, 2030-13-45, 2019-02-30) is refused wherever a date enters —
 * publishing, the API's query and bodies, a date fact, the CLI and the engine — with the located, bilingual
 * `badDate` error, never accepted (200), rolled over into the next month, or answered with a 500.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { recordSimulationRun } from "../../db/runs";
import { createCohort } from "../../db/cohorts";
import { createStandardWithVersion, createVersion, getVersion } from "../../db/standards";
import { createUser, type Role } from "../../db/users";
import { approve, publish, submitForReview, type Actor } from "../../db/workflow";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import { evaluationDate, isIsoDate } from "../../engine/scoring/dates";
import { validateDocumentText } from "../../rules-schema/validate";
import type { StandardDocument } from "../../rules-schema/types";
import { suzhouPath, tempDir } from "../integration/cli-allocation.helpers";
import { jifenAsync as jifen } from "./cli-async";
import { openInProcessApi, type InProcessApi } from "./api-in-process";

const IMPOSSIBLE = ["2030-02-30", "2030-13-45", "2019-02-29", "2019-04-31", "2030-00-10", "2030-01-00"];
const suzhouText = readFileSync(suzhouPath, "utf8");
const suzhou = JSON.parse(suzhouText) as StandardDocument;

describe("the one parser", () => {
  it("accepts the days of the calendar, leap days included, and nothing else", () => {
    for (const date of ["2024-02-29", "2000-02-29", "2030-12-31", "2030-04-30"]) expect(isIsoDate(date), date).toBe(true);
    for (const date of [...IMPOSSIBLE, "1900-02-29", "2030-2-3", "2030/02/03", " 2030-02-03", "２０３０-02-03"]) expect(isIsoDate(date), date).toBe(false);
  });

  it("the engine refuses an impossible evaluation date rather than rolling it over", () => {
    expect(() => evaluationDate("2030-02-30")).toThrow(/2030-02-30/);
  });

  it("a document's dates are read the same way (the schema's date format)", () => {
    const doc = JSON.parse(suzhouText) as Record<string, unknown>;
    doc.effectiveFrom = "2015-02-30";
    const result = validateDocumentText(JSON.stringify(doc, null, 2));
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ code: "schema.format", path: "/effectiveFrom" }));
  });
});

describe("publishing", () => {
  const STANDARD = { id: "datecity", jurisdiction: { code: "000000", zh: "测试市", en: "Test City" }, title: { zh: "测试标准", en: "Test standard" } };
  const OK = { documentValid: true, casesPassed: true };
  let db: JifenDb;
  let drafter: Actor;
  let reviewer: Actor;
  let publisher: Actor;

  const actor = async (username: string, roles: Role[]): Promise<Actor> => ({ id: await createUser(db, { username, displayName: username, password: "pw-for-tests", roles }), roles });

  beforeEach(async () => {
    db = openDatabase(":memory:");
    migrateDatabase(db);
    drafter = await actor("d", ["drafter"]);
    reviewer = await actor("r", ["reviewer"]);
    publisher = await actor("p", ["publisher"]);
  });

  function approvedAndSimulated(label: string): number {
    const draft = { versionLabel: label, status: "draft" as const, documentText: `{"v":"${label}"}`, draftedBy: drafter.id };
    const id = label === "v1" ? createStandardWithVersion(db, STANDARD, draft) : createVersion(db, STANDARD.id, draft);
    expect(submitForReview(db, { versionId: id, actor: drafter, checks: OK, simulationOverride: "simulated after approval in this test" })).toEqual({ ok: true });
    expect(approve(db, { versionId: id, actor: reviewer })).toEqual({ ok: true });
    const v = getVersion(db, id)!;
    const cohortId = createCohort(db, { name: `past ${label}`, standardId: STANDARD.id, sourceFormat: "generated", createdBy: drafter.id }, [{ rowNo: 1, applicantRef: "A1", facts: { x: 1 } }]).cohortId;
    recordSimulationRun(db, {
      standardId: v.standardId, baselineVersionId: null, baselineHash: v.contentHash, candidateVersionId: v.id, candidateHash: v.contentHash,
      cohortId, programId: "settlement", evaluationDate: "2025-06-30", quotas: { "*": 10 }, seed: null, summary: {}, createdBy: reviewer.id,
    });
    return id;
  }

  it("refuses an impossible effective date with a bilingual message, and leaves the version in effect open", () => {
    const first = approvedAndSimulated("v1");
    expect(publish(db, { versionId: first, actor: publisher, effectiveFrom: "2025-01-01", checks: OK })).toEqual({ ok: true });
    const second = approvedAndSimulated("v2");
    for (const effectiveFrom of IMPOSSIBLE) {
      const result = publish(db, { versionId: second, actor: publisher, effectiveFrom, checks: OK });
      expect(result.ok, effectiveFrom).toBe(false);
      const error = !result.ok ? result.errors.find((e) => e.code === "workflow.badDate") : undefined;
      expect(error, effectiveFrom).toBeDefined();
      expect(error!.message.zh).toContain("生效日期");
      expect(error!.message.en).toContain("effective date");
    }
    expect(getVersion(db, first)).toMatchObject({ status: "published", effectiveTo: null });
    expect(getVersion(db, second)?.status).toBe("approved");
  });

  it("closes the previous version on the real day before, across a month end and a leap day", () => {
    const first = approvedAndSimulated("v1");
    expect(publish(db, { versionId: first, actor: publisher, effectiveFrom: "2025-01-01", checks: OK })).toEqual({ ok: true });
    const second = approvedAndSimulated("v2");
    expect(publish(db, { versionId: second, actor: publisher, effectiveFrom: "2028-03-01", checks: OK })).toEqual({ ok: true });
    expect(getVersion(db, first)).toMatchObject({ status: "superseded", effectiveTo: "2028-02-29" });
  });
});

describe("the department API", () => {
  let api: InProcessApi;
  const cohort = generateCohort(suzhou, 3, "dates");
  beforeAll(async () => {
    api = await openInProcessApi("dates");
  });
  afterAll(async () => {
    await api.close();
  });

  const refusedAt = (answer: { status: number; json: Record<string, unknown> }, path: string) => {
    expect(answer.status).toBe(422);
    const errors = answer.json.errors as Array<{ code: string; path: string; message: { zh: string; en: string } }>;
    const error = errors.find((e) => e.path === path);
    expect(error, JSON.stringify(errors)).toMatchObject({ code: "api.badDate" });
    expect(error!.message.zh).toMatch(/日/);
    expect(error!.message.en).toMatch(/date/);
  };

  it("GET ?date= refuses an impossible day", async () => {
    expect((await api.call("GET", "/api/v1/standards/suzhou?date=2016-05-15")).status).toBe(200);
    for (const date of IMPOSSIBLE) refusedAt(await api.call("GET", `/api/v1/standards/suzhou?date=${date}`), "/date");
  });

  it("evaluate, explain, batch in both forms and rank refuse an impossible evaluation date with 422, not 500", async () => {
    const facts = cohort[0];
    const date = "2019-02-30";
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate", { program: "settlement", date, facts }), "/date");
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate", { program: "settlement", date, facts }, { bytes: true }), "/date");
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate?explain=true", { program: "settlement", date, facts }), "/date");
    const applicants = cohort.map((f, i) => ({ id: `A${i}`, facts: f }));
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program: "settlement", date, applicants }), "/date");
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program: "settlement", date, applicants }, { bytes: true }), "/date");
    const columns = ["id", ...Object.keys(facts)];
    const rows = cohort.map((f, i) => [`A${i}`, ...columns.slice(1).map((c) => (f as Record<string, unknown>)[c] ?? null)]);
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program: "settlement", date, columns, rows }), "/date");
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program: "settlement", date, columns, rows }, { bytes: true }), "/date");
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/rank", { program: "school", date, quotas: { "*": 1 }, applicants }), "/date");
  });

  it("a date fact that is not a day of the calendar is refused at its place, in every form, instead of being scored", async () => {
    const facts = { ...cohort[0], birthDate: "1990-02-30" };
    const date = "2016-05-15";
    for (const bytes of [false, true]) {
      refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate", { program: "settlement", date, facts }, { bytes }), "/facts/birthDate");
      refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program: "settlement", date, applicants: [{ id: "a", facts }] }, { bytes }), "/applicants/0/facts/birthDate");
      const columns = ["id", "birthDate"];
      refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", { program: "settlement", date, columns, rows: [["a", "1990-02-28"], ["b", "1990-02-30"]] }, { bytes }), "/rows/1/1");
    }
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/evaluate?explain=true", { program: "settlement", date, facts }), "/facts/birthDate");
    refusedAt(await api.call("POST", "/api/v1/standards/suzhou/rank", { program: "school", date, quotas: { "*": 1 }, applicants: [{ id: "a", facts }] }), "/applicants/0/facts/birthDate");
  });
});

describe("the command line", () => {
  it("score --date refuses an impossible day as a usage error, without a stack trace", async () => {
    const dir = tempDir();
    const factsPath = `${dir}/facts.json`;
    writeFileSync(factsPath, JSON.stringify(generateCohort(suzhou, 1, "cli")[0]));
    const result = await jifen(["score", "--standard", suzhouPath, "--program", "settlement", "--date", "2019-02-30", "--facts", factsPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("2019-02-30");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
