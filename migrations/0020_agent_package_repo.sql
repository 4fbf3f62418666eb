CREATE TABLE `repo_packages` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`filename` text NOT NULL,
	`version` text NOT NULL,
	`distro` text NOT NULL,
	`distro_codename` text,
	`arch` text NOT NULL,
	`file_size` integer NOT NULL,
	`sha256` text NOT NULL,
	`object_key` text NOT NULL,
	`source` text NOT NULL,
	`meta` text NOT NULL,
	`published_at` integer NOT NULL,
	`synced_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `repo_packages_kind_file` ON `repo_packages` (`kind`,`filename`);--> statement-breakpoint
CREATE TABLE `repo_signing_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`fingerprint` text NOT NULL,
	`public_key` text NOT NULL,
	`private_key_enc` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer
);
--> statement-breakpoint
CREATE TABLE `repo_syncs` (
	`id` text PRIMARY KEY NOT NULL,
	`triggered_by` text NOT NULL,
	`status` text NOT NULL,
	`packages_synced` integer DEFAULT 0 NOT NULL,
	`packages_skipped` integer DEFAULT 0 NOT NULL,
	`error_message` text,
	`started_at` integer NOT NULL,
	`finished_at` integer
);
