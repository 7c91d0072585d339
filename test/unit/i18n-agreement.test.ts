/** English messages count in words an officer reads: "1 run", "3 runs", never "1 run(s)". */
import { describe, expect, it } from "vitest";
import { defineMessages, translate } from "../../app/i18n";

const { translateIn } = defineMessages({
  runs: { zh: "模拟测算（{count} 次）", en: "Simulated on a past cohort ({count} run(s))" },
  badge: { zh: "{errors} 个错误，{warnings} 个提示", en: "{errors} error(s), {warnings} warning(s)" },
  cases: { zh: "{count} 个测试用例", en: "{count} test case(s) failed" },
  named: { zh: "{name}", en: "{name} record(s)" },
});

describe("English counts agree with their number", () => {
  it("one is singular, anything else plural, Chinese unchanged", () => {
    expect(translateIn("en", "runs", { count: 1 })).toBe("Simulated on a past cohort (1 run)");
    expect(translateIn("en", "runs", { count: 0 })).toBe("Simulated on a past cohort (0 runs)");
    expect(translateIn("en", "badge", { errors: 1, warnings: 2 })).toBe("1 error, 2 warnings");
    expect(translateIn("en", "cases", { count: "1" })).toBe("1 test case failed");
    expect(translateIn("zh-CN", "runs", { count: 1 })).toBe("模拟测算（1 次）");
  });

  it("leaves a placeholder that is not a count alone", () => {
    expect(translateIn("en", "named", { name: "homes" })).toBe("homes record(s)");
  });

  it("applies to the shared catalogue too", () => {
    expect(translate("en", "savedWithProblems", { revision: 3, count: 1 })).toBe(
      "Saved as revision 3, but the document still has 1 problem to fix before it can be submitted.",
    );
  });
});
