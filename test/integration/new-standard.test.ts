/**
 * Starting a new standard (issue 25, part 7) on the real database with the real migrations: from the blank template
 * or as a copy of another city's version, the workflow setting the identity (decision 025); bad input refused field by
 * field, nothing half-written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { migrateDatabase } from "../../db/migrate";
import { seedIfEmpty } from "../../server/seed";
import { startStandard } from "../../db/new-standard";
import { getVersion, listStandards } from "../../db/standards";
import { identityErrors } from "../../db/workflow";
import { STARTER_TEMPLATE } from "../../rules-schema/templates";
import { validateDocumentText } from "../../rules-schema/validate";

let db: JifenDb;
const drafter = { id: 0, roles: ["drafter"] as const };
const identity = {
  jurisdiction: { code: "320100", zh: "南京市", en: "Nanjing" },
  title: { zh: "南京市积分落户计分标准", en: "Nanjing points settlement standard" },
  versionLabel: "2027",
};

beforeAll(async () => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
  await seedIfEmpty(db);
  drafter.id = (db.$client.prepare("select id from users where username = 'drafter'").get() as { id: number }).id;
});

afterAll(() => db.$client.close());

describe("a new standard", () => {
  it("starts from the blank template as a draft whose document carries the form's identity and validates", () => {
    const result = startStandard(db, { ...identity, id: "nanjing", sourceText: JSON.stringify(STARTER_TEMPLATE), actor: { ...drafter, roles: [...drafter.roles] } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const version = getVersion(db, result.versionId)!;
    expect(version).toMatchObject({ standardId: "nanjing", versionLabel: "2027", status: "draft", effectiveFrom: null });
    const doc = JSON.parse(version.document);
    expect(doc).toMatchObject({ id: "nanjing", version: "2027", status: "draft", title: identity.title, jurisdiction: { code: "320100", name: { zh: "南京市", en: "Nanjing" } } });
    expect(validateDocumentText(version.document).problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(identityErrors(version)).toEqual([]);
    expect(listStandards(db).find((s) => s.id === "nanjing")?.title).toEqual(identity.title);
  });

  it("copies another city's published version without its effective dates, keeping its rules and test cases", () => {
    const published = listStandards(db).flatMap((s) => s.versions).find((v) => v.status === "published" && v.effectiveFrom)!;
    const source = getVersion(db, published.id)!;
    const result = startStandard(db, { ...identity, id: "wuxi", sourceText: source.document, actor: { ...drafter, roles: [...drafter.roles] } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const copy = JSON.parse(getVersion(db, result.versionId)!.document);
    const original = JSON.parse(source.document);
    expect(copy.effectiveFrom).toBeUndefined();
    expect(copy.items).toEqual(original.items);
    expect(copy.testCases).toEqual(original.testCases);
    expect(identityErrors(getVersion(db, result.versionId)!)).toEqual([]);
  });

  it("refuses a taken id, a malformed id, missing fields and a reviewer, writing nothing", () => {
    const before = listStandards(db).length;
    const taken = startStandard(db, { ...identity, id: "suzhou", sourceText: JSON.stringify(STARTER_TEMPLATE), actor: { ...drafter, roles: [...drafter.roles] } });
    expect(taken.ok === false && taken.errors.map((e) => [e.code, e.field])).toEqual([["standard.idTaken", "id"]]);
    const bad = startStandard(db, { ...identity, id: "1 nanjing", title: { zh: "", en: "x" }, sourceText: "{}", actor: { ...drafter, roles: [...drafter.roles] } });
    expect(bad.ok === false && bad.errors.map((e) => e.field).sort()).toEqual(["id", "titleZh"]);
    expect(bad.ok === false && bad.errors.every((e) => e.message.zh && e.message.en)).toBe(true);
    const reviewer = startStandard(db, { ...identity, id: "hefei", sourceText: "{}", actor: { id: drafter.id, roles: ["reviewer"] } });
    expect(reviewer.ok === false && reviewer.errors[0].code).toBe("standard.forbidden");
    const broken = startStandard(db, { ...identity, id: "hefei", sourceText: "{ not json", actor: { ...drafter, roles: [...drafter.roles] } });
    expect(broken.ok === false && broken.errors[0].code).toBe("standard.badSource");
    expect(listStandards(db).length).toBe(before);
  });
});
