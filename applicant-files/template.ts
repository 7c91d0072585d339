/**
 * Blank applicant files for a standard, for the departments to fill: an XLSX with the facts' Chinese labels as the
 * header, their ids in a hidden second row (read back, then skipped, by the reader), drop-down lists for enum and
 * yes/no columns, date-formatted date columns, and a sheet explaining each column; and a CSV with the header only.
 */
import type { FactDefinition } from "../rules-schema/types";
import { csvLine } from "./csv-writer";

const TYPE_TEXT: Record<string, { zh: string; en: string }> = {
  number: { zh: "数字", en: "number" },
  integer: { zh: "整数", en: "whole number" },
  boolean: { zh: "是/否", en: "yes/no" },
  date: { zh: "日期，如 2019-06-30 或 2019/6/30", en: "date, e.g. 2019-06-30 or 2019/6/30" },
  enum: { zh: "从下拉列表中选择", en: "choose from the list" },
  records: { zh: "记录（JSON 数组），如 []", en: "records (a JSON array), e.g. []" },
  string: { zh: "文字", en: "text" },
};

const ROWS_WITH_LISTS = 1000;

function columnLetter(n: number): string {
  let s = "";
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

export async function xlsxTemplate(facts: readonly FactDefinition[]): Promise<Buffer> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("申请人 Applicants", { views: [{ state: "frozen", ySplit: 2 }] });
  const explain = workbook.addWorksheet("填写说明 How to fill");
  const lists = workbook.addWorksheet("取值 Values", { state: "hidden" });
  sheet.addRow(["申请编号", ...facts.map((f) => f.label?.zh ?? f.id)]);
  sheet.addRow(["id", ...facts.map((f) => f.id)]);
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(2).hidden = true;
  sheet.getColumn(1).width = 14;
  let listColumn = 0;
  facts.forEach((fact, k) => {
    const column = sheet.getColumn(k + 2);
    column.width = Math.min(40, Math.max(12, (fact.label?.zh ?? fact.id).length * 2 + 2));
    let formula: string | undefined;
    if (fact.type === "enum" || fact.type === "boolean") {
      const labels = fact.type === "boolean" ? ["是", "否"] : (fact.values ?? []).map((v) => v.label?.zh ?? v.value);
      listColumn++;
      const letter = columnLetter(listColumn);
      lists.getCell(`${letter}1`).value = fact.id;
      labels.forEach((label, i) => (lists.getCell(`${letter}${i + 2}`).value = label));
      formula = `'取值 Values'!$${letter}$2:$${letter}$${labels.length + 1}`;
    }
    if (fact.type === "date") column.numFmt = "yyyy-mm-dd";
    if (formula) {
      for (let row = 3; row <= ROWS_WITH_LISTS; row++) {
        sheet.getCell(row, k + 2).dataValidation = { type: "list", allowBlank: true, formulae: [formula], showErrorMessage: true, error: "请从下拉列表中选择。Choose from the list." };
      }
    }
  });
  explain.addRow(["列 Column", "事实编号 Fact id", "格式 Format", "单位 Unit", "提供部门 Supplying department", "说明 Notes"]);
  explain.getRow(1).font = { bold: true };
  explain.addRow(["申请编号 Applicant number", "id", "文字 text", "", "", "每行一位申请人，编号不可重复。One applicant per row; numbers must not repeat."]);
  for (const fact of facts) {
    const type = TYPE_TEXT[fact.type] ?? TYPE_TEXT.string;
    const values = fact.type === "enum" ? `：${(fact.values ?? []).map((v) => v.label?.zh ?? v.value).join("、")}` : "";
    explain.addRow([
      `${fact.label?.zh ?? fact.id} ${fact.label?.en ?? ""}`.trim(),
      fact.id,
      `${type.zh}${values} / ${type.en}`,
      fact.unit ?? "",
      fact.department ? `${fact.department.zh} ${fact.department.en}` : "",
      fact.description ? `${fact.description.zh} ${fact.description.en}` : "",
    ]);
  }
  [28, 26, 40, 10, 24, 60].forEach((width, k) => (explain.getColumn(k + 1).width = width));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The CSV template: the header in Chinese labels (which the reader accepts), UTF-8 with a mark so Excel reads it. */
export function csvTemplate(facts: readonly FactDefinition[]): string {
  return "\uFEFF" + csvLine(["申请编号", ...facts.map((f) => f.label?.zh ?? f.id)]);
}
