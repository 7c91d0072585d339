import { validateDocumentText } from "../../rules-schema/validate";
import { locatedText } from "../../rules-schema/locate";
import { identityErrors } from "../../db/workflow";
import type { ValidationProblem } from "../../rules-schema/errors";
import { pick, type Lang } from "~/i18n";
import type { EditorProblem } from "~/components/JsonEditor";

/** Validation problems as the editor shows them: located, in the UI's language, with their JSON pointer. */
export function editorProblems(problems: ValidationProblem[], lang: Lang): EditorProblem[] {
  return problems.map((p) => ({
    code: p.code,
    path: p.path,
    line: p.line,
    column: p.column,
    message: pick(lang, p.message),
    severity: p.severity,
  }));
}

export function validateForEditor(text: string, lang: Lang): { ok: boolean; problems: EditorProblem[] } {
  const result = validateDocumentText(text);
  return { ok: result.ok, problems: editorProblems(result.problems, lang) };
}

/**
 * The editor's validation of a version's text, with the workflow's identity check added: the document's label,
 * status and effective period may not contradict the version's (they are decided by the workflow), located like any
 * other problem so the editor marks the line.
 */
export function validateVersionForEditor(
  text: string,
  version: { versionLabel: string; status: string },
  lang: Lang,
): { ok: boolean; problems: EditorProblem[] } {
  const result = validateForEditor(text, lang);
  if (result.problems.some((p) => p.code.startsWith("json."))) return result;
  const identity = identityErrors({ ...version, document: text });
  if (identity.length === 0) return result;
  const located = locatedText(text);
  const problems: EditorProblem[] = identity.map((e) => {
    const at = located.locate(e.path);
    return { code: e.code, path: e.path, line: at?.line, column: at?.column, message: pick(lang, e.message), severity: "error" };
  });
  return { ok: false, problems: [...problems, ...result.problems] };
}
