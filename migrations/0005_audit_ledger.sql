-- Audit ledger (issue 10): entries are written unsealed and sealed later by the
-- AuditSequencer Durable Object with a keyed hash, so the head-reading trigger
-- from 0001 goes. Existing entries are copied unsealed (their old unkeyed
-- hashes dropped) and the sequencer reseals them, oldest first, under the keyed
-- scheme. Hand edit: drizzle-kit copied the new columns from the old table.
DROP TRIGGER IF EXISTS `audit_log_chain_guard`;--> statement-breakpoint
CREATE TABLE `audit_checkpoints` (
	`size` integer PRIMARY KEY NOT NULL,
	`head_hash` text NOT NULL,
	`at` integer NOT NULL,
	`key_id` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text,
	`actor_name` text,
	`credential_id` text,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`request_id` text,
	`source_ip` text,
	`outcome` text NOT NULL,
	`detail` text DEFAULT '{}' NOT NULL,
	`ledger_seq` integer,
	`prev_hash` text,
	`hash` text
);
--> statement-breakpoint
INSERT INTO `__new_audit_log`("seq", "id", "at", "actor_id", "actor_name", "credential_id", "action", "target_type", "target_id", "request_id", "source_ip", "outcome", "detail", "ledger_seq", "prev_hash", "hash") SELECT "seq", "id", "at", "actor_id", "actor_name", "credential_id", "action", "target_type", "target_id", "request_id", "source_ip", "outcome", "detail", NULL, NULL, NULL FROM `audit_log`;--> statement-breakpoint
DROP TABLE `audit_log`;--> statement-breakpoint
ALTER TABLE `__new_audit_log` RENAME TO `audit_log`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_id_unique` ON `audit_log` (`id`);--> statement-breakpoint
CREATE INDEX `audit_actor` ON `audit_log` (`actor_id`);--> statement-breakpoint
CREATE INDEX `audit_action` ON `audit_log` (`action`);--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `audit_ledger_seq` ON `audit_log` (`ledger_seq`);--> statement-breakpoint
CREATE INDEX `audit_unsealed` ON `audit_log` (`seq`) WHERE ledger_seq IS NULL;