CREATE TABLE `patch_job_hosts` (
	`job_id` text NOT NULL,
	`host_id` text NOT NULL,
	`plan` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`job_id`, `host_id`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `patch_jobs` (
	`job_id` text PRIMARY KEY NOT NULL,
	`immediate` integer DEFAULT true NOT NULL,
	`maintenance_window_id` text,
	`allow_reboot` integer DEFAULT false NOT NULL,
	`security_only` integer DEFAULT false NOT NULL,
	`packages` text DEFAULT '[]' NOT NULL,
	`parent_job_id` text,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
