/** Simulation runs, stored with every input needed to reproduce them (version hashes, cohort, quotas, seed, date). */
import { desc, eq } from "drizzle-orm";
import { recordAudit } from "./audit";
import type { JifenDb } from "./connection";
import { simulationRuns } from "./schema";

export interface NewSimulationRun {
  standardId: string;
  baselineVersionId: number | null;
  baselineHash: string;
  candidateVersionId: number;
  candidateHash: string;
  cohortId: number;
  programId: string;
  evaluationDate: string;
  quotas: Record<string, number>;
  seed: string | null;
  summary: Record<string, unknown>;
  createdBy: number | null;
}

export function recordSimulationRun(db: JifenDb, run: NewSimulationRun): number {
  return db.transaction((tx) => {
    const row = tx
      .insert(simulationRuns)
      .values({ ...run, quotas: JSON.stringify(run.quotas), summary: JSON.stringify(run.summary) })
      .returning({ id: simulationRuns.id })
      .get();
    recordAudit(tx, {
      actorId: run.createdBy,
      action: "simulation.run",
      entityType: "simulation_run",
      entityId: row.id,
      standardId: run.standardId,
      hashAfter: run.candidateHash,
      details: { baselineHash: run.baselineHash, cohortId: run.cohortId, programId: run.programId },
    });
    return row.id;
  });
}

export interface SimulationRunRecord extends Omit<NewSimulationRun, "quotas" | "summary"> {
  id: number;
  quotas: Record<string, number>;
  summary: Record<string, unknown>;
  createdAt: string;
}

function toRecord(row: typeof simulationRuns.$inferSelect): SimulationRunRecord {
  return { ...row, quotas: JSON.parse(row.quotas), summary: JSON.parse(row.summary) };
}

export function listSimulationRuns(db: JifenDb, opts: { standardId?: string; limit?: number } = {}): SimulationRunRecord[] {
  const q = db.select().from(simulationRuns);
  const rows = (opts.standardId ? q.where(eq(simulationRuns.standardId, opts.standardId)) : q)
    .orderBy(desc(simulationRuns.id))
    .limit(opts.limit ?? 50)
    .all();
  return rows.map(toRecord);
}

export function getSimulationRun(db: JifenDb, id: number): SimulationRunRecord | undefined {
  const row = db.select().from(simulationRuns).where(eq(simulationRuns.id, id)).get();
  return row ? toRecord(row) : undefined;
}
