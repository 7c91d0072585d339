/**
 * `jifen audit verify [--database FILE] [--json]`: checks the tamper evidence of a database file (DATABASE_URL by
 * default) without changing it: the hash chains of the audit trail and the decision logs, and every published
 * version's document against the content hash recorded when it was published. Prints each chain's length and head
 * (to be recorded elsewhere). Exit 0 intact, 1 a break (the first broken row named), 2 usage (no such database).
 * See docs/decisions/017-tamper-evident-logs.md.
 */
import type { Command } from "commander";
import { databasePath, openDatabaseReadOnly } from "../../db/connection";
import { verifyIntegrity, type IntegrityReport } from "../../db/integrity";
import { detectLang, say, type CliLang } from "../locale";

const BROKEN = 1;
const USAGE_ERROR = 2;

function describe(lang: CliLang, path: string, report: IntegrityReport): string {
  const lines = [say(lang, { zh: `核验数据库：${path}（${report.checkedAt}）`, en: `Verified database: ${path} (${report.checkedAt})` })];
  if (!report.chained) {
    lines.push(
      say(lang, {
        zh: "此数据库的记录尚无哈希链：请先用当前版本启动一次服务（或运行任一其他命令）完成迁移，再核验。",
        en: "This database's records are not hash-chained yet: start the server (or run any other command) once with this release to migrate it, then verify.",
      }),
    );
    return lines.join("\n");
  }
  for (const chain of report.chains) {
    const state = chain.intact ? say(lang, { zh: "完整", en: "intact" }) : say(lang, { zh: "已损坏", en: "BROKEN" });
    lines.push(
      say(lang, {
        zh: `${chain.name.zh}：${chain.rows} 条；链头 ${chain.head}；${state}`,
        en: `${chain.name.en}: ${chain.rows} ${chain.rows === 1 ? "entry" : "entries"}; head ${chain.head}; ${state}`,
      }),
    );
    if (chain.firstBreak) lines.push(`  ${say(lang, chain.firstBreak.message)}`);
  }
  const documents = report.documents;
  lines.push(
    documents.intact
      ? say(lang, {
          zh: `已发布版本的文档：${documents.checked} 个，均与发布时记下的内容哈希一致`,
          en: `Published versions' documents: ${documents.checked}, each with the content hash recorded when it was published`,
        })
      : say(lang, { zh: `已发布版本的文档：${documents.checked} 个，已损坏`, en: `Published versions' documents: ${documents.checked}; BROKEN` }),
  );
  if (documents.firstBreak) lines.push(`  ${say(lang, documents.firstBreak.message)}`);
  lines.push(
    report.intact
      ? say(lang, { zh: "结论：完整，未发现改动。请把以上链头另行记录，以便日后比对。", en: "Result: intact, nothing was changed. Record the heads above elsewhere to compare later." })
      : say(lang, { zh: "结论：记录在写入后被改动过（见上）。", en: "Result: records were changed after they were written (see above)." }),
  );
  return lines.join("\n");
}

export function register(program: Command): void {
  const audit = program.command("audit").description("tamper evidence of the audit trail and decision logs / 操作记录与计分决定记录的防篡改核验");
  audit
    .command("verify")
    .description("check the hash chains and published documents of a database file / 核验数据库文件的哈希链与已发布文档")
    .option("--database <file>", "the SQLite file to check (default: DATABASE_URL, else ./data/jifen.sqlite)")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nExit codes / 退出码: 0 intact / 完整; 1 a record was changed, or the file is damaged / 记录被改动或文件损坏; 2 no such database file / 找不到数据库文件\n",
    )
    .action((options: { database?: string; json?: boolean }, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      const path = databasePath(options.database ?? process.env.DATABASE_URL);
      let sqlite;
      try {
        sqlite = openDatabaseReadOnly(path);
      } catch (error) {
        if (String((error as { code?: unknown }).code).startsWith("SQLITE_CORRUPT")) {
          process.stderr.write(say(lang, { zh: `${path} 已损坏，无法读出其记录。`, en: `${path} is damaged; its records cannot be read.` }) + "\n");
          process.exitCode = BROKEN;
          return;
        }
        const reason = (error as { code?: string }).code === "SQLITE_CANTOPEN" ? say(lang, { zh: "文件不存在或无法打开", en: "the file does not exist or cannot be opened" }) : say(lang, { zh: "不是 SQLite 数据库", en: "it is not a SQLite database" });
        process.stderr.write(say(lang, { zh: `无法核验 ${path}：${reason}。`, en: `Cannot verify ${path}: ${reason}.` }) + "\n");
        process.exitCode = USAGE_ERROR;
        return;
      }
      let report: IntegrityReport;
      try {
        report = verifyIntegrity(sqlite);
      } catch (error) {
        // A file damaged below the rows (SQLite's own structure) is a finding about the file, not a usage error.
        if (!/^SQLITE_(CORRUPT|NOTADB)/.test(String((error as { code?: unknown }).code))) throw error;
        process.stderr.write(
          say(lang, { zh: `${path} 已损坏，无法读出其记录：${(error as Error).message}`, en: `${path} is damaged; its records cannot be read: ${(error as Error).message}` }) + "\n",
        );
        process.exitCode = BROKEN;
        return;
      } finally {
        sqlite.close();
      }
      process.stdout.write((options.json ? JSON.stringify({ database: path, ...report }, null, 2) : describe(lang, path, report)) + "\n");
      if (!report.intact) process.exitCode = BROKEN;
    });
}
