/**
 * First step of an upload: the file's header, its first rows (the sample the preview types, cohorts.preview.ts) and a
 * proposed column mapping. The first bytes of a CSV or JSON Lines file are sent and decoded here as the upload will
 * decode them (UTF-8, UTF-16, GB18030), the encoding read returned (`truncated=1`: the bytes are the beginning of a
 * larger file); a JSON Lines header is the fields its first lines name. An XLSX file is sent whole and only its first
 * rows are read, under the limits. (A JSON body `{headers}` with format=jsonl, as earlier screens sent it, still
 * gives a mapping, without a sample.)
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { FileRefusedError } from "../../applicant-files/errors";
import type { TextEncodingName } from "../../applicant-files/encoding";
import { readSample, type FileSample } from "../../applicant-files/preview";
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
  let sample: FileSample | undefined;
  const format = url.searchParams.get("format");
  try {
    const jsonHeaders = format === "jsonl" && (request.headers.get("Content-Type") ?? "").startsWith("application/json");
    if (format === "csv" || format === "xlsx" || (format === "jsonl" && !jsonHeaders)) {
      if (!request.body) throw new Error("empty body");
      const { input, drain } = drainableBody(request.body);
      try {
        const isFact = (key: string) => facts.some((f) => f.id === key);
        sample = await readSample(input, format, { truncated: url.searchParams.get("truncated") === "1", isFact });
      } finally {
        await drain();
      }
      // A file refused at its first row (a limit, not a workbook) is refused here as the upload would refuse it.
      if (sample.header.length === 0 && sample.stop) {
        const { code, line, message, params } = sample.stop;
        return Response.json({ error: cohortText(lang, "headerFailed", { detail: message[lang === "en" ? "en" : "zh"] }), errors: [{ code, line, column: null, message, params }] }, { status: 422 });
      }
      headers = sample.header;
      encoding = sample.encoding;
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
  return Response.json({ headers, mapping, recalled: recalled !== undefined, facts: factChoices(facts), ...(encoding ? { encoding } : {}), ...(sample ? { sample } : {}) });
}
