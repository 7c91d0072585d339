/**
 * Issue 21, part 3: what changed between two versions, in the officer's words (by category and indicator, tiers as
 * "大学本科档 60分 → 80分", conditions as the official table reads them), never with JSON pointers or ids.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { StandardDocument, TiersScoring } from "../../rules-schema/types";
import { diffDocuments } from "../../engine/simulation/document-diff";
import { describeChanges } from "../../app/features/history/change-list";
import { describeScoringRows } from "../../app/features/read-view/describe";

function example(name: string): StandardDocument {
  return JSON.parse(readFileSync(new URL(`../../rules-schema/examples/${name}.json`, import.meta.url), "utf8")) as StandardDocument;
}

const suzhou2015 = example("suzhou-2015");
const suzhou2020 = example("suzhou-2020");

function changes(before: StandardDocument, after: StandardDocument, lang: "zh-CN" | "en") {
  return describeChanges(before, after, diffDocuments(before, after), lang);
}

function allText(groups: ReturnType<typeof changes>): string {
  return groups.flatMap((g) => [g.title, ...g.rows.flatMap((r) => [r.subject, ...r.lines])]).join("\n");
}

describe("the change list in words", () => {
  it("names a tier's new points under its category and indicator, in both languages", () => {
    const revised = structuredClone(suzhou2015);
    const education = revised.items.find((item) => item.id === "education")!;
    (education.scoring as TiersScoring).tiers.find((tier) => tier.id === "bachelor")!.points = 80;

    const zh = changes(suzhou2015, revised, "zh-CN");
    expect(zh).toHaveLength(1);
    expect(zh[0].title).toBe("基础分");
    expect(zh[0].rows).toEqual([expect.objectContaining({ subject: "文化程度", status: "modified", lines: ["大学本科档 60分 → 80分"] })]);

    const en = changes(suzhou2015, revised, "en");
    expect(en[0].rows[0].lines).toEqual(["bachelor tier 60 points → 80 points"]);
  });

  it("describes an added and a removed item as the official table's rows", () => {
    const zh = changes(suzhou2015, suzhou2020, "zh-CN");
    const rows = zh.flatMap((g) => g.rows);
    const added = rows.find((r) => r.subject === "兵役情况")!;
    expect(added.status).toBe("added");
    const military = suzhou2020.items.find((item) => item.id === "military_service")!;
    const [row] = describeScoringRows({ doc: suzhou2020, lang: "zh-CN" }, military);
    expect(added.lines[0]).toBe(`${row.condition}，${row.points}`);
    const removed = rows.find((r) => r.subject === "年龄" && r.status === "removed")!;
    expect(removed.lines[0]).toContain("18至40周岁");
    expect(removed.lines[0]).toContain("10分");
  });

  it("states condition changes of gates, vetoes and programs in the table's sentences", () => {
    const zh = changes(suzhou2015, suzhou2020, "zh-CN");
    const gates = zh.find((g) => g.title === "准入条件")!;
    const permit = gates.rows.find((r) => r.subject === "持有效居住证")!;
    expect(permit.lines).toContain("须满足：已办理居住证：是，或户籍在苏州县级市或吴江区：是 → 持有效居住证：是");
    expect(zh.find((g) => g.title === "一票否决")!.rows.map((r) => r.status)).toEqual(["added", "added", "removed"]);
    const programs = zh.find((g) => g.title === "积分项目与分配方式")!;
    expect(programs.rows.find((r) => r.subject === "积分落户")!.lines).toContain("名称：积分户籍准入 → 积分落户");
  });

  it("never shows a JSON pointer, an entry id or a raw status code", () => {
    for (const lang of ["zh-CN", "en"] as const) {
      const text = allText(changes(suzhou2015, suzhou2020, lang));
      expect(text).not.toMatch(/\/(scoring|tiers|items|facts|gates|when|label)\b/);
      expect(text).not.toMatch(/\b(tc\d\d_|rc\d\d_|g_social|v_serious|military_service|level4_or)/);
      expect(text).not.toMatch(/\bin_review\b/);
      if (lang === "zh-CN") expect(text).toContain("文档中的状态：已发布 → 草稿");
    }
  });

  it("says when only technical settings changed, rather than showing nothing", () => {
    const revised = structuredClone(suzhou2015);
    const insurance = revised.items.find((item) => item.id === "social_insurance")!;
    expect(insurance.scoring.kind).toBe("accrual");
    // Whole months are the default: leaving it implicit changes the JSON, not what the table says.
    expect((insurance.scoring as { rounding?: string }).rounding).toBe("floor");
    delete (insurance.scoring as { rounding?: string }).rounding;
    const rows = changes(suzhou2015, revised, "zh-CN").flatMap((g) => g.rows);
    expect(rows).toEqual([expect.objectContaining({ subject: "参加城镇职工社会保险", lines: ["表格中所示内容不变（只改了技术性设置，见 JSON 差异）"] })]);
  });

  it("lists nothing for identical documents", () => {
    expect(changes(suzhou2015, structuredClone(suzhou2015), "en")).toEqual([]);
  });
});
