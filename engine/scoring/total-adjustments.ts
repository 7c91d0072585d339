/**
 * Percentages and multipliers on the total (decision 023), shared by every scoring path: each applies to the total
 * after category caps (not to one another's result), in document order, before the total's floor and cap.
 */
import type { Id, Program, StandardDocument, TotalAdjustment } from "../../rules-schema/types";
import { exact } from "./points";

/** The fraction of the total an adjustment adds: 30% → 0.3, ×1.3 → 0.3, −10% → −0.1. */
export function adjustmentFactor(adjustment: Pick<TotalAdjustment, "percent" | "multiplier">): number {
  if (adjustment.percent !== undefined) return adjustment.percent / 100;
  return (adjustment.multiplier ?? 1) - 1;
}

/** Points an adjustment adds to a total `base`. */
export function adjustmentPoints(base: number, factor: number): number {
  return exact(base * factor);
}

/** The adjustments that apply to a program: its own total rule's, else the document's. */
export function totalAdjustmentsOf(doc: StandardDocument, program: Program): Array<{ id: Id; adjustment: TotalAdjustment; factor: number }> {
  const rule = program.total ?? doc.total;
  return (rule?.adjustments ?? []).map((adjustment) => ({ id: adjustment.id, adjustment, factor: adjustmentFactor(adjustment) }));
}
