/** Resource route the editor calls while the officer types (debounced): the server's full validation of the text. */
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { requestLang } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { validateForEditor } from "~/lib/validation.server";

const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  requireUser(request);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) return data({ error: "tooLarge" }, { status: 413 });
  return validateForEditor(text, requestLang(request));
}
