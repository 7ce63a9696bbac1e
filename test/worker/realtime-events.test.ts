// Every kind of tenant event reaches the agents' sockets: assign, expire and the reminder as
// handoff frames, and a reply's delivery status (delivered, or failed when the bot is given up on).
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  type FrameOf,
  claim,
  escalate,
  failWebhooks,
  fastForward,
  hubRows,
  json,
  login,
  runAlarm,
  settle,
} from "./client";
import { makeTenant } from "./fixtures";
import { connect, eventsAfter, lastSeq, person, present, range } from "./realtime-helpers";
import type { HandoffAnswer, MessageAnswer } from "./answers";

afterEach(() => AgentSocket.closeAll());

describe("every kind of event", () => {
  it("assign and expire reach the sockets as handoff.updated, a reminder as handoff.reminder", async () => {
    const t = await makeTenant();
    const adminCookie = await login(t.admin);
    const [bob] = (await connect(await login(t.bob))) as [AgentSocket];
    const base = lastSeq(bob);
    const assigned = (await escalate(t)).handoff;
    const waiting = (await escalate(t)).handoff;
    await json<HandoffAnswer>(`/api/handoffs/${assigned.id}/assign`, {
      cookie: adminCookie,
      body: { agent_id: t.bob.id },
      status: 200,
    });
    await fastForward(t, ["remind"]);
    await runAlarm(t);
    await fastForward(t, ["expire"]);
    await runAlarm(t);
    await bob.sync();

    const got = eventsAfter(bob, base);
    expect(got.map((f) => f.type)).toEqual([
      "handoff.created",
      "handoff.created",
      "handoff.updated",
      "presence", // Bob, online, now has one active
      "handoff.reminder",
      "handoff.updated",
    ]);
    expect(got.map((f) => f.seq)).toEqual(range(base + 1, 6));
    expect(got[3]!.data).toEqual({ agents_online: 1, agents: [present(t.bob, 1)] });
    expect(got[2]!.data).toMatchObject({
      change: "assigned",
      actor: person(t.admin),
      handoff: { id: assigned.id, status: "active", assignee: person(t.bob) },
    });
    expect(got[4]!.data).toMatchObject({
      handoff: { id: waiting.id, status: "queued" },
      waiting_seconds: expect.any(Number),
    });
    expect(got[5]!.data).toEqual({
      change: "expired",
      actor: null,
      handoff: expect.objectContaining({ id: waiting.id, status: "expired", assignee: null }),
    });
  });

  it("a reply's delivery status reaches the sockets as message.updated: delivered, or failed once the bot is given up on", async () => {
    const t = await makeTenant();
    const aliceCookie = await login(t.alice);
    const [alice] = (await connect(aliceCookie)) as [AgentSocket];
    const { handoff } = await escalate(t);
    await claim(aliceCookie, handoff.id);
    await settle(t);

    const delivered = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: aliceCookie,
      body: { text: "Right away" },
      status: 201,
    });
    const update = await alice.next<FrameOf<"message.updated">>(
      (f) => f.type === "message.updated",
    );
    expect(update.data.message).toEqual({ ...delivered.message, delivery: "delivered" });

    await settle(t);
    await failWebhooks(t, 1_000);
    const lost = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: aliceCookie,
      body: { text: "Are you still there?" },
      status: 201,
    });
    const [row] = await hubRows<{ id: string }>(
      t,
      `SELECT id FROM webhooks WHERE message_id = ?`,
      lost.message.id,
    );
    await alice.next((f) => f.type === "message.created" && f.data.message.id === lost.message.id);
    // Three days of failures have passed for this webhook; the next attempt is its last.
    await hubRows(
      t,
      `UPDATE webhooks SET created_at = created_at - ? WHERE id = ?`,
      3 * 24 * 3_600_000,
      row!.id,
    );
    await fastForward(t, ["webhook"]);
    await runAlarm(t);
    const failed = await alice.next<FrameOf<"message.updated">>(
      (f) => f.type === "message.updated" && f.data.message.id === lost.message.id,
    );
    expect(failed.data.message).toEqual({ ...lost.message, delivery: "failed" });
    await alice.sync();
    expect(
      alice.events("message.updated").map((f) => [f.data.message.id, f.data.message.delivery]),
    ).toEqual([
      [delivered.message.id, "delivered"],
      [lost.message.id, "failed"],
    ]);
  });
});
