// The timers that give a handoff back to the queue, driven through the object's alarm: no reply
// from the assignee (from the claim, or from the contact's oldest unanswered message) and offline
// grace (an agent with no open socket; back in time, they keep everything).
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  claim,
  contactSays,
  detail,
  escalate,
  fastForward,
  json,
  login,
  runAlarm,
  timerDue,
  waitUntil,
} from "./client";
import { makeTenant } from "./fixtures";
import { person } from "./realtime-helpers";
import { holders, routingSettings } from "./routing-helpers";
import type { MessageAnswer } from "./answers";

afterEach(() => AgentSocket.closeAll());

const MINUTE = 60_000;

async function tenantWith(settings: Parameters<typeof routingSettings>[1]) {
  const t = await makeTenant();
  const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
  await routingSettings(admin, settings);
  return { t, admin, alice, bob };
}

const reply = (cookie: string, id: string, text: string) =>
  json<MessageAnswer>(`/api/handoffs/${id}/messages`, { cookie, body: { text }, status: 201 });

describe("no-reply timer", () => {
  it("an assignee silent since the claim gives the handoff back, with the reason in its timeline", async () => {
    const { t, alice } = await tenantWith({ reply_timeout_minutes: 10 });
    const socket = await AgentSocket.open(alice);
    const { handoff } = await escalate(t);
    const before = Date.now();
    await claim(alice, handoff.id);
    const due = await timerDue(t, "noreply", handoff.id);
    expect(due).toBeGreaterThanOrEqual(before + 10 * MINUTE);
    expect(due).toBeLessThanOrEqual(Date.now() + 10 * MINUTE);

    await fastForward(t, ["noreply"]);
    await runAlarm(t);
    const back = await detail(alice, handoff.id);
    expect(back.handoff).toMatchObject({ status: "queued", assignee: null, claimed_at: null });
    expect(back.handoff.queue?.position).toBe(1);
    // Its max wait starts again.
    expect(Date.parse(back.handoff.expires_at!)).toBeGreaterThan(Date.parse(handoff.expires_at!));
    expect(back.events.at(-1)).toMatchObject({
      type: "unassigned",
      actor: null,
      data: { reason: "no_reply", previous_assignee: person(t.alice), after_seconds: 600 },
    });
    const frame = await socket.next(
      (f) => f.type === "handoff.updated" && f.data.change === "unassigned",
    );
    expect(frame).toMatchObject({ data: { actor: null, handoff: { id: handoff.id } } });
  });

  it("an answer stops the clock; the contact's next message starts it, and a later one does not move it", async () => {
    const { t, alice } = await tenantWith({ reply_timeout_minutes: 5 });
    const conversation = `conv-noreply-${Date.now()}`;
    const { handoff } = await escalate(t, { conversation_id: conversation });
    await claim(alice, handoff.id);
    await reply(alice, handoff.id, "Hello, I am here.");
    expect(await timerDue(t, "noreply", handoff.id)).toBeUndefined();

    const asked = Date.now();
    await contactSays(t, conversation, "Can you change it today?");
    const due = await timerDue(t, "noreply", handoff.id);
    expect(due).toBeGreaterThanOrEqual(asked + 5 * MINUTE);
    await new Promise((r) => setTimeout(r, 5));
    await contactSays(t, conversation, "Hello?");
    // Counted from the oldest unanswered message.
    expect(await timerDue(t, "noreply", handoff.id)).toBe(due);

    await reply(alice, handoff.id, "Yes, done.");
    expect(await timerDue(t, "noreply", handoff.id)).toBeUndefined();
    await fastForward(t, ["noreply"]);
    await runAlarm(t);
    expect((await detail(alice, handoff.id)).handoff.status).toBe("active");
  });

  it("with auto routing the handoff goes to someone else, not back to the silent agent", async () => {
    const { t, alice, bob } = await tenantWith({ routing: "auto", reply_timeout_minutes: 1 });
    await AgentSocket.open(alice);
    const { handoff } = await escalate(t);
    expect(handoff.assignee).toEqual(person(t.alice));
    await AgentSocket.open(bob);
    await fastForward(t, ["noreply"]);
    await runAlarm(t);
    const after = await detail(alice, handoff.id);
    expect(after.handoff.assignee).toEqual(person(t.bob));
    expect(after.events.map((e) => e.type)).toEqual([
      "escalated",
      "assigned",
      "unassigned",
      "assigned",
    ]);
  });

  it("off (0) arms nothing", async () => {
    const { t, alice } = await tenantWith({ reply_timeout_minutes: 0 });
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    expect(await timerDue(t, "noreply", handoff.id)).toBeUndefined();
  });
});

describe("offline grace", () => {
  it("an agent gone past the grace gives their active handoffs back", async () => {
    const { t, alice, bob } = await tenantWith({ offline_grace_seconds: 30 });
    const socket = await AgentSocket.open(alice);
    const watcher = await AgentSocket.open(bob);
    const [one, two] = [(await escalate(t)).handoff, (await escalate(t)).handoff];
    await claim(alice, one.id);
    await claim(alice, two.id);
    const closedAt = Date.now();
    socket.close();
    await waitUntil("offline timer armed", async () =>
      Boolean(await timerDue(t, "offline", t.alice.id)),
    );
    const due = (await timerDue(t, "offline", t.alice.id))!;
    expect(due).toBeGreaterThanOrEqual(closedAt + 30_000);

    await fastForward(t, ["offline"]);
    await runAlarm(t);
    expect(await holders(bob, [one.id, two.id])).toEqual({ [one.id]: null, [two.id]: null });
    const events = (await detail(bob, one.id)).events;
    expect(events.at(-1)).toMatchObject({
      type: "unassigned",
      data: { reason: "offline", previous_assignee: person(t.alice), after_seconds: 30 },
    });
    await watcher.next((f) => f.type === "handoff.updated" && f.data.change === "unassigned");
  });

  it("an agent back within the grace keeps their handoffs", async () => {
    const { t, alice } = await tenantWith({ offline_grace_seconds: 30 });
    const socket = await AgentSocket.open(alice);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    socket.close();
    await waitUntil("offline timer armed", async () =>
      Boolean(await timerDue(t, "offline", t.alice.id)),
    );
    await AgentSocket.open(alice);
    expect(await timerDue(t, "offline", t.alice.id)).toBeUndefined();
    await runAlarm(t);
    expect((await detail(alice, handoff.id)).handoff.assignee).toEqual(person(t.alice));
  });
});
