// Reading what Telegram and WhatsApp deliver: every kind of message becomes text (non-text kinds
// a placeholder naming them), statuses carry the failure in words, and anything malformed is
// reported as ignored, never thrown.
import { describe, expect, it } from "vitest";
import { parseTelegramUpdate } from "../../worker/src/channels/telegram";
import { parseWhatsAppWebhook } from "../../worker/src/channels/whatsapp";
import type { InboundEvent } from "../../worker/src/channels/inbound";
import {
  SENT_AT,
  TELEGRAM_KINDS,
  TELEGRAM_PRIVATE_CHAT,
  TELEGRAM_USER,
  WAMID,
  WHATSAPP_FROM,
  WHATSAPP_KINDS,
  telegramUpdate,
  whatsAppDelivery,
  whatsAppMessage,
  whatsAppStatus,
} from "./channel-payloads";

const only = (events: InboundEvent[]): InboundEvent => {
  expect(events).toHaveLength(1);
  return events[0]!;
};

const textOf = (event: InboundEvent): string => {
  if (event.kind !== "message") throw new Error(`expected a message, got ${JSON.stringify(event)}`);
  return event.text;
};

const reasonOf = (event: InboundEvent): string => {
  if (event.kind !== "ignored") throw new Error(`expected ignored, got ${JSON.stringify(event)}`);
  return event.reason;
};

describe("Telegram updates", () => {
  it("reads a private text message with the sender as the contact", () => {
    expect(parseTelegramUpdate(telegramUpdate({ text: "Hola" }))).toEqual([
      {
        kind: "message",
        providerMessageId: "111222333:42",
        chatId: "111222333",
        contact: { id: "111222333", name: "Marta Puig", phone: null },
        text: "Hola",
        at: SENT_AT * 1000,
      },
    ]);
  });

  it.each(TELEGRAM_KINDS)("%s becomes readable text", (_kind, content, text) => {
    expect(textOf(only(parseTelegramUpdate(telegramUpdate(content))))).toBe(text);
  });

  it("keeps the group as the conversation and the sender as the contact", () => {
    const group = { id: -1001234567890, title: "Shop support", type: "supergroup" };
    const event = only(parseTelegramUpdate(telegramUpdate({ chat: group, text: "hi" })));
    expect(event).toMatchObject({
      providerMessageId: "-1001234567890:42",
      chatId: "-1001234567890",
      contact: { id: "111222333", name: "Marta Puig" },
    });
  });

  it("names a sender without a first name by username, and a hidden sender by the chat", () => {
    const bare = { id: 5, is_bot: false, first_name: " ", username: "shopper" };
    expect(only(parseTelegramUpdate(telegramUpdate({ from: bare, text: "x" })))).toMatchObject({
      contact: { id: "5", name: "shopper" },
    });
    const channel = { id: -100777, title: "Deals", type: "channel" };
    const anonymous = telegramUpdate({ from: undefined, sender_chat: channel, text: "x" });
    expect(only(parseTelegramUpdate(anonymous))).toMatchObject({
      contact: { id: "-100777", name: "Deals" },
    });
  });

  it("turns an added reaction into a message and ignores a removed one", () => {
    const reaction = (old_reaction: unknown[], new_reaction: unknown[]) => ({
      update_id: 900000002,
      message_reaction: {
        chat: TELEGRAM_PRIVATE_CHAT,
        message_id: 41,
        user: TELEGRAM_USER,
        date: SENT_AT,
        old_reaction,
        new_reaction,
      },
    });
    const thumbs = { type: "emoji", emoji: "👍" };
    expect(only(parseTelegramUpdate(reaction([], [thumbs])))).toEqual({
      kind: "message",
      providerMessageId: "111222333:41:reaction:900000002",
      chatId: "111222333",
      contact: { id: "111222333", name: "Marta Puig", phone: null },
      text: "[reacted 👍 to a message]",
      at: SENT_AT * 1000,
    });
    const heart = { type: "emoji", emoji: "❤" };
    expect(textOf(only(parseTelegramUpdate(reaction([thumbs], [thumbs, heart]))))).toBe(
      "[reacted ❤ to a message]",
    );
    expect(reasonOf(only(parseTelegramUpdate(reaction([thumbs], []))))).toMatch(/removed/);
  });

  it("ignores edits, channel posts, button presses and group service messages, saying why", () => {
    const { message } = telegramUpdate({ text: "edited", edit_date: SENT_AT + 5 });
    const cases: [unknown, RegExp][] = [
      [{ update_id: 1, edited_message: message }, /edited/],
      [{ update_id: 2, channel_post: message }, /channel_post/],
      [{ update_id: 3, callback_query: { id: "9", from: TELEGRAM_USER, data: "x" } }, /callback/],
      [telegramUpdate({ new_chat_members: [TELEGRAM_USER] }), /new_chat_members/],
      [{ update_id: 4 }, /empty/],
    ];
    for (const [update, reason] of cases) {
      expect(reasonOf(only(parseTelegramUpdate(update)))).toMatch(reason);
    }
  });

  it("cuts a text longer than the longest message we keep", () => {
    const text = textOf(only(parseTelegramUpdate(telegramUpdate({ text: "😀".repeat(3000) }))));
    expect(text.length).toBe(4096);
    expect(text).toBe("😀".repeat(2048));
  });
});

describe("WhatsApp deliveries", () => {
  it("reads a text message with the profile name and the number as the contact", () => {
    expect(parseWhatsAppWebhook(whatsAppMessage("text", { text: { body: "Olá" } }))).toEqual([
      {
        kind: "message",
        providerMessageId: WAMID,
        chatId: WHATSAPP_FROM,
        contact: { id: WHATSAPP_FROM, name: "Ana Souza", phone: `+${WHATSAPP_FROM}` },
        text: "Olá",
        at: SENT_AT * 1000,
      },
    ]);
  });

  it.each(WHATSAPP_KINDS)("%s becomes readable text (%#)", (type, content, text) => {
    expect(textOf(only(parseWhatsAppWebhook(whatsAppMessage(type, content))))).toBe(text);
  });

  it("ignores removed reactions, system notices and welcome requests, saying why", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["reaction", { reaction: { message_id: "wamid.x" } }, /removed/],
      [
        "system",
        { system: { body: "Ana changed their number", type: "user_changed_number" } },
        /changed/,
      ],
      ["request_welcome", {}, /welcome/],
    ];
    for (const [type, content, reason] of cases) {
      expect(reasonOf(only(parseWhatsAppWebhook(whatsAppMessage(type, content))))).toMatch(reason);
    }
  });

  it("reads every message of every change, in order, with each sender's own name", () => {
    const one = whatsAppMessage("text", { text: { body: "first" } }, "wamid.1");
    const two = whatsAppDelivery({
      contacts: [{ profile: { name: "Li Wei" }, wa_id: "8613800138000" }],
      messages: [
        {
          from: "8613800138000",
          id: "wamid.2",
          timestamp: "1764750001",
          type: "text",
          text: { body: "second" },
        },
        {
          from: "447700900123",
          id: "wamid.3",
          timestamp: "1764750002",
          type: "text",
          text: { body: "third" },
        },
      ],
    });
    const delivery = { ...one, entry: [...one.entry, ...two.entry] };
    expect(
      parseWhatsAppWebhook(delivery).map((e) => e.kind === "message" && [e.text, e.contact.name]),
    ).toEqual([
      ["first", "Ana Souza"],
      ["second", "Li Wei"],
      ["third", null],
    ]);
  });

  it.each(["sent", "delivered", "read"] as const)("reads a %s status without an error", (state) => {
    expect(parseWhatsAppWebhook(whatsAppStatus(state))).toEqual([
      {
        kind: "status",
        providerMessageId: WAMID,
        delivery: state,
        error: null,
        at: SENT_AT * 1000,
      },
    ]);
  });

  it("says in words that the 24-hour window closed when a message fails with 131047", () => {
    const status = whatsAppStatus("failed", [
      {
        code: 131047,
        title: "Re-engagement message",
        message: "Re-engagement message",
        error_data: {
          details:
            "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        },
        href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
      },
    ]);
    const event = only(parseWhatsAppWebhook(status));
    expect(event).toMatchObject({ kind: "status", delivery: "failed" });
    const error = event.kind === "status" ? event.error : null;
    expect(error).toMatch(/24-hour customer-service window has closed/);
    expect(error).toMatch(/template message/);
  });

  it("keeps WhatsApp's own title and details for a failure it has no words for", () => {
    const failed = whatsAppStatus("failed", [
      {
        code: 132000,
        title: "Template Param Count Mismatch",
        error_data: { details: "Expected 2 params" },
      },
    ]);
    expect(only(parseWhatsAppWebhook(failed))).toMatchObject({
      error:
        "WhatsApp could not deliver the message: Template Param Count Mismatch: Expected 2 params (WhatsApp error 132000).",
    });
    expect(only(parseWhatsAppWebhook(whatsAppStatus("failed")))).toMatchObject({
      error: "WhatsApp could not deliver the message.",
    });
  });

  it("ignores statuses it does not track, other webhook fields and problem reports", () => {
    expect(reasonOf(only(parseWhatsAppWebhook(whatsAppStatus("deleted"))))).toMatch(/deleted/);
    const account = whatsAppDelivery({});
    account.entry[0]!.changes[0]!.field = "account_update";
    expect(reasonOf(only(parseWhatsAppWebhook(account)))).toMatch(/account_update/);
    const problem = whatsAppDelivery({
      errors: [
        {
          code: 130429,
          title: "Rate limit hit",
          message: "Rate limit hit",
          error_data: { details: "Too many messages sent from this phone number" },
        },
      ],
    });
    expect(reasonOf(only(parseWhatsAppWebhook(problem)))).toMatch(/130429/);
  });
});
