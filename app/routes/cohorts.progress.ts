/** How far an upload's import has got (rows read, rows stored), asked by the upload screen while it waits. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { importProgress, isProgressKey } from "~/features/cohorts/import-progress.server";
import { requireUser } from "~/lib/auth.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const key = new URL(request.url).searchParams.get("key");
  const progress = isProgressKey(key) ? importProgress(key, user.id) : undefined;
  return Response.json(progress ?? { phase: "unknown" }, { headers: { "Cache-Control": "no-store" } });
}
