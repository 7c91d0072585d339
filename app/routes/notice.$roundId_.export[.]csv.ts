/**
 * A round's public notice as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese): one line per applicant
 * and pool, ranked, with the masked identities only (decision 043); formula-like cells neutralised by the writer.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "../../applicant-files/csv-writer";
import { getNotice, listAmendments, listRoundResults } from "../../db/rounds";
import { roundText } from "~/features/rounds/messages";
import { amendmentLines, poolTables } from "~/features/rounds/present.server";
import { loadVersion, requireNoticedRound, roundStanding } from "~/features/rounds/rounds.server";
import { requestLang } from "~/i18n";
import { getDb } from "~/lib/db.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const lang = requestLang(request);
  const db = getDb();
  const round = requireNoticedRound(db, params.roundId);
  const notice = getNotice(db, round.id)!;
  const version = loadVersion(db, round.versionId!)!;
  const t = (key: Parameters<typeof roundText>[1], p?: Record<string, string | number>) => roundText(lang, key, p);
  const parts: string[] = [
    "\uFEFF",
    csvLine([t("noticeTitle", { name: round.name })]),
    csvLine([t("noticePeriod", { startsOn: notice.startsOn, endsOn: notice.endsOn, workingDays: notice.workingDays })]),
    csvLine([t("pool"), t("colRank"), t("colRef"), t("colApplicant"), t("colIdNumber"), t("colPoints"), t("colVerdict"), t("cutoff")]),
  ];
  for (const pool of poolTables(lang, version.doc, round, roundStanding(db, round), Number.MAX_SAFE_INTEGER)) {
    for (const row of pool.rows) parts.push(csvLine([pool.label, row.rank ?? "", row.ref, row.name, row.idNumber, row.points, row.verdict + (row.amended ?? ""), pool.cutoff ?? ""]));
  }
  const amendments = amendmentLines(lang, listAmendments(db, round.id), listRoundResults(db, round.id));
  if (amendments.length > 0) parts.push(csvLine([t("amendmentsTitle")]), ...amendments.map((a) => csvLine([a.text])));
  return new Response(parts.join(""), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="notice-${round.id}.csv"`,
    },
  });
}
