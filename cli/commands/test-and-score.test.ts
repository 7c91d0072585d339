/** `jifen test` and `jifen score` as a user runs them: exit codes, messages that name the place, both output forms. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixture = join(root, "test/fixtures/engine/shanghai-like.json");
const scratch = mkdtempSync(join(tmpdir(), "jifen-score-"));

function jifen(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "bin/jifen.mjs"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, JIFEN_LANG: "en" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const doc = JSON.parse(readFileSync(fixture, "utf8"));

describe("jifen test", () => {
  it("passes the fixture's cases through both paths", () => {
    const run = jifen("test", fixture);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ pass\s+graduateEngineer/);
    expect(run.stdout).toMatch(/3 test case\(s\): 3 passed, 0 failed/);
  });

  it("names the differing item with expected and actual, in Chinese too, and exits 1", () => {
    const broken = structuredClone(doc);
    broken.testCases[0].expect.items.spouse = 32;
    const file = join(scratch, "broken.json");
    writeFileSync(file, JSON.stringify(broken));
    const english = jifen("test", file);
    expect(english.code).toBe(1);
    expect(english.stdout).toMatch(/✗ FAIL\s+graduateEngineer/);
    expect(english.stdout).toMatch(/both paths: item spouse: expected 32, got 28/);
    const chinese = jifen("--lang", "zh-CN", "test", file);
    expect(chinese.stdout).toMatch(/指标 spouse：应为 32，实际 28/);
    const json = JSON.parse(jifen("test", "--json", file).stdout);
    expect(json.files[0].cases[0].paths[0].differences).toContainEqual({ what: "item", id: "spouse", expected: 32, actual: 28 });
  });

  it("refuses an invalid document with its problems (exit 1) and a missing file (exit 2)", () => {
    const file = join(scratch, "invalid.json");
    writeFileSync(file, JSON.stringify({ ...doc, items: "none" }));
    const run = jifen("test", file);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Invalid standard/);
    expect(jifen("test", join(scratch, "absent.json")).code).toBe(2);
  });
});

describe("jifen score", () => {
  const base = ["score", "--standard", fixture, "--program", "residence", "--date", "2025-06-30"];

  it("one applicant: a table, or the explained sheet as JSON", () => {
    const facts = join(scratch, "one.json");
    writeFileSync(facts, JSON.stringify(doc.testCases[0].facts));
    const table = jifen(...base, "--facts", facts);
    expect(table.code).toBe(0);
    // Issue 22: labels with the arithmetic, not ids; the cap with the amount it removed; the verdict last.
    expect(table.stdout).toMatch(/Outer districts\s+20\s+12 years → 12 years × 2 points = 24 points/);
    expect(table.stdout.replace(/\s+/g, " ")).toContain("capped at 20 points: 24 points → 20 points (4 points removed)");
    expect(table.stdout).not.toContain("remoteArea");
    expect(table.stdout).toMatch(/Total\s+199/);
    expect(table.stdout.trim().split("\n").at(-1)).toMatch(/^✓ /);
    const sheet = JSON.parse(jifen(...base, "--facts", facts, "--json").stdout);
    expect(sheet).toMatchObject({ total: 199, eligible: true, verdict: "admitted", categories: { base: 147, bonus: 102, deduction: -50 } });
    expect(sheet.explanation.items.find((item: { id: string }) => item.id === "remoteArea").arithmetic[0].zh).toBe("12年 → 12年 × 2分 = 24分");
  });

  it("many applicants: JSON lines or CSV from the compiled path", () => {
    const lines = join(scratch, "many.jsonl");
    writeFileSync(lines, doc.testCases.map((c: { id: string; facts: object }) => JSON.stringify({ id: c.id, ...c.facts })).join("\n"));
    const run = jifen(...base, "--applicants", lines);
    expect(run.code).toBe(0);
    const rows = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(rows.map((row) => [row.id, row.total, row.vetoed])).toEqual([
      ["graduateEngineer", 199, false],
      ["vetoedWithFloor", null, true],
      ["noPermitSchool", null, false],
    ]);
    // Issue 22: no total for the vetoed and the ineligible, the verdict says why.
    expect(rows.map((row) => row.verdict)).toEqual(["admitted", "vetoed", "ineligible"]);
    const csv = jifen(...base, "--applicants", lines, "--format", "csv").stdout.trim().split("\n");
    expect(csv[0]).toMatch(/^id,eligible,vetoed,failedGates,total,category:base,/);
    expect(csv[1]).toMatch(/^graduateEngineer,true,false,,199,147,102,-50,30,90,.*,admitted$/);
    expect(csv[2]).toMatch(/^vetoedWithFloor,false,true,,,.*,vetoed$/);
  });

  it("bad facts name the file, line and field, exit 1; usage errors exit 2", () => {
    const facts = join(scratch, "bad.json");
    writeFileSync(facts, JSON.stringify({ ...doc.testCases[0].facts, remoteYears: "twelve" }, null, 2));
    const run = jifen(...base, "--facts", facts);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(facts);
    expect(run.stderr).toMatch(/line \d+, column "remoteYears": "twelve" is not a number/);
    const csv = join(scratch, "bad.csv");
    writeFileSync(csv, "id,birthDate\na,1990-01-01\nb,1980-02-30\n");
    expect(jifen(...base, "--applicants", csv).stderr).toMatch(/line 3, column "birthDate"/);
    expect(jifen("score", "--standard", fixture, "--program", "nope", "--date", "2025-06-30", "--facts", facts).code).toBe(2);
    expect(jifen(...base).code).toBe(2);
    expect(jifen("score", "--standard", fixture, "--program", "residence", "--date", "30/06/2025", "--facts", facts).code).toBe(2);
  });
});
