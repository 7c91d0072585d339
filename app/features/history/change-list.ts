/**
 * What changed between two versions of a standard, in the officer's words: grouped by category and indicator, a
 * tier's points as "大学本科档 60 分 → 80 分", conditions in the official table's own sentences (describe.ts), added and
 * removed entries as the table would show them. Pure (no React, no I/O): the structural diff (engine/) says what
 * changed and matches entries by id; this module only says it in words. Ids and JSON pointers never appear here.
 */
import { isMessageKey, translate } from "../../i18n";
import type { DiffStatus, DocumentDiff } from "../../../engine/simulation/document-diff";
import { jsonEqual } from "../../../engine/simulation/document-diff";
import type {
  Category,
  FactDefinition,
  Gate,
  ItemGroup,
  Program,
  RankingCase,
  ScoringItem,
  StandardDocument,
  TestCase,
  Veto,
} from "../../../rules-schema/types";
import {
  describeAllocation,
  describeCap,
  describeCondition,
  describeDerived,
  describeItemNotes,
  describePersons,
  describeProgramTotal,
  describeRange,
  describeScoringRows,
  describeTotalAdjustment,
  formatDate,
  formatNumber,
  joinList,
  pickText,
  pointsText,
  programLabels,
  unitText,
  type DescribeContext,
  type Lang,
} from "../read-view/describe";

export interface ChangeRow {
  /** Stable React key (not shown). */
  key: string;
  /** The entry's label ("文化程度"). */
  subject: string;
  status: Exclude<DiffStatus, "unchanged">;
  /** One sentence per change. */
  lines: string[];
  /** JSON pointer of the entry in the candidate's text (absent when removed): the change links to it in the editor. */
  pointer?: string;
}

export interface ChangeGroup {
  key: string;
  title: string;
  rows: ChangeRow[];
}

type Text = { zh: string; en: string };
const w = (lang: Lang, text: Text) => (lang === "en" ? text.en : text.zh);

/** A document's status in the words the rest of the UI uses for it (app/i18n's status_*). */
function statusWords(lang: Lang, status: unknown): string {
  const key = `status_${String(status)}`;
  return isMessageKey(key) ? translate(lang, key) : String(status ?? "");
}

const NONE: Text = { zh: "（无）", en: "(none)" };
const TECHNICAL_ONLY: Text = {
  zh: "表格中所示内容不变（只改了技术性设置，见 JSON 差异）",
  en: "The table reads the same (only technical settings changed; see the JSON diff)",
};
const MOVED: Text = { zh: "位置调整，内容不变", en: "moved, content unchanged" };

/** A named aspect of an entry as the official table shows it; compared as text before and after. */
type Facet = [name: Text, text: string];

function colon(lang: Lang): string {
  return lang === "en" ? ": " : "：";
}

function changeLine(lang: Lang, name: Text, before: string, after: string): string {
  return `${w(lang, name)}${colon(lang)}${before || w(lang, NONE)} → ${after || w(lang, NONE)}`;
}

/** Lines for facets whose text differs. */
function facetChanges(lang: Lang, before: Facet[], after: Facet[]): string[] {
  const lines: string[] = [];
  const names = [...before.map((f) => f[0]), ...after.map((f) => f[0])].filter((n, i, all) => all.findIndex((m) => m.zh === n.zh) === i);
  for (const name of names) {
    const b = before.find((f) => f[0].zh === name.zh)?.[1] ?? "";
    const a = after.find((f) => f[0].zh === name.zh)?.[1] ?? "";
    if (b !== a) lines.push(changeLine(lang, name, b, a));
  }
  return lines;
}

/** Lines describing a whole entry (added or removed): its non-empty facets. */
function facetLines(lang: Lang, facets: Facet[]): string[] {
  return facets.filter(([, text]) => text !== "").map(([name, text]) => `${w(lang, name)}${colon(lang)}${text}`);
}

const F = {
  label: { zh: "名称", en: "Name" },
  category: { zh: "分类", en: "Category" },
  when: { zh: "计分前提", en: "Scores only when" },
  scoring: { zh: "条件与分值", en: "Conditions and points" },
  cap: { zh: "上限", en: "Cap" },
  programs: { zh: "适用项目", en: "Programs" },
  notes: { zh: "计分规则", en: "Rules" },
  article: { zh: "依据", en: "Article" },
  description: { zh: "说明", en: "Description" },
  kind: { zh: "类型", en: "Kind" },
  categoryCap: { zh: "本类上限", en: "Category cap" },
  mustHold: { zh: "须满足", en: "Must hold" },
  appliesWhen: { zh: "触发条件", en: "Applies when" },
  reason: { zh: "说明", en: "Reason" },
  rule: { zh: "规则", en: "Rule" },
  persons: { zh: "计分对象", en: "Whose points count" },
  allocation: { zh: "分配方式", en: "Allocation" },
  cutoff: { zh: "积分截止", en: "Points counted up to" },
  total: { zh: "本项目总分规则", en: "Total rule for this program" },
  unit: { zh: "单位", en: "Unit" },
  values: { zh: "可选值", en: "Values" },
  fields: { zh: "记录字段", en: "Record fields" },
  department: { zh: "提供部门", en: "Supplied by" },
  perPerson: { zh: "按人填写", en: "Given per person" },
  computed: { zh: "计算方法", en: "How it is computed" },
  validFor: { zh: "适用年度", en: "Valid for" },
  listSize: { zh: "名单条目数", en: "Entries in the list" },
  program: { zh: "项目", en: "Program" },
  date: { zh: "评估日期", en: "Evaluation date" },
  facts: { zh: "申请人信息", en: "Applicant's facts" },
  expect: { zh: "预期结果", en: "Expected results" },
  quotas: { zh: "名额", en: "Places" },
  applicants: { zh: "申请人数", en: "Applicants" },
  admitted: { zh: "预期录取", en: "Expected admitted" },
  title: { zh: "标题", en: "Title" },
  jurisdiction: { zh: "地区", en: "Jurisdiction" },
  docVersion: { zh: "文档中的版本号", en: "Version written in the document" },
  docStatus: { zh: "文档中的状态", en: "Status written in the document" },
  effectiveFrom: { zh: "文档中的生效日期", en: "Effective date written in the document" },
  effectiveTo: { zh: "文档中的截止日期", en: "End date written in the document" },
  legalBasis: { zh: "法律依据", en: "Legal basis" },
  totalRule: { zh: "总分规则", en: "Total rule" },
  personsDeclared: { zh: "申请中的人员", en: "Persons of an application" },
  formatVersion: { zh: "文档格式版本", en: "Format version" },
  notesHeader: { zh: "说明", en: "Notes" },
} satisfies Record<string, Text>;

const KIND_WORDS: Record<Category["kind"], Text> = {
  base: { zh: "基础分", en: "base" },
  bonus: { zh: "加分", en: "bonus" },
  deduction: { zh: "扣减分", en: "deduction" },
};

/** One row of the official table on one line: "军队退役人员：是，30分" / "military veteran: yes — 30 points". */
function rowText(lang: Lang, row: { condition: string; points: string }): string {
  return lang === "en" ? `${row.condition} — ${row.points}` : `${row.condition}，${row.points}`;
}

function list(lang: Lang, parts: string[]): string {
  return parts.join(lang === "en" ? "; " : "；");
}

function itemFacets(ctx: DescribeContext, item: ScoringItem, withScoring: boolean): Facet[] {
  const { lang } = ctx;
  const doc = ctx.doc as StandardDocument;
  const category = doc.categories.find((c) => c.id === item.category);
  const rows = describeScoringRows({ ...ctx }, { ...item, when: undefined });
  const facets: Facet[] = [
    [F.label, pickText(lang, item.label)],
    [F.category, category ? pickText(lang, category.label) : ""],
    [F.when, item.when ? describeCondition(ctx, item.when) : ""],
  ];
  if (withScoring) facets.push([F.scoring, list(lang, rows.map((row) => rowText(lang, row)))]);
  facets.push(
    [F.cap, item.cap !== undefined ? describeCap(lang, item.cap) : ""],
    [F.programs, item.programs ? programLabels(ctx, item.programs) : ""],
    [F.notes, list(lang, describeItemNotes(ctx, item))],
    [F.article, item.article ?? ""],
    [F.description, pickText(lang, item.description)],
  );
  return facets;
}

/** "大学本科档" / "Bachelor tier": a tier's or band's name as an officer says it. */
function tierName(lang: Lang, label: string): string {
  if (lang === "en") return `${label} tier`;
  return label.endsWith("档") ? label : `${label}档`;
}

type Level = { id: string; name: string; condition: string; points: number };

/** Tiers and bands by id, each with its name, condition in the table's words and points. */
function levelsOf(ctx: DescribeContext, item: ScoringItem): Level[] | null {
  const { lang } = ctx;
  const scoring = item.scoring;
  if (scoring.kind === "tiers") {
    return scoring.tiers.map((tier) => ({ id: tier.id, name: pickText(lang, tier.label), condition: describeCondition(ctx, tier.when), points: tier.points }));
  }
  if (scoring.kind === "bands") {
    const rows = describeScoringRows(ctx, { ...item, when: undefined });
    return scoring.bands.map((band, i) => ({
      id: band.id,
      name: band.label ? pickText(lang, band.label) : describeRange(lang, band.min, band.max),
      condition: rows[i]?.condition ?? "",
      points: band.points,
    }));
  }
  return null;
}

function levelChanges(lang: Lang, before: Level[], after: Level[]): string[] {
  const lines: string[] = [];
  for (const level of after) {
    const old = before.find((candidate) => candidate.id === level.id);
    if (!old) {
      lines.push(
        lang === "en"
          ? `New tier ${level.name}: ${level.condition}: ${pointsText(lang, level.points)}`
          : `新增${tierName(lang, level.name)}：${level.condition}，${pointsText(lang, level.points)}`,
      );
      continue;
    }
    if (old.name !== level.name) lines.push(lang === "en" ? `Tier renamed: ${old.name} → ${level.name}` : `档次名称：${old.name} → ${level.name}`);
    if (old.condition !== level.condition) {
      lines.push(`${tierName(lang, level.name)}${lang === "en" ? ", condition" : "条件"}${colon(lang)}${old.condition} → ${level.condition}`);
    }
    if (old.points !== level.points) {
      lines.push(`${tierName(lang, level.name)} ${pointsText(lang, old.points)} → ${pointsText(lang, level.points)}`);
    }
  }
  for (const old of before) {
    if (after.some((candidate) => candidate.id === old.id)) continue;
    lines.push(
      lang === "en"
        ? `Tier ${old.name} removed (was ${old.condition}: ${pointsText(lang, old.points)})`
        : `删除${tierName(lang, old.name)}（原为：${old.condition}，${pointsText(lang, old.points)}）`,
    );
  }
  return lines;
}

function itemLines(before: DescribeContext, after: DescribeContext, b: ScoringItem, a: ScoringItem): string[] {
  const { lang } = after;
  const levelsBefore = levelsOf(before, b);
  const levelsAfter = levelsOf(after, a);
  const byLevel = levelsBefore !== null && levelsAfter !== null && b.scoring.kind === a.scoring.kind;
  const lines = facetChanges(lang, itemFacets(before, b, !byLevel), itemFacets(after, a, !byLevel));
  if (byLevel) lines.push(...levelChanges(lang, levelsBefore, levelsAfter));
  return lines;
}

function categoryFacets(ctx: DescribeContext, category: Category): Facet[] {
  const { lang } = ctx;
  return [
    [F.label, pickText(lang, category.label)],
    [F.kind, w(lang, KIND_WORDS[category.kind])],
    [F.categoryCap, category.cap !== undefined ? describeCap(lang, category.cap) : ""],
  ];
}

function gateFacets(ctx: DescribeContext, gate: Gate | Veto, veto: boolean): Facet[] {
  const { lang } = ctx;
  return [
    [F.label, pickText(lang, gate.label)],
    [veto ? F.appliesWhen : F.mustHold, describeCondition(ctx, gate.condition)],
    [F.reason, pickText(lang, gate.reason)],
    [F.programs, gate.programs ? programLabels(ctx, gate.programs) : ""],
    [F.article, gate.article ?? ""],
  ];
}

function groupFacets(ctx: DescribeContext, group: ItemGroup): Facet[] {
  const { lang } = ctx;
  const doc = ctx.doc as StandardDocument;
  const members = group.members.map((id) => `“${pickText(lang, doc.items.find((item) => item.id === id)?.label) || id}”`).join(lang === "en" ? ", " : "、");
  const rule =
    group.mode === "highestOnly"
      ? lang === "en"
        ? `only the highest of ${members} counts`
        : `${members}只取得分最高的一项`
      : lang === "en"
        ? `${members} together at most ${pointsText(lang, group.cap ?? 0)}`
        : `${members}合计最高${formatNumber(group.cap ?? 0)}分`;
  return [
    [F.label, pickText(lang, group.label)],
    [F.rule, rule],
    [F.article, group.article ?? ""],
  ];
}

function programFacets(ctx: DescribeContext, program: Program): Facet[] {
  const { lang } = ctx;
  const doc = ctx.doc as StandardDocument;
  const cutoff = program.evaluationCutoff
    ? [program.evaluationCutoff.date ? formatDate(lang, program.evaluationCutoff.date) : "", pickText(lang, program.evaluationCutoff.description)].filter(Boolean).join(lang === "en" ? "; " : "；")
    : "";
  return [
    [F.label, pickText(lang, program.label)],
    [F.persons, program.persons ? describePersons(ctx, program.persons) : ""],
    [F.allocation, describeAllocation(ctx, program.allocation).join(lang === "en" ? " " : "")],
    [F.cutoff, cutoff],
    [F.total, program.total ? describeProgramTotal(ctx, program, doc.total) : ""],
    [F.article, program.article ?? ""],
  ];
}

function factFacets(ctx: DescribeContext, fact: FactDefinition): Facet[] {
  const { lang } = ctx;
  return [
    [F.label, pickText(lang, fact.label)],
    [F.unit, fact.unit ? unitText(lang, fact.unit) : ""],
    [F.values, (fact.values ?? []).map((value) => pickText(lang, value.label) || value.value).join(lang === "en" ? ", " : "、")],
    [F.fields, (fact.fields ?? []).map((field) => pickText(lang, field.label)).join(lang === "en" ? ", " : "、")],
    [F.department, pickText(lang, fact.department)],
    [F.perPerson, fact.perPerson ? (lang === "en" ? "yes" : "是") : ""],
    [F.description, pickText(lang, fact.description)],
  ];
}

function caseFacets(ctx: DescribeContext, testCase: TestCase): Facet[] {
  const { lang } = ctx;
  return [
    [F.label, pickText(lang, testCase.label)],
    [F.program, programLabels(ctx, [testCase.program])],
    [F.date, formatDate(lang, testCase.date)],
    [F.facts, JSON.stringify(testCase.facts)],
    [F.expect, JSON.stringify(testCase.expect)],
  ];
}

function rankingCaseFacets(ctx: DescribeContext, rankingCase: RankingCase): Facet[] {
  const { lang } = ctx;
  return [
    [F.label, pickText(lang, rankingCase.label)],
    [F.program, programLabels(ctx, [rankingCase.program])],
    [F.date, formatDate(lang, rankingCase.date)],
    [F.quotas, JSON.stringify(rankingCase.quotas)],
    [F.applicants, String(rankingCase.applicants.length)],
    [F.facts, JSON.stringify(rankingCase.applicants)],
    [F.admitted, JSON.stringify(rankingCase.expect)],
  ];
}

/** Facets whose text is raw data (cases' facts and expectations) are named as changed, not quoted. */
const SAID_NOT_QUOTED = new Set([F.facts.zh, F.expect.zh, F.quotas.zh, F.admitted.zh]);

function caseLines(lang: Lang, before: Facet[], after: Facet[]): string[] {
  const lines: string[] = [];
  for (const [name, text] of after) {
    const old = before.find((f) => f[0].zh === name.zh)?.[1] ?? "";
    if (old === text) continue;
    lines.push(SAID_NOT_QUOTED.has(name.zh) ? (lang === "en" ? `${name.en} changed` : `${name.zh}已修改`) : changeLine(lang, name, old, text));
  }
  return lines;
}

function caseSummary(lang: Lang, facets: Facet[]): string[] {
  return facetLines(
    lang,
    facets.filter(([name]) => !SAID_NOT_QUOTED.has(name.zh) && name.zh !== F.label.zh),
  );
}

function headerFacets(ctx: DescribeContext, doc: StandardDocument): Facet[] {
  const { lang } = ctx;
  const total = [
    ...(doc.total?.adjustments ?? []).map((adjustment) => describeTotalAdjustment(ctx, adjustment)),
    doc.total?.floor !== undefined ? (lang === "en" ? `never below ${pointsText(lang, doc.total.floor)}` : `最低${formatNumber(doc.total.floor)}分`) : "",
    doc.total?.cap !== undefined ? describeCap(lang, doc.total.cap) : "",
  ].filter(Boolean);
  return [
    [F.title, pickText(lang, doc.title)],
    [F.jurisdiction, pickText(lang, doc.jurisdiction?.name)],
    [F.formatVersion, doc.formatVersion ?? "1.0"],
    [F.docVersion, doc.version],
    [F.docStatus, statusWords(lang, doc.status)],
    [F.effectiveFrom, doc.effectiveFrom ? formatDate(lang, doc.effectiveFrom) : ""],
    [F.effectiveTo, doc.effectiveTo ? formatDate(lang, doc.effectiveTo) : ""],
    [F.legalBasis, joinList(lang, doc.legalBasis.map((basis) => basis.documentNumber), "and")],
    [F.totalRule, list(lang, total)],
    [F.personsDeclared, joinList(lang, (doc.persons ?? []).map((person) => pickText(lang, person.label)), "and")],
  ];
}

function noteLines(lang: Lang, before: StandardDocument, after: StandardDocument): string[] {
  const b = (before.notes ?? []).map((note) => pickText(lang, note.text));
  const a = (after.notes ?? []).map((note) => pickText(lang, note.text));
  if (jsonEqual(b, a)) return [];
  const added = a.filter((text) => !b.includes(text)).length;
  const removed = b.filter((text) => !a.includes(text)).length;
  return [lang === "en" ? `Notes: ${added} added or reworded, ${removed} removed or reworded (now ${a.length})` : `说明：新增或改写 ${added} 条，删除或改写 ${removed} 条（现共 ${a.length} 条）`];
}

const SECTION_TITLES: Record<string, Text> = {
  header: { zh: "文档信息", en: "The document" },
  facts: { zh: "申请人信息项", en: "Applicant information" },
  derived: { zh: "计算得出的指标", en: "Computed facts" },
  lists: { zh: "名单", en: "Lists" },
  groups: { zh: "只取一项与合计上限", en: "Choose-one groups and shared caps" },
  gates: { zh: "准入条件", en: "Eligibility conditions" },
  vetoes: { zh: "一票否决", en: "Vetoes" },
  programs: { zh: "积分项目与分配方式", en: "Programs and allocation" },
  testCases: { zh: "测试用例", en: "Test cases" },
  rankingCases: { zh: "排序测试用例", en: "Ranking test cases" },
};

type Entity = { id: string; label?: { zh: string; en: string } };

function find<T extends Entity>(entries: readonly T[] | undefined, id: string): T | undefined {
  return (entries ?? []).find((entry) => entry.id === id);
}

/**
 * The change list: the header first, then the scoring items by category (in the candidate's category order, then
 * categories only the baseline had), then the other sections. Entries that did not change are left out.
 */
export function describeChanges(baseline: StandardDocument, candidate: StandardDocument, diff: DocumentDiff, lang: Lang): ChangeGroup[] {
  const before: DescribeContext = { doc: baseline, lang };
  const after: DescribeContext = { doc: candidate, lang };
  const groups: ChangeGroup[] = [];
  const entries = diff.entries.filter((entry) => entry.status !== "unchanged");

  const headerLines = [...facetChanges(lang, headerFacets(before, baseline), headerFacets(after, candidate)), ...noteLines(lang, baseline, candidate)];
  if (headerLines.length > 0) {
    groups.push({ key: "header", title: w(lang, SECTION_TITLES.header), rows: [{ key: "header", subject: pickText(lang, candidate.title), status: "modified", lines: headerLines }] });
  }

  /** One row per changed entry of a section: added/removed described whole, modified by what differs. */
  function rowFor<T extends Entity>(
    section: string,
    entry: (typeof entries)[number],
    pick: (doc: StandardDocument) => readonly T[] | undefined,
    facets: (ctx: DescribeContext, value: T) => Facet[],
    modifiedLines?: (b: T, a: T) => string[],
    wholeLines?: (ctx: DescribeContext, value: T) => string[],
  ): ChangeRow | null {
    const b = find(pick(baseline), entry.id);
    const a = find(pick(candidate), entry.id);
    const status = entry.status as ChangeRow["status"];
    const shown = a ?? b;
    if (!shown) return null;
    const subject = shown.label ? pickText(lang, shown.label) : entry.id;
    let lines: string[];
    if (status === "added" && a) lines = wholeLines ? wholeLines(after, a) : facetLines(lang, facets(after, a).slice(1));
    else if (status === "removed" && b) lines = wholeLines ? wholeLines(before, b) : facetLines(lang, facets(before, b).slice(1));
    else if (status === "moved") lines = [w(lang, MOVED)];
    else if (a && b) {
      lines = modifiedLines ? modifiedLines(b, a) : facetChanges(lang, facets(before, b), facets(after, a));
      if (lines.length === 0) lines = [w(lang, TECHNICAL_ONLY)];
    } else lines = [];
    const pointer = a && entry.afterIndex !== undefined ? `/${section}/${entry.afterIndex}` : undefined;
    return { key: `${section}/${entry.id}/${entry.beforeIndex ?? ""}/${entry.afterIndex ?? ""}`, subject, status, lines, pointer };
  }

  // Scoring items and categories, grouped by category.
  const categoryOrder = [...candidate.categories.map((c) => c.id), ...baseline.categories.map((c) => c.id).filter((id) => !candidate.categories.some((c) => c.id === id))];
  const itemWhole = (ctx: DescribeContext, item: ScoringItem) => {
    const rows = describeScoringRows(ctx, item).map((row) => rowText(lang, row));
    const shownInRows = new Set([F.label.zh, F.category.zh, F.when.zh]);
    return [...rows, ...facetLines(lang, itemFacets(ctx, item, false).filter(([name]) => !shownInRows.has(name.zh)))];
  };
  for (const categoryId of categoryOrder) {
    const rows: ChangeRow[] = [];
    const categoryEntry = entries.find((entry) => entry.section === "categories" && entry.id === categoryId);
    if (categoryEntry) {
      const row = rowFor("categories", categoryEntry, (doc) => doc.categories, categoryFacets);
      if (row) rows.push({ ...row, subject: lang === "en" ? `${row.subject} (the category)` : `${row.subject}（类别本身）` });
    }
    for (const entry of entries) {
      if (entry.section !== "items") continue;
      const item = find(candidate.items, entry.id) ?? find(baseline.items, entry.id);
      const itemCategory = entry.status === "removed" ? find(baseline.items, entry.id)?.category : find(candidate.items, entry.id)?.category;
      if (!item || itemCategory !== categoryId) continue;
      const row = rowFor("items", entry, (doc) => doc.items, (ctx, value) => itemFacets(ctx, value, true), (b, a) => itemLines(before, after, b, a), itemWhole);
      if (row) rows.push(row);
    }
    if (rows.length === 0) continue;
    const category = find(candidate.categories, categoryId) ?? find(baseline.categories, categoryId);
    groups.push({ key: `category/${categoryId}`, title: category ? pickText(lang, category.label) : categoryId, rows });
  }
  // Items whose category exists in neither document (an invalid draft) still appear.
  const placed = new Set(groups.flatMap((g) => g.rows.map((r) => r.key)));
  const stray = entries
    .filter((entry) => entry.section === "items")
    .map((entry) => rowFor("items", entry, (doc) => doc.items, (ctx, value) => itemFacets(ctx, value, true), (b, a) => itemLines(before, after, b, a), itemWhole))
    .filter((row): row is ChangeRow => row !== null && !placed.has(row.key));
  if (stray.length > 0) groups.push({ key: "items", title: lang === "en" ? "Scoring items" : "计分指标", rows: stray });

  const sections: Array<{ section: string; rows: (entry: (typeof entries)[number]) => ChangeRow | null }> = [
    { section: "groups", rows: (e) => rowFor("groups", e, (doc) => doc.groups, groupFacets) },
    { section: "gates", rows: (e) => rowFor("gates", e, (doc) => doc.gates, (ctx, gate) => gateFacets(ctx, gate, false)) },
    { section: "vetoes", rows: (e) => rowFor("vetoes", e, (doc) => doc.vetoes, (ctx, veto) => gateFacets(ctx, veto, true)) },
    { section: "programs", rows: (e) => rowFor("programs", e, (doc) => doc.programs, programFacets) },
    { section: "facts", rows: (e) => rowFor("facts", e, (doc) => doc.facts, factFacets) },
    {
      section: "derived",
      rows: (e) => rowFor("derived", e, (doc) => doc.derived, (ctx, derived) => [[F.label, pickText(lang, derived.label)], [F.computed, describeDerived(ctx, derived)]]),
    },
    {
      section: "lists",
      rows: (e) =>
        rowFor("lists", e, (doc) => doc.lists, (_ctx, value) => [
          [F.label, pickText(lang, value.label)],
          [F.validFor, value.validFor ?? ""],
          [F.listSize, String(value.values.length)],
        ]),
    },
    {
      section: "testCases",
      rows: (e) =>
        rowFor(
          "testCases",
          e,
          (doc) => doc.testCases,
          caseFacets,
          (b, a) => caseLines(lang, caseFacets(before, b), caseFacets(after, a)),
          (ctx, value) => caseSummary(lang, caseFacets(ctx, value)),
        ),
    },
    {
      section: "rankingCases",
      rows: (e) =>
        rowFor(
          "rankingCases",
          e,
          (doc) => doc.rankingCases,
          rankingCaseFacets,
          (b, a) => caseLines(lang, rankingCaseFacets(before, b), rankingCaseFacets(after, a)),
          (ctx, value) => caseSummary(lang, rankingCaseFacets(ctx, value)),
        ),
    },
  ];
  for (const { section, rows } of sections) {
    const sectionRows = entries.filter((entry) => entry.section === section).map(rows).filter((row): row is ChangeRow => row !== null);
    if (sectionRows.length > 0) groups.push({ key: section, title: w(lang, SECTION_TITLES[section]), rows: sectionRows });
  }
  return groups;
}
