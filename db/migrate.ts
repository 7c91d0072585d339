import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { JifenDb } from "./connection";

export const MIGRATIONS_FOLDER = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies the committed migrations that the database has not seen yet. */
export function migrateDatabase(db: JifenDb): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}
