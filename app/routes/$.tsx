/**
 * Any address no other route matches: a 404 thrown from a loader, so that the root loader runs first and the error page
 * keeps the navigation and the UI's language (root ErrorBoundary).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requestLang, translate } from "~/i18n";

export async function loader({ request }: LoaderFunctionArgs) {
  throw new Response(translate(requestLang(request), "notFoundHint"), { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

export default function NotFound() {
  return null;
}
