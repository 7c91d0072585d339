/** The official table as a Word document to file and publish (decision 039). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { officialTableDownload } from "~/features/read-view/official-export.server";

export const loader = (args: LoaderFunctionArgs) => officialTableDownload(args, "docx");
