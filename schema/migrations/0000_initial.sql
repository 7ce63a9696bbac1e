CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`bot_id` text NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`bot_id`) REFERENCES `bots`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_tenant` ON `api_keys` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `bots` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`webhook_url` text,
	`webhook_secret` text NOT NULL,
	`handoff_message` text NOT NULL,
	`accept_message` text NOT NULL,
	`resolve_message` text NOT NULL,
	`expiry_message` text NOT NULL,
	`max_wait_minutes` integer NOT NULL,
	`reminder_delay_seconds` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `bots_tenant` ON `bots` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`tenant_id` text NOT NULL,
	`bot_id` text NOT NULL,
	`channel` text NOT NULL,
	`external_id` text NOT NULL,
	`name` text,
	`phone` text,
	`email` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`bot_id`, `channel`, `external_id`)
);
--> statement-breakpoint
CREATE INDEX `contacts_tenant` ON `contacts` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `handoff_events` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`handoff_id` text NOT NULL,
	`type` text NOT NULL,
	`actor_id` text,
	`actor_name` text,
	`data` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `handoff_events_handoff` ON `handoff_events` (`handoff_id`,`at`);--> statement-breakpoint
CREATE TABLE `handoffs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`bot_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`status` text NOT NULL,
	`channel` text NOT NULL,
	`contact_id` text NOT NULL,
	`contact_name` text,
	`contact_phone` text,
	`contact_email` text,
	`reason` text,
	`summary` text,
	`tags` text NOT NULL,
	`priority` text NOT NULL,
	`metadata` text NOT NULL,
	`assignee_id` text,
	`assignee_name` text,
	`outcome` text,
	`note` text,
	`message_count` integer NOT NULL,
	`created_at` integer NOT NULL,
	`claimed_at` integer,
	`resolved_at` integer,
	`expires_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `handoffs_tenant_status` ON `handoffs` (`tenant_id`,`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`handoff_id` text NOT NULL,
	`external_id` text,
	`sender` text NOT NULL,
	`text` text NOT NULL,
	`agent_id` text,
	`agent_name` text,
	`delivery` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `messages_handoff` ON `messages` (`handoff_id`,`at`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`disabled_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_tenant` ON `users` (`tenant_id`);