/**
 * The drafting aids' knowledge of a document (issue 25): where ids are defined and referred to, the outline by label
 * with points at a glance, renaming an id everywhere (test cases included), on the real example standards.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { indexDocument, renameEdits, spanOfPointer, type TextEditSpan } from "../../app/features/editor/document-index";
import { buildOutline, entryAtOffset, entryForPointer, pointsAtAGlance, problemsByEntry } from "../../app/features/editor/outline";
import { validateDocumentText } from "../../rules-schema/validate";

const suzhou = readFileSync("rules-schema/examples/suzhou-2020.json", "utf8");
const examples = ["suzhou-2015", "suzhou-2020", "shanghai-2015", "hangzhou-2018"].map((name) => readFileSync(`rules-schema/examples/${name}.json`, "utf8"));

function apply(text: string, edits: TextEditSpan[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, edit.offset) + edit.text + out.slice(edit.offset + edit.length);
  return out;
}

describe("the document index", () => {
  it("finds each definition with its label and the exact characters of its id", () => {
    const index = indexDocument(suzhou);
    const education = index.definitionOf("item", "education")!;
    expect(education.pointer).toBe("/items/0");
    expect(education.label).toEqual({ zh: "文化程度", en: "education" });
    expect(suzhou.slice(education.idSpan.offset, education.idSpan.offset + education.idSpan.length)).toBe("education");
    expect(index.definitionOf("fact", "age")?.entry).toBe("derived");
    expect(index.definitions.filter((d) => d.entry === "tier").map((d) => d.id)).toContain("bachelor");
  });

  it("finds references to facts in conditions, to categories, programs, and in test cases' facts and expectations", () => {
    const index = indexDocument(suzhou);
    const level = index.referencesTo("fact", "educationLevel");
    expect(level.some((r) => r.pointer === "/items/0/scoring/tiers/0/when/fact")).toBe(true);
    expect(level.some((r) => r.asKey && r.pointer.startsWith("/testCases/"))).toBe(true);
    for (const r of level) expect(suzhou.slice(r.span.offset, r.span.offset + r.span.length)).toBe("educationLevel");
    expect(index.referencesTo("category", "base").some((r) => r.pointer === "/items/0/category")).toBe(true);
    expect(index.referencesTo("category", "base").some((r) => r.pointer.endsWith("/tieBreak/0/id"))).toBe(true);
    expect(index.referencesTo("program", "settlement").some((r) => r.pointer.startsWith("/testCases/"))).toBe(true);
    expect(index.referencesTo("item", "education").some((r) => r.asKey && r.pointer.includes("/expect/items/"))).toBe(true);
  });

  it("does not take a records condition's fields for the document's facts", () => {
    const index = indexDocument(suzhou);
    const fields = index.references.filter((r) => r.pointer.includes("/where/"));
    expect(fields).toEqual([]);
  });

  it("every reference in the examples names an id the document defines (the examples validate)", () => {
    for (const text of examples) {
      const index = indexDocument(text);
      const dangling = index.references.filter((r) => !index.definitionOf(r.kind, r.id));
      expect(dangling.map((r) => `${r.kind}:${r.id} at ${r.pointer}`)).toEqual([]);
    }
  });

  it("tells what is under an offset: a reference or a definition's id", () => {
    const index = indexDocument(suzhou);
    const ref = index.referencesTo("fact", "educationLevel")[0];
    expect(index.symbolAt(ref.span.offset + 2)).toMatchObject({ kind: "fact", id: "educationLevel" });
    const def = index.definitionOf("program", "settlement")!;
    expect(index.symbolAt(def.idSpan.offset)).toMatchObject({ kind: "program", id: "settlement" });
    expect(index.symbolAt(0)).toBeUndefined();
  });

  it("indexes a half-typed document without throwing", () => {
    const cut = suzhou.slice(0, Math.floor(suzhou.length / 2));
    const index = indexDocument(cut);
    expect(index.definitionOf("item", "education")).toBeDefined();
    expect(indexDocument("").definitions).toEqual([]);
    expect(indexDocument("{ nonsense").references).toEqual([]);
  });
});

describe("renaming an id", () => {
  it("renames a fact everywhere, test cases included, and the document still validates", () => {
    const index = indexDocument(suzhou);
    const def = index.definitionOf("fact", "educationLevel")!;
    const result = renameEdits(index, def.idSpan.offset + 1, "highestEducation");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const renamed = apply(suzhou, result.edits);
    expect(renamed).not.toContain('"educationLevel"');
    const doc = JSON.parse(renamed);
    expect(doc.testCases[0].facts.highestEducation).toBe("master");
    expect(doc.items[0].scoring.tiers[0].when.fact).toBe("highestEducation");
    expect(validateDocumentText(renamed).problems.filter((p) => p.severity === "error")).toEqual([]);
  });

  it("renames an item from a reference, its expectations in the test cases following", () => {
    const index = indexDocument(suzhou);
    const ref = index.referencesTo("item", "education").find((r) => r.asKey)!;
    const result = renameEdits(index, ref.span.offset, "schooling");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const doc = JSON.parse(apply(suzhou, result.edits));
    expect(doc.items[0].id).toBe("schooling");
    expect(doc.testCases.some((tc: { expect: { items?: Record<string, number> } }) => tc.expect.items && "schooling" in tc.expect.items)).toBe(true);
  });

  it("refuses an id that breaks the pattern or is taken", () => {
    const index = indexDocument(suzhou);
    const def = index.definitionOf("fact", "educationLevel")!;
    expect(renameEdits(index, def.idSpan.offset, "1bad")).toEqual({ ok: false, reason: "badId" });
    expect(renameEdits(index, def.idSpan.offset, "skillLevel")).toEqual({ ok: false, reason: "taken" });
    expect(renameEdits(index, 0, "x")).toEqual({ ok: false, reason: "noSymbol" });
  });
});

describe("the outline", () => {
  it("reads categories with their indicators and tiers, by label, with points at a glance", () => {
    const index = indexDocument(suzhou);
    const [categories, gates, vetoes, programs, cases] = buildOutline(index, "zh-CN");
    expect(categories.children.map((c) => c.id)).toEqual(["base", "bonus"]);
    const education = categories.children[0].children[0];
    expect(education).toMatchObject({ kind: "item", id: "education", points: "30–200分" });
    expect(education.children.map((t) => t.points)).toEqual(["30分", "60分", "100分", "200分"]);
    expect(gates.children.length).toBeGreaterThan(0);
    expect(vetoes.children.length).toBeGreaterThan(0);
    expect(programs.children.map((p) => p.id)).toContain("settlement");
    expect(cases.children.length).toBe(9);
    const [en] = buildOutline(index, "en");
    expect(en.children[0].children[0].points).toBe("30–200 pts");
  });

  it("says each scoring kind's points in a few words", () => {
    expect(pointsAtAGlance("zh-CN", { scoring: { kind: "fixed", points: 20 } })).toBe("20分");
    expect(pointsAtAGlance("en", { scoring: { kind: "fixed", points: -5 } })).toBe("−5 pts");
    expect(pointsAtAGlance("zh-CN", { scoring: { kind: "accrual", per: 12, bands: [{ from: 0, rate: 3 }] }, cap: 60 })).toBe("每12计3分，封顶60分");
    const months = () => "month";
    expect(pointsAtAGlance("zh-CN", { scoring: { kind: "accrual", fact: "m", per: 12, bands: [{ from: 0, rate: 5 }] } }, months)).toBe("每12个月计5分");
    expect(pointsAtAGlance("en", { scoring: { kind: "accrual", fact: "m", bands: [{ from: 0, rate: 5 }] } }, months)).toBe("5 pts per month");
    expect(pointsAtAGlance("en", { scoring: { kind: "perRecord", records: "x", points: 10 } })).toBe("10 pts each");
    expect(pointsAtAGlance("zh-CN", { scoring: { kind: "linear", basePoints: 10, pointsPerStep: -2 } })).toBe("10分，每步−2");
  });

  it("finds the entry under the cursor and the entry a problem belongs to", () => {
    const index = indexDocument(suzhou);
    const outline = buildOutline(index, "zh-CN");
    const bachelor = index.definitions.find((d) => d.entry === "tier" && d.id === "bachelor")!;
    expect(entryAtOffset(outline, bachelor.idSpan.offset)?.id).toBe("bachelor");
    expect(entryForPointer(outline, "/items/0/scoring/tiers/1/points")?.id).toBe("bachelor");
    expect(entryForPointer(outline, "/items/0/label/zh")?.id).toBe("education");
    const counts = problemsByEntry(outline, [
      { path: "/items/0/cap", severity: "error" },
      { path: "/items/0/label", severity: "warning" },
    ]);
    expect(counts.get("/items/0")).toEqual({ errors: 1, warnings: 1 });
  });

  it("spans a pointer from its key, or its nearest ancestor", () => {
    const index = indexDocument(suzhou);
    const span = spanOfPointer(index.tree, "/items/0/category")!;
    expect(suzhou.slice(span.offset, span.offset + 10)).toBe('"category"');
    const missing = spanOfPointer(index.tree, "/items/0/nothing/here")!;
    expect(suzhou.slice(missing.offset, missing.offset + 1)).toBe("{");
  });
});
