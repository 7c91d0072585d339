/**
 * Importing a cohort from CSV, XLSX or JSON Lines: the file is streamed and every row checked against the standard's
 * fact types first (errors by row and column, in Chinese and English); only a file without errors is stored, in one
 * transaction, or (`slices`) in short transactions under a cohort hidden until the last one. A failed import therefore
 * leaves nothing anyone can see.
 */
import type { Readable } from "node:stream";
import { readStorableApplicants, type CohortFormat, type CohortRowError, type ColumnMapping, type FileReading } from "../applicant-files/applicants";
import type { TextEncodingName } from "../applicant-files/encoding";
import type { FactDefinition } from "../rules-schema/types";
import { createCohortFromColumns, createCohortInSlices, rememberColumnMapping, type CohortRowColumns, type StoreInSlices } from "./cohorts";
import type { JifenDb } from "./connection";
import { PackedTexts } from "./packed-texts";

export interface ImportCohortOptions {
  name: string;
  standardId: string | null;
  facts: readonly FactDefinition[];
  format: CohortFormat;
  input: Readable;
  mapping?: ColumnMapping;
  /** Source header, to remember the mapping for the next file with the same columns. */
  headers?: string[];
  createdBy: number | null;
  description?: string | null;
  /** Stop collecting after this many errors (the file is refused either way). */
  maxErrors?: number;
  /** Rows read so far, every 10,000 rows and at the end of reading. */
  onProgress?: (rowsRead: number) => void;
  /** Store in short write transactions (see `createCohortInSlices`) rather than one. */
  slices?: StoreInSlices;
}

export type ImportCohortResult =
  | { ok: true; cohortId: number; rowCount: number; encoding?: TextEncodingName }
  | { ok: false; errors: CohortRowError[]; rowsRead: number; encoding?: TextEncodingName };

export async function importCohort(db: JifenDb, opts: ImportCohortOptions): Promise<ImportCohortResult> {
  const maxErrors = opts.maxErrors ?? 100;
  const errors: CohortRowError[] = [];
  // Column by column, facts already as packed JSON text: a million rows wait here for the one storing transaction.
  const rows: CohortRowColumns = { applicantRefs: [], idNumbers: [], names: [], factsJson: new PackedTexts() };
  const seen = new ApplicantIds();
  let rowsRead = 0;
  const reading: FileReading = {};
  read: for await (const batch of readStorableApplicants(opts.input, opts.format, opts.facts, { mapping: opts.mapping, reading })) {
    for (const row of batch) {
      rowsRead++;
      if (opts.onProgress && rowsRead % 10_000 === 0) opts.onProgress(rowsRead);
      if (row.errors.length > 0) {
        errors.push(...row.errors);
        if (errors.length >= maxErrors) break read;
        continue;
      }
      const applicant = row.applicant!;
      const firstLine = seen.add(applicant.id, row.line);
      if (firstLine !== undefined) {
        errors.push({
          code: "duplicateId",
          line: row.line,
          column: "id",
          message: {
            zh: `第 ${row.line} 行，列 “id”：编号 “${applicant.id}” 已在第 ${firstLine} 行出现`,
            en: `line ${row.line}, column "id": id "${applicant.id}" already appears on line ${firstLine}`,
          },
          params: { id: applicant.id, firstLine },
        });
        if (errors.length >= maxErrors) break read;
        continue;
      }
      if (errors.length === 0) {
        rows.applicantRefs.push(applicant.id);
        rows.idNumbers.push(applicant.idNumber);
        rows.names!.push(applicant.name);
        rows.factsJson.push(applicant.factsJson);
      }
    }
  }
  opts.input.destroy();
  opts.onProgress?.(rowsRead);
  if (errors.length === 0 && rows.applicantRefs.length === 0) {
    errors.push({ code: "badCsv", line: 0, message: { zh: "文件中没有申请人数据。", en: "The file holds no applicants." }, params: {} });
  }
  const encoding = reading.encoding ? { encoding: reading.encoding } : {};
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, maxErrors), rowsRead, ...encoding };
  const cohort = { name: opts.name, standardId: opts.standardId, description: opts.description ?? null, sourceFormat: opts.format, columnMapping: opts.mapping, createdBy: opts.createdBy };
  const { cohortId, rowCount } = opts.slices ? await createCohortInSlices(db, cohort, rows, opts.slices) : createCohortFromColumns(db, cohort, rows);
  if (opts.standardId && opts.mapping && opts.headers) rememberColumnMapping(db, opts.standardId, opts.headers, opts.mapping);
  return { ok: true, cohortId, rowCount, ...encoding };
}

/**
 * The applicant ids seen so far, to refuse a repeated one with the line it first appeared on. Ids in ascending order
 * (as most exports list them) are distinct without a lookup; the table is built only at the first id out of order.
 */
class ApplicantIds {
  private last: string | undefined;
  private readonly ids: string[] = [];
  private readonly lines: number[] = [];
  private table: Map<string, number> | undefined;

  /** Records `id` (first seen on `line`), or returns the line it was first seen on. */
  add(id: string, line: number): number | undefined {
    if (!this.table) {
      if (this.last === undefined || id > this.last) {
        this.last = id;
        this.ids.push(id);
        this.lines.push(line);
        return undefined;
      }
      this.table = new Map();
      for (let i = 0; i < this.ids.length; i++) this.table.set(this.ids[i], this.lines[i]);
      this.ids.length = 0;
      this.lines.length = 0;
    }
    const first = this.table.get(id);
    if (first === undefined) this.table.set(id, line);
    return first;
  }
}
