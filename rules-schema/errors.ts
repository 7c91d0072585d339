/**
 * The one problem shape shared by the validator, the CLI and the editor: a stable `code`, a JSON pointer to the
 * offending node, the position in the text when known, and a message in both UI languages.
 */

export interface ValidationProblem {
  code: ProblemCode | string;
  /** JSON pointer (RFC 6901) to the offending node; "" is the whole document. */
  path: string;
  /** 1-based line and column of the node in the source text, when the text is known. */
  line?: number;
  column?: number;
  message: { zh: string; en: string };
  params: Record<string, unknown>;
  severity: "error" | "warning";
}

interface ProblemTemplate {
  severity: "error" | "warning";
  zh: string;
  en: string;
}

/**
 * Every problem code with its message templates. `{name}` is replaced by `params.name`; `{at}` by the path.
 * Codes are stable: tools and tests match on them, so rename only with a migration note.
 */
export const PROBLEM_CATALOGUE = {
  "json.syntax": { severity: "error", zh: "JSON 语法错误：{detail}", en: "JSON syntax error: {detail}" },
  "json.tooDeep": {
    severity: "error",
    zh: "嵌套层数超过 {limit} 层（第 {line} 行第 {column} 列）：请检查是否多写了括号，或把深层嵌套的条件拆开",
    en: "Nested more than {limit} levels deep (line {line}, column {column}): check for extra brackets, or split deeply nested conditions",
  },
  "json.duplicateKey": { severity: "error", zh: "同一对象中字段“{key}”出现了两次，后一个会覆盖前一个", en: 'Key "{key}" appears twice in the same object; the later one would silently win' },

  "schema.required": { severity: "error", zh: "缺少必填字段“{property}”", en: 'Missing required field "{property}"' },
  "schema.additionalProperty": { severity: "error", zh: "不认识的字段“{property}”（拼写错误？）{suggestion}", en: 'Unknown field "{property}" (a typo?){suggestion}' },
  "schema.type": { severity: "error", zh: "类型错误：应为{expectedZh}，实际为{actualZh}", en: "Wrong type: expected {expected}, got {actual}" },
  "schema.minItems": { severity: "error", zh: "此列表至少需要 {limit} 项", en: "This list needs at least {limit} item(s)" },
  "schema.enum": { severity: "error", zh: "取值“{value}”不在允许的范围内，可选：{allowed}", en: 'Value "{value}" is not allowed; expected one of: {allowed}' },
  "schema.const": { severity: "error", zh: "取值应为 {allowed}", en: "Value must be {allowed}" },
  "schema.pattern": { severity: "error", zh: "“{value}”格式不对：编号须以英文字母开头，只含字母、数字、_ 和 -", en: '"{value}" is not a valid id: start with a letter, then letters, digits, _ or -' },
  "schema.format": { severity: "error", zh: "“{value}”不是有效的{format}（日期格式为 YYYY-MM-DD）", en: '"{value}" is not a valid {format} (dates are YYYY-MM-DD)' },
  "schema.magnitude": {
    severity: "error",
    zh: "数值 {shown} 超出允许范围：绝对值不能超过一万亿（1000000000000），否则总分无法计算",
    en: "The number {shown} is out of range: its magnitude must not exceed one trillion (1000000000000), or totals cannot be computed",
  },
  "schema.operatorValue": { severity: "error", zh: "比较方式“{operator}”的比较值类型不对：{detail}", en: 'The value does not suit operator "{operator}": {detail}' },
  "schema.notAllowed": { severity: "error", zh: "此处不应填写“{property}”：{detail}", en: '"{property}" is not allowed here: {detail}' },
  "schema.other": { severity: "error", zh: "{detail}", en: "{detail}" },

  "ref.unknownFact": { severity: "error", zh: "引用了未定义的事实“{id}”", en: 'Unknown fact "{id}"' },
  "ref.unknownList": { severity: "error", zh: "引用了未定义的外部名单“{id}”", en: 'Unknown external list "{id}"' },
  "ref.unknownRecordField": { severity: "error", zh: "记录型事实“{records}”没有字段“{id}”", en: 'Records fact "{records}" has no field "{id}"' },
  "ref.notRecords": { severity: "error", zh: "“{id}”不是记录型（records）事实，不能按记录统计", en: '"{id}" is not a records fact, so it cannot be counted per record' },
  "ref.notNumeric": { severity: "error", zh: "“{id}”是 {type} 类型，此处需要数值型事实", en: '"{id}" is of type {type}; a numeric fact is needed here' },
  "ref.notDate": { severity: "error", zh: "“{id}”是 {type} 类型，此处需要日期型（date）事实或字段", en: '"{id}" is of type {type}; a date fact or field is needed here' },
  "ref.unknownItem": { severity: "error", zh: "引用了未定义的指标“{id}”", en: 'Unknown item "{id}"' },
  "ref.unknownCategory": { severity: "error", zh: "引用了未定义的类别“{id}”", en: 'Unknown category "{id}"' },
  "ref.unknownProgram": { severity: "error", zh: "引用了未定义的项目“{id}”", en: 'Unknown program "{id}"' },
  "ref.unknownGroupMember": { severity: "error", zh: "指标组“{group}”的成员“{id}”不是已定义的指标", en: 'Member "{id}" of group "{group}" is not a defined item' },

  "id.duplicate": { severity: "error", zh: "编号“{id}”重复（首次出现在 {firstPath}）", en: 'Duplicate id "{id}" (first used at {firstPath})' },
  "tiers.overlap": { severity: "error", zh: "档次“{id}”与档次“{other}”的条件完全相同，其中分低的一档永远不会被选中", en: 'Tier "{id}" has the same condition as tier "{other}"; the lower one can never be chosen' },
  "bands.overlap": { severity: "error", zh: "区间“{id}”与区间“{other}”重叠（{range}）", en: 'Band "{id}" overlaps band "{other}" ({range})' },
  "bands.gap": { severity: "error", zh: "区间“{before}”与“{after}”之间有空档 [{from}, {to})，该范围内得 0 分；如属有意请设置 allowGaps", en: 'Gap [{from}, {to}) between bands "{before}" and "{after}" scores 0; set allowGaps if intended' },
  "bands.empty": { severity: "error", zh: "区间“{id}”的下限 {min} 不小于上限 {max}，不会有任何数值落入", en: 'Band "{id}" has min {min} not below max {max}, so no value falls in it' },
  "accrual.notContiguous": { severity: "error", zh: "累计分段须从小到大连续排列：第 {index} 段应从 {expected} 开始，实际从 {from} 开始", en: "Accrual bands must be ascending and contiguous: band {index} should start at {expected}, starts at {from}" },
  "cap.belowMinimum": { severity: "error", zh: "封顶 {cap} 小于本指标的最低得分 {minimum}，任何情况下都会被封顶", en: "Cap {cap} is below the item's own minimum of {minimum} points, so it always applies" },
  "linear.minAboveMax": { severity: "error", zh: "最低分 {min} 大于最高分 {max}", en: "min {min} is above max {max}" },
  "group.singleMember": { severity: "error", zh: "“只取最高”组“{id}”只有一个成员，起不到取舍作用", en: 'Highest-only group "{id}" has a single member, so it chooses nothing' },
  "group.capMissing": { severity: "error", zh: "封顶组“{id}”没有填写 cap", en: 'Cap group "{id}" has no cap' },
  "group.mixedCategories": { severity: "error", zh: "封顶组“{id}”的成员分属不同类别（{categories}），封顶组成员须属同一类别", en: 'Members of cap group "{id}" span categories ({categories}); a cap group must stay within one category' },
  "derived.cycle": { severity: "error", zh: "派生事实循环引用：{cycle}", en: "Derived facts depend on each other in a cycle: {cycle}" },
  "fact.nestedRecords": { severity: "error", zh: "记录字段“{id}”不能再是记录型（records）", en: 'Record field "{id}" cannot itself be of type records' },
  "dates.order": { severity: "error", zh: "生效日期 {from} 晚于失效日期 {to}", en: "effectiveFrom {from} is after effectiveTo {to}" },

  "testCase.unknownItem": { severity: "error", zh: "测试用例“{case}”检查了未定义的指标“{id}”", en: 'Test case "{case}" expects points for unknown item "{id}"' },
  "testCase.unknownCategory": { severity: "error", zh: "测试用例“{case}”检查了未定义的类别“{id}”", en: 'Test case "{case}" expects a subtotal for unknown category "{id}"' },
  "testCase.unknownProgram": { severity: "error", zh: "用例“{case}”使用了未定义的项目“{id}”", en: 'Case "{case}" names unknown program "{id}"' },
  "testCase.unknownFact": { severity: "error", zh: "用例“{case}”提供了未定义的事实“{id}”", en: 'Case "{case}" gives a value for unknown fact "{id}"' },
  "testCase.derivedFact": { severity: "error", zh: "用例“{case}”直接给出了派生事实“{id}”的值；派生事实由引擎计算，此值会被忽略，请改为提供它所依据的事实", en: 'Case "{case}" gives a value for derived fact "{id}"; derived facts are computed, so the value would be ignored: give the facts it is computed from' },
  "testCase.factValue": { severity: "error", zh: "用例“{case}”中事实“{id}”的值 {value} 不符合其类型：应为{expectedZh}", en: 'Case "{case}" gives fact "{id}" the value {value}, which does not fit: expected {expected}' },
  "testCase.unknownGate": { severity: "error", zh: "测试用例“{case}”列出了未定义的准入条件“{id}”", en: 'Test case "{case}" lists unknown gate "{id}"' },
  "testCase.unknownApplicant": { severity: "error", zh: "排名用例“{case}”的预期名单中有不存在的申请人“{id}”", en: 'Ranking case "{case}" expects unknown applicant "{id}"' },

  "condition.unknownEnumValue": { severity: "error", zh: "“{value}”不是事实“{fact}”的可选值，可选：{allowed}", en: '"{value}" is not a declared value of fact "{fact}"; declared: {allowed}' },
  "operator.typeMismatch": { severity: "error", zh: "比较方式“{operator}”不能用于 {type} 类型的事实“{fact}”", en: 'Operator "{operator}" does not apply to fact "{fact}" of type {type}' },
  "operator.levelOnNonEnum": { severity: "error", zh: "atLeastLevel 只能用于枚举型（enum）事实，“{fact}”是 {type} 类型", en: 'atLeastLevel needs an enum fact; "{fact}" is of type {type}' },
  "persons.unknownPerson": { severity: "error", zh: "“{id}”不是本标准声明的家庭成员（可选：{known}）", en: '"{id}" is not a person declared by this standard (declared: {known})' },
  "persons.duplicateCandidate": { severity: "error", zh: "计分人选“{id}”重复列出", en: 'Candidate "{id}" is listed twice' },
  "persons.householdReadsPerson": { severity: "error", zh: "指标“{item}”标为每户计一次（household），却读取了每人各自填写的事实“{fact}”", en: 'Item "{item}" counts once per household but reads "{fact}", a fact each person has' },
  "persons.otherCandidateWithoutPersons": { severity: "error", zh: "排序依据 otherCandidate（另一人选的总分）只能用于规定了计分人选（persons）的项目", en: "The rank key otherCandidate (the other candidate's total) needs a program that states its candidates (persons)" },
  "persons.noPerPersonFact": { severity: "warning", zh: "项目“{program}”对多人分别计分，但没有任何事实标为每人各自填写（perPerson），各人选的积分将完全相同", en: 'Program "{program}" scores several persons, but no fact is marked perPerson, so every candidate scores the same' },
  "deduction.positivePoints": { severity: "warning", zh: "扣减类指标“{id}”的分值 {points} 为正数，扣减分应填负数", en: 'Deduction item "{id}" gives positive points ({points}); deductions are negative' },

  // Windows, periods and arithmetic (decision 022).
  "window.mixed": { severity: "error", zh: "时间范围要么按自然年度（calendarYears），要么按回溯年/月数（years、months），不能同时填写", en: "A window is either whole calendar years (calendarYears) or years/months back (years, months), not both" },
  "window.calendarOrder": { severity: "error", zh: "自然年度范围的起始年度（{from}）晚于截止年度（{to}），范围为空", en: "The window's first calendar year ({from}) comes after its last ({to}): the window is empty" },
  "combine.weights": { severity: "error", zh: "权重（weights）只能用于求和（sum），且每个参与计算的事实各一个：应有 {expected} 个，实际 {actual} 个", en: "Weights go with sum only, one per operand: {expected} expected, {actual} given" },
  "combine.mixedTypes": { severity: "error", zh: "“{id}”混合了日期和数值：日期只能与日期比较取较早（min）或较晚（max）者", en: '"{id}" mixes dates and numbers: dates can only be combined with dates, by min (earlier) or max (later)' },
  "condition.betweenHalfOpen": {
    severity: "warning",
    zh: "between 不含上限：[{from}, {to}] 表示 {from} ≤ 值 < {to}，不包括 {to}。若指“{from}至{to}年”（含{to}年），请写 [{from}, {next}]",
    en: "between excludes its upper bound: [{from}, {to}] means {from} ≤ value < {to}, without {to}. For “{from} to {to}” inclusive write [{from}, {next}]",
  },
  "adjustment.oneRate": { severity: "error", zh: "总分调整“{id}”须填写百分比（percent）或系数（multiplier）中的一项，且只填一项", en: 'Adjustment of the total "{id}" needs exactly one of percent or multiplier' },
  "combine.missingInput": {
    severity: "warning",
    zh: "“{operand}”可能没有填写且没有默认值（default）：此时“{id}”没有结果，用到它的指标计 0 分。请为“{operand}”设置默认值，或确认申请人一定会填写",
    en: '"{operand}" may be missing and has no default: "{id}" then has no value and items on it score 0. Give "{operand}" a default, or make sure it is always supplied',
  },
} as const satisfies Record<string, ProblemTemplate>;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

function fill(template: string, params: Record<string, unknown>, path: string): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (name === "at") return path || "/";
    const value = params[name];
    if (value === undefined) return whole;
    return Array.isArray(value) ? value.join(", ") : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
  });
}

/** Build a problem from the catalogue. */
export function problem(code: ProblemCode, path: string, params: Record<string, unknown> = {}): ValidationProblem {
  const template: ProblemTemplate = PROBLEM_CATALOGUE[code];
  return {
    code,
    path,
    message: { zh: fill(template.zh, params, path), en: fill(template.en, params, path) },
    params,
    severity: template.severity,
  };
}

/** Escape one segment of a JSON pointer. */
export function pointerSegment(segment: string | number): string {
  if (typeof segment === "number") return String(segment);
  return segment.includes("~") || segment.includes("/") ? segment.replace(/~/g, "~0").replace(/\//g, "~1") : segment;
}

export function joinPointer(base: string, ...segments: Array<string | number>): string {
  let pointer = base;
  for (const segment of segments) pointer += "/" + pointerSegment(segment);
  return pointer;
}

export function splitPointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}
