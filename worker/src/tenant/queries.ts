// Reads of a tenant's handoffs: the inbox list and a handoff's detail (the stats bar is counters.ts).
import type { HandoffStatus } from "../../../schema/shapes";
import type { Handoff, HandoffEvent, HandoffWithMetadata, Message } from "../../../schema/shapes";
import { encodeCursor, type Cursor } from "../../../schema/paging";
import type { TenantCore } from "./core";
import {
  toAuditEntry,
  toHandoff,
  toHandoffWithMetadata,
  toMessage,
  type AuditRow,
  type HandoffRow,
  type MessageRow,
} from "./records";

export interface ListFilter {
  statuses: HandoffStatus[];
  assignee: { kind: "any" } | { kind: "unassigned" } | { kind: "user"; id: string };
  q?: string;
  botId?: string;
  /** Only the handoffs of this team. */
  teamId?: string;
  limit: number;
  /** Only rows after this one, in the view's order (keyset paging). */
  after?: Cursor;
}

export interface ListPage {
  handoffs: Handoff[];
  has_more: boolean;
  next_cursor: string | null;
}

export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The queue (only queued/active) reads oldest waiting first; anything with history in it reads
 * newest first, so the most recent closed conversations come first. Ties on created_at are
 * broken by id, the same way in the object and in D1, so a cursor means the same in both.
 */
export const viewOrder = (statuses: HandoffStatus[]): "asc" | "desc" =>
  statuses.every((s) => s === "queued" || s === "active") ? "asc" : "desc";

/** The object's rows of a view, after the filter's cursor, `limit` at most. */
export function listRows(core: TenantCore, filter: ListFilter, limit: number): HandoffRow[] {
  const where: string[] = [`status IN (${filter.statuses.map(() => "?").join(", ")})`];
  const args: SqlStorageValue[] = [...filter.statuses];
  if (filter.assignee.kind === "unassigned") where.push(`assignee_id IS NULL`);
  if (filter.assignee.kind === "user") {
    where.push(`assignee_id = ?`);
    args.push(filter.assignee.id);
  }
  if (filter.botId) {
    where.push(`bot_id = ?`);
    args.push(filter.botId);
  }
  if (filter.teamId) {
    where.push(`team_id = ?`);
    args.push(filter.teamId);
  }
  if (filter.q) {
    const pattern = likePattern(filter.q);
    where.push(
      `(reason LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\' OR contact_name LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM messages m WHERE m.handoff_id = handoffs.id AND m.sender != 'system' AND m.text LIKE ? ESCAPE '\\'))`,
    );
    args.push(pattern, pattern, pattern, pattern);
  }
  const order = viewOrder(filter.statuses);
  if (filter.after) {
    const beyond = order === "asc" ? ">" : "<";
    where.push(`(created_at ${beyond} ? OR (created_at = ? AND id ${beyond} ?))`);
    args.push(filter.after.created_at, filter.after.created_at, filter.after.id);
  }
  const direction = order === "asc" ? "ASC" : "DESC";
  return core.sql.all<HandoffRow>(
    `SELECT * FROM handoffs WHERE ${where.join(" AND ")} ORDER BY created_at ${direction}, id ${direction} LIMIT ?`,
    ...args,
    limit,
  );
}

/** A page from rows fetched one past the limit: whether more follow, and where the next page starts. */
export function toPage(rows: HandoffRow[], limit: number): ListPage {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const hasMore = rows.length > limit;
  return {
    handoffs: page.map(toHandoff),
    has_more: hasMore,
    next_cursor:
      hasMore && last ? encodeCursor({ created_at: last.created_at, id: last.id }) : null,
  };
}

/** One page of a view from the object alone (the queue lives entirely in the object). */
export function listHandoffs(core: TenantCore, filter: ListFilter): ListPage {
  return toPage(listRows(core, filter, filter.limit + 1), filter.limit);
}

export interface HandoffDetail {
  handoff: HandoffWithMetadata;
  messages: Message[];
  events: HandoffEvent[];
}

export function handoffDetail(core: TenantCore, id: string): HandoffDetail | null {
  const row = core.handoffRow(id);
  if (!row) return null;
  const messages = core.sql
    .all<MessageRow>(`SELECT * FROM messages WHERE handoff_id = ? ORDER BY at, rowid`, id)
    .map(toMessage);
  const events = core.sql
    .all<AuditRow>(`SELECT * FROM audit WHERE handoff_id = ? ORDER BY at, rowid`, id)
    .map(toAuditEntry);
  return { handoff: toHandoffWithMetadata(row), messages, events };
}
