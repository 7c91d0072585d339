/** A round's report as a Word document: admitted list per pool, pools, objections and outcomes (decision 042). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { roundReportDownload } from "~/features/rounds/report.server";

export const loader = (args: LoaderFunctionArgs) => roundReportDownload(args, "docx");
