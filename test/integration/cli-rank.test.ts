import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { jifen, suzhouPath, tempDir } from "./cli-allocation.helpers";

const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;

/** The document's own ranking case as a cohort file. */
function caseCohort(dir: string, caseIndex: number): string {
  const rankingCase = suzhou.rankingCases![caseIndex];
  const path = join(dir, "cohort.jsonl");
  writeFileSync(path, rankingCase.applicants.map((a) => JSON.stringify(a)).join("\n") + "\n");
  return path;
}

describe("jifen rank", () => {
  it("admits the applicants a ranking case of the standard expects", () => {
    const dir = tempDir();
    const rankingCase = suzhou.rankingCases![0];
    const quota = Object.entries(rankingCase.quotas).map(([pool, n]) => (pool === "*" ? String(n) : `${pool}=${n}`));
    const result = jifen([
      "rank", "--standard", suzhouPath, "--program", rankingCase.program, "--cohort", caseCohort(dir, 0),
      "--date", rankingCase.date, ...quota.flatMap((q) => ["--quota", q]),
    ]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { applicants: Array<{ id: string; admitted: string | null }>; pools: unknown[] };
    expect(output.applicants.filter((a) => a.admitted).map((a) => a.id).sort()).toEqual([...rankingCase.expect.admitted].sort());
    expect(output.pools).toHaveLength(1);
  });

  it("writes CSV with one row per applicant", () => {
    const dir = tempDir();
    const out = join(dir, "result.csv");
    const result = jifen([
      "rank", "--standard", suzhouPath, "--program", "settlement", "--cohort", caseCohort(dir, 0),
      "--date", "2016-05-15", "--quota", "2", "--format", "csv", "--out", out,
    ]);
    expect(result.code).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("id,pool,total,rank,admitted,reason");
    expect(lines).toHaveLength(suzhou.rankingCases![0].applicants.length + 1);
    // Issue 22: no total for an applicant who fails a gate or is vetoed.
    for (const line of lines.slice(1).filter((l) => /,(ineligible|vetoed)$/.test(l))) expect(line.split(",")[2], line).toBe("");
    const nobody = join(dir, "nobody.csv");
    writeFileSync(nobody, "id,socialInsuranceMonths\nnobody,0\n");
    const ranked = jifen(["rank", "--standard", suzhouPath, "--program", "settlement", "--cohort", nobody, "--date", "2016-05-15", "--quota", "2", "--format", "csv"]);
    expect(ranked.code).toBe(0);
    const row = ranked.stdout.trim().split("\n")[1].split(",");
    expect(row[0]).toBe("nobody");
    expect(row.at(-1)).toBe("ineligible");
    expect(row[2]).toBe("");
  });

  it("fails clearly on bad quotas, unknown programs and bad rows", () => {
    const dir = tempDir();
    const cohort = caseCohort(dir, 0);
    const base = ["rank", "--standard", suzhouPath, "--cohort", cohort, "--date", "2016-05-15"];
    const badQuota = jifen([...base, "--program", "settlement", "--quota", "s1=lots"]);
    expect(badQuota.code).toBe(2);
    expect(badQuota.stderr).toContain('Bad quota "s1=lots"');
    const unknownProgram = jifen([...base, "--program", "housing", "--quota", "3"]);
    expect(unknownProgram.code).toBe(2);
    expect(unknownProgram.stderr).toContain('Unknown program "housing"');
    const badRows = join(dir, "bad.csv");
    writeFileSync(badRows, "id,socialInsuranceMonths\na,12\nb,twelve\n");
    const rows = jifen(["rank", "--standard", suzhouPath, "--cohort", badRows, "--date", "2016-05-15", "--program", "settlement", "--quota", "3"]);
    expect(rows.code).toBe(1);
    expect(rows.stderr).toContain('line 3, column "socialInsuranceMonths"');
    const zh = jifen(["--lang", "zh-CN", "rank", "--standard", suzhouPath, "--cohort", badRows, "--date", "2016-05-15", "--program", "settlement", "--quota", "3"]);
    expect(zh.stderr).toContain("第 3 行");
  });
});
