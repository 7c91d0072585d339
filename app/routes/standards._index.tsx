/** The dashboard: every standard with the version in effect today, its drafts, and the latest simulation runs. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listStandards } from "../../db/standards";
import { inboxFor, type InboxEntry } from "../../db/workflow";
import { auditTime } from "~/features/audit/sentences";
import { EngineerDetails } from "~/components/EngineerDetails";
import { runListRows } from "~/features/simulation/run-list.server";
import { defineMessages, pick, useT, type MessageKey } from "~/i18n";
import { requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

const dashboardMessages = defineMessages({
  inEffectToday: { zh: "今日生效", en: "In effect today" },
  newStandard: { zh: "新建计分标准（从模板或复制）", en: "New standard (from the template or a copy)" },
  noneInEffect: { zh: "今日无生效版本", en: "No version in effect today" },
  readTable: { zh: "标准表格", en: "Table" },
  tryApplicant: { zh: "试算", en: "Try" },
  selfEstimate: { zh: "积分自测（公开页面）", en: "Self-estimate (public page)" },
  review: { zh: "审核发布", en: "Review" },
  runsTitle: { zh: "最近的模拟测算", en: "Latest simulation runs" },
  noRuns: { zh: "暂无模拟测算。", en: "No simulation runs yet." },
  runStandard: { zh: "标准", en: "Standard" },
  runCohort: { zh: "申请人数据", en: "Cohort" },
  runProgram: { zh: "项目", en: "Program" },
  runSummary: { zh: "结果", en: "Outcome" },
  runAt: { zh: "时间", en: "When" },
  inboxTitle: { zh: "我的待办", en: "Waiting for me" },
  inboxToReview: { zh: "待我审核", en: "To review" },
  inboxToPublish: { zh: "待我发布", en: "To publish" },
  inboxReturned: { zh: "被退回", en: "Returned to me" },
  inboxEmpty: { zh: "暂无", en: "nothing" },
  inboxSubmittedBy: { zh: "{who} 于 {at} 提交", en: "submitted by {who} on {at}" },
  inboxApprovedBy: { zh: "{who} 于 {at} 批准", en: "approved by {who} on {at}" },
  inboxReturnedBy: { zh: "{who} 于 {at} 退回，原因：{reason}", en: "returned by {who} on {at}: {reason}" },
  admittedShift: { zh: "录取 {before} → {after}，新进 {entered}，退出 {left}", en: "admitted {before} → {after}, entered {entered}, left {left}" },
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const db = getDb();
  const today = new Date().toISOString().slice(0, 10);
  const runs = runListRows(db, 10);
  const inbox = inboxFor(db, user);
  const at = (e: InboxEntry) => ({ ...e, since: e.since ? auditTime(e.since) : "" });
  return {
    standards: listStandards(db),
    today,
    runs,
    inbox: { toReview: inbox.toReview.map(at), toPublish: inbox.toPublish.map(at), returned: inbox.returned.map(at) },
  };
}

export default function Dashboard() {
  const { standards, today, runs, inbox } = useLoaderData<typeof loader>();
  const { lang, t } = useT();
  const { m } = dashboardMessages.useMessages();
  const lists = [
    { key: "toReview", title: m("inboxToReview"), entries: inbox.toReview, line: (e: InboxEntry) => m("inboxSubmittedBy", { who: e.by ?? "—", at: e.since }) },
    { key: "toPublish", title: m("inboxToPublish"), entries: inbox.toPublish, line: (e: InboxEntry) => m("inboxApprovedBy", { who: e.by ?? "—", at: e.since }) },
    {
      key: "returned",
      title: m("inboxReturned"),
      entries: inbox.returned,
      line: (e: InboxEntry) => m("inboxReturnedBy", { who: e.by ?? "—", at: e.since, reason: e.reason ?? "" }),
    },
  ];
  return (
    <section>
      <h1>{t("standardsTitle")}</h1>
      <p className="muted">{t("standardsIntro")}</p>
      <p>
        <Link to="/standards/new" data-testid="new-standard">
          {m("newStandard")}
        </Link>
      </p>
      <section className="card inbox" data-testid="inbox">
        <h2>{m("inboxTitle")}</h2>
        <div className="inbox-lists">
          {lists.map((list) => (
            <div key={list.key} data-testid={`inbox-${list.key}`}>
              <h3>
                {list.title} <span className="badge">{list.entries.length}</span>
              </h3>
              {list.entries.length === 0 ? (
                <p className="muted small">{m("inboxEmpty")}</p>
              ) : (
                <ul>
                  {list.entries.map((e) => (
                    <li key={e.versionId}>
                      <Link to={`/standards/${encodeURIComponent(e.standardId)}/versions/${e.versionId}${list.key === "returned" ? "" : "/review"}`}>
                        {pick(lang, e.standardTitle)} · {e.versionLabel}
                      </Link>
                      <div className="muted small">{list.line(e)}</div>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </div>
      </section>
      {standards.length === 0 ? <p>{t("noStandards")}</p> : null}
      <div className="standard-cards" data-testid="standards-table">
        {standards.map((s) => {
          const inEffect = s.versions.find(
            (v) => (v.status === "published" || v.status === "superseded") && v.effectiveFrom && v.effectiveFrom <= today && (!v.effectiveTo || v.effectiveTo >= today),
          );
          return (
            <article key={s.id} className="card standard-card" data-standard={s.id}>
              <header>
                <h2>{pick(lang, s.title)}</h2>
                <span className="muted">
                  {pick(lang, s.jurisdiction)} ·{" "}
                  {inEffect ? `${m("inEffectToday")}: ${inEffect.versionLabel}` : m("noneInEffect")}
                </span>
                {inEffect ? (
                  <Link to={`/estimate/${encodeURIComponent(s.id)}`} className="small" data-testid="self-estimate-link">
                    {m("selfEstimate")}
                  </Link>
                ) : null}
              </header>
              <table className="grid compact">
                <thead>
                  <tr>
                    <th>{t("colVersion")}</th>
                    <th>{t("colStatus")}</th>
                    <th>{t("colEffective")}</th>
                    <th>{t("colRevision")}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {s.versions.map((v) => {
                    const base = `/standards/${encodeURIComponent(s.id)}/versions/${v.id}`;
                    return (
                      <tr key={v.id} data-version={v.id}>
                        <td>
                          {v.versionLabel} {inEffect?.id === v.id ? <span className="badge">{m("inEffectToday")}</span> : null}
                        </td>
                        <td>
                          <span className={`status status-${v.status}`}>{t(`status_${v.status}` as MessageKey)}</span>
                        </td>
                        <td>
                          {v.effectiveFrom ?? t("notSet")} – {v.effectiveTo ?? t("openEnded")}
                        </td>
                        <td>{v.revision}</td>
                        <td className="links">
                          <Link to={base}>{v.status === "draft" ? t("edit") : t("view")}</Link>
                          <Link to={`${base}/table`}>{m("readTable")}</Link>
                          <Link to={`${base}/try`}>{m("tryApplicant")}</Link>
                          <Link to={`${base}/review`}>{m("review")}</Link>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <EngineerDetails standardId={s.id} />
            </article>
          );
        })}
      </div>

      <h2>{m("runsTitle")}</h2>
      {runs.length === 0 ? (
        <p className="muted">{m("noRuns")}</p>
      ) : (
        <table className="grid compact" data-testid="latest-runs">
          <thead>
            <tr>
              <th>#</th>
              <th>{m("runStandard")}</th>
              <th>{m("runCohort")}</th>
              <th>{m("runProgram")}</th>
              <th>{m("runSummary")}</th>
              <th>{m("runAt")}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/simulations/${r.id}`}>#{r.id}</Link>
                </td>
                <td>{pick(lang, r.standard)}</td>
                <td>{r.cohort}</td>
                <td>{pick(lang, r.program)}</td>
                <td>
                  {r.summary.admittedBefore !== undefined
                    ? m("admittedShift", {
                        before: r.summary.admittedBefore,
                        after: r.summary.admittedAfter ?? 0,
                        entered: r.summary.entered ?? 0,
                        left: r.summary.left ?? 0,
                      })
                    : "—"}
                </td>
                <td>{r.at}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
