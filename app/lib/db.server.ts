import { openDatabase, type JifenDb } from "../../db/connection";
import { readServerEnv } from "./env.server";

let db: JifenDb | undefined;

/** The process's one connection to the database named by DATABASE_URL (migrated and seeded by the start script). */
export function getDb(): JifenDb {
  db ??= openDatabase(readServerEnv().databaseUrl);
  return db;
}
