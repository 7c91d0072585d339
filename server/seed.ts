/**
 * Demo content for a new installation: one user per role and the example standards, so the first screen a new
 * user sees is a realistic workspace. Runs only on an empty database; never touches existing data.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { JifenDb } from "../db/connection";
import { generateApplicants } from "../engine/cohorts/cohort-generate";
import { simulate } from "../engine/simulation/simulate";
import type { StandardDocument } from "../rules-schema/types";
import { createCohort, listCohorts, type CohortRow } from "../db/cohorts";
import { recordSimulationRun } from "../db/runs";
import { countStandards, createStandardWithVersion, createVersion, getVersion, listStandards } from "../db/standards";
import { countUsers, createUser, userIdByName, type Role } from "../db/users";

export const DEMO_PASSWORD = "jifen-demo";

export const DEMO_USERS: Array<{ username: string; displayName: string; roles: Role[] }> = [
  { username: "admin", displayName: "系统管理员 Administrator", roles: ["administrator"] },
  { username: "drafter", displayName: "起草人 Drafter", roles: ["drafter"] },
  { username: "reviewer", displayName: "审核人 Reviewer", roles: ["reviewer"] },
  { username: "publisher", displayName: "发布人 Publisher", roles: ["publisher"] },
];

export const EXAMPLES_FOLDER = join(dirname(fileURLToPath(import.meta.url)), "..", "rules-schema", "examples");

interface ExampleHead {
  id: string;
  version: string;
  status: string;
  title: { zh: string; en: string };
  jurisdiction: { code: string; name: { zh: string; en: string } };
  effectiveFrom?: string;
  effectiveTo?: string;
  legalBasis?: Array<{ documentNumber: string; date?: string }>;
}

export interface SeedReport {
  users: number;
  standards: string[];
  cohorts: Array<{ name: string; rows: number }>;
  runs: number;
}

/** Size of the synthetic past cohort; JIFEN_SEED_COHORT_SIZE overrides it (the browser tests use a small one). */
export function seedCohortSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.JIFEN_SEED_COHORT_SIZE ?? 50_000);
  return Number.isInteger(n) && n >= 0 ? n : 50_000;
}

const PAST_COHORT = {
  name: "2019年苏州积分入学申请人（模拟数据）",
  description: "Synthetic 2019 Suzhou school-admission applicants (generated, seed 2019), for trying simulations. 模拟生成，非真实个人数据。",
  referenceDate: "2019-06-30",
  programId: "school",
  quotas: { "*": 120 },
};

export async function seedIfEmpty(db: JifenDb, examplesFolder = EXAMPLES_FOLDER): Promise<SeedReport> {
  const report: SeedReport = { users: 0, standards: [], cohorts: [], runs: 0 };
  if (countUsers(db) === 0) {
    for (const u of DEMO_USERS) {
      await createUser(db, { ...u, password: DEMO_PASSWORD });
      report.users += 1;
    }
  }
  if (countStandards(db) === 0) {
    const files = readdirSync(examplesFolder)
      .filter((f) => f.endsWith(".json"))
      .sort();
    // Versions of one standard share the document id; the earliest effective one creates the standard.
    const docs = files
      .map((file) => {
        const text = readFileSync(join(examplesFolder, file), "utf8");
        return { text, head: JSON.parse(text) as ExampleHead };
      })
      .sort((a, b) => (a.head.effectiveFrom ?? "9999").localeCompare(b.head.effectiveFrom ?? "9999"));
    const drafterId = userIdByName(db, "drafter");
    for (const { text, head } of docs) {
      const version = {
        versionLabel: head.version,
        status: head.status,
        draftedBy: head.status === "draft" ? drafterId : null,
        documentText: text,
        effectiveFrom: head.effectiveFrom ?? null,
        effectiveTo: head.effectiveTo ?? null,
        // A published example was published by the notice its first legal basis names (文号, 公布日期).
        documentNumber: head.status === "published" ? (head.legalBasis?.[0]?.documentNumber ?? null) : null,
        announcedOn: head.status === "published" ? (head.legalBasis?.[0]?.date ?? null) : null,
      };
      if (report.standards.includes(head.id)) {
        createVersion(db, head.id, version);
        continue;
      }
      createStandardWithVersion(
        db,
        {
          id: head.id,
          jurisdiction: { code: head.jurisdiction.code, zh: head.jurisdiction.name.zh, en: head.jurisdiction.name.en },
          title: head.title,
        },
        version,
      );
      report.standards.push(head.id);
    }
  }
  if (listCohorts(db).length === 0 && seedCohortSize() > 0) seedPastCohort(db, report);
  return report;
}

function unionById<T extends { id: string }>(a: T[] = [], b: T[] = []): T[] {
  const ids = new Set(a.map((x) => x.id));
  return [...a, ...b.filter((x) => !ids.has(x.id))];
}

/** One document whose facts, derived facts, items, gates and vetoes are those of both versions, for the generator. */
function mergeForGeneration(baseline: StandardDocument, candidate: StandardDocument): StandardDocument {
  return {
    ...baseline,
    facts: unionById(baseline.facts, candidate.facts),
    derived: unionById(baseline.derived, candidate.derived),
    categories: unionById(baseline.categories, candidate.categories),
    items: unionById(baseline.items, candidate.items),
    gates: unionById(baseline.gates, candidate.gates),
    vetoes: unionById(baseline.vetoes, candidate.vetoes),
  };
}

/**
 * A synthetic past cohort of the Suzhou standard and one simulation run of the Suzhou 2020 draft against the 2015
 * version on it, so the dashboard, the simulation screens and the review page have something real to show.
 */
function seedPastCohort(db: JifenDb, report: SeedReport): void {
  const versions = listStandards(db).find((s) => s.id === "suzhou")?.versions ?? [];
  const published = versions.find((v) => v.status === "published");
  const draft = versions.find((v) => v.status === "draft");
  if (!published || !draft) return;
  const baselineRecord = getVersion(db, published.id)!;
  const candidateRecord = getVersion(db, draft.id)!;
  const baseline = JSON.parse(baselineRecord.document) as StandardDocument;
  const candidate = JSON.parse(candidateRecord.document) as StandardDocument;
  const size = seedCohortSize();
  const rows: CohortRow[] = [];
  let n = 0;
  // The past cohort carries the facts both versions read (a department supplies every fact a draft may need), so the
  // what-if compares like with like.
  for (const applicant of generateApplicants(mergeForGeneration(baseline, candidate), size, 2019, { referenceDate: PAST_COHORT.referenceDate })) {
    rows.push({ rowNo: ++n, applicantRef: applicant.id, facts: applicant.facts });
  }
  const drafterId = userIdByName(db, "drafter");
  const { cohortId, rowCount } = createCohort(
    db,
    { name: PAST_COHORT.name, standardId: "suzhou", description: PAST_COHORT.description, sourceFormat: "generated", createdBy: drafterId },
    rows,
  );
  report.cohorts.push({ name: PAST_COHORT.name, rows: rowCount });
  if (!candidate.programs.some((p) => p.id === PAST_COHORT.programId)) return;
  const result = simulate({
    baseline,
    candidate,
    programId: PAST_COHORT.programId,
    cohort: { ids: rows.map((r) => r.applicantRef), rows: rows.map((r) => r.facts) },
    quotas: PAST_COHORT.quotas,
    date: PAST_COHORT.referenceDate,
  });
  const summary = result.summary;
  recordSimulationRun(db, {
    standardId: "suzhou",
    baselineVersionId: baselineRecord.id,
    baselineHash: baselineRecord.contentHash,
    candidateVersionId: candidateRecord.id,
    candidateHash: candidateRecord.contentHash,
    cohortId,
    programId: PAST_COHORT.programId,
    evaluationDate: PAST_COHORT.referenceDate,
    quotas: PAST_COHORT.quotas,
    seed: null,
    summary: {
      applicants: summary.applicants,
      admittedBefore: summary.admittedBefore,
      admittedAfter: summary.admittedAfter,
      entered: summary.entered.length,
      left: summary.left.length,
      pools: summary.pools.map((p) => ({ pool: p.pool, cutoffBefore: p.cutoffBefore, cutoffAfter: p.cutoffAfter })),
    },
    createdBy: drafterId,
  });
  report.runs += 1;
}
