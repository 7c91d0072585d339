/**
 * Issue 19, part 5 and part 4 on the upload screen, in a real browser: before anything is stored, the first 20 rows
 * of the file as the import will read them (decoded from GBK, Chinese headers mapped, labels turned into values,
 * 2019/6/30 read as 2019-06-30, Excel date cells), each problem in the officer's words, in Chinese and English; the
 * preview follows the mapping. While a file goes up and is imported, the rows read and stored are shown.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGbk } from "../security/applicant-files.helpers";
import { chooseCohortFile, countRows, writeCohortCsv } from "./cohort-upload";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let drafter: BrowserSession;
const dir = mkdtempSync(join(tmpdir(), "jifen-preview-"));

const HEADER = ["申请编号", "申请入读的学校", "苏州大市范围内城镇职工社会保险缴费月数", "最高学历", "居住登记时间（本次市区连续居住起始日）", "已办理居住证"];

/** 25 applicants as an office writes them (labels, slashed dates, 是/否), with four problems in the first 20 rows. */
function officeCsv(): string {
  const rows = [HEADER];
  for (let k = 1; k <= 25; k++) rows.push([`A${k}`, "苏州中学", String(10 + k), k % 2 ? "大学本科" : "master", k % 3 ? "2019/6/30" : "2018-01-15", k % 2 ? "是" : "否"]);
  rows[3][2] = "十二"; // line 4: not a number
  rows[5][3] = "本科生"; // line 6: no such option
  rows[7][4] = "2019/2/30"; // line 8: no such day
  rows[9][0] = "A2"; // line 10: the applicant number of line 3
  return rows.map((r) => r.join(",")).join("\r\n") + "\r\n";
}

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(join(dir, "office-gbk.csv"), encodeGbk(officeCsv()));
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("申请人");
  sheet.addRow(HEADER);
  sheet.addRow(["X1", "苏州中学", 24, "硕士研究生", new Date(Date.UTC(2019, 5, 30)), "是"]);
  sheet.addRow(["X2", "苏州大学附属中学", "两年", "bachelor", new Date(Date.UTC(2017, 0, 9)), "否"]);
  await workbook.xlsx.writeFile(join(dir, "office.xlsx"));
  const jsonLines = [
    { id: "J1", educationLevel: "大学本科", socialInsuranceMonths: 84, residenceRegistrationDate: "2019/6/30" },
    { id: "J2", facts: { educationLevel: "master", socialInsuranceMonths: "两年", residenceRegistrationDate: "2019-02-30" } },
  ];
  writeFileSync(join(dir, "office.jsonl"), jsonLines.map((line) => JSON.stringify(line)).join("\n") + "\n");
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
  drafter = await openBrowser();
  await signIn(drafter.page, server.url, "drafter");
});

afterAll(async () => {
  await drafter?.close();
  await server?.stop();
});

type Page = BrowserSession["page"];

/** The text of the preview cell of `line` under the file's column `column`. */
const cell = (page: Page, line: number, column: string) => page.textContent(`[data-testid=preview-table] tr[data-line="${line}"] td[data-column="${column}"]`);

async function previewRows(page: Page): Promise<number> {
  await page.waitForSelector("[data-testid=preview-table]");
  return page.locator("[data-testid=preview-table] tbody tr").count();
}

const cohorts = () => countRows(server.databaseUrl, "select count(*) as n from cohorts");

describe("the preview before an import", () => {
  it("shows a GBK file's first 20 rows as they will be read, with each problem in Chinese, storing nothing", async () => {
    const page = drafter.page;
    await chooseCohortFile(page, server.url, join(dir, "office-gbk.csv"), "预览");
    expect(await previewRows(page)).toBe(20);
    expect(await page.getAttribute("[data-testid=encoding]", "data-encoding")).toBe("gb18030");
    expect(await cell(page, 2, "申请入读的学校")).toBe("苏州中学");
    expect(await cell(page, 2, "最高学历")).toBe("大学本科");
    // An option's id is shown by its label, with the file's text beside it.
    expect(await cell(page, 3, "最高学历")).toBe("硕士研究生文件中：master");
    expect(await cell(page, 2, "居住登记时间（本次市区连续居住起始日）")).toBe("2019-06-30文件中：2019/6/30");
    expect(await cell(page, 2, "已办理居住证")).toBe("是");
    expect(await cell(page, 4, "苏州大市范围内城镇职工社会保险缴费月数")).toContain("“十二” 不是数字");
    expect(await cell(page, 6, "最高学历")).toContain("“本科生” 不是允许的取值");
    expect(await cell(page, 8, "居住登记时间（本次市区连续居住起始日）")).toContain("“2019/2/30” 不是有效日期");
    expect(await page.textContent('[data-testid=preview-table] tr[data-line="10"]')).toContain("编号 “A2” 已在第 3 行出现");
    expect(await page.locator("[data-testid=preview-table] td[data-problem]").count()).toBe(3);
    expect(await page.getAttribute("[data-testid=preview]", "data-problems")).toBe("4");
    expect(await page.textContent("[data-testid=preview-problems]")).toContain("4 处问题");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-preview.zh-CN.png`, fullPage: true });
    expect(cohorts()).toBe(0);

    // The preview follows the mapping: the education column ignored, its problem goes.
    await page.selectOption('select[data-column="最高学历"]', "");
    await page.waitForFunction(() => document.querySelector("[data-testid=preview]")?.getAttribute("data-problems") === "3");
    expect(await page.locator('[data-testid=preview-table] td[data-column="最高学历"]').count()).toBe(0);
    expect(cohorts()).toBe(0);
  });

  it("in English, and for an XLSX with Excel date cells", async () => {
    const page = drafter.page;
    await page.goto(`${server.url}/cohorts/new?lang=en`);
    await chooseCohortFile(page, server.url, join(dir, "office-gbk.csv"), "preview");
    expect(await previewRows(page)).toBe(20);
    expect(await cell(page, 2, "最高学历")).toBe("bachelorin the file: 大学本科");
    expect(await cell(page, 2, "居住登记时间（本次市区连续居住起始日）")).toBe("2019-06-30in the file: 2019/6/30");
    expect(await cell(page, 4, "苏州大市范围内城镇职工社会保险缴费月数")).toContain('"十二" is not a number');
    expect(await cell(page, 6, "最高学历")).toContain('"本科生" is not one of');
    expect(await cell(page, 8, "居住登记时间（本次市区连续居住起始日）")).toContain('"2019/2/30" is not a valid date');
    expect(await page.textContent('[data-testid=preview-table] tr[data-line="10"]')).toContain('Id "A2" already appears on line 3');
    expect(await page.textContent("[data-testid=preview-problems]")).toContain("4 problems in the rows shown");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-preview.en.png`, fullPage: true });

    await chooseCohortFile(page, server.url, join(dir, "office.xlsx"), "xlsx preview");
    expect(await previewRows(page)).toBe(2);
    expect(await cell(page, 2, "居住登记时间（本次市区连续居住起始日）")).toBe("2019-06-30");
    expect(await cell(page, 2, "最高学历")).toBe("masterin the file: 硕士研究生");
    expect(await cell(page, 2, "苏州大市范围内城镇职工社会保险缴费月数")).toBe("24");
    expect(await cell(page, 3, "苏州大市范围内城镇职工社会保险缴费月数")).toContain('"两年" is not a number');
    expect(await cell(page, 3, "已办理居住证")).toBe("noin the file: 否");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-preview-xlsx.en.png`, fullPage: true });

    // JSON Lines too: each line's fields, typed as the import types them.
    await chooseCohortFile(page, server.url, join(dir, "office.jsonl"), "json lines preview");
    expect(await previewRows(page)).toBe(2);
    expect(await cell(page, 1, "educationLevel")).toBe("bachelorin the file: 大学本科");
    expect(await cell(page, 1, "socialInsuranceMonths")).toBe("84");
    expect(await cell(page, 1, "residenceRegistrationDate")).toBe("2019-06-30in the file: 2019/6/30");
    expect(await cell(page, 2, "socialInsuranceMonths")).toContain('"两年" is not a number');
    expect(await cell(page, 2, "residenceRegistrationDate")).toContain('"2019-02-30" is not a valid date');
    expect(await page.textContent("[data-testid=preview-problems]")).toContain("2 problems in the rows shown");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-preview-jsonl.en.png`, fullPage: true });
    expect(cohorts()).toBe(0);
  });
});

describe("progress of an import", () => {
  /**
   * Uploads at 400 KB/s (Chromium's own throttling), so the import is seen under way whatever the machine, and waits
   * until the screen shows rows read matching `shown`; then for the outcome, which must be the import done.
   */
  async function slowUpload(page: Page, rows: number, name: string, shown: RegExp, screenshot: string): Promise<string> {
    const file = writeCohortCsv(rows, 7);
    await chooseCohortFile(page, server.url, file.path, name);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 400_000 });
    try {
      await page.click("[data-testid=start-upload]");
      // Rows are read and checked while the file is still going up.
      const line = await page.waitForFunction((pattern) => {
        const element = document.querySelector("[data-testid=import-rows]");
        const text = element?.textContent ?? "";
        return Number(element?.getAttribute("data-read") ?? 0) > 0 && new RegExp(pattern).test(text) ? text : false;
      }, shown.source);
      await page.locator("[data-testid=upload-progress]").scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SCREENSHOT_DIR}/${screenshot}`, fullPage: false });
      const outcome = await page.waitForSelector("[data-testid=upload-done], [data-testid=upload-refused], [data-testid=upload-failed]", { timeout: 120_000 });
      expect(await outcome.getAttribute("data-testid"), (await outcome.textContent()) ?? "").toBe("upload-done");
      expect(await outcome.getAttribute("data-rows")).toBe(String(rows));
      return (await line.jsonValue()) as string;
    } finally {
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
  }

  it("shows the rows read and checked while a file goes up, in Chinese and in English", async () => {
    const page = drafter.page;
    await page.goto(`${server.url}/cohorts/new?lang=zh-CN`);
    expect(await slowUpload(page, 15_000, "进度", /已读取并检查 [\d,]+ 行/, "cohort-progress.zh-CN.png")).toMatch(/^已读取并检查 /);
    await page.goto(`${server.url}/cohorts/new?lang=en`);
    expect(await slowUpload(page, 15_000, "progress", /[\d,]+ rows read and checked/, "cohort-progress.en.png")).toMatch(/rows read and checked/);
    expect(cohorts()).toBe(2);
  });
});
