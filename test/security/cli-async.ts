/**
 * `jifen` spawned without blocking the test worker (spawnSync would stall vitest's messages to its workers while
 * a slow command runs).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { root } from "../integration/cli-allocation.helpers";

export function jifenAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [join(root, "bin/jifen.mjs"), ...args],
      { cwd: root, encoding: "utf8", env: { ...process.env, JIFEN_LANG: "en", ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}
