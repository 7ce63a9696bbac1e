// The durable outbox from the tenant object to D1. A change is marked in the same synchronous
// write that makes it; the alarm flushes marks in batches and retries until D1 takes them, so
// an acknowledged message survives D1 being down.
import { drizzle } from "drizzle-orm/d1";
import type { BatchItem } from "drizzle-orm/batch";
import { contacts, handoffEvents, handoffs, messages } from "../../../schema/tables";
import { deliveryColumn, senderColumn, statusColumn, type EventRow, type HandoffRow, type MessageRow } from "./records";
import type { Sql } from "./sql";
import type { Timers } from "./timers";

export type MirrorKind = "handoff" | "message" | "event";

interface Mark extends Record<string, SqlStorageValue> {
  kind: MirrorKind;
  id: string;
  gen: number;
}

const BATCH = 80;
const RETRY_MS = [1_000, 5_000, 15_000, 60_000];

export class Mirror {
  private failures = 0;

  constructor(
    private readonly sql: Sql,
    private readonly timers: Timers,
  ) {}

  mark(kind: MirrorKind, id: string, now: number): void {
    this.sql.run(
      `INSERT INTO mirror (kind, id, gen) VALUES (?, ?, 1) ON CONFLICT (kind, id) DO UPDATE SET gen = gen + 1`,
      kind,
      id,
    );
    this.timers.setIfAbsent("mirror", "", now);
  }

  pending(): number {
    return this.sql.first<{ n: number }>(`SELECT COUNT(*) AS n FROM mirror`)?.n ?? 0;
  }

  /** Writes one batch to D1; re-arms itself while marks remain, with backoff after a failure. */
  async flush(d1: D1Database, tenantId: string): Promise<void> {
    const marks = this.sql.all<Mark>(`SELECT kind, id, gen FROM mirror ORDER BY rowid LIMIT ?`, BATCH);
    if (marks.length === 0) return this.timers.clear("mirror", "");
    const db = drizzle(d1);
    const statements = marks.flatMap((mark) => this.statementsFor(db, mark, tenantId));
    const [first, ...rest] = statements;
    try {
      if (first) await db.batch([first, ...rest]);
    } catch (error) {
      this.failures += 1;
      const delay = RETRY_MS[Math.min(this.failures - 1, RETRY_MS.length - 1)]!;
      console.warn(`D1 mirror write failed (${marks.length} pending, retry in ${delay} ms):`, String(error));
      this.timers.set("mirror", "", Date.now() + delay);
      return;
    }
    this.failures = 0;
    for (const mark of marks) {
      this.sql.run(`DELETE FROM mirror WHERE kind = ? AND id = ? AND gen = ?`, mark.kind, mark.id, mark.gen);
    }
    if (this.pending() > 0) this.timers.set("mirror", "", Date.now());
    else this.timers.clear("mirror", "");
  }

  private statementsFor(db: ReturnType<typeof drizzle>, mark: Mark, tenantId: string): BatchItem<"sqlite">[] {
    if (mark.kind === "handoff") {
      const row = this.sql.first<HandoffRow>(`SELECT * FROM handoffs WHERE id = ?`, mark.id);
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
        outcome: row.outcome,
        note: row.note,
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
            set: { name: contact.name, phone: contact.phone, email: contact.email, updatedAt: contact.updatedAt },
          }),
      ];
    }
    if (mark.kind === "message") {
      const row = this.sql.first<MessageRow>(`SELECT * FROM messages WHERE id = ?`, mark.id);
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
      return [db.insert(messages).values(values).onConflictDoUpdate({ target: messages.id, set: { delivery: values.delivery } })];
    }
    const row = this.sql.first<EventRow>(`SELECT * FROM events WHERE id = ?`, mark.id);
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
}
