/**
 * The self-estimate's questionnaire (issue 23, part 1), derived from a version's fact dictionary for one program:
 * only the facts the program reads, grouped as the official table groups them (the eligibility conditions first,
 * then each category in the document's order, then vetoes and what else the total reads), and a section per person
 * where the program scores a family (decision 028). Pure: no React, no I/O.
 */
import { factsReadByCondition, factsReadByItem } from "../../../engine/simulation/facts-read";
import { APPLICANT, personFactKey, personLabel } from "../../../rules-schema/persons";
import type { FactDefinition, Id, LocalizedText, Program, StandardDocument } from "../../../rules-schema/types";

export interface QuestionGroup {
  /** `gates`, `vetoes`, `other` or a category id. */
  key: string;
  label: LocalizedText;
  /** Facts under the names the form uses (`spouse.educationLevel` for another person's). */
  facts: FactDefinition[];
}

export interface PersonSection {
  person: Id;
  label: LocalizedText;
  /** Asked only when the applicant says this person is there (married, a second parent). */
  optional: boolean;
  groups: QuestionGroup[];
}

export interface Questionnaire {
  program: Id;
  /** The application's questions; for a program without persons, every question. */
  groups: QuestionGroup[];
  /** Programs that score a family: one section per candidate. */
  persons: PersonSection[];
}

/** Form name of "this person is there" (married; a second parent). */
export const personPresentName = (person: Id) => `person:${person}`;

const GROUP_LABELS = {
  gates: { zh: "申请条件", en: "Eligibility conditions" },
  vetoes: { zh: "一票否决事项", en: "Veto" },
  other: { zh: "其他情况", en: "Other circumstances" },
} satisfies Record<string, LocalizedText>;

const appliesTo = (programs: Id[] | undefined, programId: Id) => programs === undefined || programs.includes(programId);

/** Facts the program reads, in groups; `keep` chooses which (the application's or a person's own). */
function groupedFacts(doc: StandardDocument, program: Program, keep: (fact: FactDefinition) => boolean): QuestionGroup[] {
  const placed = new Set<Id>();
  const groups: QuestionGroup[] = [];
  const add = (key: string, label: LocalizedText, facts: FactDefinition[]) => {
    const fresh = facts.filter((fact) => keep(fact) && !placed.has(fact.id));
    if (fresh.length === 0) return;
    for (const fact of fresh) placed.add(fact.id);
    const ordered = doc.facts.filter((fact) => fresh.some((candidate) => candidate.id === fact.id));
    const existing = groups.find((group) => group.key === key);
    if (existing) existing.facts = doc.facts.filter((fact) => existing.facts.includes(fact) || ordered.includes(fact));
    else groups.push({ key, label, facts: ordered });
  };
  for (const gate of doc.gates ?? []) if (appliesTo(gate.programs, program.id)) add("gates", GROUP_LABELS.gates, factsReadByCondition(doc, gate.condition));
  for (const category of doc.categories ?? []) {
    for (const item of doc.items ?? []) {
      if (item.category === category.id && appliesTo(item.programs, program.id)) add(category.id, category.label, factsReadByItem(doc, item));
    }
  }
  for (const veto of doc.vetoes ?? []) if (appliesTo(veto.programs, program.id)) add("vetoes", GROUP_LABELS.vetoes, factsReadByCondition(doc, veto.condition));
  for (const adjustment of [...(doc.total?.adjustments ?? []), ...(program.total?.adjustments ?? [])]) add("other", GROUP_LABELS.other, factsReadByCondition(doc, adjustment.when));
  // Keep the document's category order with the eligibility conditions first and the rest last.
  const rank = (key: string) => (key === "gates" ? -1 : key === "vetoes" ? 1e6 : key === "other" ? 1e6 + 1 : (doc.categories ?? []).findIndex((c) => c.id === key));
  return groups.sort((a, b) => rank(a.key) - rank(b.key));
}

/** The questions for `programId` (the first program when it names none of the document's). */
export function questionnaire(doc: StandardDocument, programId: Id): Questionnaire {
  const program = doc.programs.find((candidate) => candidate.id === programId) ?? doc.programs[0];
  const candidates = program?.persons?.candidates ?? [];
  if (!program) return { program: programId, groups: [], persons: [] };
  if (candidates.length === 0) return { program: program.id, groups: groupedFacts(doc, program, () => true), persons: [] };
  const shared = groupedFacts(doc, program, (fact) => fact.perPerson !== true);
  const own = groupedFacts(doc, program, (fact) => fact.perPerson === true);
  const applicantIsCandidate = candidates.includes(APPLICANT);
  const persons = candidates.map((person, index) => ({
    person,
    label: personLabel(doc, person),
    // The applicant is always there; where he is not scored himself (a child on a parent's points), the first parent is.
    optional: person !== APPLICANT && (applicantIsCandidate || index > 0),
    groups: own.map((group) => ({ ...group, facts: group.facts.map((fact) => ({ ...fact, id: personFactKey(person, fact.id) })) })),
  }));
  return { program: program.id, groups: shared, persons };
}

/**
 * The document as the estimate scores it: a family program's candidates are those the applicant said are there
 * (an unmarried applicant is scored alone, not against an empty spouse); one candidate left who is the applicant
 * means no persons at all.
 */
export function documentForPersons(doc: StandardDocument, programId: Id, present: Id[]): StandardDocument {
  return {
    ...doc,
    programs: doc.programs.map((program) => {
      if (program.id !== programId || !program.persons) return program;
      const candidates = program.persons.candidates.filter((person) => present.includes(person));
      if (candidates.length === 0 || (candidates.length === 1 && candidates[0] === APPLICANT)) {
        const { persons: _persons, ...rest } = program;
        return rest;
      }
      return { ...program, persons: { ...program.persons, candidates } };
    }),
  };
}
