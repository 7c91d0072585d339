/**
 * The public self-estimate (issue 23, part 1) in a real browser on a 375-px phone, signed out: a Suzhou applicant
 * answers the questionnaire and sees the total computed by hand, the verdict and the explanation, in Chinese and
 * (after the language switch, which keeps the answers) in English; bad answers are located and explained; the
 * result prints on at most two A4 pages. Spouse questions appear only when the applicant says married. A draft-only
 * standard, an expired one and a version's id are 404; over the per-address limit the page is a bilingual 429; an
 * estimate writes nothing to the database; public pages show no signed-in navigation and no internal ids.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/connection";
import { createStandardWithVersion } from "../../db/standards";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;
type Page = BrowserSession["page"];

const PHONE = { width: 375, height: 667 };

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
  browser = await openBrowser();
  await browser.page.setViewportSize(PHONE);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A day `years` years and `days` days before today (UTC, the server's "today"). */
function before(years: number, days: number): string {
  const date = new Date();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

/**
 * Hand-computed from the official 2015 table (苏府规字〔2015〕7号) for settlement, as of today: age 30 → 10; master →
 * 200; intermediate title → 50; 80 months of social insurance × 5 → 400; 30 months of housing fund = 2 full years × 5
 * → 10; an owned home of 110 m² lived in: 60 + 1 full 25 m² × 20 → 80; residence registered 5 years and a month ago
 * → 5 × 30 = 150. Base 900; family planning +100. Total 1000.
 */
async function answerSuzhouApplicant(page: Page): Promise<void> {
  await waitForHydration(page, "[data-testid=add-homes]");
  await page.selectOption("[data-testid=program]", "settlement");
  await page.selectOption('[name="fact:socialInsuranceActive"]', "true");
  await page.fill('[name="fact:residenceRegistrationDate"]', before(5, 30));
  await page.selectOption('[name="fact:holdsResidencePermit"]', "true");
  await page.selectOption('[name="fact:hasLegalStableHome"]', "true");
  await page.fill('[name="fact:perCapitaHousingAreaM2"]', "30");
  await page.fill('[name="fact:housingSecurityAreaStandardM2"]', "18");
  await page.fill('[name="fact:birthDate"]', before(30, 10));
  await page.selectOption('[name="fact:educationLevel"]', "master");
  await page.selectOption('[name="fact:professionalTitle"]', "intermediate");
  await page.fill('[name="fact:socialInsuranceMonths"]', "80");
  await page.fill('[name="fact:housingFundMonths"]', "30");
  await page.click("[data-testid=add-homes]");
  const row = page.locator("[data-records=homes] tr[data-row]").first();
  await row.locator('input[name$=":areaM2"]').fill("110");
  await row.locator('select[name$=":owner"]').selectOption("self");
  await row.locator('select[name$=":inUrbanDistrict"]').selectOption("true");
  await page.selectOption('[name="fact:livesInOwnedHome"]', "true");
  await page.selectOption('[name="fact:familyPlanningCompliant"]', "true");
}

async function submit(page: Page, selector = "[data-testid=estimate]"): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click(selector)]);
  await page.waitForSelector("[data-testid=estimate]:not([disabled])");
}

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Every row of every table, hashed: what an estimate must leave exactly as it was. */
function databaseDigest(databaseUrl: string): string {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    const hash = createHash("sha256");
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      hash.update(name);
      for (const row of db.prepare(`select * from "${name}"`).iterate()) hash.update(JSON.stringify(row, (_key, value) => (Buffer.isBuffer(value) ? value.toString("hex") : value)));
    }
    return hash.digest("hex");
  } finally {
    db.close();
  }
}

const points = (page: Page, id: string) => page.textContent(`[data-testid=points-${id}]`);

describe("self-estimate on a phone, signed out", () => {
  it("answers in Chinese, shows the hand-computed score, the verdict and the explanation, then the same in English with the answers kept", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/estimate/suzhou?lang=zh-CN`);
    expect(await page.locator(".topbar nav").count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-phone.zh-CN.png` });
    await answerSuzhouApplicant(page);
    await page.fill("[data-testid=line]", "1050");
    await submit(page);
    await page.waitForSelector("[data-testid=score-sheet]");

    expect(await page.textContent("[data-testid=total]")).toBe("1000");
    expect(await page.textContent("[data-testid=verdict]")).toBe("符合条件：1000分，参加排序");
    expect(await points(page, "age")).toBe("10");
    expect(await points(page, "education")).toBe("200");
    expect(await points(page, "social_insurance")).toBe("400");
    expect(await points(page, "property")).toBe("80");
    expect(await points(page, "residence")).toBe("150");
    expect(await page.textContent("[data-testid=items] tr[data-item=social_insurance]")).toContain("80个月 → 80个月 × 5分 = 400分");
    // 5 points a month of social insurance: 10 more months reach the line of 1050.
    expect(await page.textContent("[data-testid=what-it-takes]")).toContain("80个月 → 90个月（再增加10个月）");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-result-phone.zh-CN.png` });

    // The public page shows no internal ids or hashes.
    const stored = new Database(server.databaseUrl, { readonly: true });
    const version = stored.prepare("select id, content_hash as hash from standard_versions where standard_id = 'suzhou' and status = 'published'").get() as { id: number; hash: string };
    stored.close();
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toContain(version.hash);
    expect(text).not.toMatch(/\bsuzhou\b|\bsettlement\b|social_insurance/);

    // Printed: the result alone, on one or two A4 pages.
    await page.emulateMedia({ media: "print" });
    const pdf = await page.pdf({ format: "A4" });
    await page.emulateMedia({ media: "screen" });
    const pages = pdf.toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(pages.length).toBeLessThanOrEqual(2);

    await submit(page, "[data-testid=switch-lang]");
    await page.waitForSelector("html[lang=en] [data-testid=score-sheet]");
    expect(await page.inputValue('[name="fact:socialInsuranceMonths"]')).toBe("80");
    expect(await page.inputValue("[data-testid=line]")).toBe("1050");
    expect(await page.textContent("[data-testid=total]")).toBe("1000");
    expect(await page.textContent("[data-testid=verdict]")).toBe("Eligible: 1000 points; ranked for the places");
    expect(await page.textContent("[data-testid=items] tr[data-item=education]")).toContain("master");
    expect(await page.textContent("[data-testid=what-it-takes]")).toContain("What it would take");
    expect(await horizontalOverflow(page)).toBe(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-result-phone.en.png` });
  });

  it("locates bad answers with a message in the applicant's language and keeps everything entered", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/estimate/suzhou?lang=zh-CN`);
    await waitForHydration(page, "[data-testid=estimate]");
    await page.fill('[name="fact:socialInsuranceMonths"]', "八十");
    await page.fill('[name="fact:housingFundMonths"]', "-3");
    await submit(page);
    expect(await page.textContent('[data-error-for="fact:socialInsuranceMonths"]')).toBe("请输入数字（如 12 或 3.5）。");
    expect(await page.textContent('[data-error-for="fact:housingFundMonths"]')).toBe("不能小于 0。");
    expect(await page.textContent("[data-testid=form-errors]")).toContain("有 2 处填写有误");
    expect(await page.locator("[data-testid=score-sheet]").count()).toBe(0);
    expect(await page.inputValue('[name="fact:socialInsuranceMonths"]')).toBe("八十");

    // An impossible date cannot be typed into a date field; sent as a form post, it is refused at its field.
    for (const [lang, expected] of [
      ["zh-CN", "请输入有效日期（年-月-日）。"],
      ["en", "Enter a valid date (year-month-day)."],
    ]) {
      const response = await fetch(`${server.url}/estimate/suzhou?lang=${lang}`, {
        method: "POST",
        headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ program: "settlement", "fact:birthDate": "2030-02-30", intent: "estimate" }).toString(),
      });
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain(`data-error-for="fact:birthDate">${expected}`);
      expect(html).not.toMatch(/at \w+ \(|node_modules/);
    }
  });

  it("asks the spouse's questions only when the applicant says married (Suzhou school places, English)", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/estimate/suzhou?lang=en`);
    await waitForHydration(page, "[data-testid=estimate]");
    await page.selectOption("[data-testid=program]", "school");
    expect(await page.textContent("[data-person=spouse] legend")).toBe("Are you married?");
    expect(await page.locator('[name^="fact:spouse."]').count()).toBe(0);
    await page.click("[data-testid=present-spouse]");
    expect(await page.locator('[name="fact:spouse.educationLevel"]').count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-spouse-phone.en.png` });

    for (const person of ["", "spouse."]) {
      await page.selectOption(`[name="fact:${person}socialInsuranceActive"]`, "true");
      await page.fill(`[name="fact:${person}residenceRegistrationDate"]`, before(3, 30));
      await page.selectOption(`[name="fact:${person}holdsResidencePermit"]`, "true");
      await page.fill(`[name="fact:${person}socialInsuranceMonths"]`, "24");
    }
    await page.selectOption('[name="fact:spouse.educationLevel"]', "master");
    await submit(page);
    await page.waitForSelector("[data-testid=persons-choice]");
    // Both qualify; the spouse's master's degree makes the higher total, which counts.
    expect(await page.textContent("[data-testid=persons] tr.chosen")).toContain("Spouse");
    expect(await horizontalOverflow(page)).toBe(0);

    await page.click("[data-testid=absent-spouse]");
    expect(await page.locator('[name^="fact:spouse."]').count()).toBe(0);
    await submit(page);
    await page.waitForSelector("[data-testid=score-sheet]");
    expect(await page.locator("[data-testid=persons-choice]").count()).toBe(0);
  });

  it("leaves the database exactly as it was after estimates", async () => {
    const digest = databaseDigest(server.databaseUrl);
    const response = await fetch(`${server.url}/estimate/suzhou`, {
      method: "POST",
      headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ program: "settlement", "fact:socialInsuranceMonths": "80", "fact:socialInsuranceActive": "true", intent: "estimate" }).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('data-testid="score-sheet"');
    expect(databaseDigest(server.databaseUrl)).toBe(digest);
  });
});

describe("what is not public", () => {
  it("answers 404 in the applicant's language for a draft-only standard, one with no version in force and a version's id", async () => {
    const db = openDatabase(server.databaseUrl);
    try {
      const text = JSON.stringify({ id: "draft-only", title: { zh: "草稿标准", en: "Draft standard" } });
      createStandardWithVersion(db, { id: "draft-only", jurisdiction: { code: "000000", zh: "测试", en: "Test" }, title: { zh: "草稿标准", en: "Draft standard" } }, { versionLabel: "0.1", status: "draft", documentText: text });
    } finally {
      db.$client.close();
    }
    const draftVersion = new Database(server.databaseUrl, { readonly: true }).prepare("select id from standard_versions where standard_id = 'draft-only'").get() as { id: number };
    for (const path of ["draft-only", "shanghai", String(draftVersion.id), "suzhou-2020"]) {
      for (const [lang, words] of [
        ["zh-CN", "没有可自测的计分标准"],
        ["en", "No standard to estimate against"],
      ]) {
        const response = await fetch(`${server.url}/estimate/${path}?lang=${lang}`);
        expect(response.status, path).toBe(404);
        const html = await response.text();
        expect(html).toContain(words);
        expect(html).not.toContain("草稿标准");
      }
    }
    const { page } = browser;
    await page.goto(`${server.url}/estimate/draft-only?lang=zh-CN`);
    expect(await page.getAttribute("[data-testid=estimate-error]", "data-status")).toBe("404");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-404-phone.zh-CN.png` });
  });

  it("lists the standards in force publicly, without drafts or expired ones", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/estimate?lang=zh-CN`);
    const links = await page.$$eval("[data-testid=public-standards] a", (anchors) => anchors.map((a) => a.getAttribute("href")));
    expect(links).toEqual(expect.arrayContaining(["/estimate/suzhou", "/estimate/hangzhou", "/estimate/changshu"]));
    expect(links).not.toContain("/estimate/shanghai");
    expect(links).not.toContain("/estimate/draft-only");
    expect(await page.locator(".topbar nav").count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-list-phone.zh-CN.png` });
  });

  it("links the self-estimate from the standards page, and shows a signed-in user no navigation on it", async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1366, height: 900 });
    try {
      await signIn(page, server.url, "drafter");
      await page.goto(`${server.url}/standards?lang=zh-CN`);
      expect(await page.getAttribute("[data-standard=suzhou] [data-testid=self-estimate-link]", "href")).toBe("/estimate/suzhou");
      expect(await page.locator("[data-standard=shanghai] [data-testid=self-estimate-link]").count()).toBe(0);
      await page.click("[data-standard=suzhou] [data-testid=self-estimate-link]");
      await page.waitForSelector("[data-testid=estimate-form]");
      expect(await page.locator(".topbar nav").count()).toBe(0);
      expect(await page.textContent(".topbar")).not.toContain("起草人");
      await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-desktop.zh-CN.png` });
      await page.goto(`${server.url}/estimate/suzhou?lang=en`);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-desktop.en.png` });
    } finally {
      await page.context().clearCookies();
      await page.setViewportSize(PHONE);
    }
  });
});

describe("the limit per address", () => {
  let limited: RunningServer;
  beforeAll(async () => {
    // Three requests at once, then one more a day: the fourth is over the limit however slowly the test runs.
    limited = await startServer({ JIFEN_SEED_COHORT_SIZE: "0", ESTIMATE_RATE_BURST: "3", ESTIMATE_RATE_PER_MINUTE: "0.0007" });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it("counts a page view and an estimate once each, then answers 429 with a bilingual page and Retry-After", async () => {
    const { page } = browser;
    expect((await page.goto(`${limited.url}/estimate/suzhou?lang=zh-CN`))?.status()).toBe(200);
    await waitForHydration(page, "[data-testid=estimate]");
    await page.fill('[name="fact:socialInsuranceMonths"]', "12");
    await submit(page);
    await page.waitForSelector("[data-testid=score-sheet]");
    expect((await fetch(`${limited.url}/estimate/suzhou`)).status).toBe(200);
    const zh = await fetch(`${limited.url}/estimate/suzhou?lang=zh-CN`);
    expect(zh.status).toBe(429);
    expect(Number(zh.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await zh.text()).toContain("请求过于频繁");
    const response = await page.goto(`${limited.url}/estimate/suzhou?lang=en`);
    expect(response?.status()).toBe(429);
    expect(await page.textContent("[data-testid=estimate-error] h1")).toBe("Too many requests");
    expect(await page.textContent("[data-testid=estimate-error]")).toContain("Try again in");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/self-estimate-429-phone.en.png` });
  });
});
