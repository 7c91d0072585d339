/**
 * Issue 22: the official table downloaded from the read view as Word and as Excel, in Chinese and English: the Word
 * document has the title, the version's identity, headings for each table, the tables themselves in words (no ids),
 * the articles and page numbers; the workbook one sheet per table with its header.
 */
import { mkdirSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;

function version(databaseUrl: string, standardId: string, label: string): { id: number; documentNumber: string | null } {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    const row = db.prepare("select id, document_number as documentNumber from standard_versions where standard_id = ? and version_label = ?").get(standardId, label) as
      | { id: number; documentNumber: string | null }
      | undefined;
    if (!row) throw new Error(`no version ${standardId} ${label}`);
    return row;
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

/** The text of each paragraph of a style in the document's XML ("Title", "Heading1"). */
function paragraphsOfStyle(xml: string, style: string): string[] {
  const found: string[] = [];
  for (const match of xml.matchAll(/<w:p>(?:(?!<\/w:p>).)*?<w:pStyle w:val="([^"]+)"\/>(?:(?!<\/w:p>).)*<\/w:p>/gs)) {
    if (match[1] !== style) continue;
    found.push([...match[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(""));
  }
  return found;
}

describe("the official table, exported", () => {
  it("downloads the Word document and the workbook of Suzhou 2015 with their headings and sheets", async () => {
    const { page } = browser;
    const suzhou = version(server.databaseUrl, "suzhou", "2015");
    for (const lang of ["zh-CN", "en"] as const) {
      const en = lang === "en";
      await page.goto(`${server.url}/standards/suzhou/versions/${suzhou.id}/table?lang=${lang}`);
      await page.locator(".read-view-actions").screenshot({ path: `${SCREENSHOT_DIR}/official-exports.${lang}.png` });

      const [docxDownload] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-docx]")]);
      expect(docxDownload.suggestedFilename()).toMatch(/^suzhou-2015\.docx$/);
      const zip = await JSZip.loadAsync(readFileSync((await docxDownload.path())!));
      const xml = await zip.file("word/document.xml")!.async("string");
      const titles = paragraphsOfStyle(xml, "Title");
      expect(titles).toHaveLength(1);
      if (en) expect(titles[0]).toContain("2015");
      else expect(titles[0]).toBe("苏州市流动人口积分管理计分标准（2015）");
      expect(paragraphsOfStyle(xml, "Heading1")).toEqual(en ? ["Scoring items", "Eligibility conditions", "Vetoes", "Legal basis"] : ["计分指标", "准入条件", "一票否决", "依据文件"]);
      const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(" ");
      expect(text).toContain(en ? "Document number" : "文号");
      if (suzhou.documentNumber) expect(text).toContain(suzhou.documentNumber);
      expect(text).toContain(en ? "Effective from" : "生效日期");
      expect(text).toContain(en ? "bachelor" : "最高学历 达到 大学本科及以上");
      expect(text).toContain("苏府规字〔2015〕7号");
      expect(text).not.toMatch(/\bsocial_insurance\b|\bg_settlement_housing\b/);
      expect((xml.match(/<w:tbl>/g) ?? []).length).toBe(3);
      const footers = await Promise.all(Object.keys(zip.files).filter((name) => /^word\/footer\d*\.xml$/.test(name)).map((name) => zip.file(name)!.async("string")));
      expect(footers.join("")).toMatch(/PAGE/);
      expect(footers.join("")).toMatch(/NUMPAGES/);

      const [xlsxDownload] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=export-xlsx]")]);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile((await xlsxDownload.path())!);
      expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(en ? ["Scoring items", "Eligibility conditions", "Vetoes"] : ["计分指标", "准入条件", "一票否决"]);
      const items = workbook.worksheets[0];
      expect(String(items.getRow(1).getCell(1).value)).toContain(en ? "2015" : "苏州市流动人口积分管理计分标准");
      expect(items.getRow(4).values).toEqual([undefined, ...(en ? ["Category", "Indicator", "Condition", "Points", "Cap", "Programs", "Article"] : ["分类", "指标", "条件", "分值", "上限", "适用项目", "依据"])]);
      expect(items.views[0]).toMatchObject({ state: "frozen", ySplit: 4 });
      const cells: string[] = [];
      items.eachRow((row, n) => {
        if (n > 4) cells.push(String(row.getCell(2).value ?? ""), String(row.getCell(4).value ?? ""));
      });
      expect(cells.join(" ")).toContain(en ? "400 points" : "400分");
      expect(workbook.worksheets[1].rowCount).toBeGreaterThan(1);
    }
  });
});
