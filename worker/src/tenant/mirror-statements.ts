// The D1 statements that write one marked entity (a handoff with its contact, a message, an
// audit event) from the tenant object's copy: upserts, so writing one twice changes nothing.
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { contacts, handoffEvents, handoffs, messages } from "../../../schema/tables";
import type { SyncKind } from "../../../schema/sync-failures";
import {
  deliveryColumn,
  senderColumn,
  statusColumn,
  type AuditRow,
  type HandoffRow,
  type MessageRow,
} from "./records";
import type { Sql } from "./sql";

export type MirrorKind = SyncKind;
export type MirrorDb = DrizzleD1Database;

export interface MirrorMark {
  kind: MirrorKind;
  id: string;
}

export function statementsFor(
  sql: Sql,
  db: MirrorDb,
  mark: MirrorMark,
  tenantId: string,
): BatchItem<"sqlite">[] {
  if (mark.kind === "handoff") {
    const row = sql.first<HandoffRow>(`SELECT * FROM handoffs WHERE id = ?`, mark.id);
    if (!row) return [];
    const values = {
      id: row.id,
      tenantId,
      botId: row.bot_id,
      conversationId: row.conversation_id,
      status: statusColumn.parse(row.status),
      channel: row.channel,
      contactId: row.contact_id,
      contactName: row.contact_name,
      contactPhone: row.contact_phone,
      contactEmail: row.contact_email,
      reason: row.reason,
      summary: row.summary,
      tags: row.tags,
      priority: row.priority,
      metadata: row.metadata,
      assigneeId: row.assignee_id,
      assigneeName: row.assignee_name,
      teamId: row.team_id,
      teamName: row.team_name,
      outcome: row.outcome,
      note: row.note,
      rating: row.rating,
      messageCount: row.message_count,
      createdAt: row.created_at,
      claimedAt: row.claimed_at,
      resolvedAt: row.resolved_at,
      expiresAt: row.expires_at,
      updatedAt: row.updated_at,
    };
    const { id: _id, ...changes } = values;
    const contact = {
      tenantId,
      botId: row.bot_id,
      channel: row.channel,
      externalId: row.contact_id,
      name: row.contact_name,
      phone: row.contact_phone,
      email: row.contact_email,
      updatedAt: row.updated_at,
    };
    return [
      db.insert(handoffs).values(values).onConflictDoUpdate({ target: handoffs.id, set: changes }),
      db
        .insert(contacts)
        .values(contact)
        .onConflictDoUpdate({
          target: [contacts.botId, contacts.channel, contacts.externalId],
          set: {
            name: contact.name,
            phone: contact.phone,
            email: contact.email,
            updatedAt: contact.updatedAt,
          },
        }),
    ];
  }
  if (mark.kind === "message") {
    const row = sql.first<MessageRow>(`SELECT * FROM messages WHERE id = ?`, mark.id);
    if (!row) return [];
    const values = {
      id: row.id,
      tenantId,
      handoffId: row.handoff_id,
      externalId: row.external_id,
      sender: senderColumn.parse(row.sender),
      text: row.text,
      agentId: row.agent_id,
      agentName: row.agent_name,
      delivery: deliveryColumn.parse(row.delivery),
      at: row.at,
    };
    return [
      db
        .insert(messages)
        .values(values)
        .onConflictDoUpdate({ target: messages.id, set: { delivery: values.delivery } }),
    ];
  }
  const row = sql.first<AuditRow>(`SELECT * FROM audit WHERE id = ?`, mark.id);
  if (!row) return [];
  return [
    db
      .insert(handoffEvents)
      .values({
        id: row.id,
        tenantId,
        handoffId: row.handoff_id,
        type: row.type,
        actorId: row.actor_id,
        actorName: row.actor_name,
        data: row.data,
        at: row.at,
      })
      .onConflictDoNothing(),
  ];
}
