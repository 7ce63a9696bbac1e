// Retries from bots and gateways: escalating the same conversation twice, or forwarding the same
// contact message twice, must not create duplicates, and must answer the same.
import { describe, expect, it } from "vitest";
import {
  AgentSocket,
  claim,
  detail,
  fastForward,
  json,
  login,
  newApiKey,
  runAlarm,
  escalation,
  secondBot,
  settle,
  webhooksReceived,
  resolve,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { Handoff } from "../../schema/shapes";
import type {
  ContactMessageResult,
  EscalateResult,
  HandoffAnswer,
  ListPage,
  MessageAnswer,
  RoutedToAgent,
} from "./answers";

async function allHandoffs(cookie: string): Promise<Handoff[]> {
  return (await json<ListPage>("/api/handoffs?status=all", { cookie, status: 200 })).handoffs;
}

describe("escalation is idempotent per bot and conversation while open", () => {
  it("a repeat escalation answers 200 created:false with the open handoff, even with different details", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const first = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "idem-1" }),
      status: 201,
    });
    expect(first.created).toBe(true);
    const again = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "idem-1", reason: "asked again", priority: "urgent" }),
      status: 200,
    });
    expect(again.created).toBe(false);
    expect(again.handoff.id).toBe(first.handoff.id);
    expect(again.handoff_message).toBe(first.handoff_message);
    // The open handoff is not rewritten, and its history is not stored twice.
    expect(again.handoff).toMatchObject({
      reason: "asked for a human",
      priority: "normal",
      message_count: 2,
    });
    const d = await detail(alice, first.handoff.id);
    expect(d.messages.filter((m) => m.from !== "system")).toHaveLength(2);
    expect(d.events.map((e) => e.type)).toEqual(["escalated"]);
    expect(await allHandoffs(alice)).toHaveLength(1);
  });

  it("still the same handoff once it is active; a new one once it is resolved", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const body = escalation({ conversation_id: "idem-2" });
    const first = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 201,
    });
    await claim(alice, first.handoff.id);

    const whileActive = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 200,
    });
    expect(whileActive).toMatchObject({
      created: false,
      handoff: { id: first.handoff.id, status: "active", assignee: { id: t.alice.id } },
    });

    await resolve(alice, first.handoff.id, "return_to_bot");
    const next = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 201,
    });
    expect(next.created).toBe(true);
    expect(next.handoff.id).not.toBe(first.handoff.id);
    expect(next.handoff).toMatchObject({
      status: "queued",
      conversation_id: "idem-2",
      assignee: null,
    });

    const repeat = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 200,
    });
    expect(repeat.handoff.id).toBe(next.handoff.id);
    const statuses = (await allHandoffs(alice)).map(
      (h) => `${h.id === first.handoff.id ? "first" : "second"}:${h.status}`,
    );
    expect(statuses).toEqual(["second:queued", "first:resolved"]); // history lists newest first
  });

  it("is per bot, not per key: another key of the same bot gets the same open handoff", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { key } = await newApiKey(admin, t.botId);
    const first = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "two-keys" }),
      status: 201,
    });
    const second = await json<EscalateResult>("/api/v1/handoffs", {
      key,
      body: escalation({ conversation_id: "two-keys" }),
      status: 200,
    });
    expect(second).toMatchObject({ created: false, handoff: { id: first.handoff.id } });
  });

  it("after the handoff expired, escalating again opens a new one", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const body = escalation({ conversation_id: "idem-expired" });
    const first = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 201,
    });
    await fastForward(t);
    await runAlarm(t);
    expect((await detail(alice, first.handoff.id)).handoff.status).toBe("expired");
    const next = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 201,
    });
    expect(next.created).toBe(true);
    expect(next.handoff.id).not.toBe(first.handoff.id);
  });

  it("ten concurrent escalations of one conversation create exactly one handoff", async () => {
    const t = await makeTenant();
    const body = escalation({ conversation_id: "idem-burst" });
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        json<EscalateResult>("/api/v1/handoffs", { key: t.apiKey, body }),
      ),
    );
    expect(results.filter((r) => r.created === true)).toHaveLength(1);
    expect(new Set(results.map((r) => r.handoff.id)).size).toBe(1);
    expect(await allHandoffs(await login(t.alice))).toHaveLength(1);
  });

  it("is per bot: another bot of the tenant escalating the same conversation id gets its own handoff", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const other = await secondBot(admin);
    const mine = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "shared-conv" }),
      status: 201,
    });
    const theirs = await json<EscalateResult>("/api/v1/handoffs", {
      key: other.key,
      body: escalation({ conversation_id: "shared-conv" }),
      status: 201,
    });
    expect(theirs.handoff.id).not.toBe(mine.handoff.id);
    expect(theirs.handoff.bot_id).toBe(other.botId);
    expect(mine.handoff.bot_id).toBe(t.botId);
  });
});

describe("contact messages are idempotent per message id", () => {
  it("the same id sent twice is stored once and answered the same", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "msg-1" }),
      status: 201,
    });
    const msg = { conversation_id: "msg-1", id: "wamid-1", text: "Are you there?" };
    const first = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: msg,
      status: 202,
    });
    expect(first).toMatchObject({
      route: "agent",
      handoff_id: handoff.id,
      message: { from: "contact", text: "Are you there?" },
    });
    const second = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: msg,
      status: 202,
    });
    expect(second).toEqual(first);
    // A retry with a changed text is still the same message.
    const third = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { ...msg, text: "Are you there??" },
      status: 202,
    });
    expect(third).toEqual(first);

    const d = await detail(alice, handoff.id);
    expect(
      d.messages.filter((m) => m.from === "contact" && m.text.startsWith("Are you there")),
    ).toHaveLength(1);
    expect(d.handoff.message_count).toBe(handoff.message_count + 1);
    expect(d.handoff.last_message).toMatchObject({ text: "Are you there?", from: "contact" });
  });

  it("concurrent duplicates are stored once", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "msg-burst" }),
      status: 201,
    });
    const msg = { conversation_id: "msg-burst", id: "dup-1", text: "hello?" };
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        json<RoutedToAgent>("/api/v1/messages", { key: t.apiKey, body: msg, status: 202 }),
      ),
    );
    for (const r of results) expect(r).toEqual(results[0]);
    const d = await detail(alice, handoff.id);
    expect(d.messages.filter((m) => m.text === "hello?")).toHaveLength(1);
    expect(d.handoff.message_count).toBe(handoff.message_count + 1);
  });

  it("a message routed to the bot is answered {route: bot} again, even after a handoff opened", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const msg = { conversation_id: "msg-2", id: "early-1", text: "I want a refund" };
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key: t.apiKey,
        body: msg,
        status: 200,
      }),
    ).toEqual({ route: "bot" });

    const { handoff } = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "msg-2" }),
      status: 201,
    });
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key: t.apiKey,
        body: msg,
        status: 200,
      }),
    ).toEqual({ route: "bot" });
    const d = await detail(alice, handoff.id);
    expect(d.messages.some((m) => m.text === "I want a refund")).toBe(false);
    expect(d.handoff.message_count).toBe(handoff.message_count);

    // A new id for the same conversation now goes to the humans.
    const fresh = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { ...msg, id: "late-1" },
      status: 202,
    });
    expect(fresh).toMatchObject({ route: "agent", handoff_id: handoff.id });
  });

  it("a message routed to an agent is answered the same after the handoff is resolved, and not stored again", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "msg-3" }),
      status: 201,
    });
    const msg = { conversation_id: "msg-3", id: "in-1", text: "thanks" };
    const first = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: msg,
      status: 202,
    });
    await claim(alice, handoff.id);
    await resolve(alice, handoff.id);
    const before = await detail(alice, handoff.id);

    expect(
      await json<RoutedToAgent>("/api/v1/messages", { key: t.apiKey, body: msg, status: 202 }),
    ).toEqual(first);
    expect(await detail(alice, handoff.id)).toEqual(before);
    // A new id goes back to the bot.
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key: t.apiKey,
        body: { ...msg, id: "in-2" },
        status: 200,
      }),
    ).toEqual({ route: "bot" });
  });

  it("message ids are per bot: another bot may use the same id for its own conversation", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const other = await secondBot(admin);
    const a = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: "conv-a" }),
      status: 201,
    });
    const b = await json<EscalateResult>("/api/v1/handoffs", {
      key: other.key,
      body: escalation({ conversation_id: "conv-b" }),
      status: 201,
    });
    const sentA = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: "conv-a", id: "same-id", text: "to bot one" },
      status: 202,
    });
    const sentB = await json<RoutedToAgent>("/api/v1/messages", {
      key: other.key,
      body: { conversation_id: "conv-b", id: "same-id", text: "to bot two" },
      status: 202,
    });
    expect(sentA.handoff_id).toBe(a.handoff.id);
    expect(sentB).toMatchObject({
      route: "agent",
      handoff_id: b.handoff.id,
      message: { text: "to bot two" },
    });
    expect((await detail(admin, b.handoff.id)).messages.some((m) => m.text === "to bot two")).toBe(
      true,
    );
  });
});

describe("agent replies with a client_id", () => {
  it("sent again (over HTTP or the socket) are stored and delivered once, and answered the same", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation(),
      status: 201,
    });
    await claim(alice, handoff.id);
    const body = { text: "On it!", client_id: "c-123" };
    const first = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body,
      status: 201,
    });
    const again = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body,
      status: 201,
    });
    expect(again.message).toEqual(first.message);
    const socket = await AgentSocket.open(alice);
    const ack = await socket.command({ type: "reply", ref: "r1", handoff_id: handoff.id, ...body });
    expect(ack).toMatchObject({ ok: true, data: { message: { id: first.message.id } } });
    socket.close();
    const d = await detail(alice, handoff.id);
    expect(d.messages.filter((m) => m.text === "On it!")).toHaveLength(1);
    await settle(t);
    const replies = (await webhooksReceived(t)).filter((w) => w.event.type === "message.created");
    expect(replies).toHaveLength(1);
    // A different reply gets its own message; the id only dedupes the same sender's resend.
    const other = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Second", client_id: "c-124" },
      status: 201,
    });
    expect(other.message.id).not.toBe(first.message.id);
  });

  it("are per agent: a second agent reusing a client_id on the same handoff gets their own message", async () => {
    const t = await makeTenant();
    const [alice, bob] = await Promise.all([login(t.alice), login(t.bob)]);
    const { handoff } = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation(),
      status: 201,
    });
    await claim(alice, handoff.id);
    const fromAlice = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Alice here", client_id: "x" },
      status: 201,
    });
    await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/release`, {
      method: "POST",
      cookie: alice,
      status: 200,
    });
    await claim(bob, handoff.id);
    const fromBob = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: bob,
      body: { text: "Bob here", client_id: "x" },
      status: 201,
    });
    expect(fromBob.message).toMatchObject({ text: "Bob here", agent: { id: t.bob.id } });
    expect(fromBob.message.id).not.toBe(fromAlice.message.id);
    // Alice's resend still answers her first reply, though she no longer holds the claim.
    const resent = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Alice here", client_id: "x" },
      status: 201,
    });
    expect(resent.message).toEqual(fromAlice.message);
    const agentTexts = (await detail(alice, handoff.id)).messages
      .filter((m) => m.from === "agent")
      .map((m) => m.text);
    expect(agentTexts).toEqual(["Alice here", "Bob here"]);
  });
});
