/**
 * Conditions as plain closures, with json-rules-engine's meaning: `all` of nothing holds, `any` of nothing
 * holds too (the engine resolves an empty list as true), `not` negates, and a fact condition holds when the
 * operator's guard accepts the fact value and the comparator returns true. A missing fact reads as undefined.
 */
import type { Condition, FactCondition, Id } from "../../rules-schema/types";
import { comparatorFor } from "./operators";

export type FactReader<Scope> = (scope: Scope) => unknown;
export type CompiledCondition<Scope> = (scope: Scope) => boolean;

export interface ConditionContext<Scope> {
  /** How to read a fact in this scope (applicant facts, derived facts, lists; or a record's fields). */
  read(factId: Id): FactReader<Scope>;
  /** The fact's declared enum order, for atLeastLevel. */
  levels(factId: Id): readonly string[] | undefined;
}

export class MalformedConditionError extends Error {
  readonly code = "engine.malformedCondition";
  constructor(message: string) {
    super(message);
  }
}

export function isFactReference(value: unknown): value is { fact: Id; path?: string } {
  return value !== null && typeof value === "object" && Object.prototype.hasOwnProperty.call(value, "fact");
}

/** Which boolean node a condition is, in json-rules-engine's order of precedence. */
export function booleanKind(condition: object): "any" | "all" | "not" | undefined {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(condition, key);
  if (has("any")) return "any";
  if (has("all")) return "all";
  if (has("not")) return "not";
  return undefined;
}

/**
 * The path resolver used by both paths (and given to json-rules-engine): `$.a.b`, `$.list[0]`, `$['key']`.
 * It reads own properties only, so a path can never reach prototype members.
 */
export function resolvePath(value: unknown, path: string): unknown {
  const segments = pathSegments(path);
  if (!segments) return undefined;
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

const pathCache = new Map<string, string[] | null>();

function pathSegments(path: string): string[] | null {
  const cached = pathCache.get(path);
  if (cached !== undefined) return cached;
  const segments: string[] = [];
  let rest = path.startsWith("$") ? path.slice(1) : path;
  let ok = true;
  while (rest.length > 0 && ok) {
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    const indexed = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\[(['"])(.*?)\1\]/.exec(rest);
    const match = dotted ?? indexed ?? quoted;
    if (!match) ok = false;
    else {
      segments.push(quoted ? quoted[2] : match[1]);
      rest = rest.slice(match[0].length);
    }
  }
  const result = ok ? segments : null;
  if (pathCache.size < 10_000) pathCache.set(path, result);
  return result;
}

function readWithPath<Scope>(reader: FactReader<Scope>, path: string | undefined): FactReader<Scope> {
  if (!path) return reader;
  return (scope) => {
    const value = reader(scope);
    return value !== null && typeof value === "object" ? resolvePath(value, path) : value;
  };
}

export function compileCondition<Scope>(condition: Condition, context: ConditionContext<Scope>): CompiledCondition<Scope> {
  if (condition === null || typeof condition !== "object") {
    throw new MalformedConditionError("A condition must be an object");
  }
  const kind = booleanKind(condition);
  if (kind === "all" || kind === "any") {
    const list = (condition as unknown as Record<string, unknown>)[kind];
    if (!Array.isArray(list)) throw new MalformedConditionError(`"${kind}" must be an array`);
    const children = (list as Condition[]).map((child) => compileCondition(child, context));
    if (children.length === 0) return () => true;
    if (children.length === 1) return children[0];
    if (kind === "all") {
      return (scope) => {
        for (let i = 0; i < children.length; i++) if (!children[i](scope)) return false;
        return true;
      };
    }
    return (scope) => {
      for (let i = 0; i < children.length; i++) if (children[i](scope)) return true;
      return false;
    };
  }
  if (kind === "not") {
    const inner = (condition as { not: unknown }).not;
    if (Array.isArray(inner)) throw new MalformedConditionError('"not" cannot be an array');
    const child = compileCondition(inner as Condition, context);
    return (scope) => !child(scope);
  }
  return compileFactCondition(condition as FactCondition, context);
}

function compileFactCondition<Scope>(condition: FactCondition, context: ConditionContext<Scope>): CompiledCondition<Scope> {
  for (const key of ["fact", "operator", "value"] as const) {
    if (!Object.prototype.hasOwnProperty.call(condition, key)) {
      throw new MalformedConditionError(`Condition: "${key}" property required`);
    }
  }
  const compare = comparatorFor(String(condition.operator), context.levels(condition.fact));
  const readFact = readWithPath(context.read(condition.fact), condition.path);
  const value = condition.value;
  if (isFactReference(value)) {
    const readValue = readWithPath(context.read(value.fact), value.path);
    return (scope) => compare(readFact(scope), readValue(scope));
  }
  return (scope) => compare(readFact(scope), value);
}

/** Every fact id a condition reads (its facts and the facts its values refer to). */
export function factsReadBy(condition: Condition | undefined, into: Set<Id> = new Set()): Set<Id> {
  if (!condition || typeof condition !== "object") return into;
  const kind = booleanKind(condition);
  if (kind === "all" || kind === "any") {
    const list = (condition as unknown as Record<string, unknown>)[kind];
    if (Array.isArray(list)) for (const child of list as Condition[]) factsReadBy(child, into);
  } else if (kind === "not") {
    factsReadBy((condition as { not: Condition }).not, into);
  } else {
    const fact = condition as FactCondition;
    into.add(fact.fact);
    if (isFactReference(fact.value)) into.add(fact.value.fact);
  }
  return into;
}
