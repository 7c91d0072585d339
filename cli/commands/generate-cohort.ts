/**
 * `jifen generate-cohort --standard S --size N --seed K [--date D] [--format jsonl|csv] [--out FILE]`: writes
 * reproducible synthetic applicants (same seed → byte-identical file). JSON Lines rows are {"id", "facts"};
 * CSV has an `id` column then one column per fact (records as JSON in the cell).
 */
import { createWriteStream, type WriteStream } from "node:fs";
import type { Command } from "commander";
import { detectLang, say } from "../locale";
import { generateApplicants } from "../../engine/cohorts/cohort-generate";
import { csvLine } from "../../applicant-files/applicants";
import { checkDate, CliFailure, loadStandard, progressLine, reportFailure, USAGE_ERROR } from "../allocation-options";
import { applicationFacts } from "../../rules-schema/persons";

interface GenerateOptions {
  standard: string;
  size: string;
  seed: string;
  date?: string;
  format?: string;
  out?: string;
}

async function write(out: WriteStream | NodeJS.WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
}

export function register(program: Command): void {
  program
    .command("generate-cohort")
    .description("write reproducible synthetic applicants for a standard / 生成可复现的模拟申请人")
    .requiredOption("--standard <file>", "standard document (JSON)")
    .requiredOption("--size <n>", "number of applicants")
    .requiredOption("--seed <seed>", "seed (same seed → same applicants)")
    .option("--date <date>", "reference date YYYY-MM-DD for dates (default: the standard's effectiveFrom)")
    .option("--format <format>", "jsonl or csv", "jsonl")
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (options: GenerateOptions, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      try {
        if (!/^\d+$/.test(options.size)) {
          throw new CliFailure({ zh: `--size 须为非负整数（收到 “${options.size}”）`, en: `--size must be a whole number (got "${options.size}")` }, USAGE_ERROR);
        }
        if (options.format !== "jsonl" && options.format !== "csv") {
          throw new CliFailure({ zh: "--format 须为 jsonl 或 csv", en: "--format must be jsonl or csv" }, USAGE_ERROR);
        }
        const date = options.date === undefined ? undefined : checkDate(options.date, "--date");
        const doc = loadStandard(options.standard, lang);
        const size = Number(options.size);
        const out = options.out ? createWriteStream(options.out) : process.stdout;
        const factIds = applicationFacts(doc).map((f) => f.id);
        if (options.format === "csv") await write(out, csvLine(["id", ...factIds]));
        const progress = options.out ? progressLine(lang, { zh: "生成", en: "Generating" }) : () => {};
        let done = 0;
        let buffer = "";
        for (const { id, facts } of generateApplicants(doc, size, options.seed, date ? { referenceDate: date } : {})) {
          buffer += options.format === "csv" ? csvLine([id, ...factIds.map((f) => facts[f])]) : JSON.stringify({ id, facts }) + "\n";
          done++;
          if (buffer.length > 1 << 16) {
            await write(out, buffer);
            buffer = "";
          }
          if (done % 50_000 === 0) progress(done, size);
        }
        await write(out, buffer);
        progress(size, size);
        if (out !== process.stdout) await new Promise<void>((resolve) => (out as WriteStream).end(() => resolve()));
        if (options.out) {
          process.stderr.write(say(lang, { zh: `已生成 ${size} 名申请人：${options.out}`, en: `${size} applicants written to ${options.out}` }) + "\n");
        }
      } catch (error) {
        reportFailure(error, lang);
      }
    });
}
