/**
 * Canonical JSON: object keys sorted, no insignificant white space. Two documents with the same content
 * have the same canonical text whatever their formatting, so its hash identifies a version's content.
 *
 * Written as one pass that appends to a string, sorts an object's keys only when they are out of order and keeps
 * the quoted form of the keys it has seen (the same few dozen ids recur in every applicant): the department API
 * canonicalises every applicant's input for its decision log, so this sits on a hot path. The output
 * is that of `JSON.stringify` with sorted keys (test/unit/rules-schema/canonical.test.ts checks it against the
 * obvious definition on random values).
 */
export function canonicalJson(value: unknown): string {
  return write(value);
}

function write(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return writeArray(value);
      return writeObject(value as Record<string, unknown>);
    default:
      // undefined, functions, symbols (and bigint, which throws) as JSON.stringify treats them.
      return JSON.stringify(value) ?? "null";
  }
}

function writeArray(array: readonly unknown[]): string {
  let text = "[";
  for (let i = 0; i < array.length; i++) {
    if (i > 0) text += ",";
    const item = array[i];
    text += item === undefined ? "null" : write(item);
  }
  return text + "]";
}

const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < MAX_QUOTED_KEYS) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function writeObject(object: Record<string, unknown>): string {
  const keys = Object.keys(object);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  }
  let text = "{";
  let first = true;
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (!first) text += ",";
    first = false;
    text += quoteKey(key) + ":" + write(item);
  }
  return text + "}";
}
