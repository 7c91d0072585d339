/**
 * The read view's sentences: conditions and scoring rules of the example standards read as an officer reads the
 * official table, in Chinese and English, with the document's own labels.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Condition, ScoringItem, StandardDocument } from "../../rules-schema/types";
import {
  describeAccrual,
  describeAllocation,
  describeCondition,
  describeItemNotes,
  describeLinear,
  describePerRecord,
  describeRange,
  describeScoringRows,
  describeTraceLeaf,
  describeValue,
  formatDate,
  type DescribeContext,
  type Lang,
} from "../../app/features/read-view/describe";

function example(name: string): StandardDocument {
  return JSON.parse(readFileSync(new URL(`../../rules-schema/examples/${name}.json`, import.meta.url), "utf8")) as StandardDocument;
}

const suzhou = example("suzhou-2015");
const suzhou2020 = example("suzhou-2020");
const shanghai = example("shanghai-2015");
const hangzhou = example("hangzhou-2018");

const zh = (doc: StandardDocument): DescribeContext => ({ doc, lang: "zh-CN" });
const en = (doc: StandardDocument): DescribeContext => ({ doc, lang: "en" });

function item(doc: StandardDocument, id: string): ScoringItem {
  const found = doc.items.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
}

describe("operators", () => {
  const cases: Array<[Condition, string, string]> = [
    [{ fact: "educationLevel", operator: "equal", value: "bachelor" }, "最高学历 为 大学本科", "highest education is bachelor"],
    [{ fact: "educationLevel", operator: "notEqual", value: "master" }, "最高学历 不为 硕士研究生", "highest education is not master"],
    [{ fact: "socialInsuranceMonths", operator: "greaterThanInclusive", value: 12 }, "苏州大市范围内城镇职工社会保险缴费月数 不少于 12个月", "months of urban employee social insurance paid in greater Suzhou is at least 12 months"],
    [{ fact: "socialInsuranceMonths", operator: "lessThan", value: 1 }, "苏州大市范围内城镇职工社会保险缴费月数 小于 1个月", "months of urban employee social insurance paid in greater Suzhou is less than 1 month"],
    [{ fact: "housingFundMonths", operator: "lessThanInclusive", value: 24 }, "住房公积金缴存月数 不超过 24个月", "months of housing provident fund paid is at most 24 months"],
    [{ fact: "housingFundMonths", operator: "greaterThan", value: 0 }, "住房公积金缴存月数 大于 0个月", "months of housing provident fund paid is more than 0 months"],
    [{ fact: "educationLevel", operator: "atLeastLevel", value: "master" }, "最高学历 达到 硕士研究生及以上", "highest education is master or higher"],
    [{ fact: "holdsResidencePermit", operator: "equal", value: true }, "已办理居住证：是", "holds a Suzhou residence permit: yes"],
    [{ fact: "holdsResidencePermit", operator: "equal", value: false }, "已办理居住证：否", "holds a Suzhou residence permit: no"],
    [{ fact: "birthDate", operator: "dateBefore", value: "1980-01-01" }, "出生日期 早于 1980年1月1日", "date of birth is before 1 January 1980"],
    [{ fact: "birthDate", operator: "dateOnOrAfter", value: "1990-06-30" }, "出生日期 在 1990年6月30日 当日或之后", "date of birth is on or after 30 June 1990"],
    [{ fact: "schoolId", operator: "isPresent", value: true }, "已填写 申请入读的学校", "school applied for is given"],
    [{ fact: "schoolId", operator: "isPresent", value: false }, "未填写 申请入读的学校", "school applied for is not given"],
    [{ fact: "age", operator: "between", value: [18, 41] }, "年龄（周岁） 在 18至40周岁", "age (whole years) is 18 to 40 years old"],
    [{ fact: "perCapitaHousingAreaM2", operator: "between", value: [75, 100] }, "人均住房建筑面积 在 75㎡及以上、不满100㎡", "floor area per household member is at least 75 m² and under 100 m²"],
    [{ fact: "perCapitaHousingAreaM2", operator: "between", value: [null, 18] }, "人均住房建筑面积 在 不满18㎡", "floor area per household member is under 18 m²"],
    [
      { fact: "perCapitaHousingAreaM2", operator: "greaterThanInclusive", value: { fact: "housingSecurityAreaStandardM2" } },
      "人均住房建筑面积 不少于 市区住房保障准入标准（人均面积）",
      "floor area per household member is at least housing-security entry standard (area per person)",
    ],
  ];
  it.each(cases)("%j reads in both languages", (condition, chinese, english) => {
    expect(describeCondition(zh(suzhou), condition)).toBe(chinese);
    expect(describeCondition(en(suzhou), condition)).toBe(english);
  });

  it("lists: enum labels joined with 或 / or, and none-of for notIn", () => {
    const inList: Condition = { fact: "educationLevel", operator: "in", value: ["bachelor", "master", "doctor"] };
    expect(describeCondition(zh(suzhou), inList)).toBe("最高学历 为 大学本科、硕士研究生或博士研究生");
    expect(describeCondition(en(suzhou), inList)).toBe("highest education is bachelor, master or doctor");
    const notIn: Condition = { fact: "educationLevel", operator: "notIn", value: ["doctor", "master"] };
    expect(describeCondition(zh(suzhou), notIn)).toBe("最高学历 不为 博士研究生和硕士研究生 中任何一项");
    expect(describeCondition(en(suzhou), notIn)).toBe("highest education is none of doctor and master");
  });
});

describe("all / any / not", () => {
  it("joins with 且 / and, 或 / or, brackets nested groups and negates with 并非 / not", () => {
    const gate = suzhou.gates!.find((g) => g.id === "g_residence_permit")!;
    expect(describeCondition(zh(suzhou), gate.condition)).toBe("已办理居住证：是，或户籍在苏州县级市或吴江区：是");
    expect(describeCondition(en(suzhou), gate.condition)).toBe(
      "holds a Suzhou residence permit: yes or household registration in a Suzhou county-level city or Wujiang: yes",
    );
    const nested: Condition = {
      all: [
        { fact: "socialInsuranceActive", operator: "equal", value: true },
        { not: { any: [{ fact: "educationLevel", operator: "equal", value: "doctor" }, { fact: "skillLevel", operator: "equal", value: "level1" }] } },
      ],
    };
    expect(describeCondition(zh(suzhou), nested)).toBe("正在参加社会保险：是，且并非（最高学历 为 博士研究生，或职业技能等级（最高） 为 一级（高级技师））");
    expect(describeCondition(en(suzhou), nested)).toBe(
      "currently enrolled in social insurance: yes and not (highest education is doctor or vocational skill level (highest) is level 1 (senior technician))",
    );
    expect(describeCondition(zh(suzhou), { all: [] })).toBe("无条件");
  });

  it("names record fields inside a records condition (perRecord where)", () => {
    const rule = describePerRecord(zh(suzhou2020), item(suzhou2020, "invention_patent").scoring as never);
    expect(rule).toContain("专利");
    expect(rule).toContain("每次积30分");
    expect(rule).not.toMatch(/firstInventor|inSuzhouStatistics/);
  });
});

describe("values and dates", () => {
  it("shows enum labels, 是/否, dates in words and missing values", () => {
    expect(describeValue(zh(suzhou), "educationLevel", "master")).toBe("硕士研究生");
    expect(describeValue(en(suzhou), "educationLevel", "master")).toBe("master");
    expect(describeValue(zh(suzhou), "holdsResidencePermit", false)).toBe("否");
    expect(describeValue(en(suzhou), "birthDate", "1988-03-10")).toBe("10 March 1988");
    expect(describeValue(zh(suzhou), "birthDate", undefined)).toBe("未填写");
    expect(describeValue(zh(suzhou), "socialInsuranceMonths", 62)).toBe("62个月");
    expect(describeValue(en(suzhou), "homes", [{}, {}])).toBe("2 record(s)");
    expect(formatDate("zh-CN", "2016-01-15")).toBe("2016年1月15日");
    expect(formatDate("en", "not a date")).toBe("not a date");
  });

  it("ranges are half-open: integers read as inclusive ends, decimals as 及以上/不满", () => {
    expect(describeRange("zh-CN", 75, 100, "m2")).toBe("75㎡及以上、不满100㎡");
    expect(describeRange("en", 75, undefined, "m2")).toBe("at least 75 m²");
    expect(describeRange("zh-CN", 18, 41, "year", true)).toBe("18至40年");
    expect(describeRange("en", undefined, 41, "year", true)).toBe("at most 40 years");
  });
});

describe("scoring rules of the example standards", () => {
  it("Suzhou 2015 education: one row per tier with its points", () => {
    const rows = describeScoringRows(zh(suzhou), item(suzhou, "education"));
    expect(rows.map((row) => row.points)).toEqual(["30分", "60分", "200分", "400分"]);
    expect(rows[1].condition).toBe("最高学历 达到 大学本科及以上");
    expect(describeScoringRows(en(suzhou), item(suzhou, "education"))[3]).toEqual({ condition: "highest education is doctor or higher", points: "400 points" });
  });

  it("Suzhou 2015 social insurance and housing fund accrual in words", () => {
    expect(describeAccrual(zh(suzhou), item(suzhou, "social_insurance").scoring as never)).toBe("每满1个月积5分");
    expect(describeAccrual(en(suzhou), item(suzhou, "social_insurance").scoring as never)).toBe("5 points per full month");
    expect(describeAccrual(zh(suzhou), item(suzhou, "housing_fund").scoring as never)).toBe("每满12个月积5分");
    expect(describeAccrual(zh(suzhou), item(suzhou, "residence").scoring as never)).toBe("每满1年积30分");
  });

  it("marginal accrual bands name the part of the value they apply to", () => {
    const scoring = { kind: "accrual", fact: "socialInsuranceMonths", per: 12, bands: [{ from: 0, to: 60, rate: 1 }, { from: 60, rate: 2 }] } as const;
    expect(describeAccrual(zh(suzhou), scoring as never)).toBe("0个月及以上、不满60个月部分每满12个月积1分；60个月及以上部分每满12个月积2分");
    expect(describeAccrual(en(suzhou), scoring as never)).toBe(
      "for the part at least 0 months and under 60 months: 1 point per full 12 months; for the part at least 60 months: 2 points per full 12 months",
    );
  });

  it("Suzhou 2015 property and Shanghai age as linear rules", () => {
    expect(describeLinear(zh(suzhou), item(suzhou, "property").scoring as never)).toBe("市区自有产权住房合计面积75㎡积60分，每满增加25㎡加20分");
    expect(describeLinear(zh(shanghai), item(shanghai, "age").scoring as never)).toMatch(/56周岁积5分，每满减少1周岁加2分，最高30分$/);
    expect(describeLinear(en(shanghai), item(shanghai, "age").scoring as never)).toMatch(/^5 points at 56 years old \(.+\), \+2 for each full year below; at most 30 points$/);
  });

  it("Suzhou 2015 age band and the property condition", () => {
    expect(describeScoringRows(zh(suzhou), item(suzhou, "age"))).toEqual([{ condition: "年龄（周岁） 18至40周岁", points: "10分" }]);
    const property = describeScoringRows(zh(suzhou), item(suzhou, "property"))[0];
    expect(property.condition).toContain("实际居住在自有产权住房：是，且市区自有产权住房合计面积 不少于 75㎡");
  });

  it("Shanghai deductions: per record inside the lookback", () => {
    expect(describePerRecord(zh(shanghai), item(shanghai, "false_materials").scoring as never)).toMatch(/：近3年内每次扣150分$/);
    expect(describePerRecord(en(shanghai), item(shanghai, "false_materials").scoring as never)).toMatch(/: −150 points each, within the last 3 years$/);
    const row = describeScoringRows(zh(shanghai), item(shanghai, "detention_record"))[0];
    expect(row.points).toBe("近5年内每次扣50分");
  });

  it("Hangzhou offences: one act counted once", () => {
    const text = describePerRecord(zh(hangzhou), item(hangzhou, "criminal_record").scoring as never);
    expect(text).toContain("近5年内每次扣150分");
    expect(text).toContain("只计一次");
  });

  it("vesting and choose-one groups are noted beside the item", () => {
    const vesting = describeItemNotes(zh(shanghai), item(shanghai, "public_service_field"));
    expect(vesting.some((note) => /满5年后方可计分$/.test(note))).toBe(true);
    const group = describeItemNotes(en(shanghai), item(shanghai, "education"));
    expect(group.some((note) => note.startsWith("choose one: only the higher of this and “"))).toBe(true);
  });
});

describe("allocation", () => {
  it("quota with tie-break keys in words", (): void => {
    const lines = (lang: Lang) => describeAllocation({ doc: suzhou, lang }, suzhou.programs[0].allocation);
    expect(lines("zh-CN")).toEqual(["在指标数内按排名录取：总分高者优先。", "同分时依次：基础分高者优先，其次居住登记时间（本次市区连续居住起始日）早者优先。", "名额线上完全并列者全部录取。"]);
    expect(lines("en")[1]).toBe(
      "On equal scores: higher base points first, then earlier residence registration date (start of the current continuous residence in the urban districts) first.",
    );
    const school = describeAllocation(zh(suzhou), suzhou.programs[1].allocation);
    expect(school).toContain("按申请入读的学校分别排序。");
  });

  it("threshold", () => {
    expect(describeAllocation(zh(shanghai), shanghai.programs[0].allocation)).toEqual(["符合条件且总分达到120分的，均予准入。"]);
    expect(describeAllocation(en(shanghai), shanghai.programs[0].allocation)).toEqual(["Everyone eligible with a total of at least 120 points is admitted."]);
  });
});

describe("evaluated conditions", () => {
  it("shows the fact value seen", () => {
    const leaf = { fact: "educationLevel", operator: "atLeastLevel", value: "bachelor", factValue: "master", result: true };
    expect(describeTraceLeaf(zh(suzhou), leaf)).toBe("最高学历 达到 大学本科及以上（实际：硕士研究生）");
    expect(describeTraceLeaf(en(suzhou), { ...leaf, factValue: undefined })).toBe("highest education is bachelor or higher (value seen: not given)");
  });
});

describe("computed facts", () => {
  it("says how each derived fact is obtained", async () => {
    const { describeDerived } = await import("../../app/features/read-view/describe");
    const derived = (id: string) => suzhou.derived!.find((d) => d.id === id)!;
    expect(describeDerived(zh(suzhou), derived("fraudFindingsWithin5Years"))).toBe("提供虚假材料的认定（认定日期在近5年内）的条数");
    expect(describeDerived(en(suzhou), derived("fraudFindingsWithin5Years"))).toBe("number of findings of false materials where date of the finding is within the last 5 years");
    expect(describeDerived(zh(suzhou), derived("residenceYears"))).toBe("自居住登记时间（本次市区连续居住起始日）至评估日的整年数");
    expect(describeDerived(zh(suzhou), derived("age"))).toBe("按出生日期计算至评估日的周岁");
  });
});
