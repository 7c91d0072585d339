/**
 * Checks a JSON Schema cannot make: references between entries, duplicate ids, band arithmetic, cycles,
 * operator/type agreement. Runs only on a document that passed the schema, so shapes can be trusted.
 */
import { joinPointer, problem } from "./errors";
import { applicationFacts, checkPersons } from "./persons";
import type { ProblemCode, ValidationProblem } from "./errors";
import type {
  Condition,
  DerivedFact,
  FactDefinition,
  FactType,
  Lookback,
  Window,
  RankKey,
  Scoring,
  ScoringItem,
  StandardDocument,
} from "./types";

/** The type a reference resolves to: a declared fact type, or "list" for `list:<id>`. */
type ResolvedType = FactType | "list";

interface ResolvedFact {
  type: ResolvedType;
  values?: string[];
}

/** Where fact names in a condition are looked up: the document's facts, or the fields of one records fact. */
interface FactScope {
  resolve(name: string): ResolvedFact | undefined;
  unknown(name: string, path: string): ValidationProblem;
}

const NUMERIC_OPERATORS = new Set(["lessThan", "lessThanInclusive", "greaterThan", "greaterThanInclusive", "between"]);
const DATE_OPERATORS = new Set(["dateBefore", "dateOnOrAfter"]);
const CONTAINMENT_OPERATORS = new Set(["contains", "doesNotContain"]);
const isNumeric = (type: ResolvedType | undefined): boolean => type === "number" || type === "integer";

function derivedType(derived: DerivedFact): FactType {
  switch (derived.kind) {
    case "age":
    case "duration":
      return "integer";
    case "aggregate":
      return derived.op === "count" ? "integer" : "number";
    case "combine":
    case "periods":
      return "number";
  }
}

/** Stable text of a JSON value with sorted keys, to compare conditions. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return "{" + Object.keys(record).sort().map((k) => JSON.stringify(k) + ":" + canonical(record[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

/** A whole number that reads as a calendar year. */
const looksLikeYears = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1900 && (value as number) <= 2100;

export function checkSemantics(doc: StandardDocument): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const report = (code: ProblemCode, path: string, params: Record<string, unknown>): void => {
    problems.push(problem(code, path, params));
  };

  const facts = new Map<string, FactDefinition>();
  for (const fact of doc.facts) if (!facts.has(fact.id)) facts.set(fact.id, fact);
  const derived = new Map<string, DerivedFact>();
  for (const d of doc.derived ?? []) if (!derived.has(d.id)) derived.set(d.id, d);
  const lists = new Set((doc.lists ?? []).map((l) => l.id));
  const categories = new Map(doc.categories.map((c) => [c.id, c]));
  const items = new Map<string, ScoringItem>();
  for (const item of doc.items) if (!items.has(item.id)) items.set(item.id, item);
  const programs = new Set(doc.programs.map((p) => p.id));
  const gates = new Set((doc.gates ?? []).map((g) => g.id));

  // ---- duplicate ids -------------------------------------------------------------------------------
  const checkUnique = (entries: Array<{ id?: string } | undefined>, basePath: string, extraSeen?: Map<string, string>, idKey = "id"): void => {
    const seen = extraSeen ?? new Map<string, string>();
    entries.forEach((entry, index) => {
      const id = entry?.id;
      if (id === undefined) return;
      const path = joinPointer(basePath, index, idKey);
      const first = seen.get(id);
      if (first !== undefined) report("id.duplicate", path, { id, firstPath: first });
      else seen.set(id, path);
    });
  };
  const factNamespace = new Map<string, string>();
  checkUnique(doc.facts, "/facts", factNamespace);
  checkUnique(doc.derived ?? [], "/derived", factNamespace);
  checkUnique(doc.lists ?? [], "/lists");
  checkUnique(doc.notes ?? [], "/notes");
  checkUnique(doc.categories, "/categories");
  checkUnique(doc.items, "/items");
  checkUnique(doc.groups ?? [], "/groups");
  checkUnique(doc.gates ?? [], "/gates");
  checkUnique(doc.vetoes ?? [], "/vetoes");
  checkUnique(doc.programs, "/programs");
  checkUnique(doc.testCases ?? [], "/testCases");
  checkUnique(doc.rankingCases ?? [], "/rankingCases");

  // ---- fact definitions ----------------------------------------------------------------------------
  doc.facts.forEach((fact, index) => {
    const path = joinPointer("/facts", index);
    if (fact.values) {
      checkUnique(fact.values.map((v) => ({ id: v.value })), joinPointer(path, "values"), undefined, "value");
    }
    if (fact.fields) {
      checkUnique(fact.fields, joinPointer(path, "fields"));
      fact.fields.forEach((field, fieldIndex) => {
        if (field.type === "records") report("fact.nestedRecords", joinPointer(path, "fields", fieldIndex, "type"), { id: field.id });
      });
    }
  });

  // ---- scopes --------------------------------------------------------------------------------------
  const resolveDocumentFact = (name: string): ResolvedFact | undefined => {
    if (name.startsWith("list:")) return lists.has(name.slice(5)) ? { type: "list" } : undefined;
    const fact = facts.get(name);
    if (fact) return { type: fact.type, values: fact.values?.map((v) => v.value) };
    const d = derived.get(name);
    if (d) return { type: yieldsDate(d) ? "date" : derivedType(d) };
    return undefined;
  };
  /** A min/max combine over dates gives a date (decision 022). */
  const yieldsDate = (d: DerivedFact, depth = 0): boolean => {
    if (d.kind !== "combine" || (d.op !== "min" && d.op !== "max") || depth > 32) return false;
    return d.of.some((operand) => {
      if (typeof operand !== "string") return false;
      if (facts.get(operand)?.type === "date") return true;
      const other = derived.get(operand);
      return other !== undefined && yieldsDate(other, depth + 1);
    });
  };
  const documentScope: FactScope = {
    resolve: resolveDocumentFact,
    unknown: (name, path) =>
      name.startsWith("list:") ? problem("ref.unknownList", path, { id: name.slice(5) }) : problem("ref.unknownFact", path, { id: name }),
  };
  const recordScope = (records: FactDefinition): FactScope => ({
    resolve: (name) => {
      const field = records.fields?.find((f) => f.id === name);
      return field ? { type: field.type, values: field.values?.map((v) => v.value) } : undefined;
    },
    unknown: (name, path) => problem("ref.unknownRecordField", path, { id: name, records: records.id }),
  });

  /** A reference that must name a fact; returns its resolved type when known. */
  const checkFactReference = (name: string, path: string): ResolvedFact | undefined => {
    const resolved = resolveDocumentFact(name);
    if (!resolved) problems.push(documentScope.unknown(name, path));
    return resolved;
  };
  const checkNumericFact = (name: string, path: string): void => {
    const resolved = checkFactReference(name, path);
    if (resolved && !isNumeric(resolved.type)) report("ref.notNumeric", path, { id: name, type: resolved.type });
  };
  const checkDateFact = (name: string, path: string): void => {
    const resolved = checkFactReference(name, path);
    if (resolved && resolved.type !== "date") report("ref.notDate", path, { id: name, type: resolved.type });
  };
  /** The records fact named at `path`, reporting when it is unknown or not records. */
  const checkRecordsFact = (name: string, path: string): FactDefinition | undefined => {
    const fact = facts.get(name);
    if (!fact) {
      if (derived.has(name)) report("ref.notRecords", path, { id: name });
      else report("ref.unknownFact", path, { id: name });
      return undefined;
    }
    if (fact.type !== "records") {
      report("ref.notRecords", path, { id: name });
      return undefined;
    }
    return fact;
  };
  const checkField = (records: FactDefinition | undefined, name: string | undefined, path: string, needs?: "date" | "number"): void => {
    if (!records || name === undefined) return;
    const field = records.fields?.find((f) => f.id === name);
    if (!field) report("ref.unknownRecordField", path, { id: name, records: records.id });
    else if (needs === "date" && field.type !== "date") report("ref.notDate", path, { id: name, type: field.type });
    else if (needs === "number" && !isNumeric(field.type)) report("ref.notNumeric", path, { id: name, type: field.type });
  };
  const checkWindow = (within: Window | undefined, path: string): void => {
    if (!within) return;
    if (within.anchor !== undefined) checkDateFact(within.anchor, joinPointer(path, "anchor"));
    const calendar = within.calendarYears;
    if (!calendar) return;
    if (within.years !== undefined || within.months !== undefined) report("window.mixed", joinPointer(path, "calendarYears"), {});
    if (calendar.from > calendar.to) report("window.calendarOrder", joinPointer(path, "calendarYears"), { from: calendar.from, to: calendar.to });
  };
  const checkLookback = (records: FactDefinition | undefined, within: Lookback | undefined, path: string): void => {
    if (within) checkField(records, within.dateField, joinPointer(path, "dateField"), "date");
    checkWindow(within, path);
  };
  /** Whether a fact can be missing for some applicant: declared without a default, or derived from such a fact. */
  const canBeMissing = (name: string, seen = new Set<string>()): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    const fact = facts.get(name);
    if (fact) return fact.default === undefined;
    const d = derived.get(name);
    if (!d) return false;
    switch (d.kind) {
      case "age":
        return canBeMissing(d.birthDate, seen);
      case "duration":
        return canBeMissing(d.from, seen) || (d.to !== undefined && canBeMissing(d.to, seen));
      case "aggregate":
        return d.op === "min" || d.op === "max";
      case "combine":
        return d.of.some((operand) => typeof operand === "string" && canBeMissing(operand, seen));
      case "periods":
        return false;
    }
  };

  // ---- conditions ----------------------------------------------------------------------------------
  const checkCondition = (condition: Condition, path: string, scope: FactScope): void => {
    if ("all" in condition) {
      condition.all.forEach((c, i) => checkCondition(c, joinPointer(path, "all", i), scope));
      return;
    }
    if ("any" in condition) {
      condition.any.forEach((c, i) => checkCondition(c, joinPointer(path, "any", i), scope));
      return;
    }
    if ("not" in condition) {
      checkCondition(condition.not, joinPointer(path, "not"), scope);
      return;
    }
    const { fact: name, operator, value } = condition;
    const resolved = scope.resolve(name);
    if (!resolved) problems.push(scope.unknown(name, joinPointer(path, "fact")));
    const valueIsReference = value !== null && typeof value === "object" && !Array.isArray(value) && "fact" in value;
    if (valueIsReference) {
      const referenced = String((value as { fact: unknown }).fact);
      if (!scope.resolve(referenced)) problems.push(scope.unknown(referenced, joinPointer(path, "value", "fact")));
    }
    if (operator === "between" && Array.isArray(value) && looksLikeYears(value[0]) && looksLikeYears(value[1]) && value[0] < value[1]) {
      // [2012, 2014] for "2012 to 2014" silently drops 2014: between is half-open (decision 024).
      report("condition.betweenHalfOpen", joinPointer(path, "value"), { from: value[0], to: value[1], next: value[1] + 1 });
    }
    if (!resolved) return;
    const type = resolved.type;
    const operatorPath = joinPointer(path, "operator");
    const mismatch = (expected: string): void =>
      report("operator.typeMismatch", operatorPath, { fact: name, type, operator, expected });
    if (NUMERIC_OPERATORS.has(operator)) {
      if (!isNumeric(type)) mismatch("number");
    } else if (DATE_OPERATORS.has(operator)) {
      if (type !== "date") mismatch("date");
    } else if (CONTAINMENT_OPERATORS.has(operator)) {
      // json-rules-engine's contains needs an array fact; the only array facts are external lists.
      if (type !== "list") mismatch("list");
    } else if (operator === "atLeastLevel") {
      if (type !== "enum") report("operator.levelOnNonEnum", operatorPath, { fact: name, type, operator });
    } else if (operator !== "isPresent" && type === "records") {
      mismatch("a single value");
    }
    if (resolved.values && !valueIsReference) {
      const declared = resolved.values;
      const checkEnumValue = (candidate: unknown, at: string): void => {
        if (!declared.includes(candidate as string)) {
          report("condition.unknownEnumValue", at, { fact: name, value: candidate, allowed: declared });
        }
      };
      if (operator === "equal" || operator === "notEqual" || operator === "atLeastLevel") {
        checkEnumValue(value, joinPointer(path, "value"));
      } else if ((operator === "in" || operator === "notIn") && Array.isArray(value)) {
        value.forEach((v, i) => checkEnumValue(v, joinPointer(path, "value", i)));
      }
    }
  };

  const checkPrograms = (ids: string[] | undefined, path: string): void => {
    ids?.forEach((id, i) => {
      if (!programs.has(id)) report("ref.unknownProgram", joinPointer(path, i), { id });
    });
  };

  // ---- derived facts -------------------------------------------------------------------------------
  const derivedDependencies = new Map<string, string[]>();
  (doc.derived ?? []).forEach((d, index) => {
    const path = joinPointer("/derived", index);
    const dependencies: string[] = [];
    switch (d.kind) {
      case "age":
        checkDateFact(d.birthDate, joinPointer(path, "birthDate"));
        dependencies.push(d.birthDate);
        break;
      case "duration":
        checkDateFact(d.from, joinPointer(path, "from"));
        dependencies.push(d.from);
        if (d.to !== undefined) {
          checkDateFact(d.to, joinPointer(path, "to"));
          dependencies.push(d.to);
        }
        break;
      case "aggregate": {
        const records = checkRecordsFact(d.records, joinPointer(path, "records"));
        checkField(records, d.field, joinPointer(path, "field"), d.op === "count" ? undefined : "number");
        checkField(records, d.distinctBy, joinPointer(path, "distinctBy"));
        checkLookback(records, d.within, joinPointer(path, "within"));
        if (records && d.where) checkCondition(d.where, joinPointer(path, "where"), recordScope(records));
        dependencies.push(d.records);
        if (d.within?.anchor) dependencies.push(d.within.anchor);
        break;
      }
      case "combine": {
        const dates = (d.op === "min" || d.op === "max") && d.of.some((operand) => typeof operand === "string" && resolveDocumentFact(operand)?.type === "date");
        d.of.forEach((operand, i) => {
          const operandPath = joinPointer(path, "of", i);
          if (typeof operand === "string") {
            if (dates) {
              const resolved = checkFactReference(operand, operandPath);
              if (resolved && resolved.type !== "date") report("combine.mixedTypes", operandPath, { id: d.id });
            } else checkNumericFact(operand, operandPath);
            dependencies.push(operand);
            if (canBeMissing(operand)) report("combine.missingInput", operandPath, { id: d.id, operand });
          } else if (dates) report("combine.mixedTypes", operandPath, { id: d.id });
        });
        if (d.weights && (d.op !== "sum" || d.weights.length !== d.of.length)) {
          report("combine.weights", joinPointer(path, "weights"), { expected: d.op === "sum" ? d.of.length : 0, actual: d.weights.length });
        }
        break;
      }
      case "periods": {
        const records = checkRecordsFact(d.records, joinPointer(path, "records"));
        checkField(records, d.startField, joinPointer(path, "startField"), "date");
        checkField(records, d.endField, joinPointer(path, "endField"), "date");
        if (records && d.where) checkCondition(d.where, joinPointer(path, "where"), recordScope(records));
        dependencies.push(d.records);
        checkWindow(d.within, joinPointer(path, "within"));
        if (d.within?.anchor) dependencies.push(d.within.anchor);
        if (d.groupBy) checkField(records, d.groupBy.field, joinPointer(path, "groupBy", "field"));
        if (d.except) {
          const exceptPath = joinPointer(path, "except");
          const excepted = checkRecordsFact(d.except.records, joinPointer(exceptPath, "records"));
          checkField(excepted, d.except.startField, joinPointer(exceptPath, "startField"), "date");
          checkField(excepted, d.except.endField, joinPointer(exceptPath, "endField"), "date");
          if (excepted && d.except.where) checkCondition(d.except.where, joinPointer(exceptPath, "where"), recordScope(excepted));
          dependencies.push(d.except.records);
        }
        break;
      }
    }
    if (!derivedDependencies.has(d.id)) derivedDependencies.set(d.id, dependencies.filter((dep) => derived.has(dep)));
  });
  reportCycles(doc.derived ?? [], derivedDependencies, report);

  // ---- items ---------------------------------------------------------------------------------------
  doc.items.forEach((item, index) => {
    const path = joinPointer("/items", index);
    const category = categories.get(item.category);
    if (!category) report("ref.unknownCategory", joinPointer(path, "category"), { id: item.category });
    checkPrograms(item.programs, joinPointer(path, "programs"));
    if (item.when) checkCondition(item.when, joinPointer(path, "when"), documentScope);
    if (item.vesting) checkNumericFact(item.vesting.fact, joinPointer(path, "vesting", "fact"));
    checkScoring(item, joinPointer(path, "scoring"));
    if (category?.kind === "deduction") {
      for (const [pointsPath, points] of positivePoints(item.scoring, joinPointer(path, "scoring"))) {
        report("deduction.positivePoints", pointsPath, { id: item.id, points });
      }
    }
  });

  function checkScoring(item: ScoringItem, path: string): void {
    const scoring = item.scoring;
    const cap = item.cap;
    const capBelow = (minimum: number): void => {
      if (cap !== undefined && Math.abs(minimum) > cap) {
        report("cap.belowMinimum", path.replace(/\/scoring$/, "/cap"), { cap, minimum: Math.abs(minimum), item: item.id });
      }
    };
    switch (scoring.kind) {
      case "fixed":
        capBelow(scoring.points);
        break;
      case "tiers": {
        checkUnique(scoring.tiers, joinPointer(path, "tiers"));
        const seenConditions = new Map<string, { id: string; points: number }>();
        scoring.tiers.forEach((tier, i) => {
          const tierPath = joinPointer(path, "tiers", i);
          checkCondition(tier.when, joinPointer(tierPath, "when"), documentScope);
          const key = canonical(tier.when);
          const earlier = seenConditions.get(key);
          if (earlier) report("tiers.overlap", joinPointer(tierPath, "when"), { id: tier.id, other: earlier.id });
          else seenConditions.set(key, { id: tier.id, points: tier.points });
        });
        const magnitudes = scoring.tiers.map((t) => Math.abs(t.points)).filter((p) => p > 0);
        if (magnitudes.length) capBelow(Math.min(...magnitudes));
        break;
      }
      case "bands": {
        checkNumericFact(scoring.fact, joinPointer(path, "fact"));
        checkUnique(scoring.bands, joinPointer(path, "bands"));
        checkBands(scoring.bands, scoring.allowGaps === true, joinPointer(path, "bands"));
        const magnitudes = scoring.bands.map((b) => Math.abs(b.points)).filter((p) => p > 0);
        if (magnitudes.length) capBelow(Math.min(...magnitudes));
        break;
      }
      case "linear":
        checkNumericFact(scoring.fact, joinPointer(path, "fact"));
        if (scoring.min !== undefined && scoring.max !== undefined && scoring.min > scoring.max) {
          report("linear.minAboveMax", joinPointer(path, "min"), { min: scoring.min, max: scoring.max });
        }
        capBelow(scoring.basePoints);
        break;
      case "accrual": {
        checkNumericFact(scoring.fact, joinPointer(path, "fact"));
        scoring.bands.forEach((band, i) => {
          const bandPath = joinPointer(path, "bands", i);
          if (band.to !== undefined && band.to <= band.from) {
            report("accrual.notContiguous", joinPointer(bandPath, "to"), { index: i + 1, from: band.from, to: band.to, expected: `> ${band.from}` });
          }
          if (i === 0) return;
          const previous = scoring.bands[i - 1];
          if (previous.to === undefined || band.from !== previous.to) {
            report("accrual.notContiguous", joinPointer(bandPath, "from"), { index: i + 1, from: band.from, expected: previous.to ?? "∞" });
          }
        });
        break;
      }
      case "perRecord": {
        const records = checkRecordsFact(scoring.records, joinPointer(path, "records"));
        if (records && scoring.where) checkCondition(scoring.where, joinPointer(path, "where"), recordScope(records));
        checkLookback(records, scoring.within, joinPointer(path, "within"));
        checkField(records, scoring.perUnit?.field, joinPointer(path, "perUnit", "field"), "number");
        checkField(records, scoring.onceBy, joinPointer(path, "onceBy"));
        checkField(records, scoring.groupCap?.by, joinPointer(path, "groupCap", "by"), scoring.groupCap?.byYear ? "date" : undefined);
        if (scoring.points !== undefined) capBelow(scoring.points);
        break;
      }
    }
  }

  function checkBands(bands: Array<{ id: string; min?: number; max?: number }>, allowGaps: boolean, path: string): void {
    const low = (b: { min?: number }): number => b.min ?? -Infinity;
    const high = (b: { max?: number }): number => b.max ?? Infinity;
    const indexed = bands.map((band, index) => ({ band, index }));
    for (const { band, index } of indexed) {
      if (low(band) >= high(band)) report("bands.empty", joinPointer(path, index), { id: band.id, min: band.min, max: band.max });
    }
    const ordered = indexed.filter(({ band }) => low(band) < high(band)).sort((a, b) => low(a.band) - low(b.band) || a.index - b.index);
    for (let i = 0; i < ordered.length; i++) {
      for (let j = i + 1; j < ordered.length; j++) {
        const a = ordered[i].band;
        const b = ordered[j].band;
        if (low(b) >= high(a)) break;
        const later = ordered[i].index > ordered[j].index ? ordered[i] : ordered[j];
        const earlier = later === ordered[i] ? ordered[j] : ordered[i];
        report("bands.overlap", joinPointer(path, later.index), {
          id: later.band.id,
          other: earlier.band.id,
          range: `[${Math.max(low(a), low(b))}, ${Math.min(high(a), high(b))})`,
        });
      }
    }
    if (allowGaps) return;
    for (let i = 1; i < ordered.length; i++) {
      const before = ordered[i - 1].band;
      const after = ordered[i].band;
      if (high(before) < low(after)) {
        report("bands.gap", joinPointer(path, ordered[i].index, "min"), { before: before.id, after: after.id, from: high(before), to: low(after) });
      }
    }
  }

  // ---- groups --------------------------------------------------------------------------------------
  (doc.groups ?? []).forEach((group, index) => {
    const path = joinPointer("/groups", index);
    group.members.forEach((member, i) => {
      if (!items.has(member)) report("ref.unknownGroupMember", joinPointer(path, "members", i), { id: member, group: group.id });
    });
    if (group.mode === "highestOnly" && group.members.length === 1) {
      report("group.singleMember", joinPointer(path, "members"), { id: group.id });
    }
    if (group.mode === "cap") {
      if (group.cap === undefined) report("group.capMissing", joinPointer(path, "mode"), { id: group.id });
      const memberCategories = [...new Set(group.members.map((m) => items.get(m)?.category).filter((c): c is string => c !== undefined))];
      if (memberCategories.length > 1) report("group.mixedCategories", joinPointer(path, "members"), { id: group.id, categories: memberCategories });
    }
  });

  // ---- gates, vetoes -------------------------------------------------------------------------------
  for (const [listName, list] of [["gates", doc.gates ?? []], ["vetoes", doc.vetoes ?? []]] as const) {
    list.forEach((entry, index) => {
      const path = joinPointer("/" + listName, index);
      checkPrograms(entry.programs, joinPointer(path, "programs"));
      checkCondition(entry.condition, joinPointer(path, "condition"), documentScope);
    });
  }

  // ---- adjustments of the total (decision 023) -----------------------------------------------------
  const checkTotalAdjustments = (rule: StandardDocument["total"], path: string): void => {
    const adjustments = rule?.adjustments ?? [];
    checkUnique(adjustments, joinPointer(path, "adjustments"));
    adjustments.forEach((adjustment, index) => {
      const at = joinPointer(path, "adjustments", index);
      if ((adjustment.percent === undefined) === (adjustment.multiplier === undefined)) report("adjustment.oneRate", at, { id: adjustment.id });
      if (adjustment.when) checkCondition(adjustment.when, joinPointer(at, "when"), documentScope);
    });
  };
  checkTotalAdjustments(doc.total, "/total");
  doc.programs.forEach((program, index) => checkTotalAdjustments(program.total, joinPointer("/programs", index, "total")));

  // ---- programs ------------------------------------------------------------------------------------
  const checkRankKeys = (keys: RankKey[], path: string): void => {
    keys.forEach((key, i) => {
      const idPath = joinPointer(path, i, "id");
      if (key.id === undefined) return;
      if (key.key === "category" && !categories.has(key.id)) report("ref.unknownCategory", idPath, { id: key.id });
      if (key.key === "item" && !items.has(key.id)) report("ref.unknownItem", idPath, { id: key.id });
      if (key.key === "fact") checkFactReference(key.id, idPath);
    });
  };
  doc.programs.forEach((program, index) => {
    const path = joinPointer("/programs", index, "allocation");
    const allocation = program.allocation;
    if (allocation.kind !== "quota") return;
    if (allocation.poolBy !== undefined) checkFactReference(allocation.poolBy, joinPointer(path, "poolBy"));
    if (allocation.oneAdmittedPer !== undefined) checkFactReference(allocation.oneAdmittedPer, joinPointer(path, "oneAdmittedPer"));
    checkRankKeys(allocation.rankBy, joinPointer(path, "rankBy"));
    checkRankKeys(allocation.tieBreak, joinPointer(path, "tieBreak"));
  });

  // ---- embedded cases ------------------------------------------------------------------------------
  const checkCaseValue = (caseId: string, fact: FactDefinition, value: unknown, path: string, records?: FactDefinition): void => {
    const expectation = valueExpectation(fact, value);
    if (expectation) {
      report("testCase.factValue", path, { case: caseId, id: records ? `${records.id}.${fact.id}` : fact.id, value: JSON.stringify(value), ...expectation });
      return;
    }
    if (fact.type !== "records" || !Array.isArray(value)) return;
    value.forEach((record, index) => {
      if (record === null || typeof record !== "object" || Array.isArray(record)) {
        report("testCase.factValue", joinPointer(path, index), { case: caseId, id: fact.id, value: JSON.stringify(record), expected: "a record object", expectedZh: "一条记录（对象 {…}）" });
        return;
      }
      for (const [fieldName, fieldValue] of Object.entries(record as Record<string, unknown>)) {
        const field = fact.fields?.find((f) => f.id === fieldName);
        const fieldPath = joinPointer(path, index, fieldName);
        if (!field) report("ref.unknownRecordField", fieldPath, { id: fieldName, records: fact.id });
        else checkCaseValue(caseId, field, fieldValue, fieldPath, fact);
      }
    });
  };
  const caseFacts = new Map(facts);
  for (const fact of applicationFacts(doc)) if (!caseFacts.has(fact.id)) caseFacts.set(fact.id, fact);
  const checkCaseFacts = (caseId: string, given: Record<string, unknown>, path: string): void => {
    for (const [name, value] of Object.entries(given)) {
      const fact = caseFacts.get(name);
      if (fact) checkCaseValue(caseId, fact, value, joinPointer(path, name));
      else if (derived.has(name)) report("testCase.derivedFact", joinPointer(path, name), { case: caseId, id: name });
      else report("testCase.unknownFact", joinPointer(path, name), { case: caseId, id: name });
    }
  };
  (doc.testCases ?? []).forEach((testCase, index) => {
    const path = joinPointer("/testCases", index);
    if (!programs.has(testCase.program)) report("testCase.unknownProgram", joinPointer(path, "program"), { case: testCase.id, id: testCase.program });
    checkCaseFacts(testCase.id, testCase.facts, joinPointer(path, "facts"));
    for (const id of Object.keys(testCase.expect.items ?? {})) {
      if (!items.has(id)) report("testCase.unknownItem", joinPointer(path, "expect", "items", id), { case: testCase.id, id });
    }
    for (const id of Object.keys(testCase.expect.categories ?? {})) {
      if (!categories.has(id)) report("testCase.unknownCategory", joinPointer(path, "expect", "categories", id), { case: testCase.id, id });
    }
    testCase.expect.failedGates?.forEach((id, i) => {
      if (!gates.has(id)) report("testCase.unknownGate", joinPointer(path, "expect", "failedGates", i), { case: testCase.id, id });
    });
  });
  (doc.rankingCases ?? []).forEach((rankingCase, index) => {
    const path = joinPointer("/rankingCases", index);
    if (!programs.has(rankingCase.program)) report("testCase.unknownProgram", joinPointer(path, "program"), { case: rankingCase.id, id: rankingCase.program });
    checkUnique(rankingCase.applicants, joinPointer(path, "applicants"));
    rankingCase.applicants.forEach((applicant, i) => checkCaseFacts(rankingCase.id, applicant.facts, joinPointer(path, "applicants", i, "facts")));
    const applicantIds = new Set(rankingCase.applicants.map((a) => a.id));
    for (const listName of ["admitted", "order"] as const) {
      rankingCase.expect[listName]?.forEach((id, i) => {
        if (!applicantIds.has(id)) report("testCase.unknownApplicant", joinPointer(path, "expect", listName, i), { case: rankingCase.id, id });
      });
    }
  });

  if (doc.effectiveFrom && doc.effectiveTo && doc.effectiveFrom > doc.effectiveTo) {
    report("dates.order", "/effectiveTo", { from: doc.effectiveFrom, to: doc.effectiveTo });
  }

  problems.push(...checkPersons(doc));
  return problems;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Why a given value does not fit the fact's declared type, or undefined when it fits. null means "missing" and always fits. */
function valueExpectation(fact: FactDefinition, value: unknown): { expected: string; expectedZh: string } | undefined {
  if (value === null) return undefined;
  switch (fact.type) {
    case "number":
      return typeof value === "number" ? undefined : { expected: "a number", expectedZh: "数字" };
    case "integer":
      return Number.isInteger(value) ? undefined : { expected: "a whole number", expectedZh: "整数" };
    case "boolean":
      return typeof value === "boolean" ? undefined : { expected: "true or false", expectedZh: " true 或 false" };
    case "date":
      return typeof value === "string" && ISO_DATE.test(value) ? undefined : { expected: "a date YYYY-MM-DD", expectedZh: "日期 YYYY-MM-DD" };
    case "string":
      return typeof value === "string" ? undefined : { expected: "text", expectedZh: "文字" };
    case "enum": {
      const declared = fact.values?.map((v) => v.value) ?? [];
      return typeof value === "string" && declared.includes(value) ? undefined : { expected: `one of ${declared.join(", ")}`, expectedZh: `以下之一：${declared.join("、")}` };
    }
    case "records":
      return Array.isArray(value) ? undefined : { expected: "a list of records", expectedZh: "记录列表 […]" };
  }
}

/** Points a deduction item could award above zero, with the pointer to each figure. */
function positivePoints(scoring: Scoring, path: string): Array<[string, number]> {
  const found: Array<[string, number]> = [];
  switch (scoring.kind) {
    case "fixed":
      if (scoring.points > 0) found.push([joinPointer(path, "points"), scoring.points]);
      break;
    case "tiers":
      scoring.tiers.forEach((t, i) => t.points > 0 && found.push([joinPointer(path, "tiers", i, "points"), t.points]));
      break;
    case "bands":
      scoring.bands.forEach((b, i) => b.points > 0 && found.push([joinPointer(path, "bands", i, "points"), b.points]));
      break;
    case "linear":
      if (scoring.basePoints > 0) found.push([joinPointer(path, "basePoints"), scoring.basePoints]);
      if (scoring.pointsPerStep > 0) found.push([joinPointer(path, "pointsPerStep"), scoring.pointsPerStep]);
      break;
    case "accrual":
      scoring.bands.forEach((b, i) => b.rate > 0 && found.push([joinPointer(path, "bands", i, "rate"), b.rate]));
      break;
    case "perRecord":
      if (scoring.points !== undefined && scoring.points > 0) found.push([joinPointer(path, "points"), scoring.points]);
      if (scoring.perUnit && scoring.perUnit.rate > 0) found.push([joinPointer(path, "perUnit", "rate"), scoring.perUnit.rate]);
      break;
  }
  return found;
}

function reportCycles(
  derived: DerivedFact[],
  dependencies: Map<string, string[]>,
  report: (code: ProblemCode, path: string, params: Record<string, unknown>) => void,
): void {
  const indexOf = new Map<string, number>();
  derived.forEach((d, i) => {
    if (!indexOf.has(d.id)) indexOf.set(d.id, i);
  });
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, "visiting");
    stack.push(id);
    for (const next of dependencies.get(id) ?? []) {
      const nextState = state.get(next);
      if (nextState === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        report("derived.cycle", joinPointer("/derived", indexOf.get(next) ?? 0), { id: next, cycle: cycle.join(" → ") });
      } else if (nextState === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const d of derived) if (!state.has(d.id)) visit(d.id);
}
