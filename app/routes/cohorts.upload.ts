/**
 * The upload itself: the browser sends the file as the raw request body (so it can show upload progress), with the
 * standard, name, format and column mapping in the query. The body is streamed to the importer on a thread of its
 * own (import-in-worker.server.ts), counted against the size limit first; the importer checks every row and stores
 * all of them or nothing, and its progress can be asked under the screen's `progress` key (cohorts.progress.ts). A
 * file refused early (line 2, or a limit) is answered only after the rest of the body is read, so the answer reaches
 * the client.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import type { CohortFormat } from "../../applicant-files/applicants";
import { drainableBody } from "~/features/cohorts/request-body.server";
import { importOffThread, ImportThreadFailed } from "~/features/cohorts/import-in-worker.server";
import { isProgressKey, trackImport } from "~/features/cohorts/import-progress.server";
import { readServerEnv } from "~/lib/env.server";
import { cohortText, MAX_UPLOAD_BYTES, MAX_UPLOAD_LABEL } from "~/features/cohorts/messages";
import { standardFacts } from "~/features/cohorts/standard-facts.server";
import { requestLang } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function parseStringRecord(text: string | null): Record<string, string> | undefined {
  if (!text) return undefined;
  const value = JSON.parse(text) as unknown;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("mapping must be an object");
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v ?? "")]));
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const fail = (status: number, message: string) => Response.json({ ok: false, message }, { status });
  if (!hasRole(user, "drafter")) return fail(403, cohortText(lang, "forbidden"));
  const url = new URL(request.url);
  const standardId = url.searchParams.get("standardId") ?? "";
  const name = (url.searchParams.get("name") ?? "").trim();
  const format = url.searchParams.get("format") as CohortFormat;
  if (!name) return fail(400, cohortText(lang, "nameRequired"));
  if (format !== "csv" && format !== "xlsx" && format !== "jsonl") return fail(400, cohortText(lang, "unknownFormat"));
  // The length is declared up front (the browser sends it for a file body) and Node holds the body to it.
  const declaredHeader = request.headers.get("Content-Length");
  if (declaredHeader === null) return fail(411, cohortText(lang, "lengthRequired"));
  const declared = Number(declaredHeader);
  if (declared > MAX_UPLOAD_BYTES) return fail(413, cohortText(lang, "fileTooLarge", { size: megabytes(declared), limit: MAX_UPLOAD_LABEL }));
  const db = getDb();
  const facts = standardFacts(db, standardId);
  if (!facts) return fail(400, cohortText(lang, "unknownStandard"));
  let mapping: Record<string, string> | undefined;
  let headers: string[] | undefined;
  try {
    mapping = parseStringRecord(url.searchParams.get("mapping"));
    const parsedHeaders = JSON.parse(url.searchParams.get("headers") ?? "null") as unknown;
    headers = Array.isArray(parsedHeaders) ? parsedHeaders.map(String) : undefined;
  } catch (error) {
    return fail(400, String(error instanceof Error ? error.message : error));
  }
  const body = request.body;
  if (!body) return fail(400, cohortText(lang, "unknownFormat"));
  const { input, drain } = drainableBody(body);
  const progressKey = url.searchParams.get("progress");
  const progress = isProgressKey(progressKey) ? trackImport(progressKey, user.id) : undefined;
  try {
    const result = await importOffThread(db, readServerEnv().databaseUrl, { name, standardId, facts, format, mapping, headers, createdBy: user.id }, input, (update) =>
      progress?.update(update),
    );
    await drain();
    const encoding = result.encoding ? { encoding: result.encoding } : {};
    if (result.ok) return Response.json({ ok: true, cohortId: result.cohortId, rowCount: result.rowCount, ...encoding });
    return Response.json(
      { ok: false, rowsRead: result.rowsRead, ...encoding, errors: result.errors.map((e) => ({ code: e.code, line: e.line, column: e.column ?? null, message: e.message })) },
      { status: 422 },
    );
  } catch (error) {
    await drain();
    if (error instanceof ImportThreadFailed) {
      // The importing thread died (out of memory, say): what it had stored is removed; the details go to the log only.
      console.error("Cohort import failed", error.message);
      return fail(500, cohortText(lang, "importFailed"));
    }
    return fail(400, error instanceof Error ? error.message : String(error));
  } finally {
    progress?.end();
  }
}
