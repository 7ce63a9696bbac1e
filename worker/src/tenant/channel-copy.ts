// The tenant object's copy of its channels (credentials still sealed), kept current by the admin
// routes; an older copy never replaces a newer one, and a deleted channel stays as a tombstone.
// A channel without a bot hands every conversation to the humans: its handoffs are owned by a
// stand-in bot named after the channel, with the default texts and no webhook.
import { z } from "zod";
import type { ChannelCopy } from "../db/channels";
import { CHANNEL_TYPES } from "../../../schema/vocabulary";
import type { TenantCore } from "./core";
import {
  DEFAULT_MAX_WAIT_MINUTES,
  DEFAULT_MESSAGES,
  DEFAULT_REMINDER_DELAY_SECONDS,
} from "./templates";
import type { BotSettings } from "./types";

const channelRow = z.object({
  id: z.string(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  bot_id: z.string().nullable(),
  keywords: z.string(),
  config: z.string(),
  secrets: z.string(),
  version: z.number(),
  deleted: z.number(),
});

export function putChannel(core: TenantCore, channel: ChannelCopy, now: number): boolean {
  const written = core.sql.insert(
    "channels",
    {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      bot_id: channel.bot_id,
      keywords: JSON.stringify(channel.handoff_keywords),
      config: JSON.stringify(channel.config),
      secrets: channel.secrets,
      version: channel.version,
      deleted: channel.deleted ? 1 : 0,
    },
    `ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name, bot_id = excluded.bot_id,
       keywords = excluded.keywords, config = excluded.config, secrets = excluded.secrets,
       version = excluded.version, deleted = excluded.deleted
     WHERE excluded.version > channels.version`,
  );
  if (written > 0 && !channel.bot_id && !channel.deleted) core.putBot(standInBot(channel), now);
  return written > 0;
}

/** A live channel, or undefined. */
export function channelCopy(core: TenantCore, id: string): ChannelCopy | undefined {
  const found = core.sql.first(`SELECT * FROM channels WHERE id = ? AND deleted = 0`, id);
  if (!found) return undefined;
  const row = channelRow.parse(found);
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    bot_id: row.bot_id,
    handoff_keywords: z.array(z.string()).parse(JSON.parse(row.keywords)),
    config: z.record(z.string(), z.unknown()).parse(JSON.parse(row.config)),
    secrets: row.secrets,
    version: row.version,
    deleted: false,
  };
}

/** The channel a conversation id of the form `<channel id>:<chat id>` belongs to, if live. */
export function conversationChannel(core: TenantCore, conversationId: string) {
  const at = conversationId.indexOf(":");
  return at > 0 && conversationId.startsWith("ch_")
    ? channelCopy(core, conversationId.slice(0, at))
    : undefined;
}

/** The bot a channel's handoffs belong to: its own, or the stand-in of a channel without one. */
export function channelBot(core: TenantCore, channel: ChannelCopy): BotSettings | undefined {
  return core.bot(channel.bot_id ?? channel.id);
}

function standInBot(channel: ChannelCopy): BotSettings {
  return {
    id: channel.id,
    name: channel.name,
    webhook_url: null,
    webhook_secret: "",
    ...DEFAULT_MESSAGES,
    max_wait_minutes: DEFAULT_MAX_WAIT_MINUTES,
    reminder_delay_seconds: DEFAULT_REMINDER_DELAY_SECONDS,
    version: channel.version,
  };
}
