/**
 * Issue 20, persons (decision 028) in a real browser: the Suzhou 2015 school program scores both spouses. The try
 * page has a section for the spouse's own facts, and the score sheet says the spouse's 645 points count (the
 * applicant has 270, worked by hand in the example's case tc11); the official table says whose points count.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;
let versionId: number;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  await signIn(browser.page, server.url, "reviewer");
  const db = new Database(server.databaseUrl, { readonly: true });
  try {
    versionId = (db.prepare("select id from standard_versions where standard_id = 'suzhou' and version_label = '2015'").get() as { id: number }).id;
  } finally {
    db.close();
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a program that scores both spouses", () => {
  for (const lang of ["zh-CN", "en"] as const) {
    it(`scores the spouse's own facts and says whose points count (${lang})`, async () => {
      const { page } = browser;
      await page.goto(`${server.url}/standards/suzhou/versions/${versionId}/try?case=tc11_spouse_higher_counts&lang=${lang}`);
      await waitForHydration(page, "[data-testid=compute]");
      expect(await page.textContent("fieldset[data-person=spouse] legend")).toBe(lang === "en" ? "Spouse" : "配偶");
      expect(await page.inputValue('[name="fact:spouse.birthDate"]')).toBe("1988-03-10");
      await page.locator("fieldset[data-person=spouse]").screenshot({ path: `${SCREENSHOT_DIR}/persons-form-${lang}.png` });
      await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("[data-testid=compute]")]);
      await page.waitForSelector("[data-testid=persons-choice]");
      expect(await page.textContent("[data-testid=total]")).toBe("645");
      expect(await page.textContent("[data-testid=persons-reason]")).toBe(
        lang === "en"
          ? "Points of: Spouse, the highest total of those who meet the conditions (the higher counts)."
          : "按配偶的积分计算：符合条件者中总分最高（就高不就低）。",
      );
      expect(await page.textContent("[data-testid=persons] tr[data-person=applicant]")).toContain("270");
      await page.locator("[data-testid=persons-choice]").screenshot({ path: `${SCREENSHOT_DIR}/persons-sheet-${lang}.png` });
    });
  }

  it("the official table says whose points the school program counts", async () => {
    const { page } = browser;
    for (const lang of ["zh-CN", "en"] as const) {
      await page.goto(`${server.url}/standards/suzhou/versions/${versionId}/table?lang=${lang}`);
      const text = await page.textContent("[data-program=school] [data-testid=program-persons]");
      expect(text).toContain(lang === "en" ? "the higher counts" : "就高不就低");
      await page.locator("[data-program=school]").screenshot({ path: `${SCREENSHOT_DIR}/persons-table-${lang}.png` });
    }
  });
});
