/**
 * Issue 20 on the command line: a cohort file that gives a spouse's facts as `spouse.<fact>` columns is ranked on
 * the higher spouse's points, and a score line is given per round with `--score-line`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { jifen, suzhouPath, tempDir } from "./cli-allocation.helpers";

const suzhou = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;

function cell(value: unknown): string {
  if (value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The ranking case of the spouse rule as a CSV file with spouse.<fact> columns. */
function spouseCsv(dir: string): { path: string; rankingCase: NonNullable<StandardDocument["rankingCases"]>[number] } {
  const rankingCase = suzhou.rankingCases!.find((candidate) => candidate.id === "rc05_other_spouse_on_tie")!;
  const columns = [...new Set(rankingCase.applicants.flatMap((a) => Object.keys(a.facts)))];
  const lines = [["id", ...columns].join(","), ...rankingCase.applicants.map((a) => [a.id, ...columns.map((c) => cell(a.facts[c]))].join(","))];
  const path = join(dir, "families.csv");
  writeFileSync(path, lines.join("\n") + "\n");
  return { path, rankingCase };
}

describe("jifen rank with persons and a score line", () => {
  it("ranks families from spouse.<fact> columns: equal totals broken by the other spouse's score", () => {
    const { path, rankingCase } = spouseCsv(tempDir());
    expect(readFileSync(path, "utf8").split("\n")[0]).toContain("spouse.birthDate");
    const result = jifen(["rank", "--standard", suzhouPath, "--program", "school", "--cohort", path, "--date", rankingCase.date, "--quota", "GS-001=2"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { applicants: Array<{ id: string; total: number; rank: number; admitted: string | null }> };
    expect(output.applicants.map((a) => [a.id, a.total, a.rank, a.admitted])).toEqual([
      ["A", 645, 2, "round1"],
      ["B", 645, 3, null],
      ["C", 645, 1, "round1"],
    ]);
  });

  it("drops applicants under this round's --score-line, and refuses a line that is not a number", () => {
    const { path, rankingCase } = spouseCsv(tempDir());
    const ranked = jifen(["rank", "--standard", suzhouPath, "--program", "school", "--cohort", path, "--date", rankingCase.date, "--quota", "GS-001=3", "--score-line", "700"]);
    expect(ranked.code).toBe(0);
    const output = JSON.parse(ranked.stdout) as { applicants: Array<{ reason?: string }> };
    expect(output.applicants.map((a) => a.reason)).toEqual(["belowMinimum", "belowMinimum", "belowMinimum"]);
    const refused = jifen(["rank", "--standard", suzhouPath, "--program", "school", "--cohort", path, "--date", rankingCase.date, "--quota", "3", "--score-line", "high"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--score-line must be a number of points (got "high")');
  });
});
