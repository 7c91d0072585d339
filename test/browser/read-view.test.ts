/**
 * The read view in a real browser: the Suzhou 2015 standard as the official table (education tiers with their
 * points, the social-insurance accrual rule) in Chinese and in English, and print media hiding the navigation.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;

function versionId(databaseUrl: string, standardId: string, versionLabel: string): number {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    const row = db.prepare("select id from standard_versions where standard_id = ? and version_label = ?").get(standardId, versionLabel) as { id: number } | undefined;
    if (!row) throw new Error(`no version ${standardId} ${versionLabel}`);
    return row.id;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  await signIn(browser.page, server.url, "reviewer");
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const educationRows = (page: BrowserSession["page"]) =>
  page.$$eval("[data-testid=items-table] tr[data-item=education]", (rows) =>
    rows.map((row) => ({ text: row.textContent ?? "" })),
  );

describe("read view of Suzhou 2015", () => {
  it("shows the official table in Chinese: education tiers with their points and the social-insurance accrual rule", async () => {
    const { page } = browser;
    const id = versionId(server.databaseUrl, "suzhou", "2015");
    await page.goto(`${server.url}/standards/suzhou/versions/${id}/table?lang=zh-CN`);
    expect(await page.textContent("h1")).toBe("苏州市流动人口积分管理计分标准（2015）");
    const headers = await page.$$eval("[data-testid=items-table] thead th", (cells) => cells.map((cell) => cell.textContent));
    expect(headers).toEqual(["分类", "指标", "条件", "分值", "上限", "适用项目", "依据"]);

    const rows = await educationRows(page);
    expect(rows).toHaveLength(4);
    const tiers: Array<[string, string]> = [
      ["大专（高职）", "30分"],
      ["大学本科", "60分"],
      ["硕士研究生", "200分"],
      ["博士研究生", "400分"],
    ];
    tiers.forEach(([level, points], i) => {
      expect(rows[i].text).toContain(`最高学历 达到 ${level}及以上`);
      expect(rows[i].text).toContain(points);
    });
    const social = await page.textContent("[data-testid=items-table] tr[data-item=social_insurance]");
    expect(social).toContain("每满1个月积5分");
    expect(social).toContain("最高500分");
    // Categories in document order, base first.
    const categories = await page.$$eval("[data-testid=items-table] tbody[data-category]", (bodies) => bodies.map((b) => b.getAttribute("data-category")));
    expect(categories).toEqual(["base", "bonus"]);
    const gates = await page.textContent("[data-testid=gates-section]");
    expect(gates).toContain("人均住房建筑面积 不少于 市区住房保障准入标准（人均面积）");
    expect(gates).toContain("积分户籍准入须在市区有合法稳定住所");
    const vetoes = await page.textContent("[data-testid=vetoes-section]");
    expect(vetoes).toContain("五年内虚假材料认定次数 大于 0");
    const programs = await page.textContent("[data-testid=programs-section]");
    expect(programs).toContain("同分时依次：基础分高者优先，其次居住登记时间（本次市区连续居住起始日）早者优先。");
    expect(programs).toContain("按申请入读的学校分别排序。");
    expect(await page.textContent("[data-testid=legal-section]")).toContain("苏府规字〔2015〕7号");
    expect(await page.textContent("[data-testid=effective]")).toContain("2016年1月15日");
    expect(await page.textContent("[data-testid=notes-section]")).toContain("未找到分值而未收录");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/read-view.zh-CN.png`, fullPage: true });
  });

  it("reads in English with ?lang=en", async () => {
    const { page } = browser;
    const id = versionId(server.databaseUrl, "suzhou", "2015");
    await page.goto(`${server.url}/standards/suzhou/versions/${id}/table?lang=en`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    const headers = await page.$$eval("[data-testid=items-table] thead th", (cells) => cells.map((cell) => cell.textContent));
    expect(headers).toEqual(["Category", "Indicator", "Condition", "Points", "Cap", "Programs", "Article"]);
    const rows = await educationRows(page);
    expect(rows[1].text).toContain("highest education is bachelor or higher");
    expect(rows[1].text).toContain("60 points");
    expect(rows[3].text).toContain("400 points");
    const social = await page.textContent("[data-testid=items-table] tr[data-item=social_insurance]");
    expect(social).toContain("5 points per full month");
    expect(social).toContain("at most 500 points");
    expect(await page.textContent("[data-testid=programs-section]")).toContain("On equal scores: higher base points first");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/read-view.en.png`, fullPage: true });
  });

  it("prints without the header navigation and buttons, with table borders", async () => {
    const { page } = browser;
    const id = versionId(server.databaseUrl, "suzhou", "2015");
    await page.goto(`${server.url}/standards/suzhou/versions/${id}/table?lang=zh-CN`);
    expect(await page.isVisible("header.topbar")).toBe(true);
    expect(await page.isVisible("[data-testid=print]")).toBe(true);
    await page.emulateMedia({ media: "print" });
    try {
      expect(await page.isVisible("header.topbar")).toBe(false);
      expect(await page.isVisible("[data-testid=print]")).toBe(false);
      expect(await page.isVisible("[data-testid=items-table]")).toBe(true);
      const border = await page.$eval("[data-testid=items-table] td", (cell) => getComputedStyle(cell).borderTopColor);
      expect(border).toBe("rgb(0, 0, 0)");
      const breaks = await page.$eval("[data-testid=gates-section]", (section) => getComputedStyle(section).breakBefore);
      expect(breaks).toBe("page");
      await page.screenshot({ path: `${SCREENSHOT_DIR}/read-view-print.zh-CN.png`, fullPage: true });
    } finally {
      await page.emulateMedia({ media: "screen" });
    }
  });

  it("works for every version: the Shanghai threshold, choose-one groups and the Suzhou 2020 draft", async () => {
    const { page } = browser;
    const shanghai = versionId(server.databaseUrl, "shanghai", "2015");
    await page.goto(`${server.url}/standards/shanghai/versions/${shanghai}/table?lang=zh-CN`);
    expect(await page.textContent("[data-testid=programs-section]")).toContain("总分达到120分");
    expect(await page.textContent("[data-testid=groups-section]")).toContain("只取得分最高的一项");
    expect(await page.textContent("[data-testid=total-section]")).toContain("总分最低为0分");
    const deduction = await page.textContent("[data-testid=items-table] tr[data-item=false_materials]");
    expect(deduction).toContain("近3年内每次扣150分");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/read-view-shanghai.zh-CN.png`, fullPage: true });

    const db = new Database(server.databaseUrl, { readonly: true });
    const draft = db.prepare("select id, standard_id as standardId from standard_versions where status = 'draft' order by id limit 1").get() as { id: number; standardId: string };
    db.close();
    await page.goto(`${server.url}/standards/${draft.standardId}/versions/${draft.id}/table?lang=en`);
    expect(await page.textContent("[data-testid=items-table]")).toContain("points-based settlement");
    expect(browser.blockedRequests).toEqual([]);
  });
});
