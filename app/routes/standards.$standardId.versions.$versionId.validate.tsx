/** Resource route the editor calls while the officer types (debounced): the server's full validation of the text. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { requestLang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { documentTooLargeMessage, MAX_DOCUMENT_BYTES, readBodyWithin } from "~/lib/body-limit.server";
import { validateVersionForEditor } from "~/lib/validation.server";
import { loadVersionOr404 } from "~/lib/versions.server";

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  requireUser(request);
  const version = loadVersionOr404(params);
  const lang = requestLang(request);
  const body = await readBodyWithin(request, MAX_DOCUMENT_BYTES);
  if (!body) {
    // Shown in the problem list like any other finding, at the top of the document.
    const problem = { code: "document.tooLarge", path: "", line: 1, column: 1, message: documentTooLargeMessage(lang), severity: "error" as const };
    // A resource route answers with a Response: single fetch would drop the status of `data()` (the 413 was a 200).
    return Response.json({ ok: false, error: "tooLarge", problems: [problem] }, { status: 413 });
  }
  return Response.json(validateVersionForEditor(body.toString("utf8"), version, lang));
}
