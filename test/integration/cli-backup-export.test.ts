/** `jifen backup` and `jifen export` on a real database file with the real migrations. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";

const dir = mkdtempSync(join(tmpdir(), "jifen-cli-"));
const dbPath = join(dir, "jifen.sqlite");

function jifen(args: string[]) {
  return spawnSync(process.execPath, ["bin/jifen.mjs", ...args], { env: { ...process.env, DATABASE_URL: dbPath, LANG: "en_US.UTF-8" }, encoding: "utf8" });
}

beforeAll(async () => {
  const db = openDatabase(dbPath);
  migrateDatabase(db);
  await seedIfEmpty(db);
  db.$client.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("backup and export", () => {
  it("backs up to a consistent SQLite file holding the same versions", () => {
    const out = join(dir, "backup.sqlite");
    const result = jifen(["backup", "--out", out]);
    expect(result.status, result.stderr).toBe(0);
    const copy = new Database(out, { readonly: true });
    const original = new Database(dbPath, { readonly: true });
    const q = "select id, content_hash from standard_versions order by id";
    expect(copy.prepare(q).all()).toEqual(original.prepare(q).all());
    copy.close();
    original.close();
  });

  it("exports every table without secrets", () => {
    const out = join(dir, "export");
    const result = jifen(["export", "--out", out]);
    expect(result.status, result.stderr).toBe(0);
    const versions = JSON.parse(readFileSync(join(out, "standard_versions.json"), "utf8")) as unknown[];
    expect(versions.length).toBeGreaterThanOrEqual(4);
    const users = readFileSync(join(out, "users.json"), "utf8");
    expect(users).toContain("drafter");
    expect(users).not.toContain("argon2");
    expect(existsSync(join(out, "audit_log.json"))).toBe(true);
    expect(existsSync(join(out, "cohort_applicants.jsonl"))).toBe(true);
  });

  it("fails clearly when the database does not exist", () => {
    const result = spawnSync(process.execPath, ["bin/jifen.mjs", "backup", "--out", join(dir, "x.sqlite")], {
      env: { ...process.env, DATABASE_URL: join(dir, "missing.sqlite"), LANG: "en_US.UTF-8" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("database not found");
  });
});
