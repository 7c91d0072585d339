/**
 * `jifen what-it-takes --standard FILE --program P --facts FILE.json (--line N) [--date D] [--actionable a,b] [--json]`:
 * for an applicant below the line, the smallest changes of the facts he can act on (those the standard marks
 * `actionable`, or the ones named) that reach it, in words (engine/levers/what-it-takes.ts). The line is the
 * program's threshold when it has one, else `--line` (a pool's cut-off, from `jifen rank` or the simulation).
 * Exit 0 with an answer (also "nothing reaches it"), 1 when the inputs are found wanting, 2 on usage errors.
 */
import type { Command } from "commander";
import { whatItTakes } from "../../engine/levers/what-it-takes";
import { describeWhatItTakes } from "../../engine/levers/what-it-takes-words";
import { checkDate, checkProgram, CliFailure, loadStandard, reportFailure, USAGE_ERROR } from "../allocation-options";
import { detectLang, type CliLang } from "../locale";
import { readFactsFile } from "./score";

interface WhatItTakesOptions {
  standard: string;
  program: string;
  facts: string;
  line?: string;
  date?: string;
  actionable?: string;
  json?: boolean;
}

async function run(options: WhatItTakesOptions, lang: CliLang): Promise<void> {
  const doc = loadStandard(options.standard, lang);
  const programId = checkProgram(doc, options.program);
  const program = doc.programs.find((p) => p.id === programId)!;
  const date = checkDate(options.date ?? program.evaluationCutoff?.date, "--date");
  let line: number;
  if (options.line !== undefined) {
    line = Number(options.line);
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(options.line) || !Number.isFinite(line)) {
      throw new CliFailure({ zh: `--line 须为分数（收到 “${options.line}”）`, en: `--line must be a number of points (got "${options.line}")` }, USAGE_ERROR);
    }
  } else if (program.allocation.kind === "threshold") {
    line = program.allocation.threshold;
  } else {
    throw new CliFailure(
      {
        zh: "此项目按名额排序，请用 --line 给出所在名额池的录取分数线（见 jifen rank 或模拟结果）",
        en: "This program ranks by quota: give the cut-off of the applicant's pool with --line (from jifen rank or the simulation)",
      },
      USAGE_ERROR,
    );
  }
  let actionable: string[] | undefined;
  if (options.actionable !== undefined) {
    actionable = options.actionable.split(",").map((id) => id.trim()).filter(Boolean);
    const unknown = actionable.filter((id) => !doc.facts.some((fact) => fact.id === id));
    if (unknown.length > 0) {
      throw new CliFailure({ zh: `--actionable 中有标准未定义的事实：${unknown.join("、")}`, en: `--actionable names facts the standard does not define: ${unknown.join(", ")}` }, USAGE_ERROR);
    }
  }
  const facts = readFactsFile(options.facts, doc, lang);
  const result = whatItTakes({ doc, programId, facts, date, line, actionable });
  const words = lang === "en" ? "en" : "zh";
  process.stdout.write(options.json ? JSON.stringify(result, null, 2) + "\n" : describeWhatItTakes(doc, result, words).join("\n") + "\n");
}

export function register(program: Command): void {
  program
    .command("what-it-takes")
    .description("what an applicant below the line could change to reach it / 申请人还差什么才能达到分数线")
    .requiredOption("--standard <file>", "standard document (JSON)")
    .requiredOption("--program <id>", "program id")
    .requiredOption("--facts <file>", "the applicant's facts (JSON object)")
    .option("--line <points>", "the line to reach (default: the program's threshold)")
    .option("--date <date>", "evaluation date YYYY-MM-DD (default: the program's cut-off date)")
    .option("--actionable <ids>", "facts the applicant may change, comma-separated (default: those the standard marks actionable)")
    .option("--json", "print the answer as JSON")
    .action(async (options: WhatItTakesOptions, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);
      try {
        await run(options, lang);
      } catch (error) {
        if (error instanceof CliFailure) return reportFailure(error, lang);
        throw error;
      }
    });
}
