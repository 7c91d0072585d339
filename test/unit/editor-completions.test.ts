/**
 * Completions from the document (issue 25, part 4): where a fact, category, item, program or enum value is expected,
 * the document's own ids with their labels; operators with their meaning; nothing where nothing of the document fits.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { indexDocument } from "../../app/features/editor/document-index";
import { candidatesFor, completionContextAt, schemaForEditor } from "../../app/features/editor/completions";
import { localizedSchema } from "../../rules-schema/schema";

const suzhou = readFileSync("rules-schema/examples/suzhou-2020.json", "utf8");

/** The offset just inside the quotes of the first string value `"needle"` after `anchor`. */
function inside(text: string, anchor: string, needle: string, extra = 1): number {
  return text.indexOf(`"${needle}"`, text.indexOf(anchor)) + extra;
}

describe("what the document offers where", () => {
  const index = indexDocument(suzhou);

  it("offers facts and derived facts with their labels where a condition names a fact, and no test-case or item ids", () => {
    const offset = inside(suzhou, '"id": "junior_college"', "educationLevel");
    const context = completionContextAt(index, offset)!;
    expect(context.expected).toEqual({ what: "id", kind: "fact", asKey: false });
    expect(context.inString).toBe(true);
    expect(suzhou.slice(context.replace.offset, context.replace.offset + context.replace.length)).toBe("educationLevel");
    const candidates = candidatesFor(index, context);
    const values = candidates.map((c) => c.value);
    expect(values).toContain("educationLevel");
    expect(values).toContain("age");
    expect(values).not.toContain("tc01_settlement_with_nanjing");
    expect(values).not.toContain("education");
    expect(candidates.find((c) => c.value === "educationLevel")?.label?.zh).toBeTruthy();
  });

  it("offers the operators with their meaning in words", () => {
    const context = completionContextAt(index, inside(suzhou, '"id": "junior_college"', "atLeastLevel"))!;
    expect(context.expected).toEqual({ what: "operator" });
    const candidates = candidatesFor(index, context);
    expect(candidates.find((c) => c.value === "greaterThanInclusive")?.detail).toEqual({ zh: "不少于（大于或等于）", en: "is at least" });
  });

  it("offers an enum fact's values with their labels as a condition's value", () => {
    const offset = suzhou.indexOf('"value": "junior_college"', suzhou.indexOf('"id": "junior_college"')) + '"value": "'.length + 1;
    const context = completionContextAt(index, offset)!;
    expect(context?.expected).toEqual({ what: "enumValue", factId: "educationLevel" });
    const values = candidatesFor(index, context).map((c) => c.value);
    expect(values).toEqual(expect.arrayContaining(["bachelor", "master", "doctor"]));
  });

  it("offers categories for an indicator's category, programs for a test case's program, items for a group's members", () => {
    const category = completionContextAt(index, inside(suzhou, '"id": "education"', "base"))!;
    expect(candidatesFor(index, category).map((c) => c.value)).toEqual(["base", "bonus"]);
    const program = completionContextAt(index, inside(suzhou, '"testCases"', "settlement"))!;
    expect(candidatesFor(index, program).map((c) => c.value)).toEqual(index.definitions.filter((d) => d.entry === "program").map((d) => d.id));
  });

  it("offers facts as a test case's fact names", () => {
    const offset = suzhou.indexOf('"birthDate"', suzhou.indexOf('"testCases"')) + 2;
    const context = completionContextAt(index, offset)!;
    expect(context.expected).toEqual({ what: "id", kind: "fact", asKey: true });
  });

  it("offers nothing of the document in a label, an article or a records condition's field", () => {
    expect(completionContextAt(index, inside(suzhou, '"id": "education"', "文化程度"))).toBeUndefined();
    const where = suzhou.indexOf('"where"');
    const fieldOffset = suzhou.indexOf('"fact": "', where) + '"fact": "'.length + 1;
    expect(completionContextAt(index, fieldOffset)).toBeUndefined();
  });
});

/** Every `operator` property that sits beside a `fact` property in a schema. */
function conditionOperators(node: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) node.forEach((child) => conditionOperators(child, out));
  else if (node && typeof node === "object") {
    const properties = (node as { properties?: Record<string, Record<string, unknown>> }).properties;
    if (properties?.fact && properties.operator) out.push(properties.operator);
    Object.values(node).forEach((child) => conditionOperators(child, out));
  }
  return out;
}

describe("the schema the editor's JSON worker gets", () => {
  it("leaves a condition's operator names to the document's completions (no bare duplicates) and keeps its help", () => {
    const schema = localizedSchema("zh-CN");
    const before = conditionOperators(schema);
    expect(before.some((operator) => Array.isArray(operator.enum))).toBe(true);
    const after = conditionOperators(schemaForEditor(schema));
    expect(after.length).toBe(before.length);
    for (const operator of after) {
      expect(operator.enum).toBeUndefined();
      expect(operator.type).toBe("string");
    }
    // The numeric-operator rule (if the operator is lessThan… then the value is a number) keeps its list.
    expect(JSON.stringify(schemaForEditor(schema))).toContain('"enum":["lessThan","lessThanInclusive","greaterThan","greaterThanInclusive"]');
  });
});
