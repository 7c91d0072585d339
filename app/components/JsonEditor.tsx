import { useEffect, useRef, useState } from "react";
import type * as Monaco from "monaco-editor";

import type { MonacoModule } from "./monaco.client";

export interface EditorProblem {
  code: string;
  /** JSON pointer of the offending node. */
  path?: string;
  line?: number;
  column?: number;
  message: string;
  severity: "error" | "warning";
}

interface Props {
  /** Model URI: distinct per document so schema association and markers stay with it. */
  path: string;
  initialValue: string;
  readOnly: boolean;
  loadingText: string;
  schema?: unknown;
  /** Problems from the server's validation, shown as markers of their own owner. */
  problems?: EditorProblem[];
  onChange(value: string): void;
  /** The editor and Monaco, once mounted: for the drafting aids that read and write through Monaco. */
  onReady?(editor: Monaco.editor.IStandaloneCodeEditor, monaco: MonacoModule["monaco"]): void;
}

/** The JSON document editor: Monaco with the JSON language worker, the document's schema and server markers. */
export function JsonEditor({ path, initialValue, readOnly, loadingText, schema, problems, onChange, onReady }: Props) {
  const [mod, setMod] = useState<MonacoModule | null>(null);
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);

  useEffect(() => {
    let alive = true;
    import("./monaco.client").then((m) => m.loadMonaco()).then((m) => alive && setMod(m));
    return () => {
      alive = false;
    };
  }, []);

  useEffect(() => {
    if (!mod || !schema) return;
    mod.monaco.json.jsonDefaults.setDiagnosticsOptions({
      validate: true,
      allowComments: false,
      trailingCommas: "error",
      enableSchemaRequest: false,
      schemas: [{ uri: "https://jifen.invalid/standard.schema.json", fileMatch: [path], schema }],
    });
  }, [mod, schema, path]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!mod || !model) return;
    mod.monaco.editor.setModelMarkers(
      model,
      "jifen",
      (problems ?? [])
        .filter((p) => p.line !== undefined)
        .map((p) => ({
          startLineNumber: p.line!,
          startColumn: p.column ?? 1,
          endLineNumber: p.line!,
          endColumn: model.getLineMaxColumn(p.line!),
          message: `${p.message} [${p.code}]`,
          severity: p.severity === "error" ? mod.monaco.MarkerSeverity.Error : mod.monaco.MarkerSeverity.Warning,
        })),
    );
  }, [mod, problems]);

  if (!mod) {
    return (
      <div className="editor-loading" data-testid="editor-loading">
        {loadingText}
      </div>
    );
  }
  const { Editor } = mod;
  return (
    <div className="editor-frame" data-testid="json-editor">
      <Editor
        height="70vh"
        language="json"
        path={path}
        defaultValue={initialValue}
        onChange={(v) => onChange(v ?? "")}
        onMount={(editor) => {
          editorRef.current = editor;
          onReady?.(editor, mod.monaco);
        }}
        options={{
          readOnly,
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 14,
          tabSize: 2,
          scrollBeyondLastLine: false,
          wordWrap: "on",
          // Words from elsewhere in the text (test-case ids while a fact is expected) are noise: completions come from
          // the schema and from the document's own ids where one is expected.
          wordBasedSuggestions: "off",
          // In JSON every value a drafter types is a string: ids, operators and enum values are offered inside quotes.
          quickSuggestions: { other: true, comments: false, strings: true },
          inlayHints: { enabled: "on" },
          // Chinese text is full of full-width punctuation that Monaco would otherwise box as "ambiguous".
          unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false },
        }}
      />
    </div>
  );
}
