/**
 * A new standard, started from the blank template or as a copy of a version of another city's standard (issue 25,
 * part 7). The workflow sets the identity (decision 025): id, jurisdiction, title and version label from this form,
 * status draft, no effective period. Then the editor opens on the new draft.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { getVersion, listStandards } from "../../db/standards";
import { startStandard, type NewStandardField } from "../../db/new-standard";
import { STARTER_TEMPLATE } from "../../rules-schema/templates";
import { defineMessages, pick, requestLang, useT, type MessageKey } from "~/i18n";
import { assertSameOrigin, hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

const newStandardMessages = defineMessages({
  title: { zh: "新建计分标准", en: "New scoring standard" },
  intro: {
    zh: "从空白模板开始，或复制另一城市已有的计分标准再修改。版本号、状态和生效日期由审核发布流程确定：新标准总是草稿，发布时才确定生效日期。",
    en: "Start from the blank template, or copy another city's standard and change it. The workflow owns the version label, the status and the dates: a new standard is always a draft, and its effective date is set when it is published.",
  },
  startFrom: { zh: "起点", en: "Start from" },
  fromTemplate: { zh: "空白模板（两项示例指标、一项准入条件、一个测试用例）", en: "The blank template (two example indicators, one eligibility condition, one test case)" },
  fromCopy: { zh: "复制现有版本：", en: "A copy of an existing version:" },
  copyOption: { zh: "{standard} · 版本 {label}（{status}）", en: "{standard} · version {label} ({status})" },
  identity: { zh: "新标准", en: "The new standard" },
  id: { zh: "标准编号（字母开头，如 nanjing）", en: "Standard id (starts with a letter, e.g. nanjing)" },
  jurisdictionCode: { zh: "地区代码（如 320100）", en: "Jurisdiction code (e.g. 320100)" },
  jurisdictionZh: { zh: "地区名称（中文）", en: "Jurisdiction (Chinese)" },
  jurisdictionEn: { zh: "地区名称（英文）", en: "Jurisdiction (English)" },
  titleZh: { zh: "标准名称（中文）", en: "Title (Chinese)" },
  titleEn: { zh: "标准名称（英文）", en: "Title (English)" },
  versionLabel: { zh: "版本号（如 2027）", en: "Version label (e.g. 2027)" },
  create: { zh: "创建草稿并打开编辑器", en: "Create the draft and open the editor" },
  creating: { zh: "正在创建…", en: "Creating…" },
  notAllowed: { zh: "只有起草人可以新建计分标准。", en: "Only a drafter can start a new standard." },
  fixBelow: { zh: "未创建：请修正下面标出的 {count} 处。", en: "Not created: fix the {count} place(s) marked below." },
  unknownSource: { zh: "所选的版本不存在。", en: "The chosen version does not exist." },
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const standards = listStandards(getDb());
  return {
    canDraft: hasRole(user, "drafter"),
    versions: standards.flatMap((standard) =>
      standard.versions.map((version) => ({ id: version.id, standardTitle: standard.title, label: version.versionLabel, status: version.status })),
    ),
  };
}

type Outcome = { errors: Partial<Record<NewStandardField | "form", string>>; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const lang = requestLang(request);
  const form = await request.formData();
  const values: Record<string, string> = {};
  for (const key of ["source", "copyOf", "id", "jurisdictionCode", "jurisdictionZh", "jurisdictionEn", "titleZh", "titleEn", "versionLabel"]) {
    values[key] = String(form.get(key) ?? "").trim();
  }
  let sourceText: string;
  if (values.source === "copy") {
    const from = getVersion(getDb(), Number(values.copyOf));
    if (!from) return data<Outcome>({ errors: { source: newStandardMessages.translateIn(lang, "unknownSource") }, values }, { status: 400 });
    sourceText = from.document;
  } else {
    sourceText = JSON.stringify(STARTER_TEMPLATE);
  }
  const started = startStandard(getDb(), {
    id: values.id,
    jurisdiction: { code: values.jurisdictionCode, zh: values.jurisdictionZh, en: values.jurisdictionEn },
    title: { zh: values.titleZh, en: values.titleEn },
    versionLabel: values.versionLabel,
    sourceText,
    actor: user,
  });
  if (started.ok) return redirect(`/standards/${encodeURIComponent(values.id)}/versions/${started.versionId}`);
  const errors: Outcome["errors"] = {};
  for (const error of started.errors) errors[error.field ?? "form"] ??= pick(lang, error.message);
  return data<Outcome>({ errors, values }, { status: started.errors.some((e) => e.code === "standard.forbidden") ? 403 : 400 });
}

export default function NewStandard() {
  const { canDraft, versions } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>() as Outcome | undefined;
  const { m } = newStandardMessages.useMessages();
  const { lang, t } = useT();
  const busy = useNavigation().state !== "idle";
  const values = outcome?.values ?? {};
  const errors = outcome?.errors ?? {};
  const [source, setSource] = useState(values.source === "copy" ? "copy" : "template");
  const count = Object.keys(errors).length;
  const field = (name: NewStandardField, wide = false) => (
    <label className={wide ? "new-field wide" : "new-field"}>
      <span>{m(name as Parameters<typeof m>[0])}</span>
      <input type="text" name={name} defaultValue={values[name] ?? ""} aria-invalid={errors[name] ? true : undefined} data-testid={`new-${name}`} />
      {errors[name] ? (
        <span className="error small" role="alert" data-error-for={name}>
          {errors[name]}
        </span>
      ) : null}
    </label>
  );
  return (
    <section className="new-standard">
      <p className="links-row">
        <Link to="/standards">← {t("back")}</Link>
      </p>
      <h1>{m("title")}</h1>
      <p className="muted">{m("intro")}</p>
      {!canDraft ? (
        <p className="notice">{m("notAllowed")}</p>
      ) : (
        <Form method="post" className="card stack" data-testid="new-standard-form">
          {count > 0 ? (
            <p className="error" role="alert" data-testid="new-errors">
              {errors.form ?? m("fixBelow", { count })}
            </p>
          ) : null}
          <fieldset className="new-source">
            <legend>{m("startFrom")}</legend>
            <label className="inline-choice">
              <input type="radio" name="source" value="template" checked={source === "template"} onChange={() => setSource("template")} data-testid="new-from-template" />{" "}
              {m("fromTemplate")}
            </label>
            <label className="inline-choice">
              <input type="radio" name="source" value="copy" checked={source === "copy"} onChange={() => setSource("copy")} data-testid="new-from-copy" /> {m("fromCopy")}{" "}
              <select name="copyOf" defaultValue={values.copyOf ?? ""} disabled={source !== "copy"} data-testid="new-copy-of">
                {versions.map((version) => (
                  <option key={version.id} value={version.id}>
                    {m("copyOption", { standard: pick(lang, version.standardTitle), label: version.label, status: t(`status_${version.status}` as MessageKey) })}
                  </option>
                ))}
              </select>
            </label>
            {errors.source ? (
              <span className="error small" role="alert">
                {errors.source}
              </span>
            ) : null}
          </fieldset>
          <fieldset className="new-identity">
            <legend>{m("identity")}</legend>
            {field("id")}
            {field("versionLabel")}
            {field("jurisdictionCode")}
            {field("jurisdictionZh")}
            {field("jurisdictionEn")}
            {field("titleZh", true)}
            {field("titleEn", true)}
          </fieldset>
          <button type="submit" disabled={busy} data-testid="new-create">
            {busy ? m("creating") : m("create")}
          </button>
        </Form>
      )}
    </section>
  );
}
