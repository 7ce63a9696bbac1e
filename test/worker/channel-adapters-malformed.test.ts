// Whatever arrives at a channel webhook, the adapters answer with events marked ignored (which
// the caller records) and never throw: a provider retries a crash for days.
import { describe, expect, it } from "vitest";
import { parseTelegramUpdate } from "../../worker/src/channels/telegram";
import { parseWhatsAppWebhook } from "../../worker/src/channels/whatsapp";
import type { InboundEvent } from "../../worker/src/channels/inbound";
import { SENT_AT, telegramUpdate, whatsAppDelivery, whatsAppMessage } from "./channel-payloads";

function deeplyNested(depth: number): unknown {
  let junk: unknown = "bottom";
  for (let i = 0; i < depth; i++) junk = { a: [junk] };
  return junk;
}

const throwingGetter = Object.defineProperty({}, "entry", {
  enumerable: true,
  get() {
    throw new Error("boom");
  },
});

/** Junk no provider sends, but anyone can POST once a URL leaks or a proxy mangles a body. */
const ANYTHING: [string, unknown][] = [
  ["null", null],
  ["undefined", undefined],
  ["a number", 42],
  ["a huge number", 1e308],
  ["Infinity", Infinity],
  ["a string", "update"],
  ["an empty string", ""],
  ["true", true],
  ["an array", [1, 2]],
  ["an array of objects", [{}, {}]],
  ["an empty object", {}],
  ["deeply nested junk", deeplyNested(10_000)],
  ["a getter that throws", throwingGetter],
];

const TELEGRAM_MALFORMED: [string, unknown][] = [
  ...ANYTHING,
  ["update_id as a string", { update_id: "1", message: telegramUpdate({ text: "x" }).message }],
  ["a null message", { update_id: 1, message: null }],
  [
    "a message with no chat",
    { update_id: 1, message: { message_id: 1, date: SENT_AT, text: "x" } },
  ],
  ["a chat id past 2^53", telegramUpdate({ chat: { id: 2 ** 60, type: "private" }, text: "x" })],
  ["a fractional message id", telegramUpdate({ message_id: 1.5, text: "x" })],
  ["a date past any calendar", telegramUpdate({ date: 9e15, text: "x" })],
  ["a negative date", telegramUpdate({ date: -1, text: "x" })],
  ["text as a number", telegramUpdate({ text: 12 })],
  ["a location of strings", telegramUpdate({ location: { latitude: "N", longitude: "E" } })],
  ["an array as the message", { update_id: 1, message: [telegramUpdate({ text: "x" }).message] }],
  [
    "a reaction of unknown type",
    {
      update_id: 1,
      message_reaction: {
        chat: { id: 1, type: "private" },
        message_id: 1,
        date: SENT_AT,
        old_reaction: [],
        new_reaction: [{ type: "hug" }],
      },
    },
  ],
  ["a reaction without a chat", { update_id: 1, message_reaction: { message_id: 1 } }],
];

const validText = { from: "5511987654321", id: "wamid.x", timestamp: "1764750000", type: "text" };

const WHATSAPP_MALFORMED: [string, unknown][] = [
  ...ANYTHING,
  ["another product's object", { object: "page", entry: [] }],
  ["entry as a string", { object: "whatsapp_business_account", entry: "x" }],
  ["an empty entry list", { object: "whatsapp_business_account", entry: [] }],
  ["a null entry", { object: "whatsapp_business_account", entry: [null] }],
  ["a null change", { object: "whatsapp_business_account", entry: [{ changes: [null] }] }],
  ["a change with no value", { entry: [{ changes: [{ field: "messages" }] }] }],
  ["messages as an object", whatsAppDelivery({ messages: { 0: validText } })],
  ["a null message", whatsAppDelivery({ messages: [null] })],
  ["a message without an id", whatsAppDelivery({ messages: [{ ...validText, id: undefined }] })],
  ["a sender as a number", whatsAppDelivery({ messages: [{ ...validText, from: 55119 }] })],
  ["a text message without text", whatsAppDelivery({ messages: [validText] })],
  ["a text body as an object", whatsAppMessage("text", { text: { body: { html: "<b>" } } })],
  ["a timestamp in words", whatsAppDelivery({ messages: [{ ...validText, timestamp: "soon" }] })],
  [
    "a timestamp past any calendar",
    whatsAppDelivery({ messages: [{ ...validText, timestamp: "99999999999999999999" }] }),
  ],
  [
    "a latitude past infinity",
    whatsAppMessage("location", { location: { latitude: Infinity, longitude: 1 } }),
  ],
  ["a location without coordinates", whatsAppMessage("location", {})],
  ["a status without an id", whatsAppDelivery({ statuses: [{ status: "read", timestamp: "1" }] })],
  [
    "a status with junk errors",
    whatsAppDelivery({ statuses: [{ id: "w", status: "failed", timestamp: "1", errors: "no" }] }),
  ],
  ["contacts as junk", whatsAppDelivery({ contacts: "x", messages: [null] })],
  ["a problem report of junk", whatsAppDelivery({ errors: [null] })],
];

function expectOnlyIgnored(events: InboundEvent[]) {
  expect(events.length).toBeGreaterThan(0);
  for (const event of events) {
    expect(event.kind).toBe("ignored");
    expect(event.kind === "ignored" && event.reason.length).toBeGreaterThan(0);
  }
}

describe("malformed deliveries", () => {
  it.each(TELEGRAM_MALFORMED)("Telegram: %s is ignored", (_name, body) => {
    expectOnlyIgnored(parseTelegramUpdate(body));
  });

  it.each(WHATSAPP_MALFORMED)("WhatsApp: %s is ignored", (_name, body) => {
    expectOnlyIgnored(parseWhatsAppWebhook(body));
  });

  it("WhatsApp: a bad message does not lose the good one beside it", () => {
    const delivery = whatsAppDelivery({
      messages: [null, { ...validText, text: { body: "still here" } }],
    });
    expect(parseWhatsAppWebhook(delivery).map((event) => event.kind)).toEqual([
      "ignored",
      "message",
    ]);
  });

  it("a JSON body that parses to junk stays junk (no prototype tricks)", () => {
    const body: unknown = JSON.parse('{"__proto__": {"entry": [1]}, "update_id": {"x": 1}}');
    expectOnlyIgnored(parseTelegramUpdate(body));
    expectOnlyIgnored(parseWhatsAppWebhook(body));
  });
});
