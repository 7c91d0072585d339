/**
 * Issue 18, "Dates", on the real server: the publish form refuses an impossible effective date (2030-02-30,
 * 2030-13-45) with the message in the officer's words, in both languages, and nothing changes; the department API
 * answers an impossible date with 422 over real HTTP.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "../../db/tokens";
import { openDatabase } from "../../db/connection";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "../browser/harness";

let server: RunningServer;
let browser: BrowserSession;
let draftId: number;
let reviewUrl: string;

function versions(databaseUrl: string): Array<{ id: number; status: string; effectiveTo: string | null }> {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return db.prepare("select id, status, effective_to as effectiveTo from standard_versions where standard_id = 'suzhou' order by id").all() as Array<{ id: number; status: string; effectiveTo: string | null }>;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  browser.page.on("dialog", (dialog) => void dialog.accept());
  draftId = versions(server.databaseUrl).find((v) => v.status === "draft")!.id;
  reviewUrl = `${server.url}/standards/suzhou/versions/${draftId}/review`;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Sets the date field to text a date picker would not let through, as a hand-made request would send it. */
async function publishOn(effectiveFrom: string) {
  const { page } = browser;
  await page.evaluate((value) => {
    const input = document.querySelector<HTMLInputElement>("input[name=effectiveFrom]")!;
    input.type = "text";
    input.value = value;
  }, effectiveFrom);
  await page.fill("input[name=documentNumber]", "苏府规字〔2030〕1号");
  await page.fill("input[name=announcedOn]", "2020-01-01");
  await page.click("button[value=publish]");
}

describe("publishing an impossible effective date", () => {
  it("is refused in the officer's words, in Chinese and English, and the version in effect stays open", async () => {
    const { page } = browser;
    await signIn(page, server.url, "drafter");
    await page.goto(`${reviewUrl}?lang=zh-CN`);
    await page.click("button[value=submit]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("操作已完成");
    await browser.context.clearCookies();
    await signIn(page, server.url, "reviewer");
    await page.goto(`${reviewUrl}?lang=zh-CN`);
    await page.click("button[value=approve]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("操作已完成");
    await browser.context.clearCookies();
    await signIn(page, server.url, "publisher");
    const before = versions(server.databaseUrl);

    await page.goto(`${reviewUrl}?lang=zh-CN`);
    await publishOn("2030-02-30");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("生效日期“2030-02-30”不是有效日期：日历上没有这一天");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/security-publish-bad-date.zh-CN.png`, fullPage: true });

    await page.goto(`${reviewUrl}?lang=en`);
    await publishOn("2030-13-45");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain('The effective date "2030-13-45" is not a real date: the calendar has no such day');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/security-publish-bad-date.en.png`, fullPage: true });

    await page.goto(`${reviewUrl}?lang=en`);
    await publishOn("30 Feb 2030");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("The effective date must be a date YYYY-MM-DD");

    expect(versions(server.databaseUrl)).toEqual(before);
    expect(before.find((v) => v.id !== draftId)).toMatchObject({ status: "published", effectiveTo: null });
    expect(before.find((v) => v.id === draftId)).toMatchObject({ status: "approved" });
  });

  it("a hand-made form post gets 422, not 500, and changes nothing", async () => {
    const before = versions(server.databaseUrl);
    for (const effectiveFrom of ["2030-02-30", "2030-13-45"]) {
      const response = await browser.context.request.post(`${reviewUrl}?lang=en`, { form: { intent: "publish", effectiveFrom }, headers: { Origin: server.url } });
      expect(response.status(), effectiveFrom).toBe(422);
    }
    expect(versions(server.databaseUrl)).toEqual(before);
  });
});

describe("the department API over HTTP", () => {
  it("answers impossible dates in the query and the body with 422 badDate", async () => {
    const db = openDatabase(server.databaseUrl);
    const { token } = createApiToken(db, { name: "dates", department: "教育局", scopes: ["evaluate", "read", "rank"] });
    db.$client.close();
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const query = await fetch(`${server.url}/api/v1/standards/suzhou?date=2030-02-30`, { headers });
    expect(query.status).toBe(422);
    expect((await query.json()).errors[0]).toMatchObject({ code: "api.badDate", path: "/date" });
    const body = await fetch(`${server.url}/api/v1/standards/suzhou/evaluate`, { method: "POST", headers, body: JSON.stringify({ program: "settlement", date: "2019-02-30", facts: {} }) });
    expect(body.status).toBe(422);
    expect((await body.json()).errors[0]).toMatchObject({ code: "api.badDate", path: "/date" });
    const fact = await fetch(`${server.url}/api/v1/standards/suzhou/evaluate`, { method: "POST", headers, body: JSON.stringify({ program: "settlement", date: "2019-02-28", facts: { birthDate: "1990-02-30" } }) });
    expect(fact.status).toBe(422);
    expect((await fact.json()).errors[0]).toMatchObject({ code: "api.badDate", path: "/facts/birthDate" });
  });
});
