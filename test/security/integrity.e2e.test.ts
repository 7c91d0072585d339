/**
 * Issue 18 on a running server: REPLACE over the published version in effect is refused while the server runs, and
 * the API keeps answering with the published points; `jifen audit verify` on a copy of the server's database (seeded,
 * with decisions logged through the API) exits 0, and exits 1 naming the row once a logged decision was rewritten
 * with INSERT OR REPLACE after the guard triggers were dropped; the administrator's integrity screen in both
 * languages, intact and then naming a rewritten audit entry.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { backupDatabase } from "../../db/export";
import { createApiToken } from "../../db/tokens";
import type { StandardDocument } from "../../rules-schema/types";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "../browser/harness";

const suzhou = JSON.parse(readFileSync(new URL("../../rules-schema/examples/suzhou-2015.json", import.meta.url), "utf8")) as StandardDocument;
/** The seed publishes every example standard whose status is "published". */
const examplesDir = new URL("../../rules-schema/examples/", import.meta.url);
const publishedExamples = readdirSync(examplesDir)
  .filter((file) => file.endsWith(".json"))
  .filter((file) => (JSON.parse(readFileSync(new URL(file, examplesDir), "utf8")) as StandardDocument).status === "published").length;
const case01 = suzhou.testCases!.find((t) => t.id === "tc01_ordinary_graduate")!;

let server: RunningServer;
let db: JifenDb;
let token: string;
const dir = mkdtempSync(join(tmpdir(), "jifen-integrity-e2e-"));

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  db = openDatabase(server.databaseUrl);
  token = createApiToken(db, { name: "integrity", department: "公安局", scopes: ["evaluate", "read"] }).token;
});

afterAll(async () => {
  db?.$client.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function evaluate(): Promise<{ status: number; total: unknown; decisionId: number }> {
  const response = await fetch(`${server.url}/api/v1/standards/suzhou/evaluate`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ program: case01.program, date: case01.date, facts: case01.facts }),
  });
  const json = (await response.json()) as { score: { total: unknown }; decisionId: number };
  return { status: response.status, total: json.score?.total, decisionId: json.decisionId };
}

const verify = (path: string, ...args: string[]) =>
  spawnSync(process.execPath, ["bin/jifen.mjs", "--lang", "en", "audit", "verify", "--database", path, ...args], { encoding: "utf8" });

function dropGuards(sqlite: JifenDb["$client"]): void {
  for (const { name } of sqlite.prepare("select name from sqlite_master where type = 'trigger'").all() as Array<{ name: string }>) {
    sqlite.exec(`drop trigger "${name}"`);
  }
}

describe("integrity on a running server", () => {
  it("refuses REPLACE over the published version in effect; the API keeps answering with the published points", async () => {
    const before = await evaluate();
    expect(before.status).toBe(200);
    expect(before.total).toBe(case01.expect.total);
    const published = db.$client
      .prepare("select * from standard_versions where standard_id = 'suzhou' and status = 'published'")
      .get() as Record<string, unknown>;
    const forged = (published.document as string).replace(/"points":\s*(\d+)/g, '"points": 999');
    expect(forged).not.toBe(published.document);
    for (const verb of ["insert or replace into", "replace into"]) {
      expect(() =>
        db.$client
          .prepare(
            `${verb} standard_versions (id, standard_id, version_label, status, document, content_hash, revision, effective_from, created_at, updated_at)
             values (@id, @standard_id, @version_label, @status, @forged, @content_hash, @revision, @effective_from, @created_at, @updated_at)`,
          )
          .run({ ...published, forged }),
      ).toThrow(/version_immutable/);
    }
    expect(() => db.$client.prepare("update standard_versions set approved_by = 1 where id = ?").run(published.id)).toThrow(/version_immutable/);
    const after = await evaluate();
    expect(after.status).toBe(200);
    expect(after.total).toBe(before.total);
  });

  it("jifen audit verify: a copy of the server's database is intact (exit 0); a decision rewritten with INSERT OR REPLACE is named (exit 1)", async () => {
    // Decisions logged through the API: singles and a batch.
    const ids = [(await evaluate()).decisionId, (await evaluate()).decisionId];
    const batch = await fetch(`${server.url}/api/v1/standards/suzhou/evaluate/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ program: case01.program, date: case01.date, applicants: [{ id: "a", facts: case01.facts }, { id: "b", facts: case01.facts }] }),
    });
    expect(batch.status).toBe(200);
    await batch.arrayBuffer();
    const copy = join(dir, "copy.sqlite");
    await backupDatabase(db, copy);

    let result = verify(copy);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Logged decisions \(single applicants\): \d+ entries; head [0-9a-f]{64}; intact/);
    expect(result.stdout).toMatch(/Logged decisions \(batches\): 1 entry; head [0-9a-f]{64}; intact/);
    expect(result.stdout).toContain(`Published versions' documents: ${publishedExamples}, each with the content hash recorded when it was published`);

    // An attacker with a shell on the copy: the guards dropped, then a logged decision rewritten with INSERT OR REPLACE.
    const attacker = openDatabase(copy);
    dropGuards(attacker.$client);
    const target = ids[0];
    const original = attacker.$client.prepare("select * from decision_log where id = ?").get(target) as Record<string, unknown>;
    const output = (original.output as string).replace(/"total":\s*\d+/, '"total":999');
    expect(output).not.toBe(original.output);
    attacker.$client
      .prepare(
        `insert or replace into decision_log (id, at, token_id, standard_id, version_id, version_hash, program_id, evaluation_date, input_hash, input, output, prev_hash, row_hash)
         values (@id, @at, @token_id, @standard_id, @version_id, @version_hash, @program_id, @evaluation_date, @input_hash, @input, @output, @prev_hash, @row_hash)`,
      )
      .run({ ...original, output });
    attacker.$client.close();

    result = verify(copy);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`Logged decisions (single applicants), first break: decision no. ${target}: its content no longer matches the hash written with it`);
    const json = JSON.parse(verify(copy, "--json").stdout) as { intact: boolean; chains: Array<{ table: string; firstBreak: { id: number } | null }> };
    expect(json.intact).toBe(false);
    expect(json.chains.find((c) => c.table === "decision_log")!.firstBreak!.id).toBe(target);
    // The server's own database is untouched.
    expect(verify(server.databaseUrl).status).toBe(0);
  });
});

describe("the administrator's integrity screen", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("refuses a drafter", async () => {
    const { page } = browser;
    await signIn(page, server.url, "drafter");
    expect((await page.goto(`${server.url}/admin/integrity`))?.status()).toBe(403);
    await page.context().clearCookies();
  });

  it("shows each chain's entries, head and state in both languages, and names a rewritten entry", async () => {
    const { page } = browser;
    await signIn(page, server.url, "admin");
    await page.goto(`${server.url}/admin/integrity?lang=zh-CN`);
    expect(await page.textContent("h1")).toBe("记录完整性核验");
    await waitForHydration(page, "[data-testid=check-again]");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("[data-testid=check-again]")]);
    await expect.poll(() => page.getAttribute("[data-testid=integrity-state]", "data-intact")).toBe("true");
    expect(await page.textContent("[data-testid=integrity-state]")).toContain("完整：未发现记录在写入后被改动。");
    const audit = await page.textContent("[data-chain=audit_log]");
    expect(audit).toContain("操作记录");
    expect(audit).toMatch(/[0-9a-f]{64}/);
    expect(await page.textContent("[data-chain=documents]")).toContain("均与发布时记下的内容哈希一致");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/admin-integrity.zh-CN.png`, fullPage: true });

    // Rewritten in place after the guards were dropped: the next check names the entry.
    dropGuards(db.$client);
    const entry = db.$client.prepare("select id from audit_log where action = 'apiToken.create' order by id limit 1").get() as { id: number };
    db.$client.prepare("update audit_log set details = '{}' where id = ?").run(entry.id);
    await page.goto(`${server.url}/admin/integrity?lang=en`);
    await waitForHydration(page, "[data-testid=check-again]");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("[data-testid=check-again]")]);
    await expect.poll(() => page.getAttribute("[data-testid=integrity-state]", "data-intact")).toBe("false");
    expect(await page.textContent("[data-testid=integrity-state]")).toContain("Changed: the records below were changed after they were written.");
    expect(await page.textContent("[data-chain=audit_log]")).toContain(`Audit trail, first break: audit entry no. ${entry.id}: its content no longer matches the hash written with it`);
    expect(await page.textContent("[data-chain=decision_log]")).toContain("Intact");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/admin-integrity.en.png`, fullPage: true });
  });
});
