import { Engine } from "json-rules-engine";
import { describe, expect, it } from "vitest";
import { atLeastLevel, between, comparatorFor, customOperators, dateBefore, dateOnOrAfter, isPresent, registerOperators } from ".";

describe("between: [min, max)", () => {
  const holds = comparatorFor("between");
  it("includes the lower bound and excludes the upper", () => {
    expect(holds(18, [18, 35])).toBe(true);
    expect(holds(34.99, [18, 35])).toBe(true);
    expect(holds(35, [18, 35])).toBe(false);
    expect(holds(17, [18, 35])).toBe(false);
  });
  it("treats null as unbounded", () => {
    expect(holds(-1e9, [null, 0])).toBe(true);
    expect(holds(1e9, [100, null])).toBe(true);
    expect(holds(5, [null, null])).toBe(true);
  });
  it("is false for non-numbers and malformed bounds", () => {
    expect(holds("20", [18, 35])).toBe(false);
    expect(holds(undefined, [18, 35])).toBe(false);
    expect(holds(Number.NaN, [null, null])).toBe(false);
    expect(holds(20, [18])).toBe(false);
    expect(holds(20, "18-35")).toBe(false);
  });
});

describe("date operators", () => {
  it("dateBefore is strict and dateOnOrAfter inclusive", () => {
    expect(comparatorFor("dateBefore")("2024-12-31", "2025-01-01")).toBe(true);
    expect(comparatorFor("dateBefore")("2025-01-01", "2025-01-01")).toBe(false);
    expect(comparatorFor("dateOnOrAfter")("2025-01-01", "2025-01-01")).toBe(true);
    expect(comparatorFor("dateOnOrAfter")("2024-12-31", "2025-01-01")).toBe(false);
  });
  it("rejects anything that is not a real ISO date", () => {
    for (const bad of ["2025-02-30", "2025-1-01", "20250101", 20250101, null, undefined]) {
      expect(comparatorFor("dateBefore")(bad, "2030-01-01")).toBe(false);
      expect(comparatorFor("dateOnOrAfter")(bad, "2000-01-01")).toBe(false);
    }
    expect(comparatorFor("dateBefore")("2020-01-01", "soon")).toBe(false);
  });
});

describe("atLeastLevel uses the fact's declared order", () => {
  const levels = ["none", "college", "bachelor", "master"];
  const holds = comparatorFor("atLeastLevel", levels);
  it("holds at and above the level", () => {
    expect(holds("bachelor", "college")).toBe(true);
    expect(holds("college", "college")).toBe(true);
    expect(holds("none", "college")).toBe(false);
  });
  it("is false for values outside the order or without an order", () => {
    expect(holds("phd", "college")).toBe(false);
    expect(holds("master", "phd")).toBe(false);
    expect(comparatorFor("atLeastLevel")("master", "college")).toBe(false);
  });
});

describe("isPresent", () => {
  const holds = comparatorFor("isPresent");
  it("distinguishes present from null/undefined; 0, false and '' are present", () => {
    for (const present of [0, false, "", [], {}]) expect(holds(present, true)).toBe(true);
    expect(holds(null, true)).toBe(false);
    expect(holds(undefined, false)).toBe(true);
    expect(holds(0, false)).toBe(false);
    expect(holds(1, "yes")).toBe(false);
  });
});

describe("built-ins keep json-rules-engine's meaning and never throw", () => {
  it("numeric comparisons use the engine's number guard", () => {
    expect(comparatorFor("greaterThanInclusive")(5, 5)).toBe(true);
    expect(comparatorFor("lessThan")("abc", 5)).toBe(false);
    expect(comparatorFor("lessThan")(undefined, 5)).toBe(false);
  });
  it("in/notIn against a missing list are false instead of an exception", () => {
    expect(comparatorFor("in")("a", ["a", "b"])).toBe(true);
    expect(comparatorFor("in")("a", undefined)).toBe(false);
    expect(comparatorFor("notIn")("a", undefined)).toBe(false);
    expect(comparatorFor("contains")("a", "a")).toBe(false);
    expect(comparatorFor("contains")(["a"], "a")).toBe(true);
  });
  it("unknown operators are refused with a code", () => {
    expect(() => comparatorFor("approximately")).toThrow(expect.objectContaining({ code: "engine.unknownOperator" }));
  });
});

describe("operator files describe themselves", () => {
  it("each custom operator has a name, a one-line description, a guard and a comparator", () => {
    expect(customOperators.map((operator) => operator.name).sort()).toEqual(
      ["atLeastLevel", "between", "dateBefore", "dateOnOrAfter", "isPresent"].sort(),
    );
    for (const operator of customOperators) {
      expect(operator.description).toMatch(/^[^\n]+$/);
      expect(typeof operator.guard).toBe("function");
      expect(typeof operator.evaluate).toBe("function");
    }
    expect(between.guard("5")).toBe(false);
    expect(dateBefore.guard("2025-01-01")).toBe(true);
    expect(dateOnOrAfter.guard(5)).toBe(false);
    expect(atLeastLevel.guard(3)).toBe(false);
    expect(isPresent.guard(undefined)).toBe(true);
  });

  it("registered on json-rules-engine they give the same results as the plain comparators", async () => {
    const engine = new Engine([], { allowUndefinedFacts: true });
    registerOperators(engine, [["low", "mid", "high"]]);
    engine.addRule({
      name: "r",
      conditions: {
        all: [
          { fact: "age", operator: "between", value: [18, 35] },
          { fact: "since", operator: "dateOnOrAfter", value: "2020-01-01" },
          { fact: "level", operator: "atLeastLevel#0", value: "mid" },
          { fact: "missing", operator: "isPresent", value: false },
          { fact: "city", operator: "in", value: { fact: "nothing" } },
        ],
      },
      event: { type: "r" },
    });
    const run = await engine.run({ age: 20, since: "2021-05-01", level: "high", city: "x" });
    const conditions = (run.failureResults[0].conditions as unknown as { all: Array<{ result: boolean }> }).all;
    expect(conditions.map((condition) => condition.result)).toEqual([true, true, true, true, false]);
  });
});
