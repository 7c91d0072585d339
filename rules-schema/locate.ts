/**
 * From JSON pointers to positions in the source text, and located JSON syntax errors (jsonc-parser in strict JSON mode:
 * no comments, no trailing commas).
 */
import { parseTree, printParseErrorCode } from "jsonc-parser";
import type { Node as JsonNode, ParseError } from "jsonc-parser";
import { joinPointer, problem, splitPointer } from "./errors";
import type { ValidationProblem } from "./errors";
import { nestingBeyond, validJsonNestingBeyond, type TooDeep } from "./json-depth";

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  offset: number;
}

/** A parsed source text that answers "where is this pointer?". */
export interface LocatedText {
  readonly text: string;
  /** The syntax tree, built on first use (parsing positions costs several times JSON.parse). */
  readonly tree: JsonNode | undefined;
  /** Position of the node at `pointer`, or of its nearest existing ancestor. Object members point at their key. */
  locate(pointer: string): TextPosition | undefined;
  positionAt(offset: number): TextPosition;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** `withoutTree`: for a text nested too deep to parse into a tree (the parser recurses): positions only. */
export function locatedText(text: string, knownTree?: JsonNode, withoutTree = false): LocatedText {
  let lineStarts: number[] | undefined;
  let tree = knownTree;
  let treeBuilt = knownTree !== undefined || withoutTree;
  const getTree = (): JsonNode | undefined => {
    if (!treeBuilt) {
      tree = boundedParseTree(text, []);
      treeBuilt = true;
    }
    return tree;
  };
  const positionAt = (offset: number): TextPosition => {
    lineStarts ??= lineStartsOf(text);
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low] + 1, offset };
  };
  const locate = (pointer: string): TextPosition | undefined => {
    const node = nodeAtPointer(getTree(), pointer);
    if (!node) return undefined;
    const anchor = node.parent?.type === "property" ? node.parent : node;
    return positionAt(anchor.offset);
  };
  return {
    text,
    get tree() {
      return getTree();
    },
    locate,
    positionAt,
  };
}

/**
 * jsonc-parser's syntax tree, or undefined where building it overflowed the stack (its parser recurses). The nesting
 * scan refuses deep texts before they get here; this is for broken text whose brackets it reads differently.
 */
function boundedParseTree(text: string, errors: ParseError[]): JsonNode | undefined {
  try {
    return parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** The node at `pointer`, or its deepest existing ancestor. */
export function nodeAtPointer(tree: JsonNode | undefined, pointer: string): JsonNode | undefined {
  let node = tree;
  if (!node) return undefined;
  for (const segment of splitPointer(pointer)) {
    let next: JsonNode | undefined;
    if (node.type === "object") {
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key?.value === segment) next = value ?? key;
      }
    } else if (node.type === "array" && /^\d+$/.test(segment)) {
      next = node.children?.[Number(segment)];
    }
    if (!next) return node;
    node = next;
  }
  return node;
}

/** Keyed by printParseErrorCode names (ParseErrorCode is a const enum, unusable under isolatedModules). */
const SYNTAX_DETAIL: Record<string, { zh: string; en: string }> = {
  InvalidSymbol: { zh: "无效的字符", en: "invalid character" },
  InvalidNumberFormat: { zh: "数字格式不对", en: "invalid number" },
  PropertyNameExpected: { zh: "此处应为用双引号括起的字段名", en: "a property name in double quotes was expected" },
  ValueExpected: { zh: "此处应为一个值", en: "a value was expected" },
  ColonExpected: { zh: "此处缺少冒号 :", en: "a colon was expected" },
  CommaExpected: { zh: "此处缺少逗号 ,", en: "a comma was expected" },
  CloseBraceExpected: { zh: "缺少右花括号 }", en: "a closing brace } was expected" },
  CloseBracketExpected: { zh: "缺少右方括号 ]", en: "a closing bracket ] was expected" },
  EndOfFileExpected: { zh: "文档结束后还有多余内容", en: "unexpected content after the end of the document" },
  InvalidCommentToken: { zh: "JSON 中不允许注释", en: "comments are not allowed in JSON" },
  UnexpectedEndOfComment: { zh: "注释没有结束", en: "unterminated comment" },
  UnexpectedEndOfString: { zh: "字符串缺少结尾的双引号", en: "unterminated string" },
  UnexpectedEndOfNumber: { zh: "数字不完整", en: "incomplete number" },
  InvalidUnicode: { zh: "无效的 Unicode 转义", en: "invalid unicode escape" },
  InvalidEscapeCharacter: { zh: "无效的转义字符", en: "invalid escape character" },
  InvalidCharacter: { zh: "字符串中有无效字符（如未转义的换行）", en: "invalid character in a string (e.g. an unescaped line break)" },
};

function previousNonSpace(text: string, offset: number): string | undefined {
  for (let i = offset - 1; i >= 0; i--) {
    if (!/\s/.test(text[i])) return text[i];
  }
  return undefined;
}

/** Explain the parser's error in words a policy officer recognises (trailing comma, single quotes). */
function describeSyntaxError(text: string, error: ParseError): { zh: string; en: string; hint?: string } {
  const name = printParseErrorCode(error.error);
  const base = SYNTAX_DETAIL[name] ?? { zh: name, en: name };
  const atChar = text[error.offset];
  if ((name === "PropertyNameExpected" || name === "ValueExpected") && previousNonSpace(text, error.offset) === ",") {
    return { zh: "最后一项后面多了逗号（JSON 不允许尾随逗号）", en: "trailing comma after the last entry (JSON does not allow trailing commas)", hint: "trailingComma" };
  }
  if (atChar === "'") {
    return { zh: "字符串和字段名必须用双引号 \"，不能用单引号 '", en: "strings and property names need double quotes \", not single quotes '", hint: "singleQuotes" };
  }
  if (name === "CloseBraceExpected" || name === "CloseBracketExpected" || (name === "ValueExpected" && error.offset >= text.trimEnd().length)) {
    return { zh: "缺少右花括号 } 或右方括号 ]（括号没有配对）", en: "a closing } or ] is missing (unbalanced brackets)", hint: "unbalanced" };
  }
  return base;
}

export interface ParsedJson {
  ok: boolean;
  value?: unknown;
  located: LocatedText;
  problems: ValidationProblem[];
}

/** Parse strict JSON; on failure report the first syntax error with its line and column (cascading errors are noise). */
export function parseJsonText(text: string): ParsedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // Before the syntax tree (whose parser recurses) is built to locate the error.
    const tooDeep = nestingBeyond(text);
    return tooDeep ? tooDeepProblem(text, tooDeep) : syntaxProblem(text, err as Error);
  }
  const tooDeep = validJsonNestingBeyond(text);
  if (tooDeep) return tooDeepProblem(text, tooDeep);
  const located = locatedText(text);
  // JSON.parse keeps the last of duplicate keys silently; only when key counts differ is the slower tree walk needed.
  const problems = countKeysInText(text) === countKeysInValue(value) ? [] : duplicateKeys(located);
  return { ok: true, value, located, problems };
}

function tooDeepProblem(text: string, tooDeep: TooDeep): ParsedJson {
  const located = locatedText(text, undefined, true);
  const position = located.positionAt(tooDeep.offset);
  const found = problem("json.tooDeep", tooDeep.pointer, { limit: tooDeep.limit, line: position.line, column: position.column, offset: tooDeep.offset });
  return { ok: false, located, problems: [{ ...found, line: position.line, column: position.column }] };
}

function syntaxProblem(text: string, parseFailure: Error): ParsedJson {
  const errors: ParseError[] = [];
  const tree = boundedParseTree(text, errors);
  const located = locatedText(text, tree);
  const first = errors[0];
  if (!first) {
    // jsonc-parser and JSON.parse disagree only on exotic input; report JSON.parse's reason at the start.
    const found = problem("json.syntax", "", { detail: parseFailure.message });
    return { ok: false, located, problems: [{ ...found, line: 1, column: 1 }] };
  }
  const detail = describeSyntaxError(text, first);
  const position = located.positionAt(first.offset);
  const found = problem("json.syntax", "", {
    parseError: printParseErrorCode(first.error),
    offset: first.offset,
    detail: detail.en,
    ...(detail.hint ? { hint: detail.hint } : {}),
  });
  found.message = {
    zh: `JSON 语法错误（第 ${position.line} 行第 ${position.column} 列）：${detail.zh}`,
    en: `JSON syntax error at line ${position.line}, column ${position.column}: ${detail.en}`,
  };
  return { ok: false, located, problems: [{ ...found, line: position.line, column: position.column }] };
}

/** Every string token in order; those followed by a colon are keys. Valid JSON has no quotes outside strings. */
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

function countKeysInText(text: string): number {
  let keys = 0;
  STRING_TOKEN.lastIndex = 0;
  for (let match = STRING_TOKEN.exec(text); match; match = STRING_TOKEN.exec(text)) {
    if (match[1] !== undefined) keys++;
  }
  return keys;
}

/** Iterative (an explicit stack), like every walk here over what a user wrote. */
function countKeysInValue(value: unknown): number {
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      for (const child of node) stack.push(child);
    } else if (node !== null && typeof node === "object") {
      for (const key in node) {
        keys++;
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return keys;
}

function duplicateKeys(located: LocatedText): ValidationProblem[] {
  const found: ValidationProblem[] = [];
  const tree = located.tree;
  if (!tree) return found;
  const stack: Array<{ node: JsonNode; pointer: string }> = [{ node: tree, pointer: "" }];
  while (stack.length > 0) {
    const { node, pointer } = stack.pop()!;
    if (node.type === "object") {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        const name = String(key?.value);
        const childPointer = joinPointer(pointer, name);
        if (seen.has(name)) {
          const position = located.positionAt(property.offset);
          found.push({ ...problem("json.duplicateKey", childPointer, { key: name }), line: position.line, column: position.column });
        }
        seen.add(name);
        if (value) stack.push({ node: value, pointer: childPointer });
      }
    } else if (node.type === "array") {
      node.children?.forEach((child, index) => stack.push({ node: child, pointer: joinPointer(pointer, index) }));
    }
  }
  // In document order, as the recursive walk found them.
  return found.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
