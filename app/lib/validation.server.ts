import { validateDocumentText } from "../../rules-schema/validate";
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
