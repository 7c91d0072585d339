/**
 * json-rules-engine's built-in operators with the same meaning, restated here so the compiled evaluator shares
 * the definition. One deliberate difference: where the engine would throw (`in` against a value that is not a
 * list, `contains` on a non-list) the condition is false instead, so a missing list never aborts scoring.
 */
import { isNumberLike, type OperatorDefinition } from "./types";

const anyValue = () => true;

function builtIn(
  name: string,
  description: string,
  evaluate: (factValue: unknown, value: unknown) => boolean,
  guard: (factValue: unknown) => boolean = anyValue,
): OperatorDefinition {
  return { name, description, guard, evaluate };
}

export const equal = builtIn("equal", "fact === value", (a, b) => a === b);
export const notEqual = builtIn("notEqual", "fact !== value", (a, b) => a !== b);
export const lessThan = builtIn("lessThan", "fact < value", (a, b) => (a as number) < (b as number), isNumberLike);
export const lessThanInclusive = builtIn(
  "lessThanInclusive",
  "fact <= value",
  (a, b) => (a as number) <= (b as number),
  isNumberLike,
);
export const greaterThan = builtIn("greaterThan", "fact > value", (a, b) => (a as number) > (b as number), isNumberLike);
export const greaterThanInclusive = builtIn(
  "greaterThanInclusive",
  "fact >= value",
  (a, b) => (a as number) >= (b as number),
  isNumberLike,
);
export const inList = builtIn("in", "fact is one of the value list", (a, b) => Array.isArray(b) && b.indexOf(a) > -1);
export const notInList = builtIn(
  "notIn",
  "fact is none of the value list",
  (a, b) => Array.isArray(b) && b.indexOf(a) === -1,
);
export const contains = builtIn(
  "contains",
  "list fact contains the value",
  (a, b) => (a as unknown[]).indexOf(b) > -1,
  Array.isArray,
);
export const doesNotContain = builtIn(
  "doesNotContain",
  "list fact does not contain the value",
  (a, b) => (a as unknown[]).indexOf(b) === -1,
  Array.isArray,
);

export const builtInOperators: readonly OperatorDefinition[] = [
  equal,
  notEqual,
  lessThan,
  lessThanInclusive,
  greaterThan,
  greaterThanInclusive,
  inList,
  notInList,
  contains,
  doesNotContain,
];
