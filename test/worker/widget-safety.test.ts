// The website widget's API is called from other sites: each call and the socket must come from
// one of the channel's allowed origins (403 otherwise, also without an Origin), a visitor token
// reads exactly one conversation, CORS answers name only an allowed origin, and visitors are
// limited per token and per client address.
import { afterEach, describe, expect, it } from "vitest";
import { call, expectError, freshIp, json, login, withinOneWindow } from "./client";
import { makeTenant } from "./fixtures";
import {
  connectWeb,
  conversationOf,
  newVisitor,
  OTHER_SITE,
  SHOP,
  visitorSays,
  VisitorSocket,
  visitorUpgrade,
  widgetCall,
  widgetJson,
} from "./widget-helpers";
import type { WidgetConfig } from "../../schema/widget";
import type { Channel } from "../../schema/channels";

afterEach(() => VisitorSocket.closeAll());

/** Another shop of the same tenant, with a web channel of its own. */
const SECOND_SHOP = "https://second-shop.test";

async function setUp() {
  const t = await makeTenant();
  const admin = await login(t.admin);
  const channel = await connectWeb(admin, { accent_color: "#0a7f5a", greeting: "Hi! Ask us." });
  const second = await connectWeb(admin, { name: "Second", allowed_origins: [SECOND_SHOP] });
  return { t, admin, channel, second };
}

/** Every widget endpoint as a visitor of `channel` calls it, with a given Origin. */
function everyCall(channel: Channel, token: string, origin: string | null) {
  return [
    widgetCall(`/config?channel_id=${channel.id}`, { origin }),
    widgetCall("/sessions", { body: { channel_id: channel.id }, origin }),
    widgetCall("/messages", { token, body: { text: "hello" }, origin }),
    widgetCall("/conversation", { token, origin }),
    widgetCall("/rating", { token, body: { handoff_id: "ho_x", rating: "up" }, origin }),
    visitorUpgrade(token, origin),
  ];
}

describe("widget: origins", () => {
  it("serves the config to an allowed origin, with CORS naming it", async () => {
    const { channel } = await setUp();
    const res = await widgetCall(`/config?channel_id=${channel.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(res.headers.get("vary")).toContain("Origin");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(await res.json<WidgetConfig>()).toEqual({
      channel: {
        id: channel.id,
        name: "Website",
        accent_color: "#0a7f5a",
        greeting: "Hi! Ask us.",
      },
    });
    await expectError(widgetCall("/config?channel_id=ch_nope"), 404, "not_found");
  });

  it("an admin sets the widget's accent colour and greeting; bad ones and other channels' are refused", async () => {
    const { admin, channel } = await setUp();
    expect(channel).toMatchObject({ accent_color: "#0a7f5a", greeting: "Hi! Ask us." });
    const path = `/api/admin/channels/${channel.id}`;
    const changed = await json<{ channel: Channel }>(path, {
      method: "PATCH",
      cookie: admin,
      body: { accent_color: null, greeting: "Hello there" },
      status: 200,
    });
    expect(changed.channel).toMatchObject({ accent_color: null, greeting: "Hello there" });
    const config = await widgetJson<WidgetConfig>(`/config?channel_id=${channel.id}`, {
      status: 200,
    });
    expect(config.channel).toMatchObject({ accent_color: null, greeting: "Hello there" });
    for (const body of [
      { accent_color: "red" },
      { accent_color: "#12345" },
      { greeting: "x".repeat(301) },
    ])
      await expectError(
        call(path, { method: "PATCH", cookie: admin, body }),
        400,
        "invalid_request",
      );
    const telegram = await json<{ channel: Channel }>("/api/admin/channels", {
      cookie: admin,
      body: { type: "telegram", name: "Telegram", bot_token: "123:abc" },
      status: 201,
    });
    await expectError(
      call(`/api/admin/channels/${telegram.channel.id}`, {
        method: "PATCH",
        cookie: admin,
        body: { greeting: "Hi" },
      }),
      400,
      "invalid_request",
    );
  });

  it("refuses every endpoint and the socket without an Origin, from another site, and from another channel's site", async () => {
    const { channel, second } = await setUp();
    const visitor = await newVisitor(channel.id);
    for (const origin of [null, OTHER_SITE, SECOND_SHOP]) {
      const answers = await Promise.all(everyCall(channel, visitor.visitor_token, origin));
      for (const res of answers) {
        const error = await expectError(res, 403, "forbidden");
        expect(error.message).toBeTruthy();
        expect(res.headers.get("access-control-allow-origin")).toBeNull();
      }
    }
    // The second channel's own site is refused by the first channel, and served by its own.
    await newVisitor(second.id, SECOND_SHOP);
    await expectError(
      widgetCall("/sessions", { body: { channel_id: second.id }, origin: SHOP }),
      403,
      "forbidden",
    );
    // Nothing of the refused calls reached the conversation.
    expect((await conversationOf(visitor.visitor_token)).messages).toEqual([]);
  });

  it("answers preflights; errors carry CORS so the widget can read them; no cross-site agent API", async () => {
    const { channel } = await setUp();
    const res = await widgetCall("/messages", {
      method: "OPTIONS",
      headers: {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(SHOP);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    const unknown = await widgetCall("/conversation", { token: "wv_nobody.secret" });
    await expectError(unknown, 401, "unauthorized");
    expect(unknown.headers.get("access-control-allow-origin")).toBe(SHOP);
    // The agents' API still refuses the shop's pages.
    await expectError(
      widgetCall("/../auth/login", { body: { email: "a@b.c", password: "x" }, origin: SHOP }),
      403,
      "forbidden",
    );
    expect(channel.type).toBe("web");
  });
});

describe("widget: tokens", () => {
  it("a token reads its own conversation only; tampered, unknown and others' tokens are refused", async () => {
    const { t, admin, channel } = await setUp();
    const a = await newVisitor(channel.id);
    const b = await newVisitor(channel.id);
    expect(a.visitor_token).toMatch(new RegExp(`^wv_${t.id}\\.[A-Za-z0-9_-]{40,}$`));
    expect(a.conversation_id).not.toBe(b.conversation_id);
    expect(a.conversation_id.startsWith(`${channel.id}:`)).toBe(true);
    const bSocket = await VisitorSocket.open(b.visitor_token);
    await visitorSays(a.visitor_token, "A's secret order 1042");
    const ofA = await conversationOf(a.visitor_token);
    expect(ofA.messages.map((m) => m.text)).toEqual(
      expect.arrayContaining(["A's secret order 1042"]),
    );
    const ofB = await conversationOf(b.visitor_token);
    expect(ofB.conversation_id).toBe(b.conversation_id);
    expect(JSON.stringify(ofB)).not.toContain("1042");
    await bSocket.sync();
    expect(JSON.stringify(bSocket.frames)).not.toContain("1042");
    // B cannot rate A's handoff (a channel without a bot opened one).
    expect(ofA.handoff).not.toBeNull();
    await expectError(
      widgetCall("/rating", {
        token: b.visitor_token,
        body: { handoff_id: ofA.handoff!.id, rating: "down" },
      }),
      404,
      "not_found",
    );
    // Tokens that are not a live visitor's: another tenant named, a changed secret, made up,
    // an agent's cookie value or a bot's key.
    const other = await makeTenant();
    const secret = a.visitor_token.slice(a.visitor_token.indexOf(".") + 1);
    const cookie = admin.slice(admin.indexOf("=") + 1);
    for (const token of [
      `wv_${other.id}.${secret}`,
      `${a.visitor_token.slice(0, -2)}xx`,
      "wv_nobody.secret",
      cookie,
      t.apiKey,
    ]) {
      await expectError(widgetCall("/conversation", { token }), 401, "unauthorized");
      expect((await visitorUpgrade(token)).status).toBe(401);
    }
    await expectError(widgetCall("/conversation"), 401, "unauthorized");
    // A disconnected channel's visitors are done.
    await json(`/api/admin/channels/${channel.id}`, {
      method: "DELETE",
      cookie: admin,
      status: 200,
    });
    await expectError(widgetCall("/conversation", { token: a.visitor_token }), 401, "unauthorized");
    await expectError(
      widgetCall("/sessions", { body: { channel_id: channel.id } }),
      404,
      "not_found",
    );
  });

  it("checks text limits like every other message", async () => {
    const { channel } = await setUp();
    const { visitor_token: token } = await newVisitor(channel.id);
    for (const text of ["", "   ", "x".repeat(4097)])
      await expectError(widgetCall("/messages", { token, body: { text } }), 400, "invalid_request");
    await expectError(
      widgetCall("/messages", { token, body: { text: "hi", extra: 1 } }),
      400,
      "invalid_request",
    );
    const long = await visitorSays(token, ` ${"y".repeat(4096)} `);
    expect(long.text).toBe("y".repeat(4096));
    expect(long).toMatchObject({ from: "contact", agent: null });
  });
});

describe("widget: rate limits", () => {
  it("limits each visitor's messages, not the next visitor's", async () => {
    const { channel } = await setUp();
    const ip = freshIp();
    const a = await widgetJson<{ visitor_token: string }>("/sessions", {
      body: { channel_id: channel.id },
      ip,
      status: 201,
    });
    const b = await newVisitor(channel.id);
    await withinOneWindow(10, 4_000);
    for (let i = 0; i < 20; i++)
      expect(
        (await widgetCall("/messages", { token: a.visitor_token, body: { text: `m${i}` }, ip }))
          .status,
      ).toBe(201);
    await expectError(
      widgetCall("/messages", { token: a.visitor_token, body: { text: "one more" }, ip }),
      429,
      "rate_limited",
    );
    await visitorSays(b.visitor_token, "I am someone else");
    const lines = (await conversationOf(a.visitor_token)).messages.filter(
      (m) => m.from === "contact",
    );
    expect(lines).toHaveLength(20);
  });

  it("limits new chats per client address", async () => {
    const { channel } = await setUp();
    const ip = freshIp();
    await withinOneWindow(60, 10_000);
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++)
      statuses.push(
        (await widgetCall("/sessions", { body: { channel_id: channel.id }, ip })).status,
      );
    expect(statuses.slice(0, 60).every((s) => s === 201)).toBe(true);
    expect(statuses[60]).toBe(429);
    expect((await widgetCall("/sessions", { body: { channel_id: channel.id } })).status).toBe(201);
  });
});
