import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { diffDocuments } from "./document-diff";

const suzhou = JSON.parse(
  readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8"),
) as StandardDocument;

const entry = (diff: ReturnType<typeof diffDocuments>, section: string, id: string) =>
  diff.entries.find((e) => e.section === section && e.id === id)!;

describe("diffDocuments", () => {
  it("finds nothing between a document and its copy", () => {
    const diff = diffDocuments(suzhou, structuredClone(suzhou));
    expect(diff.header).toEqual([]);
    expect(diff.entries.every((e) => e.status === "unchanged")).toBe(true);
    expect(diff.counts.unchanged).toBe(diff.entries.length);
    expect(diff.entries.filter((e) => e.section === "items")).toHaveLength(suzhou.items.length);
  });

  it("reports a changed tier by id with the field's pointer, before and after", () => {
    const candidate = structuredClone(suzhou);
    const index = candidate.items.findIndex((i) => i.scoring.kind === "tiers");
    const item = candidate.items[index];
    if (item.scoring.kind !== "tiers") throw new Error("fixture has a tiered item");
    const tierIndex = item.scoring.tiers.length - 1;
    const tier = item.scoring.tiers[tierIndex];
    const before = tier.points;
    tier.points = before + 10;
    const diff = diffDocuments(suzhou, candidate);
    const itemDiff = entry(diff, "items", item.id);
    expect(itemDiff.status).toBe("modified");
    expect(itemDiff.pointer).toBe(`/items/${index}`);
    expect(itemDiff.changes).toEqual([{ path: `/scoring/tiers/${tierIndex}/points`, before, after: before + 10 }]);
    expect(itemDiff.children).toEqual([
      { path: `/scoring/tiers/${tierIndex}`, id: tier.id, status: "modified", changes: [{ path: "/points", before, after: before + 10 }] },
    ]);
    expect(diff.counts.modified).toBe(1);
  });

  it("tells added, removed and moved entries apart, and does not call shifted entries moved", () => {
    const candidate = structuredClone(suzhou);
    const removedGate = candidate.gates!.shift()!;
    candidate.facts.unshift({ id: "newFact", type: "boolean", label: { zh: "新", en: "new" } });
    const [first, second] = [candidate.items[0], candidate.items[1]];
    candidate.items[0] = second;
    candidate.items[1] = first;
    candidate.version = "2016";
    const diff = diffDocuments(suzhou, candidate);
    expect(entry(diff, "facts", "newFact").status).toBe("added");
    expect(entry(diff, "facts", suzhou.facts[0].id).status).toBe("unchanged");
    expect(entry(diff, "gates", removedGate.id)).toMatchObject({ status: "removed", pointer: "/gates/0" });
    expect(entry(diff, "gates", suzhou.gates![1].id).status).toBe("unchanged");
    const moved = diff.entries.filter((e) => e.section === "items" && e.status === "moved");
    expect(moved).toHaveLength(1);
    expect([first.id, second.id]).toContain(moved[0].id);
    expect(diff.header).toEqual([{ path: "/version", before: suzhou.version, after: "2016" }]);
  });

  it("marks a condition change with the whole condition's pointer", () => {
    const candidate = structuredClone(suzhou);
    const veto = candidate.vetoes![0];
    veto.condition = { fact: "fraudFindingsWithin5Years", operator: "greaterThan", value: 1 };
    const diff = diffDocuments(suzhou, candidate);
    const vetoDiff = entry(diff, "vetoes", veto.id);
    expect(vetoDiff.status).toBe("modified");
    expect(vetoDiff.changes.map((c) => c.path)).toEqual(["/condition/value"]);
  });

  it("diffs programs and ranking cases too", () => {
    const candidate = structuredClone(suzhou);
    const school = candidate.programs.find((p) => p.id === "school")!;
    if (school.allocation.kind === "quota") school.allocation.tiePolicy = "lottery";
    candidate.rankingCases = candidate.rankingCases!.slice(1);
    const diff = diffDocuments(suzhou, candidate);
    expect(entry(diff, "programs", "school").changes).toEqual([{ path: "/allocation/tiePolicy", before: "admitAll", after: "lottery" }]);
    expect(entry(diff, "rankingCases", suzhou.rankingCases![0].id).status).toBe("removed");
  });

  it("reports a new person, a program's candidates and a fact becoming per person (issue 20, decision 028)", () => {
    const baseline = structuredClone(suzhou);
    delete baseline.persons;
    const school = baseline.programs.findIndex((p) => p.id === "school");
    delete baseline.programs[school].persons;
    const educationIndex = baseline.facts.findIndex((f) => f.id === "educationLevel");
    delete baseline.facts[educationIndex].perPerson;
    const diff = diffDocuments(baseline, suzhou);
    expect(diff.header).toContainEqual({ path: "/persons", after: suzhou.persons });
    expect(entry(diff, "programs", "school").changes).toContainEqual({ path: "/persons", after: { candidates: ["applicant", "spouse"], choose: "highest" } });
    expect(entry(diff, "facts", "educationLevel").changes).toEqual([{ path: "/perPerson", after: true }]);
  });
});
