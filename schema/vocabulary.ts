// Every list of allowed values, once. The drizzle columns, zod enums and TypeScript types of
// server and client all derive from these.
export const CHANNELS = [
  "whatsapp",
  "telegram",
  "web",
  "slack",
  "discord",
  "messenger",
  "email",
  "other",
] as const;
/** Channels the Worker itself connects (the gateway); a subset of CHANNELS. */
export const CHANNEL_TYPES = ["telegram", "whatsapp", "web"] as const;
export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export const HANDOFF_STATUSES = ["queued", "active", "resolved", "expired"] as const;
export const OPEN_STATUSES = ["queued", "active"] as const;
export const ROLES = ["viewer", "agent", "admin"] as const;
export const OUTCOMES = ["return_to_bot", "close"] as const;
/** Who wrote a message: the contact, the bot, an agent, or the system (automatic texts). */
export const SENDERS = ["contact", "bot", "agent", "system"] as const;
/** What a bot may put in an escalation's history. */
export const HISTORY_SENDERS = ["contact", "bot"] as const;
/** A message's delivery to the contact; it only moves forward along this list (failed aside). */
export const DELIVERIES = ["pending", "sent", "delivered", "read", "failed"] as const;
/** The steps of a handoff's audit trail. */
export const AUDIT_TYPES = [
  "escalated",
  "claimed",
  "released",
  "assigned",
  "resolved",
  "expired",
  "reminded",
  "unassigned",
  "rated",
] as const;
/** An agent's own availability switch; available also needs an open socket. */
export const AGENT_STATUSES = ["online", "away"] as const;
/** Why a handoff went back to the queue without anyone releasing it. */
export const UNASSIGN_REASONS = ["no_reply", "offline"] as const;

export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];
export type Role = (typeof ROLES)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type Sender = (typeof SENDERS)[number];
export type Delivery = (typeof DELIVERIES)[number];
export type AuditType = (typeof AUDIT_TYPES)[number];
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export type AgentStatus = (typeof AGENT_STATUSES)[number];
export type UnassignReason = (typeof UNASSIGN_REASONS)[number];
