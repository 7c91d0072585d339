/**
 * Goal search (issue 24, part 3): the officer states goals (a group's share of the admitted, how far a pool's cut-off
 * may move, how much of its admitted a group may lose) and which numbers may move within which bounds and steps; the
 * search proposes up to five versions that meet every goal with the fewest and smallest changes, or says that the
 * goals cannot be met together and which goal binds.
 *
 * The search, deterministic for a seed (the seed only orders numbers whose effects tie):
 * 0. each number moved each way by a fifth of its value (at least one step), and by its whole value when no fifth
 *    helps: which moves bring the goals nearer;
 * 1. the eight that bring them nearest, alone: doubled until the goals are met (or the bound), then halved back to
 *    the smallest move that meets them;
 * 2. from the closest versions found, one more of those eight at a time (the move that brings the goals nearest
 *    for its size), up to `maxChanges` numbers;
 * 3. every version that meets the goals is then trimmed: each change taken back as far as the goals allow.
 * A version meets a goal only as the outcome evaluator measured it; nothing is extrapolated. Within its budget of
 * versions run, the search is not exhaustive: "cannot be met" means not by the moves it tried, and it says so.
 */
import type { Id, StandardDocument } from "../../rules-schema/types";
import { mulberry32, seedNumber } from "../prng";
import { isValidStandard } from "./levers";
import { admittedShare, type Outcome, type OutcomeEvaluator } from "./outcome";
import { listParameters, roundValue, withParameter, type NumericParameter } from "./parameters";

export type Goal =
  /** The admitted whose fact has one of `values` make up at least / at most this share (0–1) of all admitted. */
  | { kind: "share"; fact: Id; values: string[]; atLeast?: number; atMost?: number }
  /** No pool's cut-off moves by more than this many points (either way) from the baseline's. */
  | { kind: "cutoffShift"; atMost: number }
  /** No group of the fact loses more than this share (0–1) of the admitted it had under the baseline. */
  | { kind: "groupLoss"; fact: Id; atMost: number };

/** A number the search may move, optionally within narrower bounds or with another step than its own. */
export interface Movable {
  pointer: string;
  min?: number;
  max?: number;
  step?: number;
}

export interface GoalCheck {
  met: boolean;
  /** The measured value: a share (0–1), a cut-off shift in points, a loss (0–1). */
  value: number;
  /** How far from the goal, in the goal's units (0 when met). */
  shortfall: number;
  /** For cutoffShift and groupLoss: the pool or group where the value was measured. */
  where?: string;
}

export interface ParameterChange {
  pointer: string;
  parameter: NumericParameter;
  from: number;
  to: number;
  /** Steps of the parameter's step (negative: down). */
  steps: number;
}

export interface CandidateTable {
  changes: ParameterChange[];
  doc: StandardDocument;
  outcome: Outcome;
  checks: GoalCheck[];
}

export interface GoalSearchResult {
  /** "met": candidates found; "alreadyMet": the version meets every goal as it is; "notMet": none found. */
  status: "met" | "alreadyMet" | "notMet";
  baselineChecks: GoalCheck[];
  /** Best first: fewest numbers changed, then the smallest changes. */
  candidates: CandidateTable[];
  /**
   * When not met: the goals without which the others were met by a version the search ran (relaxing any one of them
   * is enough), the one that needs relaxing least first; when no version met all but one, the goal furthest from
   * being met in the closest version.
   */
  binding: number[];
  /** For each binding goal (same order): the value it would have to allow for the others to be met (a share, points, a loss). */
  relaxations: Array<{ goal: number; value: number }>;
  /** Goals no version the search ran met, even alone. */
  neverMet: number[];
  /** When not met: the closest version found (least total shortfall). */
  closest?: CandidateTable;
  evaluations: number;
  /** The search stopped because it ran `maxEvaluations` versions. */
  budgetExhausted: boolean;
}

export interface GoalSearchInput {
  doc: StandardDocument;
  evaluator: OutcomeEvaluator;
  goals: Goal[];
  /** Default: every number of the program. */
  movable?: Movable[];
  seed?: string | number;
  /** At most this many candidates (default 5). */
  limit?: number;
  /** At most this many numbers changed together (default 3). */
  maxChanges?: number;
  /** At most this many versions run (default 300). */
  maxEvaluations?: number;
}

export class GoalSearchInputError extends Error {
  readonly code = "goalSearchInput";
  constructor(
    readonly text: { zh: string; en: string },
    readonly path: string,
  ) {
    super(text.en);
  }
}

/** Unit of a goal's shortfall for adding goals together: one percentage point, one point of cut-off. */
const SCALE: Record<Goal["kind"], number> = { share: 0.01, cutoffShift: 1, groupLoss: 0.01 };

/** How the outcome stands against each goal, compared with the baseline outcome. */
export function checkGoals(goals: readonly Goal[], outcome: Outcome, baseline: Outcome): GoalCheck[] {
  return goals.map((goal) => {
    switch (goal.kind) {
      case "share": {
        const value = admittedShare(outcome, goal.fact, goal.values);
        const shortfall = Math.max(0, (goal.atLeast ?? -Infinity) - value) + Math.max(0, value - (goal.atMost ?? Infinity));
        return { met: shortfall <= 1e-12, value, shortfall: shortfall <= 1e-12 ? 0 : shortfall };
      }
      case "cutoffShift": {
        const before = new Map(baseline.pools.map((p) => [p.pool, p.cutoff]));
        let value = 0;
        let where: string | undefined;
        for (const pool of outcome.pools) {
          const b = before.get(pool.pool);
          if (b === null || b === undefined || pool.cutoff === null) continue;
          const shift = Math.abs(pool.cutoff - b);
          if (shift > value) [value, where] = [shift, pool.pool];
        }
        const shortfall = Math.max(0, value - goal.atMost);
        return { met: shortfall === 0, value, shortfall, ...(where !== undefined ? { where } : {}) };
      }
      case "groupLoss": {
        const before = baseline.groups.find((g) => g.fact === goal.fact)?.values ?? [];
        const after = new Map((outcome.groups.find((g) => g.fact === goal.fact)?.values ?? []).map((v) => [v.value, v.admitted]));
        let value = 0;
        let where: string | undefined;
        for (const group of before) {
          if (group.admitted === 0) continue;
          const loss = (group.admitted - (after.get(group.value) ?? 0)) / group.admitted;
          if (loss > value) [value, where] = [loss, group.value];
        }
        const shortfall = Math.max(0, value - goal.atMost);
        return { met: shortfall <= 1e-12, value, shortfall: shortfall <= 1e-12 ? 0 : shortfall, ...(where !== undefined ? { where } : {}) };
      }
    }
  });
}

/** The facts whose groups the goals read: the evaluator must count them (its groupBy). */
export function goalFacts(goals: readonly Goal[]): Id[] {
  return [...new Set(goals.flatMap((g) => (g.kind === "cutoffShift" ? [] : [g.fact])))];
}

const violation = (goals: readonly Goal[], checks: readonly GoalCheck[]) => checks.reduce((sum, c, k) => sum + c.shortfall / SCALE[goals[k].kind], 0);

/** A version as the numbers moved: parameter index → steps. */
type Moves = Map<number, number>;

interface Tried {
  moves: Moves;
  doc: StandardDocument;
  outcome: Outcome;
  checks: GoalCheck[];
  violation: number;
}

export function searchGoals(input: GoalSearchInput): GoalSearchResult {
  const { doc, evaluator, goals } = input;
  const limit = input.limit ?? 5;
  const maxChanges = input.maxChanges ?? 3;
  const budget = input.maxEvaluations ?? 300;
  checkInput(doc, evaluator, goals);
  const parameters = movableParameters(doc, evaluator.options.programId, input.movable);
  const baseline = evaluator.baseline;
  const baselineChecks = checkGoals(goals, baseline, baseline);
  const base: Omit<GoalSearchResult, "status"> = { baselineChecks, candidates: [], binding: [], relaxations: [], neverMet: [], evaluations: 0, budgetExhausted: false };
  if (baselineChecks.every((c) => c.met)) return { status: "alreadyMet", ...base };

  // The seed orders the numbers; everything after is a function of that order and the outcomes.
  const random = mulberry32(seedNumber(input.seed ?? 0));
  const order = parameters.map((_, k) => ({ k, r: random() })).sort((a, b) => a.r - b.r).map((x) => x.k);

  const tried = new Map<string, Tried>();
  const invalid = new Set<string>();
  const keyOf = (moves: Moves) => [...moves.entries()].filter(([, s]) => s !== 0).sort((a, b) => a[0] - b[0]).map(([k, s]) => `${k}:${s}`).join(",");
  let evaluations = 0;
  let exhausted = false;
  const valueAt = (k: number, steps: number) => roundValue(parameters[k].value + steps * parameters[k].step);
  const inBounds = (k: number, steps: number) => {
    const v = valueAt(k, steps);
    return v >= parameters[k].min && v <= parameters[k].max;
  };
  /** Runs the version with these moves (once; remembered), or undefined when out of bounds, invalid or out of budget. */
  const run = (moves: Moves): Tried | undefined => {
    const key = keyOf(moves);
    const known = tried.get(key);
    if (known) return known;
    if (invalid.has(key)) return undefined;
    for (const [k, s] of moves) if (!inBounds(k, s)) return undefined;
    if (evaluations >= budget) {
      exhausted = true;
      return undefined;
    }
    let version = doc;
    for (const [k, s] of moves) if (s !== 0) version = withParameter(version, parameters[k], valueAt(k, s));
    if (!isValidStandard(version)) {
      invalid.add(key);
      return undefined;
    }
    evaluations++;
    const outcome = evaluator.run(version);
    const checks = checkGoals(goals, outcome, baseline);
    const result = { moves: new Map(moves), doc: version, outcome, checks, violation: violation(goals, checks) };
    tried.set(key, result);
    return result;
  };
  const meets = (t: Tried | undefined): boolean => t !== undefined && t.checks.every((c) => c.met);
  const baseViolation = violation(goals, baselineChecks);

  // 0. A probe of each number each way (a fifth of its value, at least one step): which moves help at all.
  const reach = (k: number, direction: 1 | -1) => {
    const p = parameters[k];
    return Math.floor((direction > 0 ? p.max - p.value : p.value - p.min) / p.step + 1e-9);
  };
  const probeOf = (k: number, share: number) => Math.max(1, Math.round((Math.abs(parameters[k].value) * share) / parameters[k].step));
  const promising: Array<{ k: number; direction: 1 | -1; probe: number; best: Tried }> = [];
  // When no fifth helps (a number small beside the totals), the whole value once more.
  for (const share of [0.2, 1]) {
    for (const k of order) {
      for (const direction of [1, -1] as const) {
        const probe = Math.min(probeOf(k, share), reach(k, direction));
        if (probe < 1) continue;
        const t = run(new Map([[k, direction * probe]]));
        if (t && t.violation < baseViolation) promising.push({ k, direction, probe, best: t });
      }
      if (exhausted) break;
    }
    if (promising.length > 0 || exhausted) break;
  }
  // Stable: equal improvements keep the seeded order.
  promising.sort((a, b) => a.best.violation - b.best.violation);
  const leading = promising.slice(0, 8);

  // 1. The leading moves alone: further until the goals are met, then back to the smallest move that meets them.
  for (const move of leading) {
    const { k, direction } = move;
    const furthest = reach(k, direction);
    let lastUnmet = 0;
    let steps = move.probe;
    let t: Tried | undefined = move.best;
    while (t && !meets(t) && steps < furthest && !exhausted) {
      lastUnmet = steps;
      steps = Math.min(steps * 2, furthest);
      t = run(new Map([[k, direction * steps]]));
      if (t && t.violation < move.best.violation) move.best = t;
    }
    if (t && meets(t)) move.best = smallestMeeting(k, direction, lastUnmet, steps, t);
  }
  function smallestMeeting(k: number, direction: 1 | -1, unmet: number, met: number, found: Tried): Tried {
    let lo = unmet;
    let hi = met;
    let best = found;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const t = run(new Map([[k, direction * mid]]));
      if (t && meets(t)) [hi, best] = [mid, t];
      else if (t) lo = mid;
      else break;
    }
    return best;
  }

  // 2. From the closest single moves, one more number at a time (the move that brings the goals nearest per size).
  if (maxChanges >= 2) {
    const starts = leading.filter((l) => !meets(l.best)).sort((a, b) => a.best.violation - b.best.violation).slice(0, limit);
    for (const start of starts) {
      let state = start.best;
      for (let round = 1; round < maxChanges && !meets(state) && !exhausted; round++) {
        let next: Tried | undefined;
        let nextRate = 0;
        for (const { k, direction, probe } of leading) {
          if (state.moves.has(k)) continue;
          const furthest = reach(k, direction);
          for (const factor of [0.5, 1, 2, 4]) {
            const steps = Math.min(furthest, Math.max(1, Math.round(probe * factor)));
            const moves = new Map(state.moves);
            moves.set(k, direction * steps);
            const t = run(moves);
            if (!t) break;
            const rate = (state.violation - t.violation) / Math.sqrt(steps / probe);
            if ((meets(t) && (!next || !meets(next))) || (!(next && meets(next)) && rate > nextRate)) [next, nextRate] = [t, rate];
            if (meets(t) || steps === furthest) break;
          }
          if (exhausted) break;
        }
        if (!next) break;
        state = next;
      }
    }
  }

  // 3. Trim each version that meets the goals, and keep the distinct ones, fewest and smallest changes first.
  const meeting = [...tried.values()].filter((t) => meets(t)).sort((a, b) => size(a) - size(b) || a.violation - b.violation);
  const trimmed = new Map<string, Tried>();
  for (const t of meeting.slice(0, limit * 4)) {
    const lean = trim(t);
    trimmed.set(keyOf(lean.moves), lean);
  }
  function trim(t: Tried): Tried {
    let current = t;
    for (const [k, s] of [...t.moves.entries()].sort((a, b) => Math.abs(a[1]) - Math.abs(b[1]))) {
      // Take this change back as far as the goals allow (halving towards the baseline value).
      let lo = 0;
      let hi = Math.abs(s);
      while (hi - lo > 0) {
        const mid = (lo + hi) >> 1;
        const moves = new Map(current.moves);
        if (mid === 0) moves.delete(k);
        else moves.set(k, Math.sign(s) * mid);
        const u = run(moves);
        if (u && meets(u)) [hi, current] = [mid, u];
        else lo = mid + 1;
        if (!u) break;
      }
    }
    return current;
  }
  function size(t: Tried): number {
    let relative = 0;
    for (const [k, s] of t.moves) relative += Math.abs(s * parameters[k].step) / Math.max(Math.abs(parameters[k].value), parameters[k].step);
    return t.moves.size * 1000 + relative;
  }
  const toTable = (t: Tried): CandidateTable => ({
    changes: [...t.moves.entries()]
      .filter(([, s]) => s !== 0)
      .sort((a, b) => a[0] - b[0])
      .map(([k, s]) => ({ pointer: parameters[k].pointer, parameter: parameters[k], from: parameters[k].value, to: valueAt(k, s), steps: s })),
    doc: t.doc,
    outcome: t.outcome,
    checks: t.checks,
  });
  const candidates = [...trimmed.values()].sort((a, b) => size(a) - size(b) || a.violation - b.violation || keyOf(a.moves).localeCompare(keyOf(b.moves))).slice(0, limit).map(toTable);
  if (candidates.length > 0) return { status: "met", ...base, candidates, evaluations, budgetExhausted: exhausted };

  // Not met: which goal binds.
  const all = [...tried.values()];
  const states = [{ checks: baselineChecks, violation: baseViolation }, ...all];
  const relaxations: Array<{ goal: number; value: number; shortfall: number }> = [];
  goals.forEach((goal, g) => {
    let best: GoalCheck | undefined;
    for (const t of states) {
      if (!t.checks.every((c, k) => k === g || c.met)) continue;
      if (!best || t.checks[g].shortfall < best.shortfall) best = t.checks[g];
    }
    if (best) relaxations.push({ goal: g, value: best.value, shortfall: best.shortfall / SCALE[goal.kind] });
  });
  relaxations.sort((a, b) => a.shortfall - b.shortfall || a.goal - b.goal);
  const binding = relaxations.map((r) => r.goal);
  const neverMet = goals.map((_, g) => g).filter((g) => !states.some((t) => t.checks[g].met));
  const closestTried = all.sort((a, b) => a.violation - b.violation)[0];
  if (binding.length === 0) {
    const reference = closestTried?.checks ?? baselineChecks;
    let worst = 0;
    reference.forEach((c, g) => {
      if (c.shortfall / SCALE[goals[g].kind] > reference[worst].shortfall / SCALE[goals[worst].kind]) worst = g;
    });
    binding.push(worst);
  }
  return {
    status: "notMet",
    ...base,
    binding,
    relaxations: relaxations.map(({ goal, value }) => ({ goal, value })),
    neverMet,
    ...(closestTried ? { closest: toTable(closestTried) } : {}),
    evaluations,
    budgetExhausted: exhausted,
  };
}

function checkInput(doc: StandardDocument, evaluator: OutcomeEvaluator, goals: readonly Goal[]): void {
  if (goals.length === 0) throw new GoalSearchInputError({ zh: "请至少给出一个目标。", en: "Give at least one goal." }, "/goals");
  const counted = new Set(evaluator.options.groupBy ?? []);
  goals.forEach((goal, k) => {
    const path = `/goals/${k}`;
    if (goal.kind !== "cutoffShift" && !counted.has(goal.fact)) {
      throw new GoalSearchInputError({ zh: "目标所用的分组事实未计入测算。", en: "The goal's group fact is not counted by the evaluator." }, `${path}/fact`);
    }
    if (goal.kind !== "cutoffShift" && !doc.facts.some((f) => f.id === goal.fact) && !goal.fact.includes(".")) {
      throw new GoalSearchInputError({ zh: `标准中没有事实 “${goal.fact}”。`, en: `The standard has no fact "${goal.fact}".` }, `${path}/fact`);
    }
    const numbers = goal.kind === "share" ? [goal.atLeast, goal.atMost] : [goal.atMost];
    for (const n of numbers) {
      if (n !== undefined && (!Number.isFinite(n) || n < 0 || (goal.kind !== "cutoffShift" && n > 1))) {
        throw new GoalSearchInputError(
          goal.kind === "cutoffShift"
            ? { zh: "分数线变动上限须为不小于 0 的分数。", en: "The largest cut-off move must be a number of points of at least 0." }
            : { zh: "比例须在 0 到 100% 之间。", en: "A share must lie between 0 and 100%." },
          path,
        );
      }
    }
    if (goal.kind === "share" && goal.atLeast === undefined && goal.atMost === undefined) {
      throw new GoalSearchInputError({ zh: "比例目标须给出下限或上限。", en: "A share goal needs an at-least or an at-most." }, path);
    }
    if (goal.kind === "share" && goal.values.length === 0) {
      throw new GoalSearchInputError({ zh: "比例目标须选择至少一个取值。", en: "A share goal needs at least one value." }, `${path}/values`);
    }
  });
}

/** The parameters the search may move: all of the program's, or those named, within the bounds and steps given. */
export function movableParameters(doc: StandardDocument, programId: Id, movable: Movable[] | undefined): NumericParameter[] {
  const all = listParameters(doc, { program: programId });
  if (movable === undefined) return all;
  return movable.map((m, k) => {
    const parameter = all.find((p) => p.pointer === m.pointer);
    if (!parameter) throw new GoalSearchInputError({ zh: "可调整的数值不在此标准的本项目中。", en: "A number to move is not one of this program's in the standard." }, `/movable/${k}/pointer`);
    const step = m.step ?? parameter.step;
    if (!Number.isFinite(step) || step <= 0) throw new GoalSearchInputError({ zh: "步长须大于 0。", en: "A step must be greater than 0." }, `/movable/${k}/step`);
    const min = Math.max(parameter.min, m.min ?? -Infinity);
    const max = Math.min(parameter.max, m.max ?? Infinity);
    if (min > parameter.value || max < parameter.value) {
      throw new GoalSearchInputError({ zh: "可调整范围须包含当前数值。", en: "The range to move within must include the current value." }, `/movable/${k}`);
    }
    return { ...parameter, step, min, max };
  });
}
