/**
 * Running a simulation for the web screens and getting its full per-applicant results back. A run is stored with its
 * inputs only (version hashes, cohort, quotas, seed, date); the per-applicant results are kept in memory for the last
 * few runs and recomputed from the stored inputs when evicted (runs are reproducible by design).
 */
import { getCohort, listApplicants, type StoredApplicant } from "../../../db/cohorts";
import { getSimulationRun, recordSimulationRun, type SimulationRunRecord } from "../../../db/runs";
import { versionDocumentByHash } from "../../../db/simulation-inputs";
import { getVersion } from "../../../db/standards";
import type { JifenDb } from "../../../db/connection";
import { categoricalCodes, cohortFromRows, type Cohort } from "../../../engine/cohorts/cohort";
import { factsOfBoth } from "../../../engine/simulation/facts-read";
import { OUTCOME } from "../../../engine/allocation/rank";
import { simulate, type SimulationResult } from "../../../engine/simulation/simulate";
import { applicationFacts } from "../../../rules-schema/persons";
import type { FactDefinition, Id, StandardDocument } from "../../../rules-schema/types";
import { ChangeReasons, conditionsFromFacts } from "../../../engine/simulation/reasons";

export interface LoadedRun {
  run: SimulationRunRecord;
  baseline: StandardDocument;
  candidate: StandardDocument;
  applicants: StoredApplicant[];
  cohort: Cohort;
  indexOf: Map<string, number>;
  result: SimulationResult;
  elapsedMs: number;
}

export class SimulationInputError extends Error {
  constructor(readonly text: { zh: string; en: string }) {
    super(text.en);
  }
}

const CACHE_SIZE = 3;
const cache = new Map<number, LoadedRun>();

function remember(loaded: LoadedRun): void {
  cache.delete(loaded.run.id);
  cache.set(loaded.run.id, loaded);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
}

export { factsOfBoth };

function compute(baseline: StandardDocument, candidate: StandardDocument, applicants: StoredApplicant[], input: SimulationInputs) {
  const started = performance.now();
  const ids = applicants.map((a) => a.applicantRef);
  // Every fact either version reads, with each person's own facts (spouse.*) for programs that score a family, as
  // `jifen simulate` reads a cohort file: without them a spouse would be scored on nothing.
  const cohort = cohortFromRows(
    applicationFacts({ ...baseline, facts: factsOfBoth(baseline, candidate) }),
    ids,
    applicants.map((a) => a.facts),
  );
  const result = simulate({
    baseline,
    candidate,
    programId: input.programId,
    cohort,
    quotas: input.quotas,
    date: input.evaluationDate,
    ...(input.seed ? { seed: input.seed } : {}),
  });
  const indexOf = new Map<string, number>();
  ids.forEach((id, i) => indexOf.set(id, i));
  return { cohort, result, indexOf, elapsedMs: Math.round(performance.now() - started) };
}

export interface SimulationInputs {
  baselineVersionId: number;
  candidateVersionId: number;
  cohortId: number;
  programId: Id;
  evaluationDate: string;
  quotas: Record<string, number>;
  seed: string | null;
}

function parseDocument(text: string | undefined, which: "baseline" | "candidate"): StandardDocument {
  try {
    if (text !== undefined) return JSON.parse(text) as StandardDocument;
  } catch {
    /* reported below */
  }
  throw new SimulationInputError(
    which === "baseline"
      ? { zh: "无法读取基准版本的文档。", en: "The baseline version's document cannot be read." }
      : { zh: "无法读取候选版本的文档。", en: "The candidate version's document cannot be read." },
  );
}

/** Runs and stores a simulation; returns the new run's id. */
export function runAndRecord(db: JifenDb, standardId: string, input: SimulationInputs, createdBy: number | null): { runId: number; elapsedMs: number } {
  const baselineVersion = getVersion(db, input.baselineVersionId);
  const candidateVersion = getVersion(db, input.candidateVersionId);
  if (!baselineVersion || !candidateVersion || baselineVersion.standardId !== standardId || candidateVersion.standardId !== standardId) {
    throw new SimulationInputError({ zh: "所选版本不属于该标准。", en: "The chosen versions do not belong to this standard." });
  }
  const cohortSummary = getCohort(db, input.cohortId);
  if (!cohortSummary) throw new SimulationInputError({ zh: "找不到所选的申请人数据。", en: "The chosen cohort does not exist." });
  const baseline = parseDocument(baselineVersion.document, "baseline");
  const candidate = parseDocument(candidateVersion.document, "candidate");
  for (const doc of [baseline, candidate]) {
    if (!doc.programs?.some((p) => p.id === input.programId)) {
      throw new SimulationInputError({
        zh: `版本 ${doc === baseline ? baselineVersion.versionLabel : candidateVersion.versionLabel} 没有积分项目 “${input.programId}”。`,
        en: `Version ${doc === baseline ? baselineVersion.versionLabel : candidateVersion.versionLabel} has no program "${input.programId}".`,
      });
    }
  }
  const applicants = listApplicants(db, input.cohortId);
  let computed: ReturnType<typeof compute>;
  try {
    computed = compute(baseline, candidate, applicants, input);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new SimulationInputError({ zh: `测算失败：${detail}`, en: `The simulation failed: ${detail}` });
  }
  const { result } = computed;
  const summary = {
    applicants: result.summary.applicants,
    admittedBefore: result.summary.admittedBefore,
    admittedAfter: result.summary.admittedAfter,
    entered: result.summary.entered.length,
    left: result.summary.left.length,
    meanTotalBefore: result.summary.meanTotalBefore,
    meanTotalAfter: result.summary.meanTotalAfter,
    applicantsWithChangedTotal: result.summary.applicantsWithChangedTotal,
    pools: result.summary.pools,
    elapsedMs: computed.elapsedMs,
  };
  const runId = recordSimulationRun(db, {
    standardId,
    baselineVersionId: baselineVersion.id,
    baselineHash: baselineVersion.contentHash,
    candidateVersionId: candidateVersion.id,
    candidateHash: candidateVersion.contentHash,
    cohortId: input.cohortId,
    programId: input.programId,
    evaluationDate: input.evaluationDate,
    quotas: input.quotas,
    seed: input.seed,
    summary,
    createdBy,
  });
  const run = getSimulationRun(db, runId)!;
  remember({ run, baseline, candidate, applicants, ...computed });
  return { runId, elapsedMs: computed.elapsedMs };
}

/** A stored run with its full results (from memory, or recomputed from the stored inputs). */
export function loadRun(db: JifenDb, runId: number): LoadedRun | undefined {
  const cached = cache.get(runId);
  if (cached) {
    remember(cached);
    return cached;
  }
  const run = getSimulationRun(db, runId);
  if (!run) return undefined;
  const baselineText = run.baselineVersionId === null ? undefined : versionDocumentByHash(db, run.baselineVersionId, run.baselineHash);
  const candidateText = versionDocumentByHash(db, run.candidateVersionId, run.candidateHash);
  if (baselineText === undefined || candidateText === undefined) {
    throw new SimulationInputError({
      zh: "此测算所用的版本内容已无法找回（草稿已被修改且未保留该修订），无法重现明细。",
      en: "The version content this run used can no longer be found (the draft changed since), so its details cannot be reproduced.",
    });
  }
  const baseline = parseDocument(baselineText, "baseline");
  const candidate = parseDocument(candidateText, "candidate");
  const applicants = listApplicants(db, run.cohortId);
  const loaded: LoadedRun = {
    run,
    baseline,
    candidate,
    applicants,
    ...compute(baseline, candidate, applicants, {
      baselineVersionId: run.baselineVersionId ?? 0,
      candidateVersionId: run.candidateVersionId,
      cohortId: run.cohortId,
      programId: run.programId,
      evaluationDate: run.evaluationDate,
      quotas: run.quotas,
      seed: run.seed,
    }),
  };
  remember(loaded);
  return loaded;
}

const admitted = (code: number) => code === OUTCOME.round1 || code === OUTCOME.round2;

const reasonsByRun = new WeakMap<LoadedRun, ChangeReasons>();

/** Why each applicant entered or left (decision 038), built once per loaded run. */
export function changeReasonsOf(loaded: LoadedRun): ChangeReasons {
  let reasons = reasonsByRun.get(loaded);
  if (!reasons) {
    const conditions = conditionsFromFacts(loaded.baseline, loaded.candidate, loaded.run.programId, loaded.run.evaluationDate, (row) => loaded.applicants[row].facts);
    reasons = new ChangeReasons(loaded.result, loaded.baseline, loaded.candidate, conditions);
    reasonsByRun.set(loaded, reasons);
  }
  return reasons;
}

export interface GroupRow {
  value: string;
  applicants: number;
  admittedBefore: number;
  admittedAfter: number;
  meanChange: number;
}

/** Impact by the values of one categorical fact: admitted before/after and mean change of total per value. */
export function impactByGroup(loaded: LoadedRun, factId: Id): GroupRow[] {
  const { codes, labels } = categoricalCodes(loaded.cohort, factId);
  const c = loaded.result.columns;
  const rows = labels.map((value) => ({ value, applicants: 0, admittedBefore: 0, admittedAfter: 0, sumChange: 0 }));
  for (let i = 0; i < codes.length; i++) {
    const row = rows[codes[i]];
    row.applicants++;
    if (admitted(c.outcomeBefore[i])) row.admittedBefore++;
    if (admitted(c.outcomeAfter[i])) row.admittedAfter++;
    row.sumChange += c.totalAfter[i] - c.totalBefore[i];
  }
  return rows
    .filter((r) => r.applicants > 0)
    .map(({ sumChange, ...r }) => ({ ...r, meanChange: sumChange / r.applicants }))
    .sort((a, b) => b.applicants - a.applicants)
    .slice(0, 30);
}

export interface HistogramBin {
  from: number;
  to: number;
  before: number;
  after: number;
}

/** Score distributions before and after on common bins (about 20 bins of a round width). */
export function scoreHistogram(loaded: LoadedRun): HistogramBin[] {
  const { totalBefore, totalAfter } = loaded.result.columns;
  let min = Infinity;
  let max = -Infinity;
  for (const column of [totalBefore, totalAfter]) {
    for (let i = 0; i < column.length; i++) {
      if (column[i] < min) min = column[i];
      if (column[i] > max) max = column[i];
    }
  }
  if (!Number.isFinite(min)) return [];
  const raw = Math.max(1, (max - min) / 20);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const width = [1, 2, 5, 10].map((f) => f * magnitude).find((w) => w >= raw) ?? raw;
  const start = Math.floor(min / width) * width;
  const count = Math.max(1, Math.floor((max - start) / width) + 1);
  const bins: HistogramBin[] = Array.from({ length: count }, (_, k) => ({ from: start + k * width, to: start + (k + 1) * width, before: 0, after: 0 }));
  for (let i = 0; i < totalBefore.length; i++) {
    bins[Math.min(count - 1, Math.floor((totalBefore[i] - start) / width))].before++;
    bins[Math.min(count - 1, Math.floor((totalAfter[i] - start) / width))].after++;
  }
  return bins;
}

/** Categorical facts of both versions a group breakdown can use (enum, boolean, string). */
export function groupableFacts(loaded: LoadedRun): FactDefinition[] {
  return factsOfBoth(loaded.baseline, loaded.candidate).filter((f) => f.type === "enum" || f.type === "boolean" || f.type === "string");
}
