// The tenant object's timers, driven through its one alarm: expiry (with the contact told and the
// bot's webhook sent exactly once), reminders, release re-arming the wait, and timers that survive
// the object being evicted from memory.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  type FrameOf,
  alarmAt,
  claim,
  detail,
  fastForward,
  hub,
  hubRows,
  timerDue,
  json,
  login,
  runAlarm,
  escalate,
  settle,
  verifiedWebhooks,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type {
  BotHandoffAnswer,
  ContactMessageResult,
  EscalateResult,
  HandoffAnswer,
  ListPage,
  RoutedToAgent,
} from "./answers";

const expiryText = (t: TestTenant) =>
  `Sorry, nobody from ${t.name} is free right now. The assistant is back with you.`;

/** Every webhook the tenant's bot received, signature-verified, with its webhook-id. */
async function received(t: TestTenant) {
  return (await verifiedWebhooks(t)).map((d) => ({
    id: d.id,
    status: d.status,
    type: d.event.type,
    data: d.event.data,
  }));
}

/**
 * Runs the object's alarm handler as the runtime does, then twice at once (as when a run is
 * retried while an earlier one is still in flight), with the work the first run queued now due.
 */
async function alarmThenTwiceAtOnce(t: TestTenant): Promise<void> {
  await runInDurableObject(hub(t), async (instance, state) => {
    await state.storage.deleteAlarm();
    await instance.alarm();
    await state.storage.deleteAlarm();
    await Promise.all([instance.alarm(), instance.alarm()]);
  });
}

const eventTypes = (d: { events: { type: string }[] }) => d.events.map((e) => e.type);

afterEach(() => AgentSocket.closeAll());

describe("scheduling", () => {
  it("arms the one alarm for the reminder (escalation + reminder delay), then for the expiry (expires_at)", async () => {
    const t = await makeTenant({ reminderSeconds: 180, maxWaitMinutes: 30 });
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await settle(t);
    const created = Date.parse(handoff.created_at);
    expect(Date.parse(handoff.expires_at!)).toBe(created + 30 * 60_000);
    expect(await timerDue(t, "remind", handoff.id)).toBe(created + 180_000);
    expect(await timerDue(t, "expire", handoff.id)).toBe(Date.parse(handoff.expires_at!));
    expect(await alarmAt(t)).toBe(created + 180_000);

    await fastForward(t, ["remind"]);
    await runAlarm(t);
    expect(eventTypes(await detail(cookie, handoff.id))).toEqual(["escalated", "reminded"]);
    expect(await timerDue(t, "remind", handoff.id)).toBeUndefined();
    await settle(t);
    expect(await alarmAt(t)).toBe(Date.parse(handoff.expires_at!));
  });

  it("sets a reminder only when it would come before the expiry", async () => {
    const t = await makeTenant({ reminderSeconds: 120 });
    const cookie = await login(t.alice);
    const shorter = (await escalate(t, { max_wait_seconds: 121 })).handoff;
    const equal = (await escalate(t, { max_wait_seconds: 120 })).handoff;
    const longer = (await escalate(t, { max_wait_seconds: 60 })).handoff;
    await settle(t);
    expect(await timerDue(t, "remind", shorter.id)).toBe(Date.parse(shorter.created_at) + 120_000);
    expect(await timerDue(t, "remind", equal.id)).toBeUndefined();
    expect(await timerDue(t, "remind", longer.id)).toBeUndefined();
    expect(await alarmAt(t)).toBe(Date.parse(longer.expires_at!));

    // The one whose wait is shorter than the delay expires without ever being reminded.
    await fastForward(t, ["expire"]);
    await runAlarm(t);
    for (const h of [equal, longer])
      expect(eventTypes(await detail(cookie, h.id))).toEqual(["escalated", "expired"]);
    expect(eventTypes(await detail(cookie, shorter.id))).toEqual(["escalated", "expired"]);
    expect(await hubRows(t, `SELECT ref FROM timers WHERE kind IN ('remind', 'expire')`)).toEqual(
      [],
    );
  });

  it("the runtime's own alarm sends the reminder when it is due, with no help from the test", async () => {
    const t = await makeTenant({ reminderSeconds: 1 });
    const [alice] = [await AgentSocket.open(await login(t.alice))];
    const { handoff } = await escalate(t, { max_wait_seconds: 600 });
    const created = Date.parse(handoff.created_at);
    expect(await timerDue(t, "remind", handoff.id)).toBe(created + 1_000);

    const reminder = await alice.next<FrameOf<"handoff.reminder">>(
      (f) => f.type === "handoff.reminder",
    );
    const d = await detail(await login(t.bob), handoff.id);
    expect(eventTypes(d)).toEqual(["escalated", "reminded"]);
    const remindedAt = Date.parse(d.events[1]!.at);
    expect(remindedAt).toBeGreaterThanOrEqual(created + 1_000);
    // The wait it reports is the real one, at the moment the alarm ran.
    expect(reminder.data).toMatchObject({
      handoff: { id: handoff.id, status: "queued" },
      waiting_seconds: Math.round((remindedAt - created) / 1000),
    });
    expect(reminder.data.waiting_seconds).toBeGreaterThanOrEqual(1);
    await settle(t);
    expect(await alarmAt(t)).toBe(Date.parse(handoff.expires_at!));
    await alice.sync();
    expect(alice.events("handoff.reminder")).toHaveLength(1);
  });
});

describe("expiry", () => {
  it("an unclaimed handoff expires through the alarm: status, audit event, contact told, bot told once", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "conv-expire", max_wait_seconds: 60 });
    await settle(t);

    await fastForward(t);
    await alarmThenTwiceAtOnce(t);
    await settle(t);
    await fastForward(t);
    await runAlarm(t);

    const d = await detail(cookie, handoff.id);
    expect(d.handoff).toMatchObject({ id: handoff.id, status: "expired", assignee: null });
    expect(eventTypes(d)).toEqual(["escalated", "expired"]);
    expect(d.events[1]).toMatchObject({
      actor: null,
      data: { waited_seconds: expect.any(Number) },
    });
    const last = d.messages[d.messages.length - 1];
    expect(last).toMatchObject({ from: "system", text: expiryText(t) });
    expect(d.messages.filter((m) => m.text === expiryText(t))).toHaveLength(1);
    // System messages are not conversation.
    expect(d.handoff.message_count).toBe(2);

    // The bot sees it too.
    const read = await json<BotHandoffAnswer>(`/api/v1/handoffs/${handoff.id}`, {
      key: t.apiKey,
      status: 200,
    });
    expect(read.handoff.status).toBe("expired");

    const hooks = await received(t);
    expect(hooks.map((h) => h.type)).toEqual(["handoff.expired"]);
    expect(hooks[0]!.status).toBe(200);
    expect(hooks[0]!.data).toMatchObject({
      handoff: { id: handoff.id, status: "expired", conversation_id: "conv-expire" },
      message: { text: expiryText(t) },
    });

    // Nothing duplicated inside the object either.
    expect(
      await hubRows(
        t,
        `SELECT COUNT(*) AS n FROM audit WHERE handoff_id = ? AND type = 'expired'`,
        handoff.id,
      ),
    ).toEqual([{ n: 1 }]);
    expect(
      await hubRows(t, `SELECT COUNT(*) AS n FROM webhooks WHERE type = 'handoff.expired'`),
    ).toEqual([{ n: 1 }]);
    expect(
      await hubRows(
        t,
        `SELECT COUNT(*) AS n FROM messages WHERE handoff_id = ? AND text = ?`,
        handoff.id,
        expiryText(t),
      ),
    ).toEqual([{ n: 1 }]);
  });

  it("the expiry time honours max_wait_seconds, and otherwise the bot's max wait minutes", async () => {
    const t = await makeTenant({ maxWaitMinutes: 5 });
    const custom = (await escalate(t, { max_wait_seconds: 90 })).handoff;
    expect(Date.parse(custom.expires_at!) - Date.parse(custom.created_at)).toBe(90_000);
    const standard = (await escalate(t)).handoff;
    expect(Date.parse(standard.expires_at!) - Date.parse(standard.created_at)).toBe(5 * 60_000);

    // The armed timers are the published expiry times.
    const timers = await hubRows<{ ref: string; due_at: number }>(
      t,
      `SELECT ref, due_at FROM timers WHERE kind = 'expire' ORDER BY due_at`,
    );
    expect(timers).toEqual([
      { ref: custom.id, due_at: Date.parse(custom.expires_at!) },
      { ref: standard.id, due_at: Date.parse(standard.expires_at!) },
    ]);

    // Out-of-range waits are refused in bad-input.test.ts.
  });

  it("a claimed handoff does not expire", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, {
      conversation_id: "conv-claimed",
      max_wait_seconds: 30,
    });
    await claim(cookie, handoff.id);
    await settle(t);

    await fastForward(t);
    await runAlarm(t);
    await settle(t);

    const d = await detail(cookie, handoff.id);
    expect(d.handoff).toMatchObject({ status: "active", assignee: { id: t.alice.id } });
    expect(eventTypes(d)).toEqual(["escalated", "claimed"]);
    expect(d.messages.some((m) => m.text === expiryText(t))).toBe(false);
    expect((await received(t)).map((h) => h.type)).toEqual(["handoff.claimed"]);
    // The contact still reaches the agent.
    const msg = await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: "conv-claimed", id: "c-1", text: "still there?" },
      status: 202,
    });
    expect(msg).toMatchObject({ route: "agent", handoff_id: handoff.id });
  });

  it("after expiry and after resolve the contact's messages go back to the bot", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);

    const expiring = (await escalate(t, { conversation_id: "conv-exp-route" })).handoff;
    await settle(t);
    await fastForward(t);
    await runAlarm(t);
    expect((await detail(cookie, expiring.id)).handoff.status).toBe("expired");
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key: t.apiKey,
        body: { conversation_id: "conv-exp-route", id: "e-1", text: "hello?" },
        status: 200,
      }),
    ).toEqual({ route: "bot" });
    // The contact re-engaging later starts a new handoff.
    const again = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: { conversation_id: "conv-exp-route", channel: "web", contact: { id: "c-9" } },
      status: 201,
    });
    expect(again.created).toBe(true);
    expect(again.handoff.id).not.toBe(expiring.id);

    const resolving = (await escalate(t, { conversation_id: "conv-res-route" })).handoff;
    await claim(cookie, resolving.id);
    expect(
      (
        await json<RoutedToAgent>("/api/v1/messages", {
          key: t.apiKey,
          body: { conversation_id: "conv-res-route", id: "r-1", text: "hi" },
          status: 202,
        })
      ).route,
    ).toBe("agent");
    await json<HandoffAnswer>(`/api/handoffs/${resolving.id}/resolve`, {
      cookie,
      body: { outcome: "close" },
      status: 200,
    });
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key: t.apiKey,
        body: { conversation_id: "conv-res-route", id: "r-2", text: "thanks" },
        status: 200,
      }),
    ).toEqual({ route: "bot" });
    // And the transcript of the resolved one did not gain the later message.
    const d = await detail(cookie, resolving.id);
    expect(d.messages.some((m) => m.text === "thanks")).toBe(false);
  });
});

describe("reminders", () => {
  it("an unclaimed handoff gets one reminder, and stays queued", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await settle(t);

    await fastForward(t, ["remind"]);
    expect(await runAlarm(t)).toBe(true);
    let d = await detail(cookie, handoff.id);
    expect(eventTypes(d)).toEqual(["escalated", "reminded"]);
    expect(d.events[1]).toMatchObject({
      actor: null,
      data: { waiting_seconds: expect.any(Number) },
    });
    expect(d.handoff.status).toBe("queued");

    // Another alarm run (and another fast-forward of reminders) adds no second reminder.
    await fastForward(t, ["remind"]);
    await runAlarm(t);
    d = await detail(cookie, handoff.id);
    expect(eventTypes(d)).toEqual(["escalated", "reminded"]);
    expect(d.handoff.status).toBe("queued");
    // The reminder is for the team, not the bot.
    await settle(t);
    expect(await received(t)).toEqual([]);
  });

  it("a claimed handoff gets no reminder", async () => {
    const t = await makeTenant();
    const cookie = await login(t.bob);
    const { handoff } = await escalate(t);
    expect(await timerDue(t, "remind", handoff.id)).toBe(Date.parse(handoff.created_at) + 180_000);
    await claim(cookie, handoff.id);
    await settle(t);
    // Claiming stops both waits.
    expect(await hubRows(t, `SELECT kind FROM timers WHERE ref = ?`, handoff.id)).toEqual([]);

    await fastForward(t, ["remind"]);
    await runAlarm(t);
    const d = await detail(cookie, handoff.id);
    expect(eventTypes(d)).toEqual(["escalated", "claimed"]);
  });
});

describe("release", () => {
  it("puts the handoff back in the queue with a fresh wait that then expires", async () => {
    const t = await makeTenant({ maxWaitMinutes: 5 });
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "conv-release" });
    await claim(cookie, handoff.id);
    await settle(t);

    const before = Date.now();
    const released = await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/release`, {
      method: "POST",
      cookie,
      status: 200,
    });
    const after = Date.now();
    expect(released.handoff).toMatchObject({
      id: handoff.id,
      status: "queued",
      assignee: null,
      claimed_at: null,
    });
    const expiresAt = Date.parse(released.handoff.expires_at!);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 5 * 60_000 - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 5 * 60_000 + 1_000);
    // The fresh wait is armed: expiry at the new expires_at, a reminder the bot's delay after the release.
    expect(await timerDue(t, "expire", handoff.id)).toBe(expiresAt);
    expect(await timerDue(t, "remind", handoff.id)).toBe(expiresAt - 5 * 60_000 + 180_000);

    let d = await detail(cookie, handoff.id);
    expect(eventTypes(d)).toEqual(["escalated", "claimed", "released"]);
    expect(d.events[2]!.actor).toEqual({ id: t.alice.id, name: "Alice" });
    const queued = await json<ListPage>("/api/handoffs?assignee=unassigned", {
      cookie,
      status: 200,
    });
    expect(queued.handoffs.map((h) => h.id)).toContain(handoff.id);

    await fastForward(t);
    await runAlarm(t);
    await settle(t);
    d = await detail(cookie, handoff.id);
    expect(d.handoff.status).toBe("expired");
    expect(eventTypes(d)).toEqual(["escalated", "claimed", "released", "expired"]);
    const hooks = await received(t);
    expect(hooks.map((h) => h.type)).toEqual(["handoff.claimed", "handoff.expired"]);
    expect(hooks[1]!.data).toMatchObject({
      handoff: { id: handoff.id, status: "expired" },
      message: { text: expiryText(t) },
    });
  });

  it("keeps the escalation's own max_wait_seconds for the fresh wait", async () => {
    const t = await makeTenant({ maxWaitMinutes: 30 });
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, { max_wait_seconds: 120 });
    await claim(cookie, handoff.id);
    const before = Date.now();
    const released = await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/release`, {
      method: "POST",
      cookie,
      status: 200,
    });
    const wait = Date.parse(released.handoff.expires_at!) - before;
    expect(wait).toBeGreaterThanOrEqual(119_000);
    expect(wait).toBeLessThanOrEqual(121_000);
  });
});

describe("durable timers", () => {
  it("survive the tenant object being evicted from memory", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "conv-evict", max_wait_seconds: 120 });
    await settle(t);

    await evictDurableObject(hub(t));
    await fastForward(t);
    expect(await runAlarm(t)).toBe(true);
    await settle(t);

    const d = await detail(cookie, handoff.id);
    expect(d.handoff.status).toBe("expired");
    expect(eventTypes(d)).toEqual(["escalated", "expired"]);
    const hooks = await received(t);
    expect(hooks.map((h) => h.type)).toEqual(["handoff.expired"]);
    expect(hooks[0]!.data.handoff.id).toBe(handoff.id);
  });

  it("a reminder armed before an eviction still fires after it", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await settle(t);

    await evictDurableObject(hub(t));
    await fastForward(t, ["remind"]);
    expect(await runAlarm(t)).toBe(true);
    const d = await detail(cookie, handoff.id);
    expect(eventTypes(d)).toEqual(["escalated", "reminded"]);
    expect(d.handoff.status).toBe("queued");
  });
});
