/**
 * One applicant's explanation (engine/scoring/explain.ts) as the CLI prints it: a text sheet whose columns are aligned
 * by display width (CJK characters are two columns wide, measured by `string-width`), Markdown, or a printable HTML
 * page. The verdict comes last; there is no total line when there is no score (decision 037).
 */
import stringWidth from "string-width";
import type { Explanation, ExplainedItem, Text } from "../engine/scoring/explain";
import { formatNumber } from "../engine/scoring/describe";
import type { CliLang } from "./locale";

const LABEL_WIDTH = 28;
const POINTS_WIDTH = 8;

function pick(lang: CliLang, text: Text): string {
  return lang === "en" ? text.en : text.zh;
}

function points(value: number): string {
  return value < 0 ? `−${formatNumber(-value)}` : formatNumber(value);
}

/** Breaks text into lines of at most `width` display columns (between words in English, anywhere in Chinese). */
export function wrapToWidth(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const token of text.split(/(?<=\s)|(?=[\u2e80-\uffff])|(?<=[\u2e80-\uffff])/u)) {
    if (line !== "" && stringWidth(line + token.trimEnd()) > width) {
      lines.push(line.trimEnd());
      line = token.trimStart();
    } else line += token;
  }
  if (line.trim() !== "" || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

export function padToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - stringWidth(text)));
}

function padStartToWidth(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - stringWidth(text))) + text;
}

/** The standard's title with its version, unless the title already names it ("（2015）"). */
export function titleOf(explanation: Explanation, lang: CliLang): string {
  const title = pick(lang, explanation.standard.title);
  return title.includes(explanation.standard.version) ? title : `${title}${lang === "en" ? ` (${explanation.standard.version})` : `（${explanation.standard.version}）`}`;
}

function heading(explanation: Explanation, lang: CliLang): string[] {
  const en = lang === "en";
  const lines = [
    titleOf(explanation, lang),
    en
      ? `Program: ${explanation.program.label.en} · evaluated on ${explanation.dateText.en}`
      : `项目：${explanation.program.label.zh} · 评估日期：${explanation.dateText.zh}`,
  ];
  if (explanation.standard.documentNumbers.length > 0) {
    lines.push(`${en ? "Document number: " : "文号："}${explanation.standard.documentNumbers.join(en ? "; " : "；")}`);
  }
  return lines;
}

function itemDetails(item: ExplainedItem, lang: CliLang): string[] {
  const lines = [...item.arithmetic, ...item.limits, ...item.notes].map((text) => pick(lang, text));
  if (item.article) lines.push(`${lang === "en" ? "Article: " : "依据："}${item.article}`);
  return lines;
}

/** The sheet as aligned text for a terminal. */
export function sheetText(explanation: Explanation, lang: CliLang, columns = 100): string {
  const en = lang === "en";
  const out: string[] = [...heading(explanation, lang), ""];
  const detailWidth = Math.max(30, columns - LABEL_WIDTH - POINTS_WIDTH - 4);
  const row = (label: string, value: string, details: string[]) => {
    const labels = wrapToWidth(label, LABEL_WIDTH);
    const detailLines = details.flatMap((detail) => wrapToWidth(detail, detailWidth));
    const count = Math.max(labels.length, detailLines.length, 1);
    for (let i = 0; i < count; i++) {
      const left = padToWidth(labels[i] ?? "", LABEL_WIDTH);
      const middle = padStartToWidth(i === 0 ? value : "", POINTS_WIDTH);
      out.push(`${left}  ${middle}  ${detailLines[i] ?? ""}`.trimEnd());
    }
  };

  if (explanation.persons) {
    out.push(en ? "Whose points count" : "以谁的积分");
    out.push(`  ${pick(lang, explanation.persons.text)}`);
    for (const candidate of explanation.persons.candidates) {
      const total = candidate.total === null ? (en ? "no score" : "不计分") : points(candidate.total);
      out.push(`  ${candidate.counts ? "▶" : " "} ${padToWidth(pick(lang, candidate.label), LABEL_WIDTH - 4)}  ${padStartToWidth(total, POINTS_WIDTH)}  ${pick(lang, candidate.status)}`);
    }
    out.push("");
  }
  for (const [title, rules, none] of [
    [en ? "Eligibility conditions" : "准入条件", explanation.gates, en ? "none" : "无"],
    [en ? "Vetoes" : "一票否决", explanation.vetoes, en ? "none" : "无"],
  ] as const) {
    out.push(title);
    if (rules.length === 0) out.push(`  ${none}`);
    for (const rule of rules) {
      const isGate = rules === explanation.gates;
      const result = isGate ? (rule.ok ? (en ? "met" : "满足") : en ? "not met" : "不满足") : rule.ok ? (en ? "not triggered" : "未触发") : en ? "triggered" : "已触发";
      out.push(`  ${rule.ok ? "✓" : "✗"} ${pick(lang, rule.label)}${en ? ": " : "："}${result}`);
      const facts = rule.facts.map((fact) => `${pick(lang, fact.label)} ${pick(lang, fact.value)}`).join(en ? "; " : "；");
      if (facts) out.push(`      ${en ? "facts: " : "事实："}${facts}`);
      if (rule.reason) out.push(`      ${pick(lang, rule.reason)}`);
    }
    out.push("");
  }

  out.push(`${padToWidth(en ? "Item" : "指标", LABEL_WIDTH)}  ${padStartToWidth(en ? "Points" : "得分", POINTS_WIDTH)}  ${en ? "Explanation" : "计分说明"}`);
  for (const category of explanation.categories) {
    const items = explanation.items.filter((item) => item.category === category.id && !item.notApplicable);
    if (items.length === 0) continue;
    out.push(`— ${pick(lang, category.label)}`);
    for (const item of items) row(pick(lang, item.label), points(item.points), itemDetails(item, lang));
    for (const adjustment of explanation.adjustments.filter((entry) => entry.category === category.id)) {
      row(en ? "adjustment" : "调整", points(adjustment.points), [pick(lang, adjustment.label)]);
    }
    if (explanation.total !== null) row(en ? `subtotal ${category.label.en}` : `${category.label.zh}小计`, points(category.points), []);
  }
  if (explanation.total !== null) {
    for (const adjustment of explanation.adjustments.filter((entry) => entry.category === undefined)) {
      row(en ? "adjustment" : "调整", points(adjustment.points), [pick(lang, adjustment.label)]);
    }
    out.push("");
    row(en ? "Total" : "总分", points(explanation.total), []);
  }
  out.push("");
  out.push(`${explanation.verdict.kind === "admitted" ? "✓" : "✗"} ${pick(lang, explanation.verdict.text)}`);
  return out.join("\n") + "\n";
}

function escapeMarkdown(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** The sheet as Markdown: a heading, the conditions, one table of items, the verdict. */
export function sheetMarkdown(explanation: Explanation, lang: CliLang): string {
  const en = lang === "en";
  const [title, ...rest] = heading(explanation, lang);
  const out = [`# ${title}`, "", ...rest.map((line) => `${line}  `), ""];
  if (explanation.persons) {
    out.push(`## ${en ? "Whose points count" : "以谁的积分"}`, "", pick(lang, explanation.persons.text), "");
    for (const candidate of explanation.persons.candidates) {
      out.push(`- ${pick(lang, candidate.label)}: ${candidate.total === null ? (en ? "no score" : "不计分") : points(candidate.total)} (${pick(lang, candidate.status)})`);
    }
    out.push("");
  }
  for (const [name, rules] of [[en ? "Eligibility conditions" : "准入条件", explanation.gates], [en ? "Vetoes" : "一票否决", explanation.vetoes]] as const) {
    out.push(`## ${name}`, "");
    if (rules.length === 0) out.push(en ? "None." : "无。");
    for (const rule of rules) {
      const facts = rule.facts.map((fact) => `${pick(lang, fact.label)} ${pick(lang, fact.value)}`).join(en ? "; " : "；");
      out.push(`- ${rule.ok ? "✓" : "✗"} **${pick(lang, rule.label)}**${facts ? ` — ${facts}` : ""}${rule.reason ? ` — ${pick(lang, rule.reason)}` : ""}`);
    }
    out.push("");
  }
  out.push(`## ${en ? "Points per item" : "各项得分"}`, "");
  out.push(`| ${en ? "Item" : "指标"} | ${en ? "Points" : "得分"} | ${en ? "Explanation" : "计分说明"} |`, "|---|---:|---|");
  for (const category of explanation.categories) {
    for (const item of explanation.items.filter((entry) => entry.category === category.id && !entry.notApplicable)) {
      out.push(`| ${escapeMarkdown(pick(lang, item.label))} | ${points(item.points)} | ${itemDetails(item, lang).map(escapeMarkdown).join("<br>")} |`);
    }
    for (const adjustment of explanation.adjustments.filter((entry) => entry.category === category.id)) {
      out.push(`| ${en ? "adjustment" : "调整"} | ${points(adjustment.points)} | ${escapeMarkdown(pick(lang, adjustment.label))} |`);
    }
    if (explanation.total !== null) out.push(`| **${escapeMarkdown(en ? `subtotal ${category.label.en}` : `${category.label.zh}小计`)}** | **${points(category.points)}** | |`);
  }
  if (explanation.total !== null) {
    for (const adjustment of explanation.adjustments.filter((entry) => entry.category === undefined)) {
      out.push(`| ${en ? "adjustment" : "调整"} | ${points(adjustment.points)} | ${escapeMarkdown(pick(lang, adjustment.label))} |`);
    }
    out.push(`| **${en ? "Total" : "总分"}** | **${points(explanation.total)}** | |`);
  }
  out.push("", `**${en ? "Verdict" : "结论"}：** ${pick(lang, explanation.verdict.text)}`.replace("：**", en ? ":**" : "：**"), "");
  return out.join("\n");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] as string);
}

/** The sheet as a self-contained printable HTML page (A4, no scripts, no external files). */
export function sheetHtml(explanation: Explanation, lang: CliLang): string {
  const en = lang === "en";
  const [title, ...rest] = heading(explanation, lang);
  const rules = (name: string, list: Explanation["gates"]) =>
    `<h2>${escapeHtml(name)}</h2>` +
    (list.length === 0
      ? `<p>${en ? "None." : "无。"}</p>`
      : `<ul>${list
          .map((rule) => {
            const facts = rule.facts.map((fact) => `${pick(lang, fact.label)} ${pick(lang, fact.value)}`).join(en ? "; " : "；");
            return `<li class="${rule.ok ? "ok" : "bad"}">${rule.ok ? "✓" : "✗"} <strong>${escapeHtml(pick(lang, rule.label))}</strong>${facts ? ` — ${escapeHtml(facts)}` : ""}${rule.reason ? ` — ${escapeHtml(pick(lang, rule.reason))}` : ""}</li>`;
          })
          .join("")}</ul>`);
  const rows: string[] = [];
  for (const category of explanation.categories) {
    const items = explanation.items.filter((entry) => entry.category === category.id && !entry.notApplicable);
    if (items.length === 0) continue;
    rows.push(`<tr class="category"><th colspan="3">${escapeHtml(pick(lang, category.label))}</th></tr>`);
    for (const item of items) {
      rows.push(`<tr><td>${escapeHtml(pick(lang, item.label))}</td><td class="num">${points(item.points)}</td><td>${itemDetails(item, lang).map((line) => `<div>${escapeHtml(line)}</div>`).join("")}</td></tr>`);
    }
    for (const adjustment of explanation.adjustments.filter((entry) => entry.category === category.id)) {
      rows.push(`<tr><td>${en ? "adjustment" : "调整"}</td><td class="num">${points(adjustment.points)}</td><td>${escapeHtml(pick(lang, adjustment.label))}</td></tr>`);
    }
    if (explanation.total !== null) rows.push(`<tr class="subtotal"><th>${escapeHtml(en ? `subtotal ${category.label.en}` : `${category.label.zh}小计`)}</th><td class="num">${points(category.points)}</td><td></td></tr>`);
  }
  if (explanation.total !== null) {
    for (const adjustment of explanation.adjustments.filter((entry) => entry.category === undefined)) {
      rows.push(`<tr><td>${en ? "adjustment" : "调整"}</td><td class="num">${points(adjustment.points)}</td><td>${escapeHtml(pick(lang, adjustment.label))}</td></tr>`);
    }
    rows.push(`<tr class="total"><th>${en ? "Total" : "总分"}</th><td class="num" data-total>${points(explanation.total)}</td><td></td></tr>`);
  }
  return `<!doctype html>
<html lang="${en ? "en" : "zh-CN"}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", sans-serif; font-size: 11pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #999; padding: 3pt 5pt; vertical-align: top; text-align: left; }
td.num { text-align: right; white-space: nowrap; } tr.category th { background: #eee; } tr.total th, tr.total td { font-weight: bold; }
ul { padding-left: 14pt; } li.bad { color: #a00; } .verdict { margin-top: 12pt; font-weight: bold; font-size: 12pt; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${rest.map((line) => `<p>${escapeHtml(line)}</p>`).join("\n")}
${explanation.persons ? `<h2>${en ? "Whose points count" : "以谁的积分"}</h2><p>${escapeHtml(pick(lang, explanation.persons.text))}</p>` : ""}
${rules(en ? "Eligibility conditions" : "准入条件", explanation.gates)}
${rules(en ? "Vetoes" : "一票否决", explanation.vetoes)}
<h2>${en ? "Points per item" : "各项得分"}</h2>
<table><thead><tr><th>${en ? "Item" : "指标"}</th><th>${en ? "Points" : "得分"}</th><th>${en ? "Explanation" : "计分说明"}</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>
<p class="verdict" data-verdict="${explanation.verdict.kind}">${escapeHtml(pick(lang, explanation.verdict.text))}</p>
</body></html>
`;
}
