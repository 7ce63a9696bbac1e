CREATE TABLE `tenant_settings` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`settings` text NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `handoffs_contact` ON `handoffs` (`bot_id`,`contact_id`);--> statement-breakpoint
CREATE INDEX `sessions_tenant_expiry` ON `sessions` (`tenant_id`,`expires_at`);