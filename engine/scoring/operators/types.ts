/** An operator is data: a name, a one-line meaning, a guard on the fact's type and a comparator (json-rules-engine's shape). */
export interface OperatorDefinition<Context = undefined> {
  name: string;
  description: string;
  /** The fact value must pass this before `evaluate` is called; a failing guard makes the condition false. */
  guard(factValue: unknown): boolean;
  evaluate(factValue: unknown, value: unknown, context?: Context): boolean;
}

export type Comparator = (factValue: unknown, value: unknown) => boolean;

/** The one definition both evaluation paths use: guard first, then compare (as json-rules-engine's Operator.evaluate). */
export function comparatorOf<Context>(operator: OperatorDefinition<Context>, context?: Context): Comparator {
  return (factValue, value) => operator.guard(factValue) && operator.evaluate(factValue, value, context);
}

/** json-rules-engine's numeric guard: anything parseFloat reads as a number. */
export function isNumberLike(value: unknown): boolean {
  if (typeof value === "number") return !Number.isNaN(value);
  return !Number.isNaN(Number.parseFloat(value as string));
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
