/**
 * `jifen` command line. Each file in cli/commands/ exports `register(program)` and adds one command.
 * Exit codes: 0 success, 1 the input was checked and found wanting (invalid document, failing case),
 * 2 usage error (unknown option, missing file argument).
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";

export const USAGE_ERROR = 2;

const here = dirname(fileURLToPath(import.meta.url));
const program = new Command("jifen")
  .description("Jifen (积分): scoring standards as data — validate, test, score, rank, simulate")
  .option("--lang <lang>", "output language: zh-CN or en (default from LANG)")
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
  throw err;
}
