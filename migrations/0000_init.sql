CREATE TABLE `audit_log` (
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
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_log_id_unique` ON `audit_log` (`id`);--> statement-breakpoint
CREATE INDEX `audit_actor` ON `audit_log` (`actor_id`);--> statement-breakpoint
CREATE INDEX `audit_action` ON `audit_log` (`action`);--> statement-breakpoint
CREATE INDEX `audit_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `nonces` (
	`key` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL,
	`value` text
);
--> statement-breakpoint
CREATE INDEX `nonces_expires` ON `nonces` (`expires_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`secret_enc` text,
	`updated_by` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `host_groups` (
	`host_id` text NOT NULL,
	`group_id` text NOT NULL,
	PRIMARY KEY(`host_id`, `group_id`),
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `host_groups_group` ON `host_groups` (`group_id`);--> statement-breakpoint
CREATE TABLE `host_scripts` (
	`host_id` text NOT NULL,
	`name` text NOT NULL,
	`path` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`executable` integer NOT NULL,
	`sha256` text DEFAULT '' NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`host_id`, `name`),
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `hosts` (
	`id` text PRIMARY KEY NOT NULL,
	`identity_id` text,
	`name` text NOT NULL,
	`fqdn` text NOT NULL,
	`ip_address` text DEFAULT '' NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`machine_id` text,
	`os_family` text DEFAULT '' NOT NULL,
	`os_name` text DEFAULT '' NOT NULL,
	`arch` text DEFAULT '' NOT NULL,
	`agent_version` text DEFAULT '' NOT NULL,
	`reported_hostname` text,
	`tags` text DEFAULT '{}' NOT NULL,
	`health_status` text DEFAULT 'pending' NOT NULL,
	`online` integer DEFAULT false NOT NULL,
	`last_seen_at` integer,
	`notes` text DEFAULT '' NOT NULL,
	`agent_port` integer DEFAULT 12443 NOT NULL,
	`patches_missing` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hosts_name_unique` ON `hosts` (`name`);--> statement-breakpoint
CREATE INDEX `hosts_fqdn` ON `hosts` (`fqdn`);--> statement-breakpoint
CREATE TABLE `job_hosts` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`host_id` text NOT NULL,
	`host_name` text NOT NULL,
	`status` text NOT NULL,
	`exit_code` integer,
	`stdout` text DEFAULT '' NOT NULL,
	`stderr` text DEFAULT '' NOT NULL,
	`output_key` text,
	`error` text,
	`command_id` text,
	`started_at` integer,
	`completed_at` integer,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `job_hosts_job` ON `job_hosts` (`job_id`);--> statement-breakpoint
CREATE INDEX `job_hosts_host` ON `job_hosts` (`host_id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`reqid` text NOT NULL,
	`kind` text NOT NULL,
	`script` text,
	`args` text DEFAULT '[]' NOT NULL,
	`mode` text DEFAULT 'async' NOT NULL,
	`status` text NOT NULL,
	`options` text DEFAULT '{}' NOT NULL,
	`notes` text DEFAULT '' NOT NULL,
	`created_by` text,
	`idempotency_key` text,
	`host_count` integer DEFAULT 0 NOT NULL,
	`succeeded_count` integer DEFAULT 0 NOT NULL,
	`failed_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`completed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_reqid_unique` ON `jobs` (`reqid`);--> statement-breakpoint
CREATE INDEX `jobs_created` ON `jobs` (`created_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_idempotency` ON `jobs` (`created_by`,`idempotency_key`);--> statement-breakpoint
CREATE TABLE `api_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`identity_id` text NOT NULL,
	`authenticator_id` text NOT NULL,
	`auth_method` text NOT NULL,
	`mfa_required` integer NOT NULL,
	`mfa_complete` integer NOT NULL,
	`ip_address` text DEFAULT '' NOT NULL,
	`config_types` text DEFAULT '[]' NOT NULL,
	`last_activity_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_sessions_token_hash_unique` ON `api_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_sessions_identity` ON `api_sessions` (`identity_id`);--> statement-breakpoint
CREATE INDEX `api_sessions_expires` ON `api_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`identity_id` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`hashed_key` text NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	`issuer_id` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hashed_key_unique` ON `api_tokens` (`hashed_key`);--> statement-breakpoint
CREATE INDEX `api_tokens_identity` ON `api_tokens` (`identity_id`);--> statement-breakpoint
CREATE TABLE `authenticators` (
	`id` text PRIMARY KEY NOT NULL,
	`identity_id` text NOT NULL,
	`method` text NOT NULL,
	`username` text,
	`password_hash` text,
	`fingerprint` text,
	`cert_pem` text,
	`certificate_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `authenticators_identity` ON `authenticators` (`identity_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `authenticators_username` ON `authenticators` (`username`);--> statement-breakpoint
CREATE UNIQUE INDEX `authenticators_fingerprint` ON `authenticators` (`fingerprint`);--> statement-breakpoint
CREATE TABLE `groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_name_unique` ON `groups` (`name`);--> statement-breakpoint
CREATE TABLE `identities` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`display_name` text DEFAULT '' NOT NULL,
	`email` text,
	`description` text DEFAULT '' NOT NULL,
	`role` text NOT NULL,
	`auth_provider` text DEFAULT 'local' NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`disabled_at` integer,
	`force_password_reset` integer DEFAULT false NOT NULL,
	`failed_logins` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`sessions_valid_after` integer DEFAULT 0 NOT NULL,
	`is_default_admin` integer DEFAULT false NOT NULL,
	`external_id` text,
	`role_attributes` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`env_info` text,
	`sdk_info` text,
	`last_login_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identities_kind_name` ON `identities` (`kind`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `identities_email` ON `identities` (`email`);--> statement-breakpoint
CREATE TABLE `identity_groups` (
	`identity_id` text NOT NULL,
	`group_id` text NOT NULL,
	PRIMARY KEY(`identity_id`, `group_id`),
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `identity_groups_group` ON `identity_groups` (`group_id`);--> statement-breakpoint
CREATE TABLE `mfa` (
	`identity_id` text PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`secret_enc` text NOT NULL,
	`verified` integer DEFAULT false NOT NULL,
	`last_step` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recovery_codes` (
	`id` text PRIMARY KEY NOT NULL,
	`identity_id` text NOT NULL,
	`code_hash` text NOT NULL,
	`used_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `recovery_codes_identity` ON `recovery_codes` (`identity_id`);--> statement-breakpoint
CREATE TABLE `refresh_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`family_id` text NOT NULL,
	`identity_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`rotated_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `refresh_tokens_token_hash_unique` ON `refresh_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_family` ON `refresh_tokens` (`family_id`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_identity` ON `refresh_tokens` (`identity_id`);--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`alg` text NOT NULL,
	`purpose` text NOT NULL,
	`public_jwk` text NOT NULL,
	`private_jwk_enc` text NOT NULL,
	`retired_at` integer,
	`expires_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ca_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`cert_pem` text NOT NULL,
	`key_enc` text NOT NULL,
	`not_after` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`serial` text NOT NULL,
	`identity_id` text,
	`host_id` text,
	`api_session_id` text,
	`kind` text NOT NULL,
	`common_name` text NOT NULL,
	`subject` text NOT NULL,
	`fingerprint_sha1` text NOT NULL,
	`fingerprint_sha256` text NOT NULL,
	`cert_pem` text NOT NULL,
	`not_before` integer NOT NULL,
	`not_after` integer NOT NULL,
	`status` text NOT NULL,
	`revoked_at` integer,
	`revocation_reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_serial_unique` ON `certificates` (`serial`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_fingerprint_sha256_unique` ON `certificates` (`fingerprint_sha256`);--> statement-breakpoint
CREATE INDEX `certificates_identity` ON `certificates` (`identity_id`);--> statement-breakpoint
CREATE INDEX `certificates_host` ON `certificates` (`host_id`);--> statement-breakpoint
CREATE TABLE `crls` (
	`number` integer PRIMARY KEY NOT NULL,
	`pem` text NOT NULL,
	`this_update` integer NOT NULL,
	`next_update` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `enrollment_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`machine_id` text NOT NULL,
	`fqdn` text NOT NULL,
	`ip_address` text NOT NULL,
	`hostname` text,
	`os_details` text DEFAULT '{}' NOT NULL,
	`csr_pem` text,
	`polling_token_hash` text NOT NULL,
	`status` text NOT NULL,
	`bundle_enc` text,
	`bundle_expires_at` integer,
	`decided_by` text,
	`decided_at` integer,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrollment_requests_polling_token_hash_unique` ON `enrollment_requests` (`polling_token_hash`);--> statement-breakpoint
CREATE INDEX `enrollment_requests_machine` ON `enrollment_requests` (`machine_id`);--> statement-breakpoint
CREATE TABLE `enrollments` (
	`id` text PRIMARY KEY NOT NULL,
	`identity_id` text NOT NULL,
	`method` text NOT NULL,
	`token_hash` text NOT NULL,
	`jwt_enc` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `enrollments_token_hash_unique` ON `enrollments` (`token_hash`);--> statement-breakpoint
CREATE INDEX `enrollments_identity` ON `enrollments` (`identity_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`result` text,
	`file_key` text,
	`headers` text,
	`error` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `tasks_created` ON `tasks` (`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_creator` ON `tasks` (`created_by`);--> statement-breakpoint
CREATE TABLE `token_issuers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`issuer_uri` text NOT NULL,
	`audience` text NOT NULL,
	`condition` text NOT NULL,
	`max_validity` integer DEFAULT 3600 NOT NULL,
	`service_account_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `token_issuers_name_unique` ON `token_issuers` (`name`);