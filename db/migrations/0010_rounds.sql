CREATE TABLE `round_amendments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_id` integer NOT NULL,
	`objection_id` integer NOT NULL,
	`row_no` integer NOT NULL,
	`pool` text NOT NULL,
	`amended_on` text NOT NULL,
	`total_before` real NOT NULL,
	`total_after` real NOT NULL,
	`results` text NOT NULL,
	`pools` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`objection_id`) REFERENCES `round_objections`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `round_amendments_round_idx` ON `round_amendments` (`round_id`);--> statement-breakpoint
CREATE TABLE `round_notices` (
	`round_id` integer PRIMARY KEY NOT NULL,
	`starts_on` text NOT NULL,
	`working_days` integer NOT NULL,
	`ends_on` text NOT NULL,
	`holidays` text DEFAULT '[]' NOT NULL,
	`contact` text NOT NULL,
	`published_by` integer,
	`published_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `round_objections` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_id` integer NOT NULL,
	`row_no` integer NOT NULL,
	`disputed` text NOT NULL,
	`corrected_facts` text DEFAULT '{}' NOT NULL,
	`evidence` text DEFAULT '' NOT NULL,
	`recorded_by` integer NOT NULL,
	`recorded_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`review_decision_id` integer,
	`opinion` text,
	`decided_by` integer,
	`decided_at` text,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recorded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decided_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `round_objections_round_idx` ON `round_objections` (`round_id`);--> statement-breakpoint
CREATE TABLE `round_results` (
	`round_id` integer NOT NULL,
	`row_no` integer NOT NULL,
	`applicant_ref` text NOT NULL,
	`id_masked` text,
	`name_masked` text,
	`pool` text NOT NULL,
	`decision_id` integer NOT NULL,
	`eligible` integer NOT NULL,
	`vetoed` integer NOT NULL,
	`total` real NOT NULL,
	`rank` integer,
	`admitted` text,
	`reason` text,
	PRIMARY KEY(`round_id`, `row_no`),
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `round_results_ref_idx` ON `round_results` (`round_id`,`applicant_ref`);--> statement-breakpoint
CREATE TABLE `rounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`standard_id` text NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`cutoff_date` text NOT NULL,
	`quotas` text DEFAULT '{}' NOT NULL,
	`score_line` real,
	`cohort_id` integer,
	`status` text DEFAULT 'open' NOT NULL,
	`version_id` integer,
	`version_hash` text,
	`pools` text,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`run_by` integer,
	`run_at` text,
	`announced_by` integer,
	`announced_at` text,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`cohort_id`) REFERENCES `cohorts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`version_id`) REFERENCES `standard_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`run_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`announced_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rounds_standard_idx` ON `rounds` (`standard_id`);--> statement-breakpoint
ALTER TABLE `cohort_applicants` ADD `name_masked` text;