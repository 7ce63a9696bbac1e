// What a channel's provider delivers, routed inside the tenant object (api.md "Channels"): an
// open handoff owns the conversation → the message joins it; a handoff keyword, or a channel
// without a bot → a handoff opens with the recent conversation as history; otherwise the bot gets
// `message.received` and answers through the conversations API. Provider message ids already
// taken are skipped (providers redeliver), and a burst from one contact is applied in order in
// one step, so it opens one handoff at most. Delivery statuses move the sent message's delivery.
import type { EscalateRecord } from "../../../schema/api";
import type { Delivery } from "../../../schema/vocabulary";
import type { InboundEvent } from "../channels/inbound";
import { handoffKeywordMatch } from "../channels/keywords";
import type { ChannelCopy } from "../db/channels";
import { newId } from "../ids";
import { channelBot } from "./channel-copy";
import type { TenantCore } from "./core";
import { contactMessage, escalate } from "./lifecycle";
import { isWebConversation, visitorLine } from "./visitors";

type InboundMessage = Extract<InboundEvent, { kind: "message" }>;
type InboundStatus = Extract<InboundEvent, { kind: "status" }>;

/** Lines of a channel conversation a new handoff opens with. */
const HISTORY_LINES = 20;
/** Deliveries only move forward (a late "delivered" never undoes "read"); failed ends it. */
const DELIVERY_ORDER: Delivery[] = ["pending", "sent", "delivered", "read"];

export const conversationOf = (channelId: string, chatId: string) => `${channelId}:${chatId}`;

export function channelInbound(
  core: TenantCore,
  channel: ChannelCopy,
  events: InboundEvent[],
  now: number,
): void {
  for (const event of events) {
    if (event.kind === "message") inboundMessage(core, channel, event, now);
    else if (event.kind === "status") inboundStatus(core, channel, event, now);
  }
  core.sql
    .run`INSERT INTO channel_state (channel_id, last_inbound_at) VALUES (${channel.id}, ${now})
    ON CONFLICT (channel_id) DO UPDATE SET last_inbound_at = excluded.last_inbound_at`;
}

/** A delivery the provider sent that we could not use: kept as the channel's last trouble. */
export function channelTrouble(core: TenantCore, channelId: string, error: string, now: number) {
  core.sql
    .run`INSERT INTO channel_state (channel_id, last_error, last_error_at) VALUES (${channelId}, ${error}, ${now})
    ON CONFLICT (channel_id) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`;
}

/** A line of a channel conversation; a website visitor's sockets get it at once. */
export function logLine(
  core: TenantCore,
  conversationId: string,
  sender: "contact" | "bot" | "agent" | "system",
  text: string,
  at: number,
  contact: InboundMessage["contact"] | null = null,
  extra: { id?: string; agentName?: string | null } = {},
): string {
  const line = {
    id: extra.id ?? newId("cl"),
    sender,
    text,
    at,
    agent_name: extra.agentName ?? null,
  };
  core.sql.insert("conversation_log", {
    ...line,
    conversation_id: conversationId,
    contact: contact ? JSON.stringify(contact) : null,
  });
  if (isWebConversation(core, conversationId)) visitorLine(core, conversationId, line, at);
  return line.id;
}

/** The conversation's recent lines, oldest first, as an escalation's history. */
function recentLines(core: TenantCore, conversationId: string): EscalateRecord["history"] {
  return core.sql
    .all<{ sender: string; text: string; at: number }>(
      `SELECT sender, text, at FROM (SELECT sender, text, at, rowid FROM conversation_log
         WHERE conversation_id = ? AND sender IN ('contact', 'bot')
         ORDER BY at DESC, rowid DESC LIMIT ${HISTORY_LINES}) ORDER BY at, rowid`,
      conversationId,
    )
    .map((line) => ({
      from: line.sender === "bot" ? ("bot" as const) : ("contact" as const),
      text: line.text,
      at: new Date(line.at).toISOString(),
    }));
}

/**
 * A bot escalating a channel conversation may leave out the channel, the contact and the
 * history: the Worker knows them from the conversation's traffic.
 */
export function withChannelDetails(
  core: TenantCore,
  channel: ChannelCopy,
  input: EscalateRecord,
): EscalateRecord {
  const last = core.sql.first<{ contact: string }>(
    `SELECT contact FROM conversation_log WHERE conversation_id = ? AND contact IS NOT NULL
     ORDER BY at DESC, rowid DESC LIMIT 1`,
    input.conversation_id,
  );
  const known = last ? (JSON.parse(last.contact) as InboundMessage["contact"]) : null;
  const contact = input.contact ?? (known ? escalationContact(known) : undefined);
  return {
    ...input,
    channel: channel.type,
    contact,
    history: input.history.length > 0 ? input.history : recentLines(core, input.conversation_id),
  };
}

function inboundMessage(
  core: TenantCore,
  channel: ChannelCopy,
  event: InboundMessage,
  now: number,
): void {
  const taken = core.sql.run(
    `INSERT OR IGNORE INTO channel_inbound (channel_id, provider_id, at) VALUES (?, ?, ?)`,
    channel.id,
    event.providerMessageId,
    now,
  );
  if (taken === 0) return; // redelivered
  const conversationId = conversationOf(channel.id, event.chatId);
  // Ordered by arrival: providers' clocks count whole seconds, ours a reply in the same second.
  logLine(core, conversationId, "contact", event.text, now, event.contact);
  const open = core.sql.first<{ bot_id: string }>(
    `SELECT bot_id FROM handoffs WHERE conversation_id = ? AND status IN ('queued', 'active')`,
    conversationId,
  );
  const input = {
    conversation_id: conversationId,
    id: event.providerMessageId,
    text: event.text,
    at: new Date(now).toISOString(),
  };
  if (open) {
    contactMessage(core, open.bot_id, input, now);
    return;
  }
  const bot = channelBot(core, channel);
  if (!bot) return channelTrouble(core, channel.id, "The channel's bot no longer exists.", now);
  if (!channel.bot_id || handoffKeywordMatch(event.text, channel.handoff_keywords)) {
    openHandoff(core, channel, conversationId, event, now);
    return;
  }
  core.outbox.enqueue(
    bot,
    conversationId,
    "message.received",
    {
      conversation_id: conversationId,
      channel: channel.type,
      contact: event.contact,
      message: { id: event.providerMessageId, text: event.text, at: input.at },
    },
    now,
  );
}

/** A provider's contact as an escalation names it (absent fields left out, not null). */
const escalationContact = (contact: InboundMessage["contact"]) => ({
  id: contact.id,
  ...(contact.name ? { name: contact.name } : {}),
  ...(contact.phone ? { phone: contact.phone } : {}),
});

/** A handoff for a channel conversation: its contact and recent lines are known here. */
function openHandoff(
  core: TenantCore,
  channel: ChannelCopy,
  conversationId: string,
  event: Pick<InboundMessage, "contact">,
  now: number,
) {
  const bot = channelBot(core, channel)!;
  const record: EscalateRecord = {
    conversation_id: conversationId,
    channel: channel.type,
    contact: escalationContact(event.contact),
    reason: "asked for a human",
    tags: [],
    priority: "normal",
    history: [],
    metadata: "{}",
  };
  return escalate(core, bot, record, now);
}

function inboundStatus(
  core: TenantCore,
  channel: ChannelCopy,
  event: InboundStatus,
  now: number,
): void {
  const send = core.sql.first<{ id: string; message_id: string | null }>(
    `SELECT id, message_id FROM channel_sends WHERE channel_id = ? AND provider_id = ?`,
    channel.id,
    event.providerMessageId,
  );
  if (!send?.message_id) return;
  const current = core.message(send.message_id);
  if (!current || current.delivery === "failed") return;
  const forward =
    event.delivery === "failed" ||
    DELIVERY_ORDER.indexOf(event.delivery) > DELIVERY_ORDER.indexOf(current.delivery ?? "pending");
  if (!forward) return;
  if (event.error)
    core.sql.run(`UPDATE channel_sends SET last_error = ? WHERE id = ?`, event.error, send.id);
  const message = core.setDelivery(send.message_id, event.delivery, now, event.error);
  if (message) core.emit({ type: "message.updated", data: { message } }, now);
}
