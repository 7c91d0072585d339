import { useEffect, useState } from "react";

import type { MonacoModule } from "./monaco.client";

/** Monaco's side-by-side diff of two JSON texts, read-only. Browser-only, like the editor. */
export function JsonDiff({ original, modified, loadingText }: { original: string; modified: string; loadingText: string }) {
  const [mod, setMod] = useState<MonacoModule | null>(null);
  useEffect(() => {
    let alive = true;
    import("./monaco.client").then((m) => m.loadMonaco()).then((m) => alive && setMod(m));
    return () => {
      alive = false;
    };
  }, []);
  if (!mod) return <div className="editor-loading">{loadingText}</div>;
  const { DiffEditor } = mod;
  return (
    <div className="editor-frame" data-testid="json-diff">
      <DiffEditor
        height="60vh"
        language="json"
        original={original}
        modified={modified}
        options={{
          readOnly: true,
          originalEditable: false,
          renderSideBySide: true,
          automaticLayout: true,
          minimap: { enabled: false },
          wordWrap: "on",
          unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false },
        }}
      />
    </div>
  );
}
