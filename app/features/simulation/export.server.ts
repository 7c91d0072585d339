/** One row per applicant for the exports: ref, total/rank/admitted before and after, and the items that changed. */
import { applicantChange } from "../../../engine/simulation/simulate";
import type { Lang } from "~/i18n";
import { simulationText } from "./messages";
import type { LoadedRun } from "./run.server";

export function exportHeader(lang: Lang): string[] {
  return lang === "en"
    ? ["applicant", "total before", "rank before", "admitted before", "total after", "rank after", "admitted after", "change", "changed items"]
    : ["申请编号", "总分（前）", "名次（前）", "录取（前）", "总分（后）", "名次（后）", "录取（后）", "变化", "变化的项目"];
}

export function* exportRows(loaded: LoadedRun, lang: Lang): Generator<Array<string | number>> {
  const labels = new Map<string, string>();
  for (const item of [...loaded.baseline.items, ...loaded.candidate.items]) labels.set(item.id, lang === "en" ? item.label.en : item.label.zh);
  const admitted = (outcome: string | null) =>
    outcome === "round1" ? simulationText(lang, "admitted_round1") : outcome === "round2" ? simulationText(lang, "admitted_round2") : simulationText(lang, "notAdmitted");
  const size = loaded.result.summary.applicants;
  for (let i = 0; i < size; i++) {
    const c = applicantChange(loaded.result, i);
    const wasIn = c.admittedBefore !== null;
    const isIn = c.admittedAfter !== null;
    const change = isIn && !wasIn ? simulationText(lang, "entered") : wasIn && !isIn ? simulationText(lang, "left") : "";
    yield [
      c.id,
      c.totalBefore,
      c.rankBefore ?? "",
      admitted(c.admittedBefore),
      c.totalAfter,
      c.rankAfter ?? "",
      admitted(c.admittedAfter),
      change,
      c.items.map((item) => `${labels.get(item.id) ?? item.id} (${item.id}): ${item.before} → ${item.after}`).join("; "),
    ];
  }
}
