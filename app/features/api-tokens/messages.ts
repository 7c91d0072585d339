import { defineMessages } from "~/i18n";

export const { useMessages, translateIn } = defineMessages({
  title: { zh: "部门 API 令牌", en: "Department API tokens" },
  intro: {
    zh: "教育、公安、人社等部门通过 HTTP 接口按生效版本计算积分。每个令牌属于一个部门，只具备所选权限；令牌明文只在创建时显示一次，系统仅保存其哈希值。",
    en: "Departments (education, public security, HR and social security) score applicants over HTTP with the version in effect. Each token belongs to one department and has only the scopes chosen; it is shown once at creation and only its hash is stored.",
  },
  createTitle: { zh: "新建令牌", en: "Create a token" },
  name: { zh: "令牌名称", en: "Token name" },
  department: { zh: "部门", en: "Department" },
  scopes: { zh: "权限", en: "Scopes" },
  scope_evaluate: { zh: "evaluate：计算积分", en: "evaluate: score applicants" },
  scope_rank: { zh: "rank：按名额排名", en: "rank: rank cohorts with quotas" },
  scope_read: { zh: "read：查看版本、事实字典与决定记录", en: "read: versions, fact dictionary, decisions" },
  create: { zh: "创建令牌", en: "Create token" },
  created: {
    zh: "已为“{department}”创建令牌。请立即复制，离开此页后将无法再次查看：",
    en: "Token created for {department}. Copy it now; it will not be shown again:",
  },
  needFields: { zh: "请填写名称、部门，并至少选择一项权限。", en: "Give a name and a department, and choose at least one scope." },
  listTitle: { zh: "已发放的令牌", en: "Issued tokens" },
  none: { zh: "尚未发放令牌。", en: "No tokens issued yet." },
  colCreated: { zh: "创建时间", en: "Created" },
  colLastUsed: { zh: "最近使用", en: "Last used" },
  colState: { zh: "状态", en: "State" },
  active: { zh: "有效", en: "Active" },
  revoked: { zh: "已吊销（{at}）", en: "Revoked ({at})" },
  never: { zh: "从未", en: "never" },
  revoke: { zh: "吊销", en: "Revoke" },
  revokedDone: { zh: "令牌 #{id} 已吊销，使用它的请求将被拒绝。", en: "Token #{id} is revoked; requests using it are refused." },
  forbidden: { zh: "只有系统管理员可以管理 API 令牌。", en: "Only administrators can manage API tokens." },
  docs: { zh: "接口说明（OpenAPI）", en: "API description (OpenAPI)" },
});
