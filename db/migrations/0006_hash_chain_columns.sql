ALTER TABLE `audit_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `audit_log` ADD `row_hash` text;--> statement-breakpoint
ALTER TABLE `decision_batches` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `decision_batches` ADD `row_hash` text;--> statement-breakpoint
CREATE INDEX `decision_batches_chain_idx` ON `decision_batches` (`id`,`row_hash`);--> statement-breakpoint
ALTER TABLE `decision_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `decision_log` ADD `row_hash` text;