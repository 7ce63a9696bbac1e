CREATE TABLE `team_members` (
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	PRIMARY KEY(`team_id`, `user_id`),
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `team_members_user` ON `team_members` (`user_id`);--> statement-breakpoint
CREATE INDEX `team_members_tenant` ON `team_members` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_tenant_name` ON `teams` (`tenant_id`,`name_key`);--> statement-breakpoint
ALTER TABLE `handoffs` ADD `team_id` text;--> statement-breakpoint
ALTER TABLE `handoffs` ADD `team_name` text;--> statement-breakpoint
CREATE INDEX `handoffs_tenant_team` ON `handoffs` (`tenant_id`,`team_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `capacity` integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `routing_version` integer DEFAULT 1 NOT NULL;