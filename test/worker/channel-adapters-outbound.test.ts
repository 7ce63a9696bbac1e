// Checking that a delivery really comes from the provider (Telegram's secret token, WhatsApp's
// signature and subscription handshake), and the calls we make to send
// (their answers are read in channel-adapters-responses.test.ts).
import { describe, expect, it } from "vitest";
import {
  newTelegramSecretToken,
  telegramSendRequest,
  telegramSetWebhookRequest,
  verifyTelegramSecret,
} from "../../worker/src/channels/telegram";
import {
  verifyWhatsAppSignature,
  whatsAppChallenge,
  whatsAppSendRequest,
} from "../../worker/src/channels/whatsapp";

// RFC 4231-style known answer: HMAC-SHA256 with key "key" over this sentence.
const FOX = "The quick brown fox jumps over the lazy dog";
const FOX_MAC = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";

describe("WhatsApp signature", () => {
  const encoded = new TextEncoder().encode(FOX);
  const bytes = new ArrayBuffer(encoded.byteLength);
  new Uint8Array(bytes).set(encoded);
  it.each([
    ["the right signature over the text", FOX, `sha256=${FOX_MAC}`, "key", true],
    ["the right signature over the raw bytes", bytes, `sha256=${FOX_MAC}`, "key", true],
    ["upper-case hex", FOX, `sha256=${FOX_MAC.toUpperCase()}`, "key", true],
    ["one digit changed", FOX, `sha256=${FOX_MAC.slice(0, -1)}9`, "key", false],
    ["another body", `${FOX}.`, `sha256=${FOX_MAC}`, "key", false],
    ["another app secret", FOX, `sha256=${FOX_MAC}`, "kez", false],
    ["no header", FOX, null, "key", false],
    ["an empty header", FOX, "", "key", false],
    ["the sha1 prefix", FOX, `sha1=${FOX_MAC}`, "key", false],
    ["no prefix", FOX, FOX_MAC, "key", false],
    ["a truncated signature", FOX, `sha256=${FOX_MAC.slice(0, 62)}`, "key", false],
    ["non-hex digits", FOX, `sha256=${"z".repeat(64)}`, "key", false],
    ["an empty app secret", FOX, `sha256=${FOX_MAC}`, "", false],
  ] as const)("%s → %s", async (_name, body, header, secret, valid) => {
    expect(await verifyWhatsAppSignature(body, header, secret)).toBe(valid);
  });
});

describe("WhatsApp subscription handshake", () => {
  const query = (q: string) => new URLSearchParams(q);
  it.each([
    ["hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=1158201444", "1158201444"],
    ["hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444", null],
    ["hub.mode=subscribe&hub.verify_token=s3cre&hub.challenge=1158201444", null],
    ["hub.mode=unsubscribe&hub.verify_token=s3cret&hub.challenge=1158201444", null],
    ["hub.verify_token=s3cret&hub.challenge=1158201444", null],
    ["hub.mode=subscribe&hub.challenge=1158201444", null],
    ["hub.mode=subscribe&hub.verify_token=s3cret", null],
    ["hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=%3Cscript%3E", null],
  ])("%s → %s", (q, answer) => {
    expect(whatsAppChallenge(query(q), "s3cret")).toBe(answer);
  });

  it("never matches when the channel has no verify token", () => {
    expect(
      whatsAppChallenge(query("hub.mode=subscribe&hub.verify_token=&hub.challenge=1"), ""),
    ).toBe(null);
  });
});

describe("Telegram secret token", () => {
  const secret = "a".repeat(24) + "B_-9".repeat(6);
  it.each([
    [secret, true],
    [`${secret.slice(0, -1)}x`, false],
    [secret.slice(0, -1), false],
    [`${secret}a`, false],
    ["", false],
    [null, false],
  ])("%s → %s", (header, valid) => {
    expect(verifyTelegramSecret(header, secret)).toBe(valid);
  });

  it("an empty expected secret never matches", () => {
    expect(verifyTelegramSecret("", "")).toBe(false);
  });

  it("new tokens are 48 characters of [A-Za-z0-9_-], all different, using the whole alphabet", () => {
    const tokens = Array.from({ length: 200 }, newTelegramSecretToken);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(new Set(tokens).size).toBe(200);
    expect(new Set(tokens.join("")).size).toBe(64);
  });
});

describe("outbound requests", () => {
  it("Telegram sendMessage posts the chat and text as JSON to the bot's method URL", async () => {
    const request = telegramSendRequest("https://tg.test/", "123:ABC-def", "-100777", "Olá 👋");
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://tg.test/bot123:ABC-def/sendMessage");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(await request.json()).toEqual({ chat_id: "-100777", text: "Olá 👋" });
  });

  it("Telegram setWebhook registers the URL, the secret token and the updates we read", async () => {
    const request = telegramSetWebhookRequest(
      "https://api.telegram.org",
      "123:ABC",
      "https://inbox.example/api/channels/telegram/ch_1",
      "s".repeat(48),
    );
    expect(request.url).toBe("https://api.telegram.org/bot123:ABC/setWebhook");
    expect(await request.json()).toEqual({
      url: "https://inbox.example/api/channels/telegram/ch_1",
      secret_token: "s".repeat(48),
      allowed_updates: ["message", "message_reaction"],
    });
  });

  it("WhatsApp posts a text message for the number with the bearer token", async () => {
    const request = whatsAppSendRequest(
      "https://graph.test/v21.0/",
      "106540352242922",
      "EAAG-token",
      "5511987654321",
      "Seu pedido chega amanhã",
    );
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://graph.test/v21.0/106540352242922/messages");
    expect(request.headers.get("authorization")).toBe("Bearer EAAG-token");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(await request.json()).toEqual({
      messaging_product: "whatsapp",
      to: "5511987654321",
      type: "text",
      text: { body: "Seu pedido chega amanhã" },
    });
  });
});
