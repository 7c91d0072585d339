/**
 * A batch evaluation from its body to its answer: parse, check, score on the compiled path, log the batch once,
 * write the answer. Runs on a batch worker (batch-pool.server.ts) with the worker's own database connection, or in
 * the thread that received the request when there is no worker; the answer is the same either way. The token was
 * checked on arrival by the thread that received the request; it is checked again inside the logging transaction
 * if the database changed in between, as is the version in effect (docs/decisions/012-batch-workers-and-table-form.md).
 */
import { isUtf8 } from "node:buffer";
import type { CompiledProgram } from "../../engine/scoring/compiled";
import type { CompactScore } from "../../engine/types";
import type { Verdict } from "../../rules-schema/types";
import { verdictOf } from "../../engine/scoring/verdict";
import type { JifenDb } from "../../db/connection";
import { recordDecisionBatch } from "../../db/decisions";
import { isTokenActive } from "../../db/tokens";
import { versionHeadInEffect } from "../../db/versions-in-effect";
import { changeWatch } from "./change-watch.server";
import { StaleSnapshot } from "./decision-writer.server";
import { ApiError, errorReply, jsonTextReply, type ApiReply } from "./errors.server";
import {
  canonicalInput,
  isTableForm,
  parseJsonObject,
  requireActiveToken,
  requireApplicants,
  requireProgram,
  requireProgramAndDate,
  sha256,
  tokenRefused,
  versionFields,
  versionKeptChanging,
  type BatchApplicant,
} from "./evaluation.server";
import { ByteWriter, numberJson } from "./byte-writer";
import { readTableRows, scanTableBody, type TableBody } from "./table-rows";
import { loadVersionInEffect, type LoadedVersion } from "./versions.server";

export interface BatchTask {
  /** The token the request was accepted with (checked by the receiving thread). */
  tokenId: number;
  standardId: string;
  /** The request body as received: its text, its bytes, or both (at least one). */
  text?: string;
  /** The body's bytes, when the caller has them: logged and hashed as they are, and a table's rows read from them. */
  bytes?: Uint8Array;
  /** `?inputHashes=true`: each applicant's input hash in the answer. */
  inputHashes: boolean;
}

/** The body's text, decoded from its bytes the first time it is needed (a table read from bytes may never need it). */
function bodyText(task: BatchTask): string {
  task.text ??= Buffer.from(task.bytes!.buffer, task.bytes!.byteOffset, task.bytes!.byteLength).toString("utf8");
  return task.text;
}

/** The text of the whole numbers 0…4095, which most points are: looked up rather than converted each time. */
const WHOLE_NUMBER_TEXT = Array.from({ length: 4096 }, (_, i) => String(i));

/**
 * Points as JSON list items. Most points are small whole numbers, whose text is looked up (measured: 0.45 µs per
 * applicant against 0.76 for `join`, which converts each number); other values are written as JSON writes them
 * (null for one that is not finite, never produced by the scorer).
 */
function listBody(values: number[]): string {
  let text = "";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    const item = value >>> 0 === value && value < 4096 ? WHOLE_NUMBER_TEXT[value] : numberJson(value);
    text += i === 0 ? item : `,${item}`;
  }
  return text;
}

/** The JSON of a one-gate list, kept per gate: most applicants that fail gates fail one. */
const oneGateLists = new Map<string, string>();

function failedGatesJson(score: CompactScore): string {
  const gates = score.failedGates;
  if (gates.length === 0) return "[]";
  if (gates.length > 1) return JSON.stringify(gates);
  let json = oneGateLists.get(gates[0]);
  if (json === undefined) {
    json = JSON.stringify(gates);
    if (oneGateLists.size < 1_000) oneGateLists.set(gates[0], json);
  }
  return json;
}

/** The total as the API writes it: null where there is no score (a gate fails or a veto applies; decision 047). */
function totalJson(score: CompactScore): string {
  return score.eligible && !score.vetoed ? numberJson(score.total) : "null";
}

/**
 * One applicant's compact score as the object form logs and answers it: canonical JSON of {categories, eligible,
 * failedGates, items, total, verdict, vetoed}, written by hand (2.5× cheaper than JSON.stringify of an object built
 * for it).
 */
export function compactScoreJson(score: CompactScore, verdict: Verdict): string {
  return (
    `{"categories":[${listBody(score.categories)}],"eligible":${score.eligible ? "true" : "false"},"failedGates":${failedGatesJson(score)},` +
    `"items":[${listBody(score.items)}],"total":${totalJson(score)},"verdict":"${verdict}","vetoed":${score.vetoed ? "true" : "false"}}`
  );
}

const COMMA = 0x2c;

/** Points as JSON list items after a comma each. */
function writeListItems(writer: ByteWriter, values: number[]): void {
  for (let i = 0; i < values.length; i++) {
    writer.char(COMMA);
    writer.number(values[i]);
  }
}

/** The table form's cells of a score: eligible, vetoed, total, verdict, failedGates, then category and item points. */
function writeScoreCells(writer: ByteWriter, score: CompactScore, verdict: Verdict): void {
  writer.text(score.eligible ? "true," : "false,");
  writer.text(score.vetoed ? "true," : "false,");
  if (score.eligible && !score.vetoed) writer.number(score.total);
  else writer.text("null");
  writer.text(`,"${verdict}",`);
  writer.text(failedGatesJson(score));
  writeListItems(writer, score.categories);
  writeListItems(writer, score.items);
}

/** The logged output of the table form, reused from batch to batch (SQLite copies what it is given). */
const tableOutput = new ByteWriter();
/** The table form's answer, copied into a buffer of its own when done. */
const tableAnswerWriter = new ByteWriter();

interface ScoredCommon {
  version: LoadedVersion;
  compiled: CompiledProgram;
  applicants: BatchApplicant[];
  generation: number;
}

/** A body in the table form, answered and logged in it. */
interface ScoredTable extends ScoredCommon {
  table: true;
  /** The output as logged, UTF-8 bytes. */
  output: Uint8Array;
  /** Where each applicant's cells (writeScoreCells) start and end in `output`. */
  cellStarts: Int32Array;
  cellEnds: Int32Array;
}

interface ScoredObjects extends ScoredCommon {
  table: false;
  /** The output as logged: the scores as one text (loggedOutput). */
  output: string;
  /** Per applicant, its compact score object as JSON, taken from `output` for the answer. */
  scores: string[];
}

type Scored = ScoredTable | ScoredObjects;

/**
 * `rows` is a table body whose rows are still bytes (table-rows.ts): they are read from the bytes when every cell
 * is plain and fits, and otherwise from the whole body parsed, which finds and locates what is wrong.
 */
function scoreBatch(db: JifenDb, task: BatchTask, body: Record<string, unknown>, rows: TableBody | undefined, program: string, date: string): Scored {
  const generation = changeWatch(db).current();
  requireActiveToken(db, task.tokenId, generation);
  const version = loadVersionInEffect(db, task.standardId, date, generation);
  requireProgram(version, program);
  const applicants = (rows && readTableRows(rows, version.dictionary)) ?? requireApplicants(rows ? parseJsonObject(bodyText(task)) : body, version, false);
  const compiled = version.compiled(program);
  const verdict = (score: CompactScore): Verdict => verdictOf(version.doc, program, score);
  if (rows !== undefined || isTableForm(body)) {
    const cellStarts = new Int32Array(applicants.length);
    const cellEnds = new Int32Array(applicants.length);
    const writer = tableOutput;
    writer.length = 0;
    writer.text(`{"categoryIds":${JSON.stringify(compiled.categoryIds)},"itemIds":${JSON.stringify(compiled.itemIds)},"rows":[`);
    for (let i = 0; i < applicants.length; i++) {
      writer.text(i === 0 ? "[" : ",[");
      cellStarts[i] = writer.length;
      const score = compiled.score(applicants[i].facts, date);
      writeScoreCells(writer, score, verdict(score));
      cellEnds[i] = writer.length;
      writer.char(0x5d);
    }
    writer.text("]}");
    const output = writer.bytes.subarray(0, writer.length);
    return { table: true, version, compiled, applicants, output, cellStarts, cellEnds, generation };
  }
  const scores: string[] = new Array(applicants.length);
  for (let i = 0; i < applicants.length; i++) {
    const score = compiled.score(applicants[i].facts, date);
    scores[i] = compactScoreJson(score, verdict(score));
  }
  return { table: false, version, compiled, applicants, output: loggedOutput(compiled, scores), scores, generation };
}

/**
 * The object form's output as logged: a compact score object per applicant. (The table form logs its cells, half the
 * bytes, written as bytes in scoreBatch.) Each applicant's score in `scores` is then replaced by its slice of that
 * one text, which the answer is built from: an applicant's own text is a chain of the small pieces it was written
 * in, and walking every chain a second time for the answer cost 0.5–0.6 µs more per applicant (in process,
 * 5,000-applicant batches) than copying the slices of one flat text.
 */
function loggedOutput(compiled: CompiledProgram, scores: string[]): string {
  const start = `{"categoryIds":${JSON.stringify(compiled.categoryIds)},"itemIds":${JSON.stringify(compiled.itemIds)},"results":[`;
  const output = `${start}${scores.join(",")}]}`;
  let at = start.length;
  for (let i = 0; i < scores.length; i++) {
    const end = at + scores[i].length;
    scores[i] = output.slice(at, end);
    at = end + 1;
  }
  return output;
}

/** Logs the batch in one IMMEDIATE transaction, after checking again what it relied on if the database changed. */
function logBatch(db: JifenDb, task: BatchTask, scored: Scored, program: string, date: string): { batchId: number; firstDecisionId: number } {
  const { version, output } = scored;
  // Valid UTF-8 bytes are exactly the text's encoding (what storing or hashing the text would produce); other bytes
  // were decoded with replacement characters, and the text is what was read.
  const raw = task.bytes && isUtf8(task.bytes) ? task.bytes : undefined;
  // Hashed before the write lock is taken: the other worker's commits need not wait for it.
  const inputHash = sha256(raw ?? bodyText(task));
  return changeWatch(db).ownTransaction((generation) => {
    if (generation !== scored.generation) {
      if (!isTokenActive(db, task.tokenId)) throw tokenRefused("revoked");
      if (versionHeadInEffect(db, task.standardId, date)?.id !== version.head.id) throw new StaleSnapshot();
    }
    return recordDecisionBatch(db, {
      tokenId: task.tokenId,
      standardId: version.head.standardId,
      versionId: version.head.id,
      versionHash: version.head.contentHash,
      programId: program,
      evaluationDate: date,
      applicantCount: scored.applicants.length,
      input: raw ?? bodyText(task),
      inputHash,
      output,
    });
  });
}

/** The object form's answer: `results`, one object per applicant, points in the order of `itemIds` / `categoryIds`. */
function objectAnswer(head: string, scored: ScoredObjects, firstDecisionId: number, inputHashes: string[] | undefined): string {
  const { compiled, applicants, scores } = scored;
  const ids = `"itemIds":${JSON.stringify(compiled.itemIds)},"categoryIds":${JSON.stringify(compiled.categoryIds)}`;
  let text = `${head},${ids},"results":[`;
  for (let i = 0; i < applicants.length; i++) {
    const inputHash = inputHashes ? `,"inputHash":"${inputHashes[i]}"` : "";
    text += `${i > 0 ? "," : ""}{"id":${idJson(applicants[i].id)},"decisionId":${firstDecisionId + i}${inputHash},${scores[i].slice(1)}`;
  }
  return text + "]}";
}

/** Text that JSON.stringify writes between quotes as it is (no quote, backslash, control or lone surrogate). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const PLAIN_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** An applicant id as JSON: most are plain text, quoted without JSON.stringify. */
function idJson(id: string): string {
  return PLAIN_TEXT.test(id) ? `"${id}"` : JSON.stringify(id);
}

/**
 * The table form's answer: `columns` ("id", "decisionId", ["inputHash"], "eligible", "vetoed", "total", "verdict",
 * "failedGates", then "categories/{id}" and "items/{id}" in the document's order) and one row per applicant.
 */
function tableAnswer(head: string, scored: ScoredTable, firstDecisionId: number, inputHashes: string[] | undefined): Uint8Array {
  const { compiled, applicants, output, cellStarts, cellEnds } = scored;
  const columns = [
    "id",
    "decisionId",
    ...(inputHashes ? ["inputHash"] : []),
    "eligible",
    "vetoed",
    "total",
    "verdict",
    "failedGates",
    ...compiled.categoryIds.map((id) => `categories/${id}`),
    ...compiled.itemIds.map((id) => `items/${id}`),
  ];
  const writer = tableAnswerWriter;
  writer.length = 0;
  writer.text(`${head},"firstDecisionId":${firstDecisionId},"columns":${JSON.stringify(columns)},"rows":[`);
  for (let i = 0; i < applicants.length; i++) {
    if (i > 0) writer.char(COMMA);
    writer.char(0x5b);
    writer.quoted(applicants[i].id);
    writer.char(COMMA);
    writer.number(firstDecisionId + i);
    if (inputHashes) writer.text(`,"${inputHashes[i]}"`);
    writer.char(COMMA);
    writer.copy(output, cellStarts[i], cellEnds[i]);
    writer.char(0x5d);
  }
  writer.text("]}");
  return writer.owned();
}

function answerBatch(task: BatchTask, program: string, date: string, scored: Scored, logged: { batchId: number; firstDecisionId: number }): string | Uint8Array {
  const head = JSON.stringify({ ...versionFields(scored.version), program, date, batchId: logged.batchId }).slice(0, -1);
  const inputHashes = task.inputHashes ? scored.applicants.map((a) => sha256(canonicalInput(a.facts, program, date))) : undefined;
  return scored.table ? tableAnswer(head, scored, logged.firstDecisionId, inputHashes) : objectAnswer(head, scored, logged.firstDecisionId, inputHashes);
}

/** Evaluates and logs a batch; an ApiError for anything wrong with it (422 with located problems, 401, 404). */
export function evaluateBatchText(db: JifenDb, task: BatchTask): ApiReply {
  // A table body is first read from its bytes without its rows: they are read later, straight into facts.
  const rows = task.bytes ? scanTableBody(task.bytes) : undefined;
  if (!rows) return evaluateBatchBody(db, task, parseJsonObject(bodyText(task)), undefined);
  try {
    return evaluateBatchBody(db, task, rows.members, rows);
  } catch (error) {
    // The rows were not yet known to be JSON when this was refused: a syntax error in them is what the body is
    // refused for, with its line and column, as when the whole body is parsed first.
    if (error instanceof ApiError) parseJsonObject(bodyText(task));
    throw error;
  }
}

function evaluateBatchBody(db: JifenDb, task: BatchTask, body: Record<string, unknown>, rows: TableBody | undefined): ApiReply {
  const { program, date } = requireProgramAndDate(body);
  for (let attempt = 1; ; attempt++) {
    const scored = scoreBatch(db, task, body, rows, program, date);
    try {
      const logged = logBatch(db, task, scored, program, date);
      const answer = answerBatch(task, program, date, scored, logged);
      return typeof answer === "string" ? jsonTextReply(answer) : { ...jsonTextReply(""), body: answer };
    } catch (error) {
      // Another version came into effect while this one was scoring: score again with it.
      if (!(error instanceof StaleSnapshot)) throw error;
      if (attempt >= 3) throw versionKeptChanging();
    }
  }
}

/** The same, with a refusal turned into its error answer (for a batch worker, which answers with a reply). */
export function runBatch(db: JifenDb, task: BatchTask): ApiReply {
  try {
    return evaluateBatchText(db, task);
  } catch (error) {
    if (error instanceof ApiError) return errorReply(error);
    throw error;
  }
}
