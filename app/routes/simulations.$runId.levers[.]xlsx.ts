/** A simulation candidate's levers as an Excel workbook (exceljs's streaming writer). */
import { PassThrough } from "node:stream";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { writeLeversWorkbook } from "~/features/levers/export.server";
import { leversForRun } from "~/features/levers/levers.server";
import { groupableFacts, loadRun } from "~/features/simulation/run.server";
import { requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const lang = requestLang(request);
  const runId = Number(params.runId);
  const loaded = Number.isInteger(runId) ? loadRun(getDb(), runId) : undefined;
  if (!loaded) throw new Response("Not found", { status: 404 });
  const group = new URL(request.url).searchParams.get("group");
  const groupFact = groupableFacts(loaded).find((f) => f.id === group)?.id;
  const { result } = leversForRun(loaded, groupFact);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  await writeLeversWorkbook(loaded.candidate, result, lang, out);
  return new Response(Buffer.concat(chunks), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="levers-${runId}.xlsx"`,
    },
  });
}
