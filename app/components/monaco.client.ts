/**
 * Monaco, bundled with the app (the machines are offline: no CDN loader). Browser-only: imported with
 * `import()` from an effect, never during server rendering.
 */
import * as monaco from "monaco-editor";
import { loader } from "@monaco-editor/react";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import JsonWorker from "monaco-editor/language/json/json.worker?worker";

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return label === "json" ? new JsonWorker() : new EditorWorker();
  },
};

loader.config({ monaco });

export { monaco };
export { default as Editor, DiffEditor } from "@monaco-editor/react";
