/**
 * Canonical JSON is what content hashes, input hashes and the decision log are computed from, so its text must not
 * change when its implementation does: the fast one-pass writer is checked against the obvious definition.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../rules-schema/canonical";

/** The definition: JSON.stringify with every object's keys sorted and undefined members left out. */
function reference(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => reference(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

describe("canonicalJson", () => {
  it("equals the definition on any JSON value, including keys that are numbers, escapes and unicode", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("equals the definition on values JSON cannot hold: undefined, NaN, infinities, -0, functions", () => {
    const odd = { b: undefined, a: [undefined, NaN, Infinity, -Infinity, -0, () => 1], c: { f: () => 1, "10": 1, "9": 2 }, d: new Date(0) };
    expect(canonicalJson(odd)).toBe(reference(odd));
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true }), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives the example standards the same text, hence the same content hashes", () => {
    for (const name of ["suzhou-2015", "suzhou-2020", "hangzhou-2018", "shanghai-2015", "changshu-2022", "guangzhou-2015", "shenzhen-school-2016", "shenzhen-talent-2017"]) {
      const doc = JSON.parse(readFileSync(new URL(`../../../rules-schema/examples/${name}.json`, import.meta.url), "utf8")) as unknown;
      expect(canonicalJson(doc), name).toBe(reference(doc));
    }
  });
});
