/**
 * The facts a cohort of a standard may hold: the union over the standard's versions (the version in effect or the
 * latest published first, then the others), so a past cohort serves both the baseline and a draft that adds facts.
 */
import { listStandards, getVersion, type StandardSummary } from "../../../db/standards";
import type { JifenDb } from "../../../db/connection";
import type { FactDefinition, StandardDocument } from "../../../rules-schema/types";
import { applicationFacts } from "../../../rules-schema/persons";
import { headerTarget } from "../../../applicant-files/columns";

export interface FactChoice {
  id: string;
  type: FactDefinition["type"];
  label: { zh: string; en: string };
  values?: Array<{ value: string; label: { zh: string; en: string } }>;
}

function versionOrder(standard: StandardSummary): number[] {
  const rank = (status: string) => (status === "published" ? 0 : status === "superseded" ? 1 : 2);
  return [...standard.versions].sort((a, b) => rank(a.status) - rank(b.status) || b.id - a.id).map((v) => v.id);
}

export function standardFacts(db: JifenDb, standardId: string): FactDefinition[] | undefined {
  const standard = listStandards(db).find((s) => s.id === standardId);
  if (!standard) return undefined;
  const facts: FactDefinition[] = [];
  const seen = new Set<string>();
  for (const versionId of versionOrder(standard)) {
    const version = getVersion(db, versionId);
    if (!version) continue;
    let doc: { facts?: FactDefinition[] };
    try {
      doc = JSON.parse(version.document) as { facts?: FactDefinition[] };
    } catch {
      continue;
    }
    // Persons' facts as `<person>.<fact>` columns too (decision 028).
    for (const fact of Array.isArray(doc.facts) ? applicationFacts(doc as StandardDocument) : []) {
      if (fact && typeof fact.id === "string" && !seen.has(fact.id)) {
        seen.add(fact.id);
        facts.push(fact);
      }
    }
  }
  return facts;
}

export function factChoices(facts: readonly FactDefinition[]): FactChoice[] {
  return facts.map((f) => ({
    id: f.id,
    type: f.type,
    label: { zh: f.label?.zh ?? f.id, en: f.label?.en ?? f.id },
    ...(f.type === "enum" && f.values ? { values: f.values.map((v) => ({ value: v.value, label: { zh: v.label?.zh ?? v.value, en: v.label?.en ?? v.value } })) } : {}),
  }));
}

/** A first mapping for a header: fact id, Chinese or English label, the id columns (as the reader reads them); else ignore. */
export function proposeMapping(headers: readonly string[], facts: readonly FactDefinition[]): Record<string, string> {
  return Object.fromEntries(headers.map((header) => [header, headerTarget(header, facts) ?? ""]));
}
