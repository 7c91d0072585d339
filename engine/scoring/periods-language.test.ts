/**
 * Issue 20, windows and periods: the boundary cases of `periods` on every evaluation path, and the language level
 * that keeps published (1.0) documents scoring as they were (decision 022).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DerivedFact, FactDefinition, FormatVersion, PeriodsDerived, ScoringItem, StandardDocument } from "../../rules-schema/types";
import { makeDocument, text } from "../../test/fixtures/engine/builders";
import { itemPointsOnEveryPath, scoreOnEveryPath } from "../../test/fixtures/engine/all-paths";
import { applicantArb, documentArb, evaluationDateArb } from "../../test/fixtures/engine/arbitraries";
import { cohortFromRows } from "../cohorts/cohort";
import { bindColumnar } from "./columnar";

const periodsFact: FactDefinition = {
  id: "periods",
  type: "records",
  label: text("Periods"),
  fields: [
    { id: "start", type: "date", label: text("Start") },
    { id: "end", type: "date", label: text("End") },
  ],
};

/** A document whose item `measure` scores one point per unit of the derived fact `m`. */
function measureDocument(derived: DerivedFact[], formatVersion: FormatVersion = "1.1", facts: FactDefinition[] = []): StandardDocument {
  const item: ScoringItem = {
    id: "measure",
    category: "base",
    label: text("Measure"),
    scoring: { kind: "accrual", fact: "m", bands: [{ from: 0, rate: 1 }] },
  };
  return makeDocument({ formatVersion, facts: [periodsFact, ...facts], derived, items: [item] });
}

const months = (mode: "total" | "continuous" = "total"): DerivedFact => ({
  id: "m",
  kind: "periods",
  records: "periods",
  startField: "start",
  endField: "end",
  mode,
  unit: "months",
  label: text("Months"),
});

describe("periods count their end date and the evaluation day (level 1.1), on every path", () => {
  const doc = measureDocument([months()]);
  it("2010-01-01..2019-12-31 evaluated on 2019-12-31 is 120 months", async () => {
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [{ start: "2010-01-01", end: "2019-12-31" }] }, "2019-12-31")).toBe(120);
  });
  it("2019-06-01..2019-06-30 evaluated on 2019-06-30 is one month", async () => {
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [{ start: "2019-06-01", end: "2019-06-30" }] }, "2019-06-30")).toBe(1);
  });
  it("an open period from the first of the month is a whole month on the month's last day, not the day before", async () => {
    const open = { periods: [{ start: "2019-06-01" }] };
    expect(await itemPointsOnEveryPath(doc, "measure", open, "2019-06-30")).toBe(1);
    expect(await itemPointsOnEveryPath(doc, "measure", open, "2019-06-29")).toBe(0);
  });
  it("a period ending after the evaluation date counts up to and including the evaluation day", async () => {
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [{ start: "2019-01-01", end: "2025-01-01" }] }, "2019-12-31")).toBe(12);
  });
  it("a period starting on the evaluation day counts that day (in days)", async () => {
    const days = measureDocument([{ ...months(), unit: "days" }]);
    expect(await itemPointsOnEveryPath(days, "measure", { periods: [{ start: "2019-06-30" }] }, "2019-06-30")).toBe(1);
    expect(await itemPointsOnEveryPath(days, "measure", { periods: [{ start: "2019-07-01" }] }, "2019-06-30")).toBe(0);
  });
  it("two touching periods (one ends the day before the next starts) are one stretch", async () => {
    const continuous = measureDocument([months("continuous")]);
    const periods = [
      { start: "2018-01-01", end: "2018-12-31" },
      { start: "2019-01-01", end: "2019-06-30" },
    ];
    expect(await itemPointsOnEveryPath(continuous, "measure", { periods }, "2019-06-30")).toBe(18);
  });
  it("years are whole 12-month runs: 2010-01-01..2019-12-31 is 10 years on its last day", async () => {
    const years = measureDocument([{ ...months(), unit: "years" }]);
    expect(await itemPointsOnEveryPath(years, "measure", { periods: [{ start: "2010-01-01", end: "2019-12-31" }] }, "2019-12-31")).toBe(10);
  });
});

describe("language level 1.0 keeps the count published versions were scored with", () => {
  const doc = measureDocument([months()], "1.0");
  it("leaves out the evaluation day, as before the fix", async () => {
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [{ start: "2010-01-01", end: "2019-12-31" }] }, "2019-12-31")).toBe(119);
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [{ start: "2019-06-01", end: "2019-06-30" }] }, "2019-06-30")).toBe(0);
  });
  it("agrees with 1.1 whenever the evaluation day is not inside a period", async () => {
    const facts = { periods: [{ start: "2010-01-01", end: "2019-12-31" }] };
    expect(await itemPointsOnEveryPath(doc, "measure", facts, "2020-03-01")).toBe(120);
    expect(await itemPointsOnEveryPath(measureDocument([months()]), "measure", facts, "2020-03-01")).toBe(120);
  });
});

const eventsFact: FactDefinition = {
  id: "events",
  type: "records",
  label: text("Events"),
  fields: [{ id: "date", type: "date", label: text("Date") }],
};
const applicationDate: FactDefinition = { id: "applicationDate", type: "date", label: text("Application date") };

function countIn(within: NonNullable<Extract<DerivedFact, { kind: "aggregate" }>["within"]>): StandardDocument {
  return measureDocument([{ id: "m", kind: "aggregate", records: "events", op: "count", within, label: text("Count") }], "1.1", [eventsFact, applicationDate]);
}
const events = (...dates: string[]) => ({ events: dates.map((date) => ({ date })) });

describe("calendar-year windows and windows measured from a fact, on every path", () => {
  it("近3个年度: the three calendar years before the evaluation year", async () => {
    const doc = countIn({ dateField: "date", calendarYears: { from: -3, to: -1 } });
    const facts = events("2020-12-31", "2021-01-01", "2023-12-31", "2024-01-01", "2024-04-30");
    expect(await itemPointsOnEveryPath(doc, "measure", facts, "2024-05-01")).toBe(2);
  });
  it("the application year and the 5 following, from the application date; nothing after the evaluation date", async () => {
    const doc = countIn({ dateField: "date", anchor: "applicationDate", calendarYears: { from: 0, to: 5 } });
    const facts = { applicationDate: "2018-03-15", ...events("2017-12-31", "2018-01-01", "2023-12-31", "2024-01-01") };
    expect(await itemPointsOnEveryPath(doc, "measure", facts, "2025-01-01")).toBe(2);
    expect(await itemPointsOnEveryPath(doc, "measure", facts, "2020-06-30")).toBe(1);
  });
  it("a rolling window up to the application date; no application date, nothing in the window", async () => {
    const doc = countIn({ dateField: "date", anchor: "applicationDate", years: 1 });
    const facts = events("2018-06-30", "2018-07-01", "2019-06-30", "2019-07-01");
    expect(await itemPointsOnEveryPath(doc, "measure", { applicationDate: "2019-06-30", ...facts }, "2020-12-31")).toBe(2);
    expect(await itemPointsOnEveryPath(doc, "measure", facts, "2020-12-31")).toBe(0);
  });
  it("per-record points in the calendar years before the evaluation year", async () => {
    const doc = makeDocument({
      formatVersion: "1.1",
      facts: [eventsFact],
      items: [
        {
          id: "measure",
          category: "deduction",
          label: text("Per event"),
          scoring: { kind: "perRecord", records: "events", points: -5, within: { dateField: "date", calendarYears: { from: -2, to: -1 } } },
        },
      ],
    });
    expect(await itemPointsOnEveryPath(doc, "measure", events("2021-12-31", "2022-01-01", "2023-06-01", "2024-01-02"), "2024-06-30")).toBe(-10);
  });
});

const periodsDerived = (extra: Partial<Extract<DerivedFact, { kind: "periods" }>>): DerivedFact => ({ ...months(), ...extra }) as DerivedFact;

describe("periods: gaps in months, calendar months, windows, except, groupBy, on every path", () => {
  it("a break of up to 3 months keeps the run continuous; a day more breaks it", async () => {
    const doc = measureDocument([periodsDerived({ mode: "continuous", allowGapMonths: 3 })]);
    const first = { start: "2018-04-01", end: "2019-03-31" };
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [first, { start: "2019-07-01", end: "2019-12-31" }] }, "2019-12-31")).toBe(18);
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [first, { start: "2019-07-02", end: "2019-12-31" }] }, "2019-12-31")).toBe(5);
  });
  it("months paid, counting the evaluation month: April 2009 to March 2016 is 84 months, 7 years", async () => {
    const open = { periods: [{ start: "2009-04-15" }] };
    expect(await itemPointsOnEveryPath(measureDocument([periodsDerived({ monthCount: "calendar" })]), "measure", open, "2016-03-01")).toBe(84);
    expect(await itemPointsOnEveryPath(measureDocument([periodsDerived({ monthCount: "calendar", unit: "years" })]), "measure", open, "2016-03-01")).toBe(7);
    expect(await itemPointsOnEveryPath(measureDocument([months()]), "measure", open, "2016-03-01")).toBe(82);
  });
  it("a month touched by two periods counts once", async () => {
    const doc = measureDocument([periodsDerived({ monthCount: "calendar" })]);
    const periods = [
      { start: "2019-01-10", end: "2019-03-05" },
      { start: "2019-03-20", end: "2019-04-02" },
    ];
    expect(await itemPointsOnEveryPath(doc, "measure", { periods }, "2019-12-31")).toBe(4);
  });
  it("duration in calendar months: from 2009-04-01 to an evaluation on 2016-03-01 is 7 years", async () => {
    const since: FactDefinition = { id: "since", type: "date", label: text("Since") };
    const doc = measureDocument([{ id: "m", kind: "duration", from: "since", unit: "years", monthCount: "calendar", label: text("Years") }], "1.1", [since]);
    expect(await itemPointsOnEveryPath(doc, "measure", { since: "2009-04-01" }, "2016-03-01")).toBe(7);
    expect(await itemPointsOnEveryPath(doc, "measure", { since: "2009-04-01" }, "2016-02-29")).toBe(6);
    expect(await itemPointsOnEveryPath(doc, "measure", { since: "2017-01-01" }, "2016-03-01")).toBe(0);
  });
  it("only the part of each period inside the window counts (months in the last 3 calendar years)", async () => {
    const doc = measureDocument([periodsDerived({ within: { calendarYears: { from: -3, to: -1 } } })]);
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [{ start: "2015-01-01" }] }, "2024-05-01")).toBe(36);
    expect(await itemPointsOnEveryPath(doc, "measure", { periods: [{ start: "2022-07-01", end: "2022-12-31" }] }, "2024-05-01")).toBe(6);
  });
  it("except: insurance months inside the study period do not count", async () => {
    const study: FactDefinition = { ...periodsFact, id: "study", label: text("Study") };
    const doc = measureDocument([periodsDerived({ except: { records: "study", startField: "start", endField: "end" } })], "1.1", [study]);
    const facts = { periods: [{ start: "2010-01-01", end: "2019-12-31" }], study: [{ start: "2012-09-01", end: "2016-06-30" }] };
    expect(await itemPointsOnEveryPath(doc, "measure", facts, "2019-12-31")).toBe(120 - 46);
    expect(await itemPointsOnEveryPath(doc, "measure", { ...facts, study: [] }, "2019-12-31")).toBe(120);
  });
  it("groupBy: the longest stay with one employer, or the sum per employer", async () => {
    const jobs: FactDefinition = { ...periodsFact, fields: [...(periodsFact.fields ?? []), { id: "employer", type: "string", label: text("Employer") }] };
    const periods = [
      { start: "2010-01-01", end: "2012-12-31", employer: "A" },
      { start: "2013-01-01", end: "2013-12-31", employer: "B" },
      { start: "2014-01-01", end: "2015-12-31", employer: "A" },
    ];
    const longest: PeriodsDerived = { id: "m", kind: "periods", records: "periods", startField: "start", endField: "end", mode: "total", unit: "years", groupBy: { field: "employer", op: "max" }, label: text("Years") };
    const doc = (derived: DerivedFact) => makeDocument({ formatVersion: "1.1", facts: [jobs], derived: [derived], items: measureDocument([]).items });
    expect(await itemPointsOnEveryPath(doc(longest), "measure", { periods }, "2019-12-31")).toBe(5);
    expect(await itemPointsOnEveryPath(doc({ ...longest, groupBy: { field: "employer", op: "sum" as const } }), "measure", { periods }, "2019-12-31")).toBe(6);
    expect(await itemPointsOnEveryPath(doc({ ...longest, mode: "continuous" as const, groupBy: { field: "employer", op: "max" as const } }), "measure", { periods }, "2019-12-31")).toBe(2);
  });
});

describe("combine: weights, a difference floored at 0, min and max of dates, on every path", () => {
  const numbers: FactDefinition[] = [
    { id: "a", type: "number", label: text("A") },
    { id: "b", type: "number", label: text("B") },
  ];
  it("weights: each operand at its own rate", async () => {
    const doc = measureDocument([{ id: "m", kind: "combine", op: "sum", of: ["a", "b"], weights: [2, 0.5], label: text("Weighted") }], "1.1", numbers);
    expect(await itemPointsOnEveryPath(doc, "measure", { a: 10, b: 4 }, "2020-01-01")).toBe(22);
  });
  it("difference: the first minus the others, never below 0; a missing operand scores 0", async () => {
    const doc = measureDocument([{ id: "m", kind: "combine", op: "difference", of: ["a", "b", 1], label: text("Difference") }], "1.1", numbers);
    expect(await itemPointsOnEveryPath(doc, "measure", { a: 10, b: 3 }, "2020-01-01")).toBe(6);
    expect(await itemPointsOnEveryPath(doc, "measure", { a: 3, b: 10 }, "2020-01-01")).toBe(0);
    expect(await itemPointsOnEveryPath(doc, "measure", { a: 3 }, "2020-01-01")).toBe(0);
  });
  it("min and max of dates give the earlier and later date, usable as the start of a duration", async () => {
    const dates: FactDefinition[] = [
      { id: "permit", type: "date", label: text("Permit") },
      { id: "insured", type: "date", label: text("Insured") },
    ];
    const later: DerivedFact & { kind: "combine" } = { id: "later", kind: "combine", op: "max", of: ["permit", "insured"], label: text("Later") };
    const doc = measureDocument([later, { id: "m", kind: "duration", from: "later", unit: "years", label: text("Years") }], "1.1", dates);
    expect(await itemPointsOnEveryPath(doc, "measure", { permit: "2015-06-01", insured: "2012-01-01" }, "2020-06-01")).toBe(5);
    const earlier = measureDocument([{ ...later, op: "min" }, { id: "m", kind: "duration", from: "later", unit: "years", label: text("Years") }], "1.1", dates);
    expect(await itemPointsOnEveryPath(earlier, "measure", { permit: "2015-06-01", insured: "2012-01-01" }, "2020-06-01")).toBe(8);
  });
});

/** Derived facts of decision 022 over the random standards' facts, each scored by an accrual item of its own. */
const extendedDerived: DerivedFact[] = [
  { id: "x_calRecent", kind: "aggregate", records: "events", op: "count", within: { dateField: "date", calendarYears: { from: -3, to: -1 } }, label: text("x") },
  { id: "x_anchored", kind: "aggregate", records: "events", op: "sum", field: "qty", within: { dateField: "date", anchor: "d1", years: 2 }, label: text("x") },
  { id: "x_paid", kind: "periods", records: "spans", startField: "start", endField: "end", mode: "total", unit: "months", monthCount: "calendar", within: { calendarYears: { from: -5, to: 0 } }, label: text("x") },
  { id: "x_run", kind: "periods", records: "spans", startField: "start", endField: "end", mode: "continuous", unit: "months", allowGapMonths: 3, groupBy: { field: "kind", op: "max" }, label: text("x") },
  { id: "x_sum", kind: "periods", records: "spans", startField: "start", endField: "end", mode: "total", unit: "days", groupBy: { field: "kind", op: "sum" }, label: text("x") },
  {
    id: "x_except",
    kind: "periods",
    records: "spans",
    startField: "start",
    endField: "end",
    mode: "total",
    unit: "months",
    where: { fact: "kind", operator: "notEqual", value: "c" },
    except: { records: "spans", startField: "start", endField: "end", where: { fact: "kind", operator: "equal", value: "c" } },
    label: text("x"),
  },
  { id: "x_fromAnchor", kind: "periods", records: "spans", startField: "start", endField: "end", mode: "total", unit: "months", within: { anchor: "d1", months: 30 }, label: text("x") },
  { id: "x_weighted", kind: "combine", op: "sum", of: ["n1", "x_paid", "i1"], weights: [2, 0.5, -1], label: text("x") },
  { id: "x_difference", kind: "combine", op: "difference", of: ["x_paid", "x_except", 1], label: text("x") },
  { id: "x_calendarYears", kind: "duration", from: "d1", unit: "years", monthCount: "calendar", label: text("x") },
  { id: "x_latest", kind: "combine", op: "max", of: ["d1"], label: text("x") },
  { id: "x_sinceLatest", kind: "duration", from: "x_latest", unit: "months", monthCount: "calendar", label: text("x") },
];

/**
 * The ones the columnar path reads without decoding rows (decision 034: periods with windows, except, groupBy, gaps in
 * months and calendar months included); only a records window anchored on a fact still makes it decode rows.
 */
const columnarDerived: DerivedFact[] = extendedDerived.filter((derived) => derived.id !== "x_anchored");

const withDerived = (added: DerivedFact[]) => (doc: StandardDocument): StandardDocument => ({
  ...doc,
  derived: [...(doc.derived ?? []), ...added],
  items: [
    ...doc.items,
    ...added.map((derived, index) => ({
      id: `xi${index}`,
      category: "bonus",
      label: text(derived.id),
      scoring: { kind: "accrual" as const, fact: derived.id, rounding: "none" as const, bands: [{ from: 0, rate: 1 }] },
    })),
  ],
});
const extendedDocumentArb = documentArb.map(withDerived(extendedDerived));

describe("random standards with windows, periods and combine of decision 022: every path agrees", () => {
  it("reference, compiled and columnar give the same figures", async () => {
    const cases = extendedDocumentArb.chain((doc) =>
      fc.record({ doc: fc.constant(doc), date: evaluationDateArb, applicants: fc.array(applicantArb(doc), { minLength: 1, maxLength: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ doc, date, applicants }) => {
        for (const facts of applicants) await scoreOnEveryPath(doc, facts, date, "p1");
      }),
      { numRuns: 120 },
    );
  });
  it("the columnar path reads calendar-year windows, calendar months, the new periods options and combines from columns", async () => {
    const cases = documentArb.map(withDerived(columnarDerived)).chain((doc) =>
      fc.record({ doc: fc.constant(doc), date: evaluationDateArb, applicants: fc.array(applicantArb(doc), { minLength: 1, maxLength: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ doc, date, applicants }) => {
        expect(bindColumnar(doc, "p1", cohortFromRows(doc.facts, applicants.map((_, i) => `A${i}`), applicants), date).mode).toBe("columns");
        for (const facts of applicants) await scoreOnEveryPath(doc, facts, date, "p1");
      }),
      { numRuns: 80 },
    );
  });
});
