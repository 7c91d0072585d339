import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StandardDocument } from "../../rules-schema/types";
import { jifen, suzhouPath, tempDir } from "./cli-allocation.helpers";

const suzhou2020Path = suzhouPath.replace("suzhou-2015.json", "suzhou-2020.json");

describe("jifen simulate", () => {
  it("compares two versions on a generated cohort and prints the summary as JSON or text", () => {
    const dir = tempDir();
    const cohort = join(dir, "cohort.csv");
    expect(jifen(["generate-cohort", "--standard", suzhouPath, "--size", "300", "--seed", "sim", "--date", "2016-05-01", "--format", "csv", "--out", cohort]).code).toBe(0);
    const candidate = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;
    const tiered = candidate.items.find((i) => i.scoring.kind === "tiers")!;
    if (tiered.scoring.kind === "tiers") for (const tier of tiered.scoring.tiers) tier.points *= 2;
    const candidatePath = join(dir, "candidate.json");
    writeFileSync(candidatePath, JSON.stringify(candidate));
    const quotas = join(dir, "quotas.json");
    writeFileSync(quotas, JSON.stringify({ "*": 3 }));
    const args = ["simulate", "--baseline", suzhouPath, "--candidate", candidatePath, "--cohort", cohort, "--program", "school", "--date", "2016-05-01", "--quotas", quotas];
    const changes = join(dir, "changes.jsonl");
    const json = jifen([...args, "--json", "--group-by", "educationLevel", "--changes", changes]);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as { applicants: number; entered: string[]; left: string[]; items: Array<{ id: string; changedApplicants: number }>; groups: unknown[] };
    expect(summary.applicants).toBe(300);
    expect(summary.entered.length).toBeGreaterThan(0);
    expect(summary.items.find((i) => i.id === tiered.id)!.changedApplicants).toBeGreaterThan(0);
    expect(summary.groups).toHaveLength(1);
    const changed = readFileSync(changes, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; items: Array<{ id: string }> });
    expect(changed.some((c) => c.items.some((i) => i.id === tiered.id))).toBe(true);
    for (const id of summary.entered) expect(changed.map((c) => c.id)).toContain(id);
    const text = jifen(args, { JIFEN_LANG: "zh-CN" });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`新录取 ${summary.entered.length} 名`);
  });

  it("says which condition of application made each applicant who left newly ineligible (issue 22, part 3)", () => {
    const dir = tempDir();
    const cohort = join(dir, "cohort.csv");
    expect(jifen(["generate-cohort", "--standard", suzhouPath, "--size", "200", "--seed", "gate", "--date", "2016-05-01", "--format", "csv", "--out", cohort]).code).toBe(0);
    const candidate = JSON.parse(readFileSync(suzhouPath, "utf8")) as StandardDocument;
    // A new condition of application nobody meets: everyone admitted before leaves, for that reason.
    candidate.gates = [
      ...(candidate.gates ?? []),
      {
        id: "g_test_impossible",
        label: { zh: "社保缴费月数为负（测试用条件）", en: "negative months of social insurance (a test condition)" },
        reason: { zh: "测试", en: "test" },
        condition: { fact: "socialInsuranceMonths", operator: "lessThan", value: -1 },
      },
    ];
    const candidatePath = join(dir, "candidate.json");
    writeFileSync(candidatePath, JSON.stringify(candidate));
    const changes = join(dir, "changes.jsonl");
    const run = jifen(["simulate", "--baseline", suzhouPath, "--candidate", candidatePath, "--cohort", cohort, "--program", "school", "--date", "2016-05-01", "--quota", "*=5", "--json", "--changes", changes]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { left: string[] };
    expect(summary.left.length).toBeGreaterThan(0);
    const lines = readFileSync(changes, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { id: string; reason?: { text: { zh: string; en: string } } });
    for (const id of summary.left) {
      const reason = lines.find((line) => line.id === id)?.reason;
      expect(reason?.text.zh).toContain("社保缴费月数为负（测试用条件）");
      expect(reason?.text.en).toContain("negative months of social insurance (a test condition)");
    }
  });

  it("warns, by label, about the facts the candidate reads that the cohort lacks, and names pools and items in words", () => {
    const dir = tempDir();
    const cohort = join(dir, "cohort-2015.csv");
    expect(jifen(["generate-cohort", "--standard", suzhouPath, "--size", "200", "--seed", "gap", "--date", "2019-06-30", "--format", "csv", "--out", cohort]).code).toBe(0);
    const run = jifen(
      ["simulate", "--baseline", suzhouPath, "--candidate", suzhou2020Path, "--cohort", cohort, "--program", "school", "--date", "2019-06-30", "--quota", "*=5"],
      { JIFEN_LANG: "zh-CN" },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("申请人数据中没有以下 4 项信息");
    expect(run.stderr).toContain("苏州市城镇职工社会保险缴费月数（修订后版本使用）");
    expect(run.stdout).toContain("项目 积分入学");
    expect(run.stdout).toContain("文化程度:");
    expect(run.stdout).not.toMatch(/^ {2}education:/m);
    const pools = [...run.stdout.matchAll(/^ {2}(s\d+): /gm)].map((m) => m[1]);
    expect(pools).toEqual([...pools].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    const english = jifen(["simulate", "--baseline", suzhouPath, "--candidate", suzhou2020Path, "--cohort", cohort, "--program", "school", "--date", "2019-06-30", "--quota", "*=5"], { JIFEN_LANG: "en" });
    expect(english.stderr).toContain("Warning: the cohort has no value for these 4 facts");
    expect(english.stderr).toContain("months of urban employee social insurance paid in Suzhou (read by the candidate)");
    const complete = jifen(["simulate", "--baseline", suzhouPath, "--candidate", suzhouPath, "--cohort", cohort, "--program", "school", "--date", "2019-06-30", "--quota", "*=5"]);
    expect(complete.stderr).not.toContain("Warning");
  });

  it("fails with a usage error when a file is missing", () => {
    const result = jifen(["simulate", "--baseline", suzhouPath, "--candidate", "nope.json", "--cohort", "x.csv", "--program", "school", "--date", "2016-05-01", "--quota", "3"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nope.json");
  });
});
