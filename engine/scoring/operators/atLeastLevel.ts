import type { OperatorDefinition } from "./types";

/** The fact's declared enum values, lowest first. */
export interface LevelOrder {
  order: readonly string[];
  /** Position of each level, computed once from `order` when absent. */
  rank?: ReadonlyMap<string, number>;
}

const ranks = new WeakMap<LevelOrder, Map<string, number>>();

function rankOf(context: LevelOrder, value: string): number {
  if (context.rank) return context.rank.get(value) ?? -1;
  let rank = ranks.get(context);
  if (!rank) {
    rank = new Map();
    context.order.forEach((level, index) => {
      if (!rank?.has(level)) rank?.set(level, index);
    });
    ranks.set(context, rank);
  }
  return rank.get(value) ?? -1;
}

export const atLeastLevel: OperatorDefinition<LevelOrder> = {
  name: "atLeastLevel",
  description: "enum fact at or above the given value in the fact's declared value order",
  guard: (factValue) => typeof factValue === "string",
  evaluate(factValue, value, context) {
    if (!context || typeof value !== "string") return false;
    const factLevel = rankOf(context, factValue as string);
    const requiredLevel = rankOf(context, value);
    return factLevel >= 0 && requiredLevel >= 0 && factLevel >= requiredLevel;
  },
};
