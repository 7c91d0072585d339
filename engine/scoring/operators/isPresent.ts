import type { OperatorDefinition } from "./types";

export const isPresent: OperatorDefinition = {
  name: "isPresent",
  description: "fact is present (not null/undefined) when the value is true, absent when it is false",
  guard: () => true,
  evaluate(factValue, value) {
    if (value === true) return factValue !== null && factValue !== undefined;
    if (value === false) return factValue === null || factValue === undefined;
    return false;
  },
};
