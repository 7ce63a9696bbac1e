// The whole handoff over HTTP, with the bot's webhooks captured and verified by an independent
// Standard Webhooks implementation.
import { describe, expect, it } from "vitest";
import type { EscalateRecord } from "../../schema/api";
import { runInDurableObject } from "cloudflare:test";
import { escalate as escalateStep } from "../../worker/src/tenant/lifecycle";
import {
  call,
  claim,
  detail,
  fastForward,
  hub,
  hubRows,
  json,
  login,
  runAlarm,
  escalate,
  escalation,
  settle,
  verifiedWebhooks,
  resolve,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type {
  BotHandoffAnswer,
  ContactMessageResult,
  ErrorAnswer,
  EscalateResult,
  HandoffAnswer,
  ListPage,
  MessageAnswer,
  RoutedToAgent,
  Stats,
} from "./answers";

describe("handoff lifecycle over HTTP", () => {
  it("escalate → claim → reply → contact message → resolve, with signed webhooks", async () => {
    const t = await makeTenant();
    const maria = { id: "34600111222", name: "Maria Lopez", phone: "+34 600 000 000" };
    const created = await escalate(t, { conversation_id: "conv-life-1", contact: maria });
    expect(created.created).toBe(true);
    expect(created.handoff_message).toBe(
      "One moment — a person from our team will take over shortly.",
    );
    const h = created.handoff;
    expect(h).toMatchObject({
      status: "queued",
      conversation_id: "conv-life-1",
      assignee: null,
      message_count: 2,
      channel: "whatsapp",
    });
    expect(h.contact).toEqual({ ...maria, email: null });

    // While queued, the contact's messages go to the humans.
    const queuedMsg = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: "conv-life-1", id: "c-1", text: "Anyone there?" },
      status: 202,
    });
    expect(queuedMsg).toMatchObject({
      route: "agent",
      handoff_id: h.id,
      message: { from: "contact", text: "Anyone there?" },
    });

    const alice = await login(t.alice);
    const claimed = await claim(alice, h.id);
    expect(claimed.handoff).toMatchObject({
      status: "active",
      assignee: { id: t.alice.id, name: "Alice" },
    });
    expect(claimed.handoff.claimed_at).toEqual(expect.any(String));

    const sent = await json<MessageAnswer>(`/api/handoffs/${h.id}/messages`, {
      cookie: alice,
      body: { text: "Hi Maria, I can help." },
      status: 201,
    });
    expect(sent.message).toMatchObject({
      from: "agent",
      text: "Hi Maria, I can help.",
      agent: { id: t.alice.id, name: "Alice" },
      delivery: "pending",
    });

    const contact = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: "conv-life-1", id: "c-2", text: "Great, thanks" },
      status: 202,
    });
    expect(contact.route).toBe("agent");

    const resolved = await json<HandoffAnswer>(`/api/handoffs/${h.id}/resolve`, {
      cookie: alice,
      body: { outcome: "return_to_bot", note: "Address changed in the admin" },
      status: 200,
    });
    expect(resolved.handoff).toMatchObject({ status: "resolved", outcome: "return_to_bot" });

    // After resolve, the bot has the conversation back.
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key: t.apiKey,
        body: { conversation_id: "conv-life-1", id: "c-3", text: "One more thing" },
        status: 200,
      }),
    ).toEqual({ route: "bot" });

    const full = await detail(alice, h.id);
    expect(full.messages.map((m) => `${m.from}:${m.text}`)).toEqual([
      "contact:Hi, I need to change my address",
      "bot:I can't do that, let me get a person.",
      "system:One moment — a person from our team will take over shortly.",
      "contact:Anyone there?",
      `system:Hello, this is Alice from ${t.name}. How can I help?`,
      "agent:Hi Maria, I can help.",
      "contact:Great, thanks",
      "system:Thanks for your patience — the assistant is back with you now.",
    ]);
    expect(full.events.map((e) => e.type)).toEqual(["escalated", "claimed", "resolved"]);
    expect(full.events[2]).toMatchObject({
      actor: { id: t.alice.id },
      data: { outcome: "return_to_bot", note: "Address changed in the admin" },
    });
    expect(full.handoff.message_count).toBe(5);

    // Webhooks: claimed, the reply, resolved — each signed, in order, the note never included.
    await settle(t);
    const deliveries = await verifiedWebhooks(t);
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    const events = deliveries.map((d) => d.event);
    expect(events.map((e) => e.type)).toEqual([
      "handoff.claimed",
      "message.created",
      "handoff.resolved",
    ]);
    expect(events[0]!.data).toMatchObject({
      agent: { id: t.alice.id, name: "Alice" },
      message: { text: `Hello, this is Alice from ${t.name}. How can I help?` },
    });
    expect(events[1]!.data.message).toMatchObject({
      text: "Hi Maria, I can help.",
      agent: { name: "Alice" },
      id: sent.message.id,
    });
    expect(events[2]!.data).toMatchObject({
      outcome: "return_to_bot",
      message: { text: "Thanks for your patience — the assistant is back with you now." },
    });
    for (const d of deliveries) expect(d.body).not.toContain("Address changed");

    // The agent's reply is marked delivered.
    const after = await detail(alice, h.id);
    expect(after.messages.find((m) => m.id === sent.message.id)!.delivery).toBe("delivered");
  });

  it("escalating the same conversation while it is open returns the open handoff", async () => {
    const t = await makeTenant();
    const body = escalation({ conversation_id: "conv-dup" });
    const first = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 201,
    });
    const second = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body,
      status: 200,
    });
    expect(second.created).toBe(false);
    expect(second.handoff.id).toBe(first.handoff.id);
    const list = await json<ListPage>("/api/handoffs?status=all", {
      cookie: await login(t.alice),
      status: 200,
    });
    expect(list.handoffs.filter((h) => h.conversation_id === "conv-dup")).toHaveLength(1);
  });

  it("a bot reads its handoff by id", async () => {
    const t = await makeTenant();
    const { handoff } = await escalate(t);
    const read = await json<BotHandoffAnswer>(`/api/v1/handoffs/${handoff.id}`, {
      key: t.apiKey,
      status: 200,
    });
    expect(read.handoff).toEqual(handoff);
    expect((await call(`/api/v1/handoffs/ho_missing`, { key: t.apiKey })).status).toBe(404);
  });

  it("lists the queue oldest first and history newest first, and says when the list was cut", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await escalate(t)).handoff.id);
    await claim(alice, ids[1]!);
    await resolve(alice, ids[1]!);

    const queue = await json<ListPage>("/api/handoffs", { cookie: alice, status: 200 });
    expect(queue.handoffs.map((h) => h.id)).toEqual([ids[0], ids[2]]);
    expect(queue.has_more).toBe(false);
    const history = await json<ListPage>("/api/handoffs?status=all", {
      cookie: alice,
      status: 200,
    });
    expect(history.handoffs.map((h) => h.id)).toEqual([ids[2], ids[1], ids[0]]);
    const cut = await json<ListPage>("/api/handoffs?status=all&limit=2", {
      cookie: alice,
      status: 200,
    });
    expect(cut.handoffs.map((h) => h.id)).toEqual([ids[2], ids[1]]);
    expect(cut.has_more).toBe(true);
  });
});

/** The ids a list query answers, in order. */
async function listed(cookie: string, query: string): Promise<string[]> {
  return (await json<ListPage>(`/api/handoffs${query}`, { cookie, status: 200 })).handoffs.map(
    (h) => h.id,
  );
}

/** Opens `count` handoffs inside the tenant object, by its own escalation step (no API key's budget in the way). */
async function openMany(t: TestTenant, count: number): Promise<void> {
  await escalate(t); // the object learns its tenant and bot
  await runInDurableObject(hub(t), (instance) => {
    const core = instance["core"];
    const bot = core.bot(t.botId)!;
    for (let i = 1; i < count; i++) {
      const record: EscalateRecord = {
        conversation_id: `many-${i}`,
        channel: "web",
        contact: { id: `c-${i}` },
        tags: [],
        priority: "normal",
        history: [],
        metadata: "{}",
      };
      core.atomically(() => escalateStep(core, bot, record, Date.now()));
    }
  });
}

describe("the inbox list's filters", () => {
  it("status, assignee and q each answer exactly the handoffs they name", async () => {
    const t = await makeTenant();
    const [alice, bob] = await Promise.all([login(t.alice), login(t.bob)]);
    const expired = (await escalate(t)).handoff;
    await fastForward(t, ["expire"]);
    await runAlarm(t);
    const queued = (await escalate(t)).handoff;
    const mine = (await escalate(t, { summary: "Wants a refund for order 77." })).handoff;
    const bobs = (await escalate(t)).handoff;
    const resolved = (await escalate(t)).handoff;
    await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: queued.conversation_id, id: "q-1", text: "My parcel never arrived" },
      status: 202,
    });
    for (const [h, cookie] of [
      [mine, alice],
      [bobs, bob],
      [resolved, alice],
    ] as const) {
      await claim(cookie, h.id);
    }
    await resolve(alice, resolved.id);
    expect(new Set([expired, queued, mine, bobs, resolved].map((h) => h.contact.name)).size).toBe(
      5,
    );

    // Status: the queue by default (oldest first), each status alone, and history (newest first).
    expect(await listed(alice, "")).toEqual([queued.id, mine.id, bobs.id]);
    expect(await listed(alice, "?status=queued")).toEqual([queued.id]);
    expect(await listed(alice, "?status=active")).toEqual([mine.id, bobs.id]);
    expect(await listed(alice, "?status=resolved")).toEqual([resolved.id]);
    expect(await listed(alice, "?status=expired")).toEqual([expired.id]);
    expect(await listed(alice, "?status=resolved,expired")).toEqual([resolved.id, expired.id]);
    expect(await listed(alice, "?status=all")).toEqual([
      resolved.id,
      bobs.id,
      mine.id,
      queued.id,
      expired.id,
    ]);

    // Assignee: me is whoever asks; unassigned is nobody's.
    expect(await listed(alice, "?assignee=me")).toEqual([mine.id]);
    expect(await listed(bob, "?assignee=me")).toEqual([bobs.id]);
    expect(await listed(alice, "?status=all&assignee=me")).toEqual([resolved.id, mine.id]);
    expect(await listed(alice, "?assignee=unassigned")).toEqual([queued.id]);
    expect(await listed(alice, "?status=all&assignee=unassigned")).toEqual([queued.id, expired.id]);
    expect(await listed(alice, "?assignee=any")).toEqual([queued.id, mine.id, bobs.id]);

    // q: the contact's name, the summary, a message (any case), never the system's own texts.
    expect(await listed(alice, `?status=all&q=${encodeURIComponent(bobs.contact.name!)}`)).toEqual([
      bobs.id,
    ]);
    expect(
      await listed(
        alice,
        `?status=all&q=${encodeURIComponent(expired.contact.name!.toUpperCase())}`,
      ),
    ).toEqual([expired.id]);
    expect(await listed(alice, "?status=all&q=refund")).toEqual([mine.id]);
    expect(await listed(alice, "?q=parcel%20NEVER")).toEqual([queued.id]);
    expect(await listed(alice, "?status=all&q=One%20moment")).toEqual([]);
    expect(await listed(alice, "?status=all&q=100%25")).toEqual([]);
    // Filters combine.
    expect(await listed(alice, "?status=all&assignee=me&q=refund")).toEqual([mine.id]);
    expect(await listed(bob, "?status=all&assignee=me&q=refund")).toEqual([]);
  });

  it("answers 200 by default and up to 500 with limit, saying when it was cut", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    await openMany(t, 501);
    const standard = await json<ListPage>("/api/handoffs", { cookie: alice, status: 200 });
    expect(standard.handoffs).toHaveLength(200);
    expect(standard.has_more).toBe(true);
    const most = await json<ListPage>("/api/handoffs?limit=500", { cookie: alice, status: 200 });
    expect(most.handoffs).toHaveLength(500);
    expect(most.has_more).toBe(true);
    expect(most.handoffs.slice(0, 200)).toEqual(standard.handoffs);
    await claim(alice, most.handoffs[0]!.id);
    const rest = await json<ListPage>("/api/handoffs?limit=500&assignee=unassigned", {
      cookie: alice,
      status: 200,
    });
    expect(rest.handoffs).toHaveLength(500);
    expect(rest.has_more).toBe(false);
    const error = await json<ErrorAnswer>("/api/handoffs?limit=501", {
      cookie: alice,
      status: 400,
    });
    expect(error.error.issues!.map((i) => i.path)).toEqual(["limit"]);
  });
});

describe("the stats bar", () => {
  it("oldest_waiting_seconds is the longest wait in the queue; resolved_this_week counts this week's resolves", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const stats = () => json<Stats>("/api/stats", { cookie: alice, status: 200 });
    expect(await stats()).toEqual({
      queued: 0,
      active: 0,
      agents_online: 0,
      oldest_waiting_seconds: null,
      today: 0,
      resolved_this_week: 0,
    });

    const first = (await escalate(t)).handoff;
    await new Promise((r) => setTimeout(r, 1_100)); // a wait of over a second, so it shows
    const second = (await escalate(t)).handoff;
    /** The wait of `h`, bracketing the moment the stats were taken. */
    const waitOf = async (h: { created_at: string }) => {
      const before = Date.now();
      const s = await stats();
      const after = Date.now();
      const from = Math.floor((before - Date.parse(h.created_at)) / 1000);
      const to = Math.floor((after - Date.parse(h.created_at)) / 1000);
      expect(s.oldest_waiting_seconds).toBeGreaterThanOrEqual(from);
      expect(s.oldest_waiting_seconds).toBeLessThanOrEqual(to);
      return s;
    };
    expect((await waitOf(first)).oldest_waiting_seconds).toBeGreaterThanOrEqual(1);

    // Claimed, the first no longer waits: the second is now the oldest.
    await claim(alice, first.id);
    expect(await waitOf(second)).toMatchObject({
      queued: 1,
      active: 1,
      today: 2,
      resolved_this_week: 0,
    });

    await resolve(alice, first.id);
    await fastForward(t, ["expire"]);
    await runAlarm(t);
    // An expired handoff is not resolved; nothing waits any more.
    expect(await stats()).toMatchObject({
      queued: 0,
      active: 0,
      oldest_waiting_seconds: null,
      today: 2,
      resolved_this_week: 1,
    });

    // A resolve from before this week's Monday (UTC) is not this week's: the day's counters moved
    // to last Sunday, then to this Monday.
    const now = new Date();
    const monday =
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) -
      ((now.getUTCDay() + 6) % 7) * 86_400_000;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    await hubRows(t, `UPDATE daily_counts SET day = ? WHERE resolved > 0`, day(monday - 1));
    expect((await stats()).resolved_this_week).toBe(0);
    await hubRows(t, `UPDATE daily_counts SET day = ? WHERE resolved > 0`, day(monday));
    expect((await stats()).resolved_this_week).toBe(1);
  });
});
