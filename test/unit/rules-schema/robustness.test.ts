import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateDocument, validateDocumentText } from "../../../rules-schema/validate";
import { PROBLEM_CATALOGUE, splitPointer } from "../../../rules-schema/errors";

const minimalText = readFileSync(new URL("../../fixtures/minimal-valid.json", import.meta.url), "utf8");

/** Every pointer in a JSON value, so a mutation can hit any node. */
function allPointers(value: unknown, pointer = ""): string[] {
  const found = [pointer];
  if (Array.isArray(value)) value.forEach((child, i) => found.push(...allPointers(child, `${pointer}/${i}`)));
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) found.push(...allPointers(child, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  return found;
}

function parentExists(doc: unknown, pointer: string): boolean {
  let node = doc;
  const segments = splitPointer(pointer);
  for (const segment of segments.slice(0, -1)) {
    if (node === null || typeof node !== "object") return false;
    node = (node as Record<string, unknown>)[segment];
    if (node === undefined) return false;
  }
  return true;
}

const pointers = allPointers(JSON.parse(minimalText)).filter((p) => p !== "");

describe("validator robustness", () => {
  it("never throws on a mutated document, and every problem is well-formed and points into the document", () => {
    fc.assert(
      fc.property(fc.constantFrom(...pointers), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), (pointer, replacement) => {
        const doc = JSON.parse(minimalText) as Record<string, unknown>;
        const segments = splitPointer(pointer);
        let parent: Record<string, unknown> = doc;
        for (const segment of segments.slice(0, -1)) parent = parent[segment] as Record<string, unknown>;
        const last = segments[segments.length - 1];
        if (replacement === undefined) {
          if (Array.isArray(parent)) parent.splice(Number(last), 1);
          else delete parent[last];
        } else {
          parent[last] = replacement;
        }
        const text = JSON.stringify(doc, null, 2);
        const result = validateDocument(doc, text);
        expect(result.ok).toBe(!result.problems.some((p) => p.severity === "error"));
        for (const p of result.problems) {
          expect(p.code in PROBLEM_CATALOGUE || p.code.startsWith("schema.")).toBe(true);
          expect(parentExists(doc, p.path), `${p.code} ${p.path}`).toBe(true);
          expect(p.message.zh.length).toBeGreaterThan(0);
          expect(p.message.en.length).toBeGreaterThan(0);
          expect(p.message.en).not.toMatch(/\{\w+\}/);
          expect(p.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 150, seed: 20151211 },
    );
  });

  it("never throws on truncated text and reports one located syntax error", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: minimalText.length - 2 }), (cut) => {
        const result = validateDocumentText(minimalText.slice(0, cut));
        expect(result.ok).toBe(false);
        expect(result.problems).toHaveLength(1);
        expect(result.problems[0]).toMatchObject({ code: "json.syntax", path: "" });
        expect(result.problems[0].line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
