/** `jifen round replay`: every decision of a round on a real database file, replayed identically (issue 23). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCohort, type CohortRow } from "../../db/cohorts";
import { openDatabase } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { createRound } from "../../db/rounds";
import { createUser } from "../../db/users";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";
import { seedIfEmpty } from "../../server/seed";
import { runRound } from "../../app/features/rounds/rounds.server";

const dir = mkdtempSync(join(tmpdir(), "jifen-round-"));
const dbPath = join(dir, "jifen.sqlite");
let roundId: number;

function jifen(args: string[]) {
  return spawnSync(process.execPath, ["bin/jifen.mjs", ...args], { env: { ...process.env, DATABASE_URL: dbPath, LANG: "en_US.UTF-8" }, encoding: "utf8" });
}

beforeAll(async () => {
  process.env.JIFEN_SEED_COHORT_SIZE = "0";
  const db = openDatabase(dbPath);
  migrateDatabase(db);
  await seedIfEmpty(db);
  const doc = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
  const rows: CohortRow[] = [...generateApplicants(doc, 200, 9)].map((a, i) => ({ rowNo: i + 1, applicantRef: `A${i + 1}`, facts: { ...a.facts, schoolId: `s${i % 4}` } }));
  const actor = { id: await createUser(db, { username: "cli-drafter", displayName: "cli", password: "pw-for-tests", roles: ["drafter"] }), roles: ["drafter"] };
  const cohortId = createCohort(db, { name: "cli round", standardId: "suzhou", sourceFormat: "generated", createdBy: actor.id }, rows).cohortId;
  const opened = createRound(db, { standardId: "suzhou", programId: "school", name: "2019 秋季", cutoffDate: "2019-06-30", quotas: { "*": 10 }, scoreLine: null, cohortId }, actor);
  if (!opened.ok) throw new Error(opened.error.message.en);
  roundId = opened.value;
  expect(runRound(db, roundId, actor).ok).toBe(true);
  db.$client.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("jifen round replay", () => {
  it("replays every decision of the round identically (exit 0), in words or as JSON", () => {
    const json = jifen(["round", "replay", String(roundId), "--json"]);
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { decisions: number; identical: number; allIdentical: boolean };
    expect(report).toMatchObject({ decisions: 200, identical: 200, allIdentical: true });
    const words = jifen(["--lang", "zh-CN", "round", "replay", String(roundId)]);
    expect(words.stdout).toContain("重放 200 个计分决定，200 个与记录一致");
    expect(words.stdout).toContain("结论：全部一致。");
  });

  it("says so, with exit 2, for a round that does not exist", () => {
    const missing = jifen(["round", "replay", "999"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("There is no round 999.");
  });
});
