CREATE TABLE `host_boot` (
	`host_id` text PRIMARY KEY NOT NULL,
	`boot_id` text NOT NULL,
	`kernel` text NOT NULL,
	`booted_at` integer NOT NULL,
	`reported_at` integer NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
