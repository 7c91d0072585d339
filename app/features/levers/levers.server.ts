/**
 * Levers and goal search for a stored simulation run (issue 24): computed on the run's cohort, places, date and seed,
 * for its candidate version; and a lever or a proposal opened as a draft revision through the workflow's own path
 * (a revision of the candidate when it is a draft, else a new draft started from it), so the audit trail records it.
 */
import { saveDraftDocument, getVersion } from "../../../db/standards";
import { startRevision, suggestRevisionLabel } from "../../../db/workflow";
import type { JifenDb } from "../../../db/connection";
import type { UserRecord } from "../../../db/users";
import { computeLevers, type LeversResult } from "../../../engine/levers/levers";
import { goalFacts, searchGoals, type Goal, type GoalSearchResult, type Movable } from "../../../engine/levers/goal-search";
import { createOutcomeEvaluator, type OutcomeEvaluator } from "../../../engine/levers/outcome";
import { listParameters, withValue, type NumericParameter } from "../../../engine/levers/parameters";
import { validateDocument } from "../../../rules-schema/validate";
import type { Id, StandardDocument } from "../../../rules-schema/types";
import type { LoadedRun } from "../simulation/run.server";

function evaluatorFor(loaded: LoadedRun, groupBy: Id[]): OutcomeEvaluator {
  const { run } = loaded;
  return createOutcomeEvaluator(loaded.candidate, {
    programId: run.programId,
    cohort: loaded.cohort,
    quotas: run.quotas,
    date: run.evaluationDate,
    ...(run.seed ? { seed: run.seed } : {}),
    groupBy,
  });
}

const leversCache = new WeakMap<LoadedRun, Map<string, { result: LeversResult; elapsedMs: number }>>();

/** Levers of the run's candidate, remembered per run and group fact while the run stays loaded. */
export function leversForRun(loaded: LoadedRun, groupFact: Id | undefined): { result: LeversResult; elapsedMs: number } {
  let byGroup = leversCache.get(loaded);
  if (!byGroup) leversCache.set(loaded, (byGroup = new Map()));
  const key = groupFact ?? "";
  const known = byGroup.get(key);
  if (known) return known;
  const started = performance.now();
  const evaluator = evaluatorFor(loaded, groupFact ? [groupFact] : []);
  const result = computeLevers({ doc: loaded.candidate, evaluator, ...(groupFact ? { groupFact } : {}) });
  const computed = { result, elapsedMs: Math.round(performance.now() - started) };
  byGroup.set(key, computed);
  return computed;
}

export function goalSearchForRun(loaded: LoadedRun, goals: Goal[], movable: Movable[] | undefined, seed: string): { result: GoalSearchResult; elapsedMs: number } {
  const started = performance.now();
  const evaluator = evaluatorFor(loaded, goalFacts(goals));
  const result = searchGoals({ doc: loaded.candidate, evaluator, goals, ...(movable ? { movable } : {}), seed });
  return { result, elapsedMs: Math.round(performance.now() - started) };
}

/** The numbers of the run's program, to choose what goal search may move. */
export function parametersOfRun(loaded: LoadedRun): NumericParameter[] {
  return listParameters(loaded.candidate, { program: loaded.run.programId });
}

export interface DraftChange {
  pointer: string;
  linked?: string[];
  from: number;
  to: number;
}

type Failure = { ok: false; status: number; message: "noDrafter" | "staleCandidate" | "badChange" | "invalidDraft" | "saveConflict"; problem?: { zh: string; en: string } };

function numberAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const segment of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

/**
 * Opens the run's candidate with these changes as a draft revision: saved as the next revision of the candidate when
 * it is a draft, else of a new draft started from it ("<label>-rev"). Refused, with nothing written, when the user
 * may not draft, the candidate changed since the run, a number is not where the change says, or the result does not
 * validate.
 */
export function openDraftWithChanges(
  db: JifenDb,
  user: UserRecord,
  loaded: LoadedRun,
  changes: DraftChange[],
  source: "lever" | "goalSearch",
): { ok: true; versionId: number; standardId: string; pointer: string } | Failure {
  if (!user.roles.some((role) => role === "drafter" || role === "administrator")) return { ok: false, status: 403, message: "noDrafter" };
  const candidate = getVersion(db, loaded.run.candidateVersionId);
  if (!candidate || candidate.contentHash !== loaded.run.candidateHash) return { ok: false, status: 409, message: "staleCandidate" };
  let changed: StandardDocument = JSON.parse(candidate.document) as StandardDocument;
  for (const change of changes) {
    for (const pointer of [change.pointer, ...(change.linked ?? [])]) {
      if (numberAt(changed, pointer) !== change.from || !Number.isFinite(change.to)) return { ok: false, status: 422, message: "badChange" };
      changed = withValue(changed, pointer, change.to);
    }
  }
  let target = candidate;
  if (candidate.status !== "draft") {
    // Checked on the candidate's identity first, so that a refused change starts no revision.
    const check = validateDocument(changed);
    if (!check.ok) return { ok: false, status: 422, message: "invalidDraft", problem: check.problems.find((p) => p.severity === "error")?.message };
    const started = startRevision(db, { fromVersionId: candidate.id, versionLabel: suggestRevisionLabel(db, candidate.standardId, candidate.versionLabel), actor: user });
    if (!started.ok) return { ok: false, status: 403, message: "noDrafter" };
    target = getVersion(db, started.versionId)!;
    let revised = JSON.parse(target.document) as StandardDocument;
    for (const change of changes) for (const pointer of [change.pointer, ...(change.linked ?? [])]) revised = withValue(revised, pointer, change.to);
    changed = revised;
  }
  const check = validateDocument(changed);
  if (!check.ok) return { ok: false, status: 422, message: "invalidDraft", problem: check.problems.find((p) => p.severity === "error")?.message };
  const saved = saveDraftDocument(db, {
    versionId: target.id,
    baseRevision: target.revision,
    documentText: JSON.stringify(changed, null, 2),
    document: changed,
    userId: user.id,
    details: { source, simulationRun: loaded.run.id, changes: changes.map(({ pointer, from, to }) => ({ pointer, from, to })) },
  });
  if (saved.kind !== "saved" && saved.kind !== "unchanged") return { ok: false, status: 409, message: "saveConflict" };
  return { ok: true, versionId: target.id, standardId: target.standardId, pointer: changes[0]?.pointer ?? "" };
}
