/**
 * The nesting-depth limit for JSON from users (standard documents, API request bodies, files given to the CLI).
 * `JSON.parse` is iterative in V8, but much that reads a parsed value recurses on it (the syntax tree that locates
 * errors, the schema validator, canonical JSON, the diff, error messages): 10,000 levels of `[` overflow the stack.
 * A scan of the text refuses such input with its place before anything recurses on it (after `JSON.parse`, which
 * does not recurse, has accepted it; before the syntax tree is built when it has not). Iterative; about 1.6 ms per MB
 * for text JSON.parse accepted, 4-6 ms per MB for text it did not.
 */
import { joinPointer } from "./errors";
import { MAX_JSON_DEPTH } from "./limits";

export { MAX_JSON_DEPTH };

export interface TooDeep {
  /** Offset of the `[` or `{` that opens level `limit + 1`. */
  offset: number;
  /** JSON pointer of the value that bracket opens (as far as the text before it can tell). */
  pointer: string;
  limit: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const SLASH = 47;
const STAR = 42;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const OPEN_LIST = 91;
const CLOSE_LIST = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;

/**
 * The index after the string that opens at `start` (its closing quote), read as the syntax tree's parser
 * (jsonc-parser) reads it: a backslash takes the next character, and a line break ends an unterminated string.
 * Keeping to its reading matters: brackets the scan took for text inside a string would be structure to it.
 */
function stringEnd(text: string, start: number): number {
  const n = text.length;
  for (let i = start + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
    else if (c === LINE_FEED || c === CARRIAGE_RETURN) return i;
  }
  return n;
}

/** The index after a comment at `start` (the parser skips comments even where JSON forbids them), or `start`. */
function commentEnd(text: string, start: number): number {
  const next = text.charCodeAt(start + 1);
  if (next === SLASH) {
    let i = start + 2;
    while (i < text.length && text.charCodeAt(i) !== LINE_FEED && text.charCodeAt(i) !== CARRIAGE_RETURN) i++;
    return i;
  }
  if (next === STAR) {
    const close = text.indexOf("*/", start + 2);
    return close < 0 ? text.length : close + 2;
  }
  return start + 1;
}

/** Where `text` first nests deeper than `limit` levels, or undefined. Not a syntax check: JSON.parse does that. */
export function nestingBeyond(text: string, limit = MAX_JSON_DEPTH): TooDeep | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i) - 1;
    } else if (c === SLASH) {
      i = commentEnd(text, i) - 1;
    } else if (c === OPEN_LIST || c === OPEN_OBJECT) {
      if (++depth > limit) return { offset: i, pointer: pointerAt(text, i), limit };
    } else if (c === CLOSE_LIST || c === CLOSE_OBJECT) {
      // Never below 0: an extra closing bracket must not buy room for more opening ones.
      if (depth > 0) depth--;
    }
  }
  return undefined;
}

/**
 * The same for a text `JSON.parse` has accepted (no comments, no line break inside a string), about three times as
 * fast: a string is skipped with `indexOf` up to its closing quote. This is the check on every API body.
 */
export function validJsonNestingBeyond(text: string, limit = MAX_JSON_DEPTH): TooDeep | undefined {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let close = text.indexOf('"', i + 1);
      // A quote after an odd number of backslashes is escaped: look further.
      for (;;) {
        if (close < 0) return undefined;
        let before = close - 1;
        while (text.charCodeAt(before) === BACKSLASH) before--;
        if ((close - 1 - before) % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      i = close;
    } else if (c === OPEN_LIST || c === OPEN_OBJECT) {
      if (++depth > limit) return { offset: i, pointer: pointerAt(text, i), limit };
    } else if (c === CLOSE_LIST || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return undefined;
}

interface Frame {
  list: boolean;
  index: number;
  key: string | undefined;
}

/** The pointer of the value starting at `offset`, from the members and items before it (a second pass, on failure only). */
function pointerAt(text: string, offset: number): string {
  const frames: Frame[] = [];
  let lastString: string | undefined;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      lastString = text.slice(i, end);
      i = end - 1;
    } else if (c === SLASH) {
      i = commentEnd(text, i) - 1;
    } else if (c === OPEN_LIST || c === OPEN_OBJECT) {
      frames.push({ list: c === OPEN_LIST, index: 0, key: undefined });
    } else if (c === CLOSE_LIST || c === CLOSE_OBJECT) {
      frames.pop();
    } else if (c === 44 /* , */) {
      const top = frames[frames.length - 1];
      if (top?.list) top.index++;
    } else if (c === 58 /* : */) {
      const top = frames[frames.length - 1];
      if (top && !top.list && lastString !== undefined) top.key = decodeKey(lastString);
    }
  }
  let pointer = "";
  for (const frame of frames) pointer = joinPointer(pointer, frame.list ? frame.index : frame.key ?? "");
  return pointer;
}

function decodeKey(literal: string): string {
  try {
    const key: unknown = JSON.parse(literal);
    return typeof key === "string" ? key : literal;
  } catch {
    return literal.slice(1, -1);
  }
}
