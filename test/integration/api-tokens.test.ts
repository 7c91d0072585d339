/**
 * Department API tokens, the decision log, the rate limiter and the fact check, against a real SQLite with the
 * committed migrations; and the `jifen token` command on a database file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { listAudit } from "../../db/audit";
import { openDatabase, type JifenDb } from "../../db/connection";
import { getDecision, recordDecisions, type NewDecision } from "../../db/decisions";
import { migrateDatabase } from "../../db/migrate";
import { createApiToken, hashToken, listApiTokens, revokeApiToken, verifyApiToken } from "../../db/tokens";
import type { StandardDocument } from "../../rules-schema/types";
import { checkFacts, factDictionary } from "../../app/api/facts-check";
import { TokenBucketLimiter, rateLimitConfig } from "../../app/api/rate-limit.server";
import { compactScoreJson } from "../../app/api/batch.server";
import { answeredScore, summaryFromCompact } from "../../app/api/evaluation.server";
import { compileProgram } from "../../engine/scoring/compiled";
import { generateCohort } from "../../engine/cohorts/cohort-generate";
import { canonicalJson } from "../../rules-schema/canonical";

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;

let db: JifenDb;
beforeEach(() => {
  db = openDatabase(":memory:");
  migrateDatabase(db);
});

describe("API tokens", () => {
  it("shows the token once, stores only its SHA-256, and verifies it with its scopes", () => {
    const { token, record } = createApiToken(db, { name: "school places", department: "教育局", scopes: ["evaluate", "read"] });
    expect(token).toMatch(/^jifen_[A-Za-z0-9_-]{43}$/);
    const stored = db.$client.prepare("select token_hash from api_tokens where id = ?").get(record.id) as { token_hash: string };
    expect(stored.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(listApiTokens(db))).not.toContain(token);
    expect(verifyApiToken(db, token)).toEqual({ ok: true, token: { id: record.id, name: "school places", department: "教育局", scopes: ["evaluate", "read"] } });
    expect(verifyApiToken(db, token + "x")).toEqual({ ok: false, reason: "unknown" });
  });

  it("revokes at once, once, and audits creation and revocation", () => {
    const { token, record } = createApiToken(db, { name: "n", department: "公安", scopes: ["rank"] });
    expect(revokeApiToken(db, record.id)).toBe(true);
    expect(revokeApiToken(db, record.id)).toBe(false);
    expect(verifyApiToken(db, token)).toEqual({ ok: false, reason: "revoked" });
    const actions = db.$client.prepare("select action from audit_log where entity_type = 'apiToken' order by id").all() as Array<{ action: string }>;
    expect(actions.map((a) => a.action)).toEqual(["apiToken.create", "apiToken.revoke"]);
    expect(listAudit).toBeTypeOf("function");
  });

  it("refuses a token without scopes or department", () => {
    expect(() => createApiToken(db, { name: "n", department: "d", scopes: [] })).toThrow(/scope/);
    expect(() => createApiToken(db, { name: "n", department: " ", scopes: ["read"] })).toThrow(/department/);
  });
});

describe("decision log", () => {
  it("records many decisions in one transaction and returns their ids in order", () => {
    const base: NewDecision = {
      tokenId: null,
      standardId: "suzhou",
      versionId: 1,
      versionHash: "a".repeat(64),
      programId: "settlement",
      evaluationDate: "2016-05-15",
      inputHash: "b".repeat(64),
      input: "{}",
      output: '{"total":1}',
    };
    const ids = recordDecisions(db, [base, { ...base, output: '{"total":2}' }]);
    expect(ids[1]).toBe(ids[0] + 1);
    expect(getDecision(db, ids[1])?.output).toBe('{"total":2}');
  });
});

describe("rate limiter", () => {
  it("allows the burst, then refuses with a retry time, and refills at the rate", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take(7).allowed)).toEqual([true, true, true]);
    expect(limiter.take(7)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take(8).allowed).toBe(true);
    now = 500;
    expect(limiter.take(7).allowed).toBe(true);
    expect(limiter.take(7).allowed).toBe(false);
  });

  it("reads its settings from the environment with safe defaults", () => {
    expect(rateLimitConfig({})).toEqual({ perSecond: 10_000, burst: 20_000 });
    expect(rateLimitConfig({ API_RATE_PER_SECOND: "50", API_RATE_BURST: "5" })).toEqual({ perSecond: 50, burst: 5 });
    expect(rateLimitConfig({ API_RATE_PER_SECOND: "lots" })).toEqual({ perSecond: 10_000, burst: 20_000 });
  });
});

describe("fact check against the version's dictionary", () => {
  const dictionary = factDictionary(suzhou);

  it("accepts the document's own test cases", () => {
    for (const testCase of suzhou.testCases ?? []) expect(checkFacts(dictionary, testCase.facts, "/facts"), testCase.id).toEqual([]);
  });

  it("names wrong types, unknown facts and bad record fields by JSON pointer", () => {
    const problems = checkFacts(dictionary, { socialInsuranceMonths: 12.5, educationLevel: "phd-ish", birthdate: "1990-01-01", homes: [{ nope: 1 }] }, "/facts");
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.code]));
    expect(byPath["/facts/socialInsuranceMonths"]).toBe("api.factType");
    expect(byPath["/facts/educationLevel"]).toBe("api.factType");
    expect(byPath["/facts/birthdate"]).toBe("api.unknownFact");
    expect(problems.find((p) => p.path === "/facts/birthdate")?.params.suggestion).toBe("birthDate");
    expect(byPath["/facts/homes/0/nope"]).toBe("api.unknownFact");
    for (const p of problems) expect(p.message.zh.length && p.message.en.length).toBeGreaterThan(0);
  });
});

function jifen(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ["bin/jifen.mjs", ...args], { env, encoding: "utf8" });
}

describe("jifen token", () => {
  it("creates, lists and revokes tokens in the database file", () => {
    const dir = mkdtempSync(join(tmpdir(), "jifen-token-cli-"));
    const env = { ...process.env, DATABASE_URL: join(dir, "jifen.sqlite"), JIFEN_LANG: "en" };
    try {
      const created = JSON.parse(jifen(["token", "create", "--name", "hr", "--department", "人社局", "--scopes", "evaluate,rank", "--json"], env).stdout) as {
        id: number;
        token: string;
        scopes: string[];
      };
      expect(created.scopes).toEqual(["evaluate", "rank"]);
      const fileDb = openDatabase(env.DATABASE_URL);
      expect(verifyApiToken(fileDb, created.token).ok).toBe(true);
      const listed = jifen(["token", "list"], env).stdout;
      expect(listed).toContain("人社局");
      expect(listed).not.toContain(created.token);
      expect(jifen(["token", "revoke", String(created.id)], env).status).toBe(0);
      expect(verifyApiToken(fileDb, created.token)).toEqual({ ok: false, reason: "revoked" });
      fileDb.$client.close();
      const badScope = jifen(["token", "create", "--name", "x", "--department", "y", "--scopes", "admin"], env);
      expect(badScope.status).toBe(2);
      expect(badScope.stderr).toContain("admin");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("decision output of a batch", () => {
  it("is already canonical JSON when stringified, and so is a batch's compact score, for every example standard and program", () => {
    const examples = ["suzhou-2015", "suzhou-2020", "hangzhou-2018", "shanghai-2015", "changshu-2022", "guangzhou-2015", "shenzhen-school-2016", "shenzhen-talent-2017"];
    for (const name of examples) {
      const doc = JSON.parse(readFileSync(new URL(`../../rules-schema/examples/${name}.json`, import.meta.url), "utf8")) as StandardDocument;
      const cohort = generateCohort(doc, 200, name);
      for (const program of doc.programs) {
        const compiled = compileProgram(doc, program.id);
        for (const facts of cohort) {
          const score = compiled.score(facts, doc.effectiveFrom ?? "2024-01-01");
          const answered = answeredScore(doc, program.id, score);
          const summary = summaryFromCompact(compiled, answered);
          expect(JSON.stringify(summary)).toBe(canonicalJson(summary));
          // Decided before 047: the engine's total for everyone, no verdict; still canonical as read back.
          const before047 = summaryFromCompact(compiled, score);
          expect(JSON.stringify(before047)).toBe(canonicalJson(before047));
          const { categories, eligible, failedGates, items, total, verdict, vetoed } = answered;
          expect(total).toBe(eligible && !vetoed ? score.total : null);
          expect(compactScoreJson(score, verdict!)).toBe(canonicalJson({ categories, eligible, failedGates, items, total, verdict, vetoed }));
        }
      }
    }
  });
});
