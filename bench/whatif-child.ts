/**
 * One what-if run in its own process, so its peak memory is measured alone:
 * `node --import tsx bench/whatif-child.ts <standard.json> <programId> <size> <seed>` prints one JSON line.
 * The cohort is generated first (not timed); the timed part is the full what-if: compile both versions, score
 * every applicant under both, allocate both, diff.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import type { StandardDocument } from "../rules-schema/types";
import { generateCohortColumns } from "../engine/cohorts/cohort-generate";
import { simulate } from "../engine/simulation/simulate";
import { bindColumnar } from "../engine/scoring/columnar";
import { scoringWorkerReady } from "../engine/parallel/parallel";

/** A plausible revision: the first item worth points gains 20% (tiers: every tier; bands: every band). */
export function reviseStandard(doc: StandardDocument): StandardDocument {
  const candidate = structuredClone(doc);
  candidate.version = `${doc.version}-whatif`;
  for (const item of candidate.items) {
    const s = item.scoring;
    if (s.kind === "fixed" && s.points > 0) s.points = Math.round(s.points * 1.2);
    else if (s.kind === "tiers") for (const tier of s.tiers) tier.points = Math.round(tier.points * 1.2);
    else if (s.kind === "bands") for (const band of s.bands) band.points = Math.round(band.points * 1.2);
    else continue;
    break;
  }
  return candidate;
}

export interface WhatIfFigures {
  size: number;
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  rssBeforeMB: number;
  admittedBefore: number;
  admittedAfter: number;
  entered: number;
  left: number;
  /** Wall milliseconds of the what-if's phases: scoring both versions, allocating both, diffing. */
  phases?: { scoreMs: number; allocateMs: number; diffMs: number };
  /** The load average when it ended (the machine is shared). */
  loadAverage?: number;
  /** Small cohorts only: CPU time of scoring both versions alone (columnar compiled scoring), the rest is ranking and diffing. */
  scoringOnlyCpuMs?: number;
}

const isMain = process.argv[1] !== undefined && /whatif-child\.ts$/.test(process.argv[1]);
if (isMain) {
  const [file, programId, sizeText, seed = "bench"] = process.argv.slice(2);
  // The scoring worker loads the engine while the cohort is generated, as the main thread loaded it before the
  // clock starts (a server or a command-line run starts it once; see engine/parallel.ts).
  const workerReady = scoringWorkerReady();
  const doc = JSON.parse(readFileSync(file, "utf8")) as StandardDocument;
  const size = Number(sizeText);
  const date = doc.effectiveFrom ?? "2024-01-01";
  const cohort = generateCohortColumns(doc, size, seed, { referenceDate: date });
  const candidate = reviseStandard(doc);
  await workerReady;
  // About 2% of applicants get a place, spread over the pools when the program has them.
  const program = doc.programs.find((p) => p.id === programId);
  const poolBy = program?.allocation.kind === "quota" ? program.allocation.poolBy : undefined;
  const poolColumn = poolBy ? cohort.columns[poolBy] : undefined;
  const pools = poolColumn?.kind === "text" ? Math.max(1, poolColumn.dictionary.length) : 1;
  const quotas = { "*": Math.max(1, Math.floor(size / 50 / pools)) };
  const rssBefore = process.memoryUsage().rss;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const timings: { scoreMs?: number; allocateMs?: number; diffMs?: number } = {};
  const result = simulate({ baseline: doc, candidate, programId, cohort, quotas, date, seed, timings });
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const figures: WhatIfFigures = {
    size,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    rssBeforeMB: Math.round(rssBefore / 1048576),
    admittedBefore: result.summary.admittedBefore,
    admittedAfter: result.summary.admittedAfter,
    entered: result.summary.entered.length,
    left: result.summary.left.length,
    phases: { scoreMs: Math.round(timings.scoreMs ?? NaN), allocateMs: Math.round(timings.allocateMs ?? NaN), diffMs: Math.round(timings.diffMs ?? NaN) },
    loadAverage: Math.round(loadavg()[0] * 10) / 10,
  };
  if (size <= 200_000) {
    const baseline = bindColumnar(doc, programId, cohort, date);
    const revised = bindColumnar(candidate, programId, cohort, date, { derivedFrom: { program: baseline, doc } });
    const scoringStart = process.cpuUsage();
    for (let i = 0; i < size; i++) {
      baseline.scoreRow(i);
      revised.scoreRow(i);
    }
    const scoring = process.cpuUsage(scoringStart);
    figures.scoringOnlyCpuMs = Math.round((scoring.user + scoring.system) / 1000);
  }
  process.stdout.write(JSON.stringify(figures) + "\n");
}
