/**
 * Simulation runs as the lists show them (the dashboard, the simulation list): the standard's title, the program's
 * label and the versions' labels in the UI's words, not their ids (issue 21).
 */
import type { JifenDb } from "../../../db/connection";
import { getCohort } from "../../../db/cohorts";
import { listSimulationRuns } from "../../../db/runs";
import { getVersion, listStandards } from "../../../db/standards";
import { auditTime } from "../audit/sentences";

type Text = { zh: string; en: string };

export interface RunListRow {
  id: number;
  standard: Text;
  program: Text;
  versions: string;
  cohort: string;
  summary: { admittedBefore?: number; admittedAfter?: number; entered?: number; left?: number };
  at: string;
}

export function runListRows(db: JifenDb, limit: number): RunListRow[] {
  const titles = new Map(listStandards(db).map((s) => [s.id, s.title]));
  const versions = new Map<number, { label: string; programs: Map<string, Text> } | null>();
  const version = (id: number | null) => {
    if (id === null) return null;
    if (!versions.has(id)) {
      const record = getVersion(db, id);
      let programs = new Map<string, Text>();
      try {
        const doc = record ? (JSON.parse(record.document) as { programs?: Array<{ id: string; label?: Text }> }) : undefined;
        programs = new Map((doc?.programs ?? []).filter((p) => p.label).map((p) => [p.id, p.label!]));
      } catch {
        // A draft saved with broken JSON still lists its runs, with the program's id.
      }
      versions.set(id, record ? { label: record.versionLabel, programs } : null);
    }
    return versions.get(id) ?? null;
  };
  return listSimulationRuns(db, { limit }).map((r) => {
    const candidate = version(r.candidateVersionId);
    const baseline = version(r.baselineVersionId);
    const label = (v: ReturnType<typeof version>, id: number | null) => (id === null ? "—" : (v?.label ?? `#${id}`));
    const program = candidate?.programs.get(r.programId) ?? baseline?.programs.get(r.programId) ?? { zh: r.programId, en: r.programId };
    return {
      id: r.id,
      standard: titles.get(r.standardId) ?? { zh: r.standardId, en: r.standardId },
      program,
      versions: `${label(baseline, r.baselineVersionId)} → ${label(candidate, r.candidateVersionId)}`,
      cohort: getCohort(db, r.cohortId)?.name ?? `#${r.cohortId}`,
      summary: r.summary as RunListRow["summary"],
      at: auditTime(r.createdAt),
    };
  });
}
