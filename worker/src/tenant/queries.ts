// Reads of a tenant's handoffs: the inbox list and a handoff's detail (the stats bar is counters.ts).
import type { HandoffStatus } from "../../../schema/shapes";
import type { Handoff, HandoffEvent, HandoffWithMetadata, Message } from "../../../schema/shapes";
import type { TenantCore } from "./core";
import { toEvent, toHandoff, toHandoffWithMetadata, toMessage, type EventRow, type HandoffRow, type MessageRow } from "./records";

export interface ListFilter {
  statuses: HandoffStatus[];
  assignee: { kind: "any" } | { kind: "unassigned" } | { kind: "user"; id: string };
  q?: string;
  botId?: string;
  limit: number;
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The queue (only queued/active) reads oldest waiting first; anything with history in it reads
 * newest first, so the most recent closed conversations are the ones within the limit.
 */
export function listHandoffs(core: TenantCore, filter: ListFilter): { handoffs: Handoff[]; has_more: boolean } {
  const where: string[] = [`status IN (${filter.statuses.map(() => "?").join(", ")})`];
  const args: SqlStorageValue[] = [...filter.statuses];
  if (filter.assignee.kind === "unassigned") where.push(`assignee_id IS NULL`);
  if (filter.assignee.kind === "user") {
    where.push(`assignee_id = ?`);
    args.push(filter.assignee.id);
  }
  if (filter.q) {
    const pattern = likePattern(filter.q);
    where.push(
      `(reason LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\' OR contact_name LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM messages m WHERE m.handoff_id = handoffs.id AND m.sender != 'system' AND m.text LIKE ? ESCAPE '\\'))`,
    );
    args.push(pattern, pattern, pattern, pattern);
  }
  const queueOnly = filter.statuses.every((s) => s === "queued" || s === "active");
  const order = queueOnly ? "created_at ASC, rowid ASC" : "created_at DESC, rowid DESC";
  const rows = core.sql.all<HandoffRow>(`SELECT * FROM handoffs WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ?`, ...args, filter.limit + 1);
  return { handoffs: rows.slice(0, filter.limit).map(toHandoff), has_more: rows.length > filter.limit };
}

export interface HandoffDetail {
  handoff: HandoffWithMetadata;
  messages: Message[];
  events: HandoffEvent[];
}

export function handoffDetail(core: TenantCore, id: string): HandoffDetail | null {
  const row = core.handoffRow(id);
  if (!row) return null;
  const messages = core.sql.all<MessageRow>(`SELECT * FROM messages WHERE handoff_id = ? ORDER BY at, rowid`, id).map(toMessage);
  const events = core.sql.all<EventRow>(`SELECT * FROM events WHERE handoff_id = ? ORDER BY at, rowid`, id).map(toEvent);
  return { handoff: toHandoffWithMetadata(row), messages, events };
}
