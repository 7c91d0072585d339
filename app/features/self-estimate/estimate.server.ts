/**
 * The public self-estimate (issue 23, part 1; decision 041): the version of a standard in effect on a date, and one
 * applicant's answers scored against it with the explanation and what it would take. Reads only: nothing an
 * applicant enters is stored or logged. Relative imports, so that integration tests can load it.
 */
import { getVersion, listStandards } from "../../../db/standards";
import type { JifenDb } from "../../../db/connection";
import { versionHeadInEffect } from "../../../db/versions-in-effect";
import { whatItTakes } from "../../../engine/levers/what-it-takes";
import { describeWhatItTakes } from "../../../engine/levers/what-it-takes-words";
import { scoreApplicant } from "../../../engine/scoring/reference";
import type { Facts, ScoreSheet } from "../../../engine/types";
import { APPLICANT } from "../../../rules-schema/persons";
import type { Id, StandardDocument } from "../../../rules-schema/types";
import { lineToReach, parseApplicantForm, type FormValues } from "../try-applicant/applicant-form";
import type { Lang } from "../read-view/describe";
import { documentForPersons, personPresentName, questionnaire } from "./questionnaire";
import { estimateText } from "./messages";

export interface PublicVersion {
  standardId: string;
  versionLabel: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  documentNumber: string | null;
  /** The document without its test and ranking cases (what the questionnaire and the sheet need). */
  doc: StandardDocument;
}

const parsedByHash = new Map<string, StandardDocument>();
const MAX_PARSED = 32;

/** The version of `standardId` in effect on `date`, or undefined: drafts, versions under review and expired ones are never found. */
export function publicVersionInEffect(db: JifenDb, standardId: string, date: string): PublicVersion | undefined {
  const head = versionHeadInEffect(db, standardId, date);
  if (!head) return undefined;
  const version = getVersion(db, head.id);
  if (!version) return undefined;
  let doc = parsedByHash.get(version.contentHash);
  if (!doc) {
    const { testCases: _cases, rankingCases: _ranking, ...rest } = JSON.parse(version.document) as StandardDocument;
    doc = rest;
    if (parsedByHash.size >= MAX_PARSED) parsedByHash.delete(parsedByHash.keys().next().value as string);
    parsedByHash.set(version.contentHash, doc);
  }
  return {
    standardId: version.standardId,
    versionLabel: version.versionLabel,
    effectiveFrom: version.effectiveFrom,
    effectiveTo: version.effectiveTo,
    documentNumber: version.documentNumber,
    doc,
  };
}

export interface PublicStandard {
  standardId: string;
  title: { zh: string; en: string };
  jurisdiction: { zh: string; en: string };
  versionLabel: string;
  effectiveFrom: string | null;
}

/** Every standard with a version in effect on `date`, for the public list: nothing about drafts. */
export function publicStandardsInEffect(db: JifenDb, date: string): PublicStandard[] {
  return listStandards(db).flatMap((standard) => {
    const head = versionHeadInEffect(db, standard.id, date);
    if (!head) return [];
    return [{ standardId: standard.id, title: standard.title, jurisdiction: { zh: standard.jurisdiction.zh, en: standard.jurisdiction.en }, versionLabel: head.versionLabel, effectiveFrom: head.effectiveFrom }];
  });
}

export interface EstimateOutcome {
  values: FormValues;
  rowKeys: Record<Id, string[]>;
  errors: Record<string, string>;
  /** The persons the applicant said are there (the applicant always). */
  present: Id[];
  sheet?: ScoreSheet;
  facts?: Facts;
  /** What it would take to reach the line, in words; only where a line is known. */
  takes?: string[];
  line?: number;
}

/**
 * Scores the submitted answers on `date` (the app's today): every field checked with its own message, the persons
 * not there left out of the program's candidates and their answers ignored. `score` false only echoes the answers
 * (a language switch before any result).
 */
export async function estimate(doc: StandardDocument, entries: Array<[string, string]>, date: string, lang: Lang, score: boolean): Promise<EstimateOutcome> {
  const get = (name: string) => entries.find(([key]) => key === name)?.[1] ?? "";
  // An unknown program is reported at its field by the form's parser; the questions are then the first program's.
  const asked = questionnaire(doc, get("program"));
  const present = [APPLICANT, ...asked.persons.filter((section) => !section.optional || get(personPresentName(section.person)) === "yes").map((section) => section.person)].filter(
    (person, index, all) => all.indexOf(person) === index,
  );
  const absent = asked.persons.map((section) => section.person).filter((person) => !present.includes(person));
  const kept = entries.filter(([name]) => name !== "date" && !absent.some((person) => name.startsWith(`fact:${person}.`) || name.startsWith(`rec:${person}.`)));
  const parsed = parseApplicantForm(doc, [...kept, ["date", date]], lang);
  const base: EstimateOutcome = { values: parsed.values, rowKeys: parsed.rowKeys, errors: parsed.errors, present };
  const line = lineToReach(doc, parsed.program, get("line"));
  if (line.error) base.errors = { ...base.errors, line: estimateText(lang, "lineInvalid") };
  if (!score || Object.keys(base.errors).length > 0) return base;
  const scored = documentForPersons(doc, parsed.program, present);
  const sheet = await scoreApplicant(scored, parsed.facts, parsed.program, date);
  const takes =
    line.value === undefined
      ? undefined
      : describeWhatItTakes(scored, whatItTakes({ doc: scored, programId: parsed.program, facts: parsed.facts, date, line: line.value }), lang === "en" ? "en" : "zh");
  return { ...base, sheet, facts: parsed.facts, takes, line: line.value };
}
