/** Issue 24, parts 3 and 5: `jifen goal-search` over files: proposals in words in both languages, the binding goal, JSON, files. */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { validateDocument } from "../../rules-schema/validate";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "jifen-goal-search-"));
const suzhou = join(root, "rules-schema/examples/suzhou-2015.json");
const cohort = join(scratch, "cohort.csv");

/** Asynchronous, so that the test worker keeps answering vitest while a slow machine runs the command. */
function jifen(lang: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, "bin/jifen.mjs"), "--lang", lang, ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const base = ["goal-search", "--standard", suzhou, "--cohort", cohort, "--program", "school", "--date", "2016-05-01", "--quota", "*=6", "--seed", "1"];

describe("jifen goal-search", () => {
  let shareNow = 0;
  beforeAll(async () => {
    const generated = await jifen("en", "generate-cohort", "--standard", suzhou, "--size", "200", "--seed", "5", "--format", "csv", "--out", cohort, "--date", "2016-05-01");
    expect(generated.code).toBe(0);
    const probe = await jifen("en", ...base, "--goal", "share:educationLevel=bachelor,master,doctor>=100%", "--max-evaluations", "1", "--json");
    shareNow = JSON.parse(probe.stdout).baselineChecks[0].value;
  }, 120_000);

  it("proposes tables that meet the goals, in words in Chinese and English, writes them as files, and the same as JSON for a seed", async () => {
    const target = `${Math.ceil(shareNow * 1000 + 5) / 10}%`;
    const goals = ["--goal", `share:educationLevel=bachelor,master,doctor>=${target}`, "--goal", "cutoff<=30", "--goal", "loss:educationLevel<=10%"];
    const out = join(scratch, "proposals");
    const [zh, en, json, again] = await Promise.all([
      jifen("zh-CN", ...base, ...goals, "--out-dir", out),
      jifen("en", ...base, ...goals),
      jifen("en", ...base, ...goals, "--json"),
      jifen("en", ...base, ...goals, "--json"),
    ]);
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout).toContain("最高学历为大学本科、硕士研究生、博士研究生的占录取人数不低于");
    expect(zh.stdout).toContain("任一名额池的录取分数线变动不超过 30 分");
    expect(zh.stdout).toMatch(/方案 1（调整 \d 项）：\n {2}.+ › .+：.+ → .+/);
    expect(zh.stdout).not.toMatch(/\/items\/|educationLevel/);
    expect(en.stdout).toMatch(/Proposal 1 \(\d changes?\):/);
    const result = JSON.parse(json.stdout);
    expect(result.status).toBe("met");
    expect(again.stdout).toBe(json.stdout);
    expect(result.candidates[0].changes[0].pointer).toMatch(/^\//);
    const written = join(out, "candidate-1.json");
    expect(existsSync(written)).toBe(true);
    expect(validateDocument(JSON.parse(readFileSync(written, "utf8"))).ok).toBe(true);
  }, 240_000);

  it("names the binding goal when the goals cannot be met together, and refuses a goal it cannot read", async () => {
    const [conflict, wrong] = await Promise.all([
      jifen("zh-CN", ...base, "--goal", `share:educationLevel=bachelor,master,doctor>=${Math.ceil(shareNow * 1000 + 5) / 10}%`, "--goal", "cutoff<=0", "--move", "/items/1/scoring/tiers/2/points=0..400"),
      jifen("en", ...base, "--goal", "share:educationLevel=phd>=40%"),
    ]);
    expect(conflict.code, conflict.stderr).toBe(0);
    expect(conflict.stdout).toContain("这些目标无法同时满足");
    expect(conflict.stdout).toMatch(/起约束作用的目标：“.+”/);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("names values educationLevel does not have: phd");
  }, 240_000);
});
