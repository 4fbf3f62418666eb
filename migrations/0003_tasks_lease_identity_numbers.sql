CREATE TABLE `identity_numbers` (
	`number` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`identity_id` text NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identity_numbers_identity_id_unique` ON `identity_numbers` (`identity_id`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `lease_until` integer;--> statement-breakpoint
CREATE INDEX `tasks_status_lease` ON `tasks` (`status`,`lease_until`);