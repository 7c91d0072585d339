/** Backup (a consistent copy of the SQLite file) and export (everything as JSON and JSON Lines, for audit or migration). */
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JifenDb } from "./connection";

/** Online backup through SQLite's backup API: consistent even while the server is writing. */
export async function backupDatabase(db: JifenDb, destination: string): Promise<{ pages: number }> {
  const result = await db.$client.backup(destination);
  return { pages: result.totalPages };
}

const TABLES_AS_JSON = ["standards", "standard_versions", "version_revisions", "audit_log", "cohorts", "column_mappings", "simulation_runs", "api_tokens", "rounds", "round_notices", "round_objections", "round_amendments"] as const;
const TABLES_AS_JSONL = ["cohort_applicants", "decision_log", "decision_batches", "round_results"] as const;

/**
 * Writes one file per table into `folder`. Users are exported without password hashes; API tokens without their
 * hashes; sessions and installation secrets are not exported at all.
 */
export async function exportEverything(db: JifenDb, folder: string): Promise<Record<string, number>> {
  mkdirSync(folder, { recursive: true });
  const counts: Record<string, number> = {};
  const sqlite = db.$client;
  const users = sqlite.prepare("select id, username, display_name, roles, created_at from users order by id").all();
  writeFileSync(join(folder, "users.json"), JSON.stringify(users, null, 2));
  counts.users = users.length;
  for (const table of TABLES_AS_JSON) {
    const rows = sqlite.prepare(`select * from ${table} order by rowid`).all() as Array<Record<string, unknown>>;
    if (table === "api_tokens") for (const r of rows) delete r.token_hash;
    writeFileSync(join(folder, `${table}.json`), JSON.stringify(rows, null, 2));
    counts[table] = rows.length;
  }
  for (const table of TABLES_AS_JSONL) {
    const out = createWriteStream(join(folder, `${table}.jsonl`));
    let n = 0;
    for (const row of sqlite.prepare(`select * from ${table} order by rowid`).iterate()) {
      if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      n++;
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    counts[table] = n;
  }
  return counts;
}
