/**
 * Writing CSV that Excel opens safely. A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return
 * is read by Excel (and LibreOffice, WPS) as a formula: an applicant id or an item label such as
 * `=HYPERLINK("http://…","点击")` would run when an officer opens the export. As OWASP recommends ("CSV Injection"),
 * such a cell is prefixed with a single quote and quoted, so it shows as the text it is. Numbers are written as
 * numbers (a negative number is not a formula).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: neutralised when text would start a formula; quoted when it holds a comma, quote or line break. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(",") + "\n";
}
