// Response shapes of the public contract (api.md "Shapes"); fields may be added, never removed.
import type { CHANNELS, HANDOFF_STATUSES, OUTCOMES, PRIORITIES, ROLES } from "./api";

export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Role = (typeof ROLES)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type Sender = "contact" | "bot" | "agent" | "system";
export type Delivery = "pending" | "delivered" | "failed";

/** Free-form JSON. Kept one level deep on purpose: a recursive type is too deep for RPC typing. */
export type Json = string | number | boolean | null | object;
export type JsonObject = { [key: string]: Json };

export interface Person {
  id: string;
  name: string;
}

export interface Contact {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
}

export interface Handoff {
  id: string;
  status: HandoffStatus;
  conversation_id: string;
  bot_id: string;
  channel: Channel;
  contact: Contact;
  reason: string | null;
  summary: string | null;
  tags: string[];
  priority: Priority;
  assignee: Person | null;
  outcome: Outcome | null;
  created_at: string;
  claimed_at: string | null;
  resolved_at: string | null;
  expires_at: string | null;
  message_count: number;
  last_message: { text: string; from: Sender; at: string } | null;
}

/**
 * A handoff as a single read shows it (its detail, the bot's read, the escalation answer): with
 * the bot's metadata, which lists and realtime frames leave out to stay small.
 */
export interface HandoffWithMetadata extends Handoff {
  metadata: JsonObject;
}

export interface Message {
  id: string;
  handoff_id: string;
  from: Sender;
  text: string;
  at: string;
  agent: Person | null;
  delivery: Delivery | null;
}

/** One entry of a handoff's audit trail. */
export interface HandoffEvent {
  id: string;
  handoff_id: string;
  type: "escalated" | "claimed" | "released" | "assigned" | "resolved" | "expired" | "reminded";
  actor: Person | null;
  data: JsonObject;
  at: string;
}

export interface Stats {
  queued: number;
  active: number;
  agents_online: number;
  oldest_waiting_seconds: number | null;
  today: number;
  resolved_this_week: number;
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface Tenant {
  id: string;
  name: string;
}
