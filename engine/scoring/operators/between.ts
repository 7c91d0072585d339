import { isFiniteNumber, type OperatorDefinition } from "./types";

function isBound(value: unknown): value is number | null {
  return value === null || isFiniteNumber(value);
}

export const between: OperatorDefinition = {
  name: "between",
  description: "number in [min, max): min <= fact < max; null on either side = unbounded",
  guard: isFiniteNumber,
  evaluate(factValue, value) {
    if (!Array.isArray(value) || value.length !== 2 || !isBound(value[0]) || !isBound(value[1])) return false;
    const fact = factValue as number;
    const [min, max] = value;
    return (min === null || min <= fact) && (max === null || fact < max);
  },
};
