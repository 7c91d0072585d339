/**
 * `jifen round replay <id> [--json]`: replays every decision of an application round on DATABASE_URL (each logged
 * input on the logged version, its content checked against the recorded hash; the places allocated again) and says
 * whether each is identical (docs/decisions/042-application-rounds.md). Exit 0 all identical, 1 a difference, 2 no
 * such round or database.
 */
import type { Command } from "commander";
import type { ReplayDifference } from "../../app/features/rounds/rounds.server";
import { openCliDatabase } from "../database";
import { detectLang, say } from "../locale";

const DIFFERENT = 1;
const USAGE_ERROR = 2;

const WHAT: Record<ReplayDifference["what"], { zh: string; en: string }> = {
  version: { zh: "所用版本缺失或内容与记录的哈希不符", en: "its version is missing or its content does not match the recorded hash" },
  input: { zh: "输入与记录的输入哈希不符", en: "its input does not match the recorded input hash" },
  score: { zh: "重算的分数与记录不同", en: "the score recomputed differs from the one logged" },
  place: { zh: "重新排名的名次或录取结果与公布的不同", en: "its rank or admission, allocated again, differs from the one stored" },
};

export function register(program: Command): void {
  const round = program.command("round").description("application rounds / 申请批次");
  round
    .command("replay")
    .description("replay every logged decision of a round and report identical or different / 重放申请批次的每个计分决定，报告是否一致")
    .argument("<id>", "the round's number / 批次编号")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExit codes / 退出码: 0 all identical / 全部一致; 1 a difference / 有不一致; 2 no such round or database / 找不到批次或数据库\n")
    .action(async (rawId: string, options: { json?: boolean }, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      const id = /^\d+$/.test(rawId) ? Number(rawId) : NaN;
      let db;
      try {
        db = openCliDatabase({ mustExist: true });
      } catch (error) {
        process.stderr.write(say(lang, { zh: `无法打开数据库：${(error as Error).message}`, en: `Cannot open the database: ${(error as Error).message}` }) + "\n");
        process.exitCode = USAGE_ERROR;
        return;
      }
      // Loaded here, not at start: every jifen command registers this one, and the engine and the rounds' modules
      // cost every other command about half a second to load.
      const [{ replayRound }, { getRound }] = await Promise.all([import("../../app/features/rounds/rounds.server"), import("../../db/rounds")]);
      try {
        const found = Number.isSafeInteger(id) ? getRound(db, id) : undefined;
        const report = found ? replayRound(db, id) : undefined;
        if (!found || !report) {
          process.stderr.write(say(lang, { zh: `没有编号为 ${rawId} 的申请批次。`, en: `There is no round ${rawId}.` }) + "\n");
          process.exitCode = USAGE_ERROR;
          return;
        }
        const identical = report.differences.length === 0;
        if (options.json) {
          process.stdout.write(JSON.stringify({ ...report, allIdentical: identical }, null, 2) + "\n");
        } else {
          const lines = [
            say(lang, {
              zh: `申请批次 ${id}“${found.name}”：重放 ${report.decisions} 个计分决定，${report.identical} 个与记录一致。`,
              en: `Round ${id} "${found.name}": ${report.decisions} decisions replayed, ${report.identical} identical to the log.`,
            }),
          ];
          for (const d of report.differences.slice(0, 50)) {
            lines.push(`  ${say(lang, { zh: `申请编号 ${d.applicantRef}（决定 ${d.decisionId}）：${WHAT[d.what].zh}`, en: `application ${d.applicantRef} (decision ${d.decisionId}): ${WHAT[d.what].en}` })}`);
          }
          lines.push(
            identical
              ? say(lang, { zh: "结论：全部一致。", en: "Result: all identical." })
              : say(lang, { zh: `结论：${report.differences.length} 处不一致（见上）。`, en: `Result: ${report.differences.length} difference(s) (see above).` }),
          );
          process.stdout.write(lines.join("\n") + "\n");
        }
        if (!identical) process.exitCode = DIFFERENT;
      } finally {
        db.$client.close();
      }
    });
}
