import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateDocument, validateDocumentText } from "../../../rules-schema/validate";
import { generateLargeDocument } from "../../../bench/validate-bench";
import type { StandardDocument } from "../../../rules-schema/types";

const minimalText = readFileSync(new URL("../../fixtures/minimal-valid.json", import.meta.url), "utf8");
const minimal = (): StandardDocument => JSON.parse(minimalText) as StandardDocument;

describe("validateDocumentText", () => {
  it("accepts the minimal Suzhou excerpt and returns the document", () => {
    const result = validateDocumentText(minimalText);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.document?.id).toBe("suzhou-2015-minimal");
  });

  it("accepts a generated 300-item document", () => {
    const doc = generateLargeDocument(300);
    expect(doc.items.length).toBeGreaterThanOrEqual(300);
    const result = validateDocumentText(JSON.stringify(doc, null, 2));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("rejects comments and trailing commas even though jsonc-parser could read them", () => {
    const withComment = validateDocumentText(minimalText.replace('"version": "2015",', '"version": "2015", /* 版本 */'));
    expect(withComment.problems.map((p) => p.code)).toEqual(["json.syntax"]);
    const withTrailingComma = validateDocumentText(minimalText.replace('"en": "Suzhou" } },', '"en": "Suzhou", } },'));
    expect(withTrailingComma.problems[0]).toMatchObject({ code: "json.syntax", path: "", line: 5, params: { hint: "trailingComma" } });
  });

  it("reports an empty file as a syntax error at line 1", () => {
    const result = validateDocumentText("");
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ code: "json.syntax", line: 1, column: 1 });
  });

  it("reports every schema problem in one pass, sorted by position, and skips semantic checks until the schema passes", () => {
    const doc = minimal() as unknown as Record<string, unknown>;
    const items = doc.items as Array<Record<string, unknown>>;
    items[3].cap = "300";
    items[0].category = "no-such-category";
    doc.status = "live";
    const text = JSON.stringify(doc, null, 2);
    const result = validateDocumentText(text);
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ["schema.enum", "/status"],
      ["schema.type", "/items/3/cap"],
    ]);
    const lines = result.problems.map((p) => p.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(text.split("\n")[lines[1] - 1]).toContain('"cap": "300"');
  });

  it("reports several semantic problems sorted by document position", () => {
    const doc = minimal();
    doc.testCases![0].program = "nowhere";
    doc.items[4].programs = ["nowhere"];
    doc.gates![0].programs = ["elsewhere"];
    const result = validateDocument(doc);
    expect(result.problems.map((p) => p.path)).toEqual(["/items/4/programs/0", "/gates/0/programs/0", "/testCases/0/program"]);
    expect(result.problems.every((p) => p.line === undefined)).toBe(true);
  });

  it("keeps a document with only warnings valid", () => {
    const doc = minimal();
    doc.categories.push({ id: "bonus", kind: "bonus", label: { zh: "附加分", en: "Bonus" } });
    doc.items.push({ id: "fine", category: "deduction", label: { zh: "罚款", en: "Fine" }, scoring: { kind: "fixed", points: 20 } });
    const result = validateDocument(doc);
    expect(result.ok).toBe(true);
    expect(result.problems).toMatchObject([{ code: "deduction.positivePoints", severity: "warning", path: "/items/5/scoring/points" }]);
  });

  it("checks operators against fact types and enum values, including inside record filters", () => {
    const doc = minimal();
    doc.gates![0].condition = {
      all: [
        { fact: "registrationDate", operator: "greaterThan", value: 3 },
        { fact: "education", operator: "atLeastLevel", value: "phd" },
        { fact: "birthDate", operator: "dateBefore", value: "2000-01-01" },
        { fact: "siMonths", operator: "between", value: [12, null] },
      ],
    };
    doc.items[4].scoring = { kind: "perRecord", records: "offences", where: { fact: "kind", operator: "in", value: ["detention", "prison"] }, points: -100 };
    const result = validateDocument(doc);
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ["condition.unknownEnumValue", "/items/4/scoring/where/value/1"],
      ["operator.typeMismatch", "/gates/0/condition/all/0/operator"],
      ["condition.unknownEnumValue", "/gates/0/condition/all/1/value"],
    ]);
  });

  it("gives line and column for problems when validateDocument receives the text", () => {
    const text = minimalText.replace('"fact": "siMonths", "rounding"', '"fact": "siMonthz", "rounding"');
    const result = validateDocument(JSON.parse(text), text);
    expect(result.problems).toHaveLength(1);
    const [found] = result.problems;
    expect(found).toMatchObject({ code: "ref.unknownFact", path: "/items/2/scoring/fact" });
    const line = text.split("\n")[found.line! - 1];
    expect(line.slice(found.column! - 1)).toMatch(/^"fact": "siMonthz"/);
  });

  it("suggests the intended field for a misspelt one", () => {
    const result = validateDocumentText(minimalText.replace('"tiePolicy": "admitAll"\n      }\n    },\n    {\n      "id": "school"', '"tiePolicy": "admitAll",\n        "minimumTotl": 60\n      }\n    },\n    {\n      "id": "school"'));
    const found = result.problems.find((p) => p.code === "schema.additionalProperty");
    expect(found).toMatchObject({ path: "/programs/0/allocation/minimumTotl", params: { suggestion: "minimumTotal" } });
    expect(found!.message.zh).toContain("minimumTotal");
  });
});
