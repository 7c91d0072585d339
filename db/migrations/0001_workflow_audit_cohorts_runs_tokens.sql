CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`department` text NOT NULL,
	`token_hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`revoked_at` text,
	`last_used_at` text,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`standard_id` text,
	`hash_before` text,
	`hash_after` text,
	`details` text DEFAULT '{}' NOT NULL,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_log_standard_idx` ON `audit_log` (`standard_id`);--> statement-breakpoint
CREATE INDEX `audit_log_entity_idx` ON `audit_log` (`entity_type`,`entity_id`);--> statement-breakpoint
CREATE TABLE `cohort_applicants` (
	`cohort_id` integer NOT NULL,
	`row_no` integer NOT NULL,
	`applicant_ref` text NOT NULL,
	`id_hash` text,
	`id_masked` text,
	`facts` text NOT NULL,
	PRIMARY KEY(`cohort_id`, `row_no`),
	FOREIGN KEY (`cohort_id`) REFERENCES `cohorts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `cohorts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`standard_id` text,
	`description` text,
	`source_format` text NOT NULL,
	`row_count` integer DEFAULT 0 NOT NULL,
	`column_mapping` text DEFAULT '{}' NOT NULL,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `column_mappings` (
	`standard_id` text NOT NULL,
	`header_signature` text NOT NULL,
	`mapping` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`standard_id`, `header_signature`)
);
--> statement-breakpoint
CREATE TABLE `decision_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`token_id` integer,
	`standard_id` text NOT NULL,
	`version_id` integer NOT NULL,
	`version_hash` text NOT NULL,
	`program_id` text NOT NULL,
	`evaluation_date` text NOT NULL,
	`input_hash` text NOT NULL,
	`input` text NOT NULL,
	`output` text NOT NULL,
	FOREIGN KEY (`token_id`) REFERENCES `api_tokens`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `decision_log_input_idx` ON `decision_log` (`input_hash`);--> statement-breakpoint
CREATE TABLE `simulation_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`standard_id` text NOT NULL,
	`baseline_version_id` integer,
	`baseline_hash` text NOT NULL,
	`candidate_version_id` integer NOT NULL,
	`candidate_hash` text NOT NULL,
	`cohort_id` integer NOT NULL,
	`program_id` text NOT NULL,
	`evaluation_date` text NOT NULL,
	`quotas` text NOT NULL,
	`seed` text,
	`summary` text NOT NULL,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`baseline_version_id`) REFERENCES `standard_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`candidate_version_id`) REFERENCES `standard_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`cohort_id`) REFERENCES `cohorts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `standard_versions` ADD `submitted_by` integer REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `standard_versions` ADD `approved_by` integer REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `standard_versions` ADD `published_by` integer REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `standard_versions` ADD `published_at` text;--> statement-breakpoint
ALTER TABLE `standard_versions` ADD `based_on_version_id` integer;