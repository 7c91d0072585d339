import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FactDefinition, ScoringItem, StandardDocument } from "../../rules-schema/types";
import { makeDocument, text } from "../../test/fixtures/engine/builders";
import { compileProgram } from "./compiled";
import { scoreApplicant } from "./reference";
import type { ScoreSheet } from "../types";

const facts: FactDefinition[] = [
  { id: "years", type: "number", label: text("Years") },
  { id: "area", type: "number", label: text("Area") },
  { id: "level", type: "enum", label: text("Level"), values: ["low", "mid", "high"].map((value) => ({ value, label: text(value) })) },
  {
    id: "fines",
    type: "records",
    label: text("Fines"),
    fields: [
      { id: "date", type: "date", label: text("Date") },
      { id: "act", type: "string", label: text("Act") },
      { id: "months", type: "number", label: text("Months") },
      { id: "severity", type: "integer", label: text("Severity"), default: 1 },
    ],
  },
];

function item(id: string, scoring: ScoringItem["scoring"], extra: Partial<ScoringItem> = {}): ScoringItem {
  return { id, category: "base", label: text(id), scoring, ...extra };
}

/** Scores through both paths, checks they agree, and returns the explained sheet. */
async function score(doc: StandardDocument, applicant: Record<string, unknown>, date = "2025-06-30", program = "main") {
  const sheet = await scoreApplicant(doc, applicant, program, date);
  const compact = compileProgram(doc, program).score(applicant, date);
  expect(compact.items).toEqual(sheet.items.map((outcome) => outcome.points));
  expect(compact.categories).toEqual(doc.categories.map((category) => sheet.categories[category.id]));
  expect(compact.total).toBe(sheet.total);
  expect(compact.eligible).toBe(sheet.eligible);
  expect(compact.vetoed).toBe(sheet.vetoed);
  expect(compact.failedGates).toEqual(sheet.gates.filter((gate) => !gate.passed).map((gate) => gate.id));
  return sheet;
}

const pointsOf = (sheet: ScoreSheet) => Object.fromEntries(sheet.items.map((outcome) => [outcome.id, outcome.points]));

describe("scoring kinds", () => {
  it("fixed points only when `when` holds, with the condition's trace", async () => {
    const doc = makeDocument({
      facts,
      items: [item("f", { kind: "fixed", points: 10 }, { when: { fact: "years", operator: "greaterThan", value: 3 } })],
    });
    expect((await score(doc, { years: 4 })).items[0].points).toBe(10);
    const sheet = await score(doc, { years: 2 });
    expect(sheet.items[0].points).toBe(0);
    expect(sheet.items[0].explanation.when).toEqual({ fact: "years", operator: "greaterThan", value: 3, factValue: 2, result: false });
  });

  it("tiers: the highest tier that holds counts; the explanation names it", async () => {
    const doc = makeDocument({
      facts,
      items: [
        item("t", {
          kind: "tiers",
          tiers: [
            { id: "mid", label: text("mid"), when: { fact: "level", operator: "atLeastLevel", value: "mid" }, points: 20 },
            { id: "high", label: text("high"), when: { fact: "level", operator: "atLeastLevel", value: "high" }, points: 50 },
            { id: "any", label: text("any"), when: { any: [{ fact: "years", operator: "greaterThan", value: 0 }] }, points: 5 },
          ],
        }),
      ],
    });
    const sheet = await score(doc, { level: "high", years: 1 });
    expect(sheet.items[0].points).toBe(50);
    expect(sheet.items[0].explanation.chosenTier).toBe("high");
    expect(sheet.items[0].explanation.tiers?.map((tier) => tier.held)).toEqual([true, true, true]);
    expect(sheet.items[0].explanation.tiers?.[2].trace).toMatchObject({ kind: "any", result: true });
    expect((await score(doc, { level: "mid" })).items[0].points).toBe(20);
    expect((await score(doc, {})).items[0].points).toBe(0);
  });

  it("bands: half-open [min, max)", async () => {
    const doc = makeDocument({
      facts,
      items: [
        item("b", {
          kind: "bands",
          fact: "area",
          bands: [
            { id: "small", max: 60, points: 10 },
            { id: "mid", min: 60, max: 90, points: 20 },
            { id: "big", min: 90, points: 30 },
          ],
        }),
      ],
    });
    expect(pointsOf(await score(doc, { area: 59.99 })).b).toBe(10);
    expect(pointsOf(await score(doc, { area: 60 })).b).toBe(20);
    expect(pointsOf(await score(doc, { area: 90 })).b).toBe(30);
    expect(pointsOf(await score(doc, { area: "90" })).b).toBe(0);
  });

  it("linear: base at the origin plus steps, floored and clamped", async () => {
    const doc = makeDocument({
      facts,
      items: [
        item("l", { kind: "linear", fact: "years", origin: 56, direction: "down", basePoints: 5, pointsPerStep: 2, max: 30 }),
        item("area", { kind: "linear", fact: "area", origin: 50, direction: "up", step: 10, basePoints: 0, pointsPerStep: 1.5 }),
        item("exact", { kind: "linear", fact: "area", origin: 0, direction: "up", step: 4, basePoints: 0, pointsPerStep: 1, rounding: "none" }),
      ],
    });
    expect(pointsOf(await score(doc, { years: 56, area: 69 }))).toEqual({ l: 5, area: 1.5, exact: 17.25 });
    expect(pointsOf(await score(doc, { years: 50, area: 70 }))).toEqual({ l: 17, area: 3, exact: 17.5 });
    expect(pointsOf(await score(doc, { years: 20, area: 10 }))).toEqual({ l: 30, area: 0, exact: 2.5 });
    expect(pointsOf(await score(doc, { years: 60 })).l).toBe(5);
  });

  it("accrual: marginal bands, whole units, exact decimals (0.25 a month never drifts)", async () => {
    const doc = makeDocument({
      facts,
      items: [
        item("marginal", {
          kind: "accrual",
          fact: "years",
          bands: [
            { from: 0, to: 5, rate: 1 },
            { from: 5, to: 10, rate: 2 },
            { from: 10, rate: 3 },
          ],
        }),
        item("quarter", { kind: "accrual", fact: "area", bands: [{ from: 0, rate: 0.1 }] }),
      ],
    });
    expect(pointsOf(await score(doc, { years: 12.9, area: 3 }))).toEqual({ marginal: 5 + 10 + 6, quarter: 0.3 });
    expect(pointsOf(await score(doc, { years: 4, area: 7 }))).toEqual({ marginal: 4, quarter: 0.7 });
  });

  it("perRecord: lookback, onceBy at the largest magnitude, perUnit, groupCap per year", async () => {
    const doc = makeDocument({
      facts,
      items: [
        item(
          "each",
          { kind: "perRecord", records: "fines", within: { dateField: "date", years: 3 }, points: -10, onceBy: "act" },
          { category: "deduction" },
        ),
        item(
          "sentence",
          { kind: "perRecord", records: "fines", perUnit: { field: "months", rate: -50 }, where: { fact: "severity", operator: "greaterThan", value: 1 } },
          { category: "deduction" },
        ),
        item(
          "yearly",
          { kind: "perRecord", records: "fines", points: -4, groupCap: { by: "date", byYear: true, cap: 6 } },
          { category: "deduction" },
        ),
      ],
    });
    const fines = [
      { date: "2022-06-30", act: "x" },
      { date: "2023-01-01", act: "a", months: 2, severity: 2 },
      { date: "2023-05-01", act: "a" },
      { date: "2024-01-01", act: "b", months: 3 },
      { date: "2025-07-01", act: "c" },
    ];
    const sheet = await score(doc, { fines });
    // each: 2022-06-30 is outside the 3-year window, 2025-07-01 is after the date; act "a" counts once.
    // sentence: only severity > 1 → 2 × −50; yearly: 2023 has two (−8 → −6), 2022/2024/2025 one each (−4).
    expect(pointsOf(sheet)).toEqual({ each: -20, sentence: -100, yearly: -4 - 6 - 4 - 4 });
    const records = sheet.items[0].explanation.records ?? [];
    expect(records.map((record) => [record.index, record.counted, record.reason])).toEqual([
      [0, false, "within"],
      [1, true, undefined],
      [2, false, "onceBy"],
      [3, true, undefined],
      [4, false, "within"],
    ]);
  });
});

describe("vesting, caps, applicability", () => {
  const doc = makeDocument({
    facts,
    programs: [
      { id: "main", kind: "settlement", label: text("Main"), allocation: { kind: "threshold", threshold: 1 } },
      { id: "school", kind: "school", label: text("School"), allocation: { kind: "threshold", threshold: 1 }, total: { cap: 15 } },
    ],
    items: [
      item("vested", { kind: "accrual", fact: "years", bands: [{ from: 0, rate: 4 }] }, { vesting: { fact: "years", atLeast: 5 } }),
      item("capped", { kind: "accrual", fact: "area", bands: [{ from: 0, rate: 1 }] }, { cap: 20 }),
      item("deduct", { kind: "fixed", points: -30 }, { category: "deduction", cap: 25, programs: ["main"] }),
    ],
  });
  it("an item counts only once vested, and its explanation says so", async () => {
    const early = await score(doc, { years: 4, area: 0 });
    expect(early.items[0]).toMatchObject({ points: 0, explanation: { vesting: { vested: false, value: 4, atLeast: 5 } } });
    expect((await score(doc, { years: 5, area: 0 })).items[0].points).toBe(20);
  });
  it("item caps bound the magnitude, for deductions too", async () => {
    const sheet = await score(doc, { years: 0, area: 35 });
    expect(sheet.items[1]).toMatchObject({ points: 20, explanation: { cappedFrom: 35 } });
    expect(sheet.items[2]).toMatchObject({ points: -25, explanation: { cappedFrom: -30 } });
  });
  it("items not for the program score 0 as not applicable; a program's total rule overrides", async () => {
    const sheet = await score(doc, { years: 6, area: 10 }, "2025-06-30", "school");
    expect(sheet.items[2]).toMatchObject({ points: 0, explanation: { notApplicable: true } });
    expect(sheet.total).toBe(15);
    expect(sheet.adjustments).toEqual([{ kind: "totalCap", points: -19 }]);
  });
});

describe("groups, category caps and the total floor", () => {
  const doc = makeDocument({
    facts,
    categories: [
      { id: "base", kind: "base", label: text("Base"), cap: 100 },
      { id: "deduction", kind: "deduction", label: text("Deductions") },
    ],
    items: [
      item("education", { kind: "fixed", points: 60 }, { when: { fact: "level", operator: "atLeastLevel", value: "mid" } }),
      item("title", { kind: "fixed", points: 60 }, { when: { fact: "level", operator: "equal", value: "high" } }),
      item("rent", { kind: "accrual", fact: "years", bands: [{ from: 0, rate: 10 }] }),
      item("own", { kind: "accrual", fact: "area", bands: [{ from: 0, rate: 1 }] }),
      item("penalty", { kind: "accrual", fact: "fineCount", bands: [{ from: 0, rate: -100 }] }, { category: "deduction" }),
    ],
    groups: [
      { id: "oneOf", label: text("One of"), mode: "highestOnly", members: ["education", "title"] },
      { id: "housing", label: text("Housing"), mode: "cap", members: ["rent", "own"], cap: 50 },
    ],
    total: { floor: 0 },
  });
  it("choose-one: on equal points the first member listed wins and the other says so", async () => {
    const sheet = await score(doc, { level: "high", years: 0, area: 0 });
    expect(pointsOf(sheet)).toMatchObject({ education: 60, title: 0 });
    expect(sheet.items[1].explanation.supersededBy).toEqual({ group: "oneOf", item: "education", forgone: 60 });
  });
  it("a cap group's excess is an adjustment of its category; a category cap another adjustment", async () => {
    const sheet = await score(doc, { level: "high", years: 4, area: 30 });
    expect(pointsOf(sheet)).toMatchObject({ rent: 40, own: 30 });
    expect(sheet.adjustments).toEqual([
      { kind: "groupCap", id: "housing", category: "base", points: -20 },
      { kind: "categoryCap", id: "base", category: "base", points: -10 },
    ]);
    expect(sheet.categories.base).toBe(100);
    expect(sheet.total).toBe(100);
  });
  it("the floor raises a negative total to 0 with an adjustment, so items + adjustments = total", async () => {
    const sheet = await score(doc, { level: "low", years: 1, area: 0, fineCount: 2 });
    expect(sheet.total).toBe(0);
    const itemSum = sheet.items.reduce((sum, outcome) => sum + outcome.points, 0);
    const adjustmentSum = sheet.adjustments.reduce((sum, adjustment) => sum + adjustment.points, 0);
    expect(itemSum + adjustmentSum).toBe(sheet.total);
    expect(sheet.adjustments.at(-1)).toEqual({ kind: "totalFloor", points: 190 });
  });
});

describe("gates and vetoes", () => {
  const doc = makeDocument({
    facts: [...facts, { id: "permit", type: "boolean", label: text("Permit"), default: false }],
    items: [item("f", { kind: "fixed", points: 10 })],
    gates: [
      { id: "permit", label: text("Permit"), reason: text("Needs a permit"), condition: { fact: "permit", operator: "equal", value: true } },
      { id: "school", label: text("x"), reason: text("x"), programs: ["other"], condition: { fact: "never", operator: "equal", value: 1 } },
    ],
    vetoes: [{ id: "crime", label: text("Crime"), reason: text("Crime"), condition: { fact: "crime", operator: "equal", value: true } }],
  });
  it("a failing gate makes the applicant ineligible with its reason; gates of other programs do not apply", async () => {
    const sheet = await score(doc, {});
    expect(sheet.eligible).toBe(false);
    expect(sheet.gates).toHaveLength(1);
    expect(sheet.gates[0]).toMatchObject({ id: "permit", passed: false, reason: text("Needs a permit") });
    expect(sheet.gates[0].trace).toMatchObject({ fact: "permit", factValue: false, result: false });
  });
  it("a veto removes the applicant whatever the points", async () => {
    const sheet = await score(doc, { permit: true, crime: true });
    expect(sheet).toMatchObject({ eligible: false, vetoed: true, total: 10 });
    expect((await score(doc, { permit: true })).eligible).toBe(true);
  });
});

describe("errors", () => {
  it("an unknown program is refused by both paths", async () => {
    const doc = makeDocument({ items: [] });
    await expect(scoreApplicant(doc, {}, "nope", "2025-01-01")).rejects.toMatchObject({ code: "engine.unknownProgram" });
    expect(() => compileProgram(doc, "nope")).toThrow(/Unknown program/);
  });
  it("an invalid evaluation date is refused", async () => {
    const doc = makeDocument({ items: [] });
    await expect(scoreApplicant(doc, {}, "main", "2025-13-01")).rejects.toThrow(/evaluation date/);
    expect(() => compileProgram(doc, "main").score({}, "yesterday")).toThrow(/evaluation date/);
  });
});

describe("the engine fixture", () => {
  it("explains every figure of the graduate-engineer case", async () => {
    const doc = JSON.parse(readFileSync(new URL("../../test/fixtures/engine/shanghai-like.json", import.meta.url), "utf8"));
    const sheet = await score(doc, doc.testCases[0].facts, "2025-06-30", "residence");
    expect(sheet.derived).toEqual({ age: 35, insuranceYears: 9, publicServiceYears: 6, marriageYears: 7 });
    expect(sheet.items.find((outcome) => outcome.id === "shortageMajor")?.explanation.when).toEqual({
      fact: "major",
      operator: "in",
      value: { fact: "list:shortageMajors" },
      factValue: "ic-design",
      result: true,
    });
  });
});
