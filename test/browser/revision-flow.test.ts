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
    await page.fill("form:has(button[value=submit]) textarea[name=opinion]", "按2026年征求意见修改");
    await page.click("button[value=submit]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("操作已完成");

    // The reviewer finds it waiting, returns it with a reason; the drafter sees the reason where they work.
    await as("reviewer");
    await page.goto(`${server.url}/standards?lang=zh-CN`);
    expect(await page.textContent("[data-testid=inbox-toReview]")).toContain("2027");
    expect(await page.textContent("[data-testid=inbox-toReview]")).toContain("起草人 Drafter 于");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/inbox-to-review.zh-CN.png` });
    await page.goto(`${versionUrl(revisionId)}/review?lang=en`);
    await page.fill("input[name=reason]", "Add the veterans' bonus of article 9");
    await page.click("button[value=return]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("Done.");

    await as("drafter");
    await page.goto(`${server.url}/standards?lang=en`);
    expect(await page.textContent("[data-testid=inbox-returned]")).toContain("returned by 审核人 Reviewer on");
    expect(await page.textContent("[data-testid=inbox-returned]")).toContain("Add the veterans' bonus of article 9");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/inbox-returned.en.png` });
    await page.goto(`${versionUrl(revisionId)}?lang=zh-CN`);
    expect(await page.textContent("[data-testid=returned-banner]")).toMatch(/此版本已被 审核人 Reviewer 于 .* 退回修改。退回原因：Add the veterans' bonus of article 9/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-returned-banner.zh-CN.png` });
    await page.goto(`${versionUrl(revisionId)}/review?lang=en`);
    expect(await page.textContent("[data-testid=returned-banner]")).toContain("审核人 Reviewer returned this version for changes on");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/review-returned-banner.en.png` });
    await page.click("button[value=submit]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("Done.");

    await as("reviewer");
    await page.goto(`${versionUrl(revisionId)}/review?lang=en`);
    await page.fill("form:has(button[value=approve]) textarea[name=opinion]", "Agreed after the second reading");
    await page.click("button[value=approve]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("Done.");

    await as("publisher");
    await page.goto(`${server.url}/standards?lang=zh-CN`);
    expect(await page.textContent("[data-testid=inbox-toPublish]")).toContain("2027");
    expect(await page.textContent("[data-testid=inbox-toReview]")).toContain("暂无");
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

  it("keeps an audit trail in sentences with the opinions, filterable and exported as XLSX", async () => {
    const { page } = browser;
    await page.goto(`${versionUrl(revisionId)}/review?lang=zh-CN`);
    const trail = await page.textContent("[data-testid=audit]");
    expect(trail).toContain("起草人 Drafter 基于版本“2015”起草了修订版本“2027”");
    expect(trail).toContain("起草人 Drafter 将版本“2027”提交审核按2026年征求意见修改");
    expect(trail).toContain("审核人 Reviewer 将版本“2027”退回修改Add the veterans' bonus of article 9");
    expect(trail).toContain("审核人 Reviewer 批准了版本“2027”Agreed after the second reading");
    expect(trail).toContain("发布人 Publisher 发布了版本“2027”（苏府规字〔2026〕21号），自2027年1月1日起施行");
    expect(trail).not.toMatch(/version\.|simulation_run|baselineHash/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/review-trail.zh-CN.png`, fullPage: true });

    await page.goto(`${versionUrl(revisionId)}/review?lang=en&trail=decision&scope=version`);
    const decisions = await page.locator("[data-testid=audit] tbody tr").allTextContents();
    expect(decisions.every((row) => /submitted|returned|approved|published/.test(row))).toBe(true);
    expect(decisions).toHaveLength(5);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/review-trail-decisions.en.png`, fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=trail-export]")]);
    const { default: ExcelJS } = await import("exceljs");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await download.path())!);
    const rows = workbook.worksheets[0].getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0].slice(1)).toEqual(["When", "Who", "What", "Opinion / reason"]);
    expect(rows.slice(1).map((r) => r[3])).toContain("审核人 Reviewer approved version “2027”");
    expect(rows.slice(1).map((r) => r[4])).toContain("Agreed after the second reading");
    expect(rows).toHaveLength(6);
  });
});
