/**
 * The UI's two languages. zh-CN is the default; English is chosen with `?lang=en` or the language switch,
 * and remembered in a cookie. See docs/decisions/004-ui-language.md.
 */
import { useRouteLoaderData } from "@remix-run/react";

export type Lang = "zh-CN" | "en";
export const DEFAULT_LANG: Lang = "zh-CN";
export const LANG_COOKIE = "jifen_lang";

export function parseLang(value: string | null | undefined): Lang | undefined {
  if (!value) return undefined;
  if (/^zh/i.test(value)) return "zh-CN";
  if (/^en/i.test(value)) return "en";
  return undefined;
}

/** The language of a request: `?lang=` first, then the cookie, then zh-CN. */
export function requestLang(request: Request): Lang {
  const url = new URL(request.url);
  const fromQuery = parseLang(url.searchParams.get("lang"));
  if (fromQuery) return fromQuery;
  const cookie = request.headers.get("Cookie") ?? "";
  const match = cookie.match(new RegExp(`(?:^|;\\s*)${LANG_COOKIE}=([^;]+)`));
  return parseLang(match?.[1]) ?? DEFAULT_LANG;
}

export function langCookie(lang: Lang): string {
  return `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

const messages = {
  appName: { zh: "积分标准管理平台", en: "Jifen points standards" },
  navStandards: { zh: "计分标准", en: "Standards" },
  navCohorts: { zh: "申请人数据", en: "Cohorts" },
  navSimulations: { zh: "模拟测算", en: "Simulations" },
  navRounds: { zh: "申请批次", en: "Rounds" },
  navTokens: { zh: "部门 API 令牌", en: "API tokens" },
  navIntegrity: { zh: "记录完整性", en: "Integrity" },
  switchLang: { zh: "English", en: "中文" },
  signIn: { zh: "登录", en: "Sign in" },
  signOut: { zh: "退出", en: "Sign out" },
  username: { zh: "用户名", en: "Username" },
  password: { zh: "密码", en: "Password" },
  badCredentials: { zh: "用户名或密码不正确。", en: "Wrong username or password." },
  signInThrottled: {
    zh: "登录失败次数过多，为防止密码被猜测，请 {wait}后再试。",
    en: "Too many failed sign-ins. To protect the password from guessing, please try again in {wait}.",
  },
  signedInAs: { zh: "当前用户", en: "Signed in as" },
  standardsTitle: { zh: "计分标准", en: "Scoring standards" },
  standardsIntro: {
    zh: "本平台保存的各地流动人口积分计分标准及其版本。",
    en: "The points standards held on this platform, with their versions.",
  },
  noStandards: { zh: "尚无计分标准。", en: "No standards yet." },
  colJurisdiction: { zh: "地区", en: "Jurisdiction" },
  colTitle: { zh: "标准名称", en: "Standard" },
  colVersion: { zh: "版本", en: "Version" },
  colStatus: { zh: "状态", en: "Status" },
  colEffective: { zh: "生效期间", en: "In effect" },
  colRevision: { zh: "修订号", en: "Revision" },
  open: { zh: "打开", en: "Open" },
  edit: { zh: "编辑", en: "Edit" },
  view: { zh: "查看", en: "View" },
  openEnded: { zh: "至今", en: "open-ended" },
  notSet: { zh: "未定", en: "not set" },
  status_draft: { zh: "草稿", en: "Draft" },
  status_in_review: { zh: "审核中", en: "In review" },
  status_approved: { zh: "已批准", en: "Approved" },
  status_published: { zh: "已发布", en: "Published" },
  status_superseded: { zh: "已被替代", en: "Superseded" },
  status_withdrawn: { zh: "已撤回", en: "Withdrawn" },
  editorTitle: { zh: "编辑计分标准", en: "Edit standard" },
  identityEffective: { zh: "施行期间：{from} 至 {to}（由发布确定）", en: "In force: {from} to {to} (set by publishing)" },
  identityEffectiveOpen: { zh: "施行期间：{from} 起，未设终止日期（由发布确定）", en: "In force from {from}, open-ended (set by publishing)" },
  identityNotEffective: { zh: "尚未发布：生效日期在发布时确定", en: "Not yet published: the effective date is set when it is published" },
  identityDocumentNumber: { zh: "文号：{number}", en: "Document number: {number}" },
  returnedBanner: { zh: "此版本已被 {who} 于 {at} 退回修改。", en: "{who} returned this version for changes on {at}." },
  returnedReason: { zh: "退回原因：{reason}", en: "Reason: {reason}" },
  editorReadOnlyRole: {
    zh: "您没有起草权限，只能查看此草稿；修改由起草人完成。",
    en: "You do not have the drafter role: you can read this draft, and a drafter edits it.",
  },
  editorReadOnly: {
    zh: "此版本状态为“{status}”，不可修改。如需修改，请基于它起草新版本。",
    en: "This version is {status} and cannot change. Draft a new version to revise it.",
  },
  editorLoading: { zh: "正在加载编辑器…", en: "Loading the editor…" },
  save: { zh: "保存", en: "Save" },
  saving: { zh: "正在保存…", en: "Saving…" },
  saved: { zh: "已保存，修订号 {revision}。", en: "Saved as revision {revision}." },
  saveUnchanged: { zh: "内容没有变化，未生成新修订（仍为修订号 {revision}）。", en: "Nothing changed: no new revision was made (still revision {revision})." },
  saveInvalidJson: {
    zh: "未保存：JSON 格式错误，第 {line} 行第 {column} 列：{detail}",
    en: "Not saved: the JSON is malformed at line {line}, column {column}: {detail}",
  },
  saveConflict: {
    zh: "未保存：其他人已将此版本保存为修订号 {current}（您基于修订号 {base} 编辑）。请重新加载后再合并您的修改，您的文本仍保留在编辑器中。",
    en: "Not saved: someone else saved this version as revision {current} while you were editing revision {base}. Reload and merge your changes; your text is still in the editor.",
  },
  saveNotEditable: { zh: "未保存：此版本状态为“{status}”，不可修改。", en: "Not saved: this version is {status} and cannot change." },
  saveForbidden: { zh: "未保存：您没有起草权限。", en: "Not saved: you do not have the drafter role." },
  documentTooLarge: {
    zh: "文档大小为 {size} MB，超过 {limit} MB 的上限，未校验也未保存。请删去不需要的内容（如过长的说明或测试用例）。",
    en: "The document is {size} MB, over the {limit} MB limit; it was neither checked nor saved. Remove what is not needed (long notes or test cases).",
  },
  documentTooLargeUnknown: {
    zh: "文档超过 {limit} MB 的上限，未校验也未保存。请删去不需要的内容（如过长的说明或测试用例）。",
    en: "The document is over the {limit} MB limit; it was neither checked nor saved. Remove what is not needed (long notes or test cases).",
  },
  problemsTitle: { zh: "校验问题", en: "Problems" },
  savedWithProblems: {
    zh: "已保存为修订号 {revision}，但文档仍有 {count} 个问题，提交审核前需要修正。",
    en: "Saved as revision {revision}, but the document still has {count} problem(s) to fix before it can be submitted.",
  },
  colPlace: { zh: "位置", en: "Place" },
  colCode: { zh: "代码", en: "Code" },
  colMessage: { zh: "说明", en: "Message" },
  noProblems: { zh: "未发现问题。", en: "No problems found." },
  back: { zh: "返回", en: "Back" },
  readTable: { zh: "标准表格", en: "Official table" },
  tryApplicant: { zh: "试算申请人", en: "Try an applicant" },
  reviewPublish: { zh: "审核与发布", en: "Review and publish" },
  history: { zh: "修订历史", en: "History" },
  compare: { zh: "版本比较", en: "Compare" },
  notFound: { zh: "未找到该页面。", en: "Page not found." },
  notFoundHint: { zh: "地址可能有误，或该页面已不存在。", en: "The address may be mistyped, or the page no longer exists." },
  errorTitle: { zh: "出错了", en: "Something went wrong" },
  errorHint: { zh: "请求未能完成，请返回后重试；如仍出错，请联系系统管理员。", en: "The request could not be completed. Go back and try again; if it happens again, tell the administrator." },
  forbiddenTitle: { zh: "无权访问", en: "Not allowed" },
  forbiddenHint: { zh: "您的角色无权查看或执行此操作。", en: "Your role does not allow this page or action." },
  badRequestHint: { zh: "请求的内容有误，未做任何更改。", en: "The request was not understood; nothing was changed." },
  demoHint: {
    zh: "演示账号：admin / drafter / reviewer / publisher，密码 jifen-demo",
    en: "Demo accounts: admin / drafter / reviewer / publisher, password jifen-demo",
  },
} as const;

export type MessageKey = keyof typeof messages;

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(messages, key);
}

export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const entry = messages[key];
  return fill(lang === "en" ? entry.en : entry.zh, params);
}

export function pick(lang: Lang, text: { zh: string; en: string }): string {
  return lang === "en" ? text.en : text.zh;
}

export type Catalogue = Record<string, { zh: string; en: string }>;

/**
 * A count's noun in English agrees with it: "{count} record(s)" reads "1 record" or "3 records" (the "(s)" of up to
 * three words after a placeholder whose value is a number). Chinese needs nothing.
 */
function agree(text: string, params: Record<string, string | number>): string {
  if (!text.includes("(s)")) return text;
  return text.replace(/\{(\w+)\}((?:\s+[A-Za-z-]+){1,3})\(s\)/g, (whole, name: string, words: string) => {
    const value = params[name];
    const count = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined;
    if (count === undefined) return whole;
    return `{${name}}${words}${count === 1 ? "" : "s"}`;
  });
}

function fill(text: string, params?: Record<string, string | number>): string {
  if (!params) return text;
  let out = agree(text, params);
  for (const [name, value] of Object.entries(params)) out = out.split(`{${name}}`).join(String(value));
  return out;
}

/**
 * A feature's own message catalogue (kept beside the feature, e.g. app/features/simulation/messages.ts), so features
 * do not all edit one file. Returns a hook and a server-side translator, both typed by the catalogue's keys.
 */
export function defineMessages<C extends Catalogue>(catalogue: C) {
  const translateIn = (lang: Lang, key: keyof C & string, params?: Record<string, string | number>) =>
    fill(lang === "en" ? catalogue[key].en : catalogue[key].zh, params);
  function useMessages() {
    const data = useRouteLoaderData("root") as { lang?: Lang } | undefined;
    const lang = data?.lang ?? DEFAULT_LANG;
    return { lang, m: (key: keyof C & string, params?: Record<string, string | number>) => translateIn(lang, key, params) };
  }
  return { useMessages, translateIn };
}

/** The current language and a translator bound to it, from the root loader's data. */
export function useT(): { lang: Lang; t: (key: MessageKey, params?: Record<string, string | number>) => string } {
  const data = useRouteLoaderData("root") as { lang?: Lang } | undefined;
  const lang = data?.lang ?? DEFAULT_LANG;
  return { lang, t: (key, params) => translate(lang, key, params) };
}
