import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DerivedFact, FactDefinition } from "../../rules-schema/types";
import { makeDocument, text } from "../../test/fixtures/engine/builders";
import { isoDateArb } from "../../test/fixtures/engine/arbitraries";
import { dayNumber, daysInMonth, formatIsoDate, fromDayNumber, parseIsoDate, wholeMonthsBetween, wholeMonthsBetweenDays, wholeMonthsFromIso, wholeYearsBetween } from "./dates";
import { computeDerivedFacts, orderDerived } from "./derived";

const periodsFact: FactDefinition = {
  id: "periods",
  type: "records",
  label: text("Periods"),
  fields: [
    { id: "start", type: "date", label: text("Start") },
    { id: "end", type: "date", label: text("End") },
    { id: "kind", type: "string", label: text("Kind"), default: "work" },
  ],
};
const eventsFact: FactDefinition = {
  id: "events",
  type: "records",
  label: text("Events"),
  fields: [
    { id: "date", type: "date", label: text("Date") },
    { id: "act", type: "string", label: text("Act") },
    { id: "amount", type: "number", label: text("Amount") },
  ],
};

function derive(derived: DerivedFact[], facts: Record<string, unknown>, date: string, factDefs: FactDefinition[] = []) {
  return computeDerivedFacts(makeDocument({ facts: [periodsFact, eventsFact, ...factDefs], derived }), facts, date);
}

const age: DerivedFact = { id: "age", kind: "age", birthDate: "born", label: text("Age") };

describe("age: whole calendar years at the evaluation date", () => {
  it("turns 25 on the birthday, not the day before", () => {
    expect(derive([age], { born: "2000-06-15" }, "2025-06-15").age).toBe(25);
    expect(derive([age], { born: "2000-06-15" }, "2025-06-14").age).toBe(24);
  });
  it("a 29 February birthday is complete on 28 February of a common year", () => {
    expect(derive([age], { born: "2000-02-29" }, "2025-02-28").age).toBe(25);
    expect(derive([age], { born: "2000-02-29" }, "2025-02-27").age).toBe(24);
    expect(derive([age], { born: "2000-02-29" }, "2024-02-28").age).toBe(23);
  });
  it("is undefined for a missing or malformed birth date, and 0 before birth", () => {
    expect(derive([age], {}, "2025-01-01").age).toBeUndefined();
    expect(derive([age], { born: "15/06/2000" }, "2025-01-01").age).toBeUndefined();
    expect(derive([age], { born: "2026-01-01" }, "2025-01-01").age).toBe(0);
  });
});

describe("duration", () => {
  const months: DerivedFact = { id: "m", kind: "duration", from: "since", unit: "months", label: text("Months") };
  const days: DerivedFact = { id: "d", kind: "duration", from: "since", to: "until", unit: "days", label: text("Days") };
  it("counts months by the day of the month, with month ends as corresponding dates", () => {
    expect(derive([months], { since: "2025-01-15" }, "2025-03-14").m).toBe(1);
    expect(derive([months], { since: "2025-01-15" }, "2025-03-15").m).toBe(2);
    expect(derive([months], { since: "2025-01-31" }, "2025-02-28").m).toBe(1);
    expect(derive([months], { since: "2025-01-31" }, "2025-02-27").m).toBe(0);
  });
  it("counts days between two facts, negative spans give 0", () => {
    expect(derive([days], { since: "2024-02-28", until: "2024-03-01" }, "2030-01-01").d).toBe(2);
    expect(derive([days], { since: "2024-03-01", until: "2024-02-28" }, "2030-01-01").d).toBe(0);
    expect(derive([days], { since: "2024-03-01" }, "2030-01-01").d).toBeUndefined();
  });
});

describe("aggregate", () => {
  const within3y: DerivedFact = {
    id: "recent",
    kind: "aggregate",
    records: "events",
    op: "count",
    within: { dateField: "date", years: 3 },
    label: text("Recent"),
  };
  it("lookback excludes the boundary day three years back and includes the evaluation date", () => {
    const events = [{ date: "2022-06-30" }, { date: "2022-07-01" }, { date: "2025-06-30" }, { date: "2025-07-01" }];
    expect(derive([within3y], { events }, "2025-06-30").recent).toBe(2);
  });
  it("lookback in months clamps to the end of a shorter month", () => {
    const sixMonths: DerivedFact = { ...within3y, within: { dateField: "date", months: 6 } };
    const events = [{ date: "2024-02-29" }, { date: "2024-03-01" }];
    // 2024-08-31 minus six months is 2024-02-29: that day is outside, the next inside.
    expect(derive([sixMonths], { events }, "2024-08-31").recent).toBe(1);
  });
  it("filters with where, counts one act once with distinctBy, sums and takes min/max", () => {
    const events = [
      { date: "2024-01-01", act: "a", amount: 10 },
      { date: "2024-02-01", act: "a", amount: 30 },
      { date: "2024-03-01", act: "b", amount: 5 },
      { date: "2024-04-01", act: "c", amount: 0.1 },
      { date: "2024-05-01", act: "c", amount: 0.2 },
    ];
    const base = { kind: "aggregate", records: "events", label: text("x") } as const;
    const derived: DerivedFact[] = [
      { ...base, id: "acts", op: "count", distinctBy: "act" },
      { ...base, id: "big", op: "count", where: { fact: "amount", operator: "greaterThanInclusive", value: 5 } },
      { ...base, id: "sum", op: "sum", field: "amount" },
      { ...base, id: "min", op: "min", field: "amount" },
      { ...base, id: "max", op: "max", field: "amount", where: { fact: "act", operator: "equal", value: "zzz" } },
    ];
    const result = derive(derived, { events }, "2025-01-01");
    expect(result).toMatchObject({ acts: 3, big: 3, sum: 45.3, min: 0.1 });
    expect(result.max).toBeUndefined();
  });
});

describe("combine", () => {
  it("takes the smaller of two quantities; a missing operand makes it undefined", () => {
    const combine: DerivedFact = { id: "c", kind: "combine", op: "min", of: ["a", "b", 10], label: text("c") };
    expect(derive([combine], { a: 7, b: 3 }, "2025-01-01").c).toBe(3);
    expect(derive([combine], { a: 70, b: 30 }, "2025-01-01").c).toBe(10);
    expect(derive([combine], { a: 7 }, "2025-01-01").c).toBeUndefined();
  });
});

describe("periods", () => {
  const total: DerivedFact = {
    id: "covered",
    kind: "periods",
    records: "periods",
    startField: "start",
    endField: "end",
    mode: "total",
    unit: "months",
    label: text("Covered"),
  };
  it("counts overlapping periods once (end dates inclusive)", () => {
    const periods = [
      { start: "2020-01-01", end: "2020-12-31" },
      { start: "2020-07-01", end: "2021-06-30" },
      { start: "2020-03-01", end: "2020-04-30" },
    ];
    expect(derive([total], { periods }, "2030-01-01").covered).toBe(18);
    expect(derive([{ ...total, unit: "years" }], { periods }, "2030-01-01").covered).toBe(1);
    expect(derive([{ ...total, unit: "days" }], { periods }, "2030-01-01").covered).toBe(547);
  });
  it("adjacent periods join; an open end runs to the evaluation date; nothing after it counts", () => {
    const periods = [
      { start: "2024-01-01", end: "2024-01-31" },
      { start: "2024-02-01", end: "2024-02-29" },
      { start: "2024-06-01" },
      { start: "2026-01-01", end: "2026-12-31" },
    ];
    expect(derive([total], { periods }, "2024-09-01").covered).toBe(2 + 3);
  });
  it("continuous: the latest run, with gaps up to allowGapDays not breaking it (gap time not counted)", () => {
    const continuous: DerivedFact = { ...total, id: "run", mode: "continuous", unit: "days", allowGapDays: 90 };
    const periods = [
      { start: "2019-01-01", end: "2019-12-31" },
      { start: "2020-06-01", end: "2020-12-31" },
      { start: "2021-03-31", end: "2021-12-31" },
    ];
    // Gap 2021-01-01..2021-03-30 is 89 days → one run; the 2020-01-01..2020-05-31 gap (152 days) breaks it.
    expect(derive([continuous], { periods }, "2022-01-01").run).toBe(214 + 276);
    expect(derive([{ ...continuous, allowGapDays: 88 }], { periods }, "2022-01-01").run).toBe(276);
    expect(derive([{ ...continuous, allowGapDays: 200 }], { periods }, "2022-01-01").run).toBe(365 + 214 + 276);
  });
  it("where filters records, using field defaults", () => {
    const onlyWork: DerivedFact = { ...total, where: { fact: "kind", operator: "equal", value: "work" } };
    const periods = [
      { start: "2020-01-01", end: "2020-06-30" },
      { start: "2021-01-01", end: "2021-06-30", kind: "study" },
    ];
    expect(derive([onlyWork], { periods }, "2030-01-01").covered).toBe(6);
  });
});

describe("dependency order", () => {
  it("computes derived facts that use other derived facts after them, and refuses cycles", () => {
    const derived: DerivedFact[] = [
      { id: "capped", kind: "combine", op: "min", of: ["years", 10], label: text("Capped") },
      { id: "years", kind: "duration", from: "since", unit: "years", label: text("Years") },
    ];
    expect(orderDerived(makeDocument({ derived })).map((entry) => entry.id)).toEqual(["years", "capped"]);
    expect(derive(derived, { since: "2000-01-01" }, "2025-01-01").capped).toBe(10);
    const cyclic: DerivedFact[] = [
      { id: "a", kind: "combine", op: "sum", of: ["b"], label: text("a") },
      { id: "b", kind: "combine", op: "sum", of: ["a"], label: text("b") },
    ];
    expect(() => orderDerived(makeDocument({ derived: cyclic }))).toThrow(/cycle/);
  });
});

describe("calendar arithmetic (property)", () => {
  it("day numbers agree with Date.UTC and round-trip", () => {
    fc.assert(
      fc.property(isoDateArb, (iso) => {
        const date = parseIsoDate(iso);
        expect(date).toBeDefined();
        const days = dayNumber(date as NonNullable<typeof date>);
        expect(days).toBe(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000);
        expect(formatIsoDate(fromDayNumber(days))).toBe(iso);
      }),
      { numRuns: 200 },
    );
  });

  it("whole years: the birthday (or 28 February for 29 February) completes a year, the day before does not", () => {
    fc.assert(
      fc.property(isoDateArb, fc.integer({ min: 1, max: 80 }), (born, years) => {
        const birth = parseIsoDate(born) as NonNullable<ReturnType<typeof parseIsoDate>>;
        const year = birth.year + years;
        const day = Math.min(birth.day, daysInMonth(year, birth.month));
        const birthday = { year, month: birth.month, day };
        const dayBefore = fromDayNumber(dayNumber(birthday) - 1);
        expect(wholeYearsBetween(birth, birthday)).toBe(years);
        expect(wholeYearsBetween(birth, dayBefore)).toBe(years - 1);
        expect(wholeMonthsFromIso(born, birthday)).toBe(years * 12);
        expect(wholeMonthsBetweenDays(dayNumber(birth), dayNumber(dayBefore))).toBe(wholeMonthsBetween(birth, dayBefore));
      }),
      { numRuns: 200 },
    );
  });
});
