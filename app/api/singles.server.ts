/**
 * Single evaluations on the compiled path, a group at a time: the requests that arrive in one turn of the event loop
 * are decided together and logged in one transaction, and each answers once its decision is committed (so a returned
 * decision id always exists). A group runs on a batch worker (batch-pool.server.ts) with the worker's own database
 * connection, or in the thread that received the requests when there is no worker; the answers are the same.
 *
 * The receiving thread checked each token (and its scope and rate) from what it had in memory. Here the group is
 * decided on the database as it is now (one look at whether it changed): each token is checked again for
 * revocation, and the version in effect read. If the database changes before the commit, each decision is checked
 * again inside the write transaction; one whose token was revoked is refused (401), one whose version is no longer
 * in effect is decided again. See docs/decisions/013-single-evaluations-on-workers.md.
 */
import type { JifenDb } from "../../db/connection";
import { recordDecisions, type NewDecision } from "../../db/decisions";
import { isTokenActive } from "../../db/tokens";
import { versionHeadInEffect } from "../../db/versions-in-effect";
import type { Facts } from "../../engine/types";
import { changeWatch } from "./change-watch.server";
import { ApiError, apiError, errorReply, jsonTextReply, type ApiReply } from "./errors.server";
import { checkFacts } from "./facts-check";
import {
  answeredScore,
  canonicalInput,
  decisionRecord,
  parseJsonObject,
  requireActiveToken,
  requireProgram,
  requireProgramAndDate,
  summaryFromCompact,
  tokenRefused,
  versionFields,
  versionKeptChanging,
} from "./evaluation.server";
import { loadVersionInEffect, type LoadedVersion } from "./versions.server";

export interface SingleTask {
  /** The token the request was accepted with (checked by the receiving thread). */
  tokenId: number;
  standardId: string;
  /** The request body as received. */
  text: string;
}

interface Decided {
  index: number;
  task: SingleTask;
  version: LoadedVersion;
  program: string;
  date: string;
  decision: NewDecision;
  /** The score's JSON, as logged: the answer reuses it. */
  output: string;
}

/** A group still not decided after this many changes of the version in effect under it is refused (503). */
const MAX_ROUNDS = 3;

/** Decides one request at `generation`: its score and the decision to log, or an ApiError refusing it. */
function decide(db: JifenDb, task: SingleTask, index: number, generation: number): Decided {
  requireActiveToken(db, task.tokenId, generation);
  const body = parseJsonObject(task.text);
  const { program, date } = requireProgramAndDate(body);
  const facts = (body.facts ?? {}) as Facts;
  const version = loadVersionInEffect(db, task.standardId, date, generation);
  requireProgram(version, program);
  const problems = checkFacts(version.dictionary, facts, "/facts");
  if (problems.length) throw new ApiError(422, problems);
  const compiled = version.compiled(program);
  // summaryFromCompact builds its keys in sorted order, so JSON.stringify of it is already canonical.
  const output = JSON.stringify(summaryFromCompact(compiled, answeredScore(version.doc, program, compiled.score(facts, date))));
  const decision = decisionRecord(task.tokenId, version, program, date, canonicalInput(facts, program, date), output);
  return { index, task, version, program, date, decision, output };
}

const versionPrefixes = new Map<string, string>();

/** `{"standardId":…,"versionId":…,"versionLabel":…,"versionHash":…,` for a version: the same for every answer. */
function versionPrefix(version: LoadedVersion): string {
  const key = `${version.head.id} ${version.head.contentHash}`;
  let prefix = versionPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `${JSON.stringify(versionFields(version)).slice(0, -1)},`;
    if (versionPrefixes.size >= 1_000) versionPrefixes.clear();
    versionPrefixes.set(key, prefix);
  }
  return prefix;
}

/** The answer: the version's fields, program, date, decision id, input hash and score, in that order. */
function answer(decided: Decided, decisionId: number): string {
  // The date was checked to be YYYY-MM-DD and the hash is hex: neither needs escaping. The score's JSON is the logged
  // output already written: the answer reuses it rather than writing it again.
  return (
    `${versionPrefix(decided.version)}"program":${JSON.stringify(decided.program)},"date":"${decided.date}",` +
    `"decisionId":${decisionId},"inputHash":"${decided.decision.inputHash}","score":${decided.output}}`
  );
}

function internalError(error: unknown): ApiReply {
  console.error("API request failed", error);
  return errorReply(apiError(500, "api.internal", "", "服务器内部错误", "Internal server error"));
}

/**
 * Decides and logs a group of single evaluations; one answer per task, in order (an error answer for a refused
 * one). Throws only when the group's transaction fails, in which case nothing of it was logged.
 */
export function evaluateSingles(db: JifenDb, tasks: readonly SingleTask[]): ApiReply[] {
  const replies: ApiReply[] = new Array(tasks.length);
  const watch = changeWatch(db);
  let todo = tasks.map((_, index) => index);
  for (let round = 1; todo.length > 0; round++) {
    const generation = watch.current();
    const decided: Decided[] = [];
    for (const index of todo) {
      try {
        decided.push(decide(db, tasks[index], index, generation));
      } catch (error) {
        replies[index] = error instanceof ApiError ? errorReply(error) : internalError(error);
      }
    }
    if (decided.length === 0) break;
    let logged: { written: Decided[]; ids: number[]; revoked: Decided[]; stale: Decided[] };
    try {
      logged = watch.ownTransaction((now) => {
        const revoked: Decided[] = [];
        const stale: Decided[] = [];
        const written =
          now === generation
            ? decided
            : decided.filter((d) => {
                if (!isTokenActive(db, d.task.tokenId)) revoked.push(d);
                else if (versionHeadInEffect(db, d.task.standardId, d.date)?.id !== d.version.head.id) stale.push(d);
                else return true;
                return false;
              });
        return { written, ids: recordDecisions(db, written.map((d) => d.decision)), revoked, stale };
      });
    } catch (error) {
      // The group could not be logged (503 when the database stayed locked): each of its requests gets that answer.
      if (!(error instanceof ApiError)) throw error;
      for (const d of decided) replies[d.index] = errorReply(error);
      break;
    }
    const { written, ids, revoked, stale } = logged;
    for (let i = 0; i < written.length; i++) replies[written[i].index] = jsonTextReply(answer(written[i], ids[i]));
    for (const d of revoked) replies[d.index] = errorReply(tokenRefused("revoked"));
    // Another version came into effect while these were decided: decide them again with it.
    todo = stale.map((d) => d.index);
    if (round >= MAX_ROUNDS) {
      for (const index of todo) replies[index] = errorReply(versionKeptChanging());
      todo = [];
    }
  }
  return replies;
}

/**
 * Groups the single evaluations that arrive in one turn of the event loop and decides each group in this thread
 * (where there is no batch worker); resolves each with its answer.
 */
export class SingleGroups {
  private pending: Array<{ task: SingleTask; resolve: (reply: ApiReply) => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly db: JifenDb) {}

  evaluate(task: SingleTask): Promise<ApiReply> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ task, resolve, reject });
    });
  }

  private flush(): void {
    const group = this.pending;
    this.pending = [];
    try {
      const replies = evaluateSingles(this.db, group.map((p) => p.task));
      group.forEach((p, i) => p.resolve(replies[i]));
    } catch (error) {
      for (const p of group) p.reject(error);
    }
  }
}
