/** Texts of the public self-estimate (自评分 / 积分自测), in the applicant's words. */
import { defineMessages } from "../../i18n";

export const { useMessages: useEstimateMessages, translateIn: estimateText } = defineMessages({
  pageTitle: { zh: "积分自测", en: "Self-estimate" },
  brand: { zh: "积分自测", en: "Points self-estimate" },
  intro: {
    zh: "按下列问题填写您的情况，即可按现行计分标准估算积分，并逐项说明理由。不知道或不适用的问题可以不填。",
    en: "Answer the questions below to estimate your points under the standard in force, with the reason for every item. Leave out what you do not know or what does not apply.",
  },
  notStored: {
    zh: "本页面不保存、不记录您填写的任何内容；估算结果仅供参考，不作为申请或审核的依据，以主管部门核定的积分为准。",
    en: "Nothing you enter here is stored or recorded. The estimate is for your information only: it is not an application, and the points the authorities confirm are what count.",
  },
  versionLine: { zh: "现行版本：{version}，自 {from} 起施行", en: "Version in force: {version}, since {from}" },
  versionUntil: { zh: "，至 {to} 止", en: ", until {to}" },
  documentNumber: { zh: "文号：{number}", en: "Document number: {number}" },
  evaluatedToday: {
    zh: "积分按今天（{date}）计算：年龄、年限等均算至今天。",
    en: "Points are counted as of today ({date}): ages and periods are counted up to today.",
  },
  program: { zh: "申请事项", en: "What you are applying for" },
  programHint: { zh: "不同事项的计分项目和条件可能不同，问题会随之调整。", en: "Items and conditions can differ between programs; the questions follow your choice." },
  sectionYou: { zh: "您的情况", en: "About you" },
  sectionFamily: { zh: "家庭情况", en: "Your family" },
  personYou: { zh: "您本人", en: "You" },
  married: { zh: "您是否已婚？", en: "Are you married?" },
  marriedHint: {
    zh: "已婚的，配偶的积分也会计算，按积分较高的一方计分。",
    en: "If you are married, your spouse's points are worked out too, and the higher of the two counts.",
  },
  personPresent: { zh: "是否填写{person}的情况？", en: "Fill in the {person}'s circumstances?" },
  personPresentHint: { zh: "填写后，按积分较高的一方计分。", en: "If you do, the one with more points counts." },
  yes: { zh: "是", en: "Yes" },
  no: { zh: "否", en: "No" },
  personSection: { zh: "{person}的情况", en: "The {person}'s circumstances" },
  line: { zh: "录取分数线（如已知，可不填）", en: "Cut-off (if you know it; optional)" },
  lineHint: {
    zh: "填写往期公布的录取分数线，低于分数线时列出还差什么。",
    en: "Enter a cut-off published for an earlier round to see what it would take to reach it.",
  },
  lineInvalid: { zh: "分数线须为数字，例如 120。", en: "The cut-off must be a number, for example 120." },
  submit: { zh: "估算积分", en: "Estimate my points" },
  computing: { zh: "正在计算…", en: "Computing…" },
  formHasErrors: { zh: "有 {count} 处填写有误，请按提示修改（已填内容均保留）。", en: "{count} answer(s) need correcting (everything you entered is kept)." },
  result: { zh: "估算结果", en: "Your estimate" },
  resultFor: { zh: "{standard} · {program} · 按 {date} 计算", en: "{standard} · {program} · counted as of {date}" },
  whatItTakes: { zh: "还差什么", en: "What it would take" },
  whatItTakesLine: { zh: "对照分数线 {line} 分：", en: "Against the line of {line} points:" },
  print: { zh: "打印结果", en: "Print the result" },
  printNote: {
    zh: "本估算依据申请人自行填写的情况，仅供参考，不是申请，也不作为审核依据。",
    en: "This estimate rests on the applicant's own answers. It is for information only: it is not an application and does not bind the authorities.",
  },
  engineError: { zh: "暂时无法计算，请检查填写的内容后重试。", en: "The points could not be worked out. Check your answers and try again." },
  notFoundTitle: { zh: "没有可自测的计分标准", en: "No standard to estimate against" },
  notFoundText: {
    zh: "该计分标准不存在，或今天没有正在施行的版本（草稿和审核中的版本不公开）。请核对地址。",
    en: "This standard does not exist, or no version of it is in force today (drafts and versions under review are not public). Check the address.",
  },
  tooManyTitle: { zh: "请求过于频繁", en: "Too many requests" },
  tooManyText: {
    zh: "您所在的网络在短时间内提交了太多次自测。请 {wait}后再试；返回上一页即可重新提交，已填写的内容仍在。",
    en: "Too many estimates came from your network in a short time. Try again in {wait}: go back to the previous page and submit again; your answers are still there.",
  },
  tooLargeTitle: { zh: "提交的内容过多", en: "Too much was sent" },
  tooLargeText: {
    zh: "提交的内容超出了自测页面的上限（256 KB），未作计算。请返回上一页，删去多余的记录后重新提交。",
    en: "What was sent is over the self-estimate's limit (256 KB) and was not worked out. Go back, remove the extra records and submit again.",
  },
  errorTitle: { zh: "出错了", en: "Something went wrong" },
  errorText: { zh: "请求未能完成，请稍后重试。", en: "The request could not be completed. Try again later." },
  listTitle: { zh: "积分自测：可自测的计分标准", en: "Self-estimate: standards in force" },
  listIntro: {
    zh: "选择您要申请的城市和计分标准，按现行版本估算积分。本页面不保存您填写的任何内容。",
    en: "Choose the city and standard you are applying under to estimate your points on the version in force. Nothing you enter is stored.",
  },
  listEmpty: { zh: "今天没有正在施行的计分标准。", en: "No standard is in force today." },
  backToList: { zh: "← 全部可自测的计分标准", en: "← All standards you can estimate against" },
});

/** A wait as a person says it: seconds under a minute, then whole minutes, then whole hours (rounded up). */
export function waitWords(seconds: number, lang: "zh-CN" | "en"): string {
  const [amount, zh, en] =
    seconds < 60 ? [seconds, "秒", "second"] : seconds < 3600 ? [Math.ceil(seconds / 60), "分钟", "minute"] : [Math.ceil(seconds / 3600), "小时", "hour"];
  return lang === "en" ? `${amount} ${en}${amount === 1 ? "" : "s"}` : `${amount} ${zh}`;
}
