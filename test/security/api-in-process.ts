/**
 * The department API's handlers called in process, as the HTTP servers call them, on a real SQLite file with the
 * committed migrations and the seed (the suzhou standard published). One per test file: the handlers' database
 * is the module's (DATABASE_URL), set here before first use.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { createApiToken } from "../../db/tokens";
import { replyText } from "../../app/api/errors.server";
import { handleApiCall } from "../../app/api/handlers.server";
import { batchPoolFor } from "../../app/api/batch-pool.server";
import { getDb } from "../../app/lib/db.server";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = Record<string, any>;

export interface ApiAnswer {
  status: number;
  text: string;
  json: Body;
}

export interface InProcessApi {
  db: JifenDb;
  call(method: string, path: string, body?: unknown, options?: { bytes?: boolean }): Promise<ApiAnswer>;
  close(): Promise<void>;
}

export async function openInProcessApi(prefix: string): Promise<InProcessApi> {
  const dir = mkdtempSync(join(tmpdir(), `jifen-${prefix}-`));
  const databaseUrl = join(dir, "jifen.sqlite");
  process.env.DATABASE_URL = databaseUrl;
  const db = openDatabase(databaseUrl);
  migrateDatabase(db);
  await seedIfEmpty(db);
  const token = createApiToken(db, { name: prefix, department: "教育局", scopes: ["evaluate", "read", "rank"] }).token;
  return {
    db,
    async call(method, path, body, options = {}) {
      const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
      const [pathname, search = ""] = path.split("?");
      const reply = await handleApiCall({
        method,
        pathname,
        query: new URLSearchParams(search),
        header: (name) => (name === "authorization" ? `Bearer ${token}` : name === "content-length" ? String(Buffer.byteLength(text)) : null),
        readText: async (limit) => (Buffer.byteLength(text) > limit ? undefined : text),
        ...(options.bytes ? { readBytes: async (limit: number) => (Buffer.byteLength(text) > limit ? undefined : Buffer.from(text)) } : {}),
      });
      const answer = replyText(reply);
      let json: Body = {};
      try {
        json = JSON.parse(answer) as Body;
      } catch {
        json = {};
      }
      return { status: reply.status, text: answer, json };
    },
    async close() {
      await batchPoolFor(getDb())?.close();
      db.$client.close();
      getDb().$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
