/**
 * Light look-ups for the department API: which version of a standard is in effect on a date, without loading its
 * document text (the API keeps parsed documents in memory by content hash, since published content never changes).
 */
import type { JifenDb } from "./connection";

export interface VersionHead {
  id: number;
  standardId: string;
  versionLabel: string;
  status: string;
  contentHash: string;
  effectiveFrom: string | null;
  effectiveTo: string | null;
}

const HEAD_COLUMNS = `id, standard_id as standardId, version_label as versionLabel, status, content_hash as contentHash,
  effective_from as effectiveFrom, effective_to as effectiveTo`;

interface Statements {
  inEffect: { get(params: { standardId: string; date: string }): unknown };
  byId: { get(id: number): unknown };
  document: { get(id: number): unknown };
  standardExists: { get(id: string): unknown };
}

const statementsByDb = new WeakMap<JifenDb, Statements>();

function statementsFor(db: JifenDb): Statements {
  let statements = statementsByDb.get(db);
  if (!statements) {
    // Same rule as db/workflow.ts versionInEffect: published or superseded, the date inside its period.
    statements = {
      inEffect: db.$client.prepare(
        `select ${HEAD_COLUMNS} from standard_versions
         where standard_id = @standardId and status in ('published', 'superseded') and effective_from <= @date
           and (effective_to is null or effective_to >= @date)
         order by effective_from desc limit 1`,
      ),
      byId: db.$client.prepare(`select ${HEAD_COLUMNS} from standard_versions where id = ?`),
      document: db.$client.prepare("select document from standard_versions where id = ?"),
      standardExists: db.$client.prepare("select 1 as found from standards where id = ?"),
    };
    statementsByDb.set(db, statements);
  }
  return statements;
}

export function versionHeadInEffect(db: JifenDb, standardId: string, date: string): VersionHead | undefined {
  return statementsFor(db).inEffect.get({ standardId, date }) as VersionHead | undefined;
}

export function versionHead(db: JifenDb, versionId: number): VersionHead | undefined {
  return statementsFor(db).byId.get(versionId) as VersionHead | undefined;
}

export function versionDocumentText(db: JifenDb, versionId: number): string | undefined {
  return (statementsFor(db).document.get(versionId) as { document: string } | undefined)?.document;
}

export function standardExists(db: JifenDb, standardId: string): boolean {
  return statementsFor(db).standardExists.get(standardId) !== undefined;
}
