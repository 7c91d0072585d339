import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jifen, suzhouPath, tempDir } from "./cli-allocation.helpers";

describe("jifen generate-cohort", () => {
  it("writes the same file for the same seed (CSV output is exercised by cli-simulate)", () => {
    const dir = tempDir();
    const args = ["generate-cohort", "--standard", suzhouPath, "--size", "50", "--seed", "k", "--date", "2016-05-01"];
    const first = jifen([...args, "--out", join(dir, "a.jsonl")]);
    const second = jifen([...args, "--out", join(dir, "b.jsonl")]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const a = readFileSync(join(dir, "a.jsonl"), "utf8");
    expect(readFileSync(join(dir, "b.jsonl"), "utf8")).toBe(a);
    const lines = a.trim().split("\n").map((l) => JSON.parse(l) as { id: string; facts: Record<string, unknown> });
    expect(lines).toHaveLength(50);
    expect(lines[0].id).toBe("A0000001");
  });

  it("rejects a missing standard with a usage error", () => {
    const missing = jifen(["generate-cohort", "--standard", "no-such.json", "--size", "3", "--seed", "1"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("File not found");
  });
});
