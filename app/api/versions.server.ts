/**
 * Versions as the API uses them: the version in effect on a date (kept in memory only until the database changes,
 * so a publication takes effect at once) and its parsed document, fact dictionary and compiled programs, kept in memory by content
 * hash — published content never changes, so a cached entry can never go stale.
 */
import type { StandardDocument } from "../../rules-schema/types";
import { compileProgram, type CompiledProgram } from "../../engine/scoring/compiled";
import { contentHash } from "../../db/hash";
import type { JifenDb } from "../../db/connection";
import { standardExists, versionDocumentText, versionHead, versionHeadInEffect, type VersionHead } from "../../db/versions-in-effect";
import { apiError } from "./errors.server";
import { changeWatch, GenerationCache, perConnection } from "./change-watch.server";
import { factDictionary, type FactDictionary } from "./facts-check";

export interface LoadedVersion {
  head: VersionHead;
  doc: StandardDocument;
  dictionary: FactDictionary;
  compiled(programId: string): CompiledProgram;
}

interface CachedContent {
  doc: StandardDocument;
  dictionary: FactDictionary;
  programs: Map<string, CompiledProgram>;
}

const MAX_CACHED_VERSIONS = 64;
const contentByHash = new Map<string, CachedContent>();

function load(db: JifenDb, head: VersionHead, verifyHash: boolean): LoadedVersion {
  let content = contentByHash.get(head.contentHash);
  if (!content) {
    const text = versionDocumentText(db, head.id);
    if (text === undefined) throw new Error(`version ${head.id} vanished`);
    const doc = JSON.parse(text) as StandardDocument;
    if (verifyHash && contentHash(doc) !== head.contentHash) throw new Error(`version ${head.id}: stored content does not match its hash`);
    content = { doc, dictionary: factDictionary(doc), programs: new Map() };
    if (contentByHash.size >= MAX_CACHED_VERSIONS) contentByHash.delete(contentByHash.keys().next().value as string);
    contentByHash.set(head.contentHash, content);
  }
  const cached = content;
  return {
    head,
    doc: cached.doc,
    dictionary: cached.dictionary,
    compiled(programId) {
      let compiled = cached.programs.get(programId);
      if (!compiled) {
        compiled = compileProgram(cached.doc, programId);
        cached.programs.set(programId, compiled);
      }
      return compiled;
    },
  };
}

const headsInEffect = perConnection(() => new GenerationCache<string, VersionHead>(10_000));

/** Which version is in effect on a date, kept until the database changes (a publication moves the generation on). */
function headInEffect(db: JifenDb, standardId: string, date: string, generation: number): VersionHead | undefined {
  const cache = headsInEffect(db);
  const key = `${date} ${standardId}`;
  let head = cache.get(generation, key);
  if (!head) {
    head = versionHeadInEffect(db, standardId, date);
    if (head) cache.set(generation, key, head);
  }
  return head;
}

/**
 * The version of `standardId` in effect on `date`, or a 404 saying which of the two was not found. `generation` is
 * the database generation (change-watch.server.ts) the caller's request was accepted at; by default, now.
 */
export function loadVersionInEffect(db: JifenDb, standardId: string, date: string, generation = changeWatch(db).current()): LoadedVersion {
  const head = headInEffect(db, standardId, date, generation);
  if (!head) {
    if (!standardExists(db, standardId)) {
      throw apiError(404, "api.unknownStandard", "", `没有编号为“${standardId}”的计分标准`, `There is no standard "${standardId}"`, { standardId });
    }
    throw apiError(
      404,
      "api.noVersionInEffect",
      "/date",
      `计分标准“${standardId}”在 ${date} 没有已发布并生效的版本`,
      `Standard "${standardId}" has no published version in effect on ${date}`,
      { standardId, date },
    );
  }
  return load(db, head, true);
}

/** A specific version (for replaying a decision), its content checked against its stored hash. */
export function loadVersionById(db: JifenDb, versionId: number): LoadedVersion | undefined {
  const head = versionHead(db, versionId);
  return head ? load(db, head, true) : undefined;
}
