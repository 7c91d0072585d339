-- Published versions never change, and the audit log is append-only: enforced by the database itself,
-- whatever code (or person with a SQL shell) tries otherwise.
CREATE TRIGGER standard_versions_frozen_content
BEFORE UPDATE OF document, content_hash, standard_id, version_label, effective_from ON standard_versions
WHEN OLD.status <> 'draft'
  AND (NEW.document IS NOT OLD.document OR NEW.content_hash IS NOT OLD.content_hash
       OR NEW.standard_id IS NOT OLD.standard_id OR NEW.version_label IS NOT OLD.version_label
       OR (OLD.status IN ('published', 'superseded', 'withdrawn') AND NEW.effective_from IS NOT OLD.effective_from))
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: only a draft''s content can change');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_published_status
BEFORE UPDATE OF status ON standard_versions
WHEN OLD.status IN ('published', 'superseded', 'withdrawn') AND NEW.status IS NOT OLD.status
  AND NOT (OLD.status = 'published' AND NEW.status IN ('superseded', 'withdrawn'))
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: a published version can only be superseded or withdrawn');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_published_period
BEFORE UPDATE OF effective_to ON standard_versions
WHEN OLD.status IN ('published', 'superseded', 'withdrawn') AND NEW.effective_to IS NOT OLD.effective_to
  AND OLD.effective_to IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: a closed effective period cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_no_delete_published
BEFORE DELETE ON standard_versions
WHEN OLD.status <> 'draft'
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: only drafts can be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER version_revisions_append_only_update
BEFORE UPDATE ON version_revisions
BEGIN
  SELECT RAISE(ABORT, 'revisions_append_only: revisions cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only_update
BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_append_only: audit entries cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only_delete
BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_append_only: audit entries cannot be deleted');
END;
