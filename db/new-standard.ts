/**
 * Starting a new standard (issue 25, part 7): from the blank template or as a copy of any version of another city's
 * standard. As for a revision (decision 025), the workflow sets the identity: the new standard's id, jurisdiction and
 * title come from the form, the version label is the form's, the status is draft and there is no effective period.
 * Everything else of the source is kept, so a copy scores as its source until it is edited.
 */
import type { JifenDb } from "./connection";
import { createStandardWithVersion, listStandards } from "./standards";
import type { Role } from "./users";
import { documentForRevision } from "./workflow";

export interface NewStandardInput {
  id: string;
  jurisdiction: { code: string; zh: string; en: string };
  title: { zh: string; en: string };
  versionLabel: string;
  /** The source document's text (the template's or the copied version's). */
  sourceText: string;
  actor: { id: number; roles: readonly Role[] };
}

export type NewStandardField = "id" | "jurisdictionCode" | "jurisdictionZh" | "jurisdictionEn" | "titleZh" | "titleEn" | "versionLabel" | "source";

export interface NewStandardError {
  code: "standard.forbidden" | "standard.badId" | "standard.idTaken" | "standard.missing" | "standard.tooLong" | "standard.badSource";
  field?: NewStandardField;
  message: { zh: string; en: string };
}

const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The source with the new identity written into it (only the identity fields change). */
export function documentForNewStandard(sourceText: string, input: Omit<NewStandardInput, "sourceText" | "actor">): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(sourceText);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  record.id = input.id;
  record.jurisdiction = { code: input.jurisdiction.code, name: { zh: input.jurisdiction.zh, en: input.jurisdiction.en } };
  record.title = { zh: input.title.zh, en: input.title.en };
  record.version = input.versionLabel;
  record.status = "draft";
  return documentForRevision(`${JSON.stringify(record, null, 2)}\n`, input.versionLabel);
}

/** Checks the form and creates the standard with its first version, a draft; or says what is wrong, field by field. */
export function startStandard(db: JifenDb, input: NewStandardInput): { ok: true; versionId: number } | { ok: false; errors: NewStandardError[] } {
  const errors: NewStandardError[] = [];
  if (!input.actor.roles.includes("drafter") && !input.actor.roles.includes("administrator")) {
    return { ok: false, errors: [{ code: "standard.forbidden", message: { zh: "您没有起草权限。", en: "You do not have the drafter role." } }] };
  }
  const required: Array<[NewStandardField, string, { zh: string; en: string }]> = [
    ["id", input.id, { zh: "标准编号", en: "the standard's id" }],
    ["jurisdictionCode", input.jurisdiction.code, { zh: "地区代码", en: "the jurisdiction code" }],
    ["jurisdictionZh", input.jurisdiction.zh, { zh: "地区名称（中文）", en: "the jurisdiction's name in Chinese" }],
    ["jurisdictionEn", input.jurisdiction.en, { zh: "地区名称（英文）", en: "the jurisdiction's name in English" }],
    ["titleZh", input.title.zh, { zh: "标准名称（中文）", en: "the title in Chinese" }],
    ["titleEn", input.title.en, { zh: "标准名称（英文）", en: "the title in English" }],
    ["versionLabel", input.versionLabel, { zh: "版本号", en: "the version label" }],
  ];
  for (const [field, value, name] of required) {
    if (!value.trim()) errors.push({ code: "standard.missing", field, message: { zh: `请填写${name.zh}。`, en: `Give ${name.en}.` } });
    else if (value.length > (field === "titleZh" || field === "titleEn" ? 200 : 64)) {
      const limit = field === "titleZh" || field === "titleEn" ? 200 : 64;
      errors.push({ code: "standard.tooLong", field, message: { zh: `${name.zh}不能超过 ${limit} 个字符。`, en: `Keep ${name.en} to ${limit} characters at most.` } });
    }
  }
  if (input.id.trim() && !ID_PATTERN.test(input.id)) {
    errors.push({
      code: "standard.badId",
      field: "id",
      message: {
        zh: "标准编号只能由字母、数字、“_”和“-”组成，并以字母开头，例如 nanjing。",
        en: "A standard's id has letters, digits, \"_\" and \"-\" only, and starts with a letter, e.g. nanjing.",
      },
    });
  } else if (input.id.trim() && listStandards(db).some((standard) => standard.id === input.id)) {
    errors.push({
      code: "standard.idTaken",
      field: "id",
      message: { zh: `已有编号为“${input.id}”的计分标准；如要修订它，请在其审核页面起草修订。`, en: `A standard with the id "${input.id}" exists; to revise it, start a revision from its review page.` },
    });
  }
  const documentText = errors.length === 0 ? documentForNewStandard(input.sourceText, input) : undefined;
  if (errors.length === 0 && documentText === undefined) {
    errors.push({ code: "standard.badSource", field: "source", message: { zh: "所选的起点文档不是有效的 JSON，无法复制。", en: "The chosen starting document is not valid JSON and cannot be copied." } });
  }
  if (errors.length > 0 || documentText === undefined) return { ok: false, errors };
  const versionId = createStandardWithVersion(
    db,
    { id: input.id, jurisdiction: input.jurisdiction, title: input.title },
    { versionLabel: input.versionLabel.trim(), status: "draft", documentText, draftedBy: input.actor.id },
  );
  return { ok: true, versionId };
}
