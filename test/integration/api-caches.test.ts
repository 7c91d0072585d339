/**
 * The API keeps token verifications and the version in effect in memory between requests; these tests pin that a
 * change made anywhere — through the API's own connection (the API mounted inside Remix shares it), another
 * connection (the admin screens of the production server) or another process (`jifen token revoke`) — is seen by
 * the very next request.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { createApiToken, revokeApiToken } from "../../db/tokens";
import { withdraw } from "../../db/workflow";
import { replyText } from "../../app/api/errors.server";
import { handleApiCall } from "../../app/api/handlers.server";
import { getDb } from "../../app/lib/db.server";

const dir = mkdtempSync(join(tmpdir(), "jifen-api-caches-"));
const databaseUrl = join(dir, "jifen.sqlite");
let other: JifenDb;

beforeAll(async () => {
  process.env.DATABASE_URL = databaseUrl;
  other = openDatabase(databaseUrl);
  migrateDatabase(other);
  await seedIfEmpty(other);
});

afterAll(() => {
  other.$client.close();
  getDb().$client.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const text = body === undefined ? "" : JSON.stringify(body);
  const [pathname, search = ""] = path.split("?");
  const reply = await handleApiCall({
    method,
    pathname,
    query: new URLSearchParams(search),
    header: (name) => (name === "authorization" ? `Bearer ${token}` : null),
    readText: async () => text,
  });
  return { status: reply.status, json: JSON.parse(replyText(reply)) as { errors?: Array<{ code: string }>; versionLabel?: string } };
}

const evaluate = (token: string) =>
  call("POST", "/api/v1/standards/suzhou/evaluate", token, { program: "settlement", date: "2016-05-15", facts: { socialInsuranceMonths: 24 } });

describe("token verification kept in memory", () => {
  it("refuses a token revoked through another connection at the next request", async () => {
    const { token, record } = createApiToken(other, { name: "other-connection", department: "教育局", scopes: ["evaluate"] });
    expect((await evaluate(token)).status).toBe(200);
    expect((await evaluate(token)).status).toBe(200);
    expect(revokeApiToken(other, record.id)).toBe(true);
    const after = await evaluate(token);
    expect(after.status).toBe(401);
    expect(after.json.errors?.[0].code).toBe("api.tokenRevoked");
  });

  it("refuses a token revoked through the API's own connection at the next request", async () => {
    const { token, record } = createApiToken(other, { name: "same-connection", department: "公安", scopes: ["evaluate"] });
    expect((await evaluate(token)).status).toBe(200);
    expect(revokeApiToken(getDb(), record.id)).toBe(true);
    expect((await evaluate(token)).status).toBe(401);
  });

  it("refuses a token revoked by `jifen token revoke` in another process at the next request", async () => {
    const { token, record } = createApiToken(other, { name: "cli", department: "人社局", scopes: ["evaluate"] });
    expect((await evaluate(token)).status).toBe(200);
    const revoked = spawnSync(process.execPath, ["bin/jifen.mjs", "token", "revoke", String(record.id)], {
      env: { ...process.env, DATABASE_URL: databaseUrl, JIFEN_LANG: "en" },
      encoding: "utf8",
    });
    expect(revoked.status, revoked.stderr).toBe(0);
    expect((await evaluate(token)).status).toBe(401);
  }, 60_000);

  it("keeps answering a valid token while the API writes its own decisions", async () => {
    const { token } = createApiToken(other, { name: "steady", department: "教育局", scopes: ["evaluate"] });
    const statuses = await Promise.all(Array.from({ length: 20 }, () => evaluate(token)));
    expect(statuses.map((s) => s.status)).toEqual(Array(20).fill(200));
  });
});

describe("version in effect kept in memory", () => {
  it("stops using a version at the next request once it is withdrawn through another connection", async () => {
    const { token } = createApiToken(other, { name: "reader", department: "教育局", scopes: ["read", "evaluate"] });
    const before = await call("GET", "/api/v1/standards/suzhou?date=2016-05-15", token);
    expect(before.status).toBe(200);
    expect(before.json.versionLabel).toBe("2015");
    const version = other.$client
      .prepare("select id from standard_versions where standard_id = 'suzhou' and version_label = '2015'")
      .get() as { id: number };
    const publisher = other.$client.prepare("select id from users where username = 'publisher'").get() as { id: number };
    expect(withdraw(other, { versionId: version.id, actor: { id: publisher.id, roles: ["publisher"] }, reason: "test" })).toEqual({ ok: true });
    const after = await call("GET", "/api/v1/standards/suzhou?date=2016-05-15", token);
    expect(after.status).toBe(404);
    expect(after.json.errors?.[0].code).toBe("api.noVersionInEffect");
    expect((await evaluate(token)).status).toBe(404);
  });
});
