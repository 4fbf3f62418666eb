ALTER TABLE `osv_vulns` ADD `severity` text;--> statement-breakpoint
ALTER TABLE `compliance_snapshots` ADD `cves_by_severity` text;