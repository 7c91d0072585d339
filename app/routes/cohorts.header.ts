/**
 * First step of an upload: the file's header and a proposed column mapping. A JSON Lines header is read in the browser
 * and sent as JSON; a CSV file's first bytes are sent and decoded here as the upload will decode them (UTF-8, UTF-16,
 * GB18030), the encoding read returned; an XLSX file is sent whole and only its first row is read, under the limits.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { FileRefusedError } from "../../applicant-files/errors";
import type { TextEncodingName } from "../../applicant-files/encoding";
import { csvHeaderRow } from "../../applicant-files/header";
import { xlsxHeaderRow } from "../../applicant-files/xlsx-reader";
import { recallColumnMapping } from "../../db/cohorts";
import { factChoices, proposeMapping, standardFacts } from "~/features/cohorts/standard-facts.server";
import { cohortText } from "~/features/cohorts/messages";
import { drainableBody } from "~/features/cohorts/request-body.server";
import { prepareImportThread } from "~/features/cohorts/import-in-worker.server";
import { requestLang } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  if (!hasRole(user, "drafter")) return Response.json({ error: cohortText(lang, "forbidden") }, { status: 403 });
  const url = new URL(request.url);
  const standardId = url.searchParams.get("standardId") ?? "";
  // The upload usually follows: its import thread loads meanwhile.
  prepareImportThread();
  const db = getDb();
  const facts = standardFacts(db, standardId);
  if (!facts) return Response.json({ error: cohortText(lang, "unknownStandard") }, { status: 400 });
  let headers: string[];
  let encoding: TextEncodingName | undefined;
  const format = url.searchParams.get("format");
  try {
    if (format === "csv") {
      if (!request.body) throw new Error("empty body");
      const { input, drain } = drainableBody(request.body);
      try {
        ({ headers, encoding } = await csvHeaderRow(input));
      } finally {
        await drain();
      }
    } else if (format === "xlsx") {
      if (!request.body) throw new Error("empty body");
      const { input, drain } = drainableBody(request.body);
      try {
        headers = await xlsxHeaderRow(input);
      } finally {
        await drain();
      }
    } else {
      const body = (await request.json()) as { headers?: unknown };
      headers = Array.isArray(body.headers) ? body.headers.map((h) => String(h)) : [];
    }
  } catch (error) {
    if (error instanceof FileRefusedError) {
      // A limit passed (or not a workbook): named in both languages, as the upload names it.
      const { code, line, message, params } = error.error;
      return Response.json({ error: cohortText(lang, "headerFailed", { detail: message[lang === "en" ? "en" : "zh"] }), errors: [{ code, line, column: null, message, params }] }, { status: 422 });
    }
    return Response.json({ error: cohortText(lang, "headerFailed", { detail: error instanceof Error ? error.message : String(error) }) }, { status: 400 });
  }
  const recalled = recallColumnMapping(db, standardId, headers);
  const mapping = { ...proposeMapping(headers, facts), ...(recalled ?? {}) };
  return Response.json({ headers, mapping, recalled: recalled !== undefined, facts: factChoices(facts), ...(encoding ? { encoding } : {}) });
}
