/**
 * The official table as an office files and publishes it (issue 22, decision 039): a Word document (docx) with the
 * title, the version's identity (effective date, document number), headings, the table of indicators, eligibility
 * conditions and vetoes with their articles, the legal basis, and page numbers in the footer; and an Excel workbook
 * (exceljs) with the same tables, one sheet each, frozen headers. Both in the officer's words (describe.ts), never ids.
 */
import type { StandardDocument } from "../../../rules-schema/types";
import {
  describeCap,
  describeCondition,
  describeItemNotes,
  describeScoringRows,
  formatDate,
  pickText,
  programLabels,
  type DescribeContext,
  type Lang,
} from "../../../engine/scoring/describe";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { loadVersionDocument, type LoadedVersion } from "./load-version.server";

type Identity = Pick<LoadedVersion, "versionLabel" | "effectiveFrom" | "effectiveTo" | "documentNumber" | "announcedOn">;

interface Table {
  name: string;
  header: string[];
  rows: string[][];
}

const TEXT = {
  version: { zh: "版本", en: "Version" },
  effective: { zh: "生效日期", en: "Effective from" },
  until: { zh: "截止日期", en: "Effective until" },
  documentNumber: { zh: "文号", en: "Document number" },
  announcedOn: { zh: "公布日期", en: "Announced on" },
  notRecorded: { zh: "未记录", en: "not recorded" },
  items: { zh: "计分指标", en: "Scoring items" },
  gates: { zh: "准入条件", en: "Eligibility conditions" },
  vetoes: { zh: "一票否决", en: "Vetoes" },
  basis: { zh: "依据文件", en: "Legal basis" },
  page: { zh: "第 {page} 页，共 {pages} 页", en: "Page {page} of {pages}" },
  none: { zh: "无", en: "None" },
};

function say(lang: Lang, text: { zh: string; en: string }): string {
  return lang === "en" ? text.en : text.zh;
}

export function officialTables(doc: StandardDocument, lang: Lang): Table[] {
  const ctx: DescribeContext = { doc, lang };
  const en = lang === "en";
  const itemRows: string[][] = [];
  for (const category of doc.categories) {
    for (const item of doc.items.filter((entry) => entry.category === category.id)) {
      const notes = describeItemNotes(ctx, item);
      const rows = describeScoringRows(ctx, item);
      (rows.length > 0 ? rows : [{ condition: "", points: "" }]).forEach((row, index) => {
        itemRows.push([
          pickText(lang, category.label),
          index === 0 ? [pickText(lang, item.label), ...notes.map((note) => `※ ${note}`)].join("\n") : "",
          row.condition,
          row.points,
          index === 0 && item.cap !== undefined ? describeCap(lang, item.cap) : "",
          index === 0 ? programLabels(ctx, item.programs) : "",
          index === 0 ? item.article ?? "" : "",
        ]);
      });
    }
  }
  const ruleRows = (rules: StandardDocument["gates"]) =>
    (rules ?? []).map((rule) => [pickText(lang, rule.label), describeCondition(ctx, rule.condition), pickText(lang, rule.reason), programLabels(ctx, rule.programs), rule.article ?? ""]);
  return [
    {
      name: say(lang, TEXT.items),
      header: en ? ["Category", "Indicator", "Condition", "Points", "Cap", "Programs", "Article"] : ["分类", "指标", "条件", "分值", "上限", "适用项目", "依据"],
      rows: itemRows,
    },
    {
      name: say(lang, TEXT.gates),
      header: en ? ["Condition", "Must hold", "Reason", "Programs", "Article"] : ["条件", "须满足", "说明", "适用项目", "依据"],
      rows: ruleRows(doc.gates),
    },
    {
      name: say(lang, TEXT.vetoes),
      header: en ? ["Veto", "When", "Consequence", "Programs", "Article"] : ["否决情形", "情形", "后果", "适用项目", "依据"],
      rows: ruleRows(doc.vetoes),
    },
  ];
}

function identityLines(identity: Identity, lang: Lang): Array<[string, string]> {
  const date = (value: string | null) => (value ? formatDate(lang, value) : say(lang, TEXT.notRecorded));
  const lines: Array<[string, string]> = [
    [say(lang, TEXT.version), identity.versionLabel],
    [say(lang, TEXT.effective), date(identity.effectiveFrom)],
  ];
  if (identity.effectiveTo) lines.push([say(lang, TEXT.until), date(identity.effectiveTo)]);
  lines.push([say(lang, TEXT.documentNumber), identity.documentNumber ?? say(lang, TEXT.notRecorded)]);
  if (identity.announcedOn) lines.push([say(lang, TEXT.announcedOn), date(identity.announcedOn)]);
  return lines;
}

/** The official table as a .docx (A4 landscape, the header row repeated on every page, page numbers below). */
export async function officialTableDocx(doc: StandardDocument, identity: Identity, lang: Lang): Promise<Buffer> {
  const { AlignmentType, Document, Footer, HeadingLevel, Packer, PageNumber, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = await import("docx");
  const cellParagraphs = (text: string, bold = false) =>
    (text === "" ? [""] : text.split("\n")).map((line) => new Paragraph({ children: [new TextRun({ text: line, bold, size: 18 })] }));
  const table = (t: Table) =>
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [
        new TableRow({ tableHeader: true, children: t.header.map((cell) => new TableCell({ children: cellParagraphs(cell, true), shading: { fill: "EEEEEE" } })) }),
        ...t.rows.map((row) => new TableRow({ cantSplit: true, children: row.map((cell) => new TableCell({ children: cellParagraphs(cell) })) })),
      ],
    });
  const children: Array<InstanceType<typeof Paragraph> | InstanceType<typeof Table>> = [
    new Paragraph({ text: pickText(lang, doc.title), heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER }),
    ...identityLines(identity, lang).map(
      ([label, value]) => new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: `${label}${lang === "en" ? ": " : "："}`, bold: true }), new TextRun(value)] }),
    ),
  ];
  for (const t of officialTables(doc, lang)) {
    children.push(new Paragraph({ text: t.name, heading: HeadingLevel.HEADING_1 }));
    children.push(t.rows.length > 0 ? table(t) : new Paragraph(say(lang, TEXT.none)));
  }
  if (doc.legalBasis.length > 0) {
    children.push(new Paragraph({ text: say(lang, TEXT.basis), heading: HeadingLevel.HEADING_1 }));
    for (const basis of doc.legalBasis) {
      const parts = [basis.title ? pickText(lang, basis.title) : "", basis.documentNumber, basis.date ? formatDate(lang, basis.date) : ""].filter(Boolean);
      children.push(new Paragraph({ text: parts.join(lang === "en" ? ", " : "，"), bullet: { level: 0 } }));
    }
  }
  const [before, middle, after] = say(lang, TEXT.page).split(/\{page\}|\{pages\}/);
  const document = new Document({
    creator: "Jifen",
    title: pickText(lang, doc.title),
    styles: { default: { document: { run: { font: "SimSun" } } } },
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: [before, PageNumber.CURRENT, middle, PageNumber.TOTAL_PAGES, after] })],
              }),
            ],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}

/** The official table as a workbook: the identity, then one sheet per table with a frozen, bold header. */
export async function officialTableXlsx(doc: StandardDocument, identity: Identity, lang: Lang): Promise<Buffer> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.title = pickText(lang, doc.title);
  const tables = officialTables(doc, lang);
  const widths = [[14, 28, 48, 22, 14, 18, 30], [24, 48, 36, 18, 30], [24, 48, 36, 18, 30]];
  tables.forEach((t, index) => {
    const sheet = workbook.addWorksheet(t.name, { views: [{ state: "frozen", ySplit: index === 0 ? 4 : 1 }] });
    sheet.columns = widths[index].map((width) => ({ width }));
    if (index === 0) {
      sheet.addRow([pickText(lang, doc.title)]).font = { bold: true, size: 14 };
      sheet.addRow(identityLines(identity, lang).map(([label, value]) => `${label}${lang === "en" ? ": " : "："}${value}`));
      sheet.addRow([]);
    }
    const head = sheet.addRow(t.header);
    head.font = { bold: true };
    for (const row of t.rows) sheet.addRow(row).alignment = { wrapText: true, vertical: "top" };
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const DOWNLOADS = {
  docx: { make: officialTableDocx, type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
  xlsx: { make: officialTableXlsx, type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
};

/** The signed-in user's download of a version's official table as Word or Excel; refused while the version has problems. */
export async function officialTableDownload({ request, params }: Pick<LoaderFunctionArgs, "request" | "params">, format: keyof typeof DOWNLOADS): Promise<Response> {
  requireUser(request);
  const lang = requestLang(request);
  const version = loadVersionDocument(params);
  if (!version.document || version.errorCount > 0) {
    throw new Response(lang === "en" ? "This version has problems to fix before it can be exported." : "此版本尚有问题需要修改，暂不能导出。", { status: 409 });
  }
  const body = await DOWNLOADS[format].make(version.document, version, lang);
  const name = `${version.standardId}-${version.versionLabel}`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(new Uint8Array(body), {
    headers: { "Content-Type": DOWNLOADS[format].type, "Content-Disposition": `attachment; filename="${name}.${format}"` },
  });
}
