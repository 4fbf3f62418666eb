CREATE TABLE `host_packages` (
	`host_id` text NOT NULL,
	`name` text NOT NULL,
	`arch` text NOT NULL,
	`version` text NOT NULL,
	`source` text NOT NULL,
	`source_version` text NOT NULL,
	`status` text NOT NULL,
	PRIMARY KEY(`host_id`, `name`, `arch`),
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `host_packages_name` ON `host_packages` (`name`);--> statement-breakpoint
CREATE TABLE `host_patch_state` (
	`host_id` text PRIMARY KEY NOT NULL,
	`inventory_hash` text NOT NULL,
	`os` text NOT NULL,
	`package_count` integer DEFAULT 0 NOT NULL,
	`update_count` integer DEFAULT 0 NOT NULL,
	`security_update_count` integer DEFAULT 0 NOT NULL,
	`reboot_required` integer DEFAULT false NOT NULL,
	`reboot_reasons` text DEFAULT '[]' NOT NULL,
	`removals` text DEFAULT '[]' NOT NULL,
	`lists_age_secs` integer,
	`collected_at` integer NOT NULL,
	`reported_at` integer NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `host_updates` (
	`host_id` text NOT NULL,
	`name` text NOT NULL,
	`arch` text NOT NULL,
	`current_version` text,
	`candidate_version` text NOT NULL,
	`source` text,
	`security` text NOT NULL,
	`cve_ids` text DEFAULT '[]' NOT NULL,
	`origins` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`host_id`, `name`, `arch`),
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `host_updates_security` ON `host_updates` (`host_id`,`security`);--> statement-breakpoint
CREATE INDEX `host_updates_name` ON `host_updates` (`name`);