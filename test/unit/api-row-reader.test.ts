/**
 * The table form's row reader (app/api/facts-check.ts): per layout of columns, `fits(row)` says whether every cell is
 * null or fits its fact with nothing left to check field by field, and `facts(row)` builds the applicant's facts with
 * a null cell as a fact not given. No database: the dictionary comes from an example standard.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { checkValue, factDictionary, rowReader } from "../../app/api/facts-check";
import type { ApiProblem } from "../../app/api/errors.server";

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
const dictionary = factDictionary(suzhou);

// The applicant id is the cell that is not a fact: undefined in the layout the reader is given.
const layout = [undefined, "birthDate", "educationLevel", "socialInsuranceActive", "socialInsuranceMonths", "perCapitaHousingAreaM2", "schoolId", "homes", "fraudFindings"];
const reader = rowReader(dictionary, layout);
const fitting: unknown[] = ["A1", "1985-03-02", "bachelor", true, 36, 12.5, "s10", [], []];

/** The row with cell `j` (by fact id) replaced. */
function withCell(factId: string, value: unknown): unknown[] {
  const row = [...fitting];
  row[layout.indexOf(factId)] = value;
  return row;
}

describe("rowReader: fits", () => {
  it("accepts a row whose every cell fits its fact, with empty records lists", () => {
    expect(reader.fits(fitting)).toBe(true);
  });

  it("accepts null cells (facts not given), even a whole row of them", () => {
    expect(reader.fits(withCell("educationLevel", null))).toBe(true);
    expect(reader.fits(withCell("homes", null))).toBe(true);
    expect(reader.fits(["A2", null, null, null, null, null, null, null, null])).toBe(true);
  });

  it("does not look at the id cell", () => {
    expect(reader.fits(["", ...fitting.slice(1)])).toBe(true);
    expect(reader.fits([42, ...fitting.slice(1)])).toBe(true);
  });

  it("refuses a cell of the wrong type", () => {
    expect(reader.fits(withCell("socialInsuranceMonths", "36"))).toBe(false);
    expect(reader.fits(withCell("socialInsuranceMonths", 36.5))).toBe(false);
    expect(reader.fits(withCell("socialInsuranceActive", "true"))).toBe(false);
    expect(reader.fits(withCell("schoolId", 10))).toBe(false);
    expect(reader.fits(withCell("perCapitaHousingAreaM2", Number.NaN))).toBe(false);
    expect(reader.fits(withCell("homes", {}))).toBe(false);
  });

  it("refuses a number out of the fact's bounds", () => {
    // socialInsuranceMonths and perCapitaHousingAreaM2 have minimum 0 in the example.
    expect(reader.fits(withCell("socialInsuranceMonths", -1))).toBe(false);
    expect(reader.fits(withCell("socialInsuranceMonths", 0))).toBe(true);
    expect(reader.fits(withCell("perCapitaHousingAreaM2", -0.01))).toBe(false);
  });

  it("refuses an enum value the fact does not declare", () => {
    expect(reader.fits(withCell("educationLevel", "Bachelor"))).toBe(false);
    expect(reader.fits(withCell("educationLevel", "phd"))).toBe(false);
  });

  it("refuses a date that is not YYYY-MM-DD", () => {
    expect(reader.fits(withCell("birthDate", "1985/03/02"))).toBe(false);
    expect(reader.fits(withCell("birthDate", "1985-13-02"))).toBe(false);
    expect(reader.fits(withCell("birthDate", 19850302))).toBe(false);
  });

  it("sends a non-empty records list to the cell-by-cell check, which accepts a fitting one", () => {
    const homes = [{ areaM2: 80, owner: "self", inUrbanDistrict: true }];
    const row = withCell("homes", homes);
    expect(reader.fits(row)).toBe(false);
    const problems: ApiProblem[] = [];
    const j = layout.indexOf("homes");
    checkValue(dictionary.checks.get("homes")!, row[j], "/rows/0", j, problems, 50);
    expect(problems).toEqual([]);
  });

  it("checks the bounds of a fact with both a minimum and a maximum", () => {
    const doc = {
      facts: [
        { id: "score", type: "number", label: { zh: "分数", en: "Score" }, minimum: 0, maximum: 100 },
        { id: "children", type: "integer", label: { zh: "子女数", en: "Children" }, minimum: 0, maximum: 9 },
      ],
      derived: [],
    } as unknown as StandardDocument;
    const bounded = rowReader(factDictionary(doc), ["score", undefined, "children"]);
    expect(bounded.fits([0, "x", 0])).toBe(true);
    expect(bounded.fits([100, "x", 9])).toBe(true);
    expect(bounded.fits([100.5, "x", 9])).toBe(false);
    expect(bounded.fits([-0.5, "x", 9])).toBe(false);
    expect(bounded.fits([50, "x", 10])).toBe(false);
    expect(bounded.fits([50, "x", -1])).toBe(false);
    expect(bounded.fits([null, "x", null])).toBe(true);
  });
});

describe("rowReader: facts", () => {
  it("gives the facts by id, without the id cell", () => {
    const facts = reader.facts(fitting);
    expect(facts).toEqual({
      birthDate: "1985-03-02",
      educationLevel: "bachelor",
      socialInsuranceActive: true,
      socialInsuranceMonths: 36,
      perCapitaHousingAreaM2: 12.5,
      schoolId: "s10",
      homes: [],
      fraudFindings: [],
    });
    expect(Object.keys(facts)).not.toContain("id");
    expect(Object.values(facts)).not.toContain("A1");
  });

  it("turns a null cell into a fact not given (undefined), leaving false and 0 as they are", () => {
    const facts = reader.facts(["A2", null, null, false, 0, null, null, null, []]);
    expect(facts.birthDate).toBeUndefined();
    expect(facts.educationLevel).toBeUndefined();
    expect(facts.homes).toBeUndefined();
    expect(facts.socialInsuranceActive).toBe(false);
    expect(facts.socialInsuranceMonths).toBe(0);
    expect(facts.fraudFindings).toEqual([]);
    expect(JSON.parse(JSON.stringify(facts))).toEqual({ socialInsuranceActive: false, socialInsuranceMonths: 0, fraudFindings: [] });
  });

  it("reads any order of columns, and the same layout gives the same reader", () => {
    const reversed = rowReader(dictionary, ["schoolId", "birthDate", undefined]);
    expect(reversed.facts(["s3", "2001-09-30", "B7"])).toEqual({ schoolId: "s3", birthDate: "2001-09-30" });
    expect(rowReader(dictionary, [...layout])).toBe(reader);
  });
});
