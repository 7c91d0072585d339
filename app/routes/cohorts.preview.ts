/**
 * The preview of an upload (issue 19): the sample the header step read from the file (its header and first rows, as
 * text) typed by the import's own code under the column mapping now chosen, each cell with the value that would be
 * stored or its problem in both languages. Nothing is stored; the file is not sent again when the mapping changes.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { previewSample, type FileSample } from "../../applicant-files/preview";
import { maskIdNumber, maskName } from "../../db/cohorts";
import { cohortText } from "~/features/cohorts/messages";
import { standardFacts } from "~/features/cohorts/standard-facts.server";
import { requestLang } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { readBodyWithin } from "~/lib/body-limit.server";
import { getDb } from "~/lib/db.server";

/** A sample is 21 rows of at most 256 KB of CSV, or of an XLSX's first rows: far below this. */
const MAX_PREVIEW_BODY_BYTES = 8 * 1024 * 1024;

const isText = (value: unknown): value is string => typeof value === "string";
const isMessage = (value: unknown): value is { zh: string; en: string } =>
  !!value && typeof value === "object" && isText((value as { zh?: unknown }).zh) && isText((value as { en?: unknown }).en);

/** The sample as the header step gave it, or undefined for anything else. */
function asSample(value: unknown): FileSample | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { header, rows, stop, json } = value as Record<string, unknown>;
  if (!Array.isArray(header) || !header.every(isText) || !Array.isArray(rows) || (json !== undefined && typeof json !== "boolean")) return undefined;
  const sampleRows: FileSample["rows"] = [];
  for (const row of rows as unknown[]) {
    const { line, cells, id } = (row ?? {}) as Record<string, unknown>;
    if (typeof line !== "number" || !Array.isArray(cells) || !cells.every((c) => c === null || isText(c)) || (id !== undefined && !isText(id))) return undefined;
    sampleRows.push({ line, cells: cells as Array<string | null>, ...(isText(id) ? { id } : {}) });
  }
  const sample: FileSample = { header, rows: sampleRows, ...(json ? { json: true } : {}) };
  if (stop && typeof stop === "object" && typeof (stop as { line?: unknown }).line === "number" && isMessage((stop as { message?: unknown }).message)) {
    const { line, message, code } = stop as { line: number; message: { zh: string; en: string }; code?: unknown };
    sample.stop = { code: (isText(code) ? code : "badCsv") as NonNullable<FileSample["stop"]>["code"], line, message, params: {} };
  }
  return sample;
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const fail = (status: number, message: string) => Response.json({ error: message }, { status });
  if (!hasRole(user, "drafter")) return fail(403, cohortText(lang, "forbidden"));
  const bytes = await readBodyWithin(request, MAX_PREVIEW_BODY_BYTES);
  if (!bytes) return fail(413, cohortText(lang, "previewTooLarge"));
  let body: { standardId?: unknown; mapping?: unknown; sample?: unknown };
  try {
    body = JSON.parse(bytes.toString("utf8")) as typeof body;
  } catch {
    return fail(400, cohortText(lang, "previewBadRequest"));
  }
  const facts = typeof body.standardId === "string" ? standardFacts(getDb(), body.standardId) : undefined;
  if (!facts) return fail(400, cohortText(lang, "unknownStandard"));
  const sample = asSample(body.sample);
  const mapping = body.mapping && typeof body.mapping === "object" && !Array.isArray(body.mapping) ? (body.mapping as Record<string, unknown>) : undefined;
  if (!sample || (mapping && !Object.values(mapping).every(isText))) return fail(400, cohortText(lang, "previewBadRequest"));
  const preview = previewSample(sample, facts, mapping as Record<string, string> | undefined);
  // Identity numbers are shown as they are kept: masked.
  const idNumberAt = preview.columns.findIndex((c) => c.target === "idNumber");
  if (idNumberAt >= 0) {
    for (const row of preview.rows) {
      const cell = row.cells[idNumberAt];
      if (typeof cell.value === "string") row.cells[idNumberAt] = { text: maskIdNumber(cell.value), value: maskIdNumber(cell.value) };
    }
  }
  // Names too: masked, as they are kept (decision 043).
  const nameAt = preview.columns.findIndex((c) => c.target === "name");
  if (nameAt >= 0) {
    for (const row of preview.rows) {
      const cell = row.cells[nameAt];
      if (typeof cell.value === "string") row.cells[nameAt] = { text: maskName(cell.value), value: maskName(cell.value) };
    }
  }
  return Response.json(preview);
}
