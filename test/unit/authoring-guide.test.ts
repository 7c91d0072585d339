/**
 * The authoring guide's examples are documents: each block after an `<!-- example: NAME -->` marker is validated
 * and its test cases run through both evaluators, so the guide cannot drift from what the engine does.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateDocumentText } from "../../rules-schema/validate";
import { runTestCases } from "../../engine/scoring/testcases";

const guide = readFileSync(new URL("../../docs/authoring.md", import.meta.url), "utf8");
const examples = [...guide.matchAll(/<!-- example: ([\w-]+) -->\s*```json\n([\s\S]*?)\n```/g)].map((match) => ({ name: match[1], text: match[2] }));

describe("the authoring guide's examples", () => {
  it("include the persons example", () => {
    expect(examples.map((example) => example.name)).toContain("persons");
  });
  it("include dates, windows and periods, adjustments (decisions 022 to 024)", () => {
    expect(examples.map((example) => example.name)).toEqual(expect.arrayContaining(["dates", "windows", "adjustments"]));
  });

  for (const example of examples) {
    it(`${example.name}: is a valid document whose cases pass through both evaluators`, async () => {
      const result = validateDocumentText(example.text);
      expect(result.problems).toEqual([]);
      const results = await runTestCases(result.document!, { path: "both" });
      expect(results.length).toBeGreaterThan(0);
      for (const outcome of results) expect(outcome, `${outcome.id} (${outcome.path})`).toMatchObject({ pass: true });
    });
  }
});
