CREATE TABLE `decision_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`token_id` integer,
	`standard_id` text NOT NULL,
	`version_id` integer NOT NULL,
	`version_hash` text NOT NULL,
	`program_id` text NOT NULL,
	`evaluation_date` text NOT NULL,
	`first_decision_id` integer NOT NULL,
	`applicant_count` integer NOT NULL,
	`input` text NOT NULL,
	`input_hash` text NOT NULL,
	`output` text NOT NULL,
	FOREIGN KEY (`token_id`) REFERENCES `api_tokens`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `decision_batches_first_decision_id_unique` ON `decision_batches` (`first_decision_id`);