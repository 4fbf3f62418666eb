ALTER TABLE `enrollment_requests` ADD `source_network` text;--> statement-breakpoint
CREATE INDEX `enrollment_requests_network` ON `enrollment_requests` (`source_network`,`status`);