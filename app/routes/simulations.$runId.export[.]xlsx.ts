/** A simulation's per-applicant results as an Excel workbook (written with exceljs's streaming writer). */
import { PassThrough } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportHeader, exportRows } from "~/features/simulation/export.server";
import { loadRun } from "~/features/simulation/run.server";
import { requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const lang = requestLang(request);
  const runId = Number(params.runId);
  const loaded = Number.isInteger(runId) ? loadRun(getDb(), runId) : undefined;
  if (!loaded) throw new Response("Not found", { status: 404 });
  const { default: ExcelJS } = await import("exceljs");
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(lang === "en" ? "Simulation" : "模拟测算");
  sheet.addRow(exportHeader(lang)).commit();
  for (const row of exportRows(loaded, lang)) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
  return new Response(Buffer.concat(chunks), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="simulation-${runId}.xlsx"`,
    },
  });
}
