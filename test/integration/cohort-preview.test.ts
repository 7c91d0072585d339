/**
 * Issue 19, part 5: the preview reads a file's first rows by the import's own code. UTF-16 and GBK files give their
 * Chinese text; the first 256 KB of a large file (cut in the middle of a row) give 20 clean rows, not an error at the
 * cut; a template's ids row is not an applicant; the values are those the import stores.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { csvLine, readApplicants } from "../../applicant-files/applicants";
import { PREVIEW_ROWS, previewSample, readSample } from "../../applicant-files/preview";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import type { StandardDocument } from "../../rules-schema/types";
import { encodeGbk, encodeUtf16 } from "../security/applicant-files.helpers";

const suzhou = JSON.parse(readFileSync("rules-schema/examples/suzhou-2015.json", "utf8")) as StandardDocument;
const factIds = suzhou.facts.map((f) => f.id);

const office = "申请编号,申请入读的学校,最高学历,居住登记时间（本次市区连续居住起始日）\r\nA1,苏州中学,大学本科,2019/6/30\r\nA2,苏州大学附属中学,博士,2019-02-30\r\n";

describe("the preview's reading", () => {
  for (const [name, bytes, encoding] of [
    ["UTF-16 (tab-separated, as Excel's Unicode text)", encodeUtf16(office.replace(/,/g, "\t")), "utf-16le"],
    ["GBK", encodeGbk(office), "gb18030"],
  ] as const) {
    it(`reads ${name} with its Chinese text, types each cell and keeps each problem`, async () => {
      const sample = await readSample(Readable.from([bytes]), "csv");
      expect(sample.encoding).toBe(encoding);
      expect(sample.header[1]).toBe("申请入读的学校");
      const preview = previewSample(sample, suzhou.facts, undefined);
      expect(preview.columns.map((c) => c.target)).toEqual(["id", "schoolId", "educationLevel", "residenceRegistrationDate"]);
      expect(preview.rows[0]).toEqual({ line: 2, id: "A1", cells: [
        { text: "A1", value: "A1" },
        { text: "苏州中学", value: "苏州中学" },
        { text: "大学本科", value: "bachelor" },
        { text: "2019/6/30", value: "2019-06-30" },
      ] });
      const [, school, education, date] = preview.rows[1].cells;
      expect(school.value).toBe("苏州大学附属中学");
      expect(education.error?.zh).toContain("“博士” 不是允许的取值（大专以下、大专（高职）、大学本科、硕士研究生、博士研究生）");
      expect(date.error?.en).toContain('"2019-02-30" is not a valid date');
      expect(preview.problems).toBe(2);
    });
  }

  it("from the first 256 KB of a large file, shows 20 rows without an error at the cut", async () => {
    let csv = csvLine(["id", ...factIds]);
    for (const { id, facts } of generateApplicants(suzhou, 5000, 3)) csv += csvLine([id, ...factIds.map((f) => facts[f])]);
    const bytes = Buffer.from(csv);
    expect(bytes.length).toBeGreaterThan(256 * 1024);
    const sample = await readSample(Readable.from([bytes.subarray(0, 256 * 1024)]), "csv", { truncated: true });
    expect(sample.stop).toBeUndefined();
    const preview = previewSample(sample, suzhou.facts, undefined);
    expect(preview.rows).toHaveLength(PREVIEW_ROWS);
    expect(preview.problems).toBe(0);
    // Sent whole, the server reads its first 256 KB only, and knows it cut the file.
    const whole = await readSample(Readable.from([bytes]), "csv");
    expect(previewSample(whole, suzhou.facts, undefined)).toEqual(preview);
  });

  it("a row cut short by the file's own end is a problem; cut by the 256 KB slice it is not", async () => {
    const text = "id,schoolId\nA1,苏州中学\nA2,苏州中学,extra\n";
    const sample = await readSample(Readable.from([Buffer.from(text)]), "csv");
    expect(sample.stop).toMatchObject({ code: "badCsv", line: 3 });
    const truncated = await readSample(Readable.from([Buffer.from(text)]), "csv", { truncated: true });
    expect(truncated.stop).toBeUndefined();
    expect(truncated.rows).toHaveLength(1);
  });

  it("skips a template's ids row and follows the mapping", async () => {
    const header = ["编号", "学校"];
    const sample = await readSample(Readable.from([Buffer.from(`${header.join(",")}\nid,schoolId\nB1,苏州中学\n`)]), "csv");
    const preview = previewSample(sample, suzhou.facts, { 编号: "id", 学校: "schoolId" });
    expect(preview.rows).toEqual([{ line: 3, id: "B1", cells: [{ text: "B1", value: "B1" }, { text: "苏州中学", value: "苏州中学" }] }]);
    expect(previewSample(sample, suzhou.facts, { 编号: "id", 学校: "" }).columns).toEqual([{ source: "编号", target: "id" }]);
  });
});

describe("the preview of a JSON Lines file", () => {
  const lines = [
    JSON.stringify({ id: "J1", educationLevel: "大学本科", socialInsuranceMonths: 84, residenceRegistrationDate: "2019/6/30", homes: [{ areaM2: 90 }] }),
    "",
    JSON.stringify({ id: "J2", facts: { educationLevel: "bachelor", socialInsuranceMonths: "seven", schoolId: "苏州中学" }, idNumber: "320501199001011234" }),
  ];

  it("reads each line as the import does: values keep their JSON type, labels become values, problems stay on their cell", async () => {
    const sample = await readSample(Readable.from([Buffer.from(lines.join("\n") + "\n")]), "jsonl");
    expect(sample.json).toBe(true);
    expect(sample.encoding).toBe("utf-8");
    // The fields in order of appearance, across the lines; a line's `id` is its applicant number, not a field.
    expect(sample.header).toEqual(["educationLevel", "socialInsuranceMonths", "residenceRegistrationDate", "homes", "schoolId", "idNumber"]);
    const preview = previewSample(sample, suzhou.facts, undefined);
    expect(preview.headerErrors).toEqual([]);
    const [first, second] = preview.rows;
    expect(first).toMatchObject({ line: 1, id: "J1" });
    expect(first.cells.slice(0, 3)).toEqual([
      { text: "大学本科", value: "bachelor" },
      { text: "84", value: 84 },
      { text: "2019/6/30", value: "2019-06-30" },
    ]);
    expect(second).toMatchObject({ line: 3, id: "J2" });
    expect(second.cells[1].error?.zh).toContain("“seven” 不是数字");
    expect(second.cells[5]).toEqual({ text: "320501199001011234", value: "320501199001011234" });
    expect(preview.problems).toBe(1);
    // The values shown are those the import stores.
    const stored = [];
    for await (const row of readApplicants(Readable.from([Buffer.from(lines[0] + "\n")]), "jsonl", suzhou.facts)) stored.push(row);
    expect(stored[0].applicant?.facts).toMatchObject({ educationLevel: first.cells[0].value, socialInsuranceMonths: 84, residenceRegistrationDate: "2019-06-30" });
  });

  it("stops at a line the import refuses, with its line number, and reads GB18030 text", async () => {
    const text = `${JSON.stringify({ id: "G1", schoolId: "苏州中学" })}\n{"id": "G2", "schoolId": \n`;
    const sample = await readSample(Readable.from([encodeGbk(text)]), "jsonl");
    expect(sample.encoding).toBe("gb18030");
    expect(sample.rows).toHaveLength(1);
    expect(sample.stop).toMatchObject({ code: "badJson", line: 2 });
    const preview = previewSample(sample, suzhou.facts, undefined);
    expect(preview.rows[0].cells).toEqual([{ text: "苏州中学", value: "苏州中学" }]);
    expect(preview.problems).toBe(1);
  });

  it("from the first 256 KB of a large file, shows 20 rows without an error at the cut, and follows the mapping", async () => {
    let jsonl = "";
    for (const { id, facts } of generateApplicants(suzhou, 5000, 5)) jsonl += JSON.stringify({ id, ...Object.fromEntries(factIds.map((f) => [f, facts[f]])) }) + "\n";
    const bytes = Buffer.from(jsonl);
    expect(bytes.length).toBeGreaterThan(256 * 1024);
    const sample = await readSample(Readable.from([bytes.subarray(0, 256 * 1024)]), "jsonl", { truncated: true });
    expect(sample.stop).toBeUndefined();
    const preview = previewSample(sample, suzhou.facts, undefined);
    expect(preview.rows).toHaveLength(PREVIEW_ROWS);
    expect(preview.problems).toBe(0);
    const renamed = previewSample(sample, suzhou.facts, { educationLevel: "" });
    expect(renamed.columns.map((c) => c.source)).not.toContain("educationLevel");
  });
});
