/** Opens the installation's database for CLI commands: DATABASE_URL (default ./data/jifen.sqlite), migrated. */
import { existsSync } from "node:fs";
import { databasePath, openDatabase, type JifenDb } from "../db/connection";
import { migrateDatabase } from "../db/migrate";

export function openCliDatabase(opts: { mustExist?: boolean } = {}): JifenDb {
  const path = databasePath(process.env.DATABASE_URL);
  if (opts.mustExist && path !== ":memory:" && !existsSync(path)) {
    throw new Error(`database not found: ${path} (set DATABASE_URL)`);
  }
  const db = openDatabase(process.env.DATABASE_URL);
  migrateDatabase(db);
  return db;
}
