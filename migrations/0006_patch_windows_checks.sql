CREATE TABLE `health_check_results` (
	`id` text PRIMARY KEY NOT NULL,
	`check_id` text NOT NULL,
	`host_id` text NOT NULL,
	`healthy` integer NOT NULL,
	`detail` text DEFAULT '' NOT NULL,
	`latency_ms` integer DEFAULT 0 NOT NULL,
	`phase` text DEFAULT 'test' NOT NULL,
	`job_id` text,
	`checked_at` integer NOT NULL,
	FOREIGN KEY (`check_id`) REFERENCES `health_checks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `health_check_results_check` ON `health_check_results` (`check_id`,`checked_at`);--> statement-breakpoint
CREATE TABLE `health_checks` (
	`id` text PRIMARY KEY NOT NULL,
	`host_id` text NOT NULL,
	`name` text NOT NULL,
	`check_type` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`service_name` text,
	`url` text,
	`expected_body` text,
	`ignore_cert_errors` integer DEFAULT false NOT NULL,
	`basic_auth_user` text,
	`basic_auth_pass_enc` text,
	`target_host_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`target_host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `health_checks_host` ON `health_checks` (`host_id`);--> statement-breakpoint
CREATE TABLE `maintenance_windows` (
	`id` text PRIMARY KEY NOT NULL,
	`host_id` text NOT NULL,
	`label` text NOT NULL,
	`recurrence` text NOT NULL,
	`start_at` integer NOT NULL,
	`duration_minutes` integer DEFAULT 60 NOT NULL,
	`recurrence_day` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`auto_apply` integer DEFAULT true NOT NULL,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `maintenance_windows_host` ON `maintenance_windows` (`host_id`);--> statement-breakpoint
-- At most 5 health checks per host (linux-patch-manager.md §4), atomic under concurrent creates:
-- the insert and its audit entry are one D1 batch, which this trigger aborts.
CREATE TRIGGER health_checks_limit
BEFORE INSERT ON health_checks
WHEN (SELECT count(*) FROM health_checks WHERE host_id = NEW.host_id) >= 5
BEGIN
  SELECT RAISE(ABORT, 'health check limit');
END;
