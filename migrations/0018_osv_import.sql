CREATE TABLE `osv_feeds` (
	`feed` text PRIMARY KEY NOT NULL,
	`import_id` text NOT NULL,
	`imported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `osv_imports` (
	`id` text PRIMARY KEY NOT NULL,
	`feed` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`records` integer DEFAULT 0 NOT NULL,
	`ranges` integer DEFAULT 0 NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `osv_imports_feed` ON `osv_imports` (`feed`,`started_at`);--> statement-breakpoint
CREATE TABLE `osv_ranges` (
	`import_id` text NOT NULL,
	`vuln_id` text NOT NULL,
	`ecosystem` text NOT NULL,
	`package` text NOT NULL,
	`introduced` text NOT NULL,
	`fixed` text,
	`last_affected` text
);
--> statement-breakpoint
CREATE INDEX `osv_ranges_package` ON `osv_ranges` (`ecosystem`,`package`,`import_id`);--> statement-breakpoint
CREATE INDEX `osv_ranges_import` ON `osv_ranges` (`import_id`);--> statement-breakpoint
CREATE TABLE `osv_vulns` (
	`import_id` text NOT NULL,
	`id` text NOT NULL,
	`cve_ids` text DEFAULT '[]' NOT NULL,
	`summary` text,
	`modified_at` integer,
	PRIMARY KEY(`import_id`, `id`)
);
