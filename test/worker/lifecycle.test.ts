// The whole handoff over HTTP, with the bot's webhooks captured and verified by an independent
// Standard Webhooks implementation.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { call, escalate, escalation, eventually, json, login, runAlarm, webhooksReceived } from "./client";
import { makeTenant, WEBHOOK_SECRET } from "./fixtures";

const verifier = new Webhook(WEBHOOK_SECRET);

function verified(delivery: { headers: Record<string, string>; body: string }) {
  return verifier.verify(delivery.body, delivery.headers) as { type: string; data: any };
}

describe("handoff lifecycle over HTTP", () => {
  it("escalate → claim → reply → contact message → resolve, with signed webhooks", async () => {
    const t = await makeTenant();
    const created = await escalate(t, { conversation_id: "conv-life-1" });
    expect(created.created).toBe(true);
    expect(created.handoff_message).toBe("One moment — a person from our team will take over shortly.");
    const h = created.handoff;
    expect(h).toMatchObject({ status: "queued", conversation_id: "conv-life-1", assignee: null, message_count: 2, channel: "whatsapp" });
    expect(h.contact).toEqual({ id: expect.any(String), name: "Maria Lopez", phone: "+34 600 000 000", email: null });

    // While queued, the contact's messages go to the humans.
    const queuedMsg = await json("/api/v1/messages", { key: t.apiKey, body: { conversation_id: "conv-life-1", id: "c-1", text: "Anyone there?" }, status: 202 });
    expect(queuedMsg).toMatchObject({ route: "agent", handoff_id: h.id, message: { from: "contact", text: "Anyone there?" } });

    const alice = await login(t.alice);
    const claimed = await json(`/api/handoffs/${h.id}/claim`, { method: "POST", cookie: alice, status: 200 });
    expect(claimed.handoff).toMatchObject({ status: "active", assignee: { id: t.alice.id, name: "Alice" } });
    expect(claimed.handoff.claimed_at).toEqual(expect.any(String));

    const sent = await json(`/api/handoffs/${h.id}/messages`, { cookie: alice, body: { text: "Hi Maria, I can help." }, status: 201 });
    expect(sent.message).toMatchObject({ from: "agent", text: "Hi Maria, I can help.", agent: { id: t.alice.id, name: "Alice" }, delivery: "pending" });

    const contact = await json("/api/v1/messages", { key: t.apiKey, body: { conversation_id: "conv-life-1", id: "c-2", text: "Great, thanks" }, status: 202 });
    expect(contact.route).toBe("agent");

    const resolved = await json(`/api/handoffs/${h.id}/resolve`, { cookie: alice, body: { outcome: "return_to_bot", note: "Address changed in the admin" }, status: 200 });
    expect(resolved.handoff).toMatchObject({ status: "resolved", outcome: "return_to_bot" });

    // After resolve, the bot has the conversation back.
    expect(await json("/api/v1/messages", { key: t.apiKey, body: { conversation_id: "conv-life-1", id: "c-3", text: "One more thing" }, status: 200 })).toEqual({ route: "bot" });

    const detail = await json(`/api/handoffs/${h.id}`, { cookie: alice, status: 200 });
    expect(detail.messages.map((m: any) => `${m.from}:${m.text}`)).toEqual([
      "contact:Hi, I need to change my address",
      "bot:I can't do that, let me get a person.",
      "system:One moment — a person from our team will take over shortly.",
      "contact:Anyone there?",
      `system:Hello, this is Alice from ${t.name}. How can I help?`,
      "agent:Hi Maria, I can help.",
      "contact:Great, thanks",
      "system:Thanks for your patience — the assistant is back with you now.",
    ]);
    expect(detail.events.map((e: any) => e.type)).toEqual(["escalated", "claimed", "resolved"]);
    expect(detail.events[2]).toMatchObject({ actor: { id: t.alice.id }, data: { outcome: "return_to_bot", note: "Address changed in the admin" } });
    expect(detail.handoff.message_count).toBe(5);

    // Webhooks: claimed, the reply, resolved — each signed, in order, the note never included.
    await runAlarm(t);
    const deliveries = await eventually(async () => {
      const got = await webhooksReceived(t);
      expect(got).toHaveLength(3);
      return got;
    });
    const events = deliveries.map(verified);
    expect(events.map((e) => e.type)).toEqual(["handoff.claimed", "message.created", "handoff.resolved"]);
    expect(events[0]!.data).toMatchObject({ agent: { id: t.alice.id, name: "Alice" }, message: { text: `Hello, this is Alice from ${t.name}. How can I help?` } });
    expect(events[1]!.data.message).toMatchObject({ text: "Hi Maria, I can help.", agent: { name: "Alice" }, id: sent.message.id });
    expect(events[2]!.data).toMatchObject({ outcome: "return_to_bot", message: { text: "Thanks for your patience — the assistant is back with you now." } });
    for (const d of deliveries) expect(d.body).not.toContain("Address changed");

    // The agent's reply is marked delivered.
    await eventually(async () => {
      const after = await json(`/api/handoffs/${h.id}`, { cookie: alice, status: 200 });
      expect(after.messages.find((m: any) => m.id === sent.message.id).delivery).toBe("delivered");
    });
  });

  it("escalating the same conversation while it is open returns the open handoff", async () => {
    const t = await makeTenant();
    const body = escalation({ conversation_id: "conv-dup" });
    const first = await json("/api/v1/handoffs", { key: t.apiKey, body, status: 201 });
    const second = await json("/api/v1/handoffs", { key: t.apiKey, body, status: 200 });
    expect(second.created).toBe(false);
    expect(second.handoff.id).toBe(first.handoff.id);
    const list = await json("/api/handoffs?status=all", { cookie: await login(t.alice), status: 200 });
    expect(list.handoffs.filter((h: any) => h.conversation_id === "conv-dup")).toHaveLength(1);
  });

  it("a bot reads its handoff by id", async () => {
    const t = await makeTenant();
    const { handoff } = await escalate(t);
    const read = await json(`/api/v1/handoffs/${handoff.id}`, { key: t.apiKey, status: 200 });
    expect(read.handoff).toEqual(handoff);
    expect((await call(`/api/v1/handoffs/ho_missing`, { key: t.apiKey })).status).toBe(404);
  });

  it("lists the queue oldest first and history newest first, and says when the list was cut", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await escalate(t)).handoff.id);
    await json(`/api/handoffs/${ids[1]}/claim`, { method: "POST", cookie: alice, status: 200 });
    await json(`/api/handoffs/${ids[1]}/resolve`, { cookie: alice, body: { outcome: "close" }, status: 200 });

    const queue = await json("/api/handoffs", { cookie: alice, status: 200 });
    expect(queue.handoffs.map((h: any) => h.id)).toEqual([ids[0], ids[2]]);
    expect(queue.has_more).toBe(false);
    const history = await json("/api/handoffs?status=all", { cookie: alice, status: 200 });
    expect(history.handoffs.map((h: any) => h.id)).toEqual([ids[2], ids[1], ids[0]]);
    const cut = await json("/api/handoffs?status=all&limit=2", { cookie: alice, status: 200 });
    expect(cut.handoffs.map((h: any) => h.id)).toEqual([ids[2], ids[1]]);
    expect(cut.has_more).toBe(true);
  });
});
