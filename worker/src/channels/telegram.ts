// Telegram Bot API: reading the updates its webhook delivers, checking the secret token it sends
// with them, and building the calls we make (sendMessage, setWebhook) and reading their answers.
//
// Ids: Telegram numbers messages per chat, so a message's providerMessageId is
// `<chat id>:<message_id>` (unique per bot, the same for every redelivery of that update). A
// reaction has no message id of its own; it is `<chat id>:<message_id>:reaction:<update_id>`.
import { z } from "zod";
import {
  clampText,
  epochSecondsToMs,
  ignored,
  reactionText,
  secretsEqual,
  type InboundContact,
  type InboundEvent,
} from "./inbound";
import { failure, retryAfterFromHeaders, retryAfterFromValue, type SendOutcome } from "./outbound";
import {
  telegramChat,
  telegramMessage,
  telegramMessageText,
  telegramUser,
} from "./telegram-messages";

/** The updates we ask Telegram for: what contacts say, and their reactions. */
export const TELEGRAM_ALLOWED_UPDATES = ["message", "message_reaction"] as const;

const update = z.looseObject({ update_id: z.int() });

const reactionType = z.union([
  z.object({ type: z.literal("emoji"), emoji: z.string() }),
  z.object({ type: z.literal("custom_emoji"), custom_emoji_id: z.string() }),
  z.object({ type: z.literal("paid") }),
]);

const messageReaction = z.object({
  chat: telegramChat,
  message_id: z.int(),
  user: telegramUser.optional(),
  actor_chat: telegramChat.optional(),
  date: z.int().nonnegative(),
  old_reaction: z.array(reactionType),
  new_reaction: z.array(reactionType),
});

type User = z.infer<typeof telegramUser>;
type Chat = z.infer<typeof telegramChat>;

const fullName = (first?: string, last?: string): string | null =>
  [first, last].filter((part) => part?.trim()).join(" ") || null;

/**
 * The person behind a message: its sender, or else the chat that speaks for them (an anonymous
 * group admin, a channel) or the chat itself.
 */
function contactOf(from: User | undefined, chat: Chat): InboundContact {
  if (from) {
    const name = fullName(from.first_name, from.last_name) ?? from.username ?? null;
    return { id: String(from.id), name, phone: null };
  }
  const name = chat.title ?? fullName(chat.first_name, chat.last_name) ?? chat.username ?? null;
  return { id: String(chat.id), name, phone: null };
}

type Reaction = z.infer<typeof reactionType>;

const reactionLabel = (reaction: Reaction): string =>
  reaction.type === "emoji" ? reaction.emoji : reaction.type === "paid" ? "⭐" : "a custom emoji";

const reactionKey = (reaction: Reaction): string =>
  reaction.type === "emoji"
    ? `emoji:${reaction.emoji}`
    : reaction.type === "custom_emoji"
      ? `custom:${reaction.custom_emoji_id}`
      : "paid";

function parseReaction(updateId: number, body: unknown): InboundEvent {
  const parsed = messageReaction.safeParse(body);
  if (!parsed.success) return ignored("malformed Telegram reaction");
  const reaction = parsed.data;
  const before = new Set(reaction.old_reaction.map(reactionKey));
  const added = reaction.new_reaction.filter((next) => !before.has(reactionKey(next)));
  const at = epochSecondsToMs(reaction.date);
  if (at === null) return ignored("malformed Telegram reaction");
  if (added.length === 0) return ignored("reaction removed");
  return {
    kind: "message",
    providerMessageId: `${reaction.chat.id}:${reaction.message_id}:reaction:${updateId}`,
    chatId: String(reaction.chat.id),
    contact: contactOf(reaction.user, reaction.actor_chat ?? reaction.chat),
    text: reactionText(added.map(reactionLabel).join(" ")),
    at,
  };
}

function parseMessage(body: unknown): InboundEvent {
  const parsed = telegramMessage.safeParse(body);
  if (!parsed.success) return ignored("malformed Telegram message");
  const message = parsed.data;
  const at = epochSecondsToMs(message.date);
  if (at === null) return ignored("malformed Telegram message");
  const content = telegramMessageText(message);
  if ("ignored" in content) return ignored(content.ignored);
  return {
    kind: "message",
    providerMessageId: `${message.chat.id}:${message.message_id}`,
    chatId: String(message.chat.id),
    contact: contactOf(message.from, message.sender_chat ?? message.chat),
    text: clampText(content.text),
    at,
  };
}

function readUpdate(body: unknown): InboundEvent[] {
  const parsed = update.safeParse(body);
  if (!parsed.success) return [ignored("not a Telegram update")];
  const { update_id: updateId, ...rest } = parsed.data;
  if ("message" in rest) return [parseMessage(rest.message)];
  if ("message_reaction" in rest) return [parseReaction(updateId, rest.message_reaction)];
  if ("edited_message" in rest) {
    return [ignored("edited message (the conversation keeps the original text)")];
  }
  const kind = Object.keys(rest)[0];
  return [ignored(kind ? `Telegram update not handled: ${kind}` : "empty Telegram update")];
}

/** One webhook delivery (an Update) → what happened; always at least one event, never throws. */
export function parseTelegramUpdate(body: unknown): InboundEvent[] {
  try {
    return readUpdate(body);
  } catch {
    // Parsed JSON cannot make validation throw, but a provider must never see a crash from us.
    return [ignored("unreadable Telegram update")];
  }
}

/**
 * Whether `X-Telegram-Bot-Api-Secret-Token` is the channel's secret, compared in constant time
 * (only the length can show, and ours is always 48 characters).
 */
export function verifyTelegramSecret(header: string | null, expected: string): boolean {
  return secretsEqual(header, expected);
}

const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/** A new secret_token for setWebhook: 48 characters of [A-Za-z0-9_-], 288 random bits. */
export function newTelegramSecretToken(): string {
  // 64 symbols, so each random byte's low six bits pick one without bias.
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  return Array.from(bytes, (byte) => SECRET_ALPHABET[byte & 63]).join("");
}

const botMethodUrl = (base: string, botToken: string, method: string): string =>
  `${base.replace(/\/+$/, "")}/bot${botToken}/${method}`;

const postJson = (url: string, body: unknown): Request =>
  new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

export function telegramSendRequest(
  base: string,
  botToken: string,
  chatId: string,
  text: string,
): Request {
  return postJson(botMethodUrl(base, botToken, "sendMessage"), { chat_id: chatId, text });
}

export function telegramSetWebhookRequest(
  base: string,
  botToken: string,
  url: string,
  secretToken: string,
): Request {
  return postJson(botMethodUrl(base, botToken, "setWebhook"), {
    url,
    secret_token: secretToken,
    allowed_updates: TELEGRAM_ALLOWED_UPDATES,
  });
}

const answer = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).optional(),
});
const sentMessage = z.object({ message_id: z.int(), chat: z.object({ id: z.int() }) });

/** The agent-facing words for a refusal, from Telegram's own description. */
function refusalInWords(status: number, description: string | undefined): string {
  const said = description ?? "";
  if (/bot was blocked by the user/i.test(said)) {
    return "The contact has blocked the bot on Telegram, so messages cannot reach them.";
  }
  if (/user is deactivated/i.test(said)) return "The contact's Telegram account was deleted.";
  if (/chat not found/i.test(said)) {
    return "Telegram does not know this chat (the contact may never have started the bot).";
  }
  if (/message is too long/i.test(said)) return "The message is longer than Telegram allows.";
  if (status === 401 || status === 404) {
    return "Telegram refused the bot token: the channel's bot token is wrong or was revoked.";
  }
  if (status === 429) return `Telegram asked to slow down: ${said || "too many requests"}`;
  if (status >= 500)
    return `Telegram had a temporary problem (HTTP ${status})${said ? `: ${said}` : ""}`;
  return `Telegram refused the message (HTTP ${status})${said ? `: ${said}` : ""}`;
}

/** Telegram's answer to sendMessage (or setWebhook) → what the outbox does next. */
export function parseTelegramSendResponse(
  status: number,
  body: unknown,
  headers?: Headers,
): SendOutcome {
  const parsed = answer.safeParse(body);
  const data = parsed.success ? parsed.data : null;
  if (status >= 200 && status < 300 && data?.ok !== false) {
    // A 2xx we cannot read still means Telegram took it: sending again would send it twice.
    const sent = sentMessage.safeParse(data?.result);
    return {
      ok: true,
      providerMessageId: sent.success ? `${sent.data.chat.id}:${sent.data.message_id}` : null,
    };
  }
  const retryAfter =
    retryAfterFromValue(data?.parameters?.retry_after) ?? retryAfterFromHeaders(headers);
  // Telegram answers errors with their own HTTP status; a 2xx with ok:false is a refusal.
  const effective = status >= 200 && status < 300 ? 400 : status;
  return failure(effective, refusalInWords(effective, data?.description), retryAfter);
}
