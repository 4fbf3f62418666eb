ALTER TABLE `mfa` ADD `reveal_enc` text;--> statement-breakpoint
ALTER TABLE `mfa` ADD `reveal_until` integer;