// What a provider's answer to a send means for the outbox: done (with the id later statuses
// name), try again (after how long, when the provider says), or give up with a reason in words.
import { describe, expect, it } from "vitest";
import { parseTelegramSendResponse } from "../../worker/src/channels/telegram";
import { parseWhatsAppSendResponse } from "../../worker/src/channels/whatsapp";
import { networkFailure, retryAfterFromHeaders } from "../../worker/src/channels/outbound";

const telegramError = (error_code: number, description: string, retry_after?: number) => ({
  ok: false,
  error_code,
  description,
  ...(retry_after === undefined ? {} : { parameters: { retry_after } }),
});

describe("Telegram answers", () => {
  it("a sent message gives its chat-scoped id", () => {
    const body = {
      ok: true,
      result: {
        message_id: 77,
        from: { id: 999, is_bot: true, first_name: "Shop", username: "shop_bot" },
        chat: { id: 111222333, first_name: "Marta", type: "private" },
        date: 1764750000,
        text: "On its way",
      },
    };
    expect(parseTelegramSendResponse(200, body)).toEqual({
      ok: true,
      providerMessageId: "111222333:77",
    });
  });

  it("setWebhook's true, or a 2xx we cannot read, is done without an id", () => {
    const set = { ok: true, result: true, description: "Webhook was set" };
    expect(parseTelegramSendResponse(200, set)).toEqual({ ok: true, providerMessageId: null });
    expect(parseTelegramSendResponse(200, null)).toEqual({ ok: true, providerMessageId: null });
  });

  it("429 is tried again after Telegram's retry_after", () => {
    const body = telegramError(429, "Too Many Requests: retry after 35", 35);
    expect(parseTelegramSendResponse(429, body)).toMatchObject({
      ok: false,
      retry: true,
      retryAfterSeconds: 35,
    });
  });

  it("429 without retry_after falls back to the Retry-After header", () => {
    const headers = new Headers({ "Retry-After": "12" });
    expect(parseTelegramSendResponse(429, { ok: false }, headers)).toMatchObject({
      retry: true,
      retryAfterSeconds: 12,
    });
  });

  it("5xx is tried again, whatever the body", () => {
    expect(parseTelegramSendResponse(500, telegramError(500, "Internal Server Error"))).toEqual({
      ok: false,
      retry: true,
      retryAfterSeconds: null,
      error: "Telegram had a temporary problem (HTTP 500): Internal Server Error",
    });
    expect(parseTelegramSendResponse(502, "<html>Bad Gateway</html>")).toMatchObject({
      retry: true,
    });
  });

  it.each([
    [400, "Bad Request: chat not found", /does not know this chat/],
    [403, "Forbidden: bot was blocked by the user", /blocked the bot/],
    [403, "Forbidden: user is deactivated", /account was deleted/],
    [400, "Bad Request: message is too long", /longer than Telegram allows/],
    [401, "Unauthorized", /bot token/],
    [
      400,
      "Bad Request: can't parse entities",
      /refused the message \(HTTP 400\): Bad Request: can't parse entities/,
    ],
  ])("%i %s is final, in words", (status, description, words) => {
    const outcome = parseTelegramSendResponse(status, telegramError(status, description));
    expect(outcome).toMatchObject({ ok: false, retry: false, retryAfterSeconds: null });
    expect(outcome.ok === false && outcome.error).toMatch(words);
  });

  it("a 200 saying ok:false is a refusal, not a success", () => {
    expect(parseTelegramSendResponse(200, telegramError(400, "Bad Request: x"))).toMatchObject({
      ok: false,
      retry: false,
    });
  });
});

const graphError = (code: number, message: string, details?: string) => ({
  error: {
    message,
    type: "OAuthException",
    code,
    ...(details ? { error_data: { messaging_product: "whatsapp", details } } : {}),
    error_subcode: 2494010,
    fbtrace_id: "AbCdEfGhIjKl",
  },
});

describe("WhatsApp answers", () => {
  it("a sent message gives its wamid", () => {
    const body = {
      messaging_product: "whatsapp",
      contacts: [{ input: "5511987654321", wa_id: "5511987654321" }],
      messages: [{ id: "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjk=", message_status: "accepted" }],
    };
    expect(parseWhatsAppSendResponse(200, body)).toEqual({
      ok: true,
      providerMessageId: "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjk=",
    });
  });

  it("a closed 24-hour window is final and says a template is needed", () => {
    const body = graphError(
      131047,
      "(#131047) Re-engagement message",
      "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    );
    const outcome = parseWhatsAppSendResponse(400, body);
    expect(outcome).toMatchObject({ ok: false, retry: false });
    expect(outcome.ok === false && outcome.error).toMatch(/24-hour customer-service window/);
  });

  it("rate limits are tried again even when answered with 400", () => {
    const body = graphError(
      130429,
      "(#130429) Rate limit hit",
      "Cloud API message throughput has been reached.",
    );
    expect(parseWhatsAppSendResponse(400, body)).toMatchObject({ ok: false, retry: true });
  });

  it("429 honours Retry-After, in seconds or as a date", () => {
    const seconds = new Headers({ "retry-after": "30" });
    expect(
      parseWhatsAppSendResponse(429, graphError(80007, "Rate limited"), seconds),
    ).toMatchObject({
      retry: true,
      retryAfterSeconds: 30,
    });
    const now = Date.parse("2026-12-03T08:00:00Z");
    const date = new Headers({ "retry-after": "Thu, 03 Dec 2026 08:01:30 GMT" });
    expect(retryAfterFromHeaders(date, now)).toBe(90);
    expect(retryAfterFromHeaders(new Headers({ "retry-after": "soon" }), now)).toBe(null);
  });

  it("5xx is tried again; an unreadable body says the status", () => {
    expect(parseWhatsAppSendResponse(503, "Service Unavailable")).toEqual({
      ok: false,
      retry: true,
      retryAfterSeconds: null,
      error: "WhatsApp answered HTTP 503.",
    });
  });

  it.each([
    [401, graphError(190, "Error validating access token: Session has expired"), /access token/],
    [
      400,
      graphError(131030, "(#131030) Recipient phone number not in allowed list"),
      /test recipients/,
    ],
    [
      400,
      graphError(100, "(#100) Invalid parameter", "Parameter 'to' is invalid"),
      /could not deliver the message: Invalid parameter: Parameter 'to' is invalid \(WhatsApp error 100\)/,
    ],
  ])("%i is final, in words (%#)", (status, body, words) => {
    const outcome = parseWhatsAppSendResponse(status, body);
    expect(outcome).toMatchObject({ ok: false, retry: false, retryAfterSeconds: null });
    expect(outcome.ok === false && outcome.error).toMatch(words);
  });
});

describe("network failures", () => {
  it("are always tried again, saying what went wrong", () => {
    expect(networkFailure(new TypeError("Network connection lost."))).toEqual({
      ok: false,
      retry: true,
      retryAfterSeconds: null,
      error: "The provider could not be reached: Network connection lost.",
    });
  });
});
