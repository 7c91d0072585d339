/**
 * Helpers for the cohort and simulation browser tests: a generated Suzhou cohort written as CSV (optionally with a
 * renamed column or a bad cell), and an upload through the upload screen.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { csvLine } from "../../applicant-files/applicants";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";
import { waitForHydration, type BrowserSession } from "./harness";

export const SUZHOU_2015 = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;

export interface GeneratedCsv {
  path: string;
  /** The same applicants with the header naming fact ids (for an independent reading). */
  plainPath: string;
  size: number;
}

/** Writes `size` generated Suzhou applicants; `rename` renames header columns; `badCell` replaces one cell (row as a spreadsheet numbers it). */
export function writeCohortCsv(
  size: number,
  seed: number,
  opts: { rename?: Record<string, string>; badCell?: { row: number; column: string; value: string }; withIdNumbers?: boolean; withNames?: boolean } = {},
): GeneratedCsv {
  const dir = mkdtempSync(join(tmpdir(), "jifen-cohort-"));
  const factIds = SUZHOU_2015.facts.map((f) => f.id);
  const header = ["id", ...(opts.withIdNumbers ? ["身份证号"] : []), ...(opts.withNames ? ["姓名"] : []), ...factIds];
  let plain = csvLine(header.filter((h) => h !== "身份证号" && h !== "姓名"));
  let renamed = csvLine(header.map((h) => opts.rename?.[h] ?? h));
  let row = 1;
  for (const { id, facts } of generateApplicants(SUZHOU_2015, size, seed)) {
    row++;
    const values = factIds.map((f) => facts[f]);
    plain += csvLine([id, ...values]);
    const cells: unknown[] = [id, ...(opts.withIdNumbers ? [idNumberOf(row - 1)] : []), ...(opts.withNames ? [nameOf(row - 1)] : []), ...values];
    if (opts.badCell && opts.badCell.row === row) cells[header.indexOf(opts.badCell.column)] = opts.badCell.value;
    renamed += csvLine(cells);
  }
  const path = join(dir, "cohort.csv");
  const plainPath = join(dir, "cohort-plain.csv");
  writeFileSync(path, renamed);
  writeFileSync(plainPath, plain);
  return { path, plainPath, size };
}

/** A made-up Chinese name for the n-th applicant (1-based). */
export function nameOf(n: number): string {
  return `${"张王李赵刘陈杨黄周吴"[n % 10]}${"伟芳娜敏静丽强"[n % 7]}${n % 3 === 0 ? "华" : ""}`;
}

/** A made-up 18-character identity number for the n-th applicant (1-based). */
export function idNumberOf(n: number): string {
  return `320102${1970 + (n % 30)}0101${String(n).padStart(4, "0")}`;
}

type Page = BrowserSession["page"];

/** Chooses the file on the upload screen and waits for the column mapping. */
export async function chooseCohortFile(page: Page, baseUrl: string, file: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/cohorts/new`);
  await waitForHydration(page, "[data-testid=file]");
  await page.selectOption("[data-testid=standard]", "suzhou");
  await page.setInputFiles("[data-testid=file]", file);
  await page.waitForSelector("[data-testid=mapping]");
  await page.fill("[data-testid=name]", name);
}

export function countRows(databaseUrl: string, sql: string, ...params: unknown[]): number {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}
