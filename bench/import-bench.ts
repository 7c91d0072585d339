/**
 * Cohort import speed: writes a synthetic CSV of `size` applicants for an example standard, then imports it into a
 * fresh SQLite file with the real migrations (stream, check every row, store in one transaction).
 * Run alone: `npx tsx bench/import-bench.ts [size]`; bench/run.ts calls `benchImport`.
 */
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { csvLine } from "../applicant-files/applicants";
import { importCohort } from "../db/cohort-import";
import { openDatabase } from "../db/connection";
import { migrateDatabase } from "../db/migrate";
import { generateApplicants } from "../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../rules-schema/types";

export interface ImportFigures {
  rows: number;
  csvMB: number;
  importMs: number;
  /** CPU time of the import (user + system): what the import costs on an otherwise idle machine. */
  importCpuMs: number;
  rowsPerSecond: number;
  /** Peak resident memory of the whole bench process (writing the CSV included), in MB. */
  peakRssMB: number;
}

const root = fileURLToPath(new URL("../", import.meta.url));

/** Writes `size` generated applicants of `doc` as a CSV at `csvPath` (header: fact ids); returns its length in characters. */
export async function writeBenchCsv(doc: StandardDocument, size: number, csvPath: string): Promise<number> {
  const out = createWriteStream(csvPath);
  const factIds = doc.facts.map((f) => f.id);
  out.write(csvLine(["id", ...factIds]));
  let bytes = 0;
  for (const applicant of generateApplicants(doc, size, 2019, { referenceDate: "2019-06-30" })) {
    const line = csvLine([applicant.id, ...factIds.map((id) => applicant.facts[id])]);
    bytes += line.length;
    if (!out.write(line)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return bytes;
}

export async function benchImport(size = 1_000_000, examplePath = join(root, "rules-schema/examples/suzhou-2015.json")): Promise<ImportFigures> {
  const doc = JSON.parse(readFileSync(examplePath, "utf8")) as StandardDocument;
  const dir = mkdtempSync(join(tmpdir(), "jifen-import-"));
  try {
    const csvPath = join(dir, "cohort.csv");
    const bytes = await writeBenchCsv(doc, size, csvPath);
    const db = openDatabase(join(dir, "jifen.sqlite"));
    migrateDatabase(db);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const result = await importCohort(db, { name: "bench", standardId: null, facts: doc.facts, format: "csv", input: createReadStream(csvPath), createdBy: null });
    const importMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    db.$client.close();
    if (!result.ok) throw new Error(`import failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
    return { rows: result.rowCount, csvMB: Math.round(bytes / 1e5) / 10, importMs: Math.round(importMs), importCpuMs: Math.round((cpu.user + cpu.system) / 1000), rowsPerSecond: Math.round(result.rowCount / (importMs / 1000)), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const size = Number(process.argv[2] ?? 1_000_000);
  benchImport(size).then((f) => console.log(JSON.stringify(f)));
}
