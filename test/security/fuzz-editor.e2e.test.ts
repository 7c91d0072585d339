/**
 * Bounded fuzz of the editor's validate and save actions on the real production server (issue 18, part 7): hostile
 * changes to the example standards, sent as the editor sends them. No answer may be a 500 or carry a stack trace.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../browser/harness";
import { applyChanges, changes, LEAK } from "./fuzz-arbitraries";

const examplesDir = join(import.meta.dirname, "../../rules-schema/examples");
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(examplesDir, f), "utf8")) as unknown);

let server: RunningServer;
let cookie: string;
let editorUrl: string;
let draftId: number;

/** The draft's revision as stored: a save of unchanged content makes none (issue 21), so it is read, not counted. */
function storedRevision(): number {
  const db = new Database(server.databaseUrl, { readonly: true });
  try {
    return (db.prepare("select revision from standard_versions where id = ?").get(draftId) as { revision: number }).revision;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = await startServer();
  const db = new Database(server.databaseUrl, { readonly: true });
  draftId = (db.prepare("select id from standard_versions where status = 'draft' and standard_id = 'suzhou'").get() as { id: number }).id;
  db.close();
  editorUrl = `${server.url}/standards/suzhou/versions/${draftId}`;
  const login = await fetch(`${server.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: "drafter", password: "jifen-demo", redirectTo: "/standards" }),
  });
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
});

afterAll(async () => {
  await server?.stop();
});

describe("fuzzed documents in the editor", () => {
  it("validate and save never answer 500 nor leak a stack trace", async () => {
    const statuses = new Map<string, number>();
    let revision = 1;
    const report = await fc.check(
      fc.asyncProperty(fc.nat({ max: examples.length - 1 }), changes(4), async (which, list) => {
        const text = applyChanges(examples[which], list);
        const headers = { Cookie: cookie, Origin: server.url };
        const validated = await fetch(`${editorUrl}/validate?lang=en`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: text });
        const validatedText = await validated.text();
        statuses.set(`validate ${validated.status}`, (statuses.get(`validate ${validated.status}`) ?? 0) + 1);
        expect(validated.status, validatedText.slice(0, 300)).toBe(200);
        expect(validatedText).not.toMatch(LEAK);
        const saved = await fetch(`${editorUrl}.data?index&lang=en`, {
          method: "POST",
          headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ document: text, baseRevision: String(revision) }),
        });
        const savedText = await saved.text();
        statuses.set(`save ${saved.status}`, (statuses.get(`save ${saved.status}`) ?? 0) + 1);
        expect([200, 400], savedText.slice(0, 300)).toContain(saved.status);
        expect(savedText).not.toMatch(LEAK);
        if (saved.status === 200) revision = storedRevision();
      }),
      { numRuns: 60, interruptAfterTimeLimit: 15_000, seed: Number(process.env.JIFEN_FUZZ_SEED ?? 18) },
    );
    console.info(`fuzz (editor over HTTP): ${report.numRuns} documents, validated and saved, ${report.failed ? 1 : 0} failure(s); ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(report.failed, report.failed ? fc.defaultReportMessage(report) : "").toBe(false);
  });
});
