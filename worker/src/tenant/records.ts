// Rows of the tenant object's tables, and how they become the public shapes of api.md.
import { z } from "zod";
import { storedMetadata } from "../../../schema/metadata";
import { RATINGS } from "../../../schema/widget";
import {
  AUDIT_TYPES,
  CHANNELS,
  DELIVERIES,
  HANDOFF_STATUSES,
  OUTCOMES,
  PRIORITIES,
  SENDERS,
} from "../../../schema/vocabulary";
import type {
  Delivery,
  Handoff,
  HandoffEvent,
  HandoffStatus,
  HandoffWithMetadata,
  Message,
  Sender,
} from "../../../schema/shapes";

export interface HandoffRow extends Record<string, SqlStorageValue> {
  id: string;
  bot_id: string;
  conversation_id: string;
  status: string;
  channel: string;
  contact_id: string;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  reason: string | null;
  summary: string | null;
  tags: string;
  priority: string;
  metadata: string;
  assignee_id: string | null;
  assignee_name: string | null;
  team_id: string | null;
  team_name: string | null;
  /** The channel the Worker relays this conversation through, or null (the bot delivers). */
  channel_id: string | null;
  outcome: string | null;
  note: string | null;
  /** The website visitor's thumbs up or down, once resolved. */
  rating: string | null;
  message_count: number;
  last_text: string | null;
  last_from: string | null;
  last_at: number | null;
  max_wait_ms: number;
  created_at: number;
  claimed_at: number | null;
  resolved_at: number | null;
  expires_at: number | null;
  updated_at: number;
}

export interface MessageRow extends Record<string, SqlStorageValue> {
  id: string;
  handoff_id: string;
  external_id: string | null;
  sender: string;
  text: string;
  agent_id: string | null;
  agent_name: string | null;
  delivery: string | null;
  delivery_error: string | null;
  at: number;
}

export interface AuditRow extends Record<string, SqlStorageValue> {
  id: string;
  handoff_id: string;
  type: string;
  actor_id: string | null;
  actor_name: string | null;
  data: string;
  at: number;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

// Stored columns were validated on the way in; reading them back on every list and frame is a
// cheap check of each value against its list (a Set lookup), never a schema built per row, and
// JSON columns are checked only by their outer shape.
export const statusColumn = z.enum(HANDOFF_STATUSES);
export const senderColumn = z.enum(SENDERS);
export const deliveryColumn = z.enum(DELIVERIES).nullable();

function oneOf<const T extends readonly string[]>(
  values: T,
  column: string,
): (value: SqlStorageValue) => T[number] {
  const allowed = new Set<string>(values);
  const isAllowed = (value: SqlStorageValue): value is T[number] =>
    typeof value === "string" && allowed.has(value);
  return (value) => {
    if (isAllowed(value)) return value;
    throw new Error(`Unexpected ${column} stored: ${String(value)}`);
  };
}
const status = oneOf(HANDOFF_STATUSES, "status");
const channel = oneOf(CHANNELS, "channel");
const priority = oneOf(PRIORITIES, "priority");
const outcome = oneOf(OUTCOMES, "outcome");
const sender = oneOf(SENDERS, "sender");
const delivery = oneOf(DELIVERIES, "delivery");
const auditType = oneOf(AUDIT_TYPES, "audit type");
const rating = oneOf(RATINGS, "rating");

function tagsOf(text: string): string[] {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === "string") : [];
}

export function toHandoff(row: HandoffRow): Handoff {
  return {
    id: row.id,
    status: status(row.status),
    conversation_id: row.conversation_id,
    bot_id: row.bot_id,
    channel: channel(row.channel),
    contact: {
      id: row.contact_id,
      name: row.contact_name,
      phone: row.contact_phone,
      email: row.contact_email,
    },
    reason: row.reason,
    summary: row.summary,
    tags: tagsOf(row.tags),
    priority: priority(row.priority),
    assignee: row.assignee_id ? { id: row.assignee_id, name: row.assignee_name ?? "" } : null,
    team: row.team_id ? { id: row.team_id, name: row.team_name ?? "" } : null,
    outcome: row.outcome === null ? null : outcome(row.outcome),
    rating: row.rating === null || row.rating === undefined ? null : rating(row.rating),
    created_at: iso(row.created_at),
    claimed_at: isoOrNull(row.claimed_at),
    resolved_at: isoOrNull(row.resolved_at),
    expires_at: isoOrNull(row.expires_at),
    message_count: row.message_count,
    last_message:
      row.last_text !== null && row.last_at !== null
        ? { text: row.last_text, from: sender(row.last_from), at: iso(row.last_at) }
        : null,
  };
}

export function toHandoffWithMetadata(row: HandoffRow): HandoffWithMetadata {
  return { ...toHandoff(row), metadata: storedMetadata(row.metadata) };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    handoff_id: row.handoff_id,
    from: sender(row.sender),
    text: row.text,
    at: iso(row.at),
    agent: row.agent_id ? { id: row.agent_id, name: row.agent_name ?? "" } : null,
    delivery: row.delivery === null ? null : delivery(row.delivery),
    ...(row.delivery_error ? { delivery_error: row.delivery_error } : {}),
  };
}

export function toAuditEntry(row: AuditRow): HandoffEvent {
  return {
    id: row.id,
    handoff_id: row.handoff_id,
    type: auditType(row.type),
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? "" } : null,
    data: storedMetadata(row.data),
    at: iso(row.at),
  };
}

export const isOpen = (status: HandoffStatus | string): boolean =>
  status === "queued" || status === "active";
export type { Sender, Delivery };
