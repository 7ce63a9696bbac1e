// Outbound webhooks: retried with backoff under the same webhook-id until the bot's endpoint
// answers 2xx, each attempt signed; the reply's delivery status follows; no URL, nothing sent.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { EscalateRecord } from "../../schema/api";
import type { BotSettings } from "../../worker/src/tenant/types";
import { escalate, eventually, hub, failWebhooks, fastForward, hubRows, json, login, runAlarm, settle, webhooksReceived } from "./client";
import { makeTenant, WEBHOOK_SECRET, type TestTenant } from "./fixtures";

const verifier = new Webhook(WEBHOOK_SECRET);

interface WebhookRow {
  id: string;
  type: string;
  status: string;
  attempts: number;
}

/** The object's outbox row for the one webhook of this type. */
async function outbox(t: TestTenant, type: string): Promise<WebhookRow> {
  const rows = await hubRows<WebhookRow>(t, `SELECT id, type, status, attempts FROM webhooks WHERE type = ?`, type);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Waits until the webhook has been attempted `n` times (the attempt finished and was recorded). */
async function attempted(t: TestTenant, type: string, n: number): Promise<WebhookRow> {
  return eventually(async () => {
    const row = await outbox(t, type);
    expect(row.attempts).toBe(n);
    return row;
  });
}

/** How far in the future (ms) the webhook's retry timer is due. */
async function retryIn(t: TestTenant, webhookId: string): Promise<number> {
  const [timer] = await hubRows<{ due_at: number }>(t, `SELECT due_at FROM timers WHERE kind = 'webhook' AND ref = ?`, webhookId);
  expect(timer, "a retry timer is armed").toBeDefined();
  return timer!.due_at - Date.now();
}

/** Makes the pending webhook retries due now and runs the alarm (which awaits the attempts). */
async function retryNow(t: TestTenant): Promise<void> {
  await fastForward(t, ["webhook"]);
  expect(await runAlarm(t)).toBe(true);
}

async function deliveriesOf(t: TestTenant, type: string) {
  return (await webhooksReceived(t)).filter((d) => d.event.type === type);
}

describe("webhook retries", () => {
  it("a failing endpoint gets the same signed webhook again, on the 5 s / 30 s schedule, until it answers 2xx", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await settle(t);
    await failWebhooks(t, 2);

    const claimed = await json(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie, status: 200 });
    await runAlarm(t);

    // First attempt fails: retried about 5 s later.
    const first = await attempted(t, "handoff.claimed", 1);
    expect(first.status).toBe("pending");
    const firstDelay = await retryIn(t, first.id);
    expect(firstDelay).toBeGreaterThanOrEqual(4_000);
    expect(firstDelay).toBeLessThanOrEqual(7_000);

    // Second attempt fails: retried about 30 s later.
    await retryNow(t);
    await attempted(t, "handoff.claimed", 2);
    const secondDelay = await retryIn(t, first.id);
    expect(secondDelay).toBeGreaterThanOrEqual(25_000);
    expect(secondDelay).toBeLessThanOrEqual(35_000);

    // Third attempt succeeds; no timer left for it.
    await retryNow(t);
    expect(await attempted(t, "handoff.claimed", 3)).toMatchObject({ status: "delivered" });
    expect(await hubRows(t, `SELECT * FROM timers WHERE kind = 'webhook'`)).toEqual([]);

    const got = await deliveriesOf(t, "handoff.claimed");
    expect(got.map((d) => d.status)).toEqual([503, 503, 200]);
    const ids = new Set(got.map((d) => d.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBe(first.id);
    expect(new Set(got.map((d) => d.body)).size).toBe(1);
    for (const d of got) {
      const event = verifier.verify(d.body, d.headers) as { type: string; data: any };
      expect(event.type).toBe("handoff.claimed");
      expect(event.data).toMatchObject({
        handoff: { id: handoff.id, status: "active" },
        agent: { id: t.alice.id, name: "Alice" },
        message: { text: `Hello, this is Alice from ${t.name}. How can I help?` },
      });
      expect(d.headers["webhook-timestamp"]).toMatch(/^\d+$/);
    }
    expect(claimed.handoff.status).toBe("active");

    // Running the alarm again sends nothing more.
    await runAlarm(t);
    expect(await deliveriesOf(t, "handoff.claimed")).toHaveLength(3);
  });

  it("an agent reply shows delivery pending while the bot's endpoint fails, then delivered", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await json(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie, status: 200 });
    await settle(t);
    expect((await deliveriesOf(t, "handoff.claimed")).map((d) => d.status)).toEqual([200]);

    await failWebhooks(t, 2);
    const sent = await json(`/api/handoffs/${handoff.id}/messages`, { cookie, body: { text: "Let me check that for you." }, status: 201 });
    expect(sent.message.delivery).toBe("pending");
    await runAlarm(t);

    const deliveryNow = async () => {
      const d = await json(`/api/handoffs/${handoff.id}`, { cookie, status: 200 });
      return d.messages.find((m: any) => m.id === sent.message.id).delivery;
    };

    const row = await attempted(t, "message.created", 1);
    expect(await deliveryNow()).toBe("pending");
    await retryNow(t);
    await attempted(t, "message.created", 2);
    expect(await deliveryNow()).toBe("pending");
    await retryNow(t);
    await attempted(t, "message.created", 3);
    expect(await deliveryNow()).toBe("delivered");

    const got = await deliveriesOf(t, "message.created");
    expect(got.map((d) => d.status)).toEqual([503, 503, 200]);
    expect(new Set(got.map((d) => d.headers["webhook-id"]))).toEqual(new Set([row.id]));
    expect(new Set(got.map((d) => d.body)).size).toBe(1);
    for (const d of got) {
      const event = verifier.verify(d.body, d.headers) as { type: string; data: any };
      expect(event).toMatchObject({
        type: "message.created",
        data: { handoff: { id: handoff.id }, message: { id: sent.message.id, text: "Let me check that for you.", agent: { id: t.alice.id, name: "Alice" } } },
      });
    }
  });
});

describe("a bot without a webhook URL", () => {
  it("gets nothing sent, and agent replies have no delivery status", async () => {
    const t = await makeTenant({ webhook: false });
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "conv-no-hook" });
    await json(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie, status: 200 });
    const sent = await json(`/api/handoffs/${handoff.id}/messages`, { cookie, body: { text: "Hello there" }, status: 201 });
    expect(sent.message).toMatchObject({ from: "agent", text: "Hello there", delivery: null });
    await json(`/api/handoffs/${handoff.id}/resolve`, { cookie, body: { outcome: "return_to_bot" }, status: 200 });
    await runAlarm(t);
    await settle(t);

    const d = await json(`/api/handoffs/${handoff.id}`, { cookie, status: 200 });
    expect(d.messages.find((m: any) => m.id === sent.message.id).delivery).toBeNull();
    expect(d.messages.every((m: any) => m.delivery === null)).toBe(true);
    expect(d.handoff.status).toBe("resolved");
    expect(await webhooksReceived(t)).toEqual([]);
    expect(await hubRows(t, `SELECT id FROM webhooks`)).toEqual([]);
  });
});

describe("webhook order within a conversation", () => {
  it("an agent's reply waits behind the claim greeting while that is being retried", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await settle(t);
    await failWebhooks(t, 1);

    await json(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie, status: 200 });
    await runAlarm(t);
    await attempted(t, "handoff.claimed", 1);
    await json(`/api/handoffs/${handoff.id}/messages`, { cookie, body: { text: "Hello from Alice" }, status: 201 });
    await runAlarm(t);
    // The reply was due but held: the greeting before it has not been delivered yet.
    expect((await outbox(t, "message.created")).attempts).toBe(0);
    expect((await webhooksReceived(t)).map((d) => d.event.type)).toEqual(["handoff.claimed"]);

    await retryNow(t);
    await settle(t);
    const order = (await webhooksReceived(t)).map((d) => `${d.event.type}:${d.status}`);
    expect(order).toEqual(["handoff.claimed:503", "handoff.claimed:200", "message.created:200"]);
  });

  it("a stuck conversation does not hold up another conversation's webhooks", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const first = (await escalate(t)).handoff;
    const second = (await escalate(t)).handoff;
    await settle(t);
    await failWebhooks(t, 1);
    await json(`/api/handoffs/${first.id}/claim`, { method: "POST", cookie, status: 200 });
    await runAlarm(t);
    await attempted(t, "handoff.claimed", 1);
    await json(`/api/handoffs/${second.id}/claim`, { method: "POST", cookie, status: 200 });
    await runAlarm(t);
    await eventually(async () => {
      const delivered = (await webhooksReceived(t)).filter((d) => d.status === 200).map((d) => d.event);
      expect(delivered.map((d) => d.data.handoff.id)).toEqual([second.id]);
    });
  });

  it("a new handoff's claim in the same conversation waits for the previous handoff's resolve", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const first = (await escalate(t, { conversation_id: "conv-again" })).handoff;
    await json(`/api/handoffs/${first.id}/claim`, { method: "POST", cookie, status: 200 });
    await settle(t);
    await failWebhooks(t, 1);
    await json(`/api/handoffs/${first.id}/resolve`, { cookie, body: { outcome: "return_to_bot" }, status: 200 });
    await runAlarm(t);
    await attempted(t, "handoff.resolved", 1);

    const second = (await escalate(t, { conversation_id: "conv-again" })).handoff;
    await json(`/api/handoffs/${second.id}/claim`, { method: "POST", cookie, status: 200 });
    await runAlarm(t);
    const held = await hubRows<{ attempts: number }>(t, `SELECT attempts FROM webhooks WHERE handoff_id = ? AND type = 'handoff.claimed'`, second.id);
    expect(held.map((r) => r.attempts)).toEqual([0]);

    await retryNow(t);
    await settle(t);
    const order = (await webhooksReceived(t)).map((d) => {
      const body = d.event;
      return `${body.type}:${body.data.handoff.id === first.id ? "first" : "second"}:${d.status}`;
    });
    expect(order).toEqual(["handoff.claimed:first:200", "handoff.resolved:first:503", "handoff.resolved:first:200", "handoff.claimed:second:200"]);
  });

  it("a copy of older bot settings arriving late does not undo a newer change (a rotated secret)", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const before = await hubBot(t);
    const rotated = await json(`/api/admin/bots/${t.botId}/rotate-secret`, { method: "POST", cookie: admin, status: 200 });
    // A sync that read the bot from D1 before the rotation reaches the object after it.
    await hub(t).syncBot({ id: t.id, name: t.name }, before);
    const kept = await hubBot(t);
    expect(kept.webhook_secret).toBe(rotated.webhook_secret);
    expect(kept.version).toBeGreaterThan(before.version);
  });
});

/** The tenant object's copy of the test bot's settings. */
async function hubBot(t: TestTenant): Promise<BotSettings> {
  const [row] = await hubRows<{ settings: string }>(t, `SELECT settings FROM bots WHERE id = ?`, t.botId);
  if (row) return JSON.parse(row.settings) as BotSettings;
  await escalate(t);
  return hubBot(t);
}
