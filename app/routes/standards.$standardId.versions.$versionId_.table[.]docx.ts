/** The official table as a Word document to file and publish (decision 039). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { officialTableDocx } from "~/features/read-view/official-export.server";
import { loadVersionDocument } from "~/features/read-view/load-version.server";
import { requestLang } from "~/i18n";
import { requireUser } from "~/lib/auth.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireUser(request);
  const lang = requestLang(request);
  const version = loadVersionDocument(params);
  if (!version.document || version.errorCount > 0) {
    throw new Response(lang === "en" ? "This version has problems to fix before it can be exported." : "此版本尚有问题需要修改，暂不能导出。", { status: 409 });
  }
  const body = await officialTableDocx(version.document, version, lang);
  const name = `${version.standardId}-${version.versionLabel}`.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "Content-Disposition": `attachment; filename="${name}.docx"`,
    },
  });
}
