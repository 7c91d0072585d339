/**
 * Limits on what reading one applicant file may cost, checked while the file streams (before the memory is spent).
 * An XLSX file is a zip: a few megabytes can inflate to gigabytes, so the compressed size says nothing.
 */
import { FileRefusedError, rowError } from "./errors";

export interface XlsxLimits {
  /** All entries of the zip together, once inflated. */
  inflatedBytes: number;
  /** Inflated bytes per compressed byte read, past `ratioGraceBytes` (Apache POI refuses beyond 100 the same way). */
  inflateRatio: number;
  ratioGraceBytes: number;
  /** The shared-strings part (every distinct text of the workbook, held in memory while the sheet is read). */
  sharedStringsBytes: number;
  /** Rows and cells of the worksheet; Excel itself stops at 1,048,576 rows and 16,384 columns. */
  rows: number;
  cellsPerRow: number;
  cells: number;
  /** One cell's text; Excel holds at most 32,767 characters in a cell. */
  cellChars: number;
}

const MiB = 1024 * 1024;

export const XLSX_LIMITS: XlsxLimits = {
  inflatedBytes: 1024 * MiB,
  inflateRatio: 100,
  ratioGraceBytes: 1 * MiB,
  sharedStringsBytes: 64 * MiB,
  rows: 1_048_576,
  cellsPerRow: 16_384,
  cells: 40_000_000,
  cellChars: 32_767,
};

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${Math.round(bytes / MiB)} MB` : `${Math.round(bytes / 1024)} KB`;
}

const NUMBER = new Intl.NumberFormat("en-US");

/** The refusal for a limit passed, naming the limit in both languages. */
export function limitError(limit: keyof XlsxLimits, limits: XlsxLimits, line = 0): FileRefusedError {
  const max = limits[limit];
  const texts: Record<keyof XlsxLimits, [string, string]> = {
    inflatedBytes: [`解压后超过 ${sizeText(max)} 的上限`, `it inflates to more than the limit of ${sizeText(max)}`],
    inflateRatio: [
      `压缩比超过 ${max} 倍的上限（疑似“压缩炸弹”）`,
      `it inflates more than ${max} times its compressed size, the limit (a suspected zip bomb)`,
    ],
    ratioGraceBytes: [`解压后超过 ${sizeText(max)}`, `it inflates to more than ${sizeText(max)}`],
    sharedStringsBytes: [`共享字符串部分解压后超过 ${sizeText(max)} 的上限`, `its shared strings inflate to more than the limit of ${sizeText(max)}`],
    rows: [`工作表超过 ${NUMBER.format(max)} 行的上限`, `its worksheet has more than the limit of ${NUMBER.format(max)} rows`],
    cellsPerRow: [`一行超过 ${NUMBER.format(max)} 列的上限`, `a row has more than the limit of ${NUMBER.format(max)} columns`],
    cells: [`工作表超过 ${NUMBER.format(max)} 个单元格的上限`, `its worksheet has more than the limit of ${NUMBER.format(max)} cells`],
    cellChars: [`一个单元格超过 ${NUMBER.format(max)} 个字符的上限`, `a cell holds more than the limit of ${NUMBER.format(max)} characters`],
  };
  const [zh, en] = texts[limit];
  return new FileRefusedError(rowError("fileLimit", line, undefined, `文件未读取：${zh}。`, `the file was not read: ${en}.`, { limit, max }));
}
