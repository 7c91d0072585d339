/** The read view's sentences for windows, periods and combine of decision 022, in both languages. */
import { describe, expect, it } from "vitest";
import type { DerivedFact, FactDefinition } from "../../rules-schema/types";
import { describeDerived, describeLookback } from "../../app/features/read-view/describe";
import { makeDocument, text } from "../fixtures/engine/builders";

const facts: FactDefinition[] = [
  { id: "applicationDate", type: "date", label: { zh: "申请日期", en: "application date" } },
  { id: "since", type: "date", label: { zh: "就业起始日期", en: "employment start" } },
  { id: "a", type: "number", label: { zh: "社保月数", en: "insurance months" } },
  { id: "b", type: "number", label: { zh: "欠缴月数", en: "months owed" } },
  {
    id: "jobs",
    type: "records",
    label: { zh: "参保记录", en: "insurance records" },
    fields: [
      { id: "start", type: "date", label: { zh: "起始", en: "start" } },
      { id: "end", type: "date", label: { zh: "终止", en: "end" } },
      { id: "employer", type: "string", label: { zh: "单位", en: "employer" } },
    ],
  },
  { id: "study", type: "records", label: { zh: "在校学习期间", en: "study periods" }, fields: [] },
];
const doc = makeDocument({ formatVersion: "1.1", facts });
const sentences = (derived: DerivedFact) => [describeDerived({ doc, lang: "zh-CN" }, derived), describeDerived({ doc, lang: "en" }, derived)];

describe("windows in words", () => {
  it("近3个年度 and the application year with the years after it", () => {
    expect(describeLookback("zh-CN", { calendarYears: { from: -3, to: -1 } })).toBe("近3个年度内（评估当年之前的3个自然年度）");
    expect(describeLookback("en", { calendarYears: { from: -3, to: -1 } })).toBe("in the 3 years (calendar years) before the evaluation year");
    expect(describeLookback("zh-CN", { calendarYears: { from: 0, to: 5 } }, "申请日期")).toBe("申请日期所在年度及其后5个年度内");
    expect(describeLookback("en", { calendarYears: { from: 0, to: 5 } }, "application date")).toBe("in the calendar year of application date and the 5 years following");
    expect(describeLookback("zh-CN", { years: 1 }, "申请日期")).toBe("申请日期前1年内");
  });
});

describe("periods and combine in words", () => {
  const periods: DerivedFact = {
    id: "m",
    kind: "periods",
    records: "jobs",
    startField: "start",
    endField: "end",
    mode: "continuous",
    unit: "months",
    allowGapMonths: 3,
    monthCount: "calendar",
    within: { anchor: "applicationDate", calendarYears: { from: -3, to: -1 } },
    except: { records: "study", startField: "start", endField: "end" },
    groupBy: { field: "employer", op: "max" },
    label: text("M"),
  };
  it("says every option, and that the end date and the evaluation day count", () => {
    const [zh, en] = sentences(periods);
    for (const part of ["中断不超过3个月视为连续", "申请日期所在年度之前的3个自然年度内", "扣除与在校学习期间重叠的时间", "按单位分别计算，取最长者", "首月和评估当月均计入", "含结束日和评估日当天"]) {
      expect(zh).toContain(part);
    }
    for (const part of ["breaks of up to 3 months", "leaving out the time covered by study periods", "counted per employer, the longest taken", "the evaluation month included", "the end date and the evaluation day count"]) {
      expect(en).toContain(part);
    }
  });
  it("a 1.0 document says the evaluation day does not count", () => {
    const old = makeDocument({ formatVersion: "1.0", facts });
    expect(describeDerived({ doc: old, lang: "zh-CN" }, { ...periods, within: undefined, except: undefined, groupBy: undefined })).toContain("评估日当天不计");
  });
  it("weights, a floored difference, calendar-month durations", () => {
    expect(sentences({ id: "w", kind: "combine", op: "sum", of: ["a", "b"], weights: [2, 0.5], label: text("W") })).toEqual([
      "社保月数×2和欠缴月数×0.5之和",
      "the sum of insurance months × 2 and months owed × 0.5",
    ]);
    expect(sentences({ id: "d", kind: "combine", op: "difference", of: ["a", "b"], label: text("D") })).toEqual(["社保月数减去欠缴月数，最低为0", "insurance months minus months owed, never below 0"]);
    const [zh, en] = sentences({ id: "y", kind: "duration", from: "since", unit: "years", monthCount: "calendar", label: text("Y") });
    expect(zh).toBe("自就业起始日期所在月至评估日所在月的月数（首尾两月均计入），每满12个月为1年");
    expect(en).toBe("calendar months from the month of employment start to the month of the evaluation date, both counted, in whole years of 12 months");
  });
});
