CREATE TABLE `host_crl_state` (
	`host_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`crl_number` text,
	`issuer` text,
	`next_update` integer,
	`detail` text,
	`reported_at` integer NOT NULL,
	FOREIGN KEY (`host_id`) REFERENCES `hosts`(`id`) ON UPDATE no action ON DELETE cascade
);
