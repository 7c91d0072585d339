/**
 * Issue 19: applicant files are a module of their own, used by the CLI, the import in db/ and the exports in app/.
 * Storage and the web app never reach into the command line, and storage runs no engine (the demo seed, which
 * generates applicants and simulates, lives with the server).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "migrations" ? [] : sourceFiles(path);
    return /\.(ts|tsx|mjs)$/.test(name) ? [path] : [];
  });
}

/** The module specifiers a file imports (static and dynamic). */
function importsOf(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
}

describe("folder boundaries for applicant files", () => {
  it("nothing under db/ or app/ imports from cli/", () => {
    const offenders = [...sourceFiles("db"), ...sourceFiles("app")].flatMap((path) => importsOf(path).filter((spec) => /(^|\/)cli\//.test(spec)).map((spec) => `${path}: ${spec}`));
    expect(offenders).toEqual([]);
  });

  it("nothing under db/ runs the engine (a date helper aside, types only)", () => {
    const offenders = sourceFiles("db").flatMap((path) =>
      readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => /^import (?!type )/.test(line) && /["']\.\.\/engine\/(?!scoring\/dates["'])/.test(line))
        .map((line) => `${path}: ${line}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the applicant-file module reaches into neither the CLI, the app nor the database", () => {
    const offenders = sourceFiles("applicant-files").flatMap((path) => importsOf(path).filter((spec) => /(^|\/)(cli|app|db)\//.test(spec) || spec.startsWith("~/")).map((spec) => `${path}: ${spec}`));
    expect(offenders).toEqual([]);
  });
});
