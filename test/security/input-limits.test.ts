/**
 * Issue 18, "Hostile documents and requests": JSON nested 10,000 deep, numbers beyond any real figure and malformed
 * escapes get a located, bilingual refusal (never a 500, a stack overflow or a stack trace) from the validator,
 * the department API and the command line. The editor's limits and the server's production mode need the real
 * server: input-limits.e2e.test.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "../../rules-schema/canonical";
import { MAX_JSON_DEPTH, nestingBeyond, validJsonNestingBeyond } from "../../rules-schema/json-depth";
import { parseJsonText } from "../../rules-schema/locate";
import { validateDocumentText } from "../../rules-schema/validate";
import type { StandardDocument } from "../../rules-schema/types";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import { suzhouPath, tempDir } from "../integration/cli-allocation.helpers";
import { jifenAsync as jifen } from "./cli-async";
import { openInProcessApi, type InProcessApi } from "./api-in-process";

const DEEP = 10_000;
const suzhouText = readFileSync(suzhouPath, "utf8");
const suzhou = JSON.parse(suzhouText) as StandardDocument;
const deepList = "[".repeat(DEEP) + "]".repeat(DEEP);
const deepObject = '{"a":'.repeat(DEEP) + "1" + "}".repeat(DEEP);
/** The example standard with a 10,000-deep value where a test case's fact belongs. */
const deepDocument = JSON.stringify(JSON.parse(suzhouText.replace('"birthDate": "1988-03-10"', '"birthDate": "__deep__"')), null, 2).replace('"__deep__"', deepList);
const STACK_TRACE = /\n\s+at .+[(:]\d+|node:internal|RangeError|Maximum call stack/;

describe("the nesting limit", () => {
  it("finds the first level beyond the limit with its pointer, skipping brackets inside strings", () => {
    expect(nestingBeyond(suzhouText)).toBeUndefined();
    expect(nestingBeyond(JSON.stringify({ note: "[".repeat(500) }))).toBeUndefined();
    const found = nestingBeyond('{"items":[{"when":' + "[".repeat(100) + "]".repeat(100) + "}]}");
    expect(found).toMatchObject({ limit: MAX_JSON_DEPTH, pointer: "/items/0/when" + "/0".repeat(MAX_JSON_DEPTH - 3) });
    expect(nestingBeyond("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH))).toBeUndefined();
    expect(nestingBeyond("[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1))).toBeDefined();
  });

  it("the fast scan for accepted JSON finds the same place as the careful one (strings with quotes and backslashes)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), (value, extra) => {
        const wrapped = "[".repeat(extra) + JSON.stringify(value) + "]".repeat(extra);
        for (const limit of [1, 2, 3, 5, 8]) {
          expect(validJsonNestingBeyond(wrapped, limit)).toEqual(nestingBeyond(wrapped, limit));
        }
      }),
      { numRuns: 300, seed: 18 },
    );
    const tricky = JSON.stringify({ 'a"[': ["\\", '\\"[[', { "\\": [[["]"]]] }] });
    expect(validJsonNestingBeyond(tricky, 4)).toEqual(nestingBeyond(tricky, 4));
    expect(validJsonNestingBeyond(tricky, 4)).toMatchObject({ pointer: '/a"[/2/\\/0' });
  });

  it("a 10,000-deep document gets one located, bilingual problem, in lists, objects and broken JSON alike", () => {
    for (const text of [deepList, deepObject, deepList.slice(0, -1), deepDocument]) {
      const result = validateDocumentText(text);
      expect(result.ok).toBe(false);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ code: "json.tooDeep", severity: "error" });
      expect(result.problems[0].line).toBeGreaterThan(0);
      expect(result.problems[0].message.zh).toContain("嵌套层数超过 64 层");
      expect(result.problems[0].message.en).toContain("more than 64 levels");
    }
    expect(validateDocumentText(deepDocument).problems[0].path).toMatch(/^\/testCases\/\d+\/facts\/birthDate\/0\/0/);
  });

  it("the locator's walks are iterative: duplicate keys found at depth 60 in document order", () => {
    const nested = '{"a":'.repeat(60) + '{"k":1,"k":2}' + "}".repeat(60);
    const parsed = parseJsonText(nested);
    expect(parsed.problems).toEqual([expect.objectContaining({ code: "json.duplicateKey", path: "/a".repeat(60) + "/k" })]);
  });

  it("canonical JSON of a value at the limit is written as JSON.stringify writes it", () => {
    const value = JSON.parse("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH)) as unknown;
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });
});

describe("finite points and totals", () => {
  const withPoints = (points: string) => suzhouText.replace(/"points": [0-9.]+/, `"points": ${points}`);

  it("refuses points of 1e308 and 1e309 as out of range, in words, at their place", () => {
    for (const points of ["1e308", "1e309", "-1e309", "1000000000001"]) {
      const result = validateDocumentText(withPoints(points));
      expect(result.ok, points).toBe(false);
      const problem = result.problems.find((p) => p.code === "schema.magnitude");
      expect(problem, points).toMatchObject({ path: expect.stringMatching(/\/points$/) });
      expect(problem!.line).toBeGreaterThan(0);
      expect(problem!.message.en).toContain("one trillion");
      expect(problem!.message.zh).toContain("一万亿");
      expect(result.problems.map((p) => p.message.en).join("\n")).not.toContain("got number");
    }
    expect(validateDocumentText(withPoints("1000000000000")).problems.filter((p) => p.code === "schema.magnitude")).toEqual([]);
  });
});

describe("the department API", () => {
  let api: InProcessApi;
  const date = "2016-05-15";
  const facts = generateCohort(suzhou, 2, "limits")[0];
  beforeAll(async () => {
    api = await openInProcessApi("limits");
  });
  afterAll(async () => {
    await api.close();
  });

  const refusedTooDeep = (answer: { status: number; json: Record<string, unknown>; text: string }) => {
    expect(answer.status, answer.text.slice(0, 300)).toBe(422);
    expect(answer.json.errors).toEqual([expect.objectContaining({ code: "api.tooDeep", line: 1, message: { zh: expect.stringContaining("64"), en: expect.stringContaining("64") } })]);
  };

  it("refuses a 10,000-deep body in every endpoint and form, on either thread, with 422 and its place", async () => {
    const deepFacts = `{"program":"settlement","date":"${date}","facts":{"socialInsuranceMonths":${deepList}}}`;
    for (const bytes of [false, true]) {
      refusedTooDeep(await api.call("POST", "/api/v1/standards/suzhou/evaluate", deepFacts, { bytes }));
      refusedTooDeep(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", `{"program":"settlement","date":"${date}","applicants":[{"id":"a","facts":${deepObject}}]}`, { bytes }));
      refusedTooDeep(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", `{"program":"settlement","date":"${date}","columns":["id","socialInsuranceMonths"],"rows":[["a",${deepList}]]}`, { bytes }));
      refusedTooDeep(await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", `{"program":"settlement","date":${deepList},"columns":["id"],"rows":[["a"]]}`, { bytes }));
    }
    refusedTooDeep(await api.call("POST", "/api/v1/standards/suzhou/evaluate?explain=true", deepFacts));
    refusedTooDeep(await api.call("POST", "/api/v1/standards/suzhou/rank", `{"program":"school","date":"${date}","quotas":{"*":1},"applicants":[{"id":"a","facts":{"x":${deepList}}}]}`));
    refusedTooDeep(await api.call("POST", "/api/v1/standards/suzhou/evaluate", deepList));
  });

  it("refuses a number fact beyond a trillion (or any fact's own bound) instead of scoring an infinite total", async () => {
    for (const bytes of [false, true]) {
      const single = await api.call("POST", "/api/v1/standards/suzhou/evaluate", `{"program":"settlement","date":"${date}","facts":{"socialInsuranceMonths":1e308}}`, { bytes });
      expect(single.status).toBe(422);
      expect(single.json.errors[0]).toMatchObject({ code: "api.factType", path: "/facts/socialInsuranceMonths" });
      const table = await api.call("POST", "/api/v1/standards/suzhou/evaluate/batch", `{"program":"settlement","date":"${date}","columns":["id","perCapitaHousingAreaM2"],"rows":[["a",1e300]]}`, { bytes });
      expect(table.status).toBe(422);
      expect(table.json.errors[0]).toMatchObject({ code: "api.factType", path: "/rows/0/1" });
    }
    const fine = await api.call("POST", "/api/v1/standards/suzhou/evaluate", { program: "settlement", date, facts });
    expect(fine.status).toBe(200);
  });

  it("answers a malformed %-escape in the path with a plain 400, not 500", async () => {
    for (const path of ["/api/v1/standards/%E0%A4%A", "/api/v1/standards/%zz/evaluate", "/api/v1/decisions/%/replay"]) {
      const answer = await api.call(path.endsWith("%E0%A4%A") ? "GET" : "POST", path, {});
      expect(answer.status, path).toBe(400);
      expect(answer.json.errors[0]).toMatchObject({ code: "api.badUrl", message: { zh: expect.stringContaining("%"), en: expect.stringContaining("%") } });
    }
  });
});

describe("the command line", () => {
  const dir = tempDir();
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const noStackTrace = (result: { stdout: string; stderr: string }) => {
    expect(result.stdout + result.stderr).not.toMatch(STACK_TRACE);
  };

  it("validate and test report a 10,000-deep document as invalid (exit 1) with its place", async () => {
    const paths = [file("deep-list.json", deepList), file("deep-object.json", deepObject), file("deep-document.json", deepDocument)];
    const validate = await jifen(["validate", ...paths]);
    expect(validate.code).toBe(1);
    for (const name of ["deep-list", "deep-object", "deep-document"]) expect(validate.stdout).toMatch(new RegExp(`${name}\\.json:\\d+:\\d+\\s+json\\.tooDeep`));
    noStackTrace(validate);
    const test = await jifen(["test", ...paths]);
    expect(test.code).toBe(1);
    expect((test.stdout + test.stderr).match(/json\.tooDeep/g)).toHaveLength(3);
    noStackTrace(test);
  });

  it("score refuses a deep standard, facts file or applicants file as invalid (exit 1), without a stack trace", async () => {
    const facts = file("facts.json", `{"socialInsuranceMonths":${deepList}}`);
    const deepFacts = await jifen(["score", "--standard", suzhouPath, "--program", "settlement", "--date", "2016-05-15", "--facts", facts]);
    expect(deepFacts.code).toBe(1);
    expect(deepFacts.stderr).toContain("nested more than 64 levels");
    noStackTrace(deepFacts);
    const applicants = file("deep.jsonl", `{"id":"a","homes":${deepList}}\n{"id":"b","x":${deepObject}}\n`);
    const deepLines = await jifen(["score", "--standard", suzhouPath, "--program", "settlement", "--date", "2016-05-15", "--applicants", applicants]);
    expect(deepLines.code).toBe(1);
    expect(deepLines.stderr).toContain("line 1: nested more than 64 levels deep");
    expect(deepLines.stderr).toContain("line 2: nested more than 64 levels deep");
    noStackTrace(deepLines);
    const deepStandard = await jifen(["score", "--standard", file("deep-standard.json", deepDocument), "--program", "settlement", "--date", "2016-05-15", "--facts", file("ok.json", "{}")]);
    expect(deepStandard.code).toBe(1);
    expect(deepStandard.stderr).toContain("json.tooDeep");
    noStackTrace(deepStandard);
  });

  it("refuses points of 1e308 (exit 1) rather than scoring Total Infinity", async () => {
    const big = file("big.json", suzhouText.replace(/"points": [0-9.]+/, '"points": 1e308'));
    const result = await jifen(["validate", big]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("schema.magnitude");
    const scored = await jifen(["test", big]);
    expect(scored.code).toBe(1);
    expect(scored.stdout + scored.stderr).not.toContain("Infinity");
  });

  it("documents its exit codes in --help, 'invalid' apart from an internal error", async () => {
    const help = await jifen(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/0\s+success/);
    expect(help.stdout).toMatch(/1\s+input checked and found wanting/);
    expect(help.stdout).toMatch(/2\s+usage error/);
    expect(help.stdout).toMatch(/3\s+internal error/);
  });

  it("a file that cannot be read is a usage error in words (exit 2), not a stack trace", async () => {
    const missing = await jifen(["score", "--standard", join(dir, "nope.json"), "--program", "settlement", "--facts", join(dir, "nope.json")]);
    expect(missing.code).toBe(2);
    noStackTrace(missing);
    const directory = await jifen(["validate", dir]);
    expect(directory.code).toBe(2);
    noStackTrace(directory);
  });
});
