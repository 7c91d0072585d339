/**
 * The department API (/api/v1): `handleApiRequest(request: Request) => Promise<Response>`, mounted by the Remix
 * resource route app/routes/api.v1.$.ts and, for throughput, straight on Node's HTTP server ahead of Express
 * (app/api/node-http.server.ts) through `handleApiCall`, the same handlers over a minimal request/reply pair
 * (building web Request and Response objects cost more than scoring). See docs/decisions/007-department-api.md.
 */
import { explainScore } from "../../engine/scoring/explain";
import { canonicalJson } from "../../rules-schema/canonical";
import { isIsoDate } from "../../rules-schema/iso-date";
import type { StandardDocument } from "../../rules-schema/types";
import { scoreApplicant } from "../../engine/scoring/reference";
import { scoreAndRank } from "../../engine/allocation/ranking-cases";
import { verdictOf } from "../../engine/scoring/verdict";
import type { Facts, ScoreSheet } from "../../engine/types";
import type { JifenDb } from "../../db/connection";
import {
  decisionBatchOwner,
  decisionOwner,
  findBatchOfDecision,
  getDecision,
  getDecisionBatch,
  recordDecision,
  type DecisionBatchRecord,
  type DecisionRecord,
} from "../../db/decisions";
import { logDecision, StaleSnapshot } from "./decision-writer.server";
import { tokenDepartment, touchApiToken, verifyApiToken, type TokenScope, type TokenVerification, type VerifiedToken } from "../../db/tokens";
import { changeWatch, GenerationCache, perConnection } from "./change-watch.server";
import { getDb } from "../lib/db.server";
import { ApiError, apiError, apiProblem, errorReply, jsonReply, type ApiProblem, type ApiReply } from "./errors.server";
import { checkFacts } from "./facts-check";
import { batchPoolFor } from "./batch-pool.server";
import { evaluateBatchText } from "./batch.server";
import { SingleGroups } from "./singles.server";
import {
  answeredScore,
  canonicalInput,
  decisionRecord,
  loggedBefore047,
  badDateProblem,
  loggedApplicants,
  loggedResults,
  parseJsonObject,
  requireApplicants,
  requireProgram,
  requireProgramAndDate,
  sha256,
  summaryFromCompact,
  summaryFromIds,
  summaryFromSheet,
  tokenRefused,
  versionFields,
  versionKeptChanging,
  type BatchApplicant,
  type ScoreSummary,
} from "./evaluation.server";
import { openApiDocument } from "./openapi";
import { rateLimitConfig, TokenBucketLimiter } from "./rate-limit.server";
import { loadVersionById, loadVersionInEffect, type LoadedVersion } from "./versions.server";
import { versionHeadInEffect } from "../../db/versions-in-effect";
import { readBodyWithin } from "../lib/body-limit.server";

export const SINGLE_BODY_LIMIT = 1024 * 1024;
export const BATCH_BODY_LIMIT = 50 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Request plumbing

let limiter: TokenBucketLimiter | undefined;
const lastTouched = new Map<number, number>();
const TOUCH_EVERY_MS = 60_000;
const TOUCH_RETRY_MS = 1_000;
const verifiedTokens = perConnection(() => new GenerationCache<string, TokenVerification>(10_000));

/**
 * A token's verification, kept until the database changes (change-watch.server.ts): a revocation, whoever makes it,
 * moves the generation on, so the next request looks the token up again and is refused. Only valid tokens are kept.
 */
function verifyToken(db: JifenDb, token: string, generation: number): TokenVerification {
  const cache = verifiedTokens(db);
  const cached = cache.get(generation, token);
  if (cached) return cached;
  const verified = verifyApiToken(db, token);
  if (verified.ok) cache.set(generation, token, verified);
  return verified;
}

/**
 * The request's token, checked (401, 403, 429), and the database generation it was checked at: the handler reads the
 * version in effect as of that same moment, which spares a second look at whether the database changed. `lastSeen`
 * takes the generation last seen without looking (single evaluations, whose commit checks it; see
 * decision-writer.server.ts).
 */
function authenticate(request: ApiCall, db: JifenDb, scope: TokenScope, generationAt: "now" | "lastSeen" = "now"): { token: VerifiedToken; generation: number } {
  const checked = checkToken(request, db, scope, generationAt);
  rateLimit(checked.token);
  const now = Date.now();
  if ((lastTouched.get(checked.token.id) ?? 0) + TOUCH_EVERY_MS < now) {
    // The last-used time is for the administrators' list of tokens: written when the write lock is free, else tried
    // again a second later. Waiting for it would stop this thread, every request it serves, for as long as another
    // writer holds the lock (a cohort import holds it for seconds), and a request that writes nothing else would end
    // in 503 for it.
    const touched = changeWatch(db).ownWriteIfFree(() => touchApiToken(db, checked.token.id));
    lastTouched.set(checked.token.id, touched ? now : now - TOUCH_EVERY_MS + TOUCH_RETRY_MS);
  }
  return checked;
}

/** 401 without a valid token, 403 without the scope. */
function checkToken(request: ApiCall, db: JifenDb, scope: TokenScope, generationAt: "now" | "lastSeen"): { token: VerifiedToken; generation: number } {
  const header = request.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const challenge = { "WWW-Authenticate": 'Bearer realm="jifen"' };
  if (!match) {
    throw new ApiError(
      401,
      [apiProblem("api.unauthenticated", "", "缺少 API 令牌：请在 Authorization 头中发送 Bearer <令牌>", "No API token: send Authorization: Bearer <token>")],
      challenge,
    );
  }
  const watch = changeWatch(db);
  const generation = generationAt === "now" ? watch.current() : watch.lastSeen();
  const verified = verifyToken(db, match[1], generation);
  if (!verified.ok) throw tokenRefused(verified.reason);
  const token = verified.token;
  if (!token.scopes.includes(scope)) {
    throw apiError(
      403,
      "api.scopeMissing",
      "",
      `此令牌（${token.department}）没有“${scope}”权限，现有权限：${token.scopes.join("、")}`,
      `This token (${token.department}) lacks the "${scope}" scope; it has: ${token.scopes.join(", ")}`,
      { required: scope, granted: token.scopes },
    );
  }
  return { token, generation };
}

/** 429 when the token's bucket is empty. */
function rateLimit(token: VerifiedToken): void {
  limiter ??= new TokenBucketLimiter(rateLimitConfig());
  const decision = limiter.take(token.id);
  if (!decision.allowed) {
    throw new ApiError(
      429,
      [
        apiProblem(
          "api.rateLimited",
          "",
          `请求过于频繁（每秒上限 ${limiter.config.perSecond} 次），请 ${decision.retryAfterSeconds} 秒后重试`,
          `Too many requests (limit ${limiter.config.perSecond}/s); retry after ${decision.retryAfterSeconds} s`,
          { perSecond: limiter.config.perSecond, retryAfterSeconds: decision.retryAfterSeconds },
        ),
      ],
      { "Retry-After": String(decision.retryAfterSeconds) },
    );
  }
}

function tooLarge(limit: number): ApiError {
  const mb = limit / (1024 * 1024);
  // The rest of the body is left unread, so the connection cannot carry another request: tell the client to close it.
  return new ApiError(
    413,
    [apiProblem("api.bodyTooLarge", "", `请求体超过 ${mb} MB 上限`, `The request body exceeds the ${mb} MB limit`, { limitBytes: limit })],
    { Connection: "close" },
  );
}

async function readText(request: ApiCall, limit: number): Promise<string> {
  const declared = Number(request.header("content-length") ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const text = await request.readText(limit);
  if (text === undefined) throw tooLarge(limit);
  return text;
}

/** The body as bytes, for a worker to decode (batches, single evaluations); undefined when the request cannot give bytes. */
async function readBytes(request: ApiCall, limit: number): Promise<Uint8Array | undefined> {
  if (!request.readBytes) return undefined;
  const declared = Number(request.header("content-length") ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const bytes = await request.readBytes(limit);
  if (bytes === undefined) throw tooLarge(limit);
  return bytes;
}

/** The body as a JSON object; a syntax error is reported with its line and column. */
async function readJsonObject(request: ApiCall, limit: number): Promise<Record<string, unknown>> {
  return parseJsonObject(await readText(request, limit));
}

// ---------------------------------------------------------------------------------------------------------
// Handlers

/** GET /api/v1/standards/{id}?date=YYYY-MM-DD — the version in effect (default: today in China) and its fact dictionary. */
export async function getStandardInEffect(request: ApiCall, standardId: string): Promise<ApiReply> {
  const db = getDb();
  const { generation } = authenticate(request, db, "read");
  const date = request.query.get("date") ?? new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  if (!isIsoDate(date)) throw new ApiError(422, [badDateProblem("/date", { zh: "查询参数 date", en: 'The "date" query parameter' }, date)]);
  const version = loadVersionInEffect(db, standardId, date, generation);
  const doc: StandardDocument = version.doc;
  return jsonReply({
    ...versionFields(version),
    date,
    effectiveFrom: version.head.effectiveFrom,
    effectiveTo: version.head.effectiveTo,
    title: doc.title,
    jurisdiction: doc.jurisdiction,
    programs: doc.programs.map((p) => ({
      id: p.id,
      kind: p.kind,
      label: p.label,
      allocation: p.allocation.kind,
      ...(p.allocation.kind === "quota" && p.allocation.poolBy ? { poolBy: p.allocation.poolBy } : {}),
    })),
    facts: doc.facts,
    derived: (doc.derived ?? []).map((d) => ({ id: d.id, kind: d.kind, label: d.label })),
    categories: doc.categories.map((c) => ({ id: c.id, kind: c.kind, label: c.label })),
    items: doc.items.map((i) => ({ id: i.id, category: i.category, label: i.label, ...(i.programs ? { programs: i.programs } : {}) })),
  });
}

/**
 * POST /api/v1/standards/{id}/evaluate — one applicant. Default: the compiled path's figures by item id, decided
 * with the other requests of the same moment as a group (singles.server.ts), on a batch worker when there is one;
 * `?explain=true`: the reference path's full ScoreSheet (conditions, fact values, tiers chosen) as `sheet` too, its
 * `explanation` in both languages (decision 037: no total for the ineligible and the vetoed) and the `verdict`.
 */
export async function evaluateApplicant(request: ApiCall, standardId: string): Promise<ApiReply> {
  const db = getDb();
  let { token, generation } = authenticate(request, db, "evaluate", "lastSeen");
  if (!/^(1|true|yes)$/i.test(request.query.get("explain") ?? "")) {
    const pool = batchPoolFor(db);
    if (pool?.ready) {
      const body = await readBytes(request, SINGLE_BODY_LIMIT);
      if (body) return pool.evaluateSingle({ tokenId: token.id, standardId, body });
    }
    const text = await readText(request, SINGLE_BODY_LIMIT);
    return singleGroups(db).evaluate({ tokenId: token.id, standardId, text });
  }
  const body = await readJsonObject(request, SINGLE_BODY_LIMIT);
  const { program, date } = requireProgramAndDate(body);
  const facts = (body.facts ?? {}) as Facts;
  // Decided on the data of `generation` (the last seen); if the database has changed since, the commit checks the
  // token and the version again, and a refusal made on that data is made again on fresh data.
  for (let attempt = 1; ; attempt++) {
    try {
      const version = loadVersionInEffect(db, standardId, date, generation);
      requireProgram(version, program);
      const problems = checkFacts(version.dictionary, facts, "/facts");
      if (problems.length) throw new ApiError(422, problems);
      const sheet = await scoreApplicant(version.doc, facts, program, date);
      const score = summaryFromSheet(sheet, verdictOf(version.doc, program, sheet));
      const decision = decisionRecord(token.id, version, program, date, canonicalInput(facts, program, date), canonicalJson(score));
      const decisionId = await logDecision(db, decision, generation, () => {
        checkToken(request, db, "evaluate", "now");
        if (versionHeadInEffect(db, standardId, date)?.id !== version.head.id) throw new StaleSnapshot();
      });
      const explanation = explainScore(version.doc, sheet);
      return jsonReply({ ...versionFields(version), program, date, decisionId, inputHash: decision.inputHash, score, verdict: explanation.verdict.kind, sheet, explanation });
    } catch (error) {
      const stale = error instanceof StaleSnapshot || (error instanceof ApiError && attempt === 1 && changeWatch(db).current() !== generation);
      if (!stale || attempt >= 3) throw error instanceof StaleSnapshot ? versionKeptChanging() : error;
      ({ token, generation } = checkToken(request, db, "evaluate", "now"));
    }
  }
}

/** Groups of single evaluations decided in this thread (no batch worker). */
const singleGroups = perConnection((db) => new SingleGroups(db));

/**
 * POST /api/v1/standards/{id}/evaluate/batch — many applicants on the compiled path, in the object form
 * (`applicants: [{id, facts}]`, answered with `results`) or the table form (`columns` + `rows`, answered with
 * `columns` + `rows`); per applicant the points, eligibility and its decision id; `?inputHashes=true` adds each
 * applicant's input hash (the same as a single evaluation of those facts would return). The batch is logged once,
 * its body as received and the compact results, before the answer is sent
 * (docs/decisions/010-decision-log-and-api-throughput.md). The token is checked here; the rest runs on a batch
 * worker when there is one (batch-pool.server.ts), else here.
 */
export async function evaluateBatch(request: ApiCall, standardId: string): Promise<ApiReply> {
  const db = getDb();
  const { token } = authenticate(request, db, "evaluate");
  const inputHashes = /^(1|true|yes)$/i.test(request.query.get("inputHashes") ?? "");
  const bytes = await readBytes(request, BATCH_BODY_LIMIT);
  const pool = batchPoolFor(db);
  if (bytes && pool?.ready) return pool.run({ tokenId: token.id, standardId, body: bytes, inputHashes });
  const body = bytes ? { bytes } : { text: await readText(request, BATCH_BODY_LIMIT) };
  return evaluateBatchText(db, { tokenId: token.id, standardId, ...body, inputHashes });
}

/** Starts the batch workers of the server's database now rather than at the first batch (server start). */
export function startBatchWorkers(): Promise<boolean> {
  return batchPoolFor(getDb())?.whenReady() ?? Promise.resolve(false);
}

function requireQuotas(body: Record<string, unknown>, version: LoadedVersion, program: string): Record<string, number> {
  const quotas = body.quotas ?? {};
  const isQuota = version.doc.programs.find((p) => p.id === program)?.allocation.kind === "quota";
  const problems: ApiProblem[] = [];
  if (quotas === null || typeof quotas !== "object" || Array.isArray(quotas)) {
    problems.push(apiProblem("api.quotasNotObject", "/quotas", "quotas 应为对象 {名额池: 名额数}", '"quotas" must be an object {pool: places}'));
  } else {
    for (const [pool, places] of Object.entries(quotas)) {
      if (!Number.isInteger(places) || (places as number) < 0) {
        problems.push(apiProblem("api.badQuota", `/quotas/${pool.replace(/~/g, "~0").replace(/\//g, "~1")}`, `名额池“${pool}”的名额应为非负整数`, `The places of pool "${pool}" must be a whole number ≥ 0`, { pool, value: places }));
      }
    }
    if (isQuota && Object.keys(quotas).length === 0) {
      problems.push(apiProblem("api.required", "/quotas", "此项目按名额排名，需提供 quotas（无名额池时用 \"*\"）", 'This program ranks by quota: give "quotas" (use "*" when it has no pools)', { property: "quotas" }));
    }
  }
  if (body.seed !== undefined && typeof body.seed !== "string") {
    problems.push(apiProblem("api.badSeed", "/seed", "seed 应为文字", '"seed" must be text'));
  }
  if (problems.length) throw new ApiError(422, problems);
  return quotas as Record<string, number>;
}

/** No total for an applicant who fails a gate or is vetoed (decision 047): the reason says why. */
const withoutScore = (reason: string | undefined) => reason === "ineligible" || reason === "vetoed";

/**
 * The allocation as the API answers and logs it: `total` null for the applicants who have no score (decision 047),
 * or, with `before047`, in the form rankings were logged until then (the engine's total for everyone).
 */
function rankCohort(
  version: LoadedVersion,
  input: { program: string; date: string; quotas: Record<string, number>; seed?: string; applicants: BatchApplicant[] },
  before047 = false,
) {
  const allocation = scoreAndRank(
    version.doc,
    input.program,
    { ids: input.applicants.map((a) => a.id), rows: input.applicants.map((a) => a.facts ?? {}) },
    input.quotas,
    input.date,
    input.seed !== undefined ? { seed: input.seed } : {},
  );
  const applicants = before047 ? allocation.applicants : allocation.applicants.map((a) => (withoutScore(a.reason) ? { ...a, total: null } : a));
  return { kind: allocation.kind, ...(allocation.tiePolicy ? { tiePolicy: allocation.tiePolicy } : {}), admittedCount: allocation.admittedCount, pools: allocation.pools, applicants };
}

/** Whether a logged allocation is in the form before decision 047: a number as the total of an applicant with no score. */
function allocationBefore047(output: string): boolean {
  const logged = JSON.parse(output) as { applicants?: Array<{ total: number | null; reason?: string }> };
  return (logged.applicants ?? []).some((a) => withoutScore(a.reason) && typeof a.total === "number");
}

/** POST /api/v1/standards/{id}/rank — score a cohort and allocate the program's places (quotas per pool). */
export async function rankApplicants(request: ApiCall, standardId: string): Promise<ApiReply> {
  const db = getDb();
  const { token, generation } = authenticate(request, db, "rank");
  const body = await readJsonObject(request, BATCH_BODY_LIMIT);
  const { program, date } = requireProgramAndDate(body);
  const version = loadVersionInEffect(db, standardId, date, generation);
  requireProgram(version, program);
  const applicants = requireApplicants(body, version, true);
  const quotas = requireQuotas(body, version, program);
  const seed = body.seed as string | undefined;
  const allocation = rankCohort(version, { program, date, quotas, seed, applicants });
  const input = canonicalJson({ applicants: applicants.map((a) => ({ id: a.id, facts: a.facts ?? {} })), program, date, quotas, seed });
  const decision = decisionRecord(token.id, version, program, date, input, canonicalJson(allocation));
  const inputHash = decision.inputHash;
  const decisionId = changeWatch(db).ownWrite(() => recordDecision(db, decision));
  return jsonReply({ ...versionFields(version), program, date, decisionId, inputHash, allocation });
}

/** A logged decision as the API shows it: a row of decision_log, or one applicant of a logged batch. */
interface DecisionView extends DecisionRecord {
  batch?: { batchId: number; index: number; applicantId: string; inputHashMatches: boolean };
}

function parseId(rawId: string): number {
  const id = /^\d+$/.test(rawId) ? Number(rawId) : NaN;
  return Number.isSafeInteger(id) ? id : NaN;
}

/** Applicant `index` of a logged batch, with the input and output a single evaluation of it would have logged. */
function batchMemberDecision(batch: DecisionBatchRecord, index: number): DecisionView {
  const applicant = loggedApplicants(JSON.parse(batch.input) as Parameters<typeof loggedApplicants>[0])[index];
  const recorded = loggedResults(batch.output);
  const input = canonicalInput(applicant.facts ?? {}, batch.programId, batch.evaluationDate);
  return {
    id: batch.firstDecisionId + index,
    at: batch.at,
    tokenId: batch.tokenId,
    standardId: batch.standardId,
    versionId: batch.versionId,
    versionHash: batch.versionHash,
    programId: batch.programId,
    evaluationDate: batch.evaluationDate,
    inputHash: sha256(input),
    input,
    output: JSON.stringify(summaryFromIds(recorded.itemIds, recorded.categoryIds, recorded.results[index])),
    batch: { batchId: batch.id, index, applicantId: applicant.id, inputHashMatches: sha256(batch.input) === batch.inputHash },
  };
}

/**
 * Whether a decision logged under token `madeBy` may be read by `reader`: only by a token of the same department
 * (a department's new token reads what its revoked one decided). Decisions without a token belong to no department.
 */
function sameDepartment(db: JifenDb, madeBy: number | null, reader: VerifiedToken): boolean {
  if (madeBy === null) return false;
  return madeBy === reader.id || tokenDepartment(db, madeBy) === reader.department;
}

/**
 * A decision the reader's department made; another department's answers exactly as a missing one (404). Its owner is
 * checked first, from the index alone, so the time taken does not tell that it exists either.
 */
function requireDecision(db: JifenDb, rawId: string, reader: VerifiedToken): DecisionView {
  const id = parseId(rawId);
  const owner = Number.isNaN(id) ? undefined : decisionOwner(db, id);
  if (owner && sameDepartment(db, owner.tokenId, reader)) {
    const decision = getDecision(db, id);
    if (decision) return decision;
    const held = findBatchOfDecision(db, id);
    if (held) return batchMemberDecision(held.batch, held.index);
  }
  throw apiError(404, "api.unknownDecision", "", `没有编号为 ${rawId} 的决定记录`, `There is no decision ${rawId}`, { decisionId: rawId });
}

function batchReference(decision: DecisionView) {
  return decision.batch ? { batch: { batchId: decision.batch.batchId, index: decision.batch.index, applicantId: decision.batch.applicantId } } : {};
}

/** GET /api/v1/decisions/{id} — a logged decision: version, input (canonical), input hash and output. */
export async function getDecisionRecord(request: ApiCall, rawId: string): Promise<ApiReply> {
  const db = getDb();
  const { token } = authenticate(request, db, "read");
  const decision = requireDecision(db, rawId, token);
  return jsonReply({
    decisionId: decision.id,
    at: decision.at,
    standardId: decision.standardId,
    versionId: decision.versionId,
    versionHash: decision.versionHash,
    program: decision.programId,
    date: decision.evaluationDate,
    inputHash: decision.inputHash,
    input: JSON.parse(decision.input) as unknown,
    output: JSON.parse(decision.output) as unknown,
    ...batchReference(decision),
  });
}

function requireVersionOf(db: JifenDb, versionId: number): LoadedVersion {
  const version = loadVersionById(db, versionId);
  if (!version) throw apiError(404, "api.versionGone", "", "该决定所用的版本已不存在", "The version this decision used no longer exists", { versionId });
  return version;
}

/**
 * POST /api/v1/decisions/{id}/replay — for an appeal (复核): recomputes the stored input with the stored version
 * (its content checked against the recorded hash) and says whether the result is identical; single evaluations
 * (and applicants of a batch) come back with the full explained sheet and its explanation (decision 037).
 */
export async function replayDecision(request: ApiCall, rawId: string): Promise<ApiReply> {
  const db = getDb();
  const { token } = authenticate(request, db, "read");
  const decision = requireDecision(db, rawId, token);
  const version = requireVersionOf(db, decision.versionId);
  const input = JSON.parse(decision.input) as { facts?: Facts; applicants?: BatchApplicant[]; program: string; date: string; quotas?: Record<string, number>; seed?: string };
  // An applicant of a batch has its input derived from the batch's body: the body's own hash is what can be checked.
  const inputHashMatches = decision.batch ? decision.batch.inputHashMatches : sha256(decision.input) === decision.inputHash;
  const versionHashMatches = version.head.contentHash === decision.versionHash;
  let replayed: unknown;
  let sheet: ScoreSheet | undefined;
  let identical: boolean;
  // A decision is replayed in the form it was logged in: one logged before decision 047 gave every applicant a
  // number as its total and no verdict, and is compared with the replay in that form.
  if (input.applicants) {
    const ranking = { program: input.program, date: input.date, quotas: input.quotas ?? {}, seed: input.seed, applicants: input.applicants };
    replayed = rankCohort(version, ranking, allocationBefore047(decision.output));
    identical = canonicalJson(replayed) === decision.output;
  } else {
    const facts = input.facts ?? {};
    const compiled = version.compiled(input.program);
    const raw = compiled.score(facts, input.date);
    const before047 = loggedBefore047(JSON.parse(decision.output) as { verdict?: unknown });
    const fromCompiled = summaryFromCompact(compiled, before047 ? raw : answeredScore(version.doc, input.program, raw));
    sheet = await scoreApplicant(version.doc, facts, input.program, input.date);
    const fromSheet = summaryFromSheet(sheet, before047 ? undefined : verdictOf(version.doc, input.program, sheet));
    replayed = fromCompiled;
    identical = canonicalJson(fromCompiled) === decision.output && canonicalJson(fromSheet) === decision.output;
  }
  return jsonReply({
    decisionId: decision.id,
    identical: identical && inputHashMatches && versionHashMatches,
    versionId: decision.versionId,
    versionHash: decision.versionHash,
    versionHashMatches,
    inputHashMatches,
    recorded: JSON.parse(decision.output) as unknown,
    replayed,
    ...(sheet ? { sheet, explanation: explainScore(version.doc, sheet) } : {}),
    ...batchReference(decision),
  });
}

/** A batch the reader's department made; another department's answers exactly as a missing one (404). */
function requireBatch(db: JifenDb, rawId: string, reader: VerifiedToken): DecisionBatchRecord {
  const id = parseId(rawId);
  const owner = Number.isNaN(id) ? undefined : decisionBatchOwner(db, id);
  const batch = owner && sameDepartment(db, owner.tokenId, reader) ? getDecisionBatch(db, id) : undefined;
  if (!batch) throw apiError(404, "api.unknownBatch", "", `没有编号为 ${rawId} 的批量决定记录`, `There is no decision batch ${rawId}`, { batchId: rawId });
  return batch;
}

/** GET /api/v1/decision-batches/{id} — a logged batch: version, body hash, and the block of decision ids it holds. */
export async function getDecisionBatchRecord(request: ApiCall, rawId: string): Promise<ApiReply> {
  const db = getDb();
  const { token } = authenticate(request, db, "read");
  const batch = requireBatch(db, rawId, token);
  const output = loggedResults(batch.output);
  return jsonReply({
    batchId: batch.id,
    at: batch.at,
    standardId: batch.standardId,
    versionId: batch.versionId,
    versionHash: batch.versionHash,
    program: batch.programId,
    date: batch.evaluationDate,
    inputHash: batch.inputHash,
    applicantCount: batch.applicantCount,
    firstDecisionId: batch.firstDecisionId,
    lastDecisionId: batch.firstDecisionId + batch.applicantCount - 1,
    itemIds: output.itemIds,
    categoryIds: output.categoryIds,
  });
}

const MAX_REPORTED_DIFFERENCES = 100;

/**
 * POST /api/v1/decision-batches/{id}/replay — recomputes every applicant of a logged batch from its stored body
 * with the stored version (compiled path, as the batch was scored) and compares each with its logged score by id.
 * Lists the first differences; `identical` also requires the body's and the version's hashes to match.
 */
export async function replayDecisionBatch(request: ApiCall, rawId: string): Promise<ApiReply> {
  const db = getDb();
  const { token } = authenticate(request, db, "read");
  const batch = requireBatch(db, rawId, token);
  const version = requireVersionOf(db, batch.versionId);
  const inputHashMatches = sha256(batch.input) === batch.inputHash;
  const versionHashMatches = version.head.contentHash === batch.versionHash;
  const applicants = loggedApplicants(JSON.parse(batch.input) as Parameters<typeof loggedApplicants>[0]);
  const recorded = loggedResults(batch.output);
  const compiled = version.compiled(batch.programId);
  const differences: Array<{ index: number; id: string; decisionId: number; recorded: ScoreSummary | null; replayed: ScoreSummary }> = [];
  let differing = 0;
  for (let i = 0; i < applicants.length; i++) {
    const raw = compiled.score(applicants[i].facts ?? {}, batch.evaluationDate);
    const logged = recorded.results[i] ? summaryFromIds(recorded.itemIds, recorded.categoryIds, recorded.results[i]) : null;
    // Compared in the form the batch was logged in (before decision 047: the engine's total, no verdict).
    const replayed = summaryFromCompact(compiled, logged && loggedBefore047(logged) ? raw : answeredScore(version.doc, batch.programId, raw));
    if (logged && JSON.stringify(logged) === JSON.stringify(replayed)) continue;
    differing++;
    if (differences.length < MAX_REPORTED_DIFFERENCES) {
      differences.push({ index: i, id: applicants[i].id, decisionId: batch.firstDecisionId + i, recorded: logged, replayed });
    }
  }
  if (recorded.results.length !== applicants.length) differing += Math.max(0, recorded.results.length - applicants.length);
  return jsonReply({
    batchId: batch.id,
    identical: differing === 0 && applicants.length === batch.applicantCount && inputHashMatches && versionHashMatches,
    versionId: batch.versionId,
    versionHash: batch.versionHash,
    versionHashMatches,
    inputHashMatches,
    applicantCount: batch.applicantCount,
    firstDecisionId: batch.firstDecisionId,
    differingCount: differing,
    differences,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Router

/** What a handler needs of a request, whatever server received it. */
export interface ApiCall {
  method: string;
  pathname: string;
  query: URLSearchParams;
  header(name: string): string | null;
  /** The body as text, or undefined when it is longer than `limit` bytes. */
  readText(limit: number): Promise<string | undefined>;
  /** The same as bytes (a batch goes to its worker undecoded), where the server can give them. */
  readBytes?(limit: number): Promise<Uint8Array | undefined>;
}

type Route = { method: "GET" | "POST"; pattern: RegExp; handle: (request: ApiCall, param: string) => Promise<ApiReply> };

const ROUTES: Route[] = [
  { method: "GET", pattern: /^\/api\/v1\/openapi\.json$/, handle: async () => jsonReply(openApiDocument) },
  { method: "GET", pattern: /^\/api\/v1\/standards\/([^/]+)$/, handle: getStandardInEffect },
  { method: "POST", pattern: /^\/api\/v1\/standards\/([^/]+)\/evaluate$/, handle: evaluateApplicant },
  { method: "POST", pattern: /^\/api\/v1\/standards\/([^/]+)\/evaluate\/batch$/, handle: evaluateBatch },
  { method: "POST", pattern: /^\/api\/v1\/standards\/([^/]+)\/rank$/, handle: rankApplicants },
  { method: "GET", pattern: /^\/api\/v1\/decisions\/([^/]+)$/, handle: getDecisionRecord },
  { method: "POST", pattern: /^\/api\/v1\/decisions\/([^/]+)\/replay$/, handle: replayDecision },
  { method: "GET", pattern: /^\/api\/v1\/decision-batches\/([^/]+)$/, handle: getDecisionBatchRecord },
  { method: "POST", pattern: /^\/api\/v1\/decision-batches\/([^/]+)\/replay$/, handle: replayDecisionBatch },
];

/** Dispatches any call under /api/v1 and turns every failure into the error shape. */
/** A path segment's `%`-escapes decoded; a malformed one (`%E0%A4%A`, `%zz`) is the client's error, a plain 400. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw apiError(400, "api.badUrl", "", "请求地址中有无效的 % 转义", "The request URL has a malformed % escape", { segment: segment.slice(0, 200) });
  }
}

export async function handleApiCall(request: ApiCall): Promise<ApiReply> {
  const pathname = request.pathname.replace(/\/+$/, "");
  try {
    let pathMatched = false;
    for (const route of ROUTES) {
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== request.method) continue;
      return await route.handle(request, decodePathSegment(match[1] ?? ""));
    }
    if (pathMatched) {
      const allowed = ROUTES.filter((r) => r.pattern.test(pathname)).map((r) => r.method);
      throw new ApiError(
        405,
        [apiProblem("api.methodNotAllowed", "", `此地址不支持 ${request.method} 方法，请使用 ${allowed.join("、")}`, `${request.method} is not allowed here; use ${allowed.join(", ")}`, { allowed })],
        { Allow: allowed.join(", ") },
      );
    }
    throw apiError(404, "api.notFound", "", `没有这个 API 地址：${pathname}（见 /api/v1/openapi.json）`, `No such API endpoint: ${pathname} (see /api/v1/openapi.json)`, { path: pathname });
  } catch (error) {
    if (error instanceof ApiError) return errorReply(error);
    console.error("API request failed", error);
    return errorReply(apiError(500, "api.internal", "", "服务器内部错误", "Internal server error"));
  }
}

/** The API as a web handler `(Request) => Promise<Response>`. */
export async function handleApiRequest(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const reply = await handleApiCall({
    method: request.method,
    pathname: url.pathname,
    query: url.searchParams,
    header: (name) => request.headers.get(name),
    readText: async (limit) => (await readBodyWithin(request, limit))?.toString("utf8"),
    readBytes: (limit) => readBodyWithin(request, limit),
  });
  // A worker's answer is already UTF-8 bytes: sent as they are rather than decoded for Response to encode again.
  return new Response(reply.body as string | Uint8Array<ArrayBuffer>, { status: reply.status, headers: reply.headers });
}
