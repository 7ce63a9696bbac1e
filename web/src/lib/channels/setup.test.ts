import { describe, expect, it } from "vitest";
import type { Channel } from "#schema/channels";
import { channelHealth, embedSnippet, newVerifyToken, parseList } from "./setup";
import { createBody, draftOf, updateBody } from "./drafts";

const channel = (over: Partial<Channel> = {}): Channel => ({
  id: "ch_1",
  type: "whatsapp",
  name: "Support line",
  bot_id: null,
  handoff_keywords: ["human", "agent"],
  webhook_url: "https://app.test/api/channels/whatsapp/ch_1",
  created_at: "2026-12-01T10:00:00.000Z",
  phone_number_id: "1234",
  verify_token: "verify-abc12345",
  last_inbound_at: null,
  last_error: null,
  last_error_at: null,
  ...over,
});

describe("embed snippet", () => {
  it("loads widget.js from the app and names the channel", () => {
    expect(embedSnippet("https://inbox.example", "ch_web1")).toBe(
      '<script src="https://inbox.example/widget.js" data-channel="ch_web1" async></script>',
    );
  });
});

describe("verify token", () => {
  it("is long enough for the API and different every time", () => {
    const a = newVerifyToken();
    expect(a).toMatch(/^verify-[0-9a-f]{32}$/);
    expect(newVerifyToken()).not.toBe(a);
  });
});

describe("channel health", () => {
  it("waits, with the next step for the type, before anything arrived", () => {
    const health = channelHealth(channel({ type: "telegram" }));
    expect(health).toEqual({
      tone: "waiting",
      summary: "Waiting for the first message",
      at: null,
      problem: null,
      hint: "Register the webhook, then write to the bot.",
    });
    expect(channelHealth(channel({ type: "web" }))).toMatchObject({
      summary: "Waiting for the first visitor",
      hint: "Add the snippet to your site.",
    });
  });

  it("is fine after a delivery, and needs attention when the last problem is newer", () => {
    const ok = channelHealth(
      channel({
        last_inbound_at: "2026-12-02T10:00:00.000Z",
        last_error: "A delivery was not JSON; it was ignored.",
        last_error_at: "2026-12-02T09:00:00.000Z",
      }),
    );
    expect(ok).toEqual({
      tone: "ok",
      summary: "Receiving messages",
      at: "2026-12-02T10:00:00.000Z",
      problem: null,
      hint: null,
    });
    const broken = channelHealth(
      channel({
        last_inbound_at: "2026-12-02T10:00:00.000Z",
        last_error: "A delivery was not JSON; it was ignored.",
        last_error_at: "2026-12-02T11:00:00.000Z",
      }),
    );
    expect(broken).toEqual({
      tone: "error",
      summary: "Needs attention",
      at: "2026-12-02T11:00:00.000Z",
      problem: "A delivery was not JSON; it was ignored.",
      hint: null,
    });
  });
});

describe("channel drafts", () => {
  it("lists split on lines, commas and spaces", () => {
    expect(parseList(" https://a.test\nhttps://b.test, https://c.test \n\n")).toEqual([
      "https://a.test",
      "https://b.test",
      "https://c.test",
    ]);
  });

  it("starts an edit from what the API shows, with every secret empty", () => {
    const draft = draftOf(channel());
    expect(draft).toMatchObject({
      name: "Support line",
      bot_id: "",
      handoff_keywords: "human, agent",
      verify_token: "verify-abc12345",
      access_token: "",
      app_secret: "",
      bot_token: "",
    });
  });

  it("sends only the type's fields, a secret only when typed, and no bot as null", () => {
    expect(
      updateBody("whatsapp", {
        name: "Sales",
        bot_id: "",
        access_token: "EAAnew",
        app_secret: "  ",
        allowed_origins: "https://x.test",
        handoff_keywords: "human, person",
      }),
    ).toEqual({
      name: "Sales",
      bot_id: null,
      access_token: "EAAnew",
      handoff_keywords: ["human", "person"],
    });
    expect(
      updateBody("web", { allowed_origins: "https://a.test\nhttps://b.test", greeting: "" }),
    ).toEqual({ allowed_origins: ["https://a.test", "https://b.test"], greeting: null });
    expect(updateBody("telegram", { bot_token: "123:abc", verify_token: "x" })).toEqual({
      bot_token: "123:abc",
    });
  });

  it("connects each type with exactly its fields", () => {
    const draft = {
      ...draftOf(channel()),
      name: "Shop",
      bot_token: "123:abc",
      access_token: "EAA",
      app_secret: "s3cret",
      allowed_origins: "https://shop.test",
    };
    expect(createBody("telegram", draft)).toEqual({
      type: "telegram",
      name: "Shop",
      bot_token: "123:abc",
    });
    expect(createBody("whatsapp", { ...draft, bot_id: "bot_1" })).toEqual({
      type: "whatsapp",
      name: "Shop",
      bot_id: "bot_1",
      phone_number_id: "1234",
      access_token: "EAA",
      app_secret: "s3cret",
      verify_token: "verify-abc12345",
    });
    expect(createBody("web", draft)).toEqual({
      type: "web",
      name: "Shop",
      allowed_origins: ["https://shop.test"],
    });
  });
});
