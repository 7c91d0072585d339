/**
 * Try an applicant in a real browser: a Suzhou 2015 settlement applicant scored from the generated form with the
 * total computed by hand from the official table; bad input reported inline with nothing lost; a drafter saves the
 * applicant as a test case of the Suzhou 2020 draft (stored, pretty-printed, passing), a stale page gets a conflict,
 * and a reviewer's save is refused by the action itself.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTestCases } from "../../engine/scoring/testcases";
import type { StandardDocument } from "../../rules-schema/types";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let drafter: BrowserSession;

interface StoredVersion {
  id: number;
  document: string;
  revision: number;
}

function stored(databaseUrl: string, standardId: string, versionLabel: string): StoredVersion {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return db
      .prepare("select id, document, revision from standard_versions where standard_id = ? and version_label = ?")
      .get(standardId, versionLabel) as StoredVersion;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  drafter = await openBrowser();
  await signIn(drafter.page, server.url, "drafter");
});

afterAll(async () => {
  await drafter?.close();
  await server?.stop();
});

type Page = BrowserSession["page"];

/**
 * Hand-computed from the official 2015 table (苏府规字〔2015〕7号) for settlement on 2016-05-15:
 * age 30 (born 1985-06-01) → 10; master → 200; intermediate title → 50; 80 months of social insurance × 5 → 400
 * (cap 500); 30 months of housing fund = 2 full years × 5 → 10; owned home 110 m² lived in: 60 + 1 full 25 m² × 20 → 80;
 * residence since 2011-03-01 = 5 full years × 30 → 150. Base 900; family planning +100. Total 1000.
 */
async function fillSuzhouApplicant(page: Page): Promise<void> {
  await waitForHydration(page, "[data-testid=add-homes]");
  await page.selectOption("[data-testid=program]", "settlement");
  await page.fill("[data-testid=date]", "2016-05-15");
  await page.fill('[name="fact:birthDate"]', "1985-06-01");
  await page.selectOption('[name="fact:educationLevel"]', "master");
  await page.selectOption('[name="fact:professionalTitle"]', "intermediate");
  await page.selectOption('[name="fact:socialInsuranceActive"]', "true");
  await page.fill('[name="fact:socialInsuranceMonths"]', "80");
  await page.fill('[name="fact:housingFundMonths"]', "30");
  await page.click("[data-testid=add-homes]");
  const row = page.locator("[data-records=homes] tr[data-row]").first();
  await row.locator('input[name$=":areaM2"]').fill("110");
  await row.locator('select[name$=":owner"]').selectOption("self");
  await row.locator('select[name$=":inUrbanDistrict"]').selectOption("true");
  await page.selectOption('[name="fact:livesInOwnedHome"]', "true");
  await page.fill('[name="fact:residenceRegistrationDate"]', "2011-03-01");
  await page.selectOption('[name="fact:holdsResidencePermit"]', "true");
  await page.selectOption('[name="fact:familyPlanningCompliant"]', "true");
  await page.selectOption('[name="fact:hasLegalStableHome"]', "true");
  await page.fill('[name="fact:perCapitaHousingAreaM2"]', "30");
  await page.fill('[name="fact:housingSecurityAreaStandardM2"]', "18");
}

async function compute(page: Page): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("[data-testid=compute]")]);
  await page.waitForSelector("[data-testid=compute]:not([disabled])");
}

/** Full-page screenshot from the top, with the sticky result column laid out in full so all of it is in the picture. */
async function shot(page: Page, name: string): Promise<void> {
  await page.addStyleTag({ content: ".try-result-column { position: static !important; max-height: none !important; overflow: visible !important; }" });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}`, fullPage: true });
}

const itemText = (page: Page, id: string) => page.textContent(`[data-testid=items] tr[data-item=${id}]`);

describe("try an applicant (Suzhou 2015, settlement)", () => {
  it("scores the hand-computed applicant and explains every item in Chinese", async () => {
    const { page } = drafter;
    const version = stored(server.databaseUrl, "suzhou", "2015");
    await page.goto(`${server.url}/standards/suzhou/versions/${version.id}/try?lang=zh-CN`);
    await page.waitForSelector("[data-testid=try-form]");
    await shot(page, "try-applicant-form.zh-CN.png");
    await fillSuzhouApplicant(page);
    await compute(page);
    await page.waitForSelector("[data-testid=score-sheet]");

    expect(await page.textContent("[data-testid=total]")).toBe("1000");
    expect(await page.textContent("[data-testid=eligibility]")).toBe("符合准入条件");
    // One verdict badge beside the total, in words; eligibility is the gates' conclusion, not a second badge.
    expect(await page.locator(".score-summary .badge").count()).toBe(1);
    expect(await page.textContent("[data-subtotal=base] td.num")).toBe("900");
    expect(await page.textContent("[data-subtotal=bonus] td.num")).toBe("100");
    const points = async (id: string) => page.textContent(`[data-testid=points-${id}]`);
    expect(await points("age")).toBe("10");
    expect(await points("education")).toBe("200");
    expect(await points("skill_title")).toBe("50");
    expect(await points("social_insurance")).toBe("400");
    expect(await points("housing_fund")).toBe("10");
    expect(await points("property")).toBe("80");
    expect(await points("residence")).toBe("150");
    expect(await points("family_planning")).toBe("100");

    expect(await itemText(page, "education")).toContain("取“硕士研究生”档：200分");
    expect(await itemText(page, "education")).toContain("（实际：硕士研究生）");
    expect(await itemText(page, "social_insurance")).toContain("每满1个月积5分");
    expect(await itemText(page, "social_insurance")).toContain("80个月 → 80个月 × 5分 = 400分");
    expect(await itemText(page, "property")).toContain("市区自有产权住房合计面积 不少于 75㎡（实际：110㎡）");
    expect(await itemText(page, "age")).toContain("30周岁");
    expect(await itemText(page, "residence")).toContain("依据：苏府规字〔2015〕7号");
    const gates = await page.textContent("[data-testid=gates]");
    expect(gates).toContain("人均住房建筑面积 不少于 市区住房保障准入标准（人均面积）（实际：30㎡）");
    expect(await page.textContent("[data-testid=vetoes]")).toContain("未触发");
    // The form keeps what was entered.
    expect(await page.inputValue('[name="fact:socialInsuranceMonths"]')).toBe("80");
    await shot(page, "try-applicant.zh-CN.png");
  });

  it("tells an applicant below the line what it would take, in words, in both languages (issue 24, part 1)", async () => {
    const { page } = drafter;
    const version = stored(server.databaseUrl, "suzhou", "2015");
    for (const lang of ["zh-CN", "en"] as const) {
      await page.goto(`${server.url}/standards/suzhou/versions/${version.id}/try?lang=${lang}`);
      await fillSuzhouApplicant(page);
      // The applicant above scores 1000 by hand; at 5 points a month of social insurance, 10 more months reach 1050.
      await page.fill("[data-testid=line]", "1050");
      await compute(page);
      const takes = await page.waitForSelector("[data-testid=what-it-takes]");
      const text = (await takes.textContent()) ?? "";
      if (lang === "zh-CN") {
        expect(text).toContain("目前总分 1000 分；分数线 1050 分。");
        expect(text).toContain("苏州大市范围内城镇职工社会保险缴费月数：80个月 → 90个月（再增加10个月）：总分 1000 → 1050 分");
      } else {
        expect(text).toContain("Now: total 1000; the line is 1050.");
        expect(text).toMatch(/: 80 months → 90 months \(10 months more\): total 1000 → 1050, reaching the line of 1050/);
      }
      expect(text).not.toMatch(/socialInsuranceMonths|educationLevel/);
      await shot(page, `try-what-it-takes.${lang}.png`);
    }
  });

  it("explains a failed gate and a cap in English", async () => {
    const { page } = drafter;
    const version = stored(server.databaseUrl, "suzhou", "2015");
    await page.goto(`${server.url}/standards/suzhou/versions/${version.id}/try?lang=en`);
    await fillSuzhouApplicant(page);
    await page.fill('[name="fact:socialInsuranceMonths"]', "130");
    await page.fill('[name="fact:perCapitaHousingAreaM2"]', "12");
    await compute(page);
    await page.waitForSelector("[data-testid=score-sheet]");
    // 130 months → 650, capped at 500 (the points 1000 − 400 + 500 = 1100); the housing-area gate fails, so there is
    // no score to show (issue 22) and the verdict names the condition.
    expect(await page.textContent("[data-testid=total]")).toBe("No score");
    expect(await page.textContent("[data-testid=verdict]")).toMatch(/^Not eligible: “.+” not met; no score$/);
    expect(await page.textContent("[data-testid=eligibility]")).toBe("Not eligible");
    expect(await page.locator(".score-summary .badge").count()).toBe(1);
    expect(await itemText(page, "social_insurance")).toContain("Capped: 650 points → 500 points.");
    const gate = await page.textContent("[data-testid=gates] tr[data-gate=g_settlement_housing]");
    expect(gate).toContain("not met");
    expect(gate).toContain("Settlement needs a legal stable home");
    expect(gate).toContain("(value seen: 12 m²)");
    await shot(page, "try-applicant.en.png");
  });

  it("reports a bad number and a missing evaluation date inline, keeping every value", async () => {
    const { page } = drafter;
    const version = stored(server.databaseUrl, "suzhou", "2015");
    await page.goto(`${server.url}/standards/suzhou/versions/${version.id}/try?lang=zh-CN`);
    await fillSuzhouApplicant(page);
    await page.fill('[name="fact:socialInsuranceMonths"]', "八十个月");
    await page.fill('[name="fact:housingFundMonths"]', "2.5");
    await page.fill("[data-testid=date]", "");
    await compute(page);
    await page.waitForSelector("[data-error-for]");
    expect(await page.textContent('[data-error-for="fact:socialInsuranceMonths"]')).toBe("请输入数字（如 12 或 3.5）。");
    expect(await page.textContent('[data-error-for="fact:housingFundMonths"]')).toBe("请输入整数。");
    expect(await page.textContent('[data-error-for="date"]')).toBe("请填写评估日期。");
    expect(await page.getAttribute('[name="fact:socialInsuranceMonths"]', "aria-invalid")).toBe("true");
    expect(await page.locator("[data-testid=score-sheet]").count()).toBe(0);
    expect(await page.inputValue('[name="fact:socialInsuranceMonths"]')).toBe("八十个月");
    expect(await page.inputValue('[name="fact:birthDate"]')).toBe("1985-06-01");
    expect(await page.locator("[data-records=homes] tr[data-row]").count()).toBe(1);
    expect(await page.inputValue('[data-records=homes] input[name$=":areaM2"]')).toBe("110");
    await shot(page, "try-applicant-errors.zh-CN.png");

    await page.goto(`${server.url}/standards/suzhou/versions/${version.id}/try?lang=en`);
    await page.fill('[name="fact:socialInsuranceMonths"]', "eighty");
    await compute(page);
    expect(await page.textContent('[data-error-for="fact:socialInsuranceMonths"]')).toBe("Enter a number (such as 12 or 3.5).");
    await shot(page, "try-applicant-errors.en.png");
  });
});

describe("try an applicant for the other standards", () => {
  it("fills from each embedded test case of Shanghai and Hangzhou and shows the expected total", async () => {
    const { page } = drafter;
    for (const [standardId, label, lang] of [
      ["shanghai", "2015", "zh-CN"],
      ["hangzhou", "2018-trial", "en"],
    ] as const) {
      const version = stored(server.databaseUrl, standardId, label);
      const doc = JSON.parse(version.document) as StandardDocument;
      const withTotal = (doc.testCases ?? []).filter((c) => c.expect.total !== undefined).slice(0, 3);
      expect(withTotal.length).toBeGreaterThan(0);
      for (const testCase of withTotal) {
        await page.goto(`${server.url}/standards/${standardId}/versions/${version.id}/try?lang=${lang}&case=${testCase.id}`);
        await compute(page);
        await page.waitForSelector("[data-testid=score-sheet]");
        expect(Number(await page.textContent("[data-testid=total]")), `${standardId} ${testCase.id}`).toBe(testCase.expect.total);
      }
      await shot(page, `try-applicant-${standardId}.${lang}.png`);
    }
  });

  it("adds and removes record rows", async () => {
    const { page } = drafter;
    const version = stored(server.databaseUrl, "suzhou", "2015");
    await page.goto(`${server.url}/standards/suzhou/versions/${version.id}/try?lang=zh-CN`);
    const rows = page.locator("[data-records=homes] tr[data-row]");
    await waitForHydration(page, "[data-testid=add-homes]");
    await page.click("[data-testid=add-homes]");
    await page.click("[data-testid=add-homes]");
    expect(await rows.count()).toBe(2);
    await rows.nth(0).locator('input[name$=":areaM2"]').fill("60");
    await rows.nth(1).locator('input[name$=":areaM2"]').fill("90");
    await rows.nth(0).locator("[data-testid=remove-homes]").click();
    expect(await rows.count()).toBe(1);
    expect(await rows.nth(0).locator('input[name$=":areaM2"]').inputValue()).toBe("90");
  });
});

describe("saving a try as a test case of the Suzhou 2020 draft", () => {
  it("a drafter saves; the stored document gains a passing, pretty-printed test case; a stale page gets a conflict", async () => {
    const { page, context } = drafter;
    const before = stored(server.databaseUrl, "suzhou", "2020-rev");
    const beforeDoc = JSON.parse(before.document) as StandardDocument;
    const url = `${server.url}/standards/suzhou/versions/${before.id}/try?lang=zh-CN&case=tc01_settlement_with_nanjing`;
    // A second page opened at the same revision, to save later from a stale page.
    const stale = await context.newPage();
    await stale.goto(url);

    await page.goto(url);
    await compute(page);
    await page.waitForSelector("[data-testid=score-sheet]");
    const shownTotal = Number(await page.textContent("[data-testid=total]"));
    await page.fill("[data-testid=label-zh]", "浏览器试算：南京社保互认（落户）");
    await page.fill("[data-testid=label-en]", "browser try: Nanjing months (settlement)");
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("[data-testid=save-case-button]")]);
    await expect.poll(() => page.textContent("[data-testid=message]")).toContain(`已将测试用例 tc_try_1 加入草稿，修订号 ${before.revision + 1}`);
    await shot(page, "try-applicant-saved.zh-CN.png");

    const after = stored(server.databaseUrl, "suzhou", "2020-rev");
    expect(after.revision).toBe(before.revision + 1);
    expect(after.document).toContain('\n  "formatVersion": "1.1",\n');
    const afterDoc = JSON.parse(after.document) as StandardDocument;
    expect(afterDoc.testCases).toHaveLength((beforeDoc.testCases ?? []).length + 1);
    const added = afterDoc.testCases!.at(-1)!;
    const original = beforeDoc.testCases!.find((c) => c.id === "tc01_settlement_with_nanjing")!;
    expect(added.id).toBe("tc_try_1");
    expect(added.label).toEqual({ zh: "浏览器试算：南京社保互认（落户）", en: "browser try: Nanjing months (settlement)" });
    expect(added.program).toBe(original.program);
    expect(added.date).toBe(original.date);
    expect(added.expect.total).toBe(shownTotal);
    expect(added.expect.total).toBe(original.expect.total);
    expect(added.expect.eligible).toBe(true);
    expect(added.expect.failedGates).toEqual([]);
    for (const [id, points] of Object.entries(original.expect.items ?? {})) expect(added.expect.items?.[id]).toBe(points);
    const results = await runTestCases(afterDoc, { path: "both" });
    expect(results.filter((r) => r.id === "tc_try_1").every((r) => r.pass)).toBe(true);
    // Everything else in the document is unchanged.
    expect({ ...afterDoc, testCases: undefined }).toEqual({ ...beforeDoc, testCases: undefined });

    await compute(stale);
    await stale.fill("[data-testid=label-zh]", "过期页面");
    await Promise.all([stale.waitForResponse((r) => r.request().method() === "POST"), stale.click("[data-testid=save-case-button]")]);
    await expect.poll(() => stale.textContent("[data-testid=message]")).toContain(`其他人已将此版本保存为修订号 ${before.revision + 1}`);
    expect(await stale.inputValue("[data-testid=label-zh]")).toBe("过期页面");
    await shot(stale, "try-applicant-conflict.zh-CN.png");
    await stale.close();
    const unchanged = stored(server.databaseUrl, "suzhou", "2020-rev");
    expect(unchanged.revision).toBe(after.revision);
    expect(unchanged.document).toBe(after.document);
  });

  it("a reviewer sees no save button and the action refuses a save posted anyway", async () => {
    const reviewer = await openBrowser();
    try {
      await signIn(reviewer.page, server.url, "reviewer");
      const before = stored(server.databaseUrl, "suzhou", "2020-rev");
      const url = `${server.url}/standards/suzhou/versions/${before.id}/try?lang=en&case=tc01_settlement_with_nanjing`;
      await reviewer.page.goto(url);
      await compute(reviewer.page);
      await reviewer.page.waitForSelector("[data-testid=score-sheet]");
      expect(await reviewer.page.locator("[data-testid=save-case-button]").count()).toBe(0);
      expect(await reviewer.page.textContent("[data-testid=result]")).toContain("Only a drafter can save");

      const response = await reviewer.page.request.post(url, {
        form: { intent: "save", baseRevision: String(before.revision), program: "settlement", date: "2021-06-30", labelZh: "越权保存" },
        // Posted as from the site's own page (a cross-site post is refused before the role is even looked at).
        headers: { Origin: server.url },
      });
      expect(response.status()).toBe(403);
      expect(await response.text()).toContain("only a drafter can add test cases");
      const after = stored(server.databaseUrl, "suzhou", "2020-rev");
      expect(after.revision).toBe(before.revision);
      expect(after.document).toBe(before.document);
      expect(reviewer.blockedRequests).toEqual([]);
    } finally {
      await reviewer.close();
    }
  });
});
