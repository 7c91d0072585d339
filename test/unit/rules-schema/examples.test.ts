import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateDocumentText } from "../../../rules-schema/validate";

const examplesDir = new URL("../../../rules-schema/examples/", import.meta.url);
const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".json"));

describe("the example standards", () => {
  it("exist", () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  for (const file of examples) {
    it(`${file} is a valid document`, () => {
      const result = validateDocumentText(readFileSync(new URL(file, examplesDir), "utf8"));
      expect(result.problems.filter((p) => p.severity === "error").map((p) => `${p.line}:${p.column} ${p.code} ${p.path} ${p.message.en}`)).toEqual([]);
      expect(result.ok).toBe(true);
    });
  }
});
