/** Issue 20 (decision 022): the validator on windows, periods and combine. */
import { describe, expect, it } from "vitest";
import type { DerivedFact, FactDefinition } from "../../../rules-schema/types";
import { validateDocument } from "../../../rules-schema/validate";
import { makeDocument, text } from "../../fixtures/engine/builders";

const facts: FactDefinition[] = [
  { id: "applicationDate", type: "date", label: text("Application date") },
  { id: "permit", type: "date", label: text("Permit") },
  { id: "a", type: "number", label: text("A") },
  { id: "b", type: "number", label: text("B"), default: 0 },
  {
    id: "jobs",
    type: "records",
    label: text("Jobs"),
    fields: [
      { id: "start", type: "date", label: text("Start") },
      { id: "end", type: "date", label: text("End") },
      { id: "employer", type: "string", label: text("Employer") },
    ],
  },
];

const items = [{ id: "i", category: "base", label: text("I"), scoring: { kind: "fixed" as const, points: 1 } }];

function problemsOf(derived: DerivedFact[]) {
  return validateDocument(makeDocument({ formatVersion: "1.1", facts, derived, items })).problems.map((p) => [p.code, p.path, p.severity]);
}

const periods = (extra: object): DerivedFact =>
  ({ id: "m", kind: "periods", records: "jobs", startField: "start", endField: "end", mode: "total", unit: "months", label: text("M"), ...extra }) as DerivedFact;

describe("windows", () => {
  it("accepts calendar years from an anchor date fact", () => {
    expect(problemsOf([periods({ within: { anchor: "applicationDate", calendarYears: { from: 0, to: 5 } } })])).toEqual([]);
  });
  it("refuses calendar years together with years, an empty range, and an anchor that is not a date", () => {
    expect(problemsOf([periods({ within: { years: 3, calendarYears: { from: -3, to: -1 } } })])).toEqual([["window.mixed", "/derived/0/within/calendarYears", "error"]]);
    expect(problemsOf([periods({ within: { calendarYears: { from: 0, to: -1 } } })])).toEqual([["window.calendarOrder", "/derived/0/within/calendarYears", "error"]]);
    expect(problemsOf([periods({ within: { anchor: "a", years: 1 } })])).toEqual([["ref.notDate", "/derived/0/within/anchor", "error"]]);
  });
});

describe("periods", () => {
  it("checks the fields of except and groupBy", () => {
    expect(problemsOf([periods({ except: { records: "jobs", startField: "start", endField: "finish" }, groupBy: { field: "boss", op: "max" } })])).toEqual([
      ["ref.unknownRecordField", "/derived/0/except/endField", "error"],
      ["ref.unknownRecordField", "/derived/0/groupBy/field", "error"],
    ]);
  });
});

describe("combine", () => {
  it("warns where an operand can be missing without a default (it would silently score 0)", () => {
    const problems = problemsOf([{ id: "m", kind: "combine", op: "sum", of: ["a", "b"], label: text("M") }]);
    expect(problems).toEqual([["combine.missingInput", "/derived/0/of/0", "warning"]]);
    const result = validateDocument(makeDocument({ formatVersion: "1.1", facts, items, derived: [{ id: "m", kind: "combine", op: "sum", of: ["a", "b"], label: text("M") }] }));
    expect(result.ok).toBe(true);
    expect(result.problems[0].message.zh).toContain("默认值");
    expect(result.problems[0].message.en).toContain("score 0");
  });
  it("refuses weights that do not match the operands, or go with another operation", () => {
    expect(problemsOf([{ id: "m", kind: "combine", op: "sum", of: ["b", 2], weights: [1], label: text("M") }])).toEqual([["combine.weights", "/derived/0/weights", "error"]]);
    expect(problemsOf([{ id: "m", kind: "combine", op: "max", of: ["b", 2], weights: [1, 2], label: text("M") }])).toEqual([["combine.weights", "/derived/0/weights", "error"]]);
  });
  it("takes min/max of dates, refuses dates mixed with numbers, and the result is a date for conditions", () => {
    const later: DerivedFact = { id: "later", kind: "combine", op: "max", of: ["permit", "applicationDate"], label: text("Later") };
    expect(problemsOf([later]).filter(([code]) => code !== "combine.missingInput")).toEqual([]);
    expect(problemsOf([{ ...later, of: ["permit", "b"] }]).filter(([code]) => code !== "combine.missingInput")).toEqual([["combine.mixedTypes", "/derived/0/of/1", "error"]]);
    const doc = makeDocument({
      formatVersion: "1.1",
      facts,
      derived: [later],
      items,
      gates: [{ id: "g", label: text("G"), reason: text("G"), condition: { fact: "later", operator: "dateBefore", value: "2020-01-01" } }],
    });
    expect(validateDocument(doc).problems.filter((p) => p.severity === "error")).toEqual([]);
  });
});

describe("between", () => {
  it("warns where a half-open range looks like an inclusive range of years", () => {
    const gate = (value: unknown) =>
      makeDocument({
        formatVersion: "1.1",
        facts: [{ id: "year", type: "integer", label: text("Year") }],
        items,
        gates: [{ id: "g", label: text("G"), reason: text("G"), condition: { fact: "year", operator: "between", value } }],
      });
    const problems = validateDocument(gate([2012, 2014])).problems;
    expect(problems.map((p) => [p.code, p.path, p.severity])).toEqual([["condition.betweenHalfOpen", "/gates/0/condition/value", "warning"]]);
    expect(problems[0].message.zh).toContain("[2012, 2015]");
    expect(problems[0].message.en).toContain("without 2014");
    expect(validateDocument(gate([18, 60])).problems).toEqual([]);
    expect(validateDocument(gate([2012, 2015.5])).problems).toEqual([]);
  });
});
