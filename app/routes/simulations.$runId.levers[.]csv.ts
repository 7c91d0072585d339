/** A simulation candidate's levers as CSV (UTF-8 with a byte-order mark; formula-like cells neutralised by the writer). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "../../applicant-files/csv-writer";
import { leverHeader, leverRows } from "~/features/levers/export.server";
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
  const parts: string[] = ["\uFEFF", csvLine(leverHeader(lang))];
  for (const row of leverRows(loaded.candidate, result, lang)) parts.push(csvLine(row));
  return new Response(parts.join(""), {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="levers-${runId}.csv"` },
  });
}
