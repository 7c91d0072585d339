/**
 * Levers (issue 24, part 2): for a version and a cohort, what one step up and one step down of every numeric
 * parameter does to who is admitted (in and out), the cut-off of each pool and the admitted share of each group of a
 * chosen fact; ranked by effect. Each step is a whole version run through the outcome evaluator (engine/levers/outcome.ts).
 */
import type { Id, StandardDocument } from "../../rules-schema/types";
import { validateDocument } from "../../rules-schema/validate";
import type { Outcome, OutcomeEvaluator } from "./outcome";
import { listParameters, steppedValue, withParameter, type NumericParameter } from "./parameters";

export interface GroupShare {
  value: string;
  applicants: number;
  admitted: number;
  /** Of all admitted, 0–1. */
  share: number;
}

export interface LeverStep {
  /** +1 up, −1 down. */
  direction: 1 | -1;
  value: number;
  admitted: number;
  entered: number;
  left: number;
  pools: Array<{ pool: string; cutoff: number | null; shift: number | null; admitted: number }>;
  groups: Array<GroupShare & { shareShift: number }>;
}

export interface Lever {
  parameter: NumericParameter;
  /** null: the step would leave the parameter's bounds or make the standard invalid. */
  up: LeverStep | null;
  down: LeverStep | null;
  /** The larger number of applicants who change side (entered + left) of the two steps: what the ranking uses. */
  moved: number;
  /** The largest move of a pool's cut-off, of either step. */
  largestCutoffShift: number;
  /** The largest change of a group's share of the admitted (0–1), of either step. */
  largestShareShift: number;
}

export interface LeversResult {
  programId: Id;
  groupFact?: Id;
  baseline: {
    applicants: number;
    admitted: number;
    pools: Array<{ pool: string; cutoff: number | null; admitted: number }>;
    groups: GroupShare[];
  };
  /** Ranked: most applicants moved first, then the largest cut-off shift, the largest share shift, the table's order. */
  levers: Lever[];
  /** Versions run (two per parameter, less those out of bounds). */
  evaluations: number;
}

export interface LeversInput {
  doc: StandardDocument;
  evaluator: OutcomeEvaluator;
  /** The fact whose groups' shares are reported (it must be among the evaluator's groupBy). */
  groupFact?: Id;
  /** Default: every parameter of the program. */
  parameters?: NumericParameter[];
}

export function groupShares(outcome: Outcome, fact: Id | undefined): GroupShare[] {
  const group = fact === undefined ? undefined : outcome.groups.find((g) => g.fact === fact);
  if (!group) return [];
  return group.values.map((v) => ({ ...v, share: outcome.admitted ? v.admitted / outcome.admitted : 0 }));
}

/** Whether a stepped version is still a valid standard (bounds keep it so; the validator has the last word). */
export function isValidStandard(doc: StandardDocument): boolean {
  return validateDocument(doc).ok;
}

export function computeLevers(input: LeversInput): LeversResult {
  const { doc, evaluator, groupFact } = input;
  const programId = evaluator.options.programId;
  const parameters = input.parameters ?? listParameters(doc, { program: programId });
  const base = evaluator.baseline;
  const baseShares = groupShares(base, groupFact);
  const cutoffOf = new Map(base.pools.map((p) => [p.pool, p.cutoff]));
  const shareOf = new Map(baseShares.map((g) => [g.value, g.share]));
  const runsBefore = evaluator.runs;

  const step = (parameter: NumericParameter, direction: 1 | -1): LeverStep | null => {
    const value = steppedValue(parameter, direction);
    if (value === undefined) return null;
    const stepped = withParameter(doc, parameter, value);
    if (!isValidStandard(stepped)) return null;
    const outcome = evaluator.run(stepped);
    return {
      direction,
      value,
      admitted: outcome.admitted,
      entered: outcome.entered,
      left: outcome.left,
      pools: outcome.pools.map((p) => {
        const before = cutoffOf.get(p.pool) ?? null;
        return { pool: p.pool, cutoff: p.cutoff, admitted: p.admitted, shift: before !== null && p.cutoff !== null ? p.cutoff - before : null };
      }),
      groups: groupShares(outcome, groupFact).map((g) => ({ ...g, shareShift: g.share - (shareOf.get(g.value) ?? 0) })),
    };
  };

  const levers = parameters.map((parameter, order) => {
    const up = step(parameter, 1);
    const down = step(parameter, -1);
    const steps = [up, down].filter((s): s is LeverStep => s !== null);
    const lever: Lever & { order: number } = {
      parameter,
      up,
      down,
      moved: Math.max(0, ...steps.map((s) => s.entered + s.left)),
      largestCutoffShift: Math.max(0, ...steps.flatMap((s) => s.pools.map((p) => Math.abs(p.shift ?? 0)))),
      largestShareShift: Math.max(0, ...steps.flatMap((s) => s.groups.map((g) => Math.abs(g.shareShift)))),
      order,
    };
    return lever;
  });
  levers.sort((a, b) => b.moved - a.moved || b.largestCutoffShift - a.largestCutoffShift || b.largestShareShift - a.largestShareShift || a.order - b.order);
  return {
    programId,
    ...(groupFact !== undefined ? { groupFact } : {}),
    baseline: {
      applicants: base.applicants,
      admitted: base.admitted,
      pools: base.pools.map((p) => ({ pool: p.pool, cutoff: p.cutoff, admitted: p.admitted })),
      groups: baseShares,
    },
    levers: levers.map(({ order: _order, ...lever }) => lever),
    evaluations: evaluator.runs - runsBefore,
  };
}
