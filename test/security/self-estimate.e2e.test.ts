/**
 * The public self-estimate against hostile input, over real HTTP (issue 23, part 1; decision 041): an oversized body
 * is refused before it is read, hostile field names and values are answered at their field without a stack trace,
 * markup in an answer is never echoed as markup, a huge number cannot stall the server, and a client cannot escape
 * the per-address limit by claiming other addresses in X-Forwarded-For when no proxy is trusted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../browser/harness";

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ JIFEN_SEED_COHORT_SIZE: "0" });
});

afterAll(async () => {
  await server?.stop();
});

function post(base: string, fields: Array<[string, string]> | string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/estimate/suzhou`, {
    method: "POST",
    headers: { Origin: base, "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: typeof fields === "string" ? fields : new URLSearchParams(fields).toString(),
  });
}

const NO_TRACE = /at \w+ \(|node_modules|\.ts:\d+/;

describe("self-estimate under hostile input", () => {
  it("refuses a body over 256 KB with a page in the applicant's language, and keeps serving", async () => {
    const huge = `program=settlement&${"rec:homes:r:areaM2=1&".repeat(20_000)}`;
    for (const [lang, words] of [
      ["zh-CN", "提交的内容过多"],
      ["en", "Too much was sent"],
    ]) {
      const response = await fetch(`${server.url}/estimate/suzhou?lang=${lang}`, {
        method: "POST",
        headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
        body: huge,
      });
      expect(response.status).toBe(413);
      const html = await response.text();
      expect(html).toContain(words);
      expect(html).not.toMatch(NO_TRACE);
    }
    const ok = await post(server.url, [["program", "settlement"], ["fact:socialInsuranceMonths", "12"]]);
    expect(ok.status).toBe(200);
  });

  it("answers prototype names, an unknown program and malformed encoding at the field, without a trace", async () => {
    const response = await post(server.url, [
      ["program", "__proto__"],
      ["fact:__proto__", "1"],
      ["fact:constructor", "x"],
      ["rec:homes:__proto__:areaM2", "abc"],
      ["rec:__proto__:a:b", "1"],
      ["person:__proto__", "yes"],
    ]);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('data-error-for="program">请选择积分项目。');
    expect(html).toContain('data-error-for="rec:homes:__proto__:areaM2">请输入数字');
    expect(html).not.toMatch(NO_TRACE);

    const garbled = await post(server.url, "program=settlement&fact:socialInsuranceMonths=%E0%A4%A&%zz=1");
    expect([200, 400]).toContain(garbled.status);
    expect(await garbled.text()).not.toMatch(NO_TRACE);
  });

  it("never echoes markup from an answer as markup", async () => {
    const script = "<script>window.__pwned=1</script>";
    const response = await post(server.url, [
      ["program", "settlement"],
      ["fact:socialInsuranceMonths", script],
      ["rec:homes:r1:areaM2", `"><img src=x onerror=alert(1)>`],
    ]);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).not.toContain(script);
    expect(html).not.toContain("<img src=x");
  });

  it("answers a month count too large to search at its field, and the server stays responsive", async () => {
    const response = await post(server.url, [
      ["program", "settlement"],
      ["line", "5000"],
      ["fact:socialInsuranceActive", "true"],
      ["fact:housingFundMonths", "99999999999999999999"],
    ]);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('data-error-for="fact:housingFundMonths">数值过大');
    const next = await fetch(`${server.url}/estimate/suzhou`);
    expect(next.status).toBe(200);
  });
});

describe("the per-address limit without a trusted proxy", () => {
  let limited: RunningServer;
  beforeAll(async () => {
    limited = await startServer({ JIFEN_SEED_COHORT_SIZE: "0", ESTIMATE_RATE_BURST: "2", ESTIMATE_RATE_PER_MINUTE: "0.0007" });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it("ignores X-Forwarded-For: every request from 127.0.0.1 counts against the same bucket", async () => {
    const statuses: number[] = [];
    for (const claimed of ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]) {
      const response = await post(limited.url, [["program", "settlement"]], { "X-Forwarded-For": claimed });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});
