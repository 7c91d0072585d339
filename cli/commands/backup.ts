import type { Command } from "commander";
import { backupDatabase, exportEverything } from "../../db/export";
import { openCliDatabase } from "../database";
import { detectLang, say } from "../locale";

export function register(program: Command): void {
  program
    .command("backup")
    .description("copy the database (DATABASE_URL) to FILE, consistently, while the server may be running")
    .requiredOption("--out <file>", "destination SQLite file")
    .action(async (opts: { out: string }, cmd: Command) => {
      const lang = detectLang(cmd.optsWithGlobals().lang);
      try {
        const db = openCliDatabase({ mustExist: true });
        const { pages } = await backupDatabase(db, opts.out);
        db.$client.close();
        console.log(say(lang, { zh: `已备份到 ${opts.out}（${pages} 页）`, en: `Backed up to ${opts.out} (${pages} pages)` }));
      } catch (error) {
        console.error(say(lang, { zh: `备份失败：${(error as Error).message}`, en: `Backup failed: ${(error as Error).message}` }));
        process.exitCode = 1;
      }
    });

  program
    .command("export")
    .description("export everything (standards, versions, revisions, audit log, cohorts, runs, decisions) as JSON files into DIR")
    .requiredOption("--out <dir>", "destination folder")
    .action(async (opts: { out: string }, cmd: Command) => {
      const lang = detectLang(cmd.optsWithGlobals().lang);
      try {
        const db = openCliDatabase({ mustExist: true });
        const counts = await exportEverything(db, opts.out);
        db.$client.close();
        for (const [table, n] of Object.entries(counts)) console.log(`${table}\t${n}`);
        console.log(say(lang, { zh: `已导出到 ${opts.out}`, en: `Exported to ${opts.out}` }));
      } catch (error) {
        console.error(say(lang, { zh: `导出失败：${(error as Error).message}`, en: `Export failed: ${(error as Error).message}` }));
        process.exitCode = 1;
      }
    });
}
