/**
 * Review and publish one version: the checks publishing needs, what blocks the signed-in user, the workflow steps
 * their roles allow, the version's simulation runs and the standard's audit log. Roles and four-eyes are enforced by
 * the repository in every action, not only by which buttons are shown.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { getCohort } from "../../db/cohorts";
import { listSimulationRuns } from "../../db/runs";
import { getUserDisplayName } from "../../db/users";
import {
  approve,
  authorsOf,
  publish,
  publishBlockers,
  returnToDraft,
  startRevision,
  submitBlockers,
  submitForReview,
  suggestRevisionLabel,
  fourEyesRefuses,
  withdraw,
  type WorkflowResult,
} from "../../db/workflow";
import { EngineerDetails } from "~/components/EngineerDetails";
import { reviewMessages } from "~/features/review/messages";
import { AUDIT_KINDS, auditTime } from "~/features/audit/sentences";
import { latestReturn, loadTrail, parseTrailFilter } from "~/features/audit/trail.server";
import { pick, requestLang, useT, type MessageKey } from "~/i18n";
import { assertSameOrigin, requireUser } from "~/lib/auth.server";
import { checkContent, withActualResultsAccepted } from "~/lib/content-checks.server";
import { saveDraftDocument } from "../../db/standards";
import { getDb } from "~/lib/db.server";
import { loadVersionOr404 } from "~/lib/versions.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const version = loadVersionOr404(params);
  const db = getDb();
  const report = await checkContent(version.document, version.contentHash);
  const runs = listSimulationRuns(db, { standardId: version.standardId }).filter((r) => r.candidateVersionId === version.id);
  const programLabels = new Map<string, { zh: string; en: string }>();
  let title: { zh: string; en: string } | undefined;
  try {
    const parsed = JSON.parse(version.document) as { title?: { zh: string; en: string }; programs?: Array<{ id: string; label: { zh: string; en: string } }> };
    if (parsed.title && typeof parsed.title.zh === "string") title = parsed.title;
    for (const p of parsed.programs ?? []) programLabels.set(p.id, p.label);
  } catch {
    // a draft that is not JSON: programs keep their ids
  }
  const today = new Date().toISOString().slice(0, 10);
  const lang = requestLang(request);
  const filterParams = new URL(request.url).searchParams;
  const filter = parseTrailFilter(filterParams, version.id);
  return {
    version: {
      id: version.id,
      standardId: version.standardId,
      title: title ?? { zh: version.standardId, en: version.standardId },
      versionLabel: version.versionLabel,
      status: version.status,
      revision: version.revision,
      contentHash: version.contentHash,
      effectiveFrom: version.effectiveFrom,
      effectiveTo: version.effectiveTo,
    },
    roles: user.roles,
    report,
    runs: runs.map((r) => ({
      id: r.id,
      cohort: getCohort(db, r.cohortId)?.name ?? `#${r.cohortId}`,
      programId: r.programId,
      program: programLabels.get(r.programId) ?? { zh: r.programId, en: r.programId },
      evaluationDate: r.evaluationDate,
      createdAt: r.createdAt,
      current: r.candidateHash === version.contentHash,
    })),
    currentRuns: runs.filter((r) => r.candidateHash === version.contentHash).length,
    blockers: version.status === "approved" ? publishBlockers(db, version.id, user, report.checks) : [],
    // Why 提交审核 is disabled (a missing simulation alone can be overridden with a reason), and whether four-eyes
    // refuses 批准/发布 to this user (then 批准 is not offered at all).
    submitBlockers: version.status === "draft" ? submitBlockers(db, version.id, user, report.checks) : [],
    fourEyes: fourEyesRefuses(db, version.id, user),
    authors: authorsOf(db, version.id).map((id) => getUserDisplayName(db, id)),
    trail: loadTrail(db, version.standardId, filter, lang),
    trailFilter: { kind: filter.kind ?? "", scope: filter.versionId === undefined ? "standard" : "version" },
    returned: version.status === "draft" ? latestReturn(db, version.standardId, version.id) : undefined,
    today,
    revisionLabel: suggestRevisionLabel(db, version.standardId, version.versionLabel),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const user = requireUser(request);
  const version = loadVersionOr404(params);
  const db = getDb();
  const lang = requestLang(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const reason = String(form.get("reason") ?? "").trim();
  const opinion = String(form.get("opinion") ?? "");
  const needsReason = () =>
    data({ ok: false as const, errors: [{ code: "workflow.reasonMissing", message: reviewMessages.translateIn(lang, "missingReason") }] }, { status: 400 });
  let result: WorkflowResult;
  switch (intent) {
    case "submit": {
      const report = await checkContent(version.document, version.contentHash);
      result = submitForReview(db, {
        versionId: version.id,
        actor: user,
        checks: report.checks,
        opinion,
        simulationOverride: String(form.get("simulationOverride") ?? ""),
      });
      break;
    }
    case "return":
      if (!reason) return needsReason();
      result = returnToDraft(db, { versionId: version.id, actor: user, reason });
      break;
    case "approve":
      result = approve(db, { versionId: version.id, actor: user, opinion });
      break;
    case "publish": {
      const report = await checkContent(version.document, version.contentHash);
      result = publish(db, {
        versionId: version.id,
        actor: user,
        effectiveFrom: String(form.get("effectiveFrom") ?? ""),
        checks: report.checks,
        announcement: { documentNumber: String(form.get("documentNumber") ?? ""), announcedOn: String(form.get("announcedOn") ?? "") },
        opinion,
      });
      break;
    }
    case "withdraw":
      if (!reason) return needsReason();
      result = withdraw(db, { versionId: version.id, actor: user, reason });
      break;
    case "acceptResults": {
      if (version.status !== "draft" || !user.roles.some((r) => r === "drafter" || r === "administrator")) {
        return data({ ok: false as const, errors: [{ code: "workflow.forbidden", message: reviewMessages.translateIn(lang, "acceptForbidden") }] }, { status: 403 });
      }
      const report = await checkContent(version.document, version.contentHash);
      const next = withActualResultsAccepted(version.document, report, form.getAll("case").map(String));
      if (!next) return data({ ok: false as const, errors: [{ code: "workflow.nothingToAccept", message: reviewMessages.translateIn(lang, "acceptNothing") }] }, { status: 400 });
      const saved = saveDraftDocument(db, {
        versionId: version.id,
        baseRevision: Number(form.get("baseRevision")),
        documentText: next.text,
        document: next.document,
        userId: user.id,
        details: { acceptedCases: next.accepted },
      });
      if (saved.kind === "saved") return data({ ok: true as const, errors: [] });
      return data({ ok: false as const, errors: [{ code: "workflow.conflict", message: reviewMessages.translateIn(lang, "acceptConflict") }] }, { status: 409 });
    }
    case "startRevision": {
      const label = String(form.get("versionLabel") ?? "").trim() || suggestRevisionLabel(db, version.standardId, version.versionLabel);
      const started = startRevision(db, { fromVersionId: version.id, versionLabel: label, actor: user });
      if (started.ok) return redirect(`/standards/${encodeURIComponent(version.standardId)}/versions/${started.versionId}`);
      result = started;
      break;
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
  if (result.ok) return data({ ok: true as const, errors: [] });
  const status = result.errors.some((e) => e.code === "workflow.forbidden") ? 403 : result.errors.some((e) => ["workflow.badDate", "workflow.badLabel", "workflow.announcementMissing"].includes(e.code)) ? 422 : 409;
  return data({ ok: false as const, errors: result.errors.map((e) => ({ code: e.code, message: pick(lang, e.message) })) }, { status });
}

export default function Review() {
  const { version, roles, report, runs, currentRuns, blockers, submitBlockers, fourEyes, authors, trail, trailFilter, returned, today, revisionLabel } =
    useLoaderData<typeof loader>();
  const submitHard = submitBlockers.filter((b) => b.code !== "workflow.noSimulation" && b.code !== "workflow.forbidden");
  const needsOverride = submitBlockers.some((b) => b.code === "workflow.noSimulation");
  const confirmed = (key: Parameters<typeof m>[0]) => (event: React.FormEvent) => {
    if (!window.confirm(m(key, { label: version.versionLabel }))) event.preventDefault();
  };
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const { lang, t } = useT();
  const { m } = reviewMessages.useMessages();
  const has = (role: (typeof roles)[number]) => roles.includes(role) || roles.includes("administrator");
  const canAccept = version.status === "draft" && has("drafter");
  const passed = report.cases.filter((c) => c.pass).length;
  const steps = [
    { status: "draft", label: m("stepDraft") },
    { status: "in_review", label: m("stepReview") },
    { status: "approved", label: m("stepApproved") },
    { status: "published", label: m("stepPublished") },
  ];
  const stepIndex = steps.findIndex((s) => s.status === version.status);
  const base = `/standards/${encodeURIComponent(version.standardId)}/versions/${version.id}`;
  return (
    <section className="review">
      <p>
        <Link to="/standards">← {t("back")}</Link> · <Link to={base}>{t("edit")}</Link> ·{" "}
        <Link to={`${base}/compare`} data-testid="link-changes">
          {m("whatChanged")}
        </Link>
      </p>
      <h1>
        {m("title")}: {pick(lang, version.title)} · {version.versionLabel}{" "}
        <span className={`status status-${version.status}`}>{t(`status_${version.status}` as MessageKey)}</span>
      </h1>
      <ol className="steps" data-testid="steps">
        {steps.map((s, i) => (
          <li key={s.status} className={i < stepIndex ? "done" : i === stepIndex ? "current" : ""}>
            {s.label}
          </li>
        ))}
      </ol>
      <p className="muted small">
        {m("authors")}: {authors.join("、") || "—"} · {t("colRevision")} {version.revision}
      </p>
      <EngineerDetails standardId={version.standardId} versionId={version.id} contentHash={version.contentHash} />

      {returned ? (
        <div className="banner-returned" role="note" data-testid="returned-banner">
          <strong>{m("returnedBanner", { who: returned.who, at: returned.at })}</strong>
          {m("returnedReason")}
          {returned.reason}
        </div>
      ) : null}

      {result ? (
        result.ok ? (
          <p className="ok" role="status" data-testid="workflow-result">
            {m("done")}
          </p>
        ) : (
          <ul className="error" role="alert" data-testid="workflow-result">
            {result.errors.map((e, i) => (
              <li key={i}>{e.message}</li>
            ))}
          </ul>
        )
      ) : null}

      <div className="columns">
        <section className="card">
          <h2>{m("checksTitle")}</h2>
          <ul className="checks" data-testid="checks">
            <li className={report.checks.documentValid ? "ok" : "error"}>
              {report.checks.documentValid ? "✔ " + m("checkValid") : "✘ " + m("checkValidFail", { count: report.problemCount })}
            </li>
            <li className={report.checks.casesPassed ? "ok" : "error"}>
              {(report.checks.casesPassed ? "✔ " : "✘ ") +
                m(report.checks.casesPassed ? "checkCases" : "checkCasesFail", { passed, total: report.cases.length })}
            </li>
            <li className={currentRuns > 0 ? "ok" : "error"}>
              {currentRuns > 0 ? "✔ " + m("checkSimulation", { count: currentRuns }) : "✘ " + m("checkSimulationFail")}
            </li>
          </ul>
          {version.status === "approved" ? (
            blockers.length ? (
              <div className="notice" data-testid="blockers">
                <p>{m("blockersTitle")}</p>
                <ul>
                  {blockers.map((b) => (
                    <li key={b.code}>{pick(lang, b.message)}</li>
                  ))}
                </ul>
              </div>
            ) : (
              <p className="ok" data-testid="blockers">
                {m("canPublish")}
              </p>
            )
          ) : null}
        </section>

        <section className="card actions" data-testid="actions">
          {version.status === "draft" && has("drafter") ? (
            <Form method="post" className="stack" onSubmit={confirmed("confirmSubmit")}>
              <OpinionField />
              {needsOverride && submitHard.length === 0 ? (
                <label>
                  {m("simulationOverride")}
                  <textarea name="simulationOverride" maxLength={2000} rows={2} required />
                  <span className="muted small">
                    {m("simulationOverrideHint")}{" "}
                    <Link to={`/simulations/new?standard=${encodeURIComponent(version.standardId)}&candidate=${version.id}`}>{m("simulateNow")}</Link>
                  </span>
                </label>
              ) : null}
              <button name="intent" value="submit" disabled={busy || submitHard.length > 0} aria-describedby="submit-why">
                {m("submit")}
              </button>
              {submitHard.length > 0 ? (
                <ul className="why-disabled" id="submit-why" data-testid="submit-why">
                  {submitHard.map((b, i) => (
                    <li key={i}>{pick(lang, b.message)}</li>
                  ))}
                </ul>
              ) : null}
            </Form>
          ) : null}
          {(version.status === "in_review" || version.status === "approved") && (has("reviewer") || has("publisher")) ? (
            <Form method="post" className="stack" onSubmit={confirmed("confirmReturn")}>
              <label>
                {m("returnReason")}
                <input name="reason" required />
              </label>
              <button name="intent" value="return" className="secondary" disabled={busy}>
                {m("returnToDraft")}
              </button>
            </Form>
          ) : null}
          {version.status === "in_review" && has("reviewer") && !fourEyes ? (
            <Form method="post" className="stack" onSubmit={confirmed("confirmApprove")}>
              <OpinionField />
              <button name="intent" value="approve" disabled={busy}>
                {m("approve")}
              </button>
            </Form>
          ) : null}
          {(version.status === "in_review" && has("reviewer")) || (version.status === "approved" && has("publisher")) ? (
            fourEyes ? (
              <p className="why-disabled" data-testid="four-eyes">
                {pick(lang, fourEyes.message)}
              </p>
            ) : null
          ) : null}
          {version.status === "approved" && has("publisher") && !fourEyes ? (
            <Form method="post" className="stack" onSubmit={confirmed("confirmPublish")}>
              <label>
                {m("effectiveFrom")}
                <input name="effectiveFrom" type="date" defaultValue={today} required />
              </label>
              <label>
                {m("documentNumber")}
                <input name="documentNumber" required maxLength={100} placeholder={m("documentNumberExample")} />
              </label>
              <label>
                {m("announcedOn")}
                <input name="announcedOn" type="date" defaultValue={today} required />
              </label>
              <OpinionField />
              <button name="intent" value="publish" disabled={busy || blockers.length > 0} aria-describedby="publish-why">
                {m("publish")}
              </button>
              {blockers.length > 0 ? (
                <ul className="why-disabled" id="publish-why" data-testid="publish-why">
                  {blockers.map((b, i) => (
                    <li key={i}>{pick(lang, b.message)}</li>
                  ))}
                </ul>
              ) : null}
            </Form>
          ) : null}
          {version.status === "published" && has("publisher") ? (
            <Form method="post" className="stack" onSubmit={confirmed("confirmWithdraw")}>
              <label>
                {m("withdrawReason")}
                <input name="reason" required />
              </label>
              <button name="intent" value="withdraw" className="secondary" disabled={busy}>
                {m("withdraw")}
              </button>
            </Form>
          ) : null}
          {(version.status === "published" || version.status === "superseded") && has("drafter") ? (
            <Form method="post" className="stack">
              <label>
                {m("newVersionLabel")}
                <input name="versionLabel" defaultValue={revisionLabel} required maxLength={64} />
              </label>
              <button name="intent" value="startRevision" disabled={busy}>
                {m("startRevision")}
              </button>
            </Form>
          ) : null}
        </section>
      </div>

      <h2>{m("casesTitle")}</h2>
      <Form method="post" data-testid="cases-form">
        <input type="hidden" name="baseRevision" value={version.revision} />
        <table className="grid compact" data-testid="cases">
          <tbody>
            {report.cases.map((c) => (
              <tr key={`${c.kind}-${c.id}`} className={c.pass ? "" : "error"}>
                <td>{canAccept && c.kind === "score" && !c.pass ? <input type="checkbox" name="case" value={c.id} aria-label={pick(lang, c.label)} /> : null}</td>
                <td>{pick(lang, c.label)}</td>
                <td>{c.kind === "score" ? m("caseKindScore") : m("caseKindRanking")}</td>
                <td className={c.pass ? "ok" : "error"}>
                  {c.pass ? m("pass") : m("fail")}
                  {c.words[lang === "en" ? "en" : "zh"].length ? (
                    <ul className="case-differences" data-testid={`case-${c.id}-differences`}>
                      {c.words[lang === "en" ? "en" : "zh"].map((w, i) => (
                        <li key={i}>{w}</li>
                      ))}
                    </ul>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {canAccept && report.cases.some((c) => c.kind === "score" && !c.pass) ? (
          <p>
            <button name="intent" value="acceptResults" className="secondary" disabled={busy}>
              {m("acceptResults")}
            </button>{" "}
            <span className="muted small">{m("acceptResultsHint")}</span>
          </p>
        ) : null}
      </Form>

      <h2>{m("runsTitle")}</h2>
      {runs.length === 0 ? (
        <p className="muted">{m("noRuns")}</p>
      ) : (
        <table className="grid compact" data-testid="runs">
          <thead>
            <tr>
              <th>#</th>
              <th>{m("runCohort")}</th>
              <th>{m("runProgram")}</th>
              <th>{m("runDate")}</th>
              <th>{m("runAt")}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} className={r.current ? "" : "muted"}>
                <td>{r.id}</td>
                <td>{r.cohort}</td>
                <td>{pick(lang, r.program)}</td>
                <td>{r.evaluationDate}</td>
                <td>{auditTime(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 id="trail">{m("auditTitle")}</h2>
      <Form method="get" className="trail-filter no-print" data-testid="trail-filter">
        <label>
          {m("trailKind")}
          <select name="trail" defaultValue={trailFilter.kind}>
            <option value="">{m("trailAll")}</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {m(`trailKind_${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {m("trailScope")}
          <select name="scope" defaultValue={trailFilter.scope}>
            <option value="version">{m("trailScopeVersion")}</option>
            <option value="standard">{m("trailScopeStandard")}</option>
          </select>
        </label>
        <button type="submit" className="secondary">
          {m("trailApply")}
        </button>
        <a href={`${base}/audit.xlsx?trail=${trailFilter.kind}&scope=${trailFilter.scope}&lang=${lang}`} data-testid="trail-export" download>
          {m("trailExport")}
        </a>
      </Form>
      {trail.length === 0 ? (
        <p className="muted">{m("trailEmpty")}</p>
      ) : (
        <table className="grid compact trail" data-testid="audit">
          <thead>
            <tr>
              <th>{m("auditAt")}</th>
              <th>{m("auditWho")}</th>
              <th>{m("auditWhat")}</th>
              <th>{m("auditOpinion")}</th>
            </tr>
          </thead>
          <tbody>
            {trail.map((a) => (
              <tr key={a.id} data-kind={a.kind}>
                <td className="when">{a.at}</td>
                <td>{a.who}</td>
                <td>{a.sentence}</td>
                <td>{a.opinion}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function OpinionField() {
  const { m } = reviewMessages.useMessages();
  return (
    <label className="opinion-field">
      {m("opinion")}
      <textarea name="opinion" maxLength={2000} rows={2} />
    </label>
  );
}
