/**
 * Issue 18: a copy of the database (`jifen backup`, or the file itself) holds no usable session. Sessions are stored
 * by the SHA-256 of the cookie's value, so what the copy holds cannot be presented as a cookie; a row written before
 * the change (the cookie's value itself) is not accepted either. Real database file, real migrations, the real CLI.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { createSession, getSessionUser, userIdByName } from "../../db/users";

const dir = mkdtempSync(join(tmpdir(), "jifen-sessions-"));
const dbPath = join(dir, "jifen.sqlite");
let db: JifenDb;

beforeAll(async () => {
  db = openDatabase(dbPath);
  migrateDatabase(db);
  await seedIfEmpty(db);
});

afterAll(() => {
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a copy of the database", () => {
  it("holds no value that opens a session, while the live cookies still do", () => {
    const now = new Date();
    const cookies = ["admin", "drafter", "publisher"].map((name) => createSession(db, userIdByName(db, name)!, now, 3600_000).cookieValue);
    const backup = join(dir, "backup.sqlite");
    const result = spawnSync(process.execPath, ["bin/jifen.mjs", "backup", "--out", backup], {
      env: { ...process.env, DATABASE_URL: dbPath, LANG: "en_US.UTF-8" },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);

    const copy = openDatabase(backup);
    try {
      const rows = copy.$client.prepare("select * from sessions").all() as Array<Record<string, unknown>>;
      expect(rows).toHaveLength(3);
      const stored = JSON.stringify(rows);
      for (const cookie of cookies) expect(stored).not.toContain(cookie);
      // Every value the copy holds, presented as a cookie, opens nothing, on the live database or the copy.
      for (const row of rows) {
        for (const value of Object.values(row)) {
          if (typeof value !== "string") continue;
          expect(getSessionUser(db, value, now)).toBeNull();
          expect(getSessionUser(copy, value, now)).toBeNull();
        }
      }
      expect(cookies.map((c) => getSessionUser(db, c, now)?.username)).toEqual(["admin", "drafter", "publisher"]);
    } finally {
      copy.$client.close();
    }
  });

  it("does not accept a session row stored the old way (the cookie's value itself)", () => {
    const old = "old-style-session-value-stored-in-clear-0123456789abcdef";
    db.$client.prepare("insert into sessions (id, user_id, expires_at) values (?, ?, ?)").run(old, userIdByName(db, "admin"), new Date(Date.now() + 3600_000).toISOString());
    expect(getSessionUser(db, old, new Date())).toBeNull();
  });
});
