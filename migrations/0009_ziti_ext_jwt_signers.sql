CREATE TABLE `ziti_auth_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`ext_jwt_allowed` integer DEFAULT true NOT NULL,
	`ext_jwt_allowed_signers` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_auth_policies_name_unique` ON `ziti_auth_policies` (`name`);--> statement-breakpoint
CREATE TABLE `ziti_external_jwt_signers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`issuer` text NOT NULL,
	`audience` text NOT NULL,
	`jwks_endpoint` text,
	`cert_pem` text,
	`kid` text,
	`claims_property` text DEFAULT 'sub' NOT NULL,
	`use_external_id` integer DEFAULT false NOT NULL,
	`external_auth_url` text,
	`client_id` text,
	`scopes` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_external_jwt_signers_name_unique` ON `ziti_external_jwt_signers` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_external_jwt_signers_issuer_unique` ON `ziti_external_jwt_signers` (`issuer`);--> statement-breakpoint
CREATE TABLE `ziti_identity_auth_policies` (
	`identity_id` text PRIMARY KEY NOT NULL,
	`auth_policy_id` text NOT NULL,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`auth_policy_id`) REFERENCES `ziti_auth_policies`(`id`) ON UPDATE no action ON DELETE no action
);
