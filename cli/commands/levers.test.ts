/** Issue 24, parts 2 and 5: `jifen levers` over files, in words in both languages, as JSON, the same for a seed. */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "jifen-levers-"));
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

const args = ["levers", "--standard", suzhou, "--cohort", cohort, "--program", "school", "--date", "2016-05-01", "--quota", "*=6", "--group-by", "educationLevel", "--seed", "7"];

describe("jifen levers", () => {
  beforeAll(async () => {
    const generated = await jifen("en", "generate-cohort", "--standard", suzhou, "--size", "150", "--seed", "3", "--format", "csv", "--out", cohort, "--date", "2016-05-01");
    expect(generated.code).toBe(0);
  }, 120_000);

  it("ranks the numbers by their effect, in the officer's words, in Chinese and English, and as JSON the same for a seed", async () => {
    const [zh, en, json, again] = await Promise.all([
      jifen("zh-CN", ...args, "--top", "5"),
      jifen("en", ...args, "--top", "5"),
      jifen("en", ...args, "--json"),
      jifen("en", ...args, "--json"),
    ]);
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout).toMatch(/积分入学：申请人 150 名，录取 \d+ 名/);
    expect(zh.stdout).toMatch(/^1\. .+ › .+：/m);
    expect(zh.stdout).toMatch(/新录取 \d+ 名，被挤出 \d+ 名/);
    expect(zh.stdout).toContain("录取构成：");
    expect(zh.stdout).not.toMatch(/\/items\/|educationLevel|school\b/);
    expect(zh.stdout.match(/^\d+\. /gm)).toHaveLength(5);

    expect(en.code).toBe(0);
    expect(en.stdout).toMatch(/\d+ entered, \d+ left/);
    expect(en.stdout).toMatch(/ › points: \d+ points|› points per unit: /);

    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.levers[0].parameter.pointer).toMatch(/^\//);
    expect(result.levers[0].moved).toBeGreaterThan(0);
    expect(again.stdout).toBe(json.stdout);
  }, 240_000);

  it("refuses a group fact that is not categorical, and a bad --top, as usage errors in words", async () => {
    const wrong = await jifen("en", ...args.slice(0, -4), "--group-by", "socialInsuranceMonths");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("categorical fact");
    const top = await jifen("zh-CN", ...args, "--top", "0");
    expect(top.code).toBe(2);
    expect(top.stderr).toContain("--top 须为正整数");
  }, 120_000);
});
