/**
 * Snippets and quick edits (issue 25, parts 5 and 6): every snippet, with its blanks left at their defaults, makes a
 * document that still parses and validates against the schema where it is inserted; a quick edit writes a figure in
 * place and refuses what is not a number.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { indexDocument } from "../../app/features/editor/document-index";
import { insertionFor, snippetText, SNIPPET_KINDS, type SnippetKind } from "../../app/features/editor/snippets";
import { quickEditEdits, quickEditTarget } from "../../app/features/editor/quick-edit";
import { validateDocumentText } from "../../rules-schema/validate";

const suzhou = readFileSync("rules-schema/examples/suzhou-2020.json", "utf8");

/** A snippet as Monaco leaves it when every blank keeps its default (the first choice of a choice). */
function withDefaults(snippet: string): string {
  let out = "";
  for (let i = 0; i < snippet.length; i++) {
    const c = snippet[i];
    if (c === "\\" && i + 1 < snippet.length && "\\$}".includes(snippet[i + 1])) {
      out += snippet[++i];
      continue;
    }
    if (c === "$" && snippet[i + 1] === "{") {
      const end = snippet.indexOf("}", i);
      const body = snippet.slice(i + 2, end);
      const choice = /^\d+\|([^|]*)\|$/.exec(body);
      out += choice ? choice[1].split(",")[0] : body.replace(/^\d+:?/, "");
      i = end;
      continue;
    }
    if (c === "$" && /\d/.test(snippet[i + 1] ?? "")) {
      while (/\d/.test(snippet[i + 1] ?? "")) i++;
      continue;
    }
    out += c;
  }
  return out;
}

function insert(text: string, kind: SnippetKind, cursorPointer?: string, tried?: Parameters<typeof snippetText>[3]): string {
  const index = indexDocument(text);
  const at = insertionFor(kind, index, cursorPointer)!;
  expect(at).toBeDefined();
  return text.slice(0, at.offset) + at.before + withDefaults(snippetText(kind, index, "zh-CN", tried)) + at.after + text.slice(at.offset);
}

describe("snippets", () => {
  for (const kind of SNIPPET_KINDS) {
    it(`${kind}: inserted with its defaults, the document parses and has no schema error`, () => {
      const text = insert(suzhou, kind, "/items/0/scoring/tiers/0");
      const result = validateDocumentText(text);
      expect(result.problems.filter((p) => p.code.startsWith("json.") || p.code.startsWith("schema."))).toEqual([]);
    });
  }

  it("puts a new indicator at the end of the items, with a fresh id and the document's categories to choose from", () => {
    const index = indexDocument(suzhou);
    expect(snippetText("item-tiers", index, "zh-CN")).toContain("${2|base,bonus|}");
    const doc = JSON.parse(insert(suzhou, "item-bands"));
    expect(doc.items.at(-1).id).toBe("new_bands");
    expect(doc.items.at(-1).scoring.kind).toBe("bands");
  });

  it("puts a tier into the indicator under the cursor, and nowhere when that indicator has no tiers", () => {
    const doc = JSON.parse(insert(suzhou, "tier", "/items/0/scoring/tiers/2"));
    expect(doc.items[0].scoring.tiers.at(-1).id).toBe("new_tier");
    expect(insertionFor("tier", indexDocument(suzhou), "/items/6")).toBeUndefined();
    expect(insertionFor("tier", indexDocument(suzhou), undefined)).toBeUndefined();
  });

  it("fills a test case from the last applicant tried, and adds the section when the document has none", () => {
    const tried = { program: "settlement", date: "2021-05-15", facts: { educationLevel: "master", note: "a $ and a }" }, expect: { total: 120, items: { education: 100 } } };
    const doc = JSON.parse(insert(suzhou, "testCase", undefined, tried));
    expect(doc.testCases.at(-1)).toMatchObject({ id: "tc_new", program: "settlement", date: "2021-05-15", facts: tried.facts, expect: tried.expect });
    const bare = JSON.parse(suzhou);
    delete bare.vetoes;
    const withVeto = JSON.parse(insert(JSON.stringify(bare, null, 2), "veto"));
    expect(withVeto.vetoes).toHaveLength(1);
  });
});

describe("quick edits", () => {
  it("offers a tier's points, a band's bounds and an indicator's cap, and writes a figure in place", () => {
    const index = indexDocument(suzhou);
    const tier = quickEditTarget(index, "/items/0/scoring/tiers/1")!;
    expect(tier.fields).toEqual([{ name: "points", pointer: "/items/0/scoring/tiers/1/points", value: 60, required: true }]);
    const result = quickEditEdits(index, "/items/0/scoring/tiers/1/points", "80", true, "points");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    let text = suzhou;
    for (const edit of [...result.edits].reverse()) text = text.slice(0, edit.offset) + edit.content + text.slice(edit.offset + edit.length);
    expect(JSON.parse(text).items[0].scoring.tiers[1].points).toBe(80);
    expect(text.length - suzhou.length).toBe(0);
    expect(quickEditTarget(index, "/items/6")?.fields.map((f) => [f.name, f.value])).toEqual([["cap", 50]]);
    expect(quickEditTarget(index, "/gates/0")).toBeUndefined();
  });

  it("adds and removes an optional cap, and refuses what is not a number", () => {
    const index = indexDocument(suzhou);
    const add = quickEditEdits(index, "/items/0/cap", "150", false, "cap");
    expect(add.ok).toBe(true);
    const remove = quickEditEdits(index, "/items/6/cap", "", false, "cap");
    expect(remove.ok).toBe(true);
    expect(quickEditEdits(index, "/items/0/scoring/tiers/1/points", "六十", true, "points")).toEqual({ ok: false, reason: "notNumber" });
    expect(quickEditEdits(index, "/items/0/scoring/tiers/1/points", "", true, "points")).toEqual({ ok: false, reason: "required" });
    expect(quickEditEdits(index, "/items/0/cap", "-5", false, "cap")).toEqual({ ok: false, reason: "negativeCap" });
  });
});
