// Helpers for channel tests: connecting channels as an admin, playing the provider (signed
// deliveries in the providers' own payload shapes) and reading what the Worker sent to them
// (the recording sink stands in for api.telegram.test and graph.whatsapp.test).
import { env } from "cloudflare:workers";
import { call, json } from "./client";
import type { Channel } from "../../schema/channels";

export const APP_SECRET = "whatsapp-app-secret-for-tests";
export const VERIFY_TOKEN = "verify-me-please";
export const BOT_TOKEN = "123456:telegram-test-token";

export interface ConnectedChannel {
  channel: Channel;
  secret_token?: string;
}

export async function connectTelegram(
  adminCookie: string,
  extra: Record<string, unknown> = {},
): Promise<ConnectedChannel> {
  return json<ConnectedChannel>("/api/admin/channels", {
    cookie: adminCookie,
    body: { type: "telegram", name: "Telegram", bot_token: BOT_TOKEN, ...extra },
    status: 201,
  });
}

export async function connectWhatsApp(
  adminCookie: string,
  extra: Record<string, unknown> = {},
): Promise<ConnectedChannel> {
  return json<ConnectedChannel>("/api/admin/channels", {
    cookie: adminCookie,
    body: {
      type: "whatsapp",
      name: "WhatsApp",
      phone_number_id: "1098765",
      access_token: "EAAG-test-access-token",
      app_secret: APP_SECRET,
      verify_token: VERIFY_TOKEN,
      ...extra,
    },
    status: 201,
  });
}

let updateIds = 1000;
/** A Telegram Update carrying a text message from one chat. */
export function telegramText(chatId: number, text: string, messageId = ++updateIds) {
  return {
    update_id: ++updateIds,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: "Maria" },
      from: { id: chatId, is_bot: false, first_name: "Maria", last_name: "Lopez" },
      text,
    },
  };
}

export async function postTelegram(
  channel: ConnectedChannel,
  update: unknown,
  secret = channel.secret_token,
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== undefined) headers["x-telegram-bot-api-secret-token"] = secret;
  return call(`/api/channels/telegram/${channel.channel.id}`, {
    method: "POST",
    headers,
    origin: null, // a provider, not a browser
    rawBody: typeof update === "string" ? update : JSON.stringify(update),
  });
}

/** A WhatsApp webhook delivery wrapping `value` (messages, statuses, contacts). */
export function whatsAppDelivery(value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "WABA_ID",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550001111", phone_number_id: "1098765" },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

let wamids = 0;
export function whatsAppText(waId: string, text: string, id = `wamid.in${++wamids}`) {
  return whatsAppDelivery({
    contacts: [{ profile: { name: "Kenji" }, wa_id: waId }],
    messages: [
      {
        from: waId,
        id,
        timestamp: String(Math.floor(Date.now() / 1000)),
        type: "text",
        text: { body: text },
      },
    ],
  });
}

export async function signWhatsApp(body: string, secret = APP_SECRET): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export async function postWhatsApp(
  channel: ConnectedChannel,
  delivery: unknown,
  signature?: string | null,
): Promise<Response> {
  const body = typeof delivery === "string" ? delivery : JSON.stringify(delivery);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signed = signature === undefined ? await signWhatsApp(body) : signature;
  if (signed !== null) headers["x-hub-signature-256"] = signed;
  return call(`/api/channels/whatsapp/${channel.channel.id}`, {
    method: "POST",
    headers,
    origin: null,
    rawBody: body,
  });
}

export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  at: number;
}

/** What the Worker sent to a provider path (waiting for `count` requests when given). */
export async function providerRequests(path: string, count = 0): Promise<ProviderRequest[]> {
  const res = await env.SINK.fetch(
    `https://sink.control/?path=${encodeURIComponent(path)}&wait=${count}`,
  );
  return ((await res.json()) as { requests: ProviderRequest[] }).requests;
}

/** Scripts the provider's next answers on a path (e.g. 429 with retry_after). */
export async function providerAnswers(
  path: string,
  answer: { status: number; body: unknown; retryAfter?: number; times?: number },
): Promise<void> {
  const params = new URLSearchParams({
    path,
    status: String(answer.status),
    body: JSON.stringify(answer.body),
    times: String(answer.times ?? 1),
    ...(answer.retryAfter !== undefined ? { retry_after: String(answer.retryAfter) } : {}),
  });
  await env.SINK.fetch(`https://sink.control/?${params}`, { method: "POST" });
}

export const telegramSendPath = `/bot${BOT_TOKEN}/sendMessage`;
export const whatsAppSendPath = "/v21.0/1098765/messages";
