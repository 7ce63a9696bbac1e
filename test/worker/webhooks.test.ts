// Outbound webhooks: retried with backoff under the same webhook-id until the bot's endpoint
// answers 2xx, each attempt signed; the reply's delivery status follows; no URL, nothing sent.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { EscalateRecord } from "../../schema/api";
import type { BotSettings } from "../../worker/src/tenant/types";
import {
  alarmAt,
  claim,
  detail,
  failWebhooks,
  fastForward,
  hub,
  hubRows,
  timerDue,
  json,
  login,
  runAlarm,
  escalate,
  settle,
  waitUntil,
  type WebhookDelivery,
  webhooksReceived,
} from "./client";
import { makeTenant, WEBHOOK_SECRET, type TestTenant } from "./fixtures";
import type { BotAnswer, HandoffAnswer, MessageAnswer, WebhookEvent } from "./answers";

const verifier = new Webhook(WEBHOOK_SECRET);

interface WebhookRow {
  id: string;
  type: string;
  status: string;
  attempts: number;
}

/** The object's outbox row for the one webhook of this type. */
async function outbox(t: TestTenant, type: string): Promise<WebhookRow> {
  const rows = await hubRows<WebhookRow>(
    t,
    `SELECT id, type, status, attempts FROM webhooks WHERE type = ?`,
    type,
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Waits until the webhook has been attempted `n` times (the attempt finished and was recorded), then checks it was exactly `n`. */
async function attempted(t: TestTenant, type: string, n: number): Promise<WebhookRow> {
  await waitUntil(`${type} was attempted ${n} times`, async () => {
    const rows = await hubRows<WebhookRow>(t, `SELECT attempts FROM webhooks WHERE type = ?`, type);
    return rows.length === 1 && rows[0]!.attempts >= n;
  });
  const row = await outbox(t, type);
  expect(row.attempts).toBe(n);
  return row;
}

/**
 * How long after an attempt reached the bot its retry is due (ms): the retry timer's due time
 * measured from the attempt itself, so a slow test machine does not shift it. The object's
 * alarm is armed for it, too.
 */
async function retryAfter(
  t: TestTenant,
  webhookId: string,
  attempt: WebhookDelivery,
): Promise<number> {
  const due = await timerDue(t, "webhook", webhookId);
  expect(due, "a retry timer is armed").toBeDefined();
  expect(await alarmAt(t)).toBe(due);
  return due! - attempt.at;
}

/** The retry came when it was due: exactly the delay after the attempt, give or take the attempt's own round trip. */
function expectDelay(actual: number, delayMs: number): void {
  expect(actual).toBeGreaterThanOrEqual(delayMs);
  expect(actual).toBeLessThan(delayMs + 1_000);
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
  it("a failing endpoint gets the same signed webhook again, 5 s and then 30 s later, until it answers 2xx", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await settle(t);
    await failWebhooks(t, 2);

    const claimed = await claim(cookie, handoff.id);
    await runAlarm(t);

    // First attempt fails: retried 5 s later.
    const first = await attempted(t, "handoff.claimed", 1);
    expect(first.status).toBe("pending");
    expectDelay(
      await retryAfter(t, first.id, (await deliveriesOf(t, "handoff.claimed"))[0]!),
      5_000,
    );

    // Second attempt fails: retried 30 s later.
    await retryNow(t);
    await attempted(t, "handoff.claimed", 2);
    expectDelay(
      await retryAfter(t, first.id, (await deliveriesOf(t, "handoff.claimed"))[1]!),
      30_000,
    );

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
      const event = verifier.verify(d.body, d.headers) as WebhookEvent;
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
    await claim(cookie, handoff.id);
    await settle(t);
    expect((await deliveriesOf(t, "handoff.claimed")).map((d) => d.status)).toEqual([200]);

    await failWebhooks(t, 2);
    const sent = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie,
      body: { text: "Let me check that for you." },
      status: 201,
    });
    expect(sent.message.delivery).toBe("pending");
    await runAlarm(t);

    const deliveryNow = async () => {
      const d = await detail(cookie, handoff.id);
      return d.messages.find((m) => m.id === sent.message.id)!.delivery;
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
      const event = verifier.verify(d.body, d.headers) as WebhookEvent;
      expect(event).toMatchObject({
        type: "message.created",
        data: {
          handoff: { id: handoff.id },
          message: {
            id: sent.message.id,
            text: "Let me check that for you.",
            agent: { id: t.alice.id, name: "Alice" },
          },
        },
      });
    }
  });
});

describe("the retry schedule", () => {
  it("backs off 5 s, 30 s, 2 min, 10 min, then every 10 min as the bot's only pending webhook, and gives up after three days: the reply is marked failed", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await claim(cookie, handoff.id);
    await settle(t);
    await failWebhooks(t, 1_000);
    const sent = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie,
      body: { text: "Still with you" },
      status: 201,
    });
    await runAlarm(t);

    // Beyond 10 min the backoff is hourly, but a bot's only pending webhook is its probe: it is
    // tried every 10 minutes so a recovered bot hears within minutes (webhook-delivery.test.ts).
    const delays = [5_000, 30_000, 120_000, 600_000, 600_000, 600_000, 600_000];
    for (const [i, delay] of delays.entries()) {
      const row = await attempted(t, "message.created", i + 1);
      expect(row.status).toBe("pending");
      const attempts = await deliveriesOf(t, "message.created");
      expect(attempts).toHaveLength(i + 1);
      expectDelay(await retryAfter(t, row.id, attempts[i]!), delay);
      if (i < delays.length - 1) await retryNow(t);
    }

    // Three days after the webhook was made, the next failure is the last attempt.
    const { id } = await outbox(t, "message.created");
    await hubRows(
      t,
      `UPDATE webhooks SET created_at = created_at - ? WHERE id = ?`,
      3 * 24 * 3_600_000,
      id,
    );
    await retryNow(t);
    expect(await outbox(t, "message.created")).toMatchObject({
      status: "failed",
      attempts: delays.length + 1,
    });
    expect(await hubRows(t, `SELECT ref FROM timers WHERE kind = 'webhook'`)).toEqual([]);
    const d = await detail(cookie, handoff.id);
    expect(d.messages.find((m) => m.id === sent.message.id)!.delivery).toBe("failed");
    const got = await deliveriesOf(t, "message.created");
    expect(got.map((x) => x.status)).toEqual(Array.from({ length: delays.length + 1 }, () => 503));
    expect(new Set(got.map((x) => x.headers["webhook-id"]))).toEqual(new Set([id]));
    // Given up means no more attempts.
    await settle(t);
    expect(await deliveriesOf(t, "message.created")).toHaveLength(delays.length + 1);
  });
});

describe("a rotated secret", () => {
  it("signs every later webhook; the old secret no longer verifies them", async () => {
    const t = await makeTenant();
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    await settle(t);
    const rotated = await json<BotAnswer>(`/api/admin/bots/${t.botId}/rotate-secret`, {
      method: "POST",
      cookie: admin,
      status: 200,
    });
    expect(rotated.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.webhook_secret).not.toBe(WEBHOOK_SECRET);
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Signed anew" },
      status: 201,
    });
    await settle(t);

    const [before, after] = await webhooksReceived(t);
    expect((await webhooksReceived(t)).length).toBe(2);
    expect(verifier.verify(before!.body, before!.headers)).toMatchObject({
      type: "handoff.claimed",
    });
    expect(new Webhook(rotated.webhook_secret!).verify(after!.body, after!.headers)).toMatchObject({
      type: "message.created",
      data: { message: { text: "Signed anew" } },
    });
    expect(() => verifier.verify(after!.body, after!.headers)).toThrow();
  });
});

describe("a bot without a webhook URL", () => {
  it("gets nothing sent, and agent replies have no delivery status", async () => {
    const t = await makeTenant({ webhook: false });
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "conv-no-hook" });
    await claim(cookie, handoff.id);
    const sent = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie,
      body: { text: "Hello there" },
      status: 201,
    });
    expect(sent.message).toMatchObject({ from: "agent", text: "Hello there", delivery: null });
    await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/resolve`, {
      cookie,
      body: { outcome: "return_to_bot" },
      status: 200,
    });
    await runAlarm(t);
    await settle(t);

    const d = await detail(cookie, handoff.id);
    expect(d.messages.find((m) => m.id === sent.message.id)!.delivery).toBeNull();
    expect(d.messages.every((m) => m.delivery === null)).toBe(true);
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

    await claim(cookie, handoff.id);
    await runAlarm(t);
    await attempted(t, "handoff.claimed", 1);
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie,
      body: { text: "Hello from Alice" },
      status: 201,
    });
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
    await claim(cookie, first.id);
    await runAlarm(t);
    await attempted(t, "handoff.claimed", 1);
    await claim(cookie, second.id);
    await runAlarm(t);
    await waitUntil("the second conversation's claim was delivered", async () =>
      (await webhooksReceived(t)).some((d) => d.status === 200),
    );
    // The first conversation's retry is not due for seconds: the second went ahead of it.
    expect(
      (await webhooksReceived(t)).map(
        (d) => `${d.event.data.handoff.id === first.id ? "first" : "second"}:${d.status}`,
      ),
    ).toEqual(["first:503", "second:200"]);
  });

  it("a new handoff's claim in the same conversation waits for the previous handoff's resolve", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const first = (await escalate(t, { conversation_id: "conv-again" })).handoff;
    await claim(cookie, first.id);
    await settle(t);
    await failWebhooks(t, 1);
    await json<HandoffAnswer>(`/api/handoffs/${first.id}/resolve`, {
      cookie,
      body: { outcome: "return_to_bot" },
      status: 200,
    });
    await runAlarm(t);
    await attempted(t, "handoff.resolved", 1);

    const second = (await escalate(t, { conversation_id: "conv-again" })).handoff;
    await claim(cookie, second.id);
    await runAlarm(t);
    const held = await hubRows<{ attempts: number }>(
      t,
      `SELECT attempts FROM webhooks WHERE handoff_id = ? AND type = 'handoff.claimed'`,
      second.id,
    );
    expect(held.map((r) => r.attempts)).toEqual([0]);

    await retryNow(t);
    await settle(t);
    const order = (await webhooksReceived(t)).map((d) => {
      const body = d.event;
      return `${body.type}:${body.data.handoff.id === first.id ? "first" : "second"}:${d.status}`;
    });
    expect(order).toEqual([
      "handoff.claimed:first:200",
      "handoff.resolved:first:503",
      "handoff.resolved:first:200",
      "handoff.claimed:second:200",
    ]);
  });

  it("a copy of older bot settings arriving late does not undo a newer change (a rotated secret)", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const before = await hubBot(t);
    const rotated = await json<BotAnswer>(`/api/admin/bots/${t.botId}/rotate-secret`, {
      method: "POST",
      cookie: admin,
      status: 200,
    });
    // A sync that read the bot from D1 before the rotation reaches the object after it.
    await hub(t).syncBot({ id: t.id, name: t.name }, before);
    const kept = await hubBot(t);
    expect(kept.webhook_secret).toBe(rotated.webhook_secret);
    expect(kept.version).toBeGreaterThan(before.version);
  });
});

/** The tenant object's copy of the test bot's settings. */
async function hubBot(t: TestTenant): Promise<BotSettings> {
  const [row] = await hubRows<{ settings: string }>(
    t,
    `SELECT settings FROM bots WHERE id = ?`,
    t.botId,
  );
  if (row) return JSON.parse(row.settings) as BotSettings;
  await escalate(t);
  return hubBot(t);
}
