CREATE TABLE `ziti_config_types` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`schema` text,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_config_types_name_unique` ON `ziti_config_types` (`name`);--> statement-breakpoint
CREATE TABLE `ziti_configs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`config_type_id` text NOT NULL,
	`data` text NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`config_type_id`) REFERENCES `ziti_config_types`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_configs_name_unique` ON `ziti_configs` (`name`);--> statement-breakpoint
CREATE INDEX `ziti_configs_type` ON `ziti_configs` (`config_type_id`);--> statement-breakpoint
CREATE TABLE `ziti_edge_routers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`hostname` text NOT NULL,
	`supported_protocols` text DEFAULT '{}' NOT NULL,
	`cost` integer DEFAULT 0 NOT NULL,
	`no_traversal` integer DEFAULT false NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`role_attributes` text DEFAULT '[]' NOT NULL,
	`is_online` integer DEFAULT false NOT NULL,
	`last_heartbeat_at` integer,
	`app_data` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_edge_routers_name_unique` ON `ziti_edge_routers` (`name`);--> statement-breakpoint
CREATE TABLE `ziti_posture_checks` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type_id` text NOT NULL,
	`role_attributes` text DEFAULT '[]' NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_posture_checks_name_unique` ON `ziti_posture_checks` (`name`);--> statement-breakpoint
CREATE TABLE `ziti_posture_responses` (
	`api_session_id` text NOT NULL,
	`check_id` text NOT NULL,
	`type_id` text NOT NULL,
	`data` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`api_session_id`, `check_id`),
	FOREIGN KEY (`api_session_id`) REFERENCES `api_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ziti_router_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`semantic` text DEFAULT 'AllOf' NOT NULL,
	`subject_roles` text DEFAULT '[]' NOT NULL,
	`edge_router_roles` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ziti_service_policies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`semantic` text DEFAULT 'AllOf' NOT NULL,
	`identity_roles` text DEFAULT '[]' NOT NULL,
	`service_roles` text DEFAULT '[]' NOT NULL,
	`posture_check_roles` text DEFAULT '[]' NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_service_policies_name_unique` ON `ziti_service_policies` (`name`);--> statement-breakpoint
CREATE TABLE `ziti_service_updates` (
	`api_session_id` text PRIMARY KEY NOT NULL,
	`fingerprint` text NOT NULL,
	`last_change_at` integer NOT NULL,
	FOREIGN KEY (`api_session_id`) REFERENCES `api_sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `ziti_services` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role_attributes` text DEFAULT '[]' NOT NULL,
	`configs` text DEFAULT '[]' NOT NULL,
	`encryption_required` integer DEFAULT true NOT NULL,
	`terminator_strategy` text DEFAULT 'smartrouting' NOT NULL,
	`max_idle_time_millis` integer DEFAULT 0 NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ziti_services_name_unique` ON `ziti_services` (`name`);--> statement-breakpoint
CREATE TABLE `ziti_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`service_id` text NOT NULL,
	`api_session_id` text NOT NULL,
	`identity_id` text NOT NULL,
	`tags` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`service_id`) REFERENCES `ziti_services`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`api_session_id`) REFERENCES `api_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`identity_id`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ziti_sessions_api_session` ON `ziti_sessions` (`api_session_id`);--> statement-breakpoint
CREATE INDEX `ziti_sessions_service` ON `ziti_sessions` (`service_id`);