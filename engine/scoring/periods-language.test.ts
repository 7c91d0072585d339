/**
 * Issue 20, windows and periods: the boundary cases of `periods` on every evaluation path, and the language level
 * that keeps published (1.0) documents scoring as they were (decision 022).
 */
import { describe, expect, it } from "vitest";
import type { DerivedFact, FactDefinition, FormatVersion, ScoringItem, StandardDocument } from "../../rules-schema/types";
import { makeDocument, text } from "../../test/fixtures/engine/builders";
import { itemPointsOnEveryPath } from "../../test/fixtures/engine/all-paths";

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
