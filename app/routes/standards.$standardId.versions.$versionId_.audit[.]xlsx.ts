/** The audit trail of the review page, with the same filters, as an Excel workbook in the UI's language. */
import { PassThrough } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { loadTrail, parseTrailFilter } from "~/features/audit/trail.server";
import { reviewMessages } from "~/features/review/messages";
import { requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";
import { loadVersionOr404 } from "~/lib/versions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const version = loadVersionOr404(params);
  const lang = requestLang(request);
  const m = (key: Parameters<typeof reviewMessages.translateIn>[1]) => reviewMessages.translateIn(lang, key);
  const rows = loadTrail(getDb(), version.standardId, parseTrailFilter(new URL(request.url).searchParams, version.id), lang);
  const { default: ExcelJS } = await import("exceljs");
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(m("auditTitle"));
  sheet.columns = [{ width: 18 }, { width: 20 }, { width: 80 }, { width: 40 }];
  sheet.addRow([m("auditAt"), m("auditWho"), m("auditWhat"), m("auditOpinion")]).commit();
  // Text cells only: a name or an opinion starting with = or + stays text (the writer never emits formulas for strings).
  for (const r of rows) sheet.addRow([r.at, r.who, r.sentence, r.opinion]).commit();
  sheet.commit();
  await workbook.commit();
  return new Response(Buffer.concat(chunks), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="audit-${encodeURIComponent(version.standardId)}-${version.id}.xlsx"`,
    },
  });
}
