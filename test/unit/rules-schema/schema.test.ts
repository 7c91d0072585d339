import { describe, expect, it } from "vitest";
import { localizedSchema, standardSchema } from "../../../rules-schema/schema";
import type { OperatorName } from "../../../rules-schema/types";
import { operatorNames } from "../../../engine/scoring/operators";

type Schema = Record<string, unknown>;
const defs = standardSchema.$defs as Record<string, Schema>;
const HAN = /[\u4e00-\u9fff]/;

/** Every schema that documents a field or a definition: the definitions and each entry of every `properties`. */
function documentedSchemas(root: Schema): Array<[string, Schema]> {
  const found: Array<[string, Schema]> = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${where}/${i}`));
    if (node === null || typeof node !== "object") return;
    const schema = node as Schema;
    for (const [key, value] of Object.entries(schema)) {
      if ((key === "properties" || key === "$defs") && value && typeof value === "object") {
        for (const [name, child] of Object.entries(value as Schema)) {
          found.push([`${where}/${key}/${name}`, child as Schema]);
          walk(child, `${where}/${key}/${name}`);
        }
      } else if (typeof value === "object") {
        walk(value, `${where}/${key}`);
      }
    }
  };
  walk(root, "#");
  return found;
}

describe("standard.schema.json", () => {
  it("gives every definition and documented property an English and a Chinese title and description", () => {
    const documented = documentedSchemas(standardSchema).filter(([where]) => !where.includes("/if/") && !where.includes("/then/") && !where.includes("/else/"));
    expect(documented.length).toBeGreaterThan(150);
    for (const [where, schema] of documented) {
      expect(typeof schema.title, where).toBe("string");
      expect(typeof schema.description, where).toBe("string");
      expect(schema["x-title-zh"], where).toMatch(HAN);
      expect(schema["x-description-zh"], where).toMatch(HAN);
    }
  });

  it("enumerates exactly the operator names of types.ts", () => {
    const names = [
      "equal", "notEqual", "lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive", "in", "notIn",
      "contains", "doesNotContain", "between", "dateBefore", "dateOnOrAfter", "atLeastLevel", "isPresent",
    ] as const satisfies readonly OperatorName[];
    // Compile-time: fails to typecheck if types.ts gains an operator missing from this list.
    const exhaustive: Exclude<OperatorName, (typeof names)[number]> extends never ? true : false = true;
    expect(exhaustive).toBe(true);
    const condition = defs.FactCondition.properties as Record<string, Schema>;
    expect([...(condition.operator.enum as string[])].sort()).toEqual([...names].sort());
  });

  it("enumerates the same operators the engine registers", () => {
    const condition = defs.FactCondition.properties as Record<string, Schema>;
    expect([...(condition.operator.enum as string[])].sort()).toEqual([...operatorNames].sort());
  });

  it("uses the id pattern for ids", () => {
    expect(defs.Id.pattern).toBe("^[A-Za-z][A-Za-z0-9_-]*$");
  });
});

describe("localizedSchema", () => {
  it("returns Chinese titles, descriptions and markdownDescription for zh-CN", () => {
    const zh = localizedSchema("zh-CN");
    const zhDefs = zh.$defs as Record<string, Schema>;
    const cap = (zhDefs.ScoringItem.properties as Record<string, Schema>).cap;
    expect(cap.title).toBe("封顶");
    expect(cap.description).toMatch(HAN);
    expect(cap.markdownDescription).toBe(cap.description);
    expect(zh.title).toBe("计分标准");
    expect(JSON.stringify(zh)).not.toContain("x-title-zh");
  });

  it("returns English for en and leaves the source schema untouched", () => {
    const en = localizedSchema("en");
    const enDefs = en.$defs as Record<string, Schema>;
    const cap = (enDefs.ScoringItem.properties as Record<string, Schema>).cap;
    expect(cap.title).toBe("Cap");
    expect(cap.description).not.toMatch(HAN);
    expect(cap.markdownDescription).toBe(cap.description);
    expect((defs.ScoringItem.properties as Record<string, Schema>).cap.title).toBe("Cap");
    expect((defs.ScoringItem.properties as Record<string, Schema>).cap.markdownDescription).toBeUndefined();
  });

  it("keeps property names such as title and description as schemas, not text", () => {
    const zh = localizedSchema("zh-CN");
    const rootProperties = zh.properties as Record<string, Schema>;
    expect(typeof rootProperties.title).toBe("object");
    expect(rootProperties.title.title).toBe("标准名称");
    const factProperties = (zh.$defs as Record<string, Schema>).FactDefinition.properties as Record<string, Schema>;
    expect(typeof factProperties.description).toBe("object");
  });
});
