import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import * as schema from "./schema";

export type JifenDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DATABASE_URL = "./data/jifen.sqlite";

/** Turns DATABASE_URL (a file path, optionally prefixed `file:`, or `:memory:`) into a path for better-sqlite3. */
export function databasePath(url: string | undefined): string {
  const raw = (url && url.trim()) || DEFAULT_DATABASE_URL;
  if (raw === ":memory:") return raw;
  return resolve(raw.replace(/^file:(\/\/)?/, ""));
}

/** Opens the database in WAL mode with foreign keys enforced, creating its folder when missing. */
export function openDatabase(url: string | undefined): JifenDb {
  const path = databasePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // 64 MiB page cache (default 2 MiB): large imports and simulations touch far more pages than that.
  sqlite.pragma("cache_size = -65536");
  return drizzle(sqlite, { schema }) as JifenDb;
}

/**
 * Opens an existing database file for reading only (no migration, no pragma that writes): for checking a copy as it
 * is. Throws when the file is missing or is not a SQLite database.
 */
export function openDatabaseReadOnly(path: string): Database.Database {
  const sqlite = new Database(resolve(path.replace(/^file:(\/\/)?/, "")), { readonly: true, fileMustExist: true });
  try {
    sqlite.prepare("select count(*) from sqlite_master").get();
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return sqlite;
}
