CREATE TABLE `ziti_ca_authenticators` (
	`authenticator_id` text PRIMARY KEY NOT NULL,
	`ca_id` text NOT NULL,
	`fingerprint_sha256` text NOT NULL,
	`not_after` integer NOT NULL,
	FOREIGN KEY (`authenticator_id`) REFERENCES `authenticators`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`ca_id`) REFERENCES `ziti_cas`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_ca_authenticators_fingerprint_sha256_unique` ON `ziti_ca_authenticators` (`fingerprint_sha256`);--> statement-breakpoint
CREATE INDEX `ziti_ca_authenticators_ca` ON `ziti_ca_authenticators` (`ca_id`);--> statement-breakpoint
CREATE TABLE `ziti_ca_enrollments` (
	`enrollment_id` text PRIMARY KEY NOT NULL,
	`ca_id` text NOT NULL,
	FOREIGN KEY (`enrollment_id`) REFERENCES `enrollments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`ca_id`) REFERENCES `ziti_cas`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ziti_ca_enrollments_ca` ON `ziti_ca_enrollments` (`ca_id`);--> statement-breakpoint
CREATE TABLE `ziti_cas` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`cert_pem` text NOT NULL,
	`fingerprint` text NOT NULL,
	`subject` text NOT NULL,
	`key_id` text NOT NULL,
	`not_after` integer NOT NULL,
	`is_auto_ca_enrollment_enabled` integer DEFAULT false NOT NULL,
	`is_ott_ca_enrollment_enabled` integer DEFAULT false NOT NULL,
	`is_auth_enabled` integer DEFAULT false NOT NULL,
	`identity_roles` text DEFAULT '[]' NOT NULL,
	`identity_name_format` text DEFAULT '[caName]-[commonName]' NOT NULL,
	`is_verified` integer DEFAULT false NOT NULL,
	`verification_token` text,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_cas_name_unique` ON `ziti_cas` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_cas_fingerprint_unique` ON `ziti_cas` (`fingerprint`);--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_cas_key_id_unique` ON `ziti_cas` (`key_id`);