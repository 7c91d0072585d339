-- An application round's results are immutable once announced, against any SQL (decision 042). As for versions
-- (migration 0007), REPLACE removes a conflicting row without firing DELETE triggers, so every table here refuses an
-- INSERT that names an existing key. Announcing needs a second person (four-eyes): not the one who ran the round.
CREATE TRIGGER rounds_no_overwrite
BEFORE INSERT ON rounds
WHEN EXISTS (SELECT 1 FROM rounds WHERE id = NEW.id) OR NEW.status IS NOT 'open'
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: a round is added as a new open round, never over another');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_announced_frozen
BEFORE UPDATE ON rounds
WHEN OLD.status = 'announced'
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: an announced round cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_announce_four_eyes
BEFORE UPDATE ON rounds
WHEN NEW.status = 'announced' AND OLD.status IS NOT 'announced'
  AND (OLD.status IS NOT 'run' OR NEW.announced_by IS NULL OR NEW.announced_at IS NULL
       OR NEW.announced_by IS OLD.run_by OR NEW.id IS NOT OLD.id OR NEW.standard_id IS NOT OLD.standard_id
       OR NEW.program_id IS NOT OLD.program_id OR NEW.name IS NOT OLD.name OR NEW.cutoff_date IS NOT OLD.cutoff_date
       OR NEW.quotas IS NOT OLD.quotas OR NEW.score_line IS NOT OLD.score_line OR NEW.cohort_id IS NOT OLD.cohort_id
       OR NEW.version_id IS NOT OLD.version_id OR NEW.version_hash IS NOT OLD.version_hash OR NEW.pools IS NOT OLD.pools
       OR NEW.created_by IS NOT OLD.created_by OR NEW.created_at IS NOT OLD.created_at
       OR NEW.run_by IS NOT OLD.run_by OR NEW.run_at IS NOT OLD.run_at)
BEGIN
  SELECT RAISE(ABORT, 'round_four_eyes: a round is announced as it was run, by someone other than who ran it');
END;
--> statement-breakpoint
CREATE TRIGGER rounds_no_delete
BEFORE DELETE ON rounds
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: rounds cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_insert
BEFORE INSERT ON round_results
WHEN EXISTS (SELECT 1 FROM round_results WHERE round_id = NEW.round_id AND row_no = NEW.row_no)
  OR (SELECT status FROM rounds WHERE id = NEW.round_id) IS NOT 'open'
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: results are written by running an open round, never over others');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_no_update
BEFORE UPDATE ON round_results
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: a round''s results cannot change (run the round again before it is announced)');
END;
--> statement-breakpoint
CREATE TRIGGER round_results_delete
BEFORE DELETE ON round_results
WHEN (SELECT status FROM rounds WHERE id = OLD.round_id) IS 'announced'
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: an announced round''s results cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER round_notices_insert
BEFORE INSERT ON round_notices
WHEN EXISTS (SELECT 1 FROM round_notices WHERE round_id = NEW.round_id)
  OR (SELECT status FROM rounds WHERE id = NEW.round_id) IS NOT 'announced'
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: a notice is published once, for an announced round');
END;
--> statement-breakpoint
CREATE TRIGGER round_notices_no_update
BEFORE UPDATE ON round_notices
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: a published notice cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER round_notices_no_delete
BEFORE DELETE ON round_notices
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: a published notice cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER round_objections_insert
BEFORE INSERT ON round_objections
WHEN EXISTS (SELECT 1 FROM round_objections WHERE id = NEW.id)
  OR NEW.status IS NOT 'pending' OR NEW.decided_by IS NOT NULL OR NEW.decided_at IS NOT NULL
  OR NEW.review_decision_id IS NOT NULL OR NEW.opinion IS NOT NULL
  OR NOT EXISTS (SELECT 1 FROM round_notices WHERE round_id = NEW.round_id)
  OR NOT EXISTS (SELECT 1 FROM round_results WHERE round_id = NEW.round_id AND row_no = NEW.row_no)
BEGIN
  SELECT RAISE(ABORT, 'objection_recorded: an objection is recorded pending, against a result of a noticed round');
END;
--> statement-breakpoint
CREATE TRIGGER round_objections_decided_once
BEFORE UPDATE ON round_objections
WHEN OLD.status IS NOT 'pending'
  OR NEW.status NOT IN ('upheld', 'corrected') OR NEW.decided_by IS NULL OR NEW.decided_at IS NULL
  OR NEW.decided_by IS OLD.recorded_by
  OR NEW.id IS NOT OLD.id OR NEW.round_id IS NOT OLD.round_id OR NEW.row_no IS NOT OLD.row_no
  OR NEW.disputed IS NOT OLD.disputed OR NEW.corrected_facts IS NOT OLD.corrected_facts
  OR NEW.evidence IS NOT OLD.evidence OR NEW.recorded_by IS NOT OLD.recorded_by OR NEW.recorded_at IS NOT OLD.recorded_at
BEGIN
  SELECT RAISE(ABORT, 'objection_four_eyes: an objection is decided once, by someone other than who recorded it, and then cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER round_objections_no_delete
BEFORE DELETE ON round_objections
BEGIN
  SELECT RAISE(ABORT, 'objection_recorded: objections cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER round_amendments_insert
BEFORE INSERT ON round_amendments
WHEN EXISTS (SELECT 1 FROM round_amendments WHERE id = NEW.id)
  OR (SELECT status FROM round_objections WHERE id = NEW.objection_id AND round_id = NEW.round_id AND row_no = NEW.row_no) IS NOT 'corrected'
  OR EXISTS (SELECT 1 FROM round_amendments WHERE objection_id = NEW.objection_id)
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: an amendment follows one corrected objection of its round, once');
END;
--> statement-breakpoint
CREATE TRIGGER round_amendments_no_update
BEFORE UPDATE ON round_amendments
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: an amendment cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER round_amendments_no_delete
BEFORE DELETE ON round_amendments
BEGIN
  SELECT RAISE(ABORT, 'round_immutable: an amendment cannot be deleted');
END;
