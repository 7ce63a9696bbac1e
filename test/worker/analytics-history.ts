// Hand-built histories for the analytics tests, written straight into D1 as the tenant object's
// mirror would leave them: handoffs, their transcripts and their audit trails.
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { handoffEvents, handoffs, messages } from "../../schema/tables";
import type { HandoffStatus } from "../../schema/vocabulary";
import type { TestTenant, TestUser } from "./fixtures";

export const at = (iso: string) => Date.parse(iso);
const SECOND = 1000;

let serial = 0;
const nextId = (prefix: string) => `${prefix}_an${++serial}_${crypto.randomUUID().slice(0, 8)}`;

export interface HistoryStep {
  /** Seconds after the escalation. */
  after: number;
  do:
    | { claim: TestUser }
    | { assign: TestUser; by: TestUser }
    | { release: TestUser }
    | { reply: TestUser }
    | { contact: string }
    | { system: string }
    | { resolve: TestUser }
    | { expire: true };
}

export interface HandoffSpec {
  created: string;
  channel?: string;
  contactName?: string;
  contactId?: string;
  conversationId?: string;
  team?: string;
  steps?: HistoryStep[];
  /** The website visitor's rating, as the widget leaves it on the handoff. */
  rating?: "up" | "down";
}

/** Writes one handoff and its history; its final status, assignee and times follow the steps. */
export async function writeHandoff(t: TestTenant, spec: HandoffSpec): Promise<string> {
  const db = drizzle(env.DB);
  const id = nextId("ho");
  const createdAt = at(spec.created);
  let status: HandoffStatus = "queued";
  let assignee: TestUser | null = null;
  let claimedAt: number | null = null;
  let resolvedAt: number | null = null;
  let outcome: string | null = null;
  const events: (typeof handoffEvents.$inferInsert)[] = [
    event(t, id, "escalated", null, {}, createdAt),
  ];
  const transcript: (typeof messages.$inferInsert)[] = [];
  for (const step of spec.steps ?? []) {
    const when = createdAt + step.after * SECOND;
    const s = step.do;
    if ("claim" in s) {
      if (status === "queued") claimedAt = when;
      status = "active";
      assignee = s.claim;
      events.push(event(t, id, "claimed", s.claim, {}, when));
    } else if ("assign" in s) {
      if (status === "queued") claimedAt = when;
      status = "active";
      assignee = s.assign;
      const agent = { id: s.assign.id, name: s.assign.name };
      events.push(event(t, id, "assigned", s.by, { agent }, when));
    } else if ("release" in s) {
      status = "queued";
      assignee = null;
      claimedAt = null;
      events.push(event(t, id, "released", s.release, {}, when));
    } else if ("reply" in s) {
      transcript.push(message(t, id, "agent", `reply from ${s.reply.name}`, when, s.reply));
    } else if ("contact" in s) {
      transcript.push(message(t, id, "contact", s.contact, when));
    } else if ("system" in s) {
      transcript.push(message(t, id, "system", s.system, when));
    } else if ("resolve" in s) {
      status = "resolved";
      resolvedAt = when;
      outcome = "close";
      events.push(event(t, id, "resolved", s.resolve, { outcome }, when));
    } else {
      status = "expired";
      events.push(event(t, id, "expired", null, {}, when));
    }
  }
  await db.insert(handoffs).values({
    id,
    tenantId: t.id,
    botId: t.botId,
    conversationId: spec.conversationId ?? nextId("conv"),
    status,
    channel: spec.channel ?? "whatsapp",
    contactId: spec.contactId ?? nextId("contact"),
    contactName: spec.contactName ?? "Maria Lopez",
    tags: "[]",
    priority: "normal",
    metadata: "{}",
    assigneeId: assignee?.id ?? null,
    assigneeName: assignee?.name ?? null,
    teamName: spec.team ?? null,
    outcome,
    rating: spec.rating ?? null,
    messageCount: transcript.length,
    createdAt,
    claimedAt,
    resolvedAt,
    updatedAt: createdAt,
  });
  await db.insert(handoffEvents).values(events);
  if (transcript.length > 0) await db.insert(messages).values(transcript);
  return id;
}

function event(
  t: TestTenant,
  handoffId: string,
  type: string,
  actor: TestUser | null,
  data: Record<string, unknown>,
  when: number,
): typeof handoffEvents.$inferInsert {
  return {
    id: nextId("ev"),
    tenantId: t.id,
    handoffId,
    type,
    actorId: actor?.id ?? null,
    actorName: actor?.name ?? null,
    data: JSON.stringify(data),
    at: when,
  };
}

function message(
  t: TestTenant,
  handoffId: string,
  sender: "agent" | "contact" | "system",
  text: string,
  when: number,
  agent?: TestUser,
): typeof messages.$inferInsert {
  return {
    id: nextId("msg"),
    tenantId: t.id,
    handoffId,
    sender,
    text,
    agentId: agent?.id ?? null,
    agentName: agent?.name ?? null,
    at: when,
  };
}

/**
 * `count` plain queued handoffs in one statement, three at a time at the same instant (so paging
 * must break ties by id), each three `spacingMs` after the last, from `start`.
 */
export async function writeMany(
  t: TestTenant,
  count: number,
  start: number,
  spacingMs: number,
): Promise<void> {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
     INSERT INTO handoffs (id, tenant_id, bot_id, conversation_id, status, channel, contact_id,
       tags, priority, metadata, message_count, created_at, updated_at)
     SELECT printf('ho_bulk_%s_%05d', ?2, i), ?2, ?3, printf('bulk-%05d', i), 'queued', 'web',
       printf('c-%05d', i), '[]', 'normal', '{}', 0, ?4 + (i / 3) * ?5, ?4 + (i / 3) * ?5
     FROM n`,
  )
    .bind(count, t.id, t.botId, start, spacingMs)
    .run();
}
