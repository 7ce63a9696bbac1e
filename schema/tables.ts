// D1 tables: users, bots, keys and sessions are owned here; handoffs, messages, contacts and
// the audit trail are the durable transcript, mirrored from each tenant's Durable Object.
import { CHANNEL_TYPES, DELIVERIES, HANDOFF_STATUSES, ROLES, SENDERS } from "./vocabulary";
import {
  sqliteTable,
  text,
  integer,
  index,
  uniqueIndex,
  primaryKey,
} from "drizzle-orm/sqlite-core";

export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    passwordHash: text("password_hash").notNull(),
    disabledAt: integer("disabled_at"),
    // Active handoffs auto-routing gives them at once (manual claims are not limited).
    capacity: integer("capacity").notNull().default(3),
    // Bumped when capacity or teams change, so the tenant object's copy keeps the newest.
    routingVersion: integer("routing_version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("users_email").on(t.email), index("users_tenant").on(t.tenantId)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    // SHA-256 of the cookie token: a leaked table does not leak live sessions.
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    tenantId: text("tenant_id").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  // The retention sweep deletes each tenant's expired sessions.
  (t) => [
    index("sessions_user").on(t.userId),
    index("sessions_tenant_expiry").on(t.tenantId, t.expiresAt),
  ],
);

export const bots = sqliteTable(
  "bots",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    webhookUrl: text("webhook_url"),
    webhookSecret: text("webhook_secret").notNull(),
    handoffMessage: text("handoff_message").notNull(),
    acceptMessage: text("accept_message").notNull(),
    resolveMessage: text("resolve_message").notNull(),
    expiryMessage: text("expiry_message").notNull(),
    maxWaitMinutes: integer("max_wait_minutes").notNull(),
    reminderDelaySeconds: integer("reminder_delay_seconds").notNull(),
    // Bumped on every change, so a copy of older settings never replaces newer ones.
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("bots_tenant").on(t.tenantId)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    botId: text("bot_id")
      .notNull()
      .references(() => bots.id),
    name: text("name").notNull(),
    // SHA-256 of the key; the key itself is shown once and never stored.
    keyHash: text("key_hash").notNull(),
    prefix: text("prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.keyHash), index("api_keys_tenant").on(t.tenantId)],
);

export const contacts = sqliteTable(
  "contacts",
  {
    tenantId: text("tenant_id").notNull(),
    botId: text("bot_id").notNull(),
    channel: text("channel").notNull(),
    externalId: text("external_id").notNull(),
    name: text("name"),
    phone: text("phone"),
    email: text("email"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.botId, t.channel, t.externalId] }),
    index("contacts_tenant").on(t.tenantId),
  ],
);

export const handoffs = sqliteTable(
  "handoffs",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    botId: text("bot_id").notNull(),
    conversationId: text("conversation_id").notNull(),
    status: text("status", { enum: HANDOFF_STATUSES }).notNull(),
    channel: text("channel").notNull(),
    contactId: text("contact_id").notNull(),
    contactName: text("contact_name"),
    contactPhone: text("contact_phone"),
    contactEmail: text("contact_email"),
    reason: text("reason"),
    summary: text("summary"),
    tags: text("tags").notNull(),
    priority: text("priority").notNull(),
    metadata: text("metadata").notNull(),
    assigneeId: text("assignee_id"),
    assigneeName: text("assignee_name"),
    teamId: text("team_id"),
    teamName: text("team_name"),
    outcome: text("outcome"),
    note: text("note"),
    rating: text("rating"),
    messageCount: integer("message_count").notNull(),
    createdAt: integer("created_at").notNull(),
    claimedAt: integer("claimed_at"),
    resolvedAt: integer("resolved_at"),
    expiresAt: integer("expires_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("handoffs_tenant_status").on(t.tenantId, t.status, t.createdAt),
    // The retention sweep keeps a contact while any handoff of theirs is left.
    index("handoffs_contact").on(t.botId, t.contactId),
    // History pages walk a tenant's handoffs in (created_at, id) order; a contact's are read newest first.
    index("handoffs_tenant_created").on(t.tenantId, t.createdAt, t.id),
    index("handoffs_tenant_contact").on(t.tenantId, t.contactId, t.createdAt),
    index("handoffs_tenant_team").on(t.tenantId, t.teamId, t.createdAt),
  ],
);

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    handoffId: text("handoff_id").notNull(),
    externalId: text("external_id"),
    sender: text("sender", { enum: SENDERS }).notNull(),
    text: text("text").notNull(),
    agentId: text("agent_id"),
    agentName: text("agent_name"),
    delivery: text("delivery", { enum: DELIVERIES }),
    at: integer("at").notNull(),
  },
  (t) => [index("messages_handoff").on(t.handoffId, t.at)],
);

export const handoffEvents = sqliteTable(
  "handoff_events",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    handoffId: text("handoff_id").notNull(),
    type: text("type").notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name"),
    data: text("data").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("handoff_events_handoff").on(t.handoffId, t.at)],
);

export const tenantSettings = sqliteTable("tenant_settings", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id),
  // JSON validated by schema/settings.ts on every read; fields left out read as their defaults.
  settings: text("settings").notNull(),
  // Bumped on every change, so the tenant object's copy of older settings never replaces newer ones.
  version: integer("version").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const teams = sqliteTable(
  "teams",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    name: text("name").notNull(),
    // The name lowercased: names are unique per tenant whatever their case.
    nameKey: text("name_key").notNull(),
    // Bumped on every change (name or members), so the tenant object's copy keeps the newest.
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("teams_tenant_name").on(t.tenantId, t.nameKey)],
);

export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id")
      .notNull()
      .references(() => teams.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    tenantId: text("tenant_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId] }),
    index("team_members_user").on(t.userId),
    index("team_members_tenant").on(t.tenantId),
  ],
);

/**
 * Channels the Worker is the gateway for (Telegram, WhatsApp, the website widget). `config` holds
 * what may be shown (phone number id, verify token, allowed origins); `secrets` the provider
 * tokens and secrets, sealed with the Worker's CHANNEL_SECRET_KEY (worker/src/auth/secret-box.ts).
 */
export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    type: text("type", { enum: CHANNEL_TYPES }).notNull(),
    name: text("name").notNull(),
    botId: text("bot_id"),
    handoffKeywords: text("handoff_keywords").notNull(),
    config: text("config").notNull(),
    secrets: text("secrets").notNull(),
    // Bumped on every change, so the tenant object's copy keeps the newest.
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("channels_tenant").on(t.tenantId)],
);
