-- The decision log is append-only: what the API answered, on which version and input, cannot be changed or removed
-- afterwards, whatever code (or person with a SQL shell) tries. A batch's block of decision ids must have been
-- reserved from decision_log's AUTOINCREMENT sequence and overlap no other decision.
CREATE TRIGGER decision_log_append_only_update
BEFORE UPDATE ON decision_log
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: logged decisions cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER decision_log_append_only_delete
BEFORE DELETE ON decision_log
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: logged decisions cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER decision_batches_append_only_update
BEFORE UPDATE ON decision_batches
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: logged decision batches cannot change');
END;
--> statement-breakpoint
CREATE TRIGGER decision_batches_append_only_delete
BEFORE DELETE ON decision_batches
BEGIN
  SELECT RAISE(ABORT, 'decisions_append_only: logged decision batches cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER decision_batches_reserved_ids
BEFORE INSERT ON decision_batches
WHEN NEW.applicant_count < 1
  OR NEW.first_decision_id < 1
  OR coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'decision_log'), 0) < NEW.first_decision_id + NEW.applicant_count - 1
  OR NEW.first_decision_id < coalesce((SELECT first_decision_id + applicant_count FROM decision_batches ORDER BY first_decision_id DESC LIMIT 1), 1)
  OR EXISTS (SELECT 1 FROM decision_log WHERE id BETWEEN NEW.first_decision_id AND NEW.first_decision_id + NEW.applicant_count - 1)
BEGIN
  SELECT RAISE(ABORT, 'decision_ids_reserved: a batch needs a block of decision ids reserved from the decision_log sequence, after every other batch');
END;
