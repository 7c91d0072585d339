/**
 * The compiled path's fast form: one JavaScript function per document and program, built from code text that
 * contains only engine-made identifiers, operators and indices. Every value from the document (ids, literals,
 * points, caps, comparators) reaches the function as an element of a constants array, never as code text, and
 * `assertSafeSource` refuses any text with a quote, a backtick, `$` or an identifier the generator did not make.
 * One function (rather than a tree of closures) lets V8 keep each property read and call monomorphic.
 */
import type { Condition, FactCondition, Id, StandardDocument } from "../../rules-schema/types";
import { booleanKind, compileCondition, isFactReference, resolvePath } from "./conditions";
import type { EvaluationDate } from "./dates";
import type { ApplicantScope, FactTable } from "./facts";
import { operatorFor } from "./operators";
import { accrualPoints, capMagnitude, exact, isNumber, linearPoints, matchingBand } from "./points";
import type { CompactScore } from "../types";
import { Constants } from "./codegen-constants";

export type ProgramScorer = (scope: ApplicantScope, date: EvaluationDate) => CompactScore;

export interface CodegenInput {
  doc: StandardDocument;
  table: FactTable;
  applicable: boolean[];
  /** Closures for perRecord items (records loops stay closures). */
  recordScorer: (index: number) => (scope: ApplicantScope, date: EvaluationDate) => number;
  gates: Array<{ id: Id; condition: Condition }>;
  vetoes: Condition[];
  groups: Array<{ mode: "highestOnly" | "cap"; cap?: number; members: number[] }>;
  itemCategory: number[];
  categoryCaps: Array<number | undefined>;
  firstCategorySlot: number[];
  floor?: number;
  ceiling?: number;
  /** The total after its percentages and multipliers (decision 023), when the program has any. */
  adjustTotal?: (total: number, scope: ApplicantScope) => number;
}

const KEYWORDS = new Set([
  "const", "let", "return", "function", "if", "else", "new", "Array", "true", "false", "undefined", "null",
  "s", "when", "v", "d", "items", "cats", "p", "x", "y", "total", "failedGates", "vetoed", "push", "length",
  "eligible", "categories", "values", "derived", "c", "score",
  "load", "f", "k", "h", "call", "typeof", "object", "t",
]);

/** Refuses generated text that could carry anything but engine-made code. */
export function assertSafeSource(source: string): void {
  if (/["'`$\\]/.test(source)) throw new Error("generated scorer contains a quote, backtick, $ or backslash");
  for (const word of source.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
    if (!KEYWORDS.has(word) && !/^(c|g)\d+$/.test(word)) throw new Error(`generated scorer contains an unexpected word: ${word}`);
  }
}

export function generateProgramScorer(input: CodegenInput): { scorer: ProgramScorer; source: string } {
  const { doc, table } = input;
  const k = new Constants();
  const exactName = k.ref(exact);
  const capName = k.ref(capMagnitude);
  const isNumberName = k.ref(isNumber);

  const read = (id: Id): string => {
    const slot = table.slot(id);
    if (slot.kind === "declared") return `v[${slot.index}]`;
    if (slot.kind === "derived") return `d[${slot.index}]`;
    if (slot.kind === "list") return k.ref(slot.value);
    return `${k.ref(table.read(id))}(s)`;
  };
  const withPath = (expression: string, path: string | undefined): string => {
    if (!path) return expression;
    const resolve = (value: unknown) => (value !== null && typeof value === "object" ? resolvePath(value, path) : value);
    return `${k.ref(resolve)}(${expression})`;
  };
  const condition = (node: Condition): string => {
    const kind = booleanKind(node);
    if (kind === "all" || kind === "any") {
      const children = ((node as unknown as Record<string, Condition[]>)[kind]).map(condition);
      if (children.length === 0) return "true";
      return `(${children.join(kind === "all" ? " && " : " || ")})`;
    }
    if (kind === "not") return `!(${condition((node as { not: Condition }).not)})`;
    const fact = node as FactCondition;
    // guard(t) && evaluate(t, value, context): the operator's own two functions, called from their own sites.
    const { operator, context } = operatorFor(String(fact.operator), table.levels(fact.fact));
    const left = withPath(read(fact.fact), fact.path);
    if (operator.name === "atLeastLevel" && context?.rank && typeof fact.value === "string") {
      // A fixed level: its rank is known now, so only the fact's own level is looked up (the operator's own
      // semantics: a fact that is not text or not a declared level, or a level that is not declared, is false).
      const required = context.rank.get(fact.value) ?? -1;
      if (required < 0) return `(t = ${left}, false)`;
      const rank = context.rank;
      const levelOf = (level: string): number => rank.get(level) ?? -1;
      return `(t = ${left}, ${k.ref(operator.guard)}(t) && ${k.ref(levelOf)}(t) >= ${required})`;
    }
    const guard = k.ref(operator.guard);
    const evaluate = k.ref(operator.evaluate);
    const right = isFactReference(fact.value) ? withPath(read(fact.value.fact), fact.value.path) : k.ref(fact.value);
    const contextArgument = context === undefined ? "" : `, ${k.ref(context)}`;
    return `(t = ${left}, ${guard}(t) && ${evaluate}(t, ${right}${contextArgument}))`;
  };
  const checked = (node: Condition): string => {
    compileCondition(node, table.applicantContext()); // same validation and errors as the closure form
    return condition(node);
  };

  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  out("return function score(s, when) {");
  out("const v = s.values, d = s.derived;");
  out(`const items = new Array(${doc.items.length});`);
  out("let p = 0, x = 0, y = 0, t;");
  doc.items.forEach((item, index) => {
    if (!input.applicable[index]) {
      out(`items[${index}] = 0;`);
      return;
    }
    out("p = 0;");
    out(`if (${item.when ? checked(item.when) : "true"}) {`);
    const scoring = item.scoring;
    switch (scoring.kind) {
      case "fixed":
        out(`p = ${k.ref(scoring.points)};`);
        break;
      case "tiers": {
        const points = k.ref(scoring.tiers.map((tier) => tier.points));
        out("x = -1;");
        scoring.tiers.forEach((tier, tierIndex) => {
          out(`if ((x < 0 || ${points}[${tierIndex}] > ${points}[x]) && ${checked(tier.when)}) x = ${tierIndex};`);
        });
        out(`p = x < 0 ? 0 : ${points}[x];`);
        break;
      }
      case "bands": {
        const band = (value: unknown) => {
          const found = matchingBand(scoring, value);
          return found < 0 ? 0 : scoring.bands[found].points;
        };
        out(`p = ${k.ref(band)}(${read(scoring.fact)});`);
        break;
      }
      case "linear":
      case "accrual": {
        const points =
          scoring.kind === "linear" ? (value: number) => linearPoints(scoring, value) : (value: number) => accrualPoints(scoring, value);
        out(`y = ${read(scoring.fact)};`);
        out(`p = ${isNumberName}(y) ? ${k.ref(points)}(y) : 0;`);
        break;
      }
      case "perRecord":
        out(`p = ${k.ref(input.recordScorer(index))}(s, when);`);
        break;
    }
    if (item.vesting) {
      out(`y = ${read(item.vesting.fact)};`);
      out(`if (!(${isNumberName}(y) && y >= ${k.ref(item.vesting.atLeast)})) p = 0;`);
    }
    out(item.cap !== undefined ? `p = ${exactName}(${capName}(p, ${k.ref(item.cap)}));` : `p = ${exactName}(p);`);
    out("}");
    out(`items[${index}] = p;`);
  });

  input.groups.forEach((group, g) => {
    const members = group.members;
    out(`let g${g} = 0;`);
    if (group.mode === "highestOnly") {
      out(`x = ${members[0]};`);
      for (let m = 1; m < members.length; m++) out(`if (items[${members[m]}] > items[x]) x = ${members[m]};`);
      for (const member of members) out(`if (x !== ${member}) items[${member}] = 0;`);
    } else {
      out("y = 0;");
      for (const member of members) out(`y = ${exactName}(y + items[${member}]);`);
      out(`x = ${capName}(y, ${k.ref(group.cap)});`);
      out(`if (x !== y) g${g} = ${exactName}(x - y);`);
    }
  });

  const categoryCount = doc.categories.length;
  out(`const cats = new Array(${categoryCount});`);
  for (let c = 0; c < categoryCount; c++) out(`cats[${c}] = 0;`);
  input.itemCategory.forEach((category, index) => {
    if (category >= 0) out(`cats[${category}] = ${exactName}(cats[${category}] + items[${index}]);`);
  });
  input.groups.forEach((group, g) => {
    const category = input.itemCategory[group.members[0]];
    if (group.mode === "cap" && category >= 0) out(`if (g${g} !== 0) cats[${category}] = ${exactName}(cats[${category}] + g${g});`);
  });
  out("let total = 0;");
  for (let c = 0; c < categoryCount; c++) {
    const first = input.firstCategorySlot[c];
    if (first !== c) out(`cats[${c}] = cats[${first}];`);
    else if (input.categoryCaps[c] !== undefined) out(`cats[${c}] = ${capName}(cats[${c}], ${k.ref(input.categoryCaps[c])});`);
    out(`total = ${exactName}(total + cats[${c}]);`);
  }
  if (input.adjustTotal) out(`total = ${k.ref(input.adjustTotal)}(total, s);`);
  if (input.floor !== undefined) out(`if (total < ${k.ref(input.floor)}) total = ${k.ref(input.floor)};`);
  if (input.ceiling !== undefined) out(`if (total > ${k.ref(input.ceiling)}) total = ${k.ref(input.ceiling)};`);
  out("const failedGates = [];");
  for (const gate of input.gates) out(`if (!(${checked(gate.condition)})) failedGates.push(${k.ref(gate.id)});`);
  out("let vetoed = false;");
  for (const veto of input.vetoes) out(`if (!vetoed && ${checked(veto)}) vetoed = true;`);
  out(`return { eligible: failedGates.length === 0 && !vetoed, vetoed: vetoed, failedGates: failedGates, items: items, categories: cats, total: ${exactName}(total) };`);
  out("};");

  const { value: scorer, source } = k.compile<ProgramScorer>(lines, assertSafeSource);
  return { scorer, source };
}

/**
 * A loader of declared facts: `values[i] = facts[ids[i]]`, or the fact's default when missing. Each read gets
 * its own site in the text, so it stays monomorphic; ids and defaults arrive as constants.
 */
export function generateFactLoader(
  ids: readonly string[],
  defaults: readonly unknown[],
  ownOnly: readonly boolean[],
): ((facts: unknown, values: unknown[]) => void) | undefined {
  const lines = ids.map((_, i) => {
    const get = ownOnly[i] ? `(h.call(f, k[${i}]) ? f[k[${i}]] : undefined)` : `f[k[${i}]]`;
    return `x = ${get}; v[${i}] = x === undefined || x === null ? (d[${i}] === undefined ? x : d[${i}]) : x;`;
  });
  const source = [
    "return function load(f, v) {",
    "let x;",
    "if (f === null || typeof f !== c) f = {};",
    ...lines,
    "};",
  ].join("\n");
  assertSafeSource(source);
  try {
    return new Function("k", "d", "h", "c", source)(ids, defaults, Object.prototype.hasOwnProperty, "object");
  } catch (error) {
    if (error instanceof EvalError) return undefined;
    throw error;
  }
}
