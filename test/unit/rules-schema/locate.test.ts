import { describe, expect, it } from "vitest";
import { parseJsonText } from "../../../rules-schema/locate";

describe("pointer → line and column", () => {
  const text = '{\n  "a/b": {\n    "list": [10, 20,\n      30]\n  },\n  "c~d": true\n}\n';
  const { located } = parseJsonText(text);

  it("finds object members at their key, array entries at their value, with escaped segments", () => {
    expect(located.locate("/a~1b")).toMatchObject({ line: 2, column: 3 });
    expect(located.locate("/a~1b/list/2")).toMatchObject({ line: 4, column: 7 });
    expect(located.locate("/c~0d")).toMatchObject({ line: 6, column: 3 });
    expect(located.locate("")).toMatchObject({ line: 1, column: 1 });
  });

  it("falls back to the nearest existing ancestor for a missing member", () => {
    expect(located.locate("/a~1b/missing")).toMatchObject({ line: 2, column: 3 });
    expect(located.locate("/a~1b/list/9")).toMatchObject({ line: 3, column: 5 });
  });

  it("counts lines the same with Windows line endings", () => {
    const crlf = parseJsonText(text.replace(/\n/g, "\r\n"));
    expect(crlf.located.locate("/a~1b/list/2")).toMatchObject({ line: 4, column: 7 });
  });

  it("reports a missing comma between members where the parser stopped", () => {
    const parsed = parseJsonText('{\n  "a": 1\n  "b": 2\n}');
    expect(parsed.ok).toBe(false);
    expect(parsed.problems).toEqual([expect.objectContaining({ code: "json.syntax", path: "", line: 3, column: 3, params: expect.objectContaining({ parseError: "CommaExpected" }) })]);
  });

  it("finds a duplicate key only when there is one", () => {
    expect(parseJsonText('{"a": {"x": 1, "y": "\\"x\\": 2"}}').problems).toEqual([]);
    expect(parseJsonText('{"a": {"x": 1, "x": 2}}').problems).toEqual([expect.objectContaining({ code: "json.duplicateKey", path: "/a/x", line: 1, column: 16 })]);
  });
});
