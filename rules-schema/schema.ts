/**
 * The JSON Schema of the document format, and copies of it with the help text in one UI language for the editor
 * (Monaco reads `title`, `description` and `markdownDescription` for completions and hover).
 */
import standardSchemaJson from "./standard.schema.json";

export type JsonSchema = Record<string, unknown>;

/** The schema as written: English `title`/`description`, Chinese in `x-title-zh`/`x-description-zh`. */
export const standardSchema: JsonSchema = standardSchemaJson as JsonSchema;

/** Keywords that carry the Chinese help; registered with ajv so strict mode accepts them. */
export const LOCALIZED_HELP_KEYWORDS = ["x-title-zh", "x-description-zh"] as const;

export type SchemaLang = "zh-CN" | "en";

/** A deep copy whose `title`, `description` and `markdownDescription` are in `lang`, without the x- help keywords. */
export function localizedSchema(lang: SchemaLang): JsonSchema {
  return localize(standardSchema, lang) as JsonSchema;
}

function localize(node: unknown, lang: SchemaLang): unknown {
  if (Array.isArray(node)) return node.map((child) => localize(child, lang));
  if (node === null || typeof node !== "object") return node;
  const source = node as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if ((LOCALIZED_HELP_KEYWORDS as readonly string[]).includes(key)) continue;
    copy[key] = localize(value, lang);
  }
  if (lang === "zh-CN") {
    if (typeof source["x-title-zh"] === "string") copy.title = source["x-title-zh"];
    if (typeof source["x-description-zh"] === "string") copy.description = source["x-description-zh"];
  }
  if (typeof copy.description === "string") copy.markdownDescription = copy.description;
  return copy;
}
