/** Issue 20, persons (decision 028): what the validator says about persons, candidates and persons' facts. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validateDocument } from "../../../rules-schema/validate";
import { applicationFacts } from "../../../rules-schema/persons";
import type { StandardDocument } from "../../../rules-schema/types";

const suzhou = (): StandardDocument =>
  JSON.parse(readFileSync(new URL("../../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;

const problemsOf = (doc: StandardDocument) => validateDocument(doc).problems.map((p) => ({ code: p.code, path: p.path }));

describe("persons in a document", () => {
  it("accepts Suzhou 2015 with the spouse, and lists the spouse's facts as spouse.<fact> in both languages", () => {
    const doc = suzhou();
    expect(validateDocument(doc).problems).toEqual([]);
    const spouseBirth = applicationFacts(doc).find((fact) => fact.id === "spouse.birthDate");
    expect(spouseBirth).toMatchObject({ type: "date", label: { zh: "配偶 出生日期", en: "Spouse: date of birth" } });
    expect(spouseBirth).not.toHaveProperty("perPerson");
    // Facts of the application (the school applied for) are not repeated per person.
    expect(applicationFacts(doc).some((fact) => fact.id === "spouse.schoolId")).toBe(false);
  });

  it("gives a document without persons exactly its own facts", () => {
    const doc = suzhou();
    delete doc.persons;
    expect(applicationFacts(doc)).toBe(doc.facts);
  });

  it("refuses a candidate who is not a declared person, and one listed twice", () => {
    const doc = suzhou();
    doc.programs[1].persons = { candidates: ["applicant", "father", "applicant"], choose: "highest" };
    expect(problemsOf(doc)).toEqual(
      expect.arrayContaining([
        { code: "persons.unknownPerson", path: "/programs/1/persons/candidates/1" },
        { code: "persons.duplicateCandidate", path: "/programs/1/persons/candidates/2" },
      ]),
    );
  });

  it("refuses an item counted once per household that reads a fact each person has (directly or derived)", () => {
    const doc = suzhou();
    const residence = doc.items.findIndex((item) => item.id === "residence");
    doc.items[residence].person = "household";
    const found = validateDocument(doc).problems.find((p) => p.code === "persons.householdReadsPerson");
    expect(found).toMatchObject({ path: `/items/${residence}/person`, params: { item: "residence", fact: "residenceRegistrationDate" } });
    expect(found?.message.zh).toContain("每户计一次");
  });

  it("refuses the other candidate's total as a rank key where the program scores one person", () => {
    const doc = suzhou();
    const settlement = doc.programs[0];
    if (settlement.allocation.kind !== "quota") throw new Error("quota expected");
    settlement.allocation.tieBreak.unshift({ key: "otherCandidate", order: "desc" });
    expect(problemsOf(doc)).toContainEqual({ code: "persons.otherCandidateWithoutPersons", path: "/programs/0/allocation/tieBreak/0/key" });
  });

  it("checks a person's facts in test cases like the applicant's, and refuses an undeclared person's", () => {
    const doc = suzhou();
    const facts = doc.testCases![0].facts;
    facts["spouse.birthDate"] = 1988;
    facts["father.birthDate"] = "1960-01-01";
    expect(problemsOf(doc)).toEqual(
      expect.arrayContaining([
        { code: "testCase.factValue", path: "/testCases/0/facts/spouse.birthDate" },
        { code: "testCase.unknownFact", path: "/testCases/0/facts/father.birthDate" },
      ]),
    );
  });

  it("refuses persons and candidates of the wrong shape with the schema's located errors", () => {
    const doc = suzhou() as unknown as Record<string, unknown>;
    (doc.persons as unknown[]).push({ id: "1bad", label: { zh: "x" } });
    ((doc.programs as Array<Record<string, unknown>>)[1].persons as Record<string, unknown>).choose = "lowest";
    const codes = problemsOf(doc as unknown as StandardDocument);
    expect(codes).toEqual(
      expect.arrayContaining([
        { code: "schema.pattern", path: "/persons/1/id" },
        { code: "schema.required", path: "/persons/1/label/en" },
        { code: "schema.const", path: "/programs/1/persons/choose" },
      ]),
    );
  });
});
