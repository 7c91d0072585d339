/**
 * The first vertical slice in a real browser: sign in, list the standards, open a draft in the bundled Monaco editor,
 * edit, save, reload and see the change; invalid JSON shows the editor's error marker and is not saved.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  openBrowser,
  lineOf,
  SCREENSHOT_DIR,
  signIn,
  startServer,
  typeInLine,
  waitForEditor,
  type BrowserSession,
  type RunningServer,
} from "./harness";

let server: RunningServer;
let browser: BrowserSession;

function draftVersion(databaseUrl: string): { id: number; standardId: string; document: string; revision: number } {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return db
      .prepare("select id, standard_id as standardId, document, revision from standard_versions where status = 'draft' order by id limit 1")
      .get() as { id: number; standardId: string; document: string; revision: number };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  await signIn(browser.page, server.url, "drafter");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("standards list", () => {
  it("lists the seeded standards with their versions, in Chinese by default", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/standards`);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    await expect.poll(() => page.locator("[data-testid=standards-table] tbody tr").count()).toBeGreaterThan(0);
    const text = await page.textContent("[data-testid=standards-table]");
    expect(text).toContain("草稿");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/standards-list.zh-CN.png`, fullPage: true });
  });

  it("switches to English on request and remembers it", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/standards?lang=en`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.textContent("h1")).toBe("Scoring standards");
    await page.goto(`${server.url}/standards`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/standards-list.en.png`, fullPage: true });
    await page.goto(`${server.url}/standards?lang=zh-CN`);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
  });
});

describe("editing a draft in Monaco", () => {
  it("speaks the page's language inside Monaco too (the find box), and loads no language but JSON (ends in Chinese, as the next tests expect)", async () => {
    const { page } = browser;
    const draft = draftVersion(server.databaseUrl);
    const scripts: string[] = [];
    const onResponse = (response: { url(): string }) => {
      if (/\.js(\?|$)/.test(response.url())) scripts.push(response.url());
    };
    page.on("response", onResponse);
    for (const [lang, find] of [["en", "Find"], ["zh-CN", "查找"]] as const) {
      await page.goto(`${server.url}/standards/${draft.standardId}/versions/${draft.id}?lang=${lang}`);
      await waitForEditor(page);
      await page.click(".monaco-editor .view-lines");
      await page.keyboard.press("Control+F");
      const input = page.locator(".monaco-editor .find-widget textarea, .monaco-editor .find-widget input").first();
      await input.waitFor({ state: "visible" });
      expect(await input.getAttribute("aria-label")).toBe(find);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-find.${lang}.png` });
      await page.keyboard.press("Escape");
    }
    page.off("response", onResponse);
    expect(scripts.filter((url) => /(ts|css|html)\.worker|tsMode|cssMode|htmlMode/.test(url))).toEqual([]);
  });

  it("edits, saves, reloads and sees the change", async () => {
    const { page } = browser;
    const draft = draftVersion(server.databaseUrl);
    const doc = JSON.parse(draft.document) as { title: { zh: string; en: string } };
    const newTitle = `${doc.title.zh}（浏览器测试修订）`;

    await page.goto(`${server.url}/standards/${draft.standardId}/versions/${draft.id}`);
    await waitForEditor(page);
    // Type just before the closing quote of the Chinese title.
    const titleLine = lineOf(draft.document, JSON.stringify(doc.title.zh));
    await typeInLine(page, titleLine, "（浏览器测试修订）", draft.document.split("\n")[titleLine - 1].endsWith(",") ? 2 : 1);
    await page.click("[data-testid=save]");
    await expect.poll(() => page.textContent("[data-testid=save-result]")).toContain(`修订号 ${draft.revision + 1}`);

    await page.reload();
    await waitForEditor(page);
    await expect.poll(() => page.textContent(".monaco-editor .view-lines")).toContain("浏览器测试修订");
    expect(await page.textContent("[data-testid=revision]")).toContain(String(draft.revision + 1));
    const stored = draftVersion(server.databaseUrl);
    expect(JSON.parse(stored.document).title.zh).toBe(newTitle);
    expect(stored.revision).toBe(draft.revision + 1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor.zh-CN.png` });
  });

  it("shows an error marker for invalid JSON and refuses to save it, losing nothing", async () => {
    const { page } = browser;
    const before = draftVersion(server.databaseUrl);
    await page.goto(`${server.url}/standards/${before.standardId}/versions/${before.id}?lang=en`);
    await waitForEditor(page);
    // A second comma after the formatVersion property: the JSON worker must mark it.
    const line = lineOf(before.document, '"formatVersion"');
    await typeInLine(page, line, ",");
    await page.waitForSelector(".monaco-editor .squiggly-error", { timeout: 20_000 });

    await page.click("[data-testid=save]");
    await expect.poll(() => page.textContent("[data-testid=save-result]")).toMatch(new RegExp(`Not saved: the JSON is malformed at line ${line}, column \\d+`));
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-invalid.en.png` });
    const after = draftVersion(server.databaseUrl);
    expect(after.revision).toBe(before.revision);
    expect(after.document).toBe(before.document);
    expect(browser.blockedRequests).toEqual([]);
  });

  it("shows the server's validation problems while typing, located by line and JSON pointer", async () => {
    const { page } = browser;
    const before = draftVersion(server.databaseUrl);
    await page.goto(`${server.url}/standards/${before.standardId}/versions/${before.id}?lang=zh-CN`);
    await waitForEditor(page);
    expect(await page.textContent("[data-testid=problems] h2")).toContain("(0)");
    const line = lineOf(before.document, '"formatVersion"');
    await typeInLine(page, line, "9", 2);
    await expect.poll(() => page.textContent("[data-testid=problems]"), { timeout: 15_000 }).toContain("/formatVersion");
    const problems = await page.textContent("[data-testid=problems]");
    expect(problems).toContain(`${line}:`);
    expect(problems).toMatch(/[\u4e00-\u9fff]/);
    await page.waitForSelector(".monaco-editor .squiggly-error", { timeout: 15_000 });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-problems.zh-CN.png`, fullPage: true });
  });

  it("refuses a save based on a stale revision as a conflict", async () => {
    const { page } = browser;
    const before = draftVersion(server.databaseUrl);
    await page.goto(`${server.url}/standards/${before.standardId}/versions/${before.id}?lang=en`);
    await waitForEditor(page);
    // Someone else saves meanwhile (a second browser page of another drafter session).
    const other = await browser.context.newPage();
    await other.goto(`${server.url}/standards/${before.standardId}/versions/${before.id}`);
    await waitForEditor(other);
    const line = lineOf(before.document, '"version"');
    await typeInLine(other, line, "-other", 2);
    await other.click("[data-testid=save]");
    await expect.poll(() => other.textContent("[data-testid=save-result]")).toContain(`Saved as revision ${before.revision + 1}`);
    await other.close();

    await typeInLine(page, line, "-mine", 2);
    await page.click("[data-testid=save]");
    await expect.poll(() => page.textContent("[data-testid=save-result]")).toContain("someone else saved this version");
    const after = draftVersion(server.databaseUrl);
    expect(after.revision).toBe(before.revision + 1);
    expect(JSON.parse(after.document).version).toMatch(/-other$/);
    expect(after.document).not.toContain("-mine");
  });

  it("opens a published version read-only", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/standards?lang=zh-CN`);
    const row = page.locator("tr", { has: page.locator(".status-published") }).first();
    await row.locator("a").first().click();
    await waitForEditor(page);
    expect(await page.locator("[data-testid=save]").count()).toBe(0);
    expect(await page.textContent(".notice")).toContain("不可修改");
  });
});
