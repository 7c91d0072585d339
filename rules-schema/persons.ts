/**
 * Persons of an application (decision 028): which facts each person has, and the keys under which another
 * person's facts are given (`spouse.education`). Pure data helpers shared by the validator, the engine, the API's
 * fact check and cohort files.
 */
import { joinPointer, problem, type ValidationProblem } from "./errors";
import type { Condition, DerivedFact, FactDefinition, Id, LocalizedText, RankKey, ScoringItem, StandardDocument } from "./types";

/** The person whose facts are given without a prefix; always present. */
export const APPLICANT: Id = "applicant";

const APPLICANT_LABEL: LocalizedText = { zh: "申请人", en: "Applicant" };

/** The key of a person's value of a per-person fact: the fact id for the applicant, `<person>.<fact>` otherwise. */
export function personFactKey(person: Id, factId: Id): string {
  return person === APPLICANT ? factId : `${person}.${factId}`;
}

export function personLabel(doc: Pick<StandardDocument, "persons">, person: Id): LocalizedText {
  const declared = Array.isArray(doc.persons) ? doc.persons.find((p) => p?.id === person) : undefined;
  if (declared?.label) return declared.label;
  return person === APPLICANT ? APPLICANT_LABEL : { zh: person, en: person };
}

/** Declared persons other than the applicant, in document order (each distinct id once). */
export function otherPersons(doc: StandardDocument): Id[] {
  const ids: Id[] = [];
  // Drafts may be malformed: only well-formed entries count.
  if (!Array.isArray(doc.persons)) return ids;
  for (const person of doc.persons) {
    if (typeof person?.id === "string" && person.id !== APPLICANT && !ids.includes(person.id)) ids.push(person.id);
  }
  return ids;
}

/**
 * The facts an application may carry: the document's facts, then each declared person's per-person facts as
 * `<person>.<fact>`, labelled with the person ("配偶 学历" / "Spouse: education"). The same list as the document's
 * facts when it declares no persons.
 */
export function applicationFacts(doc: StandardDocument): FactDefinition[] {
  if (!Array.isArray(doc.facts)) return [];
  const perPerson = doc.facts.filter((fact) => fact?.perPerson === true && typeof fact.id === "string" && fact.label !== undefined);
  const persons = otherPersons(doc);
  if (perPerson.length === 0 || persons.length === 0) return doc.facts;
  const expanded = [...doc.facts];
  for (const person of persons) {
    const who = personLabel(doc, person);
    for (const fact of perPerson) {
      const { perPerson: _omit, ...rest } = fact;
      expanded.push({
        ...rest,
        id: personFactKey(person, fact.id),
        label: { zh: `${who.zh} ${fact.label.zh}`, en: `${who.en}: ${fact.label.en}` },
      });
    }
  }
  return expanded;
}

function conditionFacts(condition: Condition | undefined, into: Set<Id>): void {
  if (!condition || typeof condition !== "object") return;
  const node = condition as unknown as Record<string, unknown>;
  for (const key of ["all", "any"]) {
    const list = node[key];
    if (Array.isArray(list)) for (const child of list) conditionFacts(child as Condition, into);
  }
  if (node.not) conditionFacts(node.not as Condition, into);
  if (typeof node.fact === "string") into.add(node.fact);
  const value = node.value as Record<string, unknown> | undefined;
  if (value && typeof value === "object" && typeof value.fact === "string") into.add(value.fact);
}

function derivedReads(derived: DerivedFact): Id[] {
  switch (derived.kind) {
    case "age":
      return [derived.birthDate];
    case "duration":
      return derived.to ? [derived.from, derived.to] : [derived.from];
    case "aggregate":
    case "periods":
      return [derived.records];
    case "combine":
      return derived.of.filter((x): x is Id => typeof x === "string");
    default:
      return [];
  }
}

/** Facts an item reads directly (conditions, the scored fact, records, vesting), not through derived facts. */
function itemReads(item: ScoringItem): Set<Id> {
  const reads = new Set<Id>();
  conditionFacts(item.when, reads);
  if (item.vesting) reads.add(item.vesting.fact);
  const scoring = item.scoring as unknown as Record<string, unknown>;
  if (typeof scoring.fact === "string") reads.add(scoring.fact);
  if (typeof scoring.records === "string") reads.add(scoring.records);
  if (item.scoring.kind === "tiers") for (const tier of item.scoring.tiers) conditionFacts(tier.when, reads);
  return reads;
}

/** The per-person fact an id depends on (directly or through derived facts), if any. */
function perPersonSource(id: Id, doc: StandardDocument, seen = new Set<Id>()): Id | undefined {
  if (seen.has(id)) return undefined;
  seen.add(id);
  const fact = doc.facts.find((f) => f.id === id);
  if (fact) return fact.perPerson ? fact.id : undefined;
  const derived = (doc.derived ?? []).find((d) => d.id === id);
  if (!derived) return undefined;
  for (const read of derivedReads(derived)) {
    const source = perPersonSource(read, doc, seen);
    if (source) return source;
  }
  return undefined;
}

/** Checks of persons the schema cannot make (called by checkSemantics). */
export function checkPersons(doc: StandardDocument): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const known = new Set<Id>([APPLICANT, ...otherPersons(doc)]);
  const knownList = [...known];
  doc.programs.forEach((program, index) => {
    const persons = program.persons;
    const path = joinPointer("/programs", index);
    if (persons) {
      const seen = new Set<Id>();
      persons.candidates.forEach((candidate, i) => {
        const at = joinPointer(path, "persons", "candidates", i);
        if (!known.has(candidate)) problems.push(problem("persons.unknownPerson", at, { id: candidate, known: knownList }));
        else if (seen.has(candidate)) problems.push(problem("persons.duplicateCandidate", at, { id: candidate }));
        seen.add(candidate);
      });
      if (persons.candidates.length > 1 && !doc.facts.some((fact) => fact.perPerson)) {
        problems.push(problem("persons.noPerPersonFact", joinPointer(path, "persons"), { program: program.id }));
      }
    }
    if (program.allocation.kind !== "quota") return;
    const allocation = program.allocation;
    const keyLists: Array<[string, RankKey[]]> = [["rankBy", allocation.rankBy], ["tieBreak", allocation.tieBreak]];
    for (const [name, keys] of keyLists) {
      keys.forEach((key, i) => {
        if (key.key === "otherCandidate" && !persons) {
          problems.push(problem("persons.otherCandidateWithoutPersons", joinPointer(path, "allocation", name, i, "key"), {}));
        }
      });
    }
  });
  doc.items.forEach((item, index) => {
    if (item.person !== "household") return;
    for (const id of itemReads(item)) {
      const source = perPersonSource(id, doc);
      if (source) {
        problems.push(problem("persons.householdReadsPerson", joinPointer("/items", index, "person"), { item: item.id, fact: source }));
        break;
      }
    }
  });
  return problems;
}
