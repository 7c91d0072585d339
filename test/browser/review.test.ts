/**
 * Review and publish in a real browser: a drafter submits the Suzhou 2020 draft, a reviewer approves it, and the page
 * tells the publisher what still blocks publishing; roles are enforced by the actions, not only by hidden buttons.
 */
import { mkdirSync } from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;
let reviewUrl: string;

function versionStatus(databaseUrl: string, id: number): string {
  const db = new Database(databaseUrl, { readonly: true });
  try {
    return (db.prepare("select status from standard_versions where id = ?").get(id) as { status: string }).status;
  } finally {
    db.close();
  }
}

let draftId: number;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
  // Every workflow step asks for confirmation (issue 21); the officer in these tests confirms.
  browser.page.on("dialog", (dialog) => void dialog.accept());
  const db = new Database(server.databaseUrl, { readonly: true });
  draftId = (db.prepare("select id from standard_versions where status = 'draft' and standard_id = 'suzhou'").get() as { id: number }).id;
  db.close();
  reviewUrl = `${server.url}/standards/suzhou/versions/${draftId}/review`;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function signOut() {
  await browser.context.clearCookies();
}

describe("review and publish", () => {
  it("shows the checks and lets the drafter submit the draft for review", async () => {
    const { page } = browser;
    await signIn(page, server.url, "drafter");
    await page.goto(`${reviewUrl}?lang=zh-CN`);
    const checks = await page.textContent("[data-testid=checks]");
    expect(checks).toContain("文档通过校验");
    expect(checks).toMatch(/内置测试用例全部通过（\d+\/\d+）/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/review-draft.zh-CN.png`, fullPage: true });
    await page.click("button[value=submit]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("操作已完成");
    expect(versionStatus(server.databaseUrl, draftId)).toBe("in_review");
  });

  it("refuses a state-changing request from another site (CSRF), even with the session cookie", async () => {
    const response = await browser.context.request.post(reviewUrl, {
      form: { intent: "submit" },
      headers: { Origin: "https://evil.example" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    expect(versionStatus(server.databaseUrl, draftId)).toBe("in_review");
  });

  it("refuses an approval posted by the drafter, whatever the page shows", async () => {
    const { page } = browser;
    expect(await page.locator("button[value=approve]").count()).toBe(0);
    const status = await page.evaluate(async (url) => {
      const body = new URLSearchParams({ intent: "approve" });
      const res = await fetch(url, { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });
      return res.status;
    }, reviewUrl);
    expect([403, 409]).toContain(status);
    expect(versionStatus(server.databaseUrl, draftId)).toBe("in_review");
  });

  it("lets a reviewer approve, and tells the publisher in English what blocks publishing", async () => {
    const { page } = browser;
    await signOut();
    await signIn(page, server.url, "reviewer");
    await page.goto(`${reviewUrl}?lang=en`);
    await page.click("button[value=approve]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("Done.");
    expect(versionStatus(server.databaseUrl, draftId)).toBe("approved");

    await signOut();
    await signIn(page, server.url, "publisher");
    await page.goto(`${reviewUrl}?lang=en`);
    const audit = await page.textContent("[data-testid=audit]");
    // The audit trail reads as sentences (issue 21), no longer as action codes.
    expect(audit).toContain("起草人 Drafter submitted version “2020-rev” for review");
    expect(audit).toContain("审核人 Reviewer approved version “2020-rev”");
    expect(audit).not.toContain("version.submit");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/review-approved.en.png`, fullPage: true });
  });

  it("publishes with an effective date once every check holds, superseding the 2015 version", async () => {
    const { page } = browser;
    // The seed's simulation run of this exact content is what satisfies the simulation check.
    expect(await page.textContent("[data-testid=checks]")).toMatch(/Simulated on a past cohort \(\d+ run/);
    expect(await page.textContent("[data-testid=blockers]")).toContain("Every condition holds");
    await page.fill("input[name=effectiveFrom]", "2021-01-01");
    await page.fill("input[name=documentNumber]", "苏府规字〔2020〕12号");
    await page.fill("input[name=announcedOn]", "2020-12-01");
    await page.click("button[value=publish]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("Done.");
    expect(versionStatus(server.databaseUrl, draftId)).toBe("published");
    const db = new Database(server.databaseUrl, { readonly: true });
    const old = db.prepare("select status, effective_to as effectiveTo from standard_versions where standard_id = 'suzhou' and id <> ?").get(draftId);
    db.close();
    expect(old).toEqual({ status: "superseded", effectiveTo: "2020-12-31" });
    await page.goto(`${server.url}/standards?lang=zh-CN`);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-after-publish.zh-CN.png`, fullPage: true });
  });

  it("tells a drafter of a new revision, in Chinese, that the same person cannot approve it", async () => {
    const { page } = browser;
    await signOut();
    await signIn(page, server.url, "admin");
    await page.goto(`${reviewUrl}?lang=zh-CN`);
    await page.fill("input[name=versionLabel]", "2021-rev");
    await Promise.all([page.waitForURL(/\/versions\/\d+$/), page.click("button[value=startRevision]")]);
    const revisionUrl = page.url();
    await page.goto(`${revisionUrl}/review?lang=zh-CN`);
    // Not simulated yet: submitting takes a recorded reason (issue 21).
    await page.fill("textarea[name=simulationOverride]", "仅修改版本号，内容与2020年修订相同");
    await page.click("button[value=submit]");
    await expect.poll(() => page.textContent("[data-testid=workflow-result]")).toContain("操作已完成");
    // 批准 is not offered to a user four-eyes will refuse; the page says why (issue 21).
    expect(await page.locator("button[value=approve]").count()).toBe(0);
    expect(await page.textContent("[data-testid=four-eyes]")).toContain("双人复核");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/review-four-eyes.zh-CN.png`, fullPage: true });
  });
});
