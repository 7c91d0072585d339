/** Document text is data: hostile ids, labels and values are never executed and score like any other string. */
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { makeDocument } from "../../test/fixtures/engine/builders";
import { compileProgram } from "./compiled";
import { assertSafeSource } from "./compiled-codegen";
import { scoreApplicant } from "./reference";
import { runTestCases } from "./testcases";

const HOSTILE = [
  '"); process.exit(1)//',
  "'); globalThis.pwned = 1; //",
  "`${globalThis.pwned = 1}`",
  "${process.exit(1)}",
  "</script><script>globalThis.pwned=1</script>",
  "\\\"; throw new Error('x'); \"",
  "__proto__",
  "constructor",
  "toString",
  "line\nbreak\u2028sep",
];

function hostileDocument(word: string, index: number): StandardDocument {
  const label = { zh: word, en: word };
  const fact = word;
  const listId = `${word}-list`;
  return makeDocument({
    id: word,
    version: word,
    lists: [{ id: listId, label, values: [word, "safe"] }],
    facts: [
      { id: fact, type: "string", label, default: word },
      { id: `${word}#n`, type: "number", label },
      { id: `${word}#r`, type: "records", label, fields: [{ id: word, type: "string", label }] },
    ],
    derived: [{ id: `${word}#count`, kind: "aggregate", records: `${word}#r`, op: "count", where: { fact: word, operator: "equal", value: word }, label }],
    categories: [{ id: word, kind: "base", label, cap: 1000 }],
    items: [
      { id: word, category: word, label, when: { fact, operator: "in", value: { fact: `list:${listId}` } }, scoring: { kind: "fixed", points: 7 + index } },
      {
        id: `${word}#tiers`,
        category: word,
        label,
        scoring: { kind: "tiers", tiers: [{ id: word, label, when: { fact, operator: "equal", value: word }, points: 3 }] },
      },
      { id: `${word}#count`, category: word, label, scoring: { kind: "accrual", fact: `${word}#count`, bands: [{ from: 0, rate: 2 }] } },
      {
        id: `${word}#records`,
        category: word,
        label,
        scoring: { kind: "perRecord", records: `${word}#r`, where: { fact: word, operator: "notEqual", value: word }, points: 1, onceBy: word },
      },
    ],
    groups: [{ id: word, label, mode: "cap", members: [word, `${word}#tiers`], cap: 9 }],
    gates: [{ id: word, label, reason: label, condition: { fact: `${word}#n`, operator: "isPresent", value: true } }],
    vetoes: [{ id: word, label, reason: label, condition: { fact, operator: "equal", value: `${word}!` } }],
    programs: [{ id: word, kind: "other", label, allocation: { kind: "threshold", threshold: 1 } }],
    testCases: [
      {
        id: word,
        label,
        program: word,
        date: "2025-01-01",
        facts: { [`${word}#n`]: 1, [`${word}#r`]: [{ [word]: word }, { [word]: "other" }, { [word]: "other" }] },
        expect: { eligible: true, vetoed: false, items: { [word]: 7 + index, [`${word}#tiers`]: 3, [`${word}#count`]: 2 } },
      },
    ],
  });
}

describe("hostile strings in ids, labels and values", () => {
  it.each(HOSTILE.map((word, index) => [word, index] as const))("%j is handled as data by both paths", async (word, index) => {
    const doc = hostileDocument(word, index);
    const applicant = JSON.parse(JSON.stringify(doc.testCases?.[0].facts)) as Record<string, unknown>;
    const sheet = await scoreApplicant(doc, applicant, word, "2025-01-01");
    const compact = compileProgram(doc, word).score(applicant, "2025-01-01");

    expect(sheet.items.map((item) => item.points)).toEqual([7 + index, 3, 2, 1]);
    expect(compact.items).toEqual([7 + index, 3, 2, 1]);
    // The cap group of 9 trims the two first items; the adjustment names the hostile group id as plain data.
    expect(sheet.adjustments[0]).toEqual({ kind: "groupCap", id: word, category: word, points: 9 - (10 + index) });
    expect(Object.keys(sheet.categories)).toEqual([word]);
    expect(compact.total).toBe(sheet.total);
    expect(compact.failedGates).toEqual([]);
    expect(sheet.derived[`${word}#count`]).toBe(1);
    expect(JSON.parse(JSON.stringify(sheet)).items[0].id).toBe(word);

    const results = await runTestCases(doc, { path: "both" });
    expect(results.every((result) => result.pass)).toBe(true);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it("the generated scorer's text refuses anything but engine-made words (document values travel as constants)", () => {
    expect(() => assertSafeSource("items[0] = c1(v[2], c3);")).not.toThrow();
    for (const leaked of ['c1("x")', "c1(`x`)", "process.exit(1)", "globalThis", "items[0] = ${x}", "c1(\\u0022)"]) {
      expect(() => assertSafeSource(leaked)).toThrow();
    }
    // Compiling every hostile document above went through this check; the closure form agrees with it.
    for (const [index, word] of HOSTILE.entries()) {
      const doc = hostileDocument(word, index);
      const applicant = doc.testCases?.[0].facts ?? {};
      expect(compileProgram(doc, word).score(applicant, "2025-01-01")).toEqual(
        compileProgram(doc, word, { codegen: false }).score(applicant, "2025-01-01"),
      );
    }
  });

  it("a hostile fact name never reaches prototype members of the applicant object", async () => {
    const doc = hostileDocument("constructor", 0);
    const sheet = await scoreApplicant(doc, {}, "constructor", "2025-01-01");
    const compact = compileProgram(doc, "constructor").score({}, "2025-01-01");
    expect(sheet.gates[0].passed).toBe(false);
    expect(compact.failedGates).toEqual(["constructor"]);
  });
});
