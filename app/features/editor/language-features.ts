/**
 * The drafting aids inside Monaco (issue 25, parts 3 and 4): labels inline after each reference, hover with the
 * definition, go to definition, find references, rename (F2) everywhere, completions from the document. Browser-only;
 * the knowledge is in the pure modules beside it, this file only speaks Monaco's provider interfaces. Every change goes
 * through Monaco's edits, so undo and the markers keep working.
 */
import type * as Monaco from "monaco-editor";
import { indexDocument, renameEdits, type DocumentIndex, type LocalizedText, type RefKind } from "./document-index";
import { candidatesFor, completionContextAt } from "./completions";
import { editorMessages } from "./messages";

type MonacoApi = typeof Monaco;
type Lang = "zh-CN" | "en";

const indexes = new WeakMap<Monaco.editor.ITextModel, { version: number; index: DocumentIndex }>();

function indexOf(model: Monaco.editor.ITextModel): DocumentIndex {
  const cached = indexes.get(model);
  const version = model.getVersionId();
  if (cached && cached.version === version) return cached.index;
  const index = indexDocument(model.getValue());
  indexes.set(model, { version, index });
  return index;
}

/** Only the standards' documents get the aids (the compare view's models are left alone). */
function isStandard(model: Monaco.editor.ITextModel): boolean {
  return model.uri.path.startsWith("/standards/");
}

function rangeOf(model: Monaco.editor.ITextModel, offset: number, length: number): Monaco.IRange {
  const start = model.getPositionAt(offset);
  const end = model.getPositionAt(offset + length);
  return { startLineNumber: start.lineNumber, startColumn: start.column, endLineNumber: end.lineNumber, endColumn: end.column };
}

const ENTRY_KIND = {
  fact: "entry_fact",
  category: "entry_category",
  item: "entry_item",
  group: "entry_group",
  program: "entry_program",
  gate: "entry_gate",
  list: "entry_list",
  person: "entry_person",
} as const satisfies Record<RefKind, string>;

let registeredFor: MonacoApi | undefined;

/** Registers the aids once per page (the providers are global to the JSON language; they check the model). */
export function registerDraftingAids(monaco: MonacoApi, lang: Lang): void {
  if (registeredFor === monaco) return;
  registeredFor = monaco;
  const m = (key: Parameters<typeof editorMessages.translateIn>[1], params?: Record<string, string | number>) => editorMessages.translateIn(lang, key, params);
  const pick = (text: LocalizedText | undefined) => (text ? (lang === "en" ? text.en : text.zh) : "");

  monaco.languages.registerInlayHintsProvider("json", {
    provideInlayHints(model, range) {
      if (!isStandard(model)) return { hints: [], dispose() {} };
      const index = indexOf(model);
      const start = model.getOffsetAt({ lineNumber: range.startLineNumber, column: range.startColumn });
      const end = model.getOffsetAt({ lineNumber: range.endLineNumber, column: range.endColumn });
      const hints: Monaco.languages.InlayHint[] = [];
      for (const reference of index.references) {
        if (reference.span.offset < start || reference.span.offset > end || reference.kind === "person") continue;
        const label = pick(index.definitionOf(reference.kind, reference.id)?.label);
        if (!label) continue;
        // After the closing quote of a value; after the key's colon for a test case's fact name.
        const after = model.getPositionAt(reference.span.offset + reference.span.length + 1);
        hints.push({ label, position: after, paddingLeft: true, kind: monaco.languages.InlayHintKind.Type });
      }
      return { hints, dispose() {} };
    },
  });

  monaco.languages.registerHoverProvider("json", {
    provideHover(model, position) {
      if (!isStandard(model)) return null;
      const index = indexOf(model);
      const symbol = index.symbolAt(model.getOffsetAt(position));
      if (!symbol || !symbol.kind) return null;
      const range = rangeOf(model, symbol.span.offset, symbol.span.length);
      const kindWord = m(ENTRY_KIND[symbol.kind]);
      if (!symbol.definition) return { range, contents: [{ value: m("undefinedReference", { id: symbol.id, kind: kindWord }) }] };
      const { definition } = symbol;
      const count = index.referencesTo(symbol.kind, symbol.id).length;
      const lines = [`**${pick(definition.label) || definition.id}** · ${m(`entry_${definition.entry}`)} \`${definition.id}\``];
      if (definition.description) lines.push(pick(definition.description));
      lines.push(m("referencesCount", { count }));
      return { range, contents: lines.map((value) => ({ value })) };
    },
  });

  monaco.languages.registerDefinitionProvider("json", {
    provideDefinition(model, position) {
      if (!isStandard(model)) return null;
      const symbol = indexOf(model).symbolAt(model.getOffsetAt(position));
      if (!symbol?.definition) return null;
      return { uri: model.uri, range: rangeOf(model, symbol.definition.idSpan.offset, symbol.definition.idSpan.length) };
    },
  });

  monaco.languages.registerReferenceProvider("json", {
    provideReferences(model, position, context) {
      if (!isStandard(model)) return null;
      const index = indexOf(model);
      const symbol = index.symbolAt(model.getOffsetAt(position));
      if (!symbol?.kind) return null;
      const spans = index.referencesTo(symbol.kind, symbol.id).map((r) => r.span);
      if (context.includeDeclaration && symbol.definition) spans.unshift(symbol.definition.idSpan);
      return spans.map((span) => ({ uri: model.uri, range: rangeOf(model, span.offset, span.length) }));
    },
  });

  monaco.languages.registerRenameProvider("json", {
    resolveRenameLocation(model, position) {
      const symbol = isStandard(model) ? indexOf(model).symbolAt(model.getOffsetAt(position)) : undefined;
      if (!symbol) return { range: rangeOf(model, model.getOffsetAt(position), 0), text: "", rejectReason: m("renameNothing") };
      return { range: rangeOf(model, symbol.span.offset, symbol.span.length), text: symbol.id };
    },
    provideRenameEdits(model, position, newName) {
      const index = indexOf(model);
      const result = renameEdits(index, model.getOffsetAt(position), newName.trim());
      if (!result.ok) {
        const symbol = index.symbolAt(model.getOffsetAt(position));
        const kindWord = symbol?.kind ? m(ENTRY_KIND[symbol.kind]) : symbol?.entry ? m(`entry_${symbol.entry}`) : "";
        const rejectReason =
          result.reason === "badId" ? m("renameBadId") : result.reason === "taken" ? m("renameTaken", { id: newName.trim(), kind: kindWord }) : m("renameNothing");
        return { edits: [], rejectReason };
      }
      const versionId = model.getVersionId();
      return {
        edits: result.edits.map((edit) => ({
          resource: model.uri,
          versionId,
          textEdit: { range: rangeOf(model, edit.offset, edit.length), text: edit.text },
        })),
      };
    },
  });

  monaco.languages.registerCompletionItemProvider("json", {
    triggerCharacters: ['"'],
    provideCompletionItems(model, position) {
      if (!isStandard(model)) return { suggestions: [] };
      const index = indexOf(model);
      const context = completionContextAt(index, model.getOffsetAt(position));
      if (!context) return { suggestions: [] };
      const range = rangeOf(model, context.replace.offset, context.replace.length);
      const kind =
        context.expected.what === "operator"
          ? monaco.languages.CompletionItemKind.Operator
          : context.expected.what === "enumValue"
            ? monaco.languages.CompletionItemKind.EnumMember
            : monaco.languages.CompletionItemKind.Reference;
      const suggestions = candidatesFor(index, context).map((candidate, i) => ({
        label: { label: candidate.value, description: pick(candidate.label) || pick(candidate.detail) },
        detail: candidate.label ? `${pick(candidate.label)} · ${pick(candidate.detail)}` : pick(candidate.detail),
        documentation: candidate.description ? pick(candidate.description) : undefined,
        kind,
        insertText: context.inString ? candidate.value : JSON.stringify(candidate.value),
        // Typing part of the label (in either language) finds the id too.
        filterText: `${candidate.value} ${candidate.label ? `${candidate.label.zh} ${candidate.label.en}` : ""}`,
        sortText: String(i).padStart(4, "0"),
        range,
      }));
      return { suggestions };
    },
  });
}
