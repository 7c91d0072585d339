/**
 * Applicants scored per second by the reference path (json-rules-engine, awaited one at a time) and by the
 * compiled path, on the same applicants. The reference path runs on at most a few thousand of them.
 */
import type { Id, IsoDate, StandardDocument } from "../rules-schema/types";
import { compileProgram, scoreMany } from "../engine/compiled";
import { scoreApplicant } from "../engine/reference";
import type { Facts } from "../engine/types";

const REFERENCE_SAMPLE = 2_000;
const MIN_COMPILED_SECONDS = 0.5;

export async function benchScoring(
  doc: StandardDocument,
  programId: Id,
  applicants: Facts[],
  date: IsoDate,
): Promise<{ referencePerSecond: number; compiledPerSecond: number; ratio: number }> {
  if (applicants.length === 0) throw new Error("benchScoring needs at least one applicant");
  const sample = applicants.slice(0, REFERENCE_SAMPLE);
  // Warm both paths (engine preparation, JIT) before timing.
  for (const facts of sample.slice(0, 50)) await scoreApplicant(doc, facts, programId, date);
  const compiled = compileProgram(doc, programId);
  scoreMany(compiled, applicants.slice(0, 10_000), date);

  let started = process.hrtime.bigint();
  for (const facts of sample) await scoreApplicant(doc, facts, programId, date);
  const referenceSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  let scored = 0;
  let checksum = 0;
  started = process.hrtime.bigint();
  let compiledSeconds = 0;
  do {
    const results = scoreMany(compiled, applicants, date);
    checksum += results[results.length - 1].total;
    scored += applicants.length;
    compiledSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  } while (compiledSeconds < MIN_COMPILED_SECONDS);
  if (Number.isNaN(checksum)) throw new Error("compiled path produced NaN");

  const referencePerSecond = sample.length / referenceSeconds;
  const compiledPerSecond = scored / compiledSeconds;
  return { referencePerSecond, compiledPerSecond, ratio: compiledPerSecond / referencePerSecond };
}
