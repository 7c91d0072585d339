/**
 * fast-check arbitraries for the bounded fuzz (issue 18): hostile changes to real documents and request bodies.
 * A change is data (a pointer and a value, or a text edit) so a failure shrinks to the one change that caused it.
 */
import fc from "fast-check";

/** A stand-in for a value nested `depth` levels deep, written into the text after JSON.stringify. */
const DEEP_MARK = "__jifen_fuzz_deep__";

export type Change =
  | { kind: "set"; at: number; value: unknown }
  | { kind: "delete"; at: number }
  | { kind: "text"; at: number; insert: string; remove: number };

const dateLike = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
  .map(([y, m, d]) => `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);

/** Values that have broken something somewhere: extreme numbers, impossible dates, odd strings, deep nesting, junk JSON. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(1e308, -1e308, 1e12 + 1, 1e12, -0, 5e-324, 2 ** 53 + 1, 0.1 + 0.2, "", "__proto__", "constructor", "\u0000", "\ud800", "%E0%A4%A"),
  dateLike,
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 65, max: 20_000 }).map((depth) => `${DEEP_MARK}${depth}`),
  fc.constantFrom("1e309", "-1e309", "1e400").map((n) => `${DEEP_MARK}num${n}`),
);

export const changes = (maxLength: number): fc.Arbitrary<Change[]> =>
  fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: hostileValue }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("text" as const),
          at: fc.nat(),
          insert: fc.oneof(fc.constantFrom("", ",", "}", "]", "{", "[", '"', "'", ":", "\\", "//", "\u2028", "%"), fc.string({ maxLength: 4 })),
          remove: fc.nat({ max: 8 }),
        }),
      },
    ),
    { minLength: 1, maxLength },
  );

/** Every place in a value (pointer segments), found iteratively. */
function places(value: unknown): Array<Array<string | number>> {
  const found: Array<Array<string | number>> = [];
  const stack: Array<{ node: unknown; path: Array<string | number> }> = [{ node: value, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (path.length > 0) found.push(path);
    if (Array.isArray(node)) node.forEach((child, i) => stack.push({ node: child, path: [...path, i] }));
    else if (node !== null && typeof node === "object") for (const key of Object.keys(node)) stack.push({ node: (node as Record<string, unknown>)[key], path: [...path, key] });
  }
  return found;
}

/** The text of `base` after the changes (value changes first, then text edits), deep marks expanded. */
export function applyChanges(base: unknown, list: readonly Change[]): string {
  const value = structuredClone(base) as unknown;
  for (const change of list) {
    if (change.kind === "text") continue;
    const all = places(value);
    if (all.length === 0) continue;
    const path = all[change.at % all.length];
    let parent = value as Record<string | number, unknown>;
    for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (change.kind === "set") parent[last] = change.value;
    else if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  }
  let text = JSON.stringify(value, null, 1).replace(new RegExp(`"${DEEP_MARK}(num)?([^"]*)"`, "g"), (_whole, num: string | undefined, rest: string) =>
    num ? rest : "[".repeat(Number(rest)) + "]".repeat(Number(rest)),
  );
  for (const change of list) {
    if (change.kind !== "text") continue;
    const at = change.at % (text.length + 1);
    text = text.slice(0, at) + change.insert + text.slice(at + change.remove);
  }
  return text;
}

/** What no output may contain: a stack frame or an engine error's name. */
export const STACK_TRACE = /\n\s+at .+[(:]\d+|RangeError|TypeError|ReferenceError|Maximum call stack|node_modules/;
/** What no HTTP answer may contain: that, or a file path of the server. */
export const LEAK = new RegExp(`${STACK_TRACE.source}|/tmp/|/work/|/home/`);
