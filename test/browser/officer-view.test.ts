/**
 * Issue 21, "words, not ids": the officer's default view of the standards list, the review page and the revision
 * history shows no standard code and no content hash; both stay one click away under the technical details, for the
 * engineer who matches a decision's versionHash. The latest runs name the standard and the program in words.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { openBrowser, signIn, startServer, SCREENSHOT_DIR, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;
let draft: { id: number; hash: string };

const HASH_LIKE = /\b[0-9a-f]{12,}\b/;

beforeAll(async () => {
  server = await startServer();
  const db = openDatabase(server.databaseUrl);
  draft = db.$client.prepare("select id, content_hash as hash from standard_versions where standard_id = 'suzhou' and status = 'draft'").get() as { id: number; hash: string };
  db.$client.close();
  browser = await openBrowser();
  await signIn(browser.page, server.url, "drafter");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The text a person sees in the page's main content (a closed <details> renders nothing). */
const seen = () => browser.page.innerText("main");

describe("the officer's view names standards in words", () => {
  for (const lang of ["zh-CN", "en"] as const) {
    it(`lists the standards without their codes or hashes, the code under technical details (${lang})`, async () => {
      const { page } = browser;
      await page.goto(`${server.url}/standards?lang=${lang}`);
      const card = page.locator("[data-standard=suzhou]");
      const text = await card.innerText();
      expect(text).toContain(lang === "en" ? "Suzhou migrant population points scoring standard" : "苏州市流动人口积分管理计分标准");
      expect(text).not.toMatch(/\bsuzhou\b/);
      expect(text).not.toMatch(HASH_LIKE);
      await card.locator("[data-testid=engineer-details] summary").click();
      expect(await card.locator("[data-testid=standard-code]").innerText()).toBe("suzhou");
      const runs = await page.innerText("[data-testid=latest-runs]");
      expect(runs).toContain(lang === "en" ? "points-based school admission" : "积分入学");
      expect(runs).not.toMatch(/\bsuzhou\b|\bschool\b(?! admission)/);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/standards-officer.${lang}.png`, fullPage: true });
    });

    it(`shows the review page and the revision history without the code or the hash until asked (${lang})`, async () => {
      const { page } = browser;
      for (const path of ["review", "history"]) {
        await page.goto(`${server.url}/standards/suzhou/versions/${draft.id}/${path}?lang=${lang}`);
        const text = await seen();
        expect(text, path).not.toMatch(HASH_LIKE);
        expect(text, path).not.toMatch(/\bsuzhou\b/);
        expect(text, path).not.toMatch(/\bdrafter\b/);
        await page.click("[data-testid=engineer-details] summary");
        expect(await page.innerText("[data-testid=content-hash]"), path).toBe(draft.hash);
        expect(await page.innerText("[data-testid=standard-code]"), path).toBe("suzhou");
        await page.screenshot({ path: `${SCREENSHOT_DIR}/${path}-officer.${lang}.png`, fullPage: true });
      }
    });
  }
});
