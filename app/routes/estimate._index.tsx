/**
 * The public list of standards an applicant can estimate against (decision 041): each standard with a version in
 * force today, by its title and jurisdiction; no drafts, no sign-in, counted against the address's limit.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { formatDate, pickText } from "~/features/read-view/describe";
import { publicStandardsInEffect } from "~/features/self-estimate/estimate.server";
import { estimateText, useEstimateMessages } from "~/features/self-estimate/messages";
import { limitEstimateRequest } from "~/features/self-estimate/rate-limit.server";
import estimateStyles from "~/features/self-estimate/self-estimate.css?url";
import { requestLang } from "~/i18n";
import { getDb } from "~/lib/db.server";

export const handle = { publicPage: true };

export const links: LinksFunction = () => [{ rel: "stylesheet", href: estimateStyles }];

export const meta: MetaFunction = ({ matches }) => {
  const lang = (matches.find((match) => match.id === "root")?.data as { lang?: "zh-CN" | "en" } | undefined)?.lang ?? "zh-CN";
  return [{ title: estimateText(lang, "listTitle") }];
};

export async function loader({ request, context }: LoaderFunctionArgs) {
  limitEstimateRequest(context, requestLang(request));
  return { standards: publicStandardsInEffect(getDb(), new Date().toISOString().slice(0, 10)) };
}

export default function PublicStandards() {
  const { standards } = useLoaderData<typeof loader>();
  const { m, lang } = useEstimateMessages();
  return (
    <section className="estimate-page">
      <h1>{m("listTitle")}</h1>
      <p className="estimate-intro">{m("listIntro")}</p>
      {standards.length === 0 ? <p className="muted">{m("listEmpty")}</p> : null}
      <ul className="estimate-list" data-testid="public-standards">
        {standards.map((standard) => (
          <li key={standard.standardId}>
            <Link to={`/estimate/${encodeURIComponent(standard.standardId)}`}>{pickText(lang, standard.title)}</Link>
            <div className="muted small">
              {pickText(lang, standard.jurisdiction)} ·{" "}
              {m("versionLine", { version: standard.versionLabel, from: standard.effectiveFrom ? formatDate(lang, standard.effectiveFrom) : "—" })}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { m } = useEstimateMessages();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <section className="estimate-page" data-testid="estimate-error" data-status={status}>
      <h1>{status === 429 ? m("tooManyTitle") : m("errorTitle")}</h1>
      <p>{status === 429 && isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : m("errorText")}</p>
    </section>
  );
}
