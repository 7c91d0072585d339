/**
 * Quick edits (issue 25, part 6): a tier's, band's or cap's figures in a small form beside the editor. Which figures
 * the entry under the cursor has, and the text edits (jsonc-parser's `modify`, which keeps the document's layout) that
 * write a new figure. Pure; the editor applies the edits through Monaco, so undo and validation work as for typing.
 */
import { modify } from "jsonc-parser";
import { fromPointer, type DocumentIndex } from "./document-index";
import { valueAtPointer } from "./snippets";

export type QuickField = "points" | "min" | "max" | "cap";

export interface QuickEditTarget {
  /** The entry: a tier, a band, an indicator or a category. */
  pointer: string;
  entry: "tier" | "band" | "item" | "category";
  label?: { zh: string; en: string };
  fields: Array<{ name: QuickField; pointer: string; value: number | undefined; required: boolean }>;
}

function numberAt(index: DocumentIndex, pointer: string): number | undefined {
  const value = valueAtPointer(index, pointer);
  return typeof value === "number" ? value : undefined;
}

/** The figures of the entry at `pointer` (the outline's entry under the cursor), or nothing to edit there. */
export function quickEditTarget(index: DocumentIndex, pointer: string | undefined): QuickEditTarget | undefined {
  if (!pointer) return undefined;
  const definition = index.definitions.find((d) => d.pointer === pointer);
  const field = (name: QuickField, required: boolean, at = `${pointer}/${name}`) => ({ name, pointer: at, value: numberAt(index, at), required });
  if (/^\/items\/\d+\/scoring\/tiers\/\d+$/.test(pointer)) {
    return { pointer, entry: "tier", label: definition?.label, fields: [field("points", true)] };
  }
  if (/^\/items\/\d+\/scoring\/bands\/\d+$/.test(pointer)) {
    return { pointer, entry: "band", label: definition?.label, fields: [field("min", false), field("max", false), field("points", true)] };
  }
  if (/^\/items\/\d+$/.test(pointer)) {
    const kind = valueAtPointer(index, `${pointer}/scoring/kind`);
    const fields = [field("cap", false)];
    if (kind === "fixed") fields.unshift(field("points", true, `${pointer}/scoring/points`));
    return { pointer, entry: "item", label: definition?.label, fields };
  }
  if (/^\/categories\/\d+$/.test(pointer)) return { pointer, entry: "category", label: definition?.label, fields: [field("cap", false)] };
  return undefined;
}

export type QuickEditResult = { ok: true; edits: Array<{ offset: number; length: number; content: string }> } | { ok: false; reason: "notNumber" | "required" | "negativeCap" };

/** Edits that set (or, for an optional figure left empty, remove) a figure. Text that is not a number is refused. */
export function quickEditEdits(index: DocumentIndex, pointer: string, input: string, required: boolean, name: QuickField): QuickEditResult {
  const trimmed = input.trim();
  let value: number | undefined;
  if (trimmed === "") {
    if (required) return { ok: false, reason: "required" };
    value = undefined;
  } else {
    value = Number(trimmed);
    if (!Number.isFinite(value) || !/^-?\d+(\.\d+)?$/.test(trimmed)) return { ok: false, reason: "notNumber" };
    if (name === "cap" && value < 0) return { ok: false, reason: "negativeCap" };
  }
  const path = fromPointer(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const edits = modify(index.text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: "\n" } });
  return { ok: true, edits };
}
