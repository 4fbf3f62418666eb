CREATE TABLE `compliance_snapshots` (
	`id` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`group_id` text,
	`taken_at` integer NOT NULL,
	`reason` text NOT NULL,
	`total_hosts` integer NOT NULL,
	`compliant` integer NOT NULL,
	`non_compliant` integer NOT NULL,
	`unknown` integer NOT NULL,
	`compliance_pct` real NOT NULL,
	`total_pending` integer NOT NULL,
	`pending_by_severity` text NOT NULL,
	`patch_age` text NOT NULL,
	`last_seen` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `compliance_snapshots_scope` ON `compliance_snapshots` (`scope`,`taken_at`);