/**
 * Issue 20, adjustments on the total (decision 023): a percentage or multiplier with a condition, per document or
 * program, as a signed adjustment; every path agrees, and no item is written twice.
 */
import { describe, expect, it } from "vitest";
import type { FactDefinition, StandardDocument, TotalAdjustment } from "../../rules-schema/types";
import { validateDocument } from "../../rules-schema/validate";
import { makeDocument, text } from "../../test/fixtures/engine/builders";
import { scoreOnEveryPath } from "../../test/fixtures/engine/all-paths";

const DISTRICTS = ["gusu", "wuzhong", "xiangcheng", "sip", "snd", "wujiang"];
const facts: FactDefinition[] = [
  { id: "district", type: "enum", label: text("District"), values: DISTRICTS.map((value) => ({ value, label: text(value) })) },
  { id: "years", type: "integer", label: text("Years"), default: 0 },
  { id: "fined", type: "boolean", label: text("Fined"), default: false },
];
const outsideFive: TotalAdjustment = {
  id: "outside_five",
  label: { zh: "五个区以外的申请人", en: "applicants outside the five districts" },
  when: { fact: "district", operator: "notIn", value: DISTRICTS.slice(0, 5) },
  percent: 30,
};

/** 10 per year (base) and −15 when fined; the total's rule as given. */
function standard(total: StandardDocument["total"], programTotal?: StandardDocument["total"]): StandardDocument {
  return makeDocument({
    formatVersion: "1.1",
    facts,
    items: [
      { id: "residence", category: "base", label: text("Residence"), scoring: { kind: "accrual", fact: "years", bands: [{ from: 0, rate: 10 }] } },
      { id: "fine", category: "deduction", label: text("Fine"), when: { fact: "fined", operator: "equal", value: true }, scoring: { kind: "fixed", points: -15 } },
    ],
    ...(total ? { total } : {}),
    programs: [
      { id: "main", kind: "settlement", label: text("Main"), allocation: { kind: "threshold", threshold: 100 } },
      { id: "school", kind: "school", label: text("School"), allocation: { kind: "threshold", threshold: 100 }, ...(programTotal ? { total: programTotal } : {}) },
    ],
  });
}

describe("a percentage of the total with a condition", () => {
  const doc = standard({ adjustments: [outsideFive] });
  it("adds 30% of the total for an applicant outside the five districts, shown as a signed adjustment", async () => {
    const sheet = await scoreOnEveryPath(doc, { district: "wujiang", years: 7, fined: true }, "2020-06-30");
    expect(sheet.adjustments).toEqual([{ kind: "totalAdjustment", id: "outside_five", points: 16.5 }]);
    expect(sheet.total).toBe(71.5);
    expect(sheet.items.reduce((sum, item) => sum + item.points, 0) + 16.5).toBe(sheet.total);
  });
  it("leaves the total alone inside the five districts", async () => {
    const sheet = await scoreOnEveryPath(doc, { district: "gusu", years: 7, fined: true }, "2020-06-30");
    expect(sheet.adjustments).toEqual([]);
    expect(sheet.total).toBe(55);
  });
  it("needs no copied item: the document has its two items only", () => {
    expect(doc.items.map((item) => item.id)).toEqual(["residence", "fine"]);
    expect(validateDocument(doc).problems).toEqual([]);
  });
});

describe("multipliers, several adjustments, floors and caps, programs", () => {
  it("a multiplier, and two adjustments each of the total before either", async () => {
    const doc = standard({ adjustments: [{ id: "double", label: text("Double"), multiplier: 2 }, { ...outsideFive, percent: -10 }] });
    const sheet = await scoreOnEveryPath(doc, { district: "wujiang", years: 5 }, "2020-06-30");
    expect(sheet.adjustments).toEqual([
      { kind: "totalAdjustment", id: "double", points: 50 },
      { kind: "totalAdjustment", id: "outside_five", points: -5 },
    ]);
    expect(sheet.total).toBe(95);
  });
  it("applies before the total's cap, which then shows as its own adjustment", async () => {
    const doc = standard({ adjustments: [outsideFive], cap: 60 });
    const sheet = await scoreOnEveryPath(doc, { district: "wujiang", years: 5 }, "2020-06-30");
    expect(sheet.adjustments).toEqual([
      { kind: "totalAdjustment", id: "outside_five", points: 15 },
      { kind: "totalCap", points: -5 },
    ]);
    expect(sheet.total).toBe(60);
  });
  it("a program's own total rule replaces the document's", async () => {
    const doc = standard({ adjustments: [outsideFive] }, { adjustments: [] });
    expect((await scoreOnEveryPath(doc, { district: "wujiang", years: 5 }, "2020-06-30", "main")).total).toBe(65);
    expect((await scoreOnEveryPath(doc, { district: "wujiang", years: 5 }, "2020-06-30", "school")).total).toBe(50);
  });
  it("the validator wants exactly one of percent and multiplier, and checks the condition", () => {
    const doc = standard({ adjustments: [{ id: "both", label: text("Both"), percent: 5, multiplier: 1.1, when: { fact: "distrct", operator: "equal", value: "gusu" } }] });
    expect(validateDocument(doc).problems.map((p) => [p.code, p.path])).toEqual([
      ["adjustment.oneRate", "/total/adjustments/0"],
      ["ref.unknownFact", "/total/adjustments/0/when/fact"],
    ]);
  });
});
