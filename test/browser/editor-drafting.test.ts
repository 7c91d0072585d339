/**
 * Issue 25: the editor an officer can draft in, in a real browser on the real server. The outline beside the editor
 * (by label, points at a glance, click to go, the entry under the cursor marked), jumps from the official table and
 * from a problem, and the aids inside Monaco. Nothing here saves unless a test says so, so each test starts from the
 * seeded Suzhou 2020 draft.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, lineOf, SCREENSHOT_DIR, signIn, startServer, typeInLine, waitForEditor, waitForHydration, type BrowserSession, type RunningServer } from "./harness";
import type { Page } from "playwright-core";

let server: RunningServer;
let browser: BrowserSession;
let draft: { id: number; standardId: string; document: string };

function readDraft(databaseUrl: string): { id: number; standardId: string; document: string } {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return db
      .prepare("select id, standard_id as standardId, document from standard_versions where status = 'draft' order by id limit 1")
      .get() as { id: number; standardId: string; document: string };
  } finally {
    db.close();
  }
}

/** The line the editor's cursor is on (Monaco marks its number in the gutter). */
async function cursorLine(page: Page): Promise<number> {
  return Number(await page.locator(".monaco-editor .line-numbers.active-line-number").first().textContent());
}

async function openDraft(page: Page, lang: "zh-CN" | "en", query = ""): Promise<void> {
  await page.goto(`${server.url}/standards/${draft.standardId}/versions/${draft.id}?lang=${lang}${query}`);
  await waitForEditor(page);
  await waitForHydration(page, "[data-testid=outline] button");
}

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  await signIn(browser.page, server.url, "drafter");
  draft = readDraft(server.databaseUrl);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the outline beside the editor", () => {
  it("lists categories, indicators with their points and tiers, gates, vetoes, programs and test cases by label, in Chinese", async () => {
    const { page } = browser;
    await openDraft(page, "zh-CN");
    const outline = page.locator("[data-testid=outline]");
    const education = outline.locator('button[data-pointer="/items/0"]');
    expect(await education.textContent()).toBe("文化程度30–200分");
    expect(await outline.locator('[data-section=categories] button[data-pointer="/categories/0"]').textContent()).toContain("基础");
    expect(await outline.locator('[data-section=gates] button[data-id="g_social_insurance"]').textContent()).toContain("参加社会保险");
    expect(await outline.locator("[data-section=testCases] li").count()).toBe(9);
    expect(await outline.locator("[data-section=programs] h3").textContent()).toContain("适用项目");

    // Click a tier: the cursor goes to it, and the outline marks it as the entry under the cursor.
    const bachelor = outline.locator('button[data-pointer="/items/0/scoring/tiers/1"]');
    expect(await bachelor.textContent()).toBe("大学本科60分");
    await bachelor.click();
    await expect.poll(() => cursorLine(page)).toBe(lineOf(draft.document, '"id": "bachelor"') - 1);
    await expect.poll(() => bachelor.getAttribute("aria-current")).toBe("true");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-outline.zh-CN.png` });
  });

  it("follows the cursor in English: moving in the text marks the entry it is in", async () => {
    const { page } = browser;
    await openDraft(page, "en");
    const outline = page.locator("[data-testid=outline]");
    expect(await outline.locator('button[data-pointer="/items/0"]').textContent()).toBe("education30–200 pts");
    expect(await outline.locator("[data-section=vetoes] h3").textContent()).toContain("Vetoes");
    await typeInLine(page, lineOf(draft.document, '"id": "housing_fund"'), "");
    await expect.poll(() => outline.locator("[aria-current=true]").getAttribute("data-id")).toBe("housing_fund");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-outline.en.png` });
  });
});

describe("from the table and from a problem to the text", () => {
  it("opens the editor at an indicator from its row of the official table, and at a tier from its points", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/standards/${draft.standardId}/versions/${draft.id}/table?lang=zh-CN`);
    await waitForHydration(page, "[data-testid=row-edit]");
    await page.locator('tr[data-item="housing_fund"] [data-testid=row-edit]').click();
    await page.waitForURL((url) => url.searchParams.get("at") === "/items/6");
    await waitForEditor(page);
    await expect.poll(() => cursorLine(page)).toBe(lineOf(draft.document, '"id": "housing_fund"') - 1);

    await page.goto(`${server.url}/standards/${draft.standardId}/versions/${draft.id}/table?lang=en`);
    await waitForHydration(page, "[data-testid=part-edit]");
    await page.locator('tr[data-item="education"] [data-testid=part-edit]').nth(2).click();
    await page.waitForURL((url) => url.searchParams.get("at") === "/items/0/scoring/tiers/2");
    await waitForEditor(page);
    await expect.poll(() => cursorLine(page)).toBe(lineOf(draft.document, '"id": "master"') - 1);
  });

  it("opens the editor at a changed entry from the compare view's change list", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/standards/${draft.standardId}/versions/${draft.id}/compare?lang=zh-CN`);
    const link = page.locator("[data-testid=change-list] [data-testid=change-edit]").first();
    await waitForHydration(page, "[data-testid=change-edit]");
    const target = new URL(String(await link.getAttribute("href")), server.url).searchParams.get("at")!;
    expect(target).toMatch(/^\/[a-zA-Z]+\/\d+$/);
    await link.click();
    await waitForEditor(page);
    await expect.poll(() => cursorLine(page)).toBeGreaterThan(1);
    const [, section, index] = target.split("/");
    const id = (JSON.parse(draft.document) as Record<string, Array<{ id: string }>>)[section][Number(index)].id;
    expect(draft.document.split("\n")[(await cursorLine(page))]).toContain(`"id": "${id}"`);
  });

  it("goes to a problem's place from the problem list, and shows the problem on its outline entry", async () => {
    const { page } = browser;
    await openDraft(page, "zh-CN");
    // Refer the first indicator to a category that does not exist.
    const categoryLine = lineOf(draft.document, '"category": "base"');
    await typeInLine(page, categoryLine, "x", 2);
    const problem = page.locator("[data-testid=problems] tr", { hasText: "/items/0/category" });
    await problem.waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-testid=outline] button[data-pointer="/items/0"] [data-testid=outline-problems]').textContent()).toBe("1");
    await page.locator('[data-testid=outline] button[data-pointer="/programs/0"]').click();
    await expect.poll(() => cursorLine(page)).not.toBe(categoryLine);
    await problem.locator("[data-testid=problem-go-to]").click();
    await expect.poll(() => cursorLine(page)).toBe(categoryLine);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-problem-jump.zh-CN.png` });
  });
});

describe("the document's own ids inside Monaco", () => {
  it("shows each referred fact's label inline, and goes from a reference to its definition (F12)", async () => {
    const { page } = browser;
    await openDraft(page, "zh-CN");
    const line = lineOf(draft.document, '"fact": "educationLevel"');
    await typeInLine(page, line, "", 3);
    await expect.poll(() => page.textContent(".monaco-editor .view-lines"), { timeout: 15_000 }).toContain("最高学历");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-inline-labels.zh-CN.png` });
    await page.keyboard.press("F12");
    await expect.poll(() => cursorLine(page)).toBe(lineOf(draft.document, '"id": "educationLevel"'));
  });

  it("completes a fact id with its label where a condition names a fact, offering no test-case ids (English)", async () => {
    const { page } = browser;
    await openDraft(page, "en");
    const line = lineOf(draft.document, '"fact": "educationLevel"');
    await typeInLine(page, line, "", 2);
    for (let i = 0; i < "educationLevel".length; i++) await page.keyboard.press("Backspace");
    await page.keyboard.type("edu");
    const widget = page.locator(".monaco-editor .suggest-widget");
    await widget.waitFor({ state: "visible", timeout: 15_000 });
    await expect.poll(() => widget.textContent()).toContain("educationLevel");
    const offered = (await widget.textContent()) ?? "";
    expect(offered).toContain("highest education");
    expect(offered).not.toContain("tc0");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-complete-fact.en.png` });
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator(".monaco-editor .view-line", { hasText: '"fact": "educationLevel"' }).count()).toBeGreaterThan(0);
  });
});

describe("snippets and quick edits", () => {
  it("inserts a new indicator from a snippet and fills its blanks with Tab; the outline shows it", async () => {
    const { page } = browser;
    await openDraft(page, "zh-CN");
    await waitForHydration(page, "[data-testid=insert-snippet]");
    await page.selectOption("[data-testid=insert-snippet]", "item-fixed");
    await expect.poll(() => page.textContent("[data-testid=insert-notice]")).toContain("Tab");
    await page.keyboard.type("housing_subsidy");
    await page.keyboard.press("Tab");
    // The category is a choice of the document's categories: close the list, keep the first, go on to the label.
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    await page.keyboard.type("住房补贴");
    const entry = page.locator('[data-testid=outline] button[data-id="housing_subsidy"]');
    await expect.poll(() => entry.textContent(), { timeout: 15_000 }).toBe("住房补贴10分");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-snippet.zh-CN.png` });
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+Z");
  });

  it("changes a tier's points in the quick-edit form, and Ctrl+Z takes it back (English)", async () => {
    const { page } = browser;
    await openDraft(page, "en");
    const bachelor = page.locator('[data-testid=outline] button[data-pointer="/items/0/scoring/tiers/1"]');
    await bachelor.click();
    const points = page.locator("[data-testid=quick-points]");
    await expect.poll(() => points.inputValue()).toBe("60");
    expect(await page.textContent("[data-testid=quick-edit-entry]")).toContain("bachelor");
    await points.fill("sixty");
    await page.click("[data-testid=quick-apply]");
    await expect.poll(() => page.textContent("[data-testid=quick-message]")).toContain("must be a number");
    await points.fill("75");
    await page.click("[data-testid=quick-apply]");
    await expect.poll(() => bachelor.textContent()).toBe("bachelor75 pts");
    await expect.poll(() => page.locator(".monaco-editor .view-line", { hasText: '"points": 75' }).count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/editor-quick-edit.en.png` });
    await page.keyboard.press("Control+Z");
    await expect.poll(() => bachelor.textContent()).toBe("bachelor60 pts");
    await expect.poll(() => points.inputValue()).toBe("60");
  });
});

describe("starting a new standard", () => {
  it("starts a standard from the blank template and lands in its editor, a draft with no problems (English)", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/standards?lang=en`);
    await waitForHydration(page, "[data-testid=new-standard]");
    await page.click("[data-testid=new-standard]");
    await page.waitForSelector("[data-testid=new-standard-form]");
    await page.fill("[data-testid=new-id]", "nanjing");
    await page.fill("[data-testid=new-versionLabel]", "2027");
    await page.fill("[data-testid=new-jurisdictionCode]", "320100");
    await page.fill("[data-testid=new-jurisdictionZh]", "南京市");
    await page.fill("[data-testid=new-jurisdictionEn]", "Nanjing");
    await page.fill("[data-testid=new-titleZh]", "南京市积分落户计分标准");
    await page.fill("[data-testid=new-titleEn]", "Nanjing points settlement standard");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/new-standard.en.png`, fullPage: true });
    await page.click("[data-testid=new-create]");
    await page.waitForURL(/\/standards\/nanjing\/versions\/\d+$/);
    await waitForEditor(page);
    // The editor names the new standard by its title in the UI's language (its code is for engineers), and its label.
    expect(await page.textContent("h1")).toContain("Nanjing points settlement standard · 2027");
    await expect.poll(() => page.textContent('[data-testid=outline] button[data-pointer="/items/0"]')).toBe("education10–20 pts");
    await expect.poll(() => page.textContent("[data-testid=problems] h2"), { timeout: 15_000 }).toContain("(0)");
    // Monaco renders spaces as no-break spaces.
    expect((await page.textContent(".monaco-editor .view-lines"))?.replace(/\u00a0/g, " ")).toContain('"id": "nanjing"');
  });

  it("refuses a taken id with a located message, in Chinese", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/standards/new?lang=zh-CN`);
    await waitForHydration(page, "[data-testid=new-from-copy]");
    await page.click("[data-testid=new-from-copy]");
    await page.fill("[data-testid=new-id]", "suzhou");
    await page.click("[data-testid=new-create]");
    await expect.poll(() => page.textContent('[data-error-for="id"]')).toContain("已有编号为“suzhou”的计分标准");
    expect(await page.textContent("[data-testid=new-errors]")).toContain("未创建");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/new-standard-refused.zh-CN.png`, fullPage: true });
  });
});

// Last: this test saves the draft.
describe("renaming an id (F2)", () => {
  it("renames a fact at its definition and every reference follows, the test cases' facts included", async () => {
    const { page } = browser;
    const before = readDraft(server.databaseUrl);
    await openDraft(page, "zh-CN");
    await typeInLine(page, lineOf(before.document, '"id": "educationLevel"'), "", 4);
    await page.keyboard.press("F2");
    const input = page.locator(".monaco-editor .rename-box input.rename-input");
    await expect.poll(() => input.inputValue().catch(() => ""), { timeout: 15_000 }).toBe("educationLevel");
    await input.fill("highestEducation");
    await input.press("Enter");
    await expect.poll(() => page.locator(".monaco-editor .view-line", { hasText: '"id": "highestEducation"' }).count()).toBe(1);
    await page.click("[data-testid=save]");
    await expect.poll(() => page.textContent("[data-testid=save-result]")).toContain("修订号");
    const after = readDraft(server.databaseUrl);
    expect(after.document).not.toContain('"educationLevel"');
    const doc = JSON.parse(after.document) as { items: Array<{ scoring: { tiers?: Array<{ when: { fact: string } }> } }>; testCases: Array<{ facts: Record<string, unknown> }> };
    expect(doc.items[0].scoring.tiers?.map((tier) => tier.when.fact)).toEqual(["highestEducation", "highestEducation", "highestEducation", "highestEducation"]);
    const before_ = JSON.parse(before.document) as { testCases: Array<{ facts: Record<string, unknown> }> };
    doc.testCases.forEach((testCase, i) => expect(testCase.facts.highestEducation).toEqual(before_.testCases[i].facts.educationLevel));
    expect(await page.textContent("[data-testid=problems] h2")).toContain("(0)");
  });
});
