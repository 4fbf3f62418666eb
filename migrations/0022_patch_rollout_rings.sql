ALTER TABLE `patch_job_hosts` ADD `ring` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `patch_jobs` ADD `ring_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `patch_jobs` ADD `on_health_failure` text;--> statement-breakpoint
ALTER TABLE `patch_jobs` ADD `not_before` integer;--> statement-breakpoint
ALTER TABLE `patch_jobs` ADD `last_start_at` integer;