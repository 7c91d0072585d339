/**
 * Issue 23 in a real browser: a round for Suzhou 2015's school places opened by a drafter, its applicants imported
 * through the cohort upload (the departments' columns, identity numbers masked), scored and ranked, refused to its
 * own runner for announcement (four-eyes) and announced by the publisher; every decision replayed identically.
 */
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseCohortFile, writeCohortCsv, type GeneratedCsv } from "./cohort-upload";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let drafter: BrowserSession;
let publisher: BrowserSession;
let file: GeneratedCsv;
let roundUrl = "";

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  file = writeCohortCsv(60, 23, { rename: { id: "申请编号" }, withIdNumbers: true });
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
  drafter = await openBrowser();
  publisher = await openBrowser();
  await signIn(drafter.page, server.url, "drafter");
  await signIn(publisher.page, server.url, "publisher");
});

afterAll(async () => {
  await drafter?.close();
  await publisher?.close();
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
});
