import { describe, expect, it } from "vitest";
import { makeDocument, text } from "../../test/fixtures/engine/builders";
import { loadStandards } from "../../test/fixtures/engine/standards";
import { runTestCases } from "./testcases";

describe.each(loadStandards())("embedded test cases of $name", ({ doc }) => {
  it("pass through both the reference and the compiled path", async () => {
    const results = await runTestCases(doc, { path: "both" });
    expect(results).toHaveLength(2 * (doc.testCases?.length ?? 0));
    expect(results.filter((result) => !result.pass)).toEqual([]);
  });
});

describe("runTestCases reports what differs", () => {
  const doc = makeDocument({
    facts: [{ id: "years", type: "number", label: text("Years") }],
    items: [{ id: "years", category: "base", label: text("Years"), scoring: { kind: "accrual", fact: "years", bands: [{ from: 0, rate: 3 }] } }],
    gates: [{ id: "adult", label: text("Adult"), reason: text("Adult"), condition: { fact: "years", operator: "greaterThan", value: 1 } }],
    testCases: [
      { id: "right", label: text("right"), program: "main", date: "2025-01-01", facts: { years: 2 }, expect: { items: { years: 6 }, total: 6, eligible: true } },
      {
        id: "wrong",
        label: text("wrong"),
        program: "main",
        date: "2025-01-01",
        facts: { years: 1 },
        expect: { items: { years: 4 }, categories: { base: 4 }, total: 4, eligible: true, vetoed: false, failedGates: [] },
      },
      { id: "badProgram", label: text("bad"), program: "nope", date: "2025-01-01", facts: {}, expect: { total: 0 } },
    ],
  });

  it("lists the item, category, total and eligibility differences with expected and actual", async () => {
    for (const path of ["reference", "compiled"] as const) {
      const results = await runTestCases(doc, { path });
      expect(results.map((result) => [result.id, result.path, result.pass])).toEqual([
        ["right", path, true],
        ["wrong", path, false],
        ["badProgram", path, false],
      ]);
      expect(results[1].differences).toEqual([
        { what: "eligible", expected: true, actual: false },
        { what: "failedGates", expected: [], actual: ["adult"] },
        { what: "item", id: "years", expected: 4, actual: 3 },
        { what: "category", id: "base", expected: 4, actual: 3 },
        { what: "total", expected: 4, actual: 3 },
      ]);
      expect(results[2].differences[0]).toMatchObject({ what: "error", actual: "Unknown program: nope" });
    }
  });

  it("defaults to the reference path", async () => {
    expect((await runTestCases(doc)).every((result) => result.path === "reference")).toBe(true);
  });
});
