import { isIsoDate } from "../dates";
import type { OperatorDefinition } from "./types";

export const dateOnOrAfter: OperatorDefinition = {
  name: "dateOnOrAfter",
  description: "date fact on or after the ISO date value",
  guard: isIsoDate,
  evaluate: (factValue, value) => isIsoDate(value) && (factValue as string) >= value,
};
