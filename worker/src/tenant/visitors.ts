// Website visitors (api.md "Website widget") inside the tenant object: each visitor token (only
// its SHA-256 hash is kept) resolves to exactly one conversation of one web channel, and nothing
// a visitor is shown comes from anywhere else. A visitor's conversation has its own numbered
// frames (kept for resume) that go only to that visitor's sockets, never to the agents'.
import type { TenantEvent } from "../../../schema/realtime";
import type { Delivery, Handoff } from "../../../schema/shapes";
import type {
  Rating,
  VisitorEvent,
  VisitorFrame,
  WidgetConversation,
  WidgetHandoff,
  WidgetMessage,
} from "../../../schema/widget";
import type { ChannelCopy } from "../db/channels";
import { newId } from "../ids";
import { channelCopy, conversationChannel } from "./channel-copy";
import { channelInbound, conversationOf, logLine } from "./channel-inbound";
import type { TenantCore } from "./core";
import { iso, toHandoff, type HandoffRow } from "./records";
import { withQueuePlace, withQueuePlaces } from "./queue";
import { fail, ok, type Result } from "./types";

/** Every visitor socket carries this tag; each also its conversation's. */
export const VISITOR_TAG = "visitor";
export const visitorTag = (conversationId: string) => `visitor:${conversationId}`;
/** A visitor token lives this long after its last use. */
export const VISITOR_TTL_MS = 30 * 24 * 3_600_000;
/** Frames kept per conversation for resume; lines a visitor is shown. */
const KEEP_FRAMES = 500;
const CONVERSATION_LINES = 200;
/** How the agents see a website visitor (the widget asks for no name). */
export const VISITOR_NAME = "Website visitor";

export interface Visitor extends Record<string, SqlStorageValue> {
  hash: string;
  visitor_id: string;
  channel_id: string;
  conversation_id: string;
  created_at: number;
  expires_at: number;
}

export const unknownVisitor = () =>
  fail({ code: "unauthorized", message: "Unknown or expired visitor token; start a new chat." });

/** A new visitor of a web channel: a conversation of their own. */
export function createVisitor(
  core: TenantCore,
  channel: ChannelCopy,
  hash: string,
  now: number,
): { conversation_id: string } {
  const visitorId = newId("v");
  const conversationId = conversationOf(channel.id, visitorId);
  core.sql.insert("visitors", {
    hash,
    visitor_id: visitorId,
    channel_id: channel.id,
    conversation_id: conversationId,
    created_at: now,
    expires_at: now + VISITOR_TTL_MS,
  });
  return { conversation_id: conversationId };
}

/** Whether the browser's Origin is one the channel allows. */
export function originAllowed(channel: ChannelCopy, origin: string | null): boolean {
  const allowed = channel.config.allowed_origins;
  return origin !== null && Array.isArray(allowed) && allowed.includes(origin);
}

/** The visitor a token hash belongs to, on a live web channel that allows this Origin. */
export function visitorFor(
  core: TenantCore,
  hash: string,
  origin: string | null,
  now: number,
): Result<{ visitor: Visitor; channel: ChannelCopy }> {
  const visitor = core.sql.first<Visitor>(
    `SELECT * FROM visitors WHERE hash = ? AND expires_at > ?`,
    hash,
    now,
  );
  if (!visitor) return unknownVisitor();
  const channel = channelCopy(core, visitor.channel_id);
  if (!channel || channel.type !== "web") return unknownVisitor();
  if (!originAllowed(channel, origin))
    return fail({ code: "forbidden", message: "This site may not use this chat." });
  return ok({ visitor, channel });
}

/** Keeps a token in use alive (written at most once a day). */
export function touchVisitor(core: TenantCore, visitor: Visitor, now: number): void {
  if (visitor.expires_at - now < VISITOR_TTL_MS - 24 * 3_600_000)
    core.sql.run(
      `UPDATE visitors SET expires_at = ? WHERE hash = ?`,
      now + VISITOR_TTL_MS,
      visitor.hash,
    );
}

/** The visitor writes: routed exactly like a channel's inbound message. */
export function visitorSays(
  core: TenantCore,
  visitor: Visitor,
  channel: ChannelCopy,
  text: string,
  now: number,
): WidgetMessage {
  touchVisitor(core, visitor, now);
  const contact = { id: visitor.visitor_id, name: VISITOR_NAME, phone: null };
  const providerMessageId = newId("wm");
  const event = { kind: "message" as const, providerMessageId, chatId: visitor.visitor_id };
  channelInbound(core, channel, [{ ...event, contact, text, at: now }], now);
  const line = core.sql.first<LogRow>(
    `SELECT * FROM conversation_log WHERE conversation_id = ? AND sender = 'contact'
     ORDER BY at DESC, rowid DESC LIMIT 1`,
    visitor.conversation_id,
  )!;
  return toWidgetMessage(line);
}

interface LogRow extends Record<string, SqlStorageValue> {
  id: string;
  sender: string;
  text: string;
  at: number;
  agent_name: string | null;
}

const SENDERS = new Set(["contact", "bot", "agent", "system"]);
function toWidgetMessage(row: LogRow): WidgetMessage {
  const from = SENDERS.has(row.sender) ? (row.sender as WidgetMessage["from"]) : "system";
  return {
    id: row.id,
    from,
    text: row.text,
    at: iso(row.at),
    agent: from === "agent" ? { name: row.agent_name ?? "" } : null,
  };
}

/** Whether a conversation is a website visitor's (so it has frames and sockets of its own). */
export const isWebConversation = (core: TenantCore, conversationId: string): boolean =>
  conversationChannel(core, conversationId)?.type === "web";

/** A line just logged for a web conversation: the visitor's sockets get it. */
export function visitorLine(
  core: TenantCore,
  conversationId: string,
  line: { id: string; sender: string; text: string; at: number; agent_name: string | null },
  now: number,
): void {
  pushVisitor(
    core,
    conversationId,
    { type: "message.created", data: { message: toWidgetMessage(line) } },
    now,
  );
}

/**
 * An agent's reply or an automatic message of a web handoff: it joins the conversation's lines
 * and goes to the visitor's sockets; "delivered" when one is open, else "sent" (shown on reload).
 */
export function relayToVisitor(
  core: TenantCore,
  conversationId: string,
  m: { id: string; from: "agent" | "system"; text: string; at: number; agentName: string | null },
  now: number,
): Delivery {
  logLine(core, conversationId, m.from, m.text, m.at, null, { id: m.id, agentName: m.agentName });
  return core.sockets(visitorTag(conversationId)).length > 0 ? "delivered" : "sent";
}

function head(core: TenantCore, conversationId: string): number {
  return (
    core.sql.first<{ head: number | null }>(
      `SELECT MAX(seq) AS head FROM visitor_frames WHERE conversation_id = ?`,
      conversationId,
    )?.head ?? 0
  );
}

/** Numbers a frame of the conversation, keeps it for resume and sends it once the step commits. */
function pushVisitor(
  core: TenantCore,
  conversationId: string,
  event: VisitorEvent,
  now: number,
): void {
  const seq = head(core, conversationId) + 1;
  const frame = JSON.stringify({ ...event, seq } satisfies VisitorFrame);
  core.sql.insert("visitor_frames", { conversation_id: conversationId, seq, frame, at: now });
  if (seq % 100 === 0)
    core.sql.run(
      `DELETE FROM visitor_frames WHERE conversation_id = ? AND seq <= ?`,
      conversationId,
      seq - KEEP_FRAMES,
    );
  core.feed.afterCommit(() => sendAll(core.sockets(visitorTag(conversationId)), frame));
}

export function sendAll(sockets: WebSocket[], frame: string): void {
  for (const ws of sockets) {
    try {
      ws.send(frame);
    } catch {
      // Closing: webSocketClose tidies up.
    }
  }
}

/** Frames after `since`, or null when the visitor must refetch the conversation. */
export function visitorFramesSince(
  core: TenantCore,
  conversationId: string,
  since: number,
): string[] | null {
  const current = head(core, conversationId);
  if (since > current) return null;
  if (since === current) return [];
  const rows = core.sql.all<{ seq: number; frame: string }>(
    `SELECT seq, frame FROM visitor_frames WHERE conversation_id = ? AND seq > ? ORDER BY seq`,
    conversationId,
    since,
  );
  if (rows[0]?.seq !== since + 1) return null;
  return rows.map((r) => r.frame);
}

/** The handoff as its visitor may see it: status, place in the queue, the agent's name. */
export function widgetHandoff(handoff: Handoff): WidgetHandoff {
  return {
    id: handoff.id,
    status: handoff.status,
    queue: handoff.queue ?? null,
    agent: handoff.assignee ? { name: handoff.assignee.name } : null,
    rating: handoff.rating,
  };
}

/** The visitor's own conversation: its last lines, its latest handoff, the frame number. */
export function conversationView(
  core: TenantCore,
  visitor: Visitor,
  now: number,
): WidgetConversation {
  const lines = core.sql.all<LogRow>(
    `SELECT * FROM (SELECT *, rowid AS r FROM conversation_log WHERE conversation_id = ?
       ORDER BY at DESC, rowid DESC LIMIT ${CONVERSATION_LINES}) ORDER BY at, r`,
    visitor.conversation_id,
  );
  const latest = latestHandoff(core, visitor.conversation_id);
  return {
    conversation_id: visitor.conversation_id,
    messages: lines.map(toWidgetMessage),
    handoff: latest ? widgetHandoff(withQueuePlace(core, toHandoff(latest), now)) : null,
    seq: head(core, visitor.conversation_id),
  };
}

const latestHandoff = (core: TenantCore, conversationId: string) =>
  core.sql.first<HandoffRow>(
    `SELECT * FROM handoffs WHERE conversation_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    conversationId,
  );

/** The open handoff of a visitor's conversation, if any. */
export const openHandoffOf = (core: TenantCore, conversationId: string) =>
  core.sql.first<{ id: string; assignee_id: string | null }>(
    `SELECT id, assignee_id FROM handoffs WHERE conversation_id = ? AND status IN ('queued', 'active')`,
    conversationId,
  );

/** The visitor rates a resolved handoff of their own conversation. */
export function rateHandoff(
  core: TenantCore,
  visitor: Visitor,
  handoffId: string,
  rating: Rating,
  now: number,
): Result<{ ok: true }> {
  const row = core.handoffRow(handoffId);
  if (!row || row.conversation_id !== visitor.conversation_id)
    return fail({ code: "not_found", message: "No such handoff in this conversation." });
  if (row.status !== "resolved")
    return fail({ code: "invalid_state", message: "Only a finished conversation can be rated." });
  if (row.rating === rating) return ok({ ok: true });
  const handoff = core.updateHandoff(handoffId, { rating }, now);
  core.audit(handoffId, "rated", null, { rating }, now);
  core.emit({ type: "handoff.updated", data: { handoff, change: "rated", actor: null } }, now);
  return ok({ ok: true });
}

/**
 * A tenant event about a web handoff becomes a frame for its visitor; any handoff event may move
 * the queue, so the places of waiting visitors are settled at the end of the step.
 */
export function visitorEvent(core: TenantCore, event: TenantEvent, now: number): void {
  if (event.type !== "handoff.created" && event.type !== "handoff.updated") return;
  core.due.visitors = true;
  const { handoff } = event.data;
  if (handoff.channel !== "web" || !isWebConversation(core, handoff.conversation_id)) return;
  pushHandoff(core, withQueuePlace(core, core.handoff(handoff.id) ?? handoff, now), now);
}

function pushHandoff(core: TenantCore, handoff: Handoff, now: number): void {
  const shown = widgetHandoff(handoff);
  if (shown.queue)
    core.sql.run(
      `INSERT INTO visitor_places (handoff_id, place) VALUES (?, ?)
       ON CONFLICT (handoff_id) DO UPDATE SET place = excluded.place`,
      handoff.id,
      String(shown.queue.position),
    );
  else core.sql.run(`DELETE FROM visitor_places WHERE handoff_id = ?`, handoff.id);
  pushVisitor(
    core,
    handoff.conversation_id,
    { type: "handoff.updated", data: { handoff: shown } },
    now,
  );
}

/** Tells each waiting visitor whose place in the queue moved (handoffs ahead were served). */
export function settleVisitorQueue(core: TenantCore, now: number): void {
  if (!core.due.visitors) return;
  core.due.visitors = false;
  const waiting = core.sql.all<HandoffRow & { told: string | null }>(
    `SELECT h.*, p.place AS told FROM handoffs h JOIN channels c ON c.id = h.channel_id AND c.type = 'web'
       LEFT JOIN visitor_places p ON p.handoff_id = h.id
     WHERE h.status = 'queued'`,
  );
  if (waiting.length === 0) return;
  const told = new Map(waiting.map((row) => [row.id, row.told]));
  for (const handoff of withQueuePlaces(core, waiting.map(toHandoff), now)) {
    // The position, not the estimate: that drifts with the clock and would be told on every step.
    if (String(handoff.queue?.position ?? "") !== told.get(handoff.id))
      pushHandoff(core, handoff, now);
  }
}
