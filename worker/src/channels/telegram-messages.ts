// The text a Telegram Message stands for: its text, or a placeholder naming what was sent (a
// photo, a voice message, a location…) with the caption. Only the fields we read are validated.
import { z } from "zod";
import { locationText, placeholder, unsupportedText } from "./inbound";

const telegramId = z.int();
const name = z.string().optional();

export const telegramUser = z.object({
  id: telegramId,
  first_name: name,
  last_name: name,
  username: name,
});

export const telegramChat = z.object({
  id: telegramId,
  title: name,
  first_name: name,
  last_name: name,
  username: name,
});

const location = z.object({ latitude: z.number(), longitude: z.number() });
const file = z.object({ file_name: name });

export const telegramMessage = z.looseObject({
  message_id: telegramId,
  date: z.int().nonnegative(),
  chat: telegramChat,
  from: telegramUser.optional(),
  sender_chat: telegramChat.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  audio: z.object({ file_name: name, title: name, performer: name }).optional(),
  document: file.optional(),
  sticker: z.object({ emoji: name }).optional(),
  location: location.optional(),
  venue: z.object({ location, title: name, address: name }).optional(),
  contact: z.object({ phone_number: z.string(), first_name: name, last_name: name }).optional(),
  poll: z.object({ question: z.string() }).optional(),
  dice: z.object({ emoji: z.string(), value: z.int() }).optional(),
  game: z.object({ title: z.string() }).optional(),
});
export type TelegramMessage = z.infer<typeof telegramMessage>;

/** Keys of a Message that describe it rather than say what it carries. */
const DESCRIBING_KEYS = new Set([
  "message_id",
  "message_thread_id",
  "direct_messages_topic",
  "from",
  "sender_chat",
  "sender_boost_count",
  "sender_business_bot",
  "sender_tag",
  "date",
  "business_connection_id",
  "chat",
  "forward_origin",
  "is_topic_message",
  "is_automatic_forward",
  "reply_to_message",
  "external_reply",
  "quote",
  "reply_to_story",
  "reply_to_checklist_task_id",
  "via_bot",
  "edit_date",
  "has_protected_content",
  "is_from_offline",
  "is_paid_post",
  "media_group_id",
  "author_signature",
  "paid_star_count",
  "entities",
  "caption",
  "caption_entities",
  "link_preview_options",
  "effect_id",
  "show_caption_above_media",
  "has_media_spoiler",
  "reply_markup",
  "suggested_post_info",
]);

/** Service messages about a group itself, not something a person said to us. */
const GROUP_SERVICE_KEYS = new Set([
  "new_chat_members",
  "left_chat_member",
  "new_chat_title",
  "new_chat_photo",
  "delete_chat_photo",
  "group_chat_created",
  "supergroup_chat_created",
  "channel_chat_created",
  "migrate_to_chat_id",
  "migrate_from_chat_id",
  "pinned_message",
  "message_auto_delete_timer_changed",
]);

const joined = (...parts: (string | undefined)[]): string =>
  parts
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(" ");

/** What the message carries, as text; or why it is not something a person said. */
export function telegramMessageText(
  message: TelegramMessage,
): { text: string } | { ignored: string } {
  const caption = message.caption;
  if (message.text !== undefined) return { text: message.text };
  // An animation also carries a `document` (its file), so it is named first.
  if ("animation" in message) return { text: placeholder("GIF", caption) };
  if ("photo" in message) return { text: placeholder("photo", caption) };
  if ("video" in message) return { text: placeholder("video", caption) };
  if ("video_note" in message) return { text: placeholder("video message") };
  if ("voice" in message) return { text: placeholder("voice message", caption) };
  if (message.audio) {
    const { title, performer, file_name } = message.audio;
    const label = joined(performer, title && performer ? `– ${title}` : title) || file_name;
    return { text: placeholder(joined("audio", label), caption) };
  }
  if (message.document) {
    return { text: placeholder(joined("document", message.document.file_name), caption) };
  }
  if (message.sticker) return { text: placeholder(joined("sticker", message.sticker.emoji)) };
  // A venue also carries its `location`, so it is read first to keep its name and address.
  if (message.venue) {
    const { location: at, title, address } = message.venue;
    return { text: locationText(at.latitude, at.longitude, title, address) };
  }
  if (message.location) {
    return { text: locationText(message.location.latitude, message.location.longitude) };
  }
  if (message.contact) {
    const { first_name, last_name, phone_number } = message.contact;
    return { text: placeholder(joined("contact", first_name, last_name, phone_number)) };
  }
  if (message.poll) return { text: placeholder(`poll: ${message.poll.question}`) };
  if (message.dice)
    return { text: placeholder(`dice ${message.dice.emoji} ${message.dice.value}`) };
  if (message.game) return { text: placeholder(`game: ${message.game.title}`) };
  if ("story" in message) return { text: placeholder("story") };
  if ("paid_media" in message) return { text: placeholder("paid media", caption) };

  const kind = Object.keys(message).find((key) => !DESCRIBING_KEYS.has(key));
  if (kind && GROUP_SERVICE_KEYS.has(kind)) return { ignored: `group service message: ${kind}` };
  return { text: unsupportedText(kind ?? "unknown") };
}
