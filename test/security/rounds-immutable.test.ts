/**
 * Issue 23 with issue 18's guarantees: an announced round, its results, its notice, a decided objection and an
 * amendment cannot be changed by any SQL (a person with a sqlite3 shell), including INSERT OR REPLACE; announcing and
 * deciding an objection need a second person in the database itself, not only in the code.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createCohort, type CohortRow } from "../../db/cohorts";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { announceRound, createRound, decideObjection, getRound, publishNotice, recordObjection, type Actor } from "../../db/rounds";
import { createUser } from "../../db/users";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";
import { seedIfEmpty } from "../../server/seed";
import { reReview, runRound } from "../../app/features/rounds/rounds.server";

const SUZHOU_2015 = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
let db: JifenDb;
let drafter: Actor;
let publisher: Actor;
let announced: number;
let runOnly: number;
let objectionId: number;

const sql = (text: string, ...params: unknown[]) => () => db.$client.prepare(text).run(...params);

async function user(username: string, role: "drafter" | "publisher"): Promise<Actor> {
  return { id: await createUser(db, { username, displayName: username, password: "pw-for-tests", roles: [role] }), roles: [role] };
}

function openRun(name: string, cohortId: number): number {
  const opened = createRound(db, { standardId: "suzhou", programId: "school", name, cutoffDate: "2019-06-30", quotas: { "*": 3 }, scoreLine: null, cohortId }, drafter);
  if (!opened.ok) throw new Error(opened.error.message.en);
  expect(runRound(db, opened.value, drafter).ok).toBe(true);
  return opened.value;
}

beforeAll(async () => {
  process.env.JIFEN_SEED_COHORT_SIZE = "0";
  db = openDatabase(":memory:");
  migrateDatabase(db);
  await seedIfEmpty(db);
  drafter = await user("round-drafter", "drafter");
  publisher = await user("round-publisher", "publisher");
  const rows: CohortRow[] = [...generateApplicants(SUZHOU_2015, 30, 5)].map((a, i) => ({ rowNo: i + 1, applicantRef: `R${i + 1}`, facts: { ...a.facts, schoolId: `s${i % 2}` } }));
  const cohortId = createCohort(db, { name: "round", standardId: "suzhou", sourceFormat: "generated", createdBy: drafter.id }, rows).cohortId;
  announced = openRun("announced", cohortId);
  runOnly = openRun("run only", cohortId);
  expect(announceRound(db, announced, publisher).ok).toBe(true);
  expect(publishNotice(db, { roundId: announced, startsOn: "2019-07-01", workingDays: 5, endsOn: "2019-07-05", holidays: [], contact: "office" }, publisher).ok).toBe(true);
  const objection = recordObjection(db, { roundId: announced, rowNo: 1, disputed: "x", correctedFacts: { educationLevel: "doctor" }, evidence: "" }, "2019-07-02", drafter);
  if (!objection.ok) throw new Error(objection.error.message.en);
  objectionId = objection.value;
  const review = await reReview(db, getRound(db, announced)!, 1, { educationLevel: "doctor" });
  const amendment = { amendedOn: "2019-07-03", totalBefore: review.totalBefore, totalAfter: review.totalAfter, pool: review.pool, results: review.standing, pools: review.pools };
  expect(decideObjection(db, { objectionId, outcome: "corrected", opinion: "ok", review: review.decision, amendment }, publisher).ok).toBe(true);
});

describe("an announced round cannot be changed by SQL", () => {
  it("refuses changing, deleting or replacing the round", () => {
    expect(sql("update rounds set quotas = '{\"*\":99}' where id = ?", announced)).toThrow(/round_immutable/);
    expect(sql("update rounds set status = 'run' where id = ?", announced)).toThrow(/round_immutable/);
    expect(sql("delete from rounds where id = ?", announced)).toThrow(/round_immutable/);
    expect(sql("insert or replace into rounds (id, standard_id, program_id, name, cutoff_date, status) values (?, 'suzhou', 'school', 'x', '2019-06-30', 'open')", announced)).toThrow(
      /round_immutable/,
    );
    expect(sql("replace into rounds (id, standard_id, program_id, name, cutoff_date) values (?, 'suzhou', 'school', 'x', '2019-06-30')", announced)).toThrow(/round_immutable/);
  });

  it("refuses changing, deleting, adding or replacing its results", () => {
    expect(sql("update round_results set total = 999, admitted = 'round1' where round_id = ?", announced)).toThrow(/round_immutable/);
    expect(sql("delete from round_results where round_id = ?", announced)).toThrow(/round_immutable/);
    expect(
      sql("insert or replace into round_results (round_id, row_no, applicant_ref, pool, decision_id, eligible, vetoed, total, rank, admitted) values (?, 1, 'R1', 's0', 1, 1, 0, 999, 1, 'round1')", announced),
    ).toThrow(/round_immutable/);
    expect(sql("insert into round_results (round_id, row_no, applicant_ref, pool, decision_id, eligible, vetoed, total) values (?, 99, 'R99', 's0', 1, 1, 0, 999)", announced)).toThrow(
      /round_immutable/,
    );
    expect(sql("update round_results set total = 999 where round_id = ?", runOnly)).toThrow(/round_immutable/);
  });

  it("refuses announcing by whoever ran the round, even in SQL", () => {
    const round = getRound(db, runOnly)!;
    expect(sql("update rounds set status = 'announced', announced_by = ?, announced_at = '2019-07-01' where id = ?", round.runBy, runOnly)).toThrow(/round_four_eyes/);
    expect(sql("update rounds set status = 'announced', announced_by = ?, announced_at = '2019-07-01', quotas = '{}' where id = ?", publisher.id, runOnly)).toThrow(/round_four_eyes/);
  });

  it("refuses changing, deleting or replacing the notice, and a notice of a round not announced", () => {
    expect(sql("update round_notices set ends_on = '2019-12-31' where round_id = ?", announced)).toThrow(/round_immutable/);
    expect(sql("delete from round_notices where round_id = ?", announced)).toThrow(/round_immutable/);
    expect(sql("insert or replace into round_notices (round_id, starts_on, working_days, ends_on, contact) values (?, '2019-07-01', 50, '2019-12-31', 'x')", announced)).toThrow(/round_immutable/);
    expect(sql("insert into round_notices (round_id, starts_on, working_days, ends_on, contact) values (?, '2019-07-01', 5, '2019-07-05', 'x')", runOnly)).toThrow(/round_immutable/);
  });

  it("refuses changing a decided objection, deciding one's own, and deleting one", () => {
    expect(sql("update round_objections set opinion = 'changed' where id = ?", objectionId)).toThrow(/objection_four_eyes/);
    expect(sql("update round_objections set status = 'pending' where id = ?", objectionId)).toThrow(/objection_four_eyes/);
    expect(sql("delete from round_objections where id = ?", objectionId)).toThrow(/objection_recorded/);
    db.$client.prepare("insert into round_objections (round_id, row_no, disputed, recorded_by) values (?, 2, 'y', ?)").run(announced, drafter.id);
    const pending = (db.$client.prepare("select max(id) as id from round_objections").get() as { id: number }).id;
    expect(sql("update round_objections set status = 'upheld', decided_by = ?, decided_at = '2019-07-03', opinion = 'mine' where id = ?", drafter.id, pending)).toThrow(/objection_four_eyes/);
    expect(sql("insert or replace into round_objections (id, round_id, row_no, disputed, recorded_by) values (?, ?, 1, 'z', ?)", objectionId, announced, drafter.id)).toThrow(/objection_recorded/);
  });

  it("refuses changing, deleting or replacing an amendment, or one without a corrected objection", () => {
    expect(sql("update round_amendments set total_after = 999")).toThrow(/round_immutable/);
    expect(sql("delete from round_amendments")).toThrow(/round_immutable/);
    expect(sql("insert or replace into round_amendments (id, round_id, objection_id, row_no, pool, amended_on, total_before, total_after, results, pools) select id, round_id, objection_id, row_no, pool, amended_on, 0, 999, '[]', '[]' from round_amendments")).toThrow(
      /round_immutable/,
    );
    expect(sql("insert into round_amendments (round_id, objection_id, row_no, pool, amended_on, total_before, total_after, results, pools) values (?, ?, 1, 's0', '2019-07-04', 0, 999, '[]', '[]')", announced, objectionId)).toThrow(
      /round_immutable/,
    );
  });
});
