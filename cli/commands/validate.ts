/**
 * `jifen validate FILE...`: checks standard documents. Exit 0 when every file is valid, 1 when any is not
 * (including malformed JSON), 2 on a usage error (no file, file not found).
 */
import { readFileSync, statSync } from "node:fs";
import type { Command } from "commander";
import { validateDocumentText } from "../../rules-schema/validate";
import type { ValidationProblem } from "../../rules-schema/errors";
import { detectLang, say } from "../locale";

const INVALID = 1;
const USAGE_ERROR = 2;

interface FileReport {
  file: string;
  ok: boolean;
  problems: ValidationProblem[];
}

export function register(program: Command): void {
  program
    .command("validate")
    .description("check scoring-standard documents against the schema and the semantic rules / 校验计分标准文档")
    .argument("<files...>", "document files (JSON)")
    .option("--json", "print one JSON object { files: [{ file, ok, problems }] } instead of text")
    .action((files: string[], options: { json?: boolean }, command: Command) => {
      const lang = detectLang(command.optsWithGlobals<{ lang?: string }>().lang);

      const missing = files.filter((file) => !isReadableFile(file));
      if (missing.length > 0) {
        for (const file of missing) {
          process.stderr.write(say(lang, { zh: `找不到文件：${file}`, en: `File not found: ${file}` }) + "\n");
        }
        process.exitCode = USAGE_ERROR;
        return;
      }

      const reports: FileReport[] = files.map((file) => {
        const result = validateDocumentText(readFileSync(file, "utf8"));
        return { file, ok: result.ok, problems: result.problems };
      });

      if (options.json) {
        process.stdout.write(JSON.stringify({ files: reports }, null, 2) + "\n");
      } else {
        process.stdout.write(humanReport(reports, lang));
      }
      if (reports.some((r) => !r.ok)) process.exitCode = INVALID;
    });
}

function isReadableFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function humanReport(reports: FileReport[], lang: "zh-CN" | "en"): string {
  const lines: string[] = [];
  for (const report of reports) {
    for (const p of report.problems) {
      const place = p.line !== undefined ? `${report.file}:${p.line}:${p.column ?? 1}` : report.file;
      const severity = p.severity === "warning" ? say(lang, { zh: "（警告）", en: " (warning)" }) : "";
      const where = p.path ? `  [${p.path}]` : "";
      lines.push(`${place}  ${p.code}${severity}  ${say(lang, p.message)}${where}`);
    }
  }
  const invalid = reports.filter((r) => !r.ok).length;
  const errors = reports.reduce((n, r) => n + r.problems.filter((p) => p.severity === "error").length, 0);
  const warnings = reports.reduce((n, r) => n + r.problems.filter((p) => p.severity === "warning").length, 0);
  lines.push(
    invalid === 0
      ? say(lang, {
          zh: `${reports.length} 个文件全部有效${warnings ? `（${warnings} 个警告）` : ""}`,
          en: `${reports.length} file(s) valid${warnings ? ` (${warnings} warning(s))` : ""}`,
        })
      : say(lang, {
          zh: `${reports.length} 个文件中 ${invalid} 个无效：${errors} 个错误，${warnings} 个警告`,
          en: `${invalid} of ${reports.length} file(s) invalid: ${errors} error(s), ${warnings} warning(s)`,
        }),
  );
  return lines.join("\n") + "\n";
}
