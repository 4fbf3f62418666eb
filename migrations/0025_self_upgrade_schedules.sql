CREATE TABLE `self_upgrade_job_schedules` (
	`job_id` text PRIMARY KEY NOT NULL,
	`maintenance_window_id` text NOT NULL,
	`not_before` integer NOT NULL,
	`last_start_at` integer NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
