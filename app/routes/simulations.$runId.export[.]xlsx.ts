/** A simulation as an Excel workbook: summary, cut-offs per pool, applicants, items (exceljs's streaming writer). */
import { PassThrough } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { runVersionIdentities, writeSimulationWorkbook } from "~/features/simulation/export.server";
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
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  await writeSimulationWorkbook(loaded, lang, out, runVersionIdentities(getDb(), loaded));
  return new Response(Buffer.concat(chunks), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="simulation-${runId}.xlsx"`,
    },
  });
}
