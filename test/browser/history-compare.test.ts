/**
 * Revision history, restore and comparison in a real browser, and the schema's hover help in the UI's language.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineOf, openBrowser, SCREENSHOT_DIR, signIn, startServer, typeInLine, waitForEditor, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;
let draft: { id: number; document: string };
let base: string;

function stored(id: number): { document: string; revision: number } {
  const db = new Database(server.databaseUrl, { readonly: true });
  try {
    return db.prepare("select document, revision from standard_versions where id = ?").get(id) as { document: string; revision: number };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  const db = new Database(server.databaseUrl, { readonly: true });
  draft = db.prepare("select id, document from standard_versions where standard_id = 'suzhou' and status = 'draft'").get() as { id: number; document: string };
  db.close();
  base = `${server.url}/standards/suzhou/versions/${draft.id}`;
  await signIn(browser.page, server.url, "drafter");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("history, restore and compare", () => {
  it("shows hover help from the schema in Chinese, and in English on request", async () => {
    const { page } = browser;
    for (const [lang, pattern] of [
      ["zh-CN", /[\u4e00-\u9fff]/],
      ["en", /[A-Za-z]{4,}/],
    ] as const) {
      await page.goto(`${base}?lang=${lang}`);
      await waitForEditor(page);
      const key = page.locator(".view-line span", { hasText: '"jurisdiction"' }).first();
      const hover = page.locator(".monaco-hover-content").first();
      // The JSON worker starts after the editor shows; a hover before it has the schema shows nothing, so the
      // pointer leaves and comes back, as a user would.
      await expect
        .poll(
          async () => {
            await page.mouse.move(0, 0);
            await key.hover();
            return hover.waitFor({ state: "visible", timeout: 2_000 }).then(
              () => true,
              () => false,
            );
          },
          { timeout: 30_000, interval: 250 },
        )
        .toBe(true);
      const text = (await hover.textContent()) ?? "";
      expect(text).toMatch(pattern);
      if (lang === "en") expect(text).not.toMatch(/[\u4e00-\u9fff]{4,}/);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-hover.${lang}.png` });
    }
  });

  it("offers the schema's properties as completions, with help in the UI's language", async () => {
    const { page } = browser;
    await page.goto(`${base}?lang=zh-CN`);
    await waitForEditor(page);
    await page.click(".monaco-editor .view-lines");
    await page.keyboard.press("Control+G");
    await page.keyboard.type(String(lineOf(draft.document, '"formatVersion"')));
    await page.keyboard.press("Enter");
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    const widget = page.locator(".suggest-widget");
    // As with hover: suggestions asked for before the JSON worker has the schema come back empty, so ask again.
    await expect
      .poll(
        async () => {
          await page.keyboard.press("Escape");
          await page.keyboard.press("Control+Space");
          return widget.waitFor({ state: "visible", timeout: 2_000 }).then(
            async () => (await widget.textContent()) ?? "",
            () => "",
          );
        },
        { timeout: 30_000, interval: 250 },
      )
      .toContain("effectiveTo");
    // Properties the draft does not have yet are offered.
    await expect.poll(() => widget.textContent(), { timeout: 10_000 }).toContain("effectiveTo");
    expect(await widget.textContent()).toContain("groups");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-completions.zh-CN.png` });
    await page.keyboard.press("Escape");
  });

  it("keeps every save as a revision, compares it with the current content and restores it", async () => {
    const { page } = browser;
    await page.goto(`${base}?lang=zh-CN`);
    await waitForEditor(page);
    await typeInLine(page, lineOf(draft.document, '"version"'), "-b", 2);
    await page.click("[data-testid=save]");
    await expect.poll(() => page.textContent("[data-testid=save-result]")).toContain("修订号 2");

    await page.goto(`${base}/history?lang=zh-CN`);
    expect(await page.locator("[data-testid=revisions] tbody tr").count()).toBe(2);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/history.zh-CN.png`, fullPage: true });

    await page.goto(`${base}/compare?against=r:1&lang=zh-CN`);
    // In words first; no JSON pointer on the page until the JSON view is opened (issue 21, part 3).
    expect(await page.textContent("[data-testid=change-list]")).toContain("文档中的版本号：2020-rev → 2020-rev-b");
    expect(await page.textContent("main")).not.toContain("/version");
    expect(await page.locator("[data-testid=json-diff], [data-testid=structural-diff]").count()).toBe(0);
    await page.click("[data-testid=show-json]");
    await page.waitForSelector("[data-testid=json-diff] .monaco-diff-editor .view-lines", { timeout: 30_000 });
    const header = await page.textContent("[data-testid=structural-diff]");
    expect(header).toContain("/version");
    expect(header).toContain("2020-rev-b");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/compare-revision.zh-CN.png`, fullPage: true });

    await page.goto(`${base}/history?lang=en`);
    await page.click("[data-testid=restore-1]");
    await expect.poll(() => page.textContent("[data-testid=restore-result]")).toContain("Restored the content of revision 1 as revision 3");
    const now = stored(draft.id);
    expect(now.revision).toBe(3);
    expect(now.document).toBe(draft.document);
  });

  it("lists what changed from the 2015 standard to the 2020 revision in words, by category and indicator", async () => {
    const { page } = browser;
    await page.goto(`${base}/compare?lang=en`);
    const text = (await page.textContent("[data-testid=change-list]")) ?? "";
    expect(text).toMatch(/removed/);
    expect(text).toMatch(/added/);
    expect(text).toMatch(/modified/);
    expect(text).toContain("master tier 200 points → 100 points");
    expect(await page.textContent("[data-testid=diff-counts]")).toMatch(/\d+ added, \d+ removed, \d+ modified/);
    expect(await page.textContent("main")).not.toMatch(/\/(scoring|tiers|items)\//);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/compare-versions.en.png`, fullPage: true });
    await page.goto(`${base}/compare?lang=zh-CN`);
    const zh = (await page.textContent("[data-testid=change-list]")) ?? "";
    expect(zh).toContain("删除");
    expect(zh).toContain("硕士研究生档 200分 → 100分");
    // The 变化 column keeps its word on one line beside long sentences.
    const lines = await page.locator("[data-testid=change-list] td.col-change").first().evaluate((cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(lines).toBe(1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/compare-versions.zh-CN.png`, fullPage: true });
  });
});
