/** The CLI's language: `--lang`, else JIFEN_LANG, else the POSIX locale (LC_ALL, LC_MESSAGES, LANG); zh* → zh-CN, else en. */
export type CliLang = "zh-CN" | "en";

export function detectLang(explicit?: string, env: NodeJS.ProcessEnv = process.env): CliLang {
  const raw = explicit ?? env.JIFEN_LANG ?? env.LC_ALL ?? env.LC_MESSAGES ?? env.LANG ?? "";
  return /^zh/i.test(raw) ? "zh-CN" : "en";
}

/** Pick the text for the CLI's language. */
export function say(lang: CliLang, text: { zh: string; en: string }): string {
  return lang === "zh-CN" ? text.zh : text.en;
}
