/** Locates a JSON syntax error as 1-based line and column, for messages and editor markers. */
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";

export interface JsonSyntaxError {
  line: number;
  column: number;
  detail: string;
}

export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: false, disallowComments: true, allowEmptyContent: false });
  if (errors.length === 0) return null;
  const first = errors[0];
  const before = text.slice(0, first.offset);
  const line = before.split("\n").length;
  const column = first.offset - before.lastIndexOf("\n");
  return { line, column, detail: printParseErrorCode(first.error) };
}
