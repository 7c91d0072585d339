/**
 * The fields of an applicant form generated from a fact dictionary, shared by the officer's try page and the public
 * self-estimate (one form, two pages): a control per scalar fact with its unit, format, range and default explained,
 * and records as rows the applicant adds one by one. Field names and parsing are in applicant-form.ts.
 */
import { useRef, useState } from "react";
import type { FactDefinition, Id } from "../../../rules-schema/types";
import { describeRange, describeValue, pickText, unitText, type DescribeContext } from "../read-view/describe";
import { recordFieldName, scalarName, type FormValues } from "./applicant-form";
import { useTryMessages } from "./messages";

type Messages = ReturnType<typeof useTryMessages>["m"];

export function FieldError({ message, name }: { message?: string; name: string }) {
  if (!message) return null;
  return (
    <span className="field-error" role="alert" data-error-for={name}>
      {message}
    </span>
  );
}

/** Record rows by key, with stable new keys; the form's `rec:<fact>:<key>:<field>` names carry them. */
export function useRowKeys(initial: Record<Id, string[]>) {
  const [rowKeys, setRowKeys] = useState<Record<Id, string[]>>(initial);
  const counter = useRef(0);
  const addRow = (factId: Id) => {
    counter.current += 1;
    setRowKeys((current) => ({ ...current, [factId]: [...(current[factId] ?? []), `n${Date.now().toString(36)}${counter.current}`] }));
  };
  const removeRow = (factId: Id, key: string) => setRowKeys((current) => ({ ...current, [factId]: (current[factId] ?? []).filter((k) => k !== key) }));
  return { rowKeys, setRowKeys, addRow, removeRow };
}

/** A grid of fields for `facts` (ids as the form names them: `spouse.education` for another person's). */
export function FactFields({
  facts,
  ctx,
  values,
  errors,
  rowKeys,
  onAdd,
  onRemove,
  labelOf,
}: {
  facts: FactDefinition[];
  ctx: DescribeContext;
  values: FormValues;
  errors: Record<string, string>;
  rowKeys: Record<Id, string[]>;
  onAdd: (factId: Id) => void;
  onRemove: (factId: Id, key: string) => void;
  /** The question for a fact, when the page words it otherwise than the fact's label. */
  labelOf?: (fact: FactDefinition) => string;
}) {
  return (
    <div className="field-grid">
      {facts.map((fact) =>
        fact.type === "records" ? (
          <RecordsField
            key={fact.id}
            fact={fact}
            ctx={ctx}
            values={values}
            errors={errors}
            rowKeys={rowKeys[fact.id] ?? []}
            onAdd={() => onAdd(fact.id)}
            onRemove={(key) => onRemove(fact.id, key)}
            label={labelOf?.(fact)}
          />
        ) : (
          <ScalarField key={fact.id} fact={fact} ctx={ctx} name={scalarName(fact.id)} value={values[scalarName(fact.id)] ?? ""} error={errors[scalarName(fact.id)]} label={labelOf?.(fact)} />
        ),
      )}
    </div>
  );
}

/** What to type and in what form: the unit, whole numbers, the date format, the range, the default, who supplies it. */
function hints(fact: FactDefinition, ctx: DescribeContext, m: Messages): string[] {
  const { lang } = ctx;
  const out: string[] = [];
  if (fact.type === "integer") out.push(fact.unit ? m("formatIntegerIn", { unit: unitText(lang, fact.unit) }) : m("formatInteger"));
  else if (fact.type === "number") out.push(fact.unit ? m("formatNumberIn", { unit: unitText(lang, fact.unit) }) : m("formatNumber"));
  else if (fact.type === "date") out.push(m("formatDate"));
  if ((fact.type === "number" || fact.type === "integer") && (fact.minimum !== undefined || fact.maximum !== undefined)) {
    out.push(m("range", { range: describeRange(lang, fact.minimum, fact.maximum === undefined ? undefined : fact.maximum + (fact.type === "integer" ? 1 : 0), fact.unit, fact.type === "integer") }));
  }
  if (fact.default !== undefined && fact.type !== "records") {
    out.push(m("defaultIs", { value: describeValue(ctx, fact.id, fact.default) }));
  }
  if (fact.department) out.push(m("department", { department: pickText(lang, fact.department) }));
  return out;
}

export function ScalarField({
  fact,
  ctx,
  name,
  value,
  error,
  compact,
  label,
}: {
  fact: FactDefinition;
  ctx: DescribeContext;
  name: string;
  value: string;
  error?: string;
  compact?: boolean;
  label?: string;
}) {
  const { m, lang } = useTryMessages();
  const invalid = error ? true : undefined;
  let control: React.ReactNode;
  switch (fact.type) {
    case "boolean":
      control = (
        <select name={name} defaultValue={value} aria-invalid={invalid} data-fact={fact.id}>
          <option value="">{m("notGiven")}</option>
          <option value="true">{m("yes")}</option>
          <option value="false">{m("no")}</option>
        </select>
      );
      break;
    case "enum":
      control = (
        <select name={name} defaultValue={value} aria-invalid={invalid} data-fact={fact.id}>
          <option value="">{m("notGiven")}</option>
          {(fact.values ?? []).map((entry) => (
            <option key={entry.value} value={entry.value}>
              {pickText(lang, entry.label)}
            </option>
          ))}
        </select>
      );
      break;
    case "date":
      control = <input type="date" name={name} defaultValue={value} aria-invalid={invalid} data-fact={fact.id} />;
      break;
    case "number":
    case "integer":
      control = (
        <span className="with-unit">
          <input type="text" inputMode={fact.type === "integer" ? "numeric" : "decimal"} name={name} defaultValue={value} aria-invalid={invalid} data-fact={fact.id} />
          {fact.unit ? <span className="unit">{unitText(lang, fact.unit)}</span> : null}
        </span>
      );
      break;
    default:
      control = <input type="text" name={name} defaultValue={value} aria-invalid={invalid} data-fact={fact.id} />;
  }
  if (compact) {
    return (
      <>
        {control}
        <FieldError message={error} name={name} />
      </>
    );
  }
  const notes = hints(fact, ctx, m);
  return (
    <label className="field" data-field={fact.id}>
      <span className="field-label">{label ?? pickText(lang, fact.label)}</span>
      {control}
      {fact.description ? <span className="field-hint small muted">{pickText(lang, fact.description)}</span> : null}
      {notes.length > 0 ? <span className="field-hint small muted">{notes.join(" · ")}</span> : null}
      <FieldError message={error} name={name} />
    </label>
  );
}

export function RecordsField({
  fact,
  ctx,
  values,
  errors,
  rowKeys,
  onAdd,
  onRemove,
  label,
}: {
  fact: FactDefinition;
  ctx: DescribeContext;
  values: FormValues;
  errors: Record<string, string>;
  rowKeys: string[];
  onAdd: () => void;
  onRemove: (key: string) => void;
  label?: string;
}) {
  const { m, lang } = useTryMessages();
  const fields = fact.fields ?? [];
  const heading = (field: FactDefinition) => `${pickText(lang, field.label)}${field.unit ? `（${unitText(lang, field.unit)}）` : ""}`;
  return (
    <div className="field field-wide records-field" data-field={fact.id}>
      <span className="field-label">{label ?? pickText(lang, fact.label)}</span>
      {fact.description ? <span className="field-hint small muted">{pickText(lang, fact.description)}</span> : null}
      <div className="records-scroll">
        <table className="grid compact records-table" data-records={fact.id}>
          <thead>
            <tr>
              {fields.map((field) => (
                <th key={field.id}>{heading(field)}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {rowKeys.length === 0 ? (
              <tr>
                <td colSpan={fields.length + 1} className="muted">
                  {m("noRows")}
                </td>
              </tr>
            ) : (
              rowKeys.map((key) => (
                <tr key={key} data-row={key}>
                  {fields.map((field) => {
                    const name = recordFieldName(fact.id, key, field.id);
                    return (
                      <td key={field.id} data-label={heading(field)}>
                        <ScalarField fact={field} ctx={ctx} name={name} value={values[name] ?? ""} error={errors[name]} compact />
                      </td>
                    );
                  })}
                  <td>
                    <button type="button" className="secondary" onClick={() => onRemove(key)} data-testid={`remove-${fact.id}`}>
                      {m("removeRow")}
                    </button>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div>
        <button type="button" className="secondary" onClick={onAdd} data-testid={`add-${fact.id}`}>
          + {rowKeys.length === 0 ? m("addRow") : m("addAnother")}
        </button>
      </div>
    </div>
  );
}
