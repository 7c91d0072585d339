import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
export const suzhouPath = join(root, "rules-schema/examples/suzhou-2015.json");

export function jifen(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [join(root, "bin/jifen.mjs"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, JIFEN_LANG: "en", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "jifen-cli-"));
}
