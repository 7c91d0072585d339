import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateDocumentText } from "../../../rules-schema/validate";

const brokenDir = new URL("../../fixtures/broken/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", brokenDir), "utf8")) as Record<
  string,
  { mistake: string; code: string; path: string; line?: number; column?: number; severity?: "error" | "warning" }
>;

describe("broken-document corpus", () => {
  it("has at least 30 documents, each listed in expected.json", () => {
    const files = readdirSync(brokenDir).filter((f) => f.endsWith(".json") && f !== "expected.json");
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files.sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    it(`${file}: ${want.mistake} → ${want.code} at ${want.path || "(document)"}`, () => {
      const result = validateDocumentText(readFileSync(new URL(file, brokenDir), "utf8"));
      const found = result.problems.find((p) => p.code === want.code && p.path === want.path);
      expect(found, JSON.stringify(result.problems.map((p) => [p.code, p.path]))).toBeDefined();
      expect(found!.severity).toBe(want.severity ?? "error");
      expect(result.ok).toBe((want.severity ?? "error") === "warning");
      expect(found!.message.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(found!.message.en).toMatch(/[A-Za-z]/);
      expect(found!.line).toBeGreaterThanOrEqual(1);
      expect(found!.column).toBeGreaterThanOrEqual(1);
      if (want.line !== undefined) {
        expect({ line: found!.line, column: found!.column }).toEqual({ line: want.line, column: want.column });
      }
      if (want.code === "json.syntax") expect(result.document).toBeUndefined();
    });
  }

  it("covers every semantic code the validator can report", () => {
    const covered = new Set(Object.values(expected).map((e) => e.code));
    for (const code of [
      "json.syntax", "schema.required", "schema.type", "schema.enum", "schema.additionalProperty",
      "ref.unknownFact", "ref.unknownItem", "ref.unknownProgram", "ref.unknownCategory", "ref.unknownGroupMember",
      "id.duplicate", "tiers.overlap", "bands.overlap", "bands.gap", "accrual.notContiguous", "cap.belowMinimum",
      "group.singleMember", "group.capMissing", "group.mixedCategories", "derived.cycle",
      "testCase.unknownItem", "testCase.unknownProgram", "testCase.unknownFact", "testCase.unknownCategory", "testCase.factValue", "testCase.derivedFact",
      "condition.unknownEnumValue", "operator.typeMismatch", "operator.levelOnNonEnum", "ref.notRecords", "deduction.positivePoints",
      "ref.unknownList", "ref.unknownRecordField", "ref.notDate", "json.duplicateKey", "schema.format", "schema.pattern", "schema.operatorValue",
    ]) {
      expect(covered, code).toContain(code);
    }
  });
});
