// WhatsApp Cloud API: reading the webhook deliveries (contact messages and the statuses of ours),
// checking their X-Hub-Signature-256, answering the subscription handshake, and building the send
// call and reading its answer.
//
// Ids: a conversation is the contact's wa_id (`from`); a message's providerMessageId is the
// `wamid.…` WhatsApp gave it, which is also what its status webhooks name.
import { z } from "zod";
import {
  clampText,
  epochSecondsToMs,
  ignored,
  secretsEqual,
  type DeliveryState,
  type InboundEvent,
} from "./inbound";
import { failure, retryAfterFromHeaders, type SendOutcome } from "./outbound";
import {
  graphError,
  TEMPORARY_WHATSAPP_CODES,
  whatsAppError,
  whatsAppErrorInWords,
} from "./whatsapp-errors";
import { whatsAppMessage, whatsAppMessageText } from "./whatsapp-messages";

const envelope = z.object({ object: z.string().optional(), entry: z.array(z.unknown()) });
const entry = z.object({ changes: z.array(z.unknown()) });
const change = z.object({ field: z.string().optional(), value: z.unknown() });
const changeValue = z.object({
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});
const profile = z.object({
  wa_id: z.string(),
  profile: z.object({ name: z.string().optional() }).optional(),
});
const DELIVERY_STATES = ["sent", "delivered", "read", "failed"] as const satisfies DeliveryState[];
const status = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.union([z.string(), z.int()]),
  errors: z.array(whatsAppError).optional(),
});

type Profiles = Map<string, string | null>;

function readProfiles(contacts: unknown[] | undefined): Profiles {
  const names: Profiles = new Map();
  for (const contact of contacts ?? []) {
    const parsed = profile.safeParse(contact);
    if (parsed.success) names.set(parsed.data.wa_id, parsed.data.profile?.name?.trim() || null);
  }
  return names;
}

function readMessage(raw: unknown, profiles: Profiles): InboundEvent {
  const parsed = whatsAppMessage.safeParse(raw);
  if (!parsed.success) return ignored("malformed WhatsApp message");
  const message = parsed.data;
  const at = epochSecondsToMs(message.timestamp);
  if (at === null) return ignored("malformed WhatsApp message");
  const content = whatsAppMessageText(message);
  if ("ignored" in content) return ignored(content.ignored);
  return {
    kind: "message",
    providerMessageId: message.id,
    chatId: message.from,
    contact: {
      id: message.from,
      name: profiles.get(message.from) ?? null,
      phone: /^\d{5,20}$/.test(message.from) ? `+${message.from}` : null,
    },
    text: clampText(content.text),
    at,
  };
}

function readStatus(raw: unknown): InboundEvent {
  const parsed = status.safeParse(raw);
  if (!parsed.success) return ignored("malformed WhatsApp status");
  const { id, status: state, timestamp, errors } = parsed.data;
  const at = epochSecondsToMs(timestamp);
  if (at === null) return ignored("malformed WhatsApp status");
  const delivery = DELIVERY_STATES.find((known) => known === state);
  if (!delivery) return ignored(`WhatsApp status not tracked: ${state}`);
  let error: string | null = null;
  if (delivery === "failed") {
    const first = errors?.[0];
    error = whatsAppErrorInWords({
      code: first?.code,
      title: first?.title ?? first?.message,
      details: first?.error_data?.details,
    });
  }
  return { kind: "status", providerMessageId: id, delivery, error, at };
}

function readChange(raw: unknown): InboundEvent[] {
  const parsed = change.safeParse(raw);
  if (!parsed.success) return [ignored("malformed WhatsApp change")];
  if (parsed.data.field !== undefined && parsed.data.field !== "messages") {
    return [ignored(`WhatsApp webhook field not handled: ${parsed.data.field}`)];
  }
  const value = changeValue.safeParse(parsed.data.value);
  if (!value.success) return [ignored("malformed WhatsApp change")];
  const { contacts, messages, statuses, errors } = value.data;
  const profiles = readProfiles(contacts);
  const events = [
    ...(messages ?? []).map((message) => readMessage(message, profiles)),
    ...(statuses ?? []).map(readStatus),
  ];
  for (const raw of errors ?? []) {
    const problem = whatsAppError.safeParse(raw);
    const words = problem.success
      ? whatsAppErrorInWords({
          code: problem.data.code,
          title: problem.data.title ?? problem.data.message,
          details: problem.data.error_data?.details,
        })
      : "unreadable error";
    events.push(ignored(`WhatsApp reported a problem: ${words}`));
  }
  return events;
}

function readDelivery(body: unknown): InboundEvent[] {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return [ignored("not a WhatsApp webhook delivery")];
  if (parsed.data.object !== undefined && parsed.data.object !== "whatsapp_business_account") {
    return [ignored(`WhatsApp webhook object not handled: ${parsed.data.object}`)];
  }
  const events = parsed.data.entry.flatMap((raw) => {
    const item = entry.safeParse(raw);
    return item.success ? item.data.changes.flatMap(readChange) : [ignored("malformed entry")];
  });
  return events.length ? events : [ignored("empty WhatsApp webhook delivery")];
}

/**
 * One webhook delivery → what happened, one event per message and status in the order given;
 * always at least one event, never throws.
 */
export function parseWhatsAppWebhook(body: unknown): InboundEvent[] {
  try {
    return readDelivery(body);
  } catch {
    // Parsed JSON cannot make validation throw, but a provider must never see a crash from us.
    return [ignored("unreadable WhatsApp webhook delivery")];
  }
}

const encoder = new TextEncoder();

/**
 * Whether `X-Hub-Signature-256` is `sha256=<hex HMAC-SHA256(app secret, the raw body)>`. The body
 * must be the bytes as received (before any JSON parsing). WebCrypto's verify compares in
 * constant time. Never throws.
 */
export async function verifyWhatsAppSignature(
  rawBody: ArrayBuffer | string,
  header: string | null,
  appSecret: string,
): Promise<boolean> {
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "")?.[1];
  if (!hex || appSecret === "") return false;
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      encoder.encode(appSecret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    const signature = Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
    const body = typeof rawBody === "string" ? encoder.encode(rawBody) : rawBody;
    return await crypto.subtle.verify("HMAC", key, signature, body);
  } catch {
    return false;
  }
}

/**
 * The subscription handshake: when `hub.mode=subscribe` and `hub.verify_token` is the channel's,
 * the `hub.challenge` to echo back; otherwise null (answer 403). Meta's challenge is a number;
 * anything other than a short token is refused rather than reflected.
 */
export function whatsAppChallenge(params: URLSearchParams, verifyToken: string): string | null {
  const challenge = params.get("hub.challenge");
  if (params.get("hub.mode") !== "subscribe") return null;
  if (!secretsEqual(params.get("hub.verify_token"), verifyToken)) return null;
  return challenge !== null && /^[A-Za-z0-9_-]{1,256}$/.test(challenge) ? challenge : null;
}

export function whatsAppSendRequest(
  base: string,
  phoneNumberId: string,
  accessToken: string,
  to: string,
  text: string,
): Request {
  const url = `${base.replace(/\/+$/, "")}/${encodeURIComponent(phoneNumberId)}/messages`;
  return new Request(url, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ messaging_product: "whatsapp", to, type: "text", text: { body: text } }),
  });
}

const sent = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const refused = z.object({ error: graphError });

/** WhatsApp's answer to a send → what the outbox does next. */
export function parseWhatsAppSendResponse(
  status: number,
  body: unknown,
  headers?: Headers,
): SendOutcome {
  if (status >= 200 && status < 300) {
    // A 2xx we cannot read still means WhatsApp took it: sending again would send it twice.
    const answer = sent.safeParse(body);
    return { ok: true, providerMessageId: answer.success ? answer.data.messages[0]!.id : null };
  }
  const error = refused.safeParse(body);
  const facts = error.success ? error.data.error : {};
  const code = facts.code;
  const words =
    facts.code !== undefined || facts.message || facts.error_data?.details
      ? whatsAppErrorInWords({
          code,
          // Graph prefixes its message with the code, "(#131030) …"; the code is said once, after.
          title: facts.message?.replace(/^\(#\d+\)\s*/, ""),
          details: facts.error_data?.details,
        })
      : `WhatsApp answered HTTP ${status}.`;
  const retryAfter = retryAfterFromHeaders(headers);
  if (code !== undefined && TEMPORARY_WHATSAPP_CODES.has(code)) {
    return { ok: false, retry: true, retryAfterSeconds: retryAfter, error: words };
  }
  return failure(status, words, retryAfter);
}
