/**
 * Bounded fuzz of standard documents (issue 18, part 7): hostile changes to the example standards go through the
 * validator (what the editor's validate and save call) and through `jifen validate` and `jifen test`. Nothing may
 * throw, every problem must be located and bilingual, and the CLI must answer 0 or 1 with no stack trace. The
 * editor's actions over real HTTP are fuzzed in fuzz-editor.e2e.test.ts.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../rules-schema/canonical";
import { validateDocumentText } from "../../rules-schema/validate";
import { root } from "../integration/cli-allocation.helpers";
import { jifenAsync } from "./cli-async";
import { applyChanges, changes, LEAK, STACK_TRACE } from "./fuzz-arbitraries";

const examplesDir = join(root, "rules-schema/examples");
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(examplesDir, f), "utf8")) as unknown);
const hostileDocument = fc.tuple(fc.nat({ max: examples.length - 1 }), changes(4)).map(([i, list]) => applyChanges(examples[i], list));

const dir = mkdtempSync(join(tmpdir(), "jifen-fuzz-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fuzzed standard documents", () => {
  it("the validator never throws and locates every problem in both languages", () => {
    const runs = 150;
    const report = fc.check(
      fc.property(hostileDocument, (text) => {
        const result = validateDocumentText(text);
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) expect(result.problems.some((p) => p.severity === "error")).toBe(true);
        for (const problem of result.problems) {
          expect(typeof problem.code).toBe("string");
          expect(typeof problem.path).toBe("string");
          expect(problem.message.zh.length).toBeGreaterThan(0);
          expect(problem.message.en.length).toBeGreaterThan(0);
          expect(problem.message.en).not.toMatch(LEAK);
        }
        // What the save path does with a document it stores: its canonical text, for the content hash.
        if (result.ok) expect(typeof canonicalJson(result.document)).toBe("string");
      }),
      { numRuns: runs, interruptAfterTimeLimit: 6_000, seed: Number(process.env.JIFEN_FUZZ_SEED ?? 18) },
    );
    console.info(`fuzz (validator): ${report.numRuns} documents, ${report.failed ? 1 : 0} failure(s)`);
    expect(report.failed, report.failed ? fc.defaultReportMessage(report) : "").toBe(false);
  });

  it("`jifen validate` and `jifen test` answer 0 or 1 with a message per file, never a stack trace", async () => {
    const sample = fc.sample(hostileDocument, { numRuns: 24, seed: Number(process.env.JIFEN_FUZZ_SEED ?? 18) });
    const files = sample.map((text, i) => {
      const path = join(dir, `fuzz-${String(i).padStart(2, "0")}.json`);
      writeFileSync(path, text);
      return path;
    });
    const validate = await jifenAsync(["validate", "--json", ...files]);
    expect([0, 1], validate.stderr).toContain(validate.code);
    expect(validate.stderr).not.toMatch(STACK_TRACE);
    const reports = (JSON.parse(validate.stdout) as { files: Array<{ file: string; ok: boolean }> }).files;
    expect(reports.map((r) => r.file)).toEqual(files);
    const test = await jifenAsync(["test", ...files]);
    expect([0, 1], test.stderr).toContain(test.code);
    expect(test.stdout + test.stderr).not.toMatch(STACK_TRACE);
    console.info(`fuzz (CLI): ${files.length} documents through validate and test, exit ${validate.code}/${test.code}, ${reports.filter((r) => r.ok).length} valid`);
  });
});
