import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { auditFields, batchFields, chainRowHash, CHAIN_TABLES, decisionFields, GENESIS_HASH, type AuditFields, type BatchFields, type ChainTable, type DecisionFields } from "./chain";
import type { JifenDb } from "./connection";

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies the committed migrations that the database has not seen yet, then chains logs written before the chains. */
export function migrateDatabase(db: JifenDb): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  chainExistingRows(db);
}

const ROWS: Record<ChainTable, string> = {
  audit_log: `select id, at, actor_id as actorId, action, entity_type as entityType, entity_id as entityId, standard_id as standardId,
                hash_before as hashBefore, hash_after as hashAfter, details from audit_log where id > ? order by id limit 1000`,
  decision_log: `select id, at, token_id as tokenId, standard_id as standardId, version_id as versionId, version_hash as versionHash,
                   program_id as programId, evaluation_date as evaluationDate, input_hash as inputHash, cast(output as blob) as output
                 from decision_log where id > ? order by id limit 1000`,
  decision_batches: `select id, at, token_id as tokenId, standard_id as standardId, version_id as versionId, version_hash as versionHash,
                       program_id as programId, evaluation_date as evaluationDate, first_decision_id as firstDecisionId,
                       applicant_count as applicantCount, input_hash as inputHash, cast(output as blob) as output
                     from decision_batches where id > ? order by id limit 1000`,
};

function fieldsOf(table: ChainTable, row: Record<string, unknown>): unknown[] {
  if (table === "audit_log") return auditFields(row as unknown as AuditFields);
  if (table === "decision_log") return decisionFields(row as unknown as DecisionFields);
  return batchFields(row as unknown as BatchFields);
}

/**
 * Chains, in id order, the rows of a log that has never been chained (no row has a hash yet): those of a database
 * written before migration 0006. Runs once per table: once a row carries a hash, a row without one is a break that
 * `jifen audit verify` reports, never something to chain.
 */
function chainExistingRows(db: JifenDb): void {
  const sqlite = db.$client;
  for (const table of CHAIN_TABLES) {
    const last = sqlite.prepare(`select row_hash from ${table} order by id desc limit 1`).get() as { row_hash: string | null } | undefined;
    if (!last || last.row_hash !== null) continue;
    if (sqlite.prepare(`select 1 from ${table} where row_hash is not null limit 1`).get()) continue;
    const page = sqlite.prepare(ROWS[table]);
    const update = sqlite.prepare(`update ${table} set prev_hash = ?, row_hash = ? where id = ?`);
    sqlite.transaction(() => {
      let prevHash = GENESIS_HASH;
      let afterId = 0;
      for (;;) {
        // A page at a time: a statement being read cannot run while the same connection updates.
        const rows = page.all(afterId) as Array<Record<string, unknown>>;
        if (rows.length === 0) break;
        for (const row of rows) {
          const output = table === "audit_log" ? undefined : (row.output as Uint8Array);
          const rowHash = chainRowHash(table, prevHash, fieldsOf(table, row), output);
          update.run(prevHash, rowHash, row.id);
          prevHash = rowHash;
        }
        afterId = rows[rows.length - 1].id as number;
      }
    }).immediate();
  }
}
