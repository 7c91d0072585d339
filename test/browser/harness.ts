/**
 * Browser-test harness: starts the real production server (build/ must exist) on a free loopback port with a fresh
 * SQLite file, and drives Debian's Chromium through playwright-core. Any request that is not to 127.0.0.1 is aborted
 * and recorded, so an accidental CDN load fails the test loudly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface RunningServer {
  url: string;
  databaseUrl: string;
  /** The server's process id (to read its CPU time from /proc). */
  pid: number | undefined;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Starts `node server/start.mjs` on the build in JIFEN_BUILD_DIR (default build/). */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "jifen-srv-"));
  const databaseUrl = join(dir, "jifen.sqlite");
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["server/start.mjs"], {
    // A small seeded past cohort keeps each test server's start quick; tests that need the full one pass their own size.
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: databaseUrl, JIFEN_SEED_COHORT_SIZE: "2000", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Jifen is running at")) {
        clearTimeout(timer);
        resolveStart();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    databaseUrl,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** URLs of requests that tried to leave the machine (aborted). */
  blockedRequests: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const profile = mkdtempSync(join(tmpdir(), "jifen-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const blockedRequests: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1") return route.continue();
    blockedRequests.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    blockedRequests,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, baseUrl: string, username: string, password = "jifen-demo"): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click('button[type="submit"]')]);
}

/**
 * Waits until React has hydrated the element `selector` finds, so that its event handlers are attached. `page.goto`
 * returns at the load event, which Remix's client entry (loaded by a dynamic import) does not hold back: a click
 * before hydration on a button with only an onClick handler is lost.
 */
export async function waitForHydration(page: Page, selector: string): Promise<void> {
  await page.waitForFunction((s) => {
    const element = document.querySelector(s);
    return element !== null && Object.keys(element).some((key) => key.startsWith("__reactProps$"));
  }, selector);
}

/** Waits until Monaco has rendered the document (its view lines exist). */
export async function waitForEditor(page: Page): Promise<void> {
  await page.waitForSelector(".monaco-editor .view-lines", { timeout: 30_000 });
}

/** 1-based line number of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" not found in the document`);
  return text.slice(0, index).split("\n").length;
}

/**
 * Types at the end of a line, `back` characters before its end, the way a user does: Go to Line (Ctrl+G), End,
 * arrow keys, then typing. Only plain text is typed, so auto-closing of brackets and quotes does not interfere.
 */
export async function typeInLine(page: Page, line: number, text: string, back = 0): Promise<void> {
  await page.click(".monaco-editor .view-lines");
  await page.keyboard.press("Control+G");
  await page.keyboard.type(String(line));
  await page.keyboard.press("Enter");
  await page.keyboard.press("End");
  for (let i = 0; i < back; i++) await page.keyboard.press("ArrowLeft");
  await page.keyboard.type(text);
}

export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? "test-results/screenshots";
