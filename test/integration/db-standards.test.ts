/** The standards repository against a real SQLite database with the committed migrations applied. */
import { beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty, DEMO_USERS } from "../../server/seed";
import { createStandardWithVersion, getVersion, listStandards, saveDraftDocument } from "../../db/standards";
import { createSession, getSessionUser, verifyCredentials } from "../../db/users";

const STANDARD = {
  id: "testcity",
  jurisdiction: { code: "000000", zh: "测试市", en: "Test City" },
  title: { zh: "测试计分标准", en: "Test standard" },
};

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

function draft(text = '{"a":1}') {
  return createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: text });
}

describe("saving drafts with optimistic concurrency", () => {
  it("saves based on the current revision and keeps every revision", () => {
    const id = draft();
    const result = saveDraftDocument(db, { versionId: id, baseRevision: 1, documentText: '{"a":2}', document: { a: 2 }, userId: null });
    expect(result).toMatchObject({ kind: "saved", revision: 2 });
    expect(getVersion(db, id)?.document).toBe('{"a":2}');
    const revisions = db.$client.prepare("select revision, document from version_revisions where version_id = ? order by revision").all(id);
    expect(revisions).toEqual([
      { revision: 1, document: '{"a":1}' },
      { revision: 2, document: '{"a":2}' },
    ]);
  });

  it("refuses a save based on a stale revision and keeps the other person's edit", () => {
    const id = draft();
    saveDraftDocument(db, { versionId: id, baseRevision: 1, documentText: '{"a":"alice"}', document: { a: "alice" }, userId: null });
    const bob = saveDraftDocument(db, { versionId: id, baseRevision: 1, documentText: '{"a":"bob"}', document: { a: "bob" }, userId: null });
    expect(bob).toEqual({ kind: "conflict", currentRevision: 2 });
    expect(getVersion(db, id)?.document).toBe('{"a":"alice"}');
  });

  it("does not save into a version that is not a draft", () => {
    const id = createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "published", documentText: '{"a":1}' });
    const result = saveDraftDocument(db, { versionId: id, baseRevision: 1, documentText: '{"a":9}', document: { a: 9 }, userId: null });
    expect(result).toEqual({ kind: "notEditable", status: "published" });
    expect(getVersion(db, id)?.document).toBe('{"a":1}');
  });

  it("hashes content, not formatting", () => {
    const a = draft('{"b":1,"a":[1,2]}');
    const b = createStandardWithVersion(db, { ...STANDARD, id: "other" }, { versionLabel: "v1", status: "draft", documentText: '{ "a": [1, 2],\n "b": 1 }' });
    expect(getVersion(db, a)?.contentHash).toBe(getVersion(db, b)?.contentHash);
  });

  it("creates nothing when the first version cannot be stored", () => {
    expect(() => createStandardWithVersion(db, STANDARD, { versionLabel: "v1", status: "draft", documentText: "{not json" })).toThrow();
    expect(listStandards(db)).toEqual([]);
  });
});

describe("seed and sign-in", () => {
  it("seeds one user per role and every example standard, once", async () => {
    const first = await seedIfEmpty(db);
    expect(first.users).toBe(DEMO_USERS.length);
    expect(first.standards).toEqual(expect.arrayContaining(["suzhou", "hangzhou", "shanghai"]));
    expect(first.cohorts).toEqual([{ name: expect.stringContaining("2019"), rows: 2000 }]);
    expect(first.runs).toBe(1);
    const suzhou = listStandards(db).find((s) => s.id === "suzhou")!;
    expect(suzhou.versions.map((v) => v.status)).toEqual(["published", "draft"]);
    const again = await seedIfEmpty(db);
    expect(again).toEqual({ users: 0, standards: [], cohorts: [], runs: 0 });
    const user = await verifyCredentials(db, "drafter", "jifen-demo");
    expect(user?.roles).toEqual(["drafter"]);
    expect(await verifyCredentials(db, "drafter", "wrong")).toBeNull();
    expect(await verifyCredentials(db, "nobody", "jifen-demo")).toBeNull();
  });

  it("stores passwords hashed with argon2id, never in clear", async () => {
    await seedIfEmpty(db);
    const rows = db.$client.prepare("select password_hash as h from users").all() as Array<{ h: string }>;
    for (const { h } of rows) {
      expect(h).toMatch(/^\$argon2id\$/);
      expect(h).not.toContain("jifen-demo");
    }
  });

  it("expires sessions", async () => {
    await seedIfEmpty(db);
    const user = (await verifyCredentials(db, "admin", "jifen-demo"))!;
    const now = new Date("2026-01-01T00:00:00Z");
    const { cookieValue: id } = createSession(db, user.id, now, 60_000);
    expect(getSessionUser(db, id, new Date(now.getTime() + 59_000))?.username).toBe("admin");
    expect(getSessionUser(db, id, new Date(now.getTime() + 60_000))).toBeNull();
  });
});
