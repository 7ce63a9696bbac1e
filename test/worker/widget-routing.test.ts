// A website visitor's conversation routed like any channel's: the bot gets message.received and
// answers through the conversations API (the visitor's socket gets it); a handoff keyword or a
// channel without a bot opens a handoff, whose state, automatic messages and the agent's
// replies reach the visitor live and stay in the conversation after a reload; the rating.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  call,
  claim,
  detail,
  expectError,
  json,
  login,
  resolve,
  settle,
  waitUntil,
  webhooksReceived,
  type WebhookDelivery,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import {
  connectWeb,
  conversationOf,
  newVisitor,
  visitorSays,
  VisitorSocket,
  widgetCall,
  widgetJson,
} from "./widget-helpers";
import type { Channel } from "../../schema/channels";
import type { WidgetHandoff } from "../../schema/widget";

afterEach(() => {
  VisitorSocket.closeAll();
  AgentSocket.closeAll();
});

async function setUp(withBot: boolean) {
  const t = await makeTenant();
  const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
  const channel = await connectWeb(admin, withBot ? { bot_id: t.botId } : {});
  return { t, admin, alice, channel };
}

const handoffFrame = (s: VisitorSocket, match: (h: WidgetHandoff) => boolean) =>
  s.next((f) => f.type === "handoff.updated" && match(f.data.handoff));
const messageFrame = (s: VisitorSocket, text: string) =>
  s.next((f) => f.type === "message.created" && f.data.message.text === text);

/** A webhook's type as sent (message.received is outside the typed events of the bot API). */
const typeOf = (w: WebhookDelivery) => (JSON.parse(w.body) as { type: string }).type;

async function messageReceived(t: TestTenant, conversationId: string) {
  await waitUntil("message.received arrived", async () =>
    (await webhooksReceived(t)).some(
      (w) => typeOf(w) === "message.received" && w.body.includes(conversationId),
    ),
  );
  return (await webhooksReceived(t)).filter((w) => typeOf(w) === "message.received");
}

describe("widget routing", () => {
  it("the bot gets message.received and its answer reaches the visitor's socket", async () => {
    const { t, channel } = await setUp(true);
    const visitor = await newVisitor(channel.id);
    const socket = await VisitorSocket.open(visitor.visitor_token);
    const said = await visitorSays(visitor.visitor_token, "Where is my order?");
    expect(said).toMatchObject({ from: "contact", text: "Where is my order?", agent: null });
    await messageFrame(socket, "Where is my order?");
    const received = await messageReceived(t, visitor.conversation_id);
    expect(JSON.parse(received[0]!.body).data).toMatchObject({
      conversation_id: visitor.conversation_id,
      channel: "web",
      message: { text: "Where is my order?" },
    });
    const path = `/api/v1/conversations/${encodeURIComponent(visitor.conversation_id)}/messages`;
    await json(path, { key: t.apiKey, body: { text: "It ships tomorrow." }, status: 201 });
    const answer = await messageFrame(socket, "It ships tomorrow.");
    expect(answer.type === "message.created" && answer.data.message).toMatchObject({
      from: "bot",
      agent: null,
    });
    // Numbered in order; a reload shows both lines and no handoff.
    expect(socket.numbered().map((f) => f.seq)).toEqual([1, 2]);
    const view = await conversationOf(visitor.visitor_token);
    expect(view).toMatchObject({ conversation_id: visitor.conversation_id, handoff: null, seq: 2 });
    expect(view.messages.map((m) => [m.from, m.text])).toEqual([
      ["contact", "Where is my order?"],
      ["bot", "It ships tomorrow."],
    ]);
  });

  it("a handoff keyword opens a handoff: queue place, the agent's name, replies, resolve, rating", async () => {
    const { t, alice, channel } = await setUp(true);
    const visitor = await newVisitor(channel.id);
    const token = visitor.visitor_token;
    const socket = await VisitorSocket.open(token);
    await visitorSays(token, "I want a human please");
    const queued = await handoffFrame(socket, (h) => h.status === "queued");
    const handoffId = queued.type === "handoff.updated" ? queued.data.handoff.id : "";
    expect(queued.type === "handoff.updated" && queued.data.handoff).toMatchObject({
      queue: { position: 1 },
      agent: null,
      rating: null,
    });
    const ho = await detail(alice, handoffId);
    expect(ho.handoff).toMatchObject({ channel: "web", reason: "asked for a human", rating: null });
    // The automatic "a person is coming" text reached the visitor.
    await messageFrame(socket, ho.messages.find((m) => m.from === "system")!.text);
    // The bot was not asked about the keyword message.
    expect((await webhooksReceived(t)).some((w) => typeOf(w) === "message.received")).toBe(false);

    await claim(alice, handoffId);
    const active = await handoffFrame(socket, (h) => h.status === "active");
    expect(active.type === "handoff.updated" && active.data.handoff).toMatchObject({
      queue: null,
      agent: { name: "Alice" },
    });
    await json(`/api/handoffs/${handoffId}/messages`, {
      cookie: alice,
      body: { text: "Hi, I am Alice. Let me look." },
      status: 201,
    });
    const reply = await messageFrame(socket, "Hi, I am Alice. Let me look.");
    expect(reply.type === "message.created" && reply.data.message).toMatchObject({
      from: "agent",
      agent: { name: "Alice" },
    });
    // The visitor's socket was open: delivered.
    const after = await detail(alice, handoffId);
    expect(after.messages.find((m) => m.from === "agent")!.delivery).toBe("delivered");
    // The visitor writes again: it joins the handoff.
    await visitorSays(token, "Thanks!");
    expect((await detail(alice, handoffId)).messages.at(-1)).toMatchObject({
      from: "contact",
      text: "Thanks!",
    });

    await resolve(alice, handoffId);
    await handoffFrame(socket, (h) => h.status === "resolved");
    await expectError(
      widgetCall("/rating", { token, body: { handoff_id: "ho_other", rating: "up" } }),
      404,
      "not_found",
    );
    await widgetJson("/rating", {
      token,
      body: { handoff_id: handoffId, rating: "up" },
      status: 200,
    });
    await handoffFrame(socket, (h) => h.rating === "up");
    const rated = await detail(alice, handoffId);
    expect(rated.handoff.rating).toBe("up");
    expect(rated.events.filter((e) => e.type === "rated")).toMatchObject([
      { actor: null, data: { rating: "up" } },
    ]);
    // D1 keeps it too (history and analytics read it there).
    await settle(t);
    const stored = await env.DB.prepare(`SELECT rating FROM handoffs WHERE id = ?`)
      .bind(handoffId)
      .first<{ rating: string | null }>();
    expect(stored?.rating).toBe("up");

    // After a reload the whole conversation is there, and nothing of the agents' internals.
    const view = await conversationOf(token);
    expect(view.handoff).toMatchObject({ id: handoffId, status: "resolved", rating: "up" });
    expect(view.messages.map((m) => m.from)).toEqual([
      "contact",
      "system",
      "system",
      "agent",
      "contact",
      "system",
    ]);
    expect(view.seq).toBe(socket.numbered().at(-1)!.seq);
    const shown = JSON.stringify([view, socket.frames]);
    for (const internal of [t.alice.id, t.alice.email, t.botId, "metadata", "note"])
      expect(shown).not.toContain(internal);
  });

  it("a channel without a bot opens a handoff at once; replies to a visitor away are 'sent'", async () => {
    const { t, alice, channel } = await setUp(false);
    const visitor = await newVisitor(channel.id);
    await visitorSays(visitor.visitor_token, "Hello?");
    const view = await conversationOf(visitor.visitor_token);
    expect(view.handoff).toMatchObject({ status: "queued", queue: { position: 1 } });
    await claim(alice, view.handoff!.id);
    await json(`/api/handoffs/${view.handoff!.id}/messages`, {
      cookie: alice,
      body: { text: "Still there?" },
      status: 201,
    });
    const full = await detail(alice, view.handoff!.id);
    expect(full.messages.find((m) => m.from === "agent")!.delivery).toBe("sent");
    expect(full.handoff.bot_id).toBe(channel.id);
    expect((await webhooksReceived(t)).length).toBe(0);
    // The visitor sees it on their next visit.
    expect((await conversationOf(visitor.visitor_token)).messages.at(-1)).toMatchObject({
      from: "agent",
      text: "Still there?",
      agent: { name: "Alice" },
    });
  });

  it("a bot may not answer a web conversation of another channel's bot", async () => {
    const { t, admin } = await setUp(true);
    const noBot: Channel = await connectWeb(admin, { name: "No bot" });
    const visitor = await newVisitor(noBot.id);
    const path = `/api/v1/conversations/${encodeURIComponent(visitor.conversation_id)}/messages`;
    await expectError(call(path, { key: t.apiKey, body: { text: "hi" } }), 404, "not_found");
  });

  it("a channel written straight to D1 (the demo seed: no sealed secrets) is learnt by the tenant object", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const id = `ch_seeded_${t.id}`;
    await env.DB.prepare(
      `INSERT INTO channels (id, tenant_id, type, name, bot_id, handoff_keywords, config, secrets, version, created_at)
       VALUES (?, ?, 'web', 'Seeded', NULL, '["human"]', ?, '', 1, ?)`,
    )
      .bind(id, t.id, JSON.stringify({ allowed_origins: ["https://shop.test"] }), Date.now())
      .run();
    const visitor = await newVisitor(id);
    await visitorSays(visitor.visitor_token, "Hello from the demo page");
    const { handoff } = await conversationOf(visitor.visitor_token);
    expect(handoff).toMatchObject({ status: "queued" });
    await claim(alice, handoff!.id);
    expect((await conversationOf(visitor.visitor_token)).handoff).toMatchObject({
      status: "active",
      agent: { name: "Alice" },
    });
  });
});
