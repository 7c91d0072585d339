-- Guarantees that hold against any SQL (docs/decisions/005-publishing-workflow.md, "Guarantees"). REPLACE (INSERT OR
-- REPLACE, REPLACE INTO, UPDATE OR REPLACE) removes a conflicting row without firing DELETE triggers, so every
-- protected table refuses an INSERT that names an existing key, and no version may change its id.
-- Drafts and versions in review never carry an approval or a publication (returned ones had kept approved_by).
UPDATE standard_versions SET approved_by = NULL, published_by = NULL, published_at = NULL
WHERE status IN ('draft', 'in_review') AND (approved_by IS NOT NULL OR published_by IS NOT NULL OR published_at IS NOT NULL);
--> statement-breakpoint
CREATE TRIGGER standard_versions_no_overwrite
BEFORE INSERT ON standard_versions
WHEN EXISTS (SELECT 1 FROM standard_versions WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: an existing version cannot be replaced');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_fixed_id
BEFORE UPDATE ON standard_versions
WHEN NEW.id IS NOT OLD.id
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: a version keeps its id');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_published_frozen
BEFORE UPDATE ON standard_versions
WHEN OLD.status IN ('published', 'superseded', 'withdrawn')
  AND (NEW.standard_id IS NOT OLD.standard_id OR NEW.version_label IS NOT OLD.version_label
       OR NEW.document IS NOT OLD.document OR NEW.content_hash IS NOT OLD.content_hash
       OR NEW.revision IS NOT OLD.revision OR NEW.effective_from IS NOT OLD.effective_from
       OR NEW.drafted_by IS NOT OLD.drafted_by OR NEW.submitted_by IS NOT OLD.submitted_by
       OR NEW.approved_by IS NOT OLD.approved_by OR NEW.published_by IS NOT OLD.published_by
       OR NEW.published_at IS NOT OLD.published_at OR NEW.based_on_version_id IS NOT OLD.based_on_version_id
       OR NEW.created_at IS NOT OLD.created_at
       OR (NEW.updated_at IS NOT OLD.updated_at AND NEW.status IS OLD.status AND NEW.effective_to IS OLD.effective_to))
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: a published version changes only its status (to superseded or withdrawn) and the end of its period');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_draft_unapproved_insert
BEFORE INSERT ON standard_versions
WHEN NEW.status IN ('draft', 'in_review')
  AND (NEW.approved_by IS NOT NULL OR NEW.published_by IS NOT NULL OR NEW.published_at IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'version_unapproved: a draft or a version in review carries no approval or publication');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_draft_unapproved_update
BEFORE UPDATE ON standard_versions
WHEN OLD.status IN ('draft', 'in_review', 'approved') AND NEW.status IN ('draft', 'in_review')
  AND (NEW.approved_by IS NOT NULL OR NEW.published_by IS NOT NULL OR NEW.published_at IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'version_unapproved: a draft or a version in review carries no approval or publication');
END;
--> statement-breakpoint
CREATE TRIGGER version_revisions_no_overwrite
BEFORE INSERT ON version_revisions
WHEN EXISTS (SELECT 1 FROM version_revisions WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM version_revisions WHERE version_id = NEW.version_id AND revision = NEW.revision)
BEGIN
  SELECT RAISE(ABORT, 'revisions_append_only: an existing revision cannot be replaced');
END;
--> statement-breakpoint
CREATE TRIGGER version_revisions_append_only_delete
BEFORE DELETE ON version_revisions
BEGIN
  SELECT RAISE(ABORT, 'revisions_append_only: revisions cannot be deleted');
END;
--> statement-breakpoint
-- The append-only logs are hash chains (db/chain.ts): a row is inserted after the last one (its id above every id
-- used, so it can neither replace a row nor fall inside a batch's block of decision ids) and names the last row's
-- row_hash as its prev_hash. The content hash itself is checked by `jifen audit verify`, not here (SQLite has no
-- SHA-256). The only update allowed is chaining a row written before the chains existed, once (db/migrate.ts).
CREATE TRIGGER audit_log_chained
BEFORE INSERT ON audit_log
WHEN NEW.row_hash IS NULL
  OR NEW.id <= max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0), coalesce((SELECT max(id) FROM audit_log), 0))
  OR NEW.prev_hash IS NOT coalesce((SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
  SELECT RAISE(ABORT, 'audit_append_only: an audit entry is added after the last one, linked to its hash');
END;
--> statement-breakpoint
CREATE TRIGGER decision_log_chained
BEFORE INSERT ON decision_log
WHEN NEW.row_hash IS NULL
  OR NEW.id <= max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'decision_log'), 0), coalesce((SELECT max(id) FROM decision_log), 0))
  OR NEW.prev_hash IS NOT coalesce((SELECT row_hash FROM decision_log ORDER BY id DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: a decision is added after the last one, linked to its hash');
END;
--> statement-breakpoint
CREATE TRIGGER decision_batches_chained
BEFORE INSERT ON decision_batches
WHEN NEW.row_hash IS NULL
  OR NEW.id <= max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'decision_batches'), 0), coalesce((SELECT max(id) FROM decision_batches), 0))
  OR NEW.prev_hash IS NOT coalesce((SELECT row_hash FROM decision_batches ORDER BY id DESC LIMIT 1), '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: a decision batch is added after the last one, linked to its hash');
END;
--> statement-breakpoint
DROP TRIGGER audit_log_append_only_update;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only_update
BEFORE UPDATE ON audit_log
WHEN NOT (OLD.row_hash IS NULL AND OLD.prev_hash IS NULL AND NEW.row_hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
  AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_id IS OLD.actor_id AND NEW.action IS OLD.action
  AND NEW.entity_type IS OLD.entity_type AND NEW.entity_id IS OLD.entity_id AND NEW.standard_id IS OLD.standard_id
  AND NEW.hash_before IS OLD.hash_before AND NEW.hash_after IS OLD.hash_after AND NEW.details IS OLD.details)
BEGIN
  SELECT RAISE(ABORT, 'audit_append_only: audit entries cannot change');
END;
--> statement-breakpoint
DROP TRIGGER decision_log_append_only_update;
--> statement-breakpoint
CREATE TRIGGER decision_log_append_only_update
BEFORE UPDATE ON decision_log
WHEN NOT (OLD.row_hash IS NULL AND OLD.prev_hash IS NULL AND NEW.row_hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
  AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.token_id IS OLD.token_id AND NEW.standard_id IS OLD.standard_id
  AND NEW.version_id IS OLD.version_id AND NEW.version_hash IS OLD.version_hash AND NEW.program_id IS OLD.program_id
  AND NEW.evaluation_date IS OLD.evaluation_date AND NEW.input_hash IS OLD.input_hash AND NEW.input IS OLD.input
  AND NEW.output IS OLD.output)
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: logged decisions cannot change');
END;
--> statement-breakpoint
DROP TRIGGER decision_batches_append_only_update;
--> statement-breakpoint
CREATE TRIGGER decision_batches_append_only_update
BEFORE UPDATE ON decision_batches
WHEN NOT (OLD.row_hash IS NULL AND OLD.prev_hash IS NULL AND NEW.row_hash IS NOT NULL AND NEW.prev_hash IS NOT NULL
  AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.token_id IS OLD.token_id AND NEW.standard_id IS OLD.standard_id
  AND NEW.version_id IS OLD.version_id AND NEW.version_hash IS OLD.version_hash AND NEW.program_id IS OLD.program_id
  AND NEW.evaluation_date IS OLD.evaluation_date AND NEW.first_decision_id IS OLD.first_decision_id
  AND NEW.applicant_count IS OLD.applicant_count AND NEW.input IS OLD.input AND NEW.input_hash IS OLD.input_hash
  AND NEW.output IS OLD.output)
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: logged decision batches cannot change');
END;
