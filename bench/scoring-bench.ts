/**
 * Applicants scored per second by the reference path (json-rules-engine, awaited one at a time), by the compiled
 * evaluator over applicant objects, and by the columnar compiled evaluator over a columnar cohort built once from
 * the same applicants (building it is not timed): on one thread, and on both cores (engine/parallel.ts: the main
 * thread and the scoring worker share the rows), which is how the engine scores a large cohort. The reference path
 * runs on at most a few thousand of them. Rates are by wall time; the `Cpu` figures divide by the process's CPU
 * time instead (steadier on a busy machine; for both cores, the main thread's process time includes the worker's).
 */
import type { Id, IsoDate, StandardDocument } from "../rules-schema/types";
import { cohortFromRows } from "../engine/cohorts/cohort";
import { bindColumnar } from "../engine/scoring/columnar";
import { startScoringWorker } from "../engine/parallel/parallel";
import { CohortScorer } from "../engine/cohorts/cohort-chunks";
import { compileProgram, scoreMany } from "../engine/scoring/compiled";
import { scoreApplicant } from "../engine/scoring/reference";
import type { Facts } from "../engine/types";

const REFERENCE_SAMPLE = 2_000;
const MIN_COMPILED_SECONDS = 0.5;

export interface ScoringFigures {
  referencePerSecond: number;
  /** The columnar compiled evaluator on one thread. */
  compiledPerSecond: number;
  /** compiledPerSecond / referencePerSecond. */
  ratio: number;
  /** The columnar compiled evaluator on both cores (the figure the 1000× target is read against). */
  compiledBothCoresPerSecond: number;
  bothCoresRatio: number;
  /** Share of the rows the worker scored in the timed runs (0: it never helped). */
  workerShare: number;
  /** The compiled evaluator over applicant objects. */
  objectCompiledPerSecond: number;
  referenceCpuPerSecond: number;
  compiledCpuPerSecond: number;
  objectCompiledCpuPerSecond: number;
  cpuRatio: number;
  /** "columns", or "rows" when the program needs decoded rows (see engine/columnar.ts). */
  columnarMode: string;
}

function timed(run: () => number): { count: number; seconds: number; cpuSeconds: number } {
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  let count = 0;
  let seconds = 0;
  do {
    count += run();
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
  } while (seconds < MIN_COMPILED_SECONDS);
  const cpu = process.cpuUsage(cpuStart);
  return { count, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

export async function benchScoring(doc: StandardDocument, programId: Id, applicants: Facts[], date: IsoDate): Promise<ScoringFigures> {
  if (applicants.length === 0) throw new Error("benchScoring needs at least one applicant");
  const sample = applicants.slice(0, REFERENCE_SAMPLE);
  const cohort = cohortFromRows(doc.facts, applicants.map((_, i) => `A${i}`), applicants);
  // Warm every path (engine preparation, JIT) before timing.
  for (const facts of sample.slice(0, 50)) await scoreApplicant(doc, facts, programId, date);
  const compiled = compileProgram(doc, programId);
  scoreMany(compiled, applicants.slice(0, 10_000), date);
  const columnar = bindColumnar(doc, programId, cohort, date);
  for (let i = 0; i < cohort.size; i++) columnar.scoreRow(i);

  const referenceCpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const facts of sample) await scoreApplicant(doc, facts, programId, date);
  const referenceSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const referenceCpu = process.cpuUsage(referenceCpuStart);
  const referenceCpuSeconds = (referenceCpu.user + referenceCpu.system) / 1e6;

  let checksum = 0;
  const objects = timed(() => {
    const results = scoreMany(compiled, applicants, date);
    checksum += results[results.length - 1].total;
    return applicants.length;
  });
  const columns = timed(() => {
    for (let i = 0; i < cohort.size; i++) checksum += columnar.scoreRow(i);
    return cohort.size;
  });
  if (Number.isNaN(checksum)) throw new Error("compiled path produced NaN");

  // Both cores: warmed like the others (the worker binds the program and its JIT settles), then timed; every
  // row's total must equal the one-thread figure.
  startScoringWorker();
  const scorer = new CohortScorer(doc, programId, cohort, date);
  const expected = Float64Array.from({ length: cohort.size }, (_, i) => columnar.scoreRow(i));
  const warmUntil = performance.now() + 1_000;
  while (performance.now() < warmUntil) scorer.scoreAll({ worker: true });
  let workerChunks = 0;
  let chunks = 0;
  const bothCores = timed(() => {
    const scores = scorer.scoreAll({ worker: true });
    workerChunks += scores.workerChunks;
    chunks += scores.chunks;
    for (let i = 0; i < cohort.size; i++) {
      if (!Object.is(scores.total[i], expected[i])) throw new Error(`both cores: row ${i} scored ${scores.total[i]}, one thread ${expected[i]}`);
    }
    return cohort.size;
  });

  const referencePerSecond = sample.length / referenceSeconds;
  const referenceCpuPerSecond = sample.length / referenceCpuSeconds;
  const compiledPerSecond = columns.count / columns.seconds;
  const compiledCpuPerSecond = columns.count / columns.cpuSeconds;
  const compiledBothCoresPerSecond = bothCores.count / bothCores.seconds;
  return {
    referencePerSecond,
    compiledPerSecond,
    ratio: compiledPerSecond / referencePerSecond,
    compiledBothCoresPerSecond,
    bothCoresRatio: compiledBothCoresPerSecond / referencePerSecond,
    workerShare: chunks === 0 ? 0 : workerChunks / chunks,
    objectCompiledPerSecond: objects.count / objects.seconds,
    referenceCpuPerSecond,
    compiledCpuPerSecond,
    objectCompiledCpuPerSecond: objects.count / objects.cpuSeconds,
    cpuRatio: compiledCpuPerSecond / referenceCpuPerSecond,
    columnarMode: columnar.mode,
  };
}
