/**
 * Cohorts in a real browser: a generated Suzhou CSV with a renamed column is mapped, uploaded with progress shown and
 * imported with its row count, then browsed page by page with labels; a file with a bad value in row 57 is refused
 * with the row error in Chinese and in English and nothing stored; the mapping is remembered for the same header;
 * a reviewer's upload is refused by the action itself; an oversized upload is refused with the limit named.
 */
import { mkdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseCohortFile, countRows, idNumberOf, writeCohortCsv, type GeneratedCsv } from "./cohort-upload";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let drafter: BrowserSession;
let good: GeneratedCsv;
let bad: GeneratedCsv;

const RENAME = { socialInsuranceMonths: "社保缴费月数", educationLevel: "最高学历", id: "申请编号" };

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  good = writeCohortCsv(120, 7, { rename: RENAME, withIdNumbers: true });
  bad = writeCohortCsv(120, 8, { rename: RENAME, withIdNumbers: true, badCell: { row: 57, column: "educationLevel", value: "phd" } });
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
  drafter = await openBrowser();
  await signIn(drafter.page, server.url, "drafter");
});

afterAll(async () => {
  await drafter?.close();
  await server?.stop();
});

const cohortCount = () => countRows(server.databaseUrl, "select count(*) as n from cohorts");
const applicantCount = () => countRows(server.databaseUrl, "select count(*) as n from cohort_applicants");

describe("cohort upload", () => {
  it("maps a renamed column, shows progress and the row count, and stores the cohort", async () => {
    const page = drafter.page;
    await chooseCohortFile(page, server.url, good.path, "测试申请人 2015");
    // Label match and id names are prefilled; the unknown name is left to be mapped by hand.
    expect(await page.inputValue('select[data-column="最高学历"]')).toBe("educationLevel");
    expect(await page.inputValue('select[data-column="申请编号"]')).toBe("id");
    expect(await page.inputValue('select[data-column="身份证号"]')).toBe("idNumber");
    expect(await page.inputValue('select[data-column="社保缴费月数"]')).toBe("");
    await page.selectOption('select[data-column="社保缴费月数"]', "socialInsuranceMonths");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-mapping.zh-CN.png`, fullPage: true });
    // Hold the upload back a moment so the progress can be seen (120 rows can be imported between two looks).
    await page.route(/\/cohorts\/upload/, async (route) => {
      await new Promise((r) => setTimeout(r, 1000));
      await route.fallback();
    });
    await page.click("[data-testid=start-upload]");
    await page.waitForSelector("[data-testid=upload-progress]", { state: "attached" });
    const done = await page.waitForSelector("[data-testid=upload-done]");
    await page.unroute(/\/cohorts\/upload/);
    expect(await done.getAttribute("data-rows")).toBe(String(good.size));
    expect(await done.textContent()).toContain(`已导入 ${good.size} 位申请人`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-upload-done.zh-CN.png`, fullPage: true });
    expect(cohortCount()).toBe(1);
    expect(applicantCount()).toBe(good.size);

    await page.click("[data-testid=upload-done] a");
    await page.waitForSelector("[data-testid=applicants]");
    expect(await page.getAttribute("[data-testid=cohort-meta]", "data-total")).toBe(String(good.size));
    const headers = await page.locator("[data-testid=applicants] th").allTextContents();
    expect(headers).toContain("最高学历");
    expect(headers).toContain("苏州大市范围内城镇职工社会保险缴费月数");
    expect(await page.locator("[data-testid=applicants] tbody tr").count()).toBe(50);
    const firstRef = await page.locator("[data-testid=applicants] tbody tr").first().getAttribute("data-ref");
    expect(firstRef).toBe("A0000001");
    // Identity numbers are shown masked and never stored in clear.
    const first = idNumberOf(1);
    const masked = await page.locator("[data-testid=applicants] tbody tr").first().locator("td").nth(2).textContent();
    expect(masked).toBe(`${first.slice(0, 3)}${"*".repeat(first.length - 7)}${first.slice(-4)}`);
    expect(countRows(server.databaseUrl, "select count(*) as n from cohort_applicants where facts like ? or id_masked = ? or id_hash = ?", `%${first}%`, first, first)).toBe(0);
    // Enum values are shown by their labels, not their codes.
    const cells = await page.locator("[data-testid=applicants] tbody").textContent();
    expect(cells).not.toMatch(/below_junior_college|bachelor/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-browse.zh-CN.png`, fullPage: false });
    await page.click("[data-testid=next-page]");
    await page.waitForURL(/page=2/);
    await expect.poll(() => page.locator("[data-testid=applicants] tbody tr").first().locator("td").first().textContent()).toBe("51");
    expect(await page.locator("[data-testid=pager]").textContent()).toContain("第 2 / 3 页");
    await page.goto(`${page.url()}&lang=en`);
    await page.waitForSelector("[data-testid=applicants]");
    expect(await page.locator("[data-testid=applicants] th").allTextContents()).toContain("highest education");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-browse.en.png`, fullPage: false });
    await page.goto(`${server.url}/cohorts?lang=zh-CN`);
  });

  it("lists the cohort", async () => {
    const page = drafter.page;
    await page.goto(`${server.url}/cohorts`);
    const row = page.locator("[data-testid=cohorts-table] tbody tr").first();
    expect(await row.textContent()).toContain("测试申请人 2015");
    expect(await row.locator("[data-testid=row-count]").textContent()).toBe(String(good.size));
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohorts.zh-CN.png`, fullPage: true });
    await page.goto(`${server.url}/cohorts?lang=en`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohorts.en.png`, fullPage: true });
    await page.goto(`${server.url}/cohorts?lang=zh-CN`);
  });

  it("refuses a file with a bad value in row 57, in Chinese and in English, storing nothing", async () => {
    const page = drafter.page;
    const before = { cohorts: cohortCount(), applicants: applicantCount() };
    await chooseCohortFile(page, server.url, bad.path, "有错误的文件");
    // Same header as before: the mapping made by hand is remembered.
    await page.waitForSelector("[data-testid=mapping-recalled]");
    expect(await page.inputValue('select[data-column="社保缴费月数"]')).toBe("socialInsuranceMonths");
    await page.click("[data-testid=start-upload]");
    await page.waitForSelector("[data-testid=upload-refused]");
    const row = page.locator('[data-testid=row-errors] tr[data-line="57"]');
    expect(await row.count()).toBe(1);
    const zh = await row.textContent();
    expect(zh).toContain("educationLevel");
    expect(zh).toContain("第 57 行");
    expect(zh).toContain("“phd” 不是允许的取值");
    expect(await page.locator("[data-testid=row-errors] tbody tr").count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-refused.zh-CN.png`, fullPage: true });
    expect({ cohorts: cohortCount(), applicants: applicantCount() }).toEqual(before);

    await page.goto(`${server.url}/cohorts/new?lang=en`);
    await chooseCohortFile(page, server.url, bad.path, "bad file");
    await page.waitForSelector("[data-testid=mapping-recalled]");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-mapping.en.png`, fullPage: true });
    await page.click("[data-testid=start-upload]");
    await page.waitForSelector("[data-testid=upload-refused]");
    const en = await page.locator('[data-testid=row-errors] tr[data-line="57"]').textContent();
    expect(en).toContain('line 57, column "educationLevel": "phd" is not one of: below junior college; junior college');
    expect(await page.locator("[data-testid=upload-refused]").textContent()).toContain("Nothing was stored");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-refused.en.png`, fullPage: true });
    await page.goto(`${server.url}/cohorts/new?lang=zh-CN`);
    expect({ cohorts: cohortCount(), applicants: applicantCount() }).toEqual(before);
  });

  it("refuses an upload over the size limit, naming the limit", async () => {
    const cookies = await drafter.context.cookies(server.url);
    const url = new URL(`${server.url}/cohorts/upload?standardId=suzhou&name=big&format=csv`);
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: "POST",
          headers: {
            // The page's own upload (a fetch) sends its Origin; without one the request is refused as cross-site.
            Origin: server.url,
            Cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "),
            "Content-Length": String(300 * 1024 * 1024),
            "Content-Type": "application/octet-stream",
          },
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.write("id\n");
      req.end();
    }).catch(() => ({ status: 0, body: "" }));
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).message).toContain("200 MB");
  });

  it("does not let a reviewer upload (the action refuses)", async () => {
    const reviewer = await openBrowser();
    try {
      await signIn(reviewer.page, server.url, "reviewer");
      await reviewer.page.goto(`${server.url}/cohorts/new`);
      expect(await reviewer.page.locator(".notice-bad").first().textContent()).toContain("只有起草人或管理员可以上传");
      const before = cohortCount();
      const response = await reviewer.page.request.post(`${server.url}/cohorts/upload?standardId=suzhou&name=x&format=csv`, {
        data: "id,educationLevel\nA1,bachelor\n",
        headers: { "Content-Type": "application/octet-stream" },
      });
      expect(response.status()).toBe(403);
      expect(cohortCount()).toBe(before);
    } finally {
      await reviewer.close();
    }
  });
});
