// Response shapes of the public contract (api.md "Shapes"); fields may be added, never removed.
import type { JsonObject } from "./api";
import type {
  AgentStatus,
  AuditType,
  Channel,
  Delivery,
  HandoffStatus,
  Outcome,
  Priority,
  Role,
  Sender,
} from "./vocabulary";

export type {
  AgentStatus,
  AuditType,
  Channel,
  Delivery,
  HandoffStatus,
  Outcome,
  Priority,
  Role,
  Sender,
};
/** Free-form JSON. Kept one level deep on purpose: a recursive type is too deep for RPC typing. */
export type { Json, JsonObject } from "./api";

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
  /** The team the bot escalated to, or null (also once that team is deleted). */
  team: Person | null;
  outcome: Outcome | null;
  /** The website visitor's rating of the conversation, once resolved (web channels). */
  rating: "up" | "down" | null;
  created_at: string;
  claimed_at: string | null;
  resolved_at: string | null;
  expires_at: string | null;
  message_count: number;
  last_message: { text: string; from: Sender; at: string } | null;
  /** Only while queued: where it stands in its queue (the team's, or the tenant's). */
  queue?: QueuePlace;
}

export interface QueuePlace {
  /** 1 is the next to be served: priority first, then age. */
  position: number;
  /** From the queue's recent claims; null when there are none to judge by. */
  estimated_wait_seconds: number | null;
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
  /** Why the channel's provider did not deliver it, in words for the agent (failed only). */
  delivery_error?: string;
}

/** One entry of a handoff's audit trail. */
export interface HandoffEvent {
  id: string;
  handoff_id: string;
  type: AuditType;
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

/** The stats as the realtime stream carries them: `oldest_waiting_since` lets a client tick the wait itself. */
export interface LiveStats extends Stats {
  oldest_waiting_since: string | null;
}

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** The agent's availability switch (`PUT /api/me/status`); where the tenant object answers. */
  status?: AgentStatus;
}

/** An agent or admin with the inbox open, as the presence frame lists them. */
export interface AgentPresence {
  id: string;
  name: string;
  status: AgentStatus;
  /** Active handoffs assigned to them now. */
  active_count: number;
  /** How many auto-routing gives them at once. */
  capacity: number;
}

export interface Tenant {
  id: string;
  name: string;
}

export interface Team {
  id: string;
  name: string;
  member_ids: string[];
}
