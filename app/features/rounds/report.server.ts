/**
 * A round's report for the file (issue 23, part 5): the round's identity, the admitted list per pool, the pools with
 * their cut-offs, and the objections with their outcomes, as a workbook (exceljs: one sheet per table, frozen
 * headers) and a Word document (docx: headings, tables, page numbers), the libraries the official table's exports use
 * (decision 039). In the officer's words; identities masked (decision 043).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getCohort } from "../../../db/cohorts";
import type { JifenDb } from "../../../db/connection";
import { getNotice, getRound, listAmendments, listObjections, listRoundResults, type RoundRecord } from "../../../db/rounds";
import { listStandards } from "../../../db/standards";
import { getUserName } from "../../../db/users";
import { requestLang, type Lang } from "../../i18n";
import { requireUser } from "../../lib/auth.server";
import { getDb } from "../../lib/db.server";
import { roundText, type RoundMessageKey } from "./messages";
import { factsInWords, points, poolTables } from "./present.server";
import { loadVersion, roundProgramLabel, roundStanding } from "./rounds.server";

interface ReportTable {
  name: string;
  header: string[];
  rows: Array<Array<string | number>>;
}

export interface RoundReport {
  title: string;
  lines: Array<[string, string]>;
  tables: ReportTable[];
}

const pick = (lang: Lang, text: { zh: string; en: string }) => (lang === "en" ? text.en : text.zh);

export function roundReport(db: JifenDb, round: RoundRecord, lang: Lang): RoundReport {
  const t = (key: RoundMessageKey, p?: Record<string, string | number>) => roundText(lang, key, p);
  const r = (zh: string, en: string) => (lang === "en" ? en : zh);
  const version = loadVersion(db, round.versionId!)!;
  const standard = listStandards(db).find((s) => s.id === round.standardId);
  const notice = getNotice(db, round.id);
  const cohort = round.cohortId !== null ? getCohort(db, round.cohortId) : undefined;
  const standing = roundStanding(db, round);
  const pools = poolTables(lang, version.doc, round, standing, Number.MAX_SAFE_INTEGER);
  const results = listRoundResults(db, round.id);
  const refOf = new Map(results.map((x) => [x.rowNo, x.applicantRef]));
  const amendments = listAmendments(db, round.id);
  const places = Object.entries(round.quotas).map(([pool, n]) => (pool === "*" ? t("placesAll", { places: n }) : t("placesPool", { pool, places: n })));
  const lines: Array<[string, string]> = [
    [t("colStandard"), standard ? pick(lang, standard.title) : round.standardId],
    [t("colProgram"), pick(lang, roundProgramLabel(db, round))],
    [t("colCutoff"), round.cutoffDate],
    [r("计分版本", "Version"), r(`${version.label}（内容哈希 ${version.hash.slice(0, 12)}）`, `${version.label} (content hash ${version.hash.slice(0, 12)})`)],
    [t("places"), places.length ? places.join(lang === "en" ? "; " : "；") : "—"],
    [r("分值线", "Score line"), round.scoreLine !== null ? String(round.scoreLine) : t("ownLine")],
    [t("colApplicants"), `${results.length}${cohort ? r(`（${cohort.name}）`, ` (${cohort.name})`) : ""}`],
    [t("admittedCount"), String(standing.rows.filter((x) => x.admitted !== null).length)],
    [t("colStatus"), t(`status_${round.status}`)],
  ];
  if (round.announcedAt) lines.push([r("公布", "Announced"), `${round.announcedAt.slice(0, 10)}${r("，", ", ")}${round.announcedBy !== null ? getUserName(db, round.announcedBy) : ""}`]);
  if (notice) lines.push([r("公示期", "Notice period"), r(`${notice.startsOn} 至 ${notice.endsOn}（${notice.workingDays} 个工作日）`, `${notice.startsOn} to ${notice.endsOn} (${notice.workingDays} working days)`)]);
  const admitted: ReportTable = {
    name: r("录取名单", "Admitted"),
    header: [t("pool"), t("colRank"), t("colRef"), t("colApplicant"), t("colIdNumber"), t("colPoints"), t("colVerdict")],
    rows: pools.flatMap((pool) => pool.rows.filter((row) => row.admitted).map((row) => [pool.label, row.rank ?? "", row.ref, row.name, row.idNumber, row.points, row.verdict + (row.amended ?? "")])),
  };
  const poolTable: ReportTable = {
    name: r("名额池", "Pools"),
    header: [t("pool"), t("places"), t("candidates"), t("admittedCount"), t("cutoff")],
    rows: pools.map((pool) => [pool.label, pool.places ?? "—", pool.rows.filter((row) => row.rank !== null).length, pool.admitted, pool.cutoff ?? "—"]),
  };
  const objections: ReportTable = {
    name: r("异议与复核", "Objections"),
    header: [t("colRef"), t("fieldDisputed"), r("更正的事实", "Corrected facts"), t("fieldEvidence"), t("colRecorded"), t("colOutcome"), t("fieldOpinion"), r("复核人", "Decided by"), r("更正", "Amendment")],
    rows: listObjections(db, round.id).map((o) => {
      const amendment = amendments.find((a) => a.objectionId === o.id);
      return [
        refOf.get(o.rowNo) ?? String(o.rowNo),
        o.disputed,
        factsInWords(lang, version.doc, o.correctedFacts),
        o.evidence,
        `${o.recordedByName ?? ""} ${o.recordedAt.slice(0, 10)}`,
        t(`objection_${o.status}`),
        o.opinion ?? "",
        o.decidedByName ? `${o.decidedByName} ${(o.decidedAt ?? "").slice(0, 10)}` : "",
        amendment ? `${amendment.amendedOn}${r("：", ": ")}${points(amendment.totalBefore)} → ${points(amendment.totalAfter)}` : "",
      ];
    }),
  };
  return { title: r(`${round.name} 积分结果报告`, `${round.name}: report of the round`), lines, tables: [admitted, poolTable, objections] };
}

export async function roundReportXlsx(report: RoundReport, lang: Lang): Promise<Buffer> {
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  workbook.title = report.title;
  const summary = workbook.addWorksheet(lang === "en" ? "Summary" : "概要");
  summary.columns = [{ width: 18 }, { width: 60 }];
  summary.addRow([report.title]).font = { bold: true, size: 14 };
  for (const line of report.lines) summary.addRow(line);
  for (const table of report.tables) {
    const sheet = workbook.addWorksheet(table.name, { views: [{ state: "frozen", ySplit: 1 }] });
    sheet.columns = table.header.map((_, i) => ({ width: i === 0 ? 24 : 18 }));
    sheet.addRow(table.header).font = { bold: true };
    for (const row of table.rows) sheet.addRow(row).alignment = { wrapText: true, vertical: "top" };
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.header.length } };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function roundReportDocx(report: RoundReport, lang: Lang): Promise<Buffer> {
  const { AlignmentType, Document, Footer, HeadingLevel, Packer, PageNumber, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } = await import("docx");
  const cell = (text: string | number, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text: String(text), bold, size: 18 })] })] });
  const children: Array<InstanceType<typeof Paragraph> | InstanceType<typeof Table>> = [
    new Paragraph({ text: report.title, heading: HeadingLevel.TITLE, alignment: AlignmentType.CENTER }),
    ...report.lines.map(([label, value]) => new Paragraph({ children: [new TextRun({ text: `${label}${lang === "en" ? ": " : "："}`, bold: true }), new TextRun(value)] })),
  ];
  for (const table of report.tables) {
    children.push(new Paragraph({ text: table.name, heading: HeadingLevel.HEADING_1 }));
    children.push(
      table.rows.length === 0
        ? new Paragraph(lang === "en" ? "None" : "无")
        : new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: [
              new TableRow({ tableHeader: true, children: table.header.map((h) => cell(h, true)) }),
              ...table.rows.map((row) => new TableRow({ cantSplit: true, children: row.map((value) => cell(value)) })),
            ],
          }),
    );
  }
  const [before, middle, after] = (lang === "en" ? "Page {page} of {pages}" : "第 {page} 页，共 {pages} 页").split(/\{page\}|\{pages\}/);
  const document = new Document({
    creator: "Jifen",
    title: report.title,
    styles: { default: { document: { run: { font: "SimSun" } } } },
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [before, PageNumber.CURRENT, middle, PageNumber.TOTAL_PAGES, after] })] })],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}

const TYPES = {
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};

/** The signed-in officer's download of a run round's report as Excel or Word. */
export async function roundReportDownload({ request, params }: Pick<LoaderFunctionArgs, "request" | "params">, format: keyof typeof TYPES): Promise<Response> {
  requireUser(request);
  const lang = requestLang(request);
  const db = getDb();
  const id = /^\d+$/.test(params.roundId ?? "") ? Number(params.roundId) : NaN;
  const round = Number.isSafeInteger(id) ? getRound(db, id) : undefined;
  if (!round) throw new Response(roundText(lang, "notFound"), { status: 404 });
  if (round.versionId === null || round.status === "open") throw new Response(roundText(lang, "announceNotRun"), { status: 409 });
  const report = roundReport(db, round, lang);
  const body = format === "xlsx" ? await roundReportXlsx(report, lang) : await roundReportDocx(report, lang);
  return new Response(new Uint8Array(body), {
    headers: { "Content-Type": TYPES[format], "Content-Disposition": `attachment; filename="round-${round.id}-report.${format}"` },
  });
}
