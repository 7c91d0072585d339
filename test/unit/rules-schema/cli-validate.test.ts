import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const valid = "test/fixtures/minimal-valid.json";
const broken = "test/fixtures/broken/unknown-category.json";
const malformed = "test/fixtures/broken/json-trailing-comma.json";

function jifen(args: string[], lang = "en") {
  const result = spawnSync(process.execPath, ["bin/jifen.mjs", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, JIFEN_LANG: lang, LANG: lang === "zh-CN" ? "zh_CN.UTF-8" : "C" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("jifen validate", () => {
  it("exits 0 and says so when every file is valid", () => {
    const run = jifen(["validate", valid]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("1 file(s) valid");
  });

  it("exits 1 with file:line:column, code and message per problem when a file is invalid", () => {
    const run = jifen(["validate", valid, broken]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`${broken.replace(/[./]/g, "\\$&")}:80:7  ref\\.unknownCategory  Unknown category "basic"`));
    expect(run.stdout).toContain("1 of 2 file(s) invalid");
  });

  it("exits 1 for malformed JSON and prints in Chinese under a Chinese locale", () => {
    const run = jifen(["validate", malformed], "zh-CN");
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`${malformed}:10:3  json.syntax`);
    expect(run.stdout).toContain("尾随逗号");
    expect(run.stdout).toContain("1 个文件中 1 个无效");
  });

  it("prints one JSON object with --json", () => {
    const run = jifen(["validate", "--json", valid, broken]);
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { files: Array<{ file: string; ok: boolean; problems: Array<{ code: string; path: string; line: number }> }> };
    expect(report.files.map((f) => [f.file, f.ok])).toEqual([[valid, true], [broken, false]]);
    expect(report.files[1].problems).toEqual([expect.objectContaining({ code: "ref.unknownCategory", path: "/items/0/category", line: 80 })]);
  });

  it("exits 2 without a file, and 2 with a message when a file does not exist", () => {
    expect(jifen(["validate"]).status).toBe(2);
    const missing = jifen(["validate", "test/fixtures/does-not-exist.json"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("File not found: test/fixtures/does-not-exist.json");
  });
});
