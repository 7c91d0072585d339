ALTER TABLE `standard_versions` ADD `document_number` text;--> statement-breakpoint
ALTER TABLE `standard_versions` ADD `announced_on` text;