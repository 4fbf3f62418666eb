CREATE TABLE `self_upgrade_job_hosts` (
	`job_id` text NOT NULL,
	`host_id` text NOT NULL,
	`args` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`job_id`, `host_id`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
