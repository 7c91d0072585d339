/** Issue 20 (decision 024): `jifen test` runs ranking cases, and cases expect "no score" and the program's verdict. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "jifen-ranking-"));
const example = (name: string) => join(root, "rules-schema/examples", `${name}.json`);

function jifen(lang: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "bin/jifen.mjs"), "--lang", lang, ...args], { cwd: root, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The parts of an example these tests change. */
interface ExampleParts {
  rankingCases: Array<{ expect: { admitted: string[] } }>;
  testCases: Array<{ id: string; expect: Record<string, unknown> }>;
}

function changed(name: string, change: (doc: ExampleParts) => void): string {
  const doc = JSON.parse(readFileSync(example(name), "utf8"));
  change(doc);
  const file = join(scratch, `${name}-changed.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

describe("jifen test: ranking cases", () => {
  it("runs and reports every ranking case of the examples", () => {
    const run = jifen("en", "test", example("suzhou-2015"), example("hangzhou-2018"));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ pass\s+ranking\s+rc01_tiebreak_base_then_date/);
    expect(run.stdout).toMatch(/ranking case\(s\): (\d+) passed, 0 failed/);
  });
  it("a ranking case whose expected list is wrong fails with the applicants named, in both languages, exit 1", () => {
    let dropped = "";
    const file = changed("hangzhou-2018", (doc) => {
      dropped = doc.rankingCases[0].expect.admitted.pop() ?? "";
    });
    const en = jifen("en", "test", file);
    expect(en.code).toBe(1);
    expect(en.stdout).toMatch(/✗ FAIL\s+ranking\s+rc01_tie_at_cutoff/);
    expect(en.stdout).toContain(`admitted but not expected: ${dropped}`);
    const zh = jifen("zh-CN", "test", file);
    expect(zh.stdout).toContain(`录取了预期之外的：${dropped}`);
    const json = JSON.parse(jifen("en", "test", "--json", file).stdout);
    expect(json.files[0].rankingCases[0]).toMatchObject({ id: "rc01_tie_at_cutoff", pass: false, unexpected: [dropped] });
  });
});

describe("jifen test: no score and the verdict", () => {
  it("the Shanghai cases expect no score for a vetoed or ineligible applicant and the verdict at the line", () => {
    const run = jifen("en", "test", example("shanghai-2015"));
    expect(run.code).toBe(0);
  });
  it("expecting a score for a vetoed applicant, or the wrong verdict, fails in the officer's words", () => {
    const file = changed("shanghai-2015", (doc) => {
      const vetoed = doc.testCases.find((c) => c.id === "tc10_veto_serious_crime")!;
      vetoed.expect.verdict = "admitted";
      const below = doc.testCases.find((c) => c.id === "tc02_just_below_threshold")!;
      below.expect.total = null;
    });
    const en = jifen("en", "test", file);
    expect(en.code).toBe(1);
    expect(en.stdout).toContain("verdict: expected admitted, got vetoed");
    expect(en.stdout).toContain("total: expected no score, got 119");
    const zh = jifen("zh-CN", "test", file);
    expect(zh.stdout).toContain("结论：应为 达线（录取），实际 一票否决");
    expect(zh.stdout).toContain("总分：应为 不计分，实际 119");
  });
});
