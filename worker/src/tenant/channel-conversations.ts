// A channel conversation while the bot owns it: the bot's answers go out through the channel and
// join the conversation's recent lines (the history a later handoff opens with). Also each
// channel's health as its admins see it.
import { conversationChannel, channelBot } from "./channel-copy";
import { logLine } from "./channel-inbound";
import { queueSend } from "./channel-outbox";
import type { TenantCore } from "./core";
import { iso } from "./records";
import { fail, ok, type BotSettings, type Result } from "./types";

export interface ConversationMessage {
  id: string;
  conversation_id: string;
  from: "bot";
  text: string;
  at: string;
}

export interface ChannelState {
  channel_id: string;
  last_inbound_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
}

export function botSays(
  core: TenantCore,
  bot: BotSettings,
  conversationId: string,
  text: string,
  now: number,
): Result<{ message: ConversationMessage }> {
  const channel = conversationChannel(core, conversationId);
  // Another bot's (or tenant's) conversation reads exactly like one that does not exist.
  if (!channel || channelBot(core, channel)?.id !== bot.id)
    return fail({ code: "not_found", message: "No such conversation for this bot." });
  // A website visitor's sockets get the line as it is logged; other channels send it.
  const id = logLine(core, conversationId, "bot", text, now);
  if (channel.type !== "web")
    queueSend(core, { channelId: channel.id, conversationId, text, messageId: null }, now);
  return ok({
    message: { id, conversation_id: conversationId, from: "bot", text, at: iso(now) },
  });
}

export function channelStates(core: TenantCore): ChannelState[] {
  return core.sql
    .all<{
      channel_id: string;
      last_inbound_at: number | null;
      last_error: string | null;
      last_error_at: number | null;
    }>(`SELECT * FROM channel_state`)
    .map((row) => ({
      channel_id: row.channel_id,
      last_inbound_at: row.last_inbound_at === null ? null : iso(row.last_inbound_at),
      last_error: row.last_error,
      last_error_at: row.last_error_at === null ? null : iso(row.last_error_at),
    }));
}
