/**
 * Issue 23 in a real browser: a round for Suzhou 2015's school places opened by a drafter, its applicants imported
 * through the cohort upload (the departments' columns, identity numbers masked), scored and ranked, refused to its
 * own runner for announcement (four-eyes) and announced by the publisher; every decision replayed identically. The
 * public notice without signing in, an applicant's own look-up with his score sheet; an objection recorded by the
 * drafter, refused to him for re-review, corrected by the publisher and shown on the notice as a dated amendment with
 * the pool re-ranked.
 */
import { mkdirSync, readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import { chooseCohortFile, idNumberOf, nameOf, SUZHOU_2015, writeCohortCsv, type GeneratedCsv } from "./cohort-upload";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let drafter: BrowserSession;
let publisher: BrowserSession;
let visitor: BrowserSession;
let file: GeneratedCsv;
let roundUrl = "";

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  file = writeCohortCsv(60, 23, { rename: { id: "申请编号" }, withIdNumbers: true, withNames: true });
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
  drafter = await openBrowser();
  publisher = await openBrowser();
  visitor = await openBrowser();
  await signIn(drafter.page, server.url, "drafter");
  await signIn(publisher.page, server.url, "publisher");
});

afterAll(async () => {
  await drafter?.close();
  await publisher?.close();
  await visitor?.close();
  await server?.stop();
});

describe("an application round", () => {
  it("is opened, given the departments' file, scored and ranked by a drafter", async () => {
    const page = drafter.page;
    await page.goto(`${server.url}/rounds/new?standard=suzhou&program=school`);
    await page.fill("[data-testid=round-name]", "2019年秋季积分入学");
    await page.fill("[data-testid=round-cutoff]", "2019-06-30");
    await page.fill("[data-testid=round-places]", "5");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/round-new.zh-CN.png`, fullPage: true });
    await Promise.all([page.waitForURL(/\/rounds\/\d+$/), page.click("[data-testid=round-create]")]);
    roundUrl = page.url();
    expect(await page.textContent("[data-testid=round-status]")).toBe("待计分");

    await chooseCohortFile(page, server.url, file.path, "2019年秋季积分入学申请人");
    await page.click("[data-testid=start-upload]");
    await page.waitForSelector("[data-testid=upload-done]");

    await page.goto(roundUrl);
    await waitForHydration(page, "[data-testid=round-attach]");
    await page.click("[data-testid=round-attach]");
    await page.waitForFunction(() => document.querySelector("[data-testid=round-applicants]")?.textContent?.includes("60"));
    await page.click("[data-testid=round-run]");
    await page.waitForSelector("[data-testid=round-ok]");
    expect(await page.textContent("[data-testid=round-ok]")).toContain("已为 60 位申请人计分并排名");
    await page.waitForFunction(() => document.querySelector("[data-testid=round-status]")?.textContent === "已计分排名，待公布");
    // Identity numbers only masked; the pools ranked with their cut-off.
    const results = (await page.textContent("[data-testid=round-results]")) ?? "";
    expect(results).toMatch(/320\*{11}\d{4}/);
    expect(results).toContain("录取分数线");
    // Four-eyes: the one who ran it cannot announce it, and is told why.
    expect(await page.isDisabled("[data-testid=round-announce]")).toBe(true);
    expect(await page.textContent(".why-disabled")).toContain("须由另一位起草人或发布人公布");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/round-run.zh-CN.png`, fullPage: true });
  });

  it("is announced by a second person, then replays identically (in English too)", async () => {
    const page = publisher.page;
    await page.goto(roundUrl);
    await waitForHydration(page, "[data-testid=round-announce]");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click("[data-testid=round-announce]");
    await page.waitForSelector("[data-testid=round-announced]");
    expect(await page.textContent("[data-testid=round-status]")).toBe("已公布");
    await page.goto(`${roundUrl}?lang=en`);
    await waitForHydration(page, "[data-testid=round-replay]");
    await page.click("[data-testid=round-replay]");
    await page.waitForSelector("[data-testid=round-replay-result]");
    expect(await page.textContent("[data-testid=round-replay-result]")).toBe("60 decisions replayed: all identical to the log.");
    expect(await page.textContent("[data-testid=round-history]")).toContain("Announced the results");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/round-announced.en.png`, fullPage: true });
    await page.goto(`${server.url}/rounds?lang=en`);
    expect(await page.textContent("[data-testid=rounds]")).toContain("Announced");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/rounds.en.png`, fullPage: true });
    await page.goto(`${server.url}/rounds/new?standard=suzhou&program=school&lang=en`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/round-new.en.png`, fullPage: true });
    await page.goto(`${server.url}/rounds?lang=zh-CN`);
  });

  it("gets a public notice: the list with masked identities, how to object, and an applicant's own look-up", async () => {
    const page = publisher.page;
    await page.goto(roundUrl);
    await waitForHydration(page, "[data-testid=notice-publish]");
    await page.fill("[data-testid=notice-contact]", "苏州市流动人口服务管理办公室，电话 0512-12345678");
    await page.click("[data-testid=notice-publish]");
    await page.waitForSelector("[data-testid=open-notice]");
    const noticeUrl = `${server.url}/notice/${roundUrl.split("/").pop()}`;

    const anonymous = visitor.page;
    await anonymous.goto(noticeUrl);
    expect(await anonymous.textContent("[data-testid=notice-title]")).toBe("2019年秋季积分入学 积分结果公示");
    expect(await anonymous.textContent("[data-testid=notice-how-to-object]")).toContain("苏州市流动人口服务管理办公室");
    const list = (await anonymous.textContent("[data-testid=notice-list]")) ?? "";
    expect(list).toMatch(/320\*{11}\d{4}/);
    expect(list).not.toMatch(/320102\d{12}/);
    // Names only masked: the first character and stars (张*), never the name.
    const row7 = await anonymous.$eval(`[data-testid=notice-list] tr[data-ref="${[...generateApplicants(SUZHOU_2015, 60, 23)][6].id}"]`, (row) => row.querySelectorAll("td")[2].textContent);
    expect(row7).toBe(`${nameOf(7)[0]}${"*".repeat(nameOf(7).length - 1)}`);
    expect(list).not.toContain(nameOf(7));
    const refs = [...generateApplicants(SUZHOU_2015, 60, 23)].map((a) => a.id);
    const ref = refs[6];
    await waitForHydration(anonymous, "[data-testid=lookup-submit]");
    await anonymous.fill("[data-testid=lookup-ref]", ref);
    await anonymous.fill("[data-testid=lookup-id]", idNumberOf(8));
    await anonymous.click("[data-testid=lookup-submit]");
    await anonymous.waitForSelector("[data-testid=lookup-error]");
    expect(await anonymous.textContent("[data-testid=lookup-error]")).toContain("不匹配");
    await anonymous.fill("[data-testid=lookup-id]", idNumberOf(7));
    await anonymous.click("[data-testid=lookup-submit]");
    await anonymous.waitForSelector("[data-testid=lookup-result] [data-testid=score-sheet]");
    expect(await anonymous.textContent("[data-testid=lookup-result]")).toContain(`申请编号 ${ref}`);
    await anonymous.screenshot({ path: `${SCREENSHOT_DIR}/notice-lookup.zh-CN.png`, fullPage: true });
    await anonymous.goto(`${noticeUrl}?lang=en`);
    await waitForHydration(anonymous, "[data-testid=lookup-submit]");
    await anonymous.fill("[data-testid=lookup-ref]", ref);
    await anonymous.fill("[data-testid=lookup-id]", idNumberOf(7));
    await anonymous.click("[data-testid=lookup-submit]");
    await anonymous.waitForSelector("[data-testid=lookup-result] [data-testid=score-sheet]");
    expect(await anonymous.textContent("[data-testid=lookup-result]")).toContain(`Application ${ref}`);
    await anonymous.screenshot({ path: `${SCREENSHOT_DIR}/notice-lookup.en.png`, fullPage: true });
  });

  it("takes an objection, re-reviewed by another person, corrected and shown as a dated amendment with the pool re-ranked", async () => {
    const page = drafter.page;
    await page.goto(roundUrl);
    // The applicant closest to his pool's cut-off who was not admitted.
    const target = await page.$$eval("[data-testid=round-results] tr[data-ref]", (rows) =>
      rows
        .map((row) => ({ ref: row.getAttribute("data-ref")!, cells: [...row.querySelectorAll("td")].map((td) => td.textContent ?? "") }))
        .filter((r) => r.cells[5] === "未录取（名额已满）")
        .map((r) => ({ ref: r.ref, rank: Number(r.cells[0]), points: Number(r.cells[4]) }))
        .sort((a, b) => b.points - a.points)[0],
    );
    await waitForHydration(page, "[data-testid=objection-record]");
    await page.fill("[data-testid=objection-ref]", target.ref);
    await page.fill("[data-testid=objection-disputed]", "博士学历未计分");
    await page.fill("[data-testid=objection-evidence]", "博士学位证书（原件已核）");
    await page.selectOption('[data-fact="fact:educationLevel"]', "doctor");
    await page.click("[data-testid=objection-record]");
    await page.waitForSelector("[data-testid=round-ok]");
    await page.waitForFunction(() => document.querySelector("[data-testid=round-objections]")?.textContent?.includes("待复核"));
    await page.screenshot({ path: `${SCREENSHOT_DIR}/round-objection.zh-CN.png`, fullPage: true });
    await Promise.all([page.waitForURL(/objections\/\d+$/), page.click("[data-testid^=re-review-]")]);
    const reviewUrl = page.url();
    expect(await page.isDisabled("[data-testid=review-decide]")).toBe(true);
    expect(await page.textContent(".why-disabled")).toContain("须由另一位起草人或发布人复核");

    const reviewer = publisher.page;
    await reviewer.goto(reviewUrl);
    expect(await reviewer.textContent("[data-testid=review-difference]")).toMatch(/文化程度0400总分：\d+ → \d+/);
    await reviewer.screenshot({ path: `${SCREENSHOT_DIR}/round-re-review.zh-CN.png`, fullPage: true });
    await waitForHydration(reviewer, "[data-testid=review-decide]");
    await reviewer.check("[data-testid=outcome-corrected]");
    await reviewer.fill("[data-testid=review-opinion]", "经核实博士学位证书，予以更正。");
    await reviewer.click("[data-testid=review-decide]");
    await reviewer.waitForSelector("[data-testid=review-decided]");
    expect(await reviewer.textContent("[data-testid=review-decided]")).toContain("已更正");
    await reviewer.goto(`${reviewUrl}?lang=en`);
    await reviewer.screenshot({ path: `${SCREENSHOT_DIR}/round-re-review.en.png`, fullPage: true });

    const anonymous = visitor.page;
    await anonymous.goto(`${server.url}/notice/${roundUrl.split("/").pop()}?lang=zh-CN`);
    expect(await anonymous.textContent("[data-testid=notice-amendments]")).toContain(`申请编号 ${target.ref} 经异议复核`);
    const amended = await anonymous.$eval(`[data-testid=notice-list] tr[data-ref="${target.ref}"]`, (row) => [...row.querySelectorAll("td")].map((td) => td.textContent ?? ""));
    expect(Number(amended[0])).toBeLessThan(target.rank);
    expect(amended[4]).toContain("更正");
    await anonymous.screenshot({ path: `${SCREENSHOT_DIR}/notice-amended.zh-CN.png`, fullPage: true });
    await anonymous.goto(`${server.url}/notice/${roundUrl.split("/").pop()}?lang=en`);
    expect(await anonymous.textContent("[data-testid=notice-amendments]")).toContain(`application ${target.ref}'s points were corrected`);
    await anonymous.screenshot({ path: `${SCREENSHOT_DIR}/notice-amended.en.png`, fullPage: true });
  });

  it("downloads the round's report as Excel and Word", async () => {
    const page = publisher.page;
    await page.goto(`${roundUrl}?lang=zh-CN`);
    const [xlsx] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=report-xlsx]")]);
    expect(xlsx.suggestedFilename()).toMatch(/^round-\d+-report\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync((await xlsx.path())!) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(["概要", "录取名单", "名额池", "异议与复核"]);
    expect(workbook.getWorksheet("异议与复核")!.getRow(2).values).toEqual(expect.arrayContaining(["博士学历未计分", "已更正"]));
    const [docx] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=report-docx]")]);
    expect(docx.suggestedFilename()).toMatch(/^round-\d+-report\.docx$/);
    const xml = await (await JSZip.loadAsync(readFileSync((await docx.path())!))).file("word/document.xml")!.async("string");
    expect(xml).toContain("2019年秋季积分入学 积分结果报告");
    expect(xml).toContain("经核实博士学位证书，予以更正。");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/round-corrected.zh-CN.png`, fullPage: true });
  });
});
