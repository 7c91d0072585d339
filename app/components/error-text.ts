/** What an error page says, in the UI's language (root and route error boundaries share it). */
import { translate, type Lang } from "~/i18n";

const CJK = /[\u4e00-\u9fff]/;

/**
 * A thrown response's own message when it is in the page's language; otherwise (Remix's "No route matches URL …", a
 * bare "Not found") the officer's words for its status.
 */
export function errorText(error: { status: number; data: unknown }, lang: Lang): string {
  const own = typeof error.data === "string" ? error.data.trim() : "";
  const inPageLanguage = own !== "" && !own.startsWith("Error: No route matches") && (lang === "zh-CN" ? CJK.test(own) : !CJK.test(own) && own !== "Not found");
  if (inPageLanguage) return own;
  if (error.status === 404) return translate(lang, "notFoundHint");
  if (error.status === 403) return translate(lang, "forbiddenHint");
  if (error.status === 400) return translate(lang, "badRequestHint");
  return translate(lang, "errorHint");
}

export function errorTitle(status: number, lang: Lang): string {
  if (status === 404) return translate(lang, "notFound");
  if (status === 403) return translate(lang, "forbiddenTitle");
  return translate(lang, "errorTitle");
}

