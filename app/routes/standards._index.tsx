import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listStandards } from "../../db/standards";
import { pick, useT, type MessageKey } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export async function loader({ request }: LoaderFunctionArgs) {
  requireUser(request);
  return { standards: listStandards(getDb()) };
}

export default function StandardsList() {
  const { standards } = useLoaderData<typeof loader>();
  const { lang, t } = useT();
  return (
    <section>
      <h1>{t("standardsTitle")}</h1>
      <p className="muted">{t("standardsIntro")}</p>
      {standards.length === 0 ? (
        <p>{t("noStandards")}</p>
      ) : (
        <table className="grid" data-testid="standards-table">
          <thead>
            <tr>
              <th>{t("colJurisdiction")}</th>
              <th>{t("colTitle")}</th>
              <th>{t("colVersion")}</th>
              <th>{t("colStatus")}</th>
              <th>{t("colEffective")}</th>
              <th>{t("colRevision")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {standards.flatMap((s) =>
              s.versions.map((v, i) => (
                <tr key={v.id} data-standard={s.id} data-version={v.id}>
                  <td>{i === 0 ? pick(lang, s.jurisdiction) : ""}</td>
                  <td>{i === 0 ? pick(lang, s.title) : ""}</td>
                  <td>{v.versionLabel}</td>
                  <td>
                    <span className={`status status-${v.status}`}>{t(`status_${v.status}` as MessageKey)}</span>
                  </td>
                  <td>
                    {v.effectiveFrom ?? t("notSet")} – {v.effectiveTo ?? t("openEnded")}
                  </td>
                  <td>{v.revision}</td>
                  <td>
                    <Link to={`/standards/${encodeURIComponent(s.id)}/versions/${v.id}`}>
                      {v.status === "draft" ? t("edit") : t("view")}
                    </Link>
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
