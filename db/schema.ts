/**
 * The database schema. Migrations under db/migrations are generated from this file by drizzle-kit
 * (`npm run db:generate`) and committed; they are never edited by hand.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  /** JSON array of role names: drafter, reviewer, publisher, administrator. */
  roles: text("roles").notNull().default("[]"),
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  userId: integer("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expiresAt: text("expires_at").notNull(),
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

/** A scoring standard (计分标准) of a jurisdiction; its content lives in versions. */
export const standards = sqliteTable("standards", {
  id: text("id").primaryKey(),
  jurisdictionCode: text("jurisdiction_code").notNull(),
  jurisdictionZh: text("jurisdiction_zh").notNull(),
  jurisdictionEn: text("jurisdiction_en").notNull(),
  titleZh: text("title_zh").notNull(),
  titleEn: text("title_en").notNull(),
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

export const standardVersions = sqliteTable(
  "standard_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    standardId: text("standard_id")
      .notNull()
      .references(() => standards.id),
    versionLabel: text("version_label").notNull(),
    /** draft | in_review | approved | published | superseded | withdrawn */
    status: text("status").notNull(),
    /** The document's JSON text exactly as last saved. */
    document: text("document").notNull(),
    /** SHA-256 of the canonical JSON of the document. */
    contentHash: text("content_hash").notNull(),
    /** Increases by one on every save; a save must name the revision it was based on. */
    revision: integer("revision").notNull().default(1),
    effectiveFrom: text("effective_from"),
    effectiveTo: text("effective_to"),
    draftedBy: integer("drafted_by").references(() => users.id),
    submittedBy: integer("submitted_by").references(() => users.id),
    approvedBy: integer("approved_by").references(() => users.id),
    publishedBy: integer("published_by").references(() => users.id),
    publishedAt: text("published_at"),
    /** The number of the notice that published this version (文号), recorded at publishing; frozen with it. */
    documentNumber: text("document_number"),
    /** The date that notice was announced (公布日期), recorded at publishing; frozen with it. */
    announcedOn: text("announced_on"),
    /** The version this draft was started from (a revision of a published standard). */
    basedOnVersionId: integer("based_on_version_id"),
    createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    updatedAt: text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [index("standard_versions_standard_idx").on(t.standardId)],
);

/** Every save of a version, so any earlier state can be browsed and restored. */
export const versionRevisions = sqliteTable(
  "version_revisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    versionId: integer("version_id")
      .notNull()
      .references(() => standardVersions.id),
    revision: integer("revision").notNull(),
    document: text("document").notNull(),
    contentHash: text("content_hash").notNull(),
    savedBy: integer("saved_by").references(() => users.id),
    savedAt: text("saved_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [uniqueIndex("version_revisions_version_revision_uq").on(t.versionId, t.revision)],
);

/** Installation-wide values, e.g. the secret that signs session cookies (generated on first start). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/**
 * Append-only record of every change: who, when, what, and the content hash before and after.
 * UPDATE and DELETE are refused by triggers (migration 0001).
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    actorId: integer("actor_id").references(() => users.id),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    standardId: text("standard_id"),
    hashBefore: text("hash_before"),
    hashAfter: text("hash_after"),
    /** JSON with details of the change. */
    details: text("details").notNull().default("{}"),
    /** SHA-256 (hex) link of the hash chain: the previous row's row_hash (64 zeros for the first row). */
    prevHash: text("prev_hash"),
    /** SHA-256 (hex) of prev_hash and this row's content (db/chain.ts); checked by `jifen audit verify`. */
    rowHash: text("row_hash"),
  },
  (t) => [index("audit_log_standard_idx").on(t.standardId), index("audit_log_entity_idx").on(t.entityType, t.entityId)],
);

/** A set of applicants (e.g. "2019 school-admission applicants") imported for simulation. */
export const cohorts = sqliteTable("cohorts", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  standardId: text("standard_id").references(() => standards.id),
  description: text("description"),
  sourceFormat: text("source_format").notNull(),
  rowCount: integer("row_count").notNull().default(0),
  /** JSON object: source column → fact id. */
  columnMapping: text("column_mapping").notNull().default("{}"),
  createdBy: integer("created_by").references(() => users.id),
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

export const cohortApplicants = sqliteTable(
  "cohort_applicants",
  {
    cohortId: integer("cohort_id")
      .notNull()
      .references(() => cohorts.id, { onDelete: "cascade" }),
    rowNo: integer("row_no").notNull(),
    /** The applicant's reference within the cohort (application number), shown in results. */
    applicantRef: text("applicant_ref").notNull(),
    /** SHA-256 of the identity number with an installation salt; the number itself is never stored. */
    idHash: text("id_hash"),
    /** The identity number masked for display, e.g. 320***********1234. */
    idMasked: text("id_masked"),
    /** The applicant's name masked for a public notice (张*), when the file has a name column; the name itself is never stored. */
    nameMasked: text("name_masked"),
    /** JSON object of typed facts. */
    facts: text("facts").notNull(),
  },
  (t) => [primaryKey({ columns: [t.cohortId, t.rowNo] })],
);

/** Column mappings remembered per standard and source header signature. */
export const columnMappings = sqliteTable(
  "column_mappings",
  {
    standardId: text("standard_id").notNull(),
    headerSignature: text("header_signature").notNull(),
    mapping: text("mapping").notNull(),
    updatedAt: text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [primaryKey({ columns: [t.standardId, t.headerSignature] })],
);

/** A what-if run, stored with every input needed to reproduce it. */
export const simulationRuns = sqliteTable("simulation_runs", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  standardId: text("standard_id").notNull(),
  baselineVersionId: integer("baseline_version_id").references(() => standardVersions.id),
  baselineHash: text("baseline_hash").notNull(),
  candidateVersionId: integer("candidate_version_id")
    .notNull()
    .references(() => standardVersions.id),
  candidateHash: text("candidate_hash").notNull(),
  cohortId: integer("cohort_id")
    .notNull()
    .references(() => cohorts.id),
  programId: text("program_id").notNull(),
  evaluationDate: text("evaluation_date").notNull(),
  /** JSON object: pool → places. */
  quotas: text("quotas").notNull(),
  seed: text("seed"),
  /** JSON summary of the outcome (admitted before/after, entered, left, cut-off shift). */
  summary: text("summary").notNull(),
  createdBy: integer("created_by").references(() => users.id),
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

/** Department API clients: read-only tokens with scopes, stored hashed, revocable. */
export const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  department: text("department").notNull(),
  /** SHA-256 of the token; the token itself is shown once at creation. */
  tokenHash: text("token_hash").notNull().unique(),
  /** JSON array of scopes, e.g. ["evaluate", "rank"]. */
  scopes: text("scopes").notNull(),
  createdBy: integer("created_by").references(() => users.id),
  createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  revokedAt: text("revoked_at"),
  lastUsedAt: text("last_used_at"),
});

/**
 * Every single API evaluation and ranking with the version hash and a hash of its input, so an appeal (复核) can
 * replay it. Append-only (database triggers, migration 0004). The applicants of a batch are in decision_batches.
 */
export const decisionLog = sqliteTable(
  "decision_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    tokenId: integer("token_id").references(() => apiTokens.id),
    standardId: text("standard_id").notNull(),
    versionId: integer("version_id").notNull(),
    versionHash: text("version_hash").notNull(),
    programId: text("program_id").notNull(),
    evaluationDate: text("evaluation_date").notNull(),
    inputHash: text("input_hash").notNull(),
    input: text("input").notNull(),
    output: text("output").notNull(),
    /** SHA-256 (hex) link of the hash chain: the previous row's row_hash (64 zeros for the first row). */
    prevHash: text("prev_hash"),
    /** SHA-256 (hex) of prev_hash and this row's content (db/chain.ts); checked by `jifen audit verify`. */
    rowHash: text("row_hash"),
  },
  // No index on input_hash: hashes are random, so every logged decision dirtied its own index page and the commit
  // wrote it; decisions are looked up by id (docs/decisions/010-decision-log-and-api-throughput.md).
);

/**
 * A batch evaluation, logged once: the request body as received (its applicants in order) with its SHA-256, and the
 * compact results. Applicant i of the batch is decision `firstDecisionId + i`: a block of ids reserved from
 * decision_log's AUTOINCREMENT sequence in the same transaction, so decision ids stay one series whatever kind of
 * request made them. Each applicant's own canonical input (and its hash) is derived from the stored body on demand.
 * Append-only (database triggers, migration 0004).
 */
export const decisionBatches = sqliteTable(
  "decision_batches",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    tokenId: integer("token_id").references(() => apiTokens.id),
    standardId: text("standard_id").notNull(),
    versionId: integer("version_id").notNull(),
    versionHash: text("version_hash").notNull(),
    programId: text("program_id").notNull(),
    evaluationDate: text("evaluation_date").notNull(),
    /** Decision id of the first applicant; the batch holds ids firstDecisionId … firstDecisionId + applicantCount − 1. */
    firstDecisionId: integer("first_decision_id").notNull().unique(),
    applicantCount: integer("applicant_count").notNull(),
    /** The request body as received (JSON text; its `applicants` in order are the batch). */
    input: text("input").notNull(),
    /** SHA-256 (hex) of `input`. */
    inputHash: text("input_hash").notNull(),
    /** Canonical JSON {categoryIds, itemIds, results: [compact score per applicant]}. */
    output: text("output").notNull(),
    /** SHA-256 (hex) link of the hash chain: the previous row's row_hash (64 zeros for the first row). */
    prevHash: text("prev_hash"),
    /** SHA-256 (hex) of prev_hash and this row's content (db/chain.ts); checked by `jifen audit verify`. */
    rowHash: text("row_hash"),
  },
  // The chain's tail (db/chain.ts) read from this index: a batch row's last columns lie past its input and output,
  // in overflow pages that the other worker's connection wrote and this one would read from the log file.
  (t) => [index("decision_batches_chain_idx").on(t.id, t.rowHash)],
);

/**
 * An application round (申请批次): a program's applicants of one period, scored against the version in effect on the
 * round's evaluation cut-off date and ranked within the round's places or score line. Open → run → announced; an
 * announced round (and everything it decided) cannot change: database triggers (decision 042).
 */
export const rounds = sqliteTable(
  "rounds",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    standardId: text("standard_id")
      .notNull()
      .references(() => standards.id),
    programId: text("program_id").notNull(),
    name: text("name").notNull(),
    /** The evaluation cut-off date (评估截止日期): ages and durations count to it; it picks the version in effect. */
    cutoffDate: text("cutoff_date").notNull(),
    /** JSON object: pool → places (quota programs); "{}" for a threshold program. */
    quotas: text("quotas").notNull().default("{}"),
    /** This round's score line (分值线), replacing the program's minimum or threshold; null: the program's own. */
    scoreLine: real("score_line"),
    /** The round's applicants: a cohort imported with the departments' columns. */
    cohortId: integer("cohort_id").references(() => cohorts.id),
    /** open | run | announced */
    status: text("status").notNull().default("open"),
    /** The version that scored the round (in effect on the cut-off date) and its content hash, set by running it. */
    versionId: integer("version_id").references(() => standardVersions.id),
    versionHash: text("version_hash"),
    /** JSON of the allocation's pools (places, admitted, cut-off) as the run found them. */
    pools: text("pools"),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    runBy: integer("run_by").references(() => users.id),
    runAt: text("run_at"),
    announcedBy: integer("announced_by").references(() => users.id),
    announcedAt: text("announced_at"),
  },
  (t) => [index("rounds_standard_idx").on(t.standardId)],
);

/** One applicant's result in a round: the decision logged for him (decision_log) and his place in the allocation. */
export const roundResults = sqliteTable(
  "round_results",
  {
    roundId: integer("round_id")
      .notNull()
      .references(() => rounds.id),
    rowNo: integer("row_no").notNull(),
    /** The application number (申请编号), as imported. */
    applicantRef: text("applicant_ref").notNull(),
    idMasked: text("id_masked"),
    nameMasked: text("name_masked"),
    pool: text("pool").notNull(),
    /** The decision_log entry of this applicant's score (version hash, input hash, output). */
    decisionId: integer("decision_id").notNull(),
    eligible: integer("eligible", { mode: "boolean" }).notNull(),
    vetoed: integer("vetoed", { mode: "boolean" }).notNull(),
    total: real("total").notNull(),
    rank: integer("rank"),
    /** round1 | round2 | null */
    admitted: text("admitted"),
    reason: text("reason"),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.rowNo] }), index("round_results_ref_idx").on(t.roundId, t.applicantRef)],
);

/** The public notice (公示) of an announced round: its period in working days and where to object. Written once. */
export const roundNotices = sqliteTable("round_notices", {
  roundId: integer("round_id")
    .primaryKey()
    .references(() => rounds.id),
  /** First day of the notice period. */
  startsOn: text("starts_on").notNull(),
  workingDays: integer("working_days").notNull(),
  /** Last day of the notice period: `workingDays` working days from `startsOn`, weekends and `holidays` skipped. */
  endsOn: text("ends_on").notNull(),
  /** JSON array of ISO dates that are not working days (public holidays) inside the period. */
  holidays: text("holidays").notNull().default("[]"),
  /** Where and how to object (office, address, telephone), in the officer's words. */
  contact: text("contact").notNull(),
  publishedBy: integer("published_by").references(() => users.id),
  publishedAt: text("published_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

/**
 * An objection (异议) against one applicant's result, recorded during the notice period, and its re-review (复核):
 * pending until a second person decides it upheld (the result stands) or corrected. Decided once, then frozen.
 */
export const roundObjections = sqliteTable(
  "round_objections",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    roundId: integer("round_id")
      .notNull()
      .references(() => rounds.id),
    rowNo: integer("row_no").notNull(),
    /** What is disputed, in the objector's words. */
    disputed: text("disputed").notNull(),
    /** JSON object of the facts as corrected (fact id → value); only those that change. */
    correctedFacts: text("corrected_facts").notNull().default("{}"),
    /** The evidence seen (documents, certificates), noted. */
    evidence: text("evidence").notNull().default(""),
    recordedBy: integer("recorded_by")
      .notNull()
      .references(() => users.id),
    recordedAt: text("recorded_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
    /** pending | upheld | corrected */
    status: text("status").notNull().default("pending"),
    /** The re-review's decision: the logged decision with the corrected facts on the round's version. */
    reviewDecisionId: integer("review_decision_id"),
    opinion: text("opinion"),
    decidedBy: integer("decided_by").references(() => users.id),
    decidedAt: text("decided_at"),
  },
  (t) => [index("round_objections_round_idx").on(t.roundId)],
);

/**
 * A correction of an announced round's result (更正): the round re-ranked with the corrected score. The latest
 * amendment is the round's standing; the announced results stay as they were. Append-only.
 */
export const roundAmendments = sqliteTable(
  "round_amendments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    roundId: integer("round_id")
      .notNull()
      .references(() => rounds.id),
    objectionId: integer("objection_id")
      .notNull()
      .references(() => roundObjections.id),
    rowNo: integer("row_no").notNull(),
    pool: text("pool").notNull(),
    /** The date the amendment is announced (更正日期). */
    amendedOn: text("amended_on").notNull(),
    totalBefore: real("total_before").notNull(),
    totalAfter: real("total_after").notNull(),
    /**
     * JSON: every applicant's standing after re-ranking the round with the corrected score
     * [{rowNo, pool, total, eligible, vetoed, rank, admitted, reason}] (a second round spans pools, so all are kept).
     */
    results: text("results").notNull(),
    /** JSON of the pools' allocation (places, admitted, cut-off) after re-ranking. */
    pools: text("pools").notNull(),
    createdAt: text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
  },
  (t) => [index("round_amendments_round_idx").on(t.roundId)],
);
