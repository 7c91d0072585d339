/**
 * The database schema. Migrations under db/migrations are generated from this file by drizzle-kit
 * (`npm run db:generate`) and committed; they are never edited by hand.
 */
import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex, index } from "drizzle-orm/sqlite-core";

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
