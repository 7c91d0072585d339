import { describe, expect, it } from "vitest";
import { isWorkingDay, noticeEndsOn, withinNotice } from "./notice-period";

describe("notice period in working days", () => {
  it("skips weekends: 5 working days from Monday 2026-06-01 end on Friday 06-05, from Thursday on the next Wednesday", () => {
    expect(noticeEndsOn("2026-06-01", 5)).toBe("2026-06-05");
    expect(noticeEndsOn("2026-06-04", 5)).toBe("2026-06-10");
  });
  it("a notice starting on a Saturday begins counting on Monday", () => {
    expect(isWorkingDay("2026-06-06", new Set())).toBe(false);
    expect(noticeEndsOn("2026-06-06", 1)).toBe("2026-06-08");
  });
  it("skips the public holidays the office lists (Dragon Boat Festival 2026-06-19)", () => {
    expect(noticeEndsOn("2026-06-15", 5)).toBe("2026-06-19");
    expect(noticeEndsOn("2026-06-15", 5, ["2026-06-19"])).toBe("2026-06-22");
  });
  it("knows whether a day is inside the period", () => {
    expect(withinNotice("2026-06-22", "2026-06-15", "2026-06-22")).toBe(true);
    expect(withinNotice("2026-06-23", "2026-06-15", "2026-06-22")).toBe(false);
  });
  it("refuses a period of no working day", () => {
    expect(() => noticeEndsOn("2026-06-15", 0)).toThrow(RangeError);
  });
});
