CREATE TABLE `issuer_crls` (
	`issuer_id` text PRIMARY KEY NOT NULL,
	`number` integer NOT NULL,
	`pem` text NOT NULL,
	`this_update` integer NOT NULL,
	`next_update` integer NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL,
	`built_revision` integer DEFAULT 0 NOT NULL,
	`claimed_until` integer
);
--> statement-breakpoint
ALTER TABLE `certificates` ADD `issuer_id` text;