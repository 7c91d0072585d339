/**
 * Issue 21: the revision flow an officer walks, in Chinese and in English, in a real browser against the real server.
 * A drafter starts a revision of the published Suzhou 2015 standard; the workflow gives it its own label and no
 * effective date; it is simulated, submitted, approved and published with a document number (文号) and an
 * announcement date, which the official table and its print view then carry.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;
let publishedId: number;
let revisionId: number;

function query<T>(sql: string, ...args: unknown[]): T {
  const db = new Database(server.databaseUrl, { readonly: true });
  try {
    return db.prepare(sql).get(...args) as T;
  } finally {
    db.close();
  }
}

async function as(username: string) {
  await browser.context.clearCookies();
  await signIn(browser.page, server.url, username);
}

const versionUrl = (id: number) => `${server.url}/standards/suzhou/versions/${id}`;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  publishedId = query<{ id: number }>("select id from standard_versions where standard_id = 'suzhou' and status = 'published'").id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("a revision of a published standard", () => {
  it("starts with its own label and no effective date, in the editor and on the official table", async () => {
    const { page } = browser;
    await as("drafter");
    await page.goto(`${versionUrl(publishedId)}/review?lang=zh-CN`);
    expect(await page.inputValue("input[name=versionLabel]")).toBe("2015-rev");
    await page.fill("input[name=versionLabel]", "2027");
    await Promise.all([page.waitForURL(/\/versions\/\d+$/), page.click("button[value=startRevision]")]);
    revisionId = Number(new URL(page.url()).pathname.split("/").pop());
    expect(await page.textContent("h1")).toContain("2027");
    expect(await page.textContent("[data-testid=version-identity]")).toContain("尚未发布：生效日期在发布时确定");

    await page.goto(`${versionUrl(revisionId)}/table?lang=zh-CN`);
    expect(await page.textContent("[data-testid=version-label]")).toBe("2027");
    expect(await page.textContent("[data-testid=effective]")).toContain("未设定生效日期");
    expect(await page.textContent("[data-testid=document-number]")).toBe("尚未发布");
    expect(await page.textContent("[data-testid=read-view]")).not.toContain("2016年1月15日");
  });

  it("is simulated, submitted, approved and published with its document number and announcement date", async () => {
    const { page } = browser;
    const cohortId = query<{ id: number }>("select id from cohorts where standard_id = 'suzhou' order by id limit 1").id;
    const run = await browser.context.request.post(`${server.url}/simulations/new`, {
      headers: { Origin: server.url },
      form: { standard: "suzhou", baseline: String(publishedId), candidate: String(revisionId), cohort: String(cohortId), program: "school", date: "2019-06-30", "quota:*": "100" },
      maxRedirects: 0,
    });
    expect(run.status()).toBe(302);

    await page.goto(`${versionUrl(revisionId)}/review?lang=zh-CN`);
    await page.click("button[value=submit]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("操作已完成");

    await as("reviewer");
    await page.goto(`${versionUrl(revisionId)}/review?lang=en`);
    await page.click("button[value=approve]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("Done.");

    await as("publisher");
    await page.goto(`${versionUrl(revisionId)}/review?lang=zh-CN`);
    await page.fill("input[name=effectiveFrom]", "2027-01-01");
    await page.fill("input[name=documentNumber]", "苏府规字〔2026〕21号");
    await page.fill("input[name=announcedOn]", "2026-11-20");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/revision-publish-form.zh-CN.png`, fullPage: true });
    await page.click("button[value=publish]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("操作已完成");
    expect(query("select status, version_label as label, effective_from as f, document_number as n, announced_on as a from standard_versions where id = ?", revisionId)).toEqual({
      status: "published",
      label: "2027",
      f: "2027-01-01",
      n: "苏府规字〔2026〕21号",
      a: "2026-11-20",
    });
  });

  it("reads on the official table and its print view with the new label, effective date and document number, in both languages", async () => {
    const { page } = browser;
    await page.goto(`${versionUrl(revisionId)}/table?lang=zh-CN`);
    expect(await page.textContent("[data-testid=version-label]")).toBe("2027");
    expect(await page.textContent("[data-testid=effective]")).toBe("2027年1月1日 起施行，未设终止日期");
    expect(await page.textContent("[data-testid=document-number]")).toBe("苏府规字〔2026〕21号");
    expect(await page.textContent("[data-testid=announced-on]")).toBe("2026年11月20日");
    await page.emulateMedia({ media: "print" });
    expect(await page.isVisible("[data-testid=document-number]")).toBe(true);
    expect(await page.isVisible("[data-testid=print]")).toBe(false);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/revision-table-print.zh-CN.png`, fullPage: true });
    await page.emulateMedia({ media: "screen" });

    await page.goto(`${versionUrl(revisionId)}/table?lang=en`);
    expect(await page.textContent("[data-testid=version-label]")).toBe("2027");
    expect(await page.textContent("[data-testid=effective]")).toContain("from");
    expect(await page.textContent("[data-testid=effective]")).toContain("2027");
    expect(await page.textContent("[data-testid=document-number]")).toBe("苏府规字〔2026〕21号");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/revision-table.en.png`, fullPage: false });

    // The version it replaced now reads as superseded, closed the day before.
    await page.goto(`${versionUrl(publishedId)}/table?lang=zh-CN`);
    expect(await page.textContent("[data-testid=effective]")).toBe("2016年1月15日 起至 2026年12月31日");
    expect(await page.textContent("[data-testid=document-number]")).toBe("苏府规字〔2015〕7号");
  });
});
