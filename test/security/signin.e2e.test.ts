/**
 * Issue 18, sign-in and sessions, against the production server over real HTTP on 127.0.0.1 and its real database:
 * open redirects after sign-in, password guessing (throttled per account and per address with 429 and the wait in
 * the officer's words), failed sign-ins in the audit log, sessions stored as hashes, the Secure cookie behind TLS
 * (TRUST_PROXY, COOKIE_SECURE), cross-site state-changing requests (Origin / Sec-Fetch-Site / Referer), and revoking
 * a token that does not exist. The server trusts a proxy on loopback, so each test can speak for its own client
 * address with X-Forwarded-For, as a department's reverse proxy would.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type JifenDb } from "../../db/connection";
import { openBrowser, SCREENSHOT_DIR, startServer, type BrowserSession, type RunningServer } from "../browser/harness";

let server: RunningServer;
let db: JifenDb;

interface Reply {
  status: number;
  location: string | null;
  setCookie: string | null;
  retryAfter: string | null;
  text: string;
}

async function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return {
    status: response.status,
    location: response.headers.get("location"),
    setCookie: response.headers.get("set-cookie"),
    retryAfter: response.headers.get("retry-after"),
    text: await response.text(),
  };
}

/** A sign-in posted by this site's sign-in page, from the client address `address` (through the trusted proxy). */
function signInAs(username: string, password: string, address: string, extra: { redirectTo?: string; lang?: string; headers?: Record<string, string> } = {}) {
  return post(`/login${extra.lang ? `?lang=${extra.lang}` : ""}`, { username, password, redirectTo: extra.redirectTo ?? "/standards" }, {
    Origin: server.url,
    "X-Forwarded-For": address,
    ...extra.headers,
  });
}

function sessionCookie(reply: Reply): string {
  const match = /jifen_session=([^;]+)/.exec(reply.setCookie ?? "");
  if (!match) throw new Error(`no session cookie in ${reply.status} ${reply.setCookie}`);
  return match[1];
}

async function signedInCookie(username: string, address: string): Promise<string> {
  const reply = await signInAs(username, "jifen-demo", address);
  expect(reply.status).toBe(302);
  return `jifen_session=${sessionCookie(reply)}`;
}

async function isSignedIn(cookie: string): Promise<boolean> {
  const response = await fetch(`${server.url}/standards`, { headers: { Cookie: cookie }, redirect: "manual" });
  await response.arrayBuffer();
  return response.status === 200;
}

function auditRows(action: string): Array<{ entity_id: string; details: string; actor_id: number | null }> {
  return db.$client.prepare("select entity_id, details, actor_id from audit_log where action = ? order by id").all(action) as Array<{
    entity_id: string;
    details: string;
    actor_id: number | null;
  }>;
}

beforeAll(async () => {
  server = await startServer({ TRUST_PROXY: "loopback" });
  db = openDatabase(server.databaseUrl);
});

afterAll(async () => {
  db?.$client.close();
  await server?.stop();
});

describe("redirect after sign-in", () => {
  const offSite = ["/\\evil.example", "/\t/evil.example", "/\\\t\\evil.example", "//evil.example", "/\n/evil.example", "https://evil.example/", "http:/evil.example", "/\u0000/evil.example"];

  it.each(offSite.map((target) => [JSON.stringify(target), target]))("stays on the site for redirectTo=%s", async (_name, target) => {
    const reply = await signInAs("drafter", "jifen-demo", "192.0.2.10", { redirectTo: target });
    expect(reply.status).toBe(302);
    expect(reply.location).toBe("/standards");
  });

  it("keeps a redirect to a page of this site, and refuses off-site targets on the signed-in sign-in page too", async () => {
    const reply = await signInAs("drafter", "jifen-demo", "192.0.2.10", { redirectTo: "/cohorts?lang=en" });
    expect(reply.location).toBe("/cohorts?lang=en");
    const cookie = `jifen_session=${sessionCookie(reply)}`;
    for (const target of ["/\\evil.example", "/\t/evil.example"]) {
      const response = await fetch(`${server.url}/login?redirectTo=${encodeURIComponent(target)}`, { headers: { Cookie: cookie }, redirect: "manual" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/standards");
    }
  });
});

describe("password guessing", () => {
  it("refuses the right password with 429 after 40 wrong ones, with the wait in Chinese and English, and audits the failures", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await signInAs("publisher", `guess-${i}`, "198.51.100.7")).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);

    const right = await signInAs("publisher", "jifen-demo", "198.51.100.7");
    expect(right.status).toBe(429);
    expect(right.setCookie ?? "").not.toContain("jifen_session=");
    expect(Number(right.retryAfter)).toBeGreaterThan(0);
    expect(right.text).toContain("登录失败次数过多");
    expect(right.text).toMatch(/请 \d+ 秒后再试/);

    // The account waits whatever address the next guess comes from.
    const elsewhere = await signInAs("publisher", "jifen-demo", "198.51.100.8", { lang: "en" });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.text).toMatch(/Too many failed sign-ins\. To protect the password from guessing, please try again in \d+ seconds?\./);

    const failures = auditRows("user.signInFailed").filter((r) => r.entity_id === "publisher");
    expect(failures).toHaveLength(6); // the passwords actually checked; refusals while waiting check none
    const details = failures.map((r) => JSON.parse(r.details) as { address: string; accountExists: boolean; waitSeconds?: number });
    expect(details.every((d) => d.address === "198.51.100.7" && d.accountExists)).toBe(true);
    expect(details[5].waitSeconds).toBe(15);
  });

  it("throttles an address guessing many accounts, and lets another address sign in", async () => {
    for (let i = 0; i < 20; i++) expect((await signInAs(`nobody-${i}`, "x", "203.0.113.5")).status).toBe(401);
    expect((await signInAs("nobody-20", "x", "203.0.113.5")).status).toBe(429);
    expect((await signInAs("reviewer", "jifen-demo", "203.0.113.5")).status).toBe(429);
    expect((await signInAs("reviewer", "jifen-demo", "203.0.113.6")).status).toBe(302);
    const unknown = auditRows("user.signInFailed").filter((r) => r.entity_id.startsWith("nobody-"));
    expect(unknown).toHaveLength(21);
    expect(unknown.every((r) => (JSON.parse(r.details) as { accountExists: boolean }).accountExists === false)).toBe(true);
  });

  it("audits a successful sign-in with its address", async () => {
    await signedInCookie("reviewer", "203.0.113.9");
    const rows = auditRows("user.signIn").map((r) => JSON.parse(r.details) as { address: string });
    expect(rows.some((d) => d.address === "203.0.113.9")).toBe(true);
  });

  it("shows the wait on the sign-in page in both languages", async () => {
    const browser: BrowserSession = await openBrowser();
    try {
      const { page } = browser;
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      for (const [lang, expected] of [
        ["zh-CN", /登录失败次数过多，为防止密码被猜测，请 (\d+ 分钟|\d+ 秒|\d+ 分 \d+ 秒)后再试。/],
        ["en", /Too many failed sign-ins\. To protect the password from guessing, please try again in \d+ (seconds?|minutes?)/],
      ] as const) {
        // The account guessed at above is still waiting, or waits again after one more wrong password.
        const message = page.locator("[data-testid=sign-in-throttled]");
        for (let attempt = 0; attempt < 3 && (attempt === 0 || !(await message.count())); attempt++) {
          await page.goto(`${server.url}/login?lang=${lang}`);
          await page.fill('input[name="username"]', "publisher");
          await page.fill('input[name="password"]', "still-guessing");
          await page.click('button[type="submit"]');
          await page.locator("[role=alert]").waitFor();
        }
        expect(await message.textContent()).toMatch(expected);
        await page.screenshot({ path: `${SCREENSHOT_DIR}/sign-in-throttled.${lang}.png`, fullPage: true });
      }
      expect(browser.blockedRequests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe("sessions", () => {
  it("stores only the hash of the cookie: the stored id does not sign anyone in", async () => {
    const cookie = await signedInCookie("drafter", "192.0.2.20");
    const value = cookie.slice("jifen_session=".length);
    expect(await isSignedIn(cookie)).toBe(true);
    const stored = db.$client.prepare("select id from sessions").pluck().all() as string[];
    expect(stored).not.toContain(value);
    const key = createHash("sha256").update(value).digest("hex");
    expect(stored).toContain(key);
    expect(await isSignedIn(`jifen_session=${key}`)).toBe(false);
  });
});

describe("the Secure cookie", () => {
  it("is set when a trusted proxy says the browser came over HTTPS, and not on plain HTTP", async () => {
    const overTls = await signInAs("drafter", "jifen-demo", "192.0.2.30", { headers: { "X-Forwarded-Proto": "https", "X-Forwarded-Host": new URL(server.url).host } });
    expect(overTls.status).toBe(302);
    expect(overTls.setCookie).toMatch(/jifen_session=[^;]+;.*HttpOnly.*; Secure/);
    const plain = await signInAs("drafter", "jifen-demo", "192.0.2.30");
    expect(plain.setCookie).toMatch(/HttpOnly/);
    expect(plain.setCookie).not.toMatch(/Secure/);
  });

  it("ignores X-Forwarded-Proto and X-Forwarded-For from an untrusted client, and COOKIE_SECURE=always sets it anyway", async () => {
    const untrusting = await startServer();
    const always = await startServer({ COOKIE_SECURE: "always" });
    try {
      const form = new URLSearchParams({ username: "drafter", password: "jifen-demo", redirectTo: "/standards" }).toString();
      const headers = { "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.99" };
      const a = await fetch(`${untrusting.url}/login`, { method: "POST", redirect: "manual", body: form, headers: { ...headers, Origin: untrusting.url } });
      expect(a.status).toBe(302);
      expect(a.headers.get("set-cookie")).not.toMatch(/Secure/);
      const untrustingDb = openDatabase(untrusting.databaseUrl);
      const signIns = untrustingDb.$client.prepare("select details from audit_log where action = 'user.signIn'").pluck().all() as string[];
      untrustingDb.$client.close();
      expect(signIns.map((d) => (JSON.parse(d) as { address: string }).address)).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);

      const b = await fetch(`${always.url}/login`, { method: "POST", redirect: "manual", body: form, headers: { ...headers, Origin: always.url } });
      expect(b.status).toBe(302);
      expect(b.headers.get("set-cookie")).toMatch(/; Secure/);
    } finally {
      await untrusting.stop();
      await always.stop();
    }
  });
});

describe("cross-site requests", () => {
  let admin: string;
  const tokenCount = () => (db.$client.prepare("select count(*) from api_tokens").pluck().get() as number);
  const createToken = (headers: Record<string, string>) =>
    post("/admin/tokens", { intent: "create", name: "csrf", department: "csrf", scopes: "read" }, { Cookie: admin, ...headers });

  beforeAll(async () => {
    admin = await signedInCookie("admin", "192.0.2.40");
  });

  it.each([
    ["no Origin and a foreign Referer", { Referer: "https://evil.example/page" }],
    ["no Origin and no Sec-Fetch-Site", {}],
    ["a foreign Origin", { Origin: "https://evil.example" }],
    ["Origin: null", { Origin: "null" }],
    ["the site's host on another port", { Origin: `http://127.0.0.1:1` }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }],
    ["a foreign Origin with Sec-Fetch-Site: same-origin", { Origin: "https://evil.example", "Sec-Fetch-Site": "same-origin" }],
  ])("refuses a state-changing request with %s (403, nothing done)", async (_name, headers) => {
    const before = tokenCount();
    const reply = await createToken(headers as Record<string, string>);
    expect(reply.status).toBe(403);
    expect(reply.text).toContain("拒绝跨站请求");
    expect(reply.text).toContain("Cross-site request refused");
    expect(tokenCount()).toBe(before);
  });

  it("accepts the site's own Origin, or Sec-Fetch-Site: same-origin where no Origin is sent", async () => {
    const before = tokenCount();
    expect((await createToken({ Origin: server.url })).status).toBe(200);
    expect((await createToken({ "Sec-Fetch-Site": "same-origin" })).status).toBe(200);
    expect(tokenCount()).toBe(before + 2);
  });

  it("refuses a cross-site sign-out and sign-in, and POSTs to paths that do not exist, but not the bearer-token API", async () => {
    const signOut = await post("/logout", {}, { Cookie: admin, Referer: "https://evil.example/" });
    expect(signOut.status).toBe(403);
    expect(await isSignedIn(admin)).toBe(true);
    const signIn = await post("/login", { username: "drafter", password: "jifen-demo" }, { Origin: "https://evil.example", "X-Forwarded-For": "192.0.2.41" });
    expect(signIn.status).toBe(403);
    expect(signIn.setCookie ?? "").not.toContain("jifen_session=");
    expect((await post("/no-such-page", {}, { Origin: "https://evil.example" })).status).toBe(403);
    const api = await fetch(`${server.url}/api/v1/standards/suzhou/evaluate`, { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    expect(api.status).toBe(401);
  });
});

describe("revoking a token", () => {
  it("answers 404 for a token that does not exist, revoking nothing, and 409 for one already revoked", async () => {
    const admin = await signedInCookie("admin", "192.0.2.50");
    const revokesBefore = auditRows("apiToken.revoke").length;
    const missing = await post("/admin/tokens?lang=zh-CN", { intent: "revoke", id: "987654" }, { Cookie: admin, Origin: server.url });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("没有编号为 987654 的令牌，未吊销任何令牌。");
    const missingEn = await post("/admin/tokens?lang=en", { intent: "revoke", id: "987654" }, { Cookie: admin, Origin: server.url });
    expect(missingEn.status).toBe(404);
    expect(missingEn.text).toContain("There is no token 987654; nothing was revoked.");
    expect((await post("/admin/tokens", { intent: "revoke", id: "abc" }, { Cookie: admin, Origin: server.url })).status).toBe(404);
    expect(auditRows("apiToken.revoke")).toHaveLength(revokesBefore);

    const id = String(db.$client.prepare("select max(id) from api_tokens").pluck().get());
    expect((await post("/admin/tokens", { intent: "revoke", id }, { Cookie: admin, Origin: server.url })).status).toBe(200);
    const again = await post("/admin/tokens?lang=en", { intent: "revoke", id }, { Cookie: admin, Origin: server.url });
    expect(again.status).toBe(409);
    expect(again.text).toContain(`Token #${id} was already revoked.`);
    expect(auditRows("apiToken.revoke")).toHaveLength(revokesBefore + 1);
  });
});
