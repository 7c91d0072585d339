/**
 * A simulation's per-applicant results as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese); cells that
 * Excel would run as formulas are neutralised by the writer.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "../../applicant-files/csv-writer";
import { exportHeader, exportRows, runVersionIdentities } from "~/features/simulation/export.server";
import { loadRun } from "~/features/simulation/run.server";
import { requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const lang = requestLang(request);
  const runId = Number(params.runId);
  const db = getDb();
  const loaded = Number.isInteger(runId) ? loadRun(db, runId) : undefined;
  if (!loaded) throw new Response("Not found", { status: 404 });
  const parts: string[] = ["\uFEFF", csvLine(exportHeader(lang))];
  for (const row of exportRows(loaded, lang, runVersionIdentities(db, loaded))) parts.push(csvLine(row));
  return new Response(parts.join(""), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="simulation-${runId}.csv"`,
    },
  });
}
