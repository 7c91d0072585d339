/**
 * Upload a cohort: choose the standard, name and file; the header is read (in the browser for CSV and JSON Lines,
 * on the server for XLSX) and a column mapping proposed; the file is then sent with upload progress and imported
 * all-or-nothing, with row errors listed when it is refused. Roles are enforced by the resource routes themselves.
 */
import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { ENCODING_LABELS, type TextEncodingName } from "../../applicant-files/encoding";
import type { FilePreview, FileSample, PreviewCell } from "../../applicant-files/preview";
import { listStandards } from "../../db/standards";
import cohortStyles from "~/features/cohorts/cohorts.css?url";
import { MAX_UPLOAD_BYTES, MAX_UPLOAD_LABEL, useCohortMessages } from "~/features/cohorts/messages";
import type { FactChoice } from "~/features/cohorts/standard-facts.server";
import { pick } from "~/i18n";
import { hasRole, requireUser } from "~/lib/auth.server";
import { getDb } from "~/lib/db.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: cohortStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = requireUser(request);
  const standards = listStandards(getDb()).map((s) => ({ id: s.id, title: s.title }));
  const wanted = new URL(request.url).searchParams.get("standard");
  return { standards, initialStandard: standards.find((s) => s.id === wanted)?.id ?? standards[0]?.id ?? "", canUpload: hasRole(user, "drafter") };
}

type Format = "csv" | "xlsx" | "jsonl";

interface HeaderInfo {
  headers: string[];
  encoding?: TextEncodingName;
  mapping: Record<string, string>;
  recalled: boolean;
  facts: FactChoice[];
  /** The file's first rows as text (CSV and XLSX), for the preview. */
  sample?: FileSample;
}

interface RowError {
  line: number;
  column: string | null;
  message: { zh: string; en: string };
}

type UploadState =
  | { phase: "idle" }
  | { phase: "uploading"; percent: number }
  | { phase: "checking" }
  | { phase: "done"; cohortId: number; rowCount: number; encoding?: TextEncodingName }
  | { phase: "refused"; errors: RowError[]; rowsRead: number }
  | { phase: "failed"; message: string };

function formatOf(name: string): Format | undefined {
  if (/\.csv$/i.test(name)) return "csv";
  if (/\.xlsx$/i.test(name)) return "xlsx";
  if (/\.(jsonl|ndjson)$/i.test(name)) return "jsonl";
  return undefined;
}

/** The JSON Lines header, read here (JSON Lines is UTF-8); CSV and XLSX headers are read by the server. */
/** A CSV's or JSON Lines file's first bytes, sent for its header and first rows (the server reads no more of them). */
const HEADER_SLICE_BYTES = 256 * 1024;

const sizeText = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export default function NewCohort() {
  const { standards, initialStandard, canUpload } = useLoaderData<typeof loader>();
  const { lang, m } = useCohortMessages();
  const [standardId, setStandardId] = useState(initialStandard);
  const [name, setName] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<Format | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [header, setHeader] = useState<HeaderInfo | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [reading, setReading] = useState(false);
  const [upload, setUpload] = useState<UploadState>({ phase: "idle" });
  const [rows, setRows] = useState<{ rowsRead: number; rowsStored: number; phase: string } | null>(null);
  const progressKey = useRef("");
  const [preview, setPreview] = useState<FilePreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  // The sample typed again whenever the mapping changes (the file is not sent again).
  useEffect(() => {
    setPreview(null);
    setPreviewError(null);
    if (!header?.sample) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(`/cohorts/preview?lang=${lang}`, {
        method: "POST",
        body: JSON.stringify({ standardId, mapping, sample: header.sample }),
        headers: { "Content-Type": "application/json" },
        signal: controller.signal,
      })
        .then(async (response) => {
          const body = (await response.json()) as FilePreview & { error?: string };
          if (!response.ok || body.error) throw new Error(body.error ?? response.statusText);
          setPreview(body);
        })
        .catch((error: unknown) => {
          if (!controller.signal.aborted) setPreviewError(error instanceof Error ? error.message : String(error));
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [header, mapping, standardId, lang]);
  const nameRef = useRef<HTMLInputElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (upload.phase === "uploading" || upload.phase === "done" || upload.phase === "refused" || upload.phase === "failed") outcomeRef.current?.scrollIntoView({ block: "start" });
  }, [upload.phase]);
  // While the file goes up and is imported, the server says how many rows it has read and stored.
  const busyNow = upload.phase === "uploading" || upload.phase === "checking";
  useEffect(() => {
    if (!busyNow) return;
    let stopped = false;
    const ask = async () => {
      try {
        const response = await fetch(`/cohorts/progress?key=${progressKey.current}`, { headers: { Accept: "application/json" } });
        const body = (await response.json()) as { rowsRead?: number; rowsStored?: number; phase: string };
        if (!stopped && body.phase !== "unknown") setRows({ rowsRead: body.rowsRead ?? 0, rowsStored: body.rowsStored ?? 0, phase: body.phase });
      } catch {
        // The next question will do.
      }
    };
    const timer = setInterval(() => void ask(), 500);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [busyNow]);
  // Errors name the fact a column was mapped to; show the file's own column name beside it.
  const sourceColumn = (factId: string | null) => (factId ? Object.entries(mapping).find(([, target]) => target === factId)?.[0] : undefined);

  async function readHeader(chosen: File, chosenFormat: Format, standard: string) {
    setReading(true);
    setHeader(null);
    try {
      const sliced = chosenFormat !== "xlsx";
      const truncated = sliced && chosen.size > HEADER_SLICE_BYTES ? "&truncated=1" : "";
      const query = `standardId=${encodeURIComponent(standard)}&format=${chosenFormat}${truncated}`;
      // A text file's first bytes go to the server, which decodes them as the upload will (UTF-8, UTF-16 or GB18030).
      const response = await fetch(`/cohorts/header?${query}`, {
        method: "POST",
        body: sliced ? chosen.slice(0, HEADER_SLICE_BYTES) : chosen,
        headers: { "Content-Type": "application/octet-stream" },
      });
      const body = (await response.json()) as HeaderInfo & { error?: string };
      if (!response.ok || body.error) throw new Error(body.error ?? response.statusText);
      setHeader(body);
      setMapping(body.mapping);
    } catch (error) {
      setFileError(m("headerFailed", { detail: error instanceof Error ? error.message : String(error) }));
    } finally {
      setReading(false);
    }
  }

  function chooseFile(chosen: File | null) {
    setUpload({ phase: "idle" });
    setFileError(null);
    setHeader(null);
    setFile(chosen);
    if (!chosen) return;
    const chosenFormat = formatOf(chosen.name);
    setFormat(chosenFormat ?? null);
    if (!chosenFormat) return setFileError(m("unknownFormat"));
    if (chosen.size > MAX_UPLOAD_BYTES) return setFileError(m("fileTooLarge", { size: sizeText(chosen.size), limit: MAX_UPLOAD_LABEL }));
    if (!name) setName(chosen.name.replace(/\.[^.]+$/, ""));
    void readHeader(chosen, chosenFormat, standardId);
  }

  function chooseStandard(id: string) {
    setStandardId(id);
    if (file && format && !fileError) void readHeader(file, format, id);
  }

  const duplicates = Object.entries(
    Object.entries(mapping).reduce<Record<string, string[]>>((acc, [column, target]) => {
      if (target) (acc[target] ??= []).push(column);
      return acc;
    }, {}),
  ).filter(([, columns]) => columns.length > 1);

  const targetLabel = (target: string) =>
    target === "id" ? m("targetId") : target === "idNumber" ? m("targetIdNumber") : target === "name" ? m("targetName") : (header?.facts.find((f) => f.id === target)?.label[lang === "en" ? "en" : "zh"] ?? target);

  function startUpload() {
    if (!file || !format || !header) return;
    if (!name.trim()) {
      setUpload({ phase: "failed", message: m("nameRequired") });
      nameRef.current?.focus();
      return;
    }
    progressKey.current = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    setRows(null);
    const params = new URLSearchParams({ standardId, name: name.trim(), format, progress: progressKey.current });
    params.set("mapping", JSON.stringify(mapping));
    params.set("headers", JSON.stringify(header.headers));
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/cohorts/upload?${params.toString()}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) setUpload({ phase: "uploading", percent: Math.round((event.loaded / event.total) * 100) });
    };
    xhr.upload.onload = () => setUpload({ phase: "checking" });
    xhr.onerror = () => setUpload({ phase: "failed", message: m("networkError") });
    xhr.onload = () => {
      let body: { ok?: boolean; cohortId?: number; rowCount?: number; encoding?: TextEncodingName; errors?: RowError[]; rowsRead?: number; message?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { message: xhr.statusText };
      }
      if (body.ok && body.cohortId !== undefined) setUpload({ phase: "done", cohortId: body.cohortId, rowCount: body.rowCount ?? 0, encoding: body.encoding });
      else if (body.errors) setUpload({ phase: "refused", errors: body.errors, rowsRead: body.rowsRead ?? 0 });
      else setUpload({ phase: "failed", message: body.message ?? `HTTP ${xhr.status}` });
    };
    setUpload({ phase: "uploading", percent: 0 });
    xhr.send(file);
  }

  const busy = busyNow;
  /** A value as the officer reads it: an option's label, 是/否, a count of records; the stored text otherwise. */
  const shownValue = (cell: PreviewCell, target: string): string => {
    const fact = header?.facts.find((f) => f.id === target);
    const value = cell.value;
    if (fact?.type === "enum") {
      const option = fact.values?.find((v) => v.value === value);
      return option ? pick(lang, option.label) : String(value);
    }
    if (typeof value === "boolean") return m(value ? "yes" : "no");
    if (Array.isArray(value)) return m("previewRecords", { count: value.length });
    return String(value);
  };
  const rowsLine = rows ? (
    <p className="muted" data-testid="import-rows" data-read={rows.rowsRead} data-stored={rows.rowsStored} data-phase={rows.phase}>
      {rows.phase === "storing" || rows.rowsStored > 0
        ? m("progressStored", { read: rows.rowsRead.toLocaleString(lang), stored: rows.rowsStored.toLocaleString(lang) })
        : m("progressRows", { read: rows.rowsRead.toLocaleString(lang) })}
    </p>
  ) : null;
  return (
    <section>
      <p>
        <Link to="/cohorts">← {m("back")}</Link>
      </p>
      <h1>{m("newTitle")}</h1>
      <p className="muted">{m("newIntro", { limit: MAX_UPLOAD_LABEL })}</p>
      {!canUpload ? <p className="notice notice-bad">{m("forbidden")}</p> : null}
      <div className="card">
        <div className="upload-form">
          <label>
            {m("fieldStandard")}
            <select value={standardId} onChange={(e) => chooseStandard(e.target.value)} data-testid="standard" disabled={busy}>
              {standards.map((s) => (
                <option key={s.id} value={s.id}>
                  {pick(lang, s.title)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {m("fieldName")}
            <input ref={nameRef} value={name} onChange={(e) => setName(e.target.value)} placeholder={m("fieldNameHint")} data-testid="name" disabled={busy} />
          </label>
          <p className="full muted" data-testid="templates">
            {m("templateHint")} <a href={`/cohorts/template?standardId=${encodeURIComponent(standardId)}&format=xlsx`} data-testid="template-xlsx" download>
              {m("templateXlsx")}
            </a>{" "}
            · <a href={`/cohorts/template?standardId=${encodeURIComponent(standardId)}&format=csv`} data-testid="template-csv" download>
              {m("templateCsv")}
            </a>
          </p>
          <label className="full">
            {m("fieldFile")} <span className="hint">{m("fileHint", { limit: MAX_UPLOAD_LABEL })}</span>
            <input type="file" accept=".csv,.xlsx,.jsonl,.ndjson" onChange={(e) => chooseFile(e.target.files?.[0] ?? null)} data-testid="file" disabled={busy} />
          </label>
        </div>
        {fileError ? (
          <p className="notice notice-bad" data-testid="file-error">
            {fileError}
          </p>
        ) : null}
        {reading ? <p className="muted">{m("readingHeader")}</p> : null}
      </div>

      {header ? (
        <div className="card section" data-testid="mapping">
          <h2>{m("mappingTitle")}</h2>
          <p className="muted">{m("mappingIntro")}</p>
          {header.encoding ? (
            <p className="muted" data-testid="encoding" data-encoding={header.encoding}>
              {m("encodingRead", { encoding: pick(lang, ENCODING_LABELS[header.encoding]) })}
            </p>
          ) : null}
          {header.recalled ? (
            <p className="notice notice-info" data-testid="mapping-recalled">
              {m("mappingRecalled")}
            </p>
          ) : null}
          <table className="grid compact mapping-table">
            <thead>
              <tr>
                <th>{m("colSource")}</th>
                <th>{m("colTarget")}</th>
              </tr>
            </thead>
            <tbody>
              {header.headers.map((column) => (
                <tr key={column}>
                  <td>{column}</td>
                  <td>
                    <select
                      value={mapping[column] ?? ""}
                      data-column={column}
                      disabled={busy}
                      onChange={(e) => setMapping({ ...mapping, [column]: e.target.value })}
                    >
                      <option value="">{m("targetIgnore")}</option>
                      <option value="id">{m("targetId")}</option>
                      <option value="idNumber">{m("targetIdNumber")}</option>
                      <option value="name">{m("targetName")}</option>
                      {header.facts.map((f) => (
                        <option key={f.id} value={f.id}>
                          {pick(lang, f.label)} ({f.id})
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {duplicates.map(([target, columns]) => (
            <p key={target} className="notice notice-bad">
              {m("duplicateTarget", { target: targetLabel(target), columns: columns.join(", ") })}
            </p>
          ))}
          {header.sample ? (
            <div className="section" data-testid="preview" data-problems={preview?.problems ?? ""}>
              <h2>{m("previewTitle", { count: 20 })}</h2>
              <p className="muted">{m("previewIntro")}</p>
              {previewError ? <p className="notice notice-bad">{previewError}</p> : null}
              {!preview && !previewError ? <p className="muted">{m("previewReading")}</p> : null}
              {preview ? (
                <>
                  {preview.headerErrors.map((message, k) => (
                    <p key={k} className="notice notice-bad">
                      {pick(lang, message)}
                    </p>
                  ))}
                  {preview.problems > 0 ? (
                    <p className="notice notice-bad" data-testid="preview-problems">
                      {m("previewProblems", { count: preview.problems })}
                    </p>
                  ) : preview.rows.length > 0 ? (
                    <p className="notice notice-ok" data-testid="preview-clean">
                      {m("previewClean")}
                    </p>
                  ) : null}
                  {preview.rows.length === 0 && preview.headerErrors.length === 0 && !preview.stop ? <p className="muted">{m("previewNoRows")}</p> : null}
                  {preview.rows.length > 0 ? (
                    <div className="table-scroll">
                      <table className="grid compact preview-table" data-testid="preview-table">
                        <thead>
                          <tr>
                            <th>{m("previewRowNumber")}</th>
                            <th>{m("previewApplicant")}</th>
                            {preview.columns.map((column, k) =>
                              column.target === "id" ? null : (
                                <th key={k}>
                                  {column.source}
                                  {targetLabel(column.target) !== column.source ? <span className="cell-note">{targetLabel(column.target)}</span> : null}
                                </th>
                              ),
                            )}
                          </tr>
                        </thead>
                        <tbody>
                          {preview.rows.map((row) => (
                            <tr key={row.line} data-line={row.line} className={row.error ? "row-bad" : undefined}>
                              <td>{row.line}</td>
                              <td className={row.error ? "cell-bad" : undefined}>
                                {row.id}
                                {row.error ? <span className="cell-note">{pick(lang, row.error)}</span> : null}
                              </td>
                              {row.cells.map((cell, k) => {
                                const target = preview.columns[k].target;
                                if (target === "id") return null;
                                const shown = cell.value === undefined ? "" : shownValue(cell, target);
                                return (
                                  <td key={k} className={cell.error ? "cell-bad" : undefined} data-column={preview.columns[k].source} data-problem={cell.error ? "1" : undefined}>
                                    {cell.error ? cell.text : shown}
                                    {cell.error ? (
                                      <span className="cell-note">{pick(lang, cell.error)}</span>
                                    ) : cell.value !== undefined && shown !== cell.text.trim() ? (
                                      <span className="cell-note">{m("previewAsRead", { text: cell.text })}</span>
                                    ) : null}
                                  </td>
                                );
                              })}
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  ) : null}
                  {preview.stop ? (
                    <p className="notice notice-bad" data-testid="preview-stop">
                      {m("previewStop", { message: pick(lang, preview.stop.message) })}
                    </p>
                  ) : null}
                </>
              ) : null}
            </div>
          ) : null}
          <p>
            <button type="button" onClick={startUpload} disabled={busy || duplicates.length > 0 || !canUpload} data-testid="start-upload">
              {m("startUpload")}
            </button>
          </p>
        </div>
      ) : null}

      <div ref={outcomeRef} />
      {upload.phase === "uploading" ? (
        <div className="section" data-testid="upload-progress">
          <div className="progress">
            <div style={{ width: `${upload.percent}%` }} />
          </div>
          <p>{m("uploading", { percent: upload.percent })}</p>
          {rowsLine}
        </div>
      ) : null}
      {upload.phase === "checking" ? (
        <div className="section" data-testid="upload-progress">
          <div className="progress">
            <div style={{ width: "100%" }} />
          </div>
          <p>{m("checking")}</p>
          {rowsLine}
        </div>
      ) : null}
      {upload.phase === "done" ? (
        <p className="notice notice-ok" data-testid="upload-done" data-rows={upload.rowCount}>
          {m("imported", { rows: upload.rowCount.toLocaleString(lang) })}
          {upload.encoding ? ` ${m("encodingRead", { encoding: pick(lang, ENCODING_LABELS[upload.encoding]) })}` : ""} <Link to={`/cohorts/${upload.cohortId}`}>{m("openCohort")}</Link>
        </p>
      ) : null}
      {upload.phase === "failed" ? (
        <p className="notice notice-bad" data-testid="upload-failed">
          {upload.message}
        </p>
      ) : null}
      {upload.phase === "refused" ? (
        <div className="section" data-testid="upload-refused">
          <p className="notice notice-bad">{m("refused", { count: upload.errors.length, rows: upload.rowsRead.toLocaleString(lang) })}</p>
          <table className="grid compact" data-testid="row-errors">
            <thead>
              <tr>
                <th>{m("colRow")}</th>
                <th>{m("colColumn")}</th>
                <th>{m("colMessage")}</th>
              </tr>
            </thead>
            <tbody>
              {upload.errors.map((e, k) => (
                <tr key={k} data-line={e.line}>
                  <td>{e.line > 0 ? e.line : "—"}</td>
                  <td>
                    {sourceColumn(e.column) && sourceColumn(e.column) !== e.column ? (
                      <>
                        {sourceColumn(e.column)} <span className="muted mono small">({e.column})</span>
                      </>
                    ) : (
                      <span className="mono">{e.column ?? "—"}</span>
                    )}
                  </td>
                  <td>{lang === "en" ? e.message.en : e.message.zh}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
