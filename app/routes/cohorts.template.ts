/** A blank applicant file for a standard, to fill in: `?standardId=…&format=xlsx|csv`. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvTemplate, xlsxTemplate } from "../../applicant-files/template";
import { cohortText } from "~/features/cohorts/messages";
import { standardFacts } from "~/features/cohorts/standard-facts.server";
import { requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  requireUser(request);
  const url = new URL(request.url);
  const standardId = url.searchParams.get("standardId") ?? "";
  const facts = standardFacts(getDb(), standardId);
  if (!facts) throw new Response(cohortText(requestLang(request), "unknownStandard"), { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const name = `template-${standardId.replace(/[^A-Za-z0-9_-]/g, "")}`;
  if (url.searchParams.get("format") === "csv") {
    return new Response(csvTemplate(facts), { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}.csv"` } });
  }
  return new Response(new Uint8Array(await xlsxTemplate(facts)), {
    headers: { "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Content-Disposition": `attachment; filename="${name}.xlsx"` },
  });
}
