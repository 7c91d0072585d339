/**
 * An administrator issues a department API token in the browser, sees it once, uses it over HTTP, and revokes it;
 * other roles are refused. Screenshots in zh-CN and en.
 */
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openBrowser, SCREENSHOT_DIR, signIn, startServer, waitForHydration, type BrowserSession, type RunningServer } from "./harness";

let server: RunningServer;
let browser: BrowserSession;

beforeAll(async () => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  server = await startServer();
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function evaluateWith(token: string): Promise<number> {
  const response = await fetch(`${server.url}/api/v1/standards/suzhou?date=2016-05-15`, { headers: { Authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

describe("department API tokens page", () => {
  it("refuses a drafter, in the loader and in the action", async () => {
    const { page } = browser;
    await signIn(page, server.url, "drafter");
    const view = await page.goto(`${server.url}/admin/tokens`);
    expect(view?.status()).toBe(403);
    const post = await page.request.post(`${server.url}/admin/tokens`, {
      form: { intent: "create", name: "x", department: "y", scopes: "read" },
      headers: { Origin: server.url },
    });
    expect(post.status()).toBe(403);
    await page.context().clearCookies();
  });

  it("lets an administrator create a token shown once, which then works, and revoke it (zh-CN)", async () => {
    const { page } = browser;
    await signIn(page, server.url, "admin");
    await page.goto(`${server.url}/admin/tokens?lang=zh-CN`);
    expect(await page.textContent("h1")).toBe("部门 API 令牌");
    // Created by the hydrated page's form: a reload then asks for the page again rather than posting the form again.
    await waitForHydration(page, '[data-testid=create-token] button[type="submit"]');
    await page.fill('input[name="name"]', "学位核验");
    await page.fill('input[name="department"]', "市教育局");
    await page.check('input[name="scopes"][value="read"]');
    await page.click('[data-testid=create-token] button[type="submit"]');
    const token = (await page.locator("[data-testid=token-plaintext]").textContent())!.trim();
    expect(token).toMatch(/^jifen_/);
    const row = page.locator("[data-testid=tokens-table] tbody tr", { hasText: "市教育局" });
    await expect.poll(() => row.textContent()).toContain("evaluate, read");
    await page.screenshot({ path: `${SCREENSHOT_DIR}/admin-tokens.zh-CN.png`, fullPage: true });

    expect(await evaluateWith(token)).toBe(200);
    await page.reload();
    expect(await page.locator("[data-testid=token-plaintext]").count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    const id = await row.getAttribute("data-token-id");
    await page.click(`[data-testid=revoke-${id}]`);
    await expect.poll(() => row.textContent()).toContain("已吊销");
    expect(await evaluateWith(token)).toBe(401);
  });

  it("reads in English", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/admin/tokens?lang=en`);
    expect(await page.textContent("h1")).toBe("Department API tokens");
    await page.fill('input[name="name"]', "Residence checks");
    await page.fill('input[name="department"]', "Public Security Bureau");
    await page.check('input[name="scopes"][value="rank"]');
    await page.click('[data-testid=create-token] button[type="submit"]');
    await page.locator("[data-testid=token-plaintext]").waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/admin-tokens.en.png`, fullPage: true });
    expect(await page.textContent("[data-testid=tokens-table]")).toContain("Revoked");
    await page.goto(`${server.url}/admin/tokens?lang=zh-CN`);
  });

  it("keeps English through sign-in when an English link is opened signed out", async () => {
    const { page } = browser;
    await page.context().clearCookies();
    await page.goto(`${server.url}/admin/tokens?lang=en`);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.textContent("h1")).toBe("Sign in");
    await page.fill('input[name="username"]', "admin");
    await page.fill('input[name="password"]', "jifen-demo");
    await Promise.all([page.waitForURL((u) => u.pathname === "/admin/tokens"), page.click('button[type="submit"]')]);
    // The router changes the address before React renders the new route, so the page is read once it has rendered.
    await expect.poll(() => page.textContent("h1")).toBe("Department API tokens");
    expect(await page.getAttribute("html", "lang")).toBe("en");
    await page.goto(`${server.url}/admin/tokens?lang=zh-CN`);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
  });
});
