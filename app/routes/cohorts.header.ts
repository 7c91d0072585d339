/**
 * First step of an upload: the file's header and a proposed column mapping. CSV and JSON Lines headers are read in
 * the browser and sent as JSON; an XLSX file is sent whole and only its first row is read here.
 */
import type { Readable } from "node:stream";
import { Readable as NodeReadable } from "node:stream";
import type { ActionFunctionArgs } from "@remix-run/node";
import { recallColumnMapping } from "../../db/cohorts";
import { factChoices, proposeMapping, standardFacts } from "~/features/cohorts/standard-facts.server";
import { cohortText } from "~/features/cohorts/messages";
import { requestLang } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

async function xlsxHeader(input: Readable): Promise<string[]> {
  const { default: ExcelJS } = await import("exceljs");
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: "cache", worksheets: "emit", hyperlinks: "ignore", styles: "ignore", entries: "emit" });
  for await (const worksheet of reader) {
    for await (const row of worksheet as AsyncIterable<{ values: unknown[] }>) {
      return row.values.slice(1).map((v) => {
        if (v === null || v === undefined) return "";
        if (typeof v === "object" && "richText" in (v as object)) return (v as { richText: Array<{ text: string }> }).richText.map((r) => r.text).join("");
        return String(v);
      });
    }
    break;
  }
  return [];
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  if (!hasRole(user, "drafter")) return Response.json({ error: cohortText(lang, "forbidden") }, { status: 403 });
  const url = new URL(request.url);
  const standardId = url.searchParams.get("standardId") ?? "";
  const db = getDb();
  const facts = standardFacts(db, standardId);
  if (!facts) return Response.json({ error: cohortText(lang, "unknownStandard") }, { status: 400 });
  let headers: string[];
  try {
    if (url.searchParams.get("format") === "xlsx") {
      if (!request.body) throw new Error("empty body");
      const input = NodeReadable.fromWeb(request.body as import("node:stream/web").ReadableStream);
      headers = await xlsxHeader(input);
      input.destroy();
    } else {
      const body = (await request.json()) as { headers?: unknown };
      headers = Array.isArray(body.headers) ? body.headers.map((h) => String(h)) : [];
    }
  } catch (error) {
    return Response.json({ error: cohortText(lang, "headerFailed", { detail: error instanceof Error ? error.message : String(error) }) }, { status: 400 });
  }
  const recalled = recallColumnMapping(db, standardId, headers);
  const mapping = { ...proposeMapping(headers, facts), ...(recalled ?? {}) };
  return Response.json({ headers, mapping, recalled: recalled !== undefined, facts: factChoices(facts) });
}
