CREATE TABLE `discovered_hosts` (
	`id` text PRIMARY KEY NOT NULL,
	`scan_id` text NOT NULL,
	`ip_address` text NOT NULL,
	`fqdn` text,
	`agent_port` integer NOT NULL,
	`agent_port_open` integer NOT NULL,
	`ssh_open` integer NOT NULL,
	`identity` text,
	`discovered_at` integer NOT NULL,
	`registered` integer DEFAULT false NOT NULL,
	`host_id` text,
	FOREIGN KEY (`scan_id`) REFERENCES `discovery_scans`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `discovered_hosts_scan_ip` ON `discovered_hosts` (`scan_id`,`ip_address`);--> statement-breakpoint
CREATE TABLE `discovery_scans` (
	`id` text PRIMARY KEY NOT NULL,
	`cidr` text NOT NULL,
	`agent_port` integer NOT NULL,
	`via_host_id` text,
	`status` text DEFAULT 'running' NOT NULL,
	`probed` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`deadline_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`via_host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`created_by`) REFERENCES `identities`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `discovery_scans_created` ON `discovery_scans` (`created_at`);