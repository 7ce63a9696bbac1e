// Texts going out to a channel's contacts (agent replies, the automatic messages, the bot's own):
// a durable outbox sent from the alarm in the background, in order per conversation, and never
// one conversation waiting on another's. 429 and 5xx are retried with backoff (at least the
// provider's retry_after); other refusals fail the message at once, with the provider's reason.
import type { Delivery, Sender } from "../../../schema/vocabulary";
import type { SendOutcome } from "../channels/outbound";
import { parseTelegramSendResponse, telegramSendRequest } from "../channels/telegram";
import { parseWhatsAppSendResponse, whatsAppSendRequest } from "../channels/whatsapp";
import { openSecrets } from "../db/channels";
import { newId } from "../ids";
import { channelCopy } from "./channel-copy";
import type { TenantCore } from "./core";
import { relayToVisitor } from "./visitors";

/** The Worker's side of sending: the sealing key and the providers' API bases. */
export interface ChannelSending {
  key: string | undefined;
  telegramBase: string;
  whatsappBase: string;
}

/** Backoff before each retry: 2 s, 10 s, 1 min, 5 min, 15 min, 1 h; then the message fails. */
const RETRY_DELAYS_MS = [2_000, 10_000, 60_000, 300_000, 900_000, 3_600_000];
const REQUEST_TIMEOUT_MS = 10_000;

interface SendRow extends Record<string, SqlStorageValue> {
  id: string;
  channel_id: string;
  conversation_id: string;
  chat_id: string;
  message_id: string | null;
  text: string;
  attempts: number;
  next_at: number;
}

/**
 * A text of a channel handoff on its way to the contact: a website visitor gets agents' and
 * automatic texts on their sockets at once; any other channel's go through the outbox. History
 * lines the contact already saw are not sent again. Answers the message's first delivery state.
 */
/**
 * What a channel contact is sent: agents' replies and the automatic texts. Their own words and
 * the bot's lines (the bot's answers went out when it gave them; an escalation's history was
 * already said) are not sent again.
 */
export const isRelayed = (from: Sender): from is "agent" | "system" =>
  from === "agent" || from === "system";

export function relayText(
  core: TenantCore,
  relay: { channelId: string; conversationId: string },
  m: { id: string; from: Sender; text: string; at: number; agentName: string | null },
  now: number,
): Delivery | null {
  if (!isRelayed(m.from)) return null;
  if (channelCopy(core, relay.channelId)?.type === "web")
    return relayToVisitor(core, relay.conversationId, { ...m, from: m.from }, now);
  queueSend(core, { ...relay, text: m.text, messageId: m.id }, now);
  return "pending";
}

/** Queues a text for a channel conversation; it goes out after the ones before it. */
export function queueSend(
  core: TenantCore,
  send: { channelId: string; conversationId: string; text: string; messageId: string | null },
  now: number,
): void {
  const chatId = send.conversationId.slice(send.channelId.length + 1);
  core.sql.insert("channel_sends", {
    id: newId("snd"),
    channel_id: send.channelId,
    conversation_id: send.conversationId,
    chat_id: chatId,
    message_id: send.messageId,
    text: send.text,
    status: "pending",
    attempts: 0,
    created_at: now,
    next_at: now,
  });
  core.timers.setEarlier("send", send.conversationId, now);
}

/**
 * Conversations this object is sending right now. A text queued meanwhile makes the alarm run
 * again; that run leaves the conversation to the one under way (which takes the new text after
 * the current one), or the text in flight would go out twice.
 */
const sendingNow = new WeakMap<TenantCore, Set<string>>();

/** Sends what is due in each conversation, one at a time and in order. */
export async function sendDue(
  core: TenantCore,
  sending: ChannelSending,
  conversations: string[],
  settled: () => Promise<void>,
): Promise<void> {
  const busy = sendingNow.get(core) ?? new Set<string>();
  sendingNow.set(core, busy);
  await Promise.all(
    conversations
      .filter((conversationId) => !busy.has(conversationId))
      .map(async (conversationId) => {
        busy.add(conversationId);
        try {
          for (;;) {
            const row = core.sql.first<SendRow>(
              `SELECT * FROM channel_sends WHERE conversation_id = ? AND status = 'pending'
               ORDER BY created_at, rowid LIMIT 1`,
              conversationId,
            );
            if (!row) return core.timers.clear("send", conversationId);
            if (row.next_at > Date.now())
              return core.timers.set("send", conversationId, row.next_at);
            const outcome = await attempt(core, sending, row);
            if (!record(core, row, outcome)) return;
            await settled();
          }
        } finally {
          busy.delete(conversationId);
        }
      }),
  );
  await settled();
}

async function attempt(core: TenantCore, sending: ChannelSending, row: SendRow) {
  const channel = channelCopy(core, row.channel_id);
  if (!channel) return final("The channel was disconnected.");
  try {
    const secrets = await openSecrets(sending.key, channel);
    const request =
      channel.type === "telegram"
        ? telegramSendRequest(sending.telegramBase, secrets.bot_token ?? "", row.chat_id, row.text)
        : channel.type === "whatsapp"
          ? whatsAppSendRequest(
              sending.whatsappBase,
              channel.config.phone_number_id ?? "",
              secrets.access_token ?? "",
              row.chat_id,
              row.text,
            )
          : null;
    if (!request) return final("This channel has no provider to send through.");
    const response = await fetch(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body: unknown = await response.json().catch(() => null);
    return channel.type === "telegram"
      ? parseTelegramSendResponse(response.status, body, response.headers)
      : parseWhatsAppSendResponse(response.status, body, response.headers);
  } catch (error) {
    return {
      ok: false,
      retry: true,
      retryAfterSeconds: null,
      error: `Could not reach the provider: ${error instanceof Error ? error.message : String(error)}`,
    } satisfies SendOutcome;
  }
}

const final = (error: string): SendOutcome => ({
  ok: false,
  retry: false,
  retryAfterSeconds: null,
  error,
});

/** Stores an attempt's outcome; answers whether the conversation's next send may go now. */
function record(core: TenantCore, row: SendRow, outcome: SendOutcome): boolean {
  const now = Date.now();
  const attempts = row.attempts + 1;
  if (outcome.ok) {
    core.sql
      .run`UPDATE channel_sends SET status = 'sent', attempts = ${attempts}, provider_id = ${outcome.providerMessageId}, last_error = NULL WHERE id = ${row.id}`;
    // Telegram's answer means it reached the chat; WhatsApp reports delivery later.
    const channel = channelCopy(core, row.channel_id);
    deliver(core, row, channel?.type === "telegram" ? "delivered" : "sent", null, now);
    return true;
  }
  const delay = RETRY_DELAYS_MS[attempts - 1];
  if (outcome.retry && delay !== undefined) {
    const wait = Math.max(delay, (outcome.retryAfterSeconds ?? 0) * 1000);
    core.sql
      .run`UPDATE channel_sends SET attempts = ${attempts}, last_error = ${outcome.error}, next_at = ${now + wait} WHERE id = ${row.id}`;
    core.timers.set("send", row.conversation_id, now + wait);
    return false;
  }
  core.sql
    .run`UPDATE channel_sends SET status = 'failed', attempts = ${attempts}, last_error = ${outcome.error} WHERE id = ${row.id}`;
  deliver(core, row, "failed", outcome.error, now);
  return true;
}

function deliver(
  core: TenantCore,
  row: SendRow,
  delivery: Delivery,
  error: string | null,
  now: number,
): void {
  if (!row.message_id) return;
  const message = core.setDelivery(row.message_id, delivery, now, error);
  if (message) core.emit({ type: "message.updated", data: { message } }, now);
}
