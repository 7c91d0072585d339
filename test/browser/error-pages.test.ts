/**
 * Issue 21, part 7: error pages keep the layout (the navigation) and speak the UI's language: an unknown address, a
 * version that does not exist and a page the role may not open, in Chinese and in English. No Remix or English
 * developer text on the Chinese page, no Chinese on the English one.
 */
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
  browser = await openBrowser();
  await signIn(browser.page, server.url, "drafter");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const CJK = /[\u4e00-\u9fff]/;

describe("error pages", () => {
  it("an unknown address: 404 in the UI's language, with the navigation", async () => {
    const { page } = browser;
    for (const [lang, title, nav] of [
      ["zh-CN", "未找到该页面。", "计分标准"],
      ["en", "Page not found.", "Standards"],
    ] as const) {
      const response = await page.goto(`${server.url}/no-such-page?lang=${lang}`);
      expect(response?.status()).toBe(404);
      expect(await page.textContent("main h1")).toBe(title);
      expect(await page.textContent("header.topbar nav")).toContain(nav);
      const main = (await page.textContent("main")) ?? "";
      expect(main).not.toMatch(/No route matches|Error:/);
      if (lang === "en") expect(main).not.toMatch(CJK);
      else expect(main).not.toMatch(/[A-Za-z]{4,}/);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/error-404.${lang}.png` });
    }
  });

  it("a version that does not exist, and a page the role may not open", async () => {
    const { page } = browser;
    for (const lang of ["zh-CN", "en"] as const) {
      const missing = await page.goto(`${server.url}/standards/suzhou/versions/99999/table?lang=${lang}`);
      expect(missing?.status()).toBe(404);
      const text = (await page.textContent("main")) ?? "";
      if (lang === "en") expect(text).not.toMatch(CJK);
      else expect(text).toContain("地址可能有误");
      expect(await page.locator("header.topbar nav").count()).toBe(1);

      const refused = await page.goto(`${server.url}/admin/tokens?lang=${lang}`);
      expect(refused?.status()).toBe(403);
      expect(await page.textContent("main h1")).toBe(lang === "en" ? "Not allowed" : "无权访问");
      expect(await page.locator("header.topbar nav").count()).toBe(1);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/error-403.${lang}.png` });
    }
  });
});
