/**
 * Issue 24, levers: every numeric parameter of the example standards is found at its pointer, named in the officer's
 * words, and one step up or down gives a valid document that differs in that number only (the original untouched).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { validateDocument } from "../../rules-schema/validate";
import { jsonEqual } from "../simulation/document-diff";
import { applyStep, listParameters, ParameterPointerError, steppedValue, withValue } from "./parameters";

const EXAMPLES = readdirSync("rules-schema/examples").filter((name) => name.endsWith(".json"));
const load = (name: string) => JSON.parse(readFileSync(`rules-schema/examples/${name}`, "utf8")) as StandardDocument;

function at(doc: unknown, pointer: string): unknown {
  return pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((node, segment) => (node as Record<string, unknown>)[segment.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe("numeric parameters of a standard", () => {
  it.each(EXAMPLES)("%s: each is found at its pointer, stepped both ways into a valid document changing that number only", (name) => {
    const doc = deepFreeze(load(name));
    const parameters = listParameters(doc);
    expect(parameters.length).toBeGreaterThan(5);
    expect(new Set(parameters.map((p) => p.pointer)).size).toBe(parameters.length);
    for (const parameter of parameters) {
      expect(at(doc, parameter.pointer)).toBe(parameter.value);
      expect(parameter.step).toBeGreaterThan(0);
      expect(parameter.value).toBeGreaterThanOrEqual(parameter.min);
      expect(parameter.value).toBeLessThanOrEqual(parameter.max);
      expect(parameter.label.zh).not.toMatch(/[/]items|\bid\b/);
      for (const direction of [1, -1]) {
        const stepped = applyStep(doc, parameter, direction);
        const value = steppedValue(parameter, direction);
        if (stepped === undefined) {
          expect(value).toBeUndefined();
          continue;
        }
        expect(at(stepped, parameter.pointer)).toBe(value);
        for (const linked of parameter.linked ?? []) expect(at(stepped, linked)).toBe(value);
        const result = validateDocument(stepped);
        expect(result.problems.filter((p) => p.severity === "error"), `${parameter.pointer} ${direction}`).toEqual([]);
        // Everything else is as it was.
        const back = [parameter.pointer, ...(parameter.linked ?? [])].reduce((d, p) => withValue(d, p, parameter.value), stepped);
        expect(jsonEqual(back, doc)).toBe(true);
      }
    }
  });

  it("names Hangzhou 2018's numbers as the official table does, with whole steps for points and the document's own for rates", () => {
    const doc = load("hangzhou-2018.json");
    const parameters = listParameters(doc, { program: "settlement" });
    const tier = parameters.find((p) => p.pointer === "/items/1/scoring/tiers/4/points")!;
    const education = doc.items[1];
    const category = doc.categories.find((c) => c.id === education.category)!;
    expect(tier.label.zh).toBe(`${category.label.zh} › ${education.label.zh} › ${education.scoring.kind === "tiers" ? education.scoring.tiers[4].label.zh : ""} › 分值`);
    expect(tier.label.en).toContain(" › points");
    expect(tier).toMatchObject({ kind: "points", step: 1, min: 0, value: 70, scope: { kind: "item", id: education.id } });

    expect(parameters.find((p) => p.pointer === "/items/4/scoring/bands/0/rate")).toMatchObject({ value: 6, step: 1 });
    expect(parameters.find((p) => p.pointer === "/items/11/scoring/pointsPerStep")).toMatchObject({ value: 0.5, step: 0.5 });
    const rate = parameters.find((p) => p.pointer === "/items/2/scoring/bands/0/rate")!;
    expect(rate).toMatchObject({ kind: "rate", value: 0.25, step: 0.25 });
    expect(steppedValue(rate, 1)).toBe(0.5);
    expect(steppedValue(rate, -1)).toBe(0);
    expect(steppedValue(rate, -2)).toBeUndefined();

    const cap = parameters.find((p) => p.pointer === "/items/2/cap")!;
    expect(cap).toMatchObject({ kind: "cap", value: 75, step: 1, min: 0 });
    expect(cap.label.zh).toMatch(/封顶分值$/);

    const deduction = parameters.find((p) => p.pointer === "/items/16/scoring/points")!;
    expect(deduction).toMatchObject({ value: -150, max: 0 });

    expect(parameters.find((p) => p.pointer === "/gates/1/condition/value")).toBeUndefined();
    const gate = listParameters(doc, { program: "settlement_minor" }).find((p) => p.pointer === "/gates/1/condition/value")!;
    expect(gate).toMatchObject({ kind: "threshold", step: 1, scope: { kind: "gate" } });
    expect(gate.label.zh).toMatch(/^申请条件 › /);
    expect(gate.label.en).toMatch(/^eligibility conditions › .* › condition: /);
  });

  it("moves a band boundary with the next band's, within its neighbours", () => {
    const name = EXAMPLES.find((n) => listParameters(load(n)).some((p) => p.kind === "boundary" && p.linked))!;
    expect(name).toBeDefined();
    const doc = load(name);
    const boundary = listParameters(doc).find((p) => p.kind === "boundary" && p.linked)!;
    const up = applyStep(doc, boundary, 1)!;
    expect(at(up, boundary.linked![0])).toBe(at(up, boundary.pointer));
    // Far enough to swallow the next band: refused.
    expect(applyStep(doc, boundary, Math.ceil((boundary.max - boundary.value) / boundary.step) + 1)).toBeUndefined();
  });

  it("leaves out what another program reads, and scores lines of the program asked for", () => {
    const doc = load("suzhou-2015.json");
    const all = listParameters(doc);
    for (const program of doc.programs) {
      const own = listParameters(doc, { program: program.id });
      expect(own.length).toBeLessThanOrEqual(all.length);
      for (const parameter of own) if (parameter.scope.kind === "allocation") expect(parameter.scope.program).toBe(program.id);
      for (const parameter of own) {
        if (parameter.scope.kind !== "item") continue;
        const id = parameter.scope.id;
        const item = doc.items.find((i) => i.id === id)!;
        expect(item.programs === undefined || item.programs.includes(program.id)).toBe(true);
      }
    }
    const threshold = listParameters(load("shanghai-2015.json")).find((p) => p.kind === "scoreLine");
    expect(threshold).toMatchObject({ value: 120, what: { zh: "分值线" } });
  });

  it("refuses a pointer where the document has no number", () => {
    expect(() => withValue(load("suzhou-2015.json"), "/items/999/cap", 1)).toThrow(ParameterPointerError);
  });
});
