/**
 * Levers as an office files them: one row per step (rank, number, its value, the step, the new value, entered, left,
 * admitted, the largest cut-off move and where, each group's share of the admitted and its change), in CSV (cells
 * Excel would run as formulas neutralised by the writer) or an Excel sheet with a frozen header and filters.
 */
import type { Writable } from "node:stream";
import { factValueText, parameterValueText, poolText } from "../../../engine/levers/levers-words";
import type { LeversResult } from "../../../engine/levers/levers";
import type { StandardDocument } from "../../../rules-schema/types";
import type { Lang } from "~/i18n";

type Cell = string | number;

export function leverHeader(lang: Lang): string[] {
  return lang === "en"
    ? ["rank", "number", "value now", "step", "new value", "entered", "left", "admitted", "largest cut-off move", "pool", "shares of the admitted"]
    : ["序号", "数值", "现值", "调整", "调整后", "新录取", "被挤出", "录取人数", "分数线最大变动", "名额池", "录取构成"];
}

export function* leverRows(doc: StandardDocument, result: LeversResult, lang: Lang): Generator<Cell[]> {
  let rank = 0;
  for (const lever of result.levers) {
    rank++;
    const p = lever.parameter;
    const label = lang === "en" ? p.label.en : p.label.zh;
    for (const step of [lever.up, lever.down]) {
      if (!step) continue;
      const largest = step.pools.reduce<{ shift: number; pool: string } | undefined>((best, pool) => (pool.shift !== null && (!best || Math.abs(pool.shift) > Math.abs(best.shift)) ? { shift: pool.shift, pool: pool.pool } : best), undefined);
      const shares = step.groups
        .map((g) => `${factValueText(doc, result.groupFact, g.value, lang)} ${(g.share * 100).toFixed(1)}% (${g.shareShift >= 0 ? "+" : ""}${(g.shareShift * 100).toFixed(1)})`)
        .join(lang === "en" ? "; " : "；");
      yield [
        rank,
        label,
        parameterValueText(p, p.value, lang),
        step.direction > 0 ? (lang === "en" ? "one step up" : "上调一档") : lang === "en" ? "one step down" : "下调一档",
        parameterValueText(p, step.value, lang),
        step.entered,
        step.left,
        step.admitted,
        largest ? largest.shift : 0,
        largest ? poolText(doc, result.programId, largest.pool, lang) : "",
        shares,
      ];
    }
  }
}

export async function writeLeversWorkbook(doc: StandardDocument, result: LeversResult, lang: Lang, out: Writable): Promise<void> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(lang === "en" ? "Levers" : "数值影响", { views: [{ state: "frozen", ySplit: 1 }] });
  const header = leverHeader(lang);
  sheet.columns = header.map((_, k) => ({ width: k === 1 ? 60 : k === 10 ? 60 : 14 }));
  const head = sheet.addRow(header);
  head.font = { bold: true };
  head.commit();
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: header.length } };
  // Strings are written as text cells, never formulas: a label beginning with "=" stays text.
  for (const row of leverRows(doc, result, lang)) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
}
