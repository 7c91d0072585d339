/**
 * Applicant files as offices send them, in a real browser (issue 19): a GBK CSV with the standard's Chinese labels as
 * headers (what Excel on Chinese Windows saves) is read with its encoding named, its columns mapped from the labels,
 * and imported with the Chinese text intact; a UTF-16 file's header is read too. Screens in both languages.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeGbk, encodeUtf16 } from "../security/applicant-files.helpers";
import { chooseCohortFile } from "./cohort-upload";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let drafter: BrowserSession;
const dir = mkdtempSync(join(tmpdir(), "jifen-files-"));

const rows = [
  ["申请编号", "申请入读的学校", "苏州大市范围内城镇职工社会保险缴费月数", "最高学历"],
  ["A1", "苏州中学", "12", "bachelor"],
  ["A2", "苏州大学附属中学", "30", "master"],
];
const csv = rows.map((r) => r.join(",")).join("\r\n") + "\r\n";

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(join(dir, "gbk.csv"), encodeGbk(csv));
  writeFileSync(join(dir, "unicode.csv"), encodeUtf16(csv.replace(/,/g, "\t")));
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
  drafter = await openBrowser();
  await signIn(drafter.page, server.url, "drafter");
});

afterAll(async () => {
  await drafter?.close();
  await server?.stop();
});

describe("applicant files from Excel", () => {
  it("offers the standard's templates on the upload screen, in both languages", async () => {
    const page = drafter.page;
    await page.goto(`${server.url}/cohorts/new`);
    await waitForHydration(page, "[data-testid=file]");
    await page.selectOption("[data-testid=standard]", "suzhou");
    expect(await page.textContent("[data-testid=templates]")).toContain("下载本标准的空白模板");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=template-xlsx]")]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await download.path())!);
    expect(workbook.worksheets[0].getRow(1).values).toContain("申请入读的学校");
    expect(workbook.worksheets.map((w) => w.name)).toContain("填写说明 How to fill");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-templates.zh-CN.png`, fullPage: false });
    await page.goto(`${server.url}/cohorts/new?lang=en`);
    await waitForHydration(page, "[data-testid=file]");
    expect(await page.textContent("[data-testid=templates]")).toContain("Download a blank template");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-templates.en.png`, fullPage: false });
    await page.goto(`${server.url}/cohorts/new?lang=zh-CN`);
  });

  it("reads a GBK CSV with Chinese headers, names the encoding, maps the labels and stores the text intact", async () => {
    const page = drafter.page;
    await chooseCohortFile(page, server.url, join(dir, "gbk.csv"), "GBK 申请人");
    expect(await page.getAttribute("[data-testid=encoding]", "data-encoding")).toBe("gb18030");
    expect(await page.textContent("[data-testid=encoding]")).toContain("GB18030/GBK");
    expect(await page.inputValue('select[data-column="申请入读的学校"]')).toBe("schoolId");
    expect(await page.inputValue('select[data-column="最高学历"]')).toBe("educationLevel");
    expect(await page.inputValue('select[data-column="申请编号"]')).toBe("id");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-gbk-mapping.zh-CN.png`, fullPage: true });
    await page.click("[data-testid=start-upload]");
    const done = await page.waitForSelector("[data-testid=upload-done]");
    expect(await done.getAttribute("data-rows")).toBe("2");
    expect(await done.textContent()).toContain("已按 GB18030/GBK");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-gbk-done.zh-CN.png`, fullPage: true });
    const db = new Database(server.databaseUrl, { readonly: true });
    try {
      const facts = (db.prepare("select facts from cohort_applicants order by applicant_ref").all() as Array<{ facts: string }>).map((r) => JSON.parse(r.facts) as Record<string, unknown>);
      expect(facts.map((f) => f.schoolId)).toEqual(["苏州中学", "苏州大学附属中学"]);
    } finally {
      db.close();
    }
  });

  it("in English, and for Excel's Unicode text (UTF-16, tab-separated)", async () => {
    const page = drafter.page;
    // The language chosen with ?lang=en is remembered for the upload screen that follows.
    await page.goto(`${server.url}/cohorts/new?lang=en`);
    await chooseCohortFile(page, server.url, join(dir, "unicode.csv"), "UTF-16 applicants");
    expect(await page.getAttribute("[data-testid=encoding]", "data-encoding")).toBe("utf-16le");
    expect(await page.textContent("[data-testid=encoding]")).toContain("Read as UTF-16");
    expect(await page.inputValue('select[data-column="申请入读的学校"]')).toBe("schoolId");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-utf16-mapping.en.png`, fullPage: true });
    await page.click("[data-testid=start-upload]");
    const done = await page.waitForSelector("[data-testid=upload-done]");
    expect(await done.textContent()).toContain("2 applicants imported. Read as UTF-16");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/cohort-utf16-done.en.png`, fullPage: true });
  });
});
