/**
 * `jifen` command line. Each file in cli/commands/ exports `register(program)` and adds one command.
 * Exit codes: 0 success, 1 the input was checked and found wanting (invalid document, failing case),
 * 2 usage error (unknown option, missing file argument), 3 an internal error (a bug: reported as one line, without
 * a stack trace unless JIFEN_DEBUG=1, so it is never taken for "invalid").
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";

export const USAGE_ERROR = 2;
export const INTERNAL_ERROR = 3;

const EXIT_CODES = `
Exit codes / 退出码:
  0  success / 成功
  1  input checked and found wanting (invalid document or file, failing case) / 输入经检查有误（文档或文件无效、用例未通过）
  2  usage error (unknown option, missing file, bad --date) / 用法错误（未知选项、找不到文件、日期无效）
  3  internal error, a bug to report (set JIFEN_DEBUG=1 for its stack trace) / 内部错误，请报告（JIFEN_DEBUG=1 显示调用栈）
`;

/** Anything no command reported itself: one line in both languages and exit 3, never a stack trace on its own. */
function internalError(error: unknown): never {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`jifen: 内部错误 / internal error: ${detail.length > 300 ? `${detail.slice(0, 297)}...` : detail}
`);
  if (process.env.JIFEN_DEBUG === "1" && error instanceof Error && error.stack) process.stderr.write(error.stack + "\n");
  process.exit(INTERNAL_ERROR);
}
process.on("uncaughtException", internalError);
process.on("unhandledRejection", internalError);

const here = dirname(fileURLToPath(import.meta.url));
const program = new Command("jifen")
  .description("Jifen (积分): scoring standards as data — validate, test, score, rank, simulate")
  .option("--lang <lang>", "output language: zh-CN or en (default from LANG)")
  .addHelpText("after", EXIT_CODES)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const commandFiles = readdirSync(join(here, "commands"))
  .filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f))
  .sort();
for (const file of commandFiles) {
  const mod = (await import(pathToFileURL(join(here, "commands", file)).href)) as {
    register: (p: Command) => void;
  };
  mod.register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0) {
      process.exit(0);
    }
    process.exit(USAGE_ERROR);
  }
  internalError(err);
}
