/**
 * Issue 18: revoking a token that does not exist is refused, not answered "revoked" — here with `jifen token revoke`
 * on a real database file (the tokens page's 404 is in signin.e2e.test.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { createApiToken } from "../../db/tokens";

const dir = mkdtempSync(join(tmpdir(), "jifen-revoke-"));
const dbPath = join(dir, "jifen.sqlite");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jifen(args: string[], lang: string) {
  return spawnSync(process.execPath, ["bin/jifen.mjs", ...args], { env: { ...process.env, DATABASE_URL: dbPath, LANG: lang }, encoding: "utf8" });
}

describe("jifen token revoke", () => {
  it("says there is no such token (exit 1), revokes a real one once, then says it was already revoked", () => {
    const db = openDatabase(dbPath);
    migrateDatabase(db);
    const { record } = createApiToken(db, { name: "核验", department: "市教育局", scopes: ["read"] });
    db.$client.close();

    const missing = jifen(["token", "revoke", "987654"], "zh_CN.UTF-8");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("没有编号为 987654 的令牌，未吊销任何令牌。");
    expect(missing.stdout).not.toContain("已吊销");
    expect(jifen(["token", "revoke", "987654"], "en_US.UTF-8").stderr).toContain("There is no token 987654; nothing was revoked.");

    expect(jifen(["token", "revoke", String(record.id)], "en_US.UTF-8").status).toBe(0);
    const again = jifen(["token", "revoke", String(record.id)], "en_US.UTF-8");
    expect(again.status).toBe(1);
    expect(again.stderr).toContain(`Token #${record.id} was already revoked.`);

    const check = openDatabase(dbPath);
    const revokes = check.$client.prepare("select count(*) from audit_log where action = 'apiToken.revoke'").pluck().get();
    check.$client.close();
    expect(revokes).toBe(1);
  });
});
