/**
 * Monaco, bundled with the app (the machines are offline: no CDN loader). Browser-only: loaded with `loadMonaco()`
 * from an effect, never during server rendering.
 */
import type * as MonacoApi from "monaco-editor";
import { loader } from "@monaco-editor/react";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import JsonWorker from "monaco-editor/language/json/json.worker?worker";

export interface MonacoModule {
  monaco: typeof MonacoApi;
  Editor: typeof import("@monaco-editor/react").default;
  DiffEditor: typeof import("@monaco-editor/react").DiffEditor;
}

let loading: Promise<MonacoModule> | undefined;

/**
 * Monaco in the page's language. Its own strings (find, the context menu, the command palette, hovers) are looked up
 * in a table that must be set before its modules are evaluated, so the table is loaded first; the language switch
 * reloads the page, which is when this choice can change.
 */
export function loadMonaco(): Promise<MonacoModule> {
  loading ??= (async () => {
    if (document.documentElement.lang.toLowerCase().startsWith("zh")) await import("monaco-editor/nls/lang/zh-cn.js");
    const [lean, react] = await Promise.all([import("./monaco-lean"), import("@monaco-editor/react")]);
    self.MonacoEnvironment = {
      getWorker(_workerId: string, label: string) {
        return label === "json" ? new JsonWorker() : new EditorWorker();
      },
    };
    const monaco = lean as unknown as typeof MonacoApi;
    loader.config({ monaco });
    return { monaco, Editor: react.default, DiffEditor: react.DiffEditor };
  })();
  return loading;
}
