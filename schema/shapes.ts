// Response shapes of the public contract (api.md "Shapes"); fields may be added, never removed.
import type { JsonObject } from "./api";
import type {
  AuditType,
  Channel,
  Delivery,
  HandoffStatus,
  Outcome,
  Priority,
  Role,
  Sender,
} from "./vocabulary";

export type { AuditType, Channel, Delivery, HandoffStatus, Outcome, Priority, Role, Sender };
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
