-- The document number (文号) and announcement date of a version are recorded when it is published and then frozen
-- like every other column of a published version (decision 005: each new column of standard_versions joins
-- standard_versions_published_frozen). A version not yet published carries neither.
DROP TRIGGER standard_versions_published_frozen;
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
       OR NEW.document_number IS NOT OLD.document_number OR NEW.announced_on IS NOT OLD.announced_on
       OR (NEW.updated_at IS NOT OLD.updated_at AND NEW.status IS OLD.status AND NEW.effective_to IS OLD.effective_to))
BEGIN
  SELECT RAISE(ABORT, 'version_immutable: a published version changes only its status (to superseded or withdrawn) and the end of its period');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_unpublished_unannounced_insert
BEFORE INSERT ON standard_versions
WHEN NEW.status IN ('draft', 'in_review', 'approved')
  AND (NEW.document_number IS NOT NULL OR NEW.announced_on IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'version_unannounced: a version not yet published carries no document number or announcement date');
END;
--> statement-breakpoint
CREATE TRIGGER standard_versions_unpublished_unannounced_update
BEFORE UPDATE ON standard_versions
WHEN NEW.status IN ('draft', 'in_review', 'approved')
  AND (NEW.document_number IS NOT NULL OR NEW.announced_on IS NOT NULL)
BEGIN
  SELECT RAISE(ABORT, 'version_unannounced: a version not yet published carries no document number or announcement date');
END;
