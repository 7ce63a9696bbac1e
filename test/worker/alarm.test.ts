// The tenant object's alarm is never held hostage: a bot endpoint that hangs does not delay a
// due expiry (or its webhook to the same bot in another conversation), and an alarm lost while
// timers remain is armed again when the object starts.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { AgentSocket, escalate, fastForward, hub, hubRows, json, login, runAlarm } from "./client";
import { makeTenant } from "./fixtures";
import {
  answeredTypes,
  hangNext,
  outboxRows,
  releaseHeld,
  runAlarmFully,
  settled,
  sinkState,
} from "./outbox";
import type { HandoffAnswer, HandoffDetail } from "./answers";

afterEach(() => AgentSocket.closeAll());

describe("a bot endpoint that hangs", () => {
  it("does not hold the alarm: a due expiry runs, is told to agents and to the bot while the attempt is still open", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const socket = await AgentSocket.open(cookie);
    const claimed = (await escalate(t)).handoff;
    const expiring = (await escalate(t, { max_wait_seconds: 60 })).handoff;
    await runAlarmFully(t);
    await hangNext(t, 1);

    // The claim's greeting goes to the bot, whose endpoint holds the request open.
    await json<HandoffAnswer>(`/api/handoffs/${claimed.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    expect(await runAlarm(t)).toBe(true);
    expect((await sinkState(t.webhookPath)).held).toBe(1);
    const [greeting] = await outboxRows(t);
    // The alarm returned with the attempt still running: nothing recorded for it yet.
    expect(greeting).toMatchObject({ type: "handoff.claimed", status: "pending", attempts: 0 });

    // The other handoff's wait runs out meanwhile, and the alarm expires it.
    await fastForward(t, ["expire"]);
    expect(await runAlarm(t)).toBe(true);
    const detail = await json<HandoffDetail>(`/api/handoffs/${expiring.id}`, {
      cookie,
      status: 200,
    });
    expect(detail.handoff.status).toBe("expired");
    const frame = await socket.next(
      (f) => f.type === "handoff.updated" && f.data.handoff.id === expiring.id,
    );
    expect(frame).toMatchObject({ data: { change: "expired", handoff: { status: "expired" } } });

    // Its webhook reaches the bot while the greeting is still held open.
    await runAlarm(t);
    const during = await sinkState(t.webhookPath, 1);
    expect(during.answered.map((d) => `${d.event.type}:${d.status}`)).toEqual([
      "handoff.expired:200",
    ]);
    expect(during.answered[0]!.event.data.handoff.id).toBe(expiring.id);
    expect(during.held).toBe(1);

    // Released, the greeting is delivered and recorded once.
    await releaseHeld(t);
    await settled(t);
    expect(await answeredTypes(t)).toEqual(["handoff.expired:200", "handoff.claimed:200"]);
    const rows = await outboxRows(t);
    expect(rows.map((r) => [r.type, r.status, r.attempts])).toEqual([
      ["handoff.claimed", "delivered", 1],
      ["handoff.expired", "delivered", 1],
    ]);
    expect(rows.every((r) => r.due_at === null)).toBe(true);
  });
});

describe("the alarm", () => {
  it("is armed again for the earliest timer when the object starts without one", async () => {
    const t = await makeTenant();
    const { handoff } = await escalate(t, { max_wait_seconds: 600 });
    await runAlarmFully(t);
    const timers = await hubRows<{ kind: string; ref: string; due_at: number }>(
      t,
      `SELECT kind, ref, due_at FROM timers ORDER BY due_at`,
    );
    expect(timers.map((r) => [r.kind, r.ref])).toEqual([
      ["remind", handoff.id],
      ["expire", handoff.id],
      ["retention", ""],
    ]);

    await runInDurableObject(hub(t), (_instance, state) => state.storage.deleteAlarm());
    await evictDurableObject(hub(t));
    await hub(t).stats();

    const alarm = await runInDurableObject(hub(t), (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBe(timers[0]!.due_at);
  });
});
