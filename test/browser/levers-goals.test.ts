/**
 * Levers and goal search in a real browser (issue 24, parts 2, 3 and 5), lean: the seeded Suzhou cohort at 300
 * applicants, the 2020 draft against 2015 for school places with 3 per school. From the simulation: the levers'
 * ranked table and chart in Chinese and English, their CSV and Excel; goal search with goals that cannot be met
 * together (the binding goal named); a lever opened as a draft revision (the editor opens at the number, the
 * revision is in the audit trail); then a second lever of the now changed candidate refused in words.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let drafter: BrowserSession;
let runUrl = "";

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "300" });
  drafter = await openBrowser();
  await signIn(drafter.page, server.url, "drafter");
  const page = drafter.page;
  await page.goto(`${server.url}/simulations/new`);
  await waitForHydration(page, "[data-testid=run]");
  await page.fill("[data-testid=quota-every-pool]", "3");
  await page.click("[data-testid=run]");
  await page.waitForURL(/\/simulations\/\d+$/, { timeout: 120_000 });
  runUrl = page.url();
}, 240_000);

afterAll(async () => {
  await drafter?.close();
  await server?.stop();
});

function auditActions(): Array<{ action: string; details: string }> {
  const db = new Database(server.databaseUrl, { readonly: true });
  try {
    return db.prepare("select action, details from audit_log order by id").all() as Array<{ action: string; details: string }>;
  } finally {
    db.close();
  }
}

describe("levers and goal search", () => {
  it("ranks every number by applicants moved, in a chart and a table, in Chinese and English, and exports them", async () => {
    const page = drafter.page;
    await page.goto(runUrl);
    await page.click("[data-testid=to-levers]");
    await page.waitForSelector("[data-testid=levers]", { timeout: 120_000 });
    expect(await page.textContent("h1")).toContain("数值影响");
    const moved = await page.$$eval("[data-testid=lever-row]", (rows) => rows.map((r) => Number(r.getAttribute("data-moved"))));
    expect(moved.length).toBeGreaterThan(20);
    const labels = await page.$$eval("[data-testid=lever-label]", (cells) => cells.map((c) => c.textContent ?? ""));
    expect(labels[0]).toMatch(/ › /);
    expect(labels.join("\n")).not.toMatch(/\/items\/|educationLevel/);
    expect(await page.textContent("[data-testid=levers]")).toMatch(/新录取 \d+ 名，被挤出 \d+ 名/);
    expect(await page.$("[data-testid=levers-chart] svg")).not.toBeNull();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/levers.zh-CN.png`, fullPage: false });

    await page.goto(`${page.url().split("?")[0]}?lang=en`);
    await page.waitForSelector("[data-testid=levers]");
    expect(await page.textContent("h1")).toContain("Levers");
    expect(await page.textContent("[data-testid=levers]")).toMatch(/\d+ entered, \d+ left/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/levers.en.png`, fullPage: false });

    const csv = await page.request.get(`${runUrl}/levers.csv`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text.split("\n")[0]).toContain("number");
    expect(text.split("\n").length).toBeGreaterThan(20);
    const xlsx = await page.request.get(`${runUrl}/levers.xlsx`);
    expect(xlsx.headers()["content-type"]).toContain("spreadsheetml");
    await page.goto(`${runUrl}?lang=zh-CN`);
  }, 240_000);

  it("names the binding goal when the goals cannot be met together, in Chinese and English", async () => {
    const page = drafter.page;
    await page.goto(`${runUrl}/goals`);
    await page.waitForSelector("[data-testid=goal-form]");
    await page.fill("[data-testid=goal-share]", "99");
    await page.fill("[data-testid=goal-cutoff]", "0");
    await page.click("[data-testid=goal-search]");
    await page.waitForSelector("[data-testid=binding]", { timeout: 180_000 });
    const binding = (await page.textContent("[data-testid=binding]")) ?? "";
    expect(binding).toContain("这些目标无法同时满足");
    expect(binding).toMatch(/起约束作用的目标：“.+”/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/goal-search-binding.zh-CN.png`, fullPage: true });

    await page.goto(`${page.url()}&lang=en`);
    await page.waitForSelector("[data-testid=binding]", { timeout: 180_000 });
    expect(await page.textContent("[data-testid=binding]")).toMatch(/The binding goal: “.+”/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/goal-search-binding.en.png`, fullPage: true });
  }, 600_000);

  it("opens a lever as a draft revision (the editor at the number, the save in the audit trail), then refuses a second of the now changed candidate", async () => {
    const page = drafter.page;
    await page.goto(`${runUrl}/levers?lang=zh-CN`);
    await page.waitForSelector("[data-testid=open-draft]", { timeout: 120_000 });
    await waitForHydration(page, "[data-testid=open-draft]");
    const saves = auditActions().filter((a) => a.action === "version.save").length;
    await Promise.all([page.waitForURL(/\/standards\/suzhou\/versions\/\d+\?at=/, { timeout: 120_000 }), page.click("[data-testid=open-draft]")]);
    const after = auditActions().filter((a) => a.action === "version.save");
    expect(after.length).toBe(saves + 1);
    expect(JSON.parse(after[after.length - 1].details)).toMatchObject({ source: "lever" });

    await page.goto(`${runUrl}/levers?lang=zh-CN`);
    await page.waitForSelector("[data-testid=open-draft]", { timeout: 120_000 });
    await waitForHydration(page, "[data-testid=open-draft]");
    await page.click("[data-testid=open-draft]");
    await page.waitForSelector("[data-testid=lever-error]", { timeout: 60_000 });
    expect(await page.textContent("[data-testid=lever-error]")).toContain("候选版本在此次测算之后已修改");
  }, 240_000);
});
