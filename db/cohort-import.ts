/**
 * Importing a cohort from CSV, XLSX or JSON Lines: the file is streamed and every row checked against the standard's
 * fact types first (errors by row and column, in Chinese and English); only a file without errors is stored, in one
 * transaction. A failed import therefore leaves the database exactly as it was.
 */
import type { Readable } from "node:stream";
import { readApplicants, type CohortFormat, type CohortRowError, type ColumnMapping } from "../cli/cohort-io";
import type { FactDefinition } from "../rules-schema/types";
import { createCohort, rememberColumnMapping, type CohortRow } from "./cohorts";
import type { JifenDb } from "./connection";

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
  onProgress?: (rowsRead: number) => void;
}

export type ImportCohortResult =
  | { ok: true; cohortId: number; rowCount: number }
  | { ok: false; errors: CohortRowError[]; rowsRead: number };

export async function importCohort(db: JifenDb, opts: ImportCohortOptions): Promise<ImportCohortResult> {
  const maxErrors = opts.maxErrors ?? 100;
  const errors: CohortRowError[] = [];
  const rows: CohortRow[] = [];
  const seen = new Map<string, number>();
  let rowsRead = 0;
  for await (const row of readApplicants(opts.input, opts.format, opts.facts, { mapping: opts.mapping })) {
    rowsRead++;
    if (opts.onProgress && rowsRead % 10_000 === 0) opts.onProgress(rowsRead);
    if (row.errors.length > 0) {
      errors.push(...row.errors);
      if (errors.length >= maxErrors) break;
      continue;
    }
    const applicant = row.applicant!;
    const firstLine = seen.get(applicant.id);
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
      if (errors.length >= maxErrors) break;
      continue;
    }
    seen.set(applicant.id, row.line);
    if (errors.length === 0) rows.push({ rowNo: rows.length + 1, applicantRef: applicant.id, idNumber: applicant.idNumber ?? null, facts: applicant.facts });
  }
  opts.input.destroy();
  if (errors.length === 0 && rows.length === 0) {
    errors.push({ code: "badCsv", line: 0, message: { zh: "文件中没有申请人数据。", en: "The file holds no applicants." }, params: {} });
  }
  if (errors.length > 0) return { ok: false, errors: errors.slice(0, maxErrors), rowsRead };
  const { cohortId, rowCount } = createCohort(
    db,
    { name: opts.name, standardId: opts.standardId, description: opts.description ?? null, sourceFormat: opts.format, columnMapping: opts.mapping, createdBy: opts.createdBy },
    rows,
  );
  if (opts.standardId && opts.mapping && opts.headers) rememberColumnMapping(db, opts.standardId, opts.headers, opts.mapping);
  return { ok: true, cohortId, rowCount };
}
