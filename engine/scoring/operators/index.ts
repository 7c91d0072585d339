/**
 * Every operator a condition may name, and their registration on a json-rules-engine Engine. The compiled
 * evaluator takes its comparators from `comparatorFor`, so both paths use one definition per operator.
 */
import { Operator, type Engine } from "json-rules-engine";
import { atLeastLevel, type LevelOrder } from "./atLeastLevel";
import { between } from "./between";
import { builtInOperators } from "./builtins";
import { dateBefore } from "./dateBefore";
import { dateOnOrAfter } from "./dateOnOrAfter";
import { isPresent } from "./isPresent";
import { comparatorOf, type Comparator, type OperatorDefinition } from "./types";

export { atLeastLevel, between, dateBefore, dateOnOrAfter, isPresent, builtInOperators, comparatorOf };
export type { Comparator, LevelOrder, OperatorDefinition };

/** Operators whose meaning needs nothing but the two values. */
export const contextFreeOperators: readonly OperatorDefinition[] = [
  ...builtInOperators,
  between,
  dateBefore,
  dateOnOrAfter,
  isPresent,
];

export const customOperators = [between, dateBefore, dateOnOrAfter, atLeastLevel, isPresent] as const;

export const operatorNames: ReadonlySet<string> = new Set([
  ...contextFreeOperators.map((operator) => operator.name),
  atLeastLevel.name,
]);

const contextFreeByName = new Map(contextFreeOperators.map((operator) => [operator.name, operator]));

export class UnknownOperatorError extends Error {
  readonly code = "engine.unknownOperator";
  constructor(readonly operator: string) {
    super(`Unknown operator: ${operator}`);
  }
}

function levelOrder(order: readonly string[]): LevelOrder {
  const rank = new Map<string, number>();
  order.forEach((level, index) => {
    if (!rank.has(level)) rank.set(level, index);
  });
  return { order, rank };
}

/** The operator definition and its context (the enum order for atLeastLevel). */
export function operatorFor(
  name: string,
  levels?: readonly string[],
): { operator: OperatorDefinition<LevelOrder | undefined>; context: LevelOrder | undefined } {
  if (name === atLeastLevel.name) {
    return { operator: atLeastLevel as OperatorDefinition<LevelOrder | undefined>, context: levelOrder(levels ?? []) };
  }
  const operator = contextFreeByName.get(name);
  if (!operator) throw new UnknownOperatorError(name);
  return { operator: operator as OperatorDefinition<LevelOrder | undefined>, context: undefined };
}

/** The comparator for an operator; `levels` is the fact's declared enum order (atLeastLevel only). */
export function comparatorFor(name: string, levels?: readonly string[]): Comparator {
  const { operator, context } = operatorFor(name, levels);
  return comparatorOf(operator, context);
}

/**
 * json-rules-engine operators are looked up by name only, so each enum order gets its own instance of
 * atLeastLevel under the name this returns (conditions are rewritten to it before they reach the engine).
 */
export function levelOperatorName(orderIndex: number): string {
  return `${atLeastLevel.name}#${orderIndex}`;
}

/** Registers every operator on the engine (replacing the engine's built-ins with the shared definitions). */
export function registerOperators(engine: Engine, levelOrders: ReadonlyArray<readonly string[]> = []): void {
  const add = <Context>(name: string, operator: OperatorDefinition<Context>, context?: Context) =>
    engine.addOperator(
      new Operator(name, (factValue: unknown, value: unknown) => operator.evaluate(factValue, value, context), operator.guard),
    );
  for (const operator of contextFreeOperators) add(operator.name, operator);
  add(atLeastLevel.name, atLeastLevel, { order: [] });
  levelOrders.forEach((order, index) => add(levelOperatorName(index), atLeastLevel, levelOrder(order)));
}
