import { isIsoDate } from "../dates";
import type { OperatorDefinition } from "./types";

export const dateBefore: OperatorDefinition = {
  name: "dateBefore",
  description: "date fact strictly before the ISO date value",
  guard: isIsoDate,
  // ISO dates of the same length order the same as strings and as days.
  evaluate: (factValue, value) => isIsoDate(value) && (factValue as string) < value,
};
