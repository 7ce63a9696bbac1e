// D1 reads of the transcript the tenant objects mirror there: history beyond what an object
// still holds (closed handoffs leave it after a few days). Every query is scoped to one tenant.
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gt,
  inArray,
  isNull,
  lt,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import type { Cursor } from "../../../schema/paging";
import { handoffEvents, handoffs, messages } from "../../../schema/tables";
import { toAuditEntry, toHandoffWithMetadata, toMessage, type HandoffRow } from "../tenant/records";
import { likePattern, type HandoffDetail, type ListFilter } from "../tenant/queries";

// The last conversational message, as the object keeps it in last_text / last_from / last_at.
// (Qualified by hand: drizzle writes bare column names in a select, which the subquery would
// resolve to its own table.)
const lastMessage = sql<
  string | null
>`(SELECT json_object('text', m.text, 'from', m.sender, 'at', m.at) FROM messages m
  WHERE m.tenant_id = "handoffs"."tenant_id" AND m.handoff_id = "handoffs"."id" AND m.sender != 'system'
  ORDER BY m.at DESC, m.rowid DESC LIMIT 1)`;
const lastColumn = z.object({ text: z.string(), from: z.string(), at: z.number() }).nullable();

type D1Handoff = typeof handoffs.$inferSelect & { last: string | null };

function toRow(h: D1Handoff): HandoffRow {
  const last = lastColumn.parse(h.last === null ? null : JSON.parse(h.last));
  return {
    id: h.id,
    bot_id: h.botId,
    conversation_id: h.conversationId,
    channel_id: null,
    status: h.status,
    channel: h.channel,
    contact_id: h.contactId,
    contact_name: h.contactName,
    contact_phone: h.contactPhone,
    contact_email: h.contactEmail,
    reason: h.reason,
    summary: h.summary,
    tags: h.tags,
    priority: h.priority,
    metadata: h.metadata,
    assignee_id: h.assigneeId,
    assignee_name: h.assigneeName,
    team_id: h.teamId,
    team_name: h.teamName,
    outcome: h.outcome,
    note: h.note,
    rating: h.rating,
    message_count: h.messageCount,
    last_text: last?.text ?? null,
    last_from: last?.from ?? null,
    last_at: last?.at ?? null,
    max_wait_ms: 0,
    created_at: h.createdAt,
    claimed_at: h.claimedAt,
    resolved_at: h.resolvedAt,
    expires_at: h.expiresAt,
    updated_at: h.updatedAt,
  };
}

function selectHandoffs(d1: D1Database) {
  return drizzle(d1)
    .select({ ...getTableColumns(handoffs), last: lastMessage })
    .from(handoffs);
}

/** After `cursor` in the view's order: (created_at, id) ascending or descending. */
function after(cursor: Cursor, order: "asc" | "desc"): SQL | undefined {
  const beyond = order === "asc" ? gt : lt;
  return or(
    beyond(handoffs.createdAt, cursor.created_at),
    and(eq(handoffs.createdAt, cursor.created_at), beyond(handoffs.id, cursor.id)),
  );
}

/** One page of a tenant's handoffs in D1 that match the list's filters, `limit` rows at most. */
export async function historyPage(
  d1: D1Database,
  tenantId: string,
  filter: ListFilter,
  order: "asc" | "desc",
  limit: number,
): Promise<HandoffRow[]> {
  const conditions: (SQL | undefined)[] = [
    eq(handoffs.tenantId, tenantId),
    inArray(handoffs.status, filter.statuses),
  ];
  if (filter.assignee.kind === "unassigned") conditions.push(isNull(handoffs.assigneeId));
  if (filter.assignee.kind === "user") conditions.push(eq(handoffs.assigneeId, filter.assignee.id));
  if (filter.botId) conditions.push(eq(handoffs.botId, filter.botId));
  if (filter.teamId) conditions.push(eq(handoffs.teamId, filter.teamId));
  if (filter.q) {
    const p = likePattern(filter.q);
    conditions.push(
      or(
        sql`${handoffs.reason} LIKE ${p} ESCAPE '\\'`,
        sql`${handoffs.summary} LIKE ${p} ESCAPE '\\'`,
        sql`${handoffs.contactName} LIKE ${p} ESCAPE '\\'`,
        sql`EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = ${tenantId} AND m.handoff_id = "handoffs"."id"
              AND m.sender != 'system' AND m.text LIKE ${p} ESCAPE '\\')`,
      ),
    );
  }
  if (filter.after) conditions.push(after(filter.after, order));
  const direction = order === "asc" ? asc : desc;
  const rows = await selectHandoffs(d1)
    .where(and(...conditions))
    .orderBy(direction(handoffs.createdAt), direction(handoffs.id))
    .limit(limit);
  return rows.map(toRow);
}

/** A contact's handoffs in D1 (of one bot, when given), newest first. */
export async function contactHistory(
  d1: D1Database,
  tenantId: string,
  contactId: string,
  botId: string | undefined,
  limit: number,
): Promise<HandoffRow[]> {
  const rows = await selectHandoffs(d1)
    .where(
      and(
        eq(handoffs.tenantId, tenantId),
        eq(handoffs.contactId, contactId),
        botId ? eq(handoffs.botId, botId) : undefined,
      ),
    )
    .orderBy(desc(handoffs.createdAt), desc(handoffs.id))
    .limit(limit);
  return rows.map(toRow);
}

/** One handoff from D1 with its transcript and audit trail (of one bot, when given), or null. */
export async function historyDetail(
  d1: D1Database,
  tenantId: string,
  id: string,
  botId?: string,
): Promise<HandoffDetail | null> {
  const [row] = await selectHandoffs(d1)
    .where(
      and(
        eq(handoffs.tenantId, tenantId),
        eq(handoffs.id, id),
        botId ? eq(handoffs.botId, botId) : undefined,
      ),
    )
    .limit(1);
  if (!row) return null;
  const db = drizzle(d1);
  const [transcript, audit] = await db.batch([
    db
      .select()
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.handoffId, id)))
      .orderBy(asc(messages.at), sql`rowid`),
    db
      .select()
      .from(handoffEvents)
      .where(and(eq(handoffEvents.tenantId, tenantId), eq(handoffEvents.handoffId, id)))
      .orderBy(asc(handoffEvents.at), sql`rowid`),
  ]);
  return {
    handoff: toHandoffWithMetadata(toRow(row)),
    messages: transcript.map((m) =>
      toMessage({
        id: m.id,
        handoff_id: m.handoffId,
        external_id: m.externalId,
        delivery_error: null,
        sender: m.sender,
        text: m.text,
        agent_id: m.agentId,
        agent_name: m.agentName,
        delivery: m.delivery,
        at: m.at,
      }),
    ),
    events: audit.map((e) =>
      toAuditEntry({
        id: e.id,
        handoff_id: e.handoffId,
        type: e.type,
        actor_id: e.actorId,
        actor_name: e.actorName,
        data: e.data,
        at: e.at,
      }),
    ),
  };
}
