/** Issue 24, part 1: `jifen what-it-takes` answers an applicant below the line in words, in both languages. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "jifen-what-it-takes-"));
const shanghai = join(root, "rules-schema/examples/shanghai-2015.json");
const hangzhou = join(root, "rules-schema/examples/hangzhou-2018.json");

function jifen(lang: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "bin/jifen.mjs"), "--lang", lang, ...args], { cwd: root, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
function factsFile(facts: Record<string, unknown>): string {
  const file = join(scratch, `facts-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(facts));
  return file;
}

const below = factsFile({ educationLevel: "junior_college", siContributionMonths: 30, holdsResidencePermit: true, siActive: true, birthDate: "1990-01-01" });
const args = ["what-it-takes", "--standard", shanghai, "--program", "services", "--date", "2016-06-30", "--facts", below];

describe("jifen what-it-takes", () => {
  it("names, against the threshold of 120, the changes that reach it, with labels and units, in Chinese and English", () => {
    const zh = jifen("zh-CN", ...args);
    expect(zh.code).toBe(0);
    expect(zh.stdout).toContain("分数线 120 分");
    expect(zh.stdout).toMatch(/在本市工作并缴纳职工社会保险的月数：30个月 → \d+个月（再增加\d+个月）：总分 \d+ → \d+ 分，达到 120 分的分数线/);
    expect(zh.stdout).not.toContain("siContributionMonths");
    const en = jifen("en", ...args);
    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/30 months → \d+ months \(\d+ months more\): total \d+ → \d+, reaching the line of 120/);
  });

  it("gives the same answer as JSON for an engineer, each proposal reaching the line", () => {
    const run = jifen("en", ...args, "--json");
    const answer = JSON.parse(run.stdout) as { outcome: string; line: number; proposals: Array<{ total: number; changes: Array<{ fact: string }> }> };
    expect(answer.outcome).toBe("proposals");
    expect(answer.line).toBe(120);
    for (const p of answer.proposals) expect(p.total).toBeGreaterThanOrEqual(120);
  });

  it("asks for --line on a quota program, and says plainly when the line is already reached", () => {
    const quota = jifen("zh-CN", "what-it-takes", "--standard", hangzhou, "--program", "settlement", "--date", "2018-06-30", "--facts", below);
    expect(quota.code).toBe(2);
    expect(quota.stderr).toContain("--line");
    const reached = jifen("zh-CN", ...args, "--line", "10");
    expect(reached.code).toBe(0);
    expect(reached.stdout).toContain("已达到分数线");
  });
});
