// Driving the tenant object's outboxes deterministically: script the bot's endpoint (hang,
// redirect, fail), run the alarm, and wait for the work it started to end, instead of polling.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { fastForward, hub, hubRows, runAlarm, type WebhookDelivery } from "./client";
import type { TestTenant } from "./fixtures";

/** Scripts or reads one path of the recording sink (see test/support/webhook-sink.js). */
export async function sink(
  path: string,
  params: Record<string, string | number>,
  method = "POST",
): Promise<Response> {
  const query = new URLSearchParams({
    path,
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
  });
  const res = await env.SINK.fetch(`https://sink.control/?${query}`, { method });
  expect(res.status).toBe(200);
  return res;
}

/** The bot's endpoint answers the next `times` requests with 503. */
export const failNext = (t: TestTenant, times: number) => sink(t.webhookPath, { fail: times });
/** The bot's endpoint holds the next `times` requests open until `releaseHeld`. */
export const hangNext = (t: TestTenant, times: number) => sink(t.webhookPath, { hang: times });
export const releaseHeld = (t: TestTenant) => sink(t.webhookPath, { release: 1 });
/** The bot's endpoint answers the next `times` requests with a 302 to `location`. */
export const redirectNext = (t: TestTenant, location: string, times = 1) =>
  sink(t.webhookPath, { redirect: location, times });

/**
 * What a path of the sink has answered (in order) and how many requests it holds open; with
 * `atLeast`, first waits (inside the sink) until that many requests were answered.
 */
export async function sinkState(
  path: string,
  atLeast = 0,
): Promise<{ answered: WebhookDelivery[]; held: number }> {
  const res = await sink(path, atLeast > 0 ? { wait: atLeast } : {}, "GET");
  const { requests, held } = (await res.json()) as {
    requests: Omit<WebhookDelivery, "event">[];
    held: number;
  };
  return {
    answered: requests.map((r) => ({
      ...r,
      event: JSON.parse(r.body) as WebhookDelivery["event"],
    })),
    held,
  };
}

/** Waits until every alarm run of the object, and the webhook attempts they started, have ended. */
export async function settled(t: TestTenant): Promise<void> {
  await runInDurableObject(hub(t), (instance) => instance.alarms.settled());
}

/** Runs the alarm now and waits for everything it started. */
export async function runAlarmFully(t: TestTenant): Promise<void> {
  await runAlarm(t);
  await settled(t);
}

/** Makes every pending webhook retry due now, runs the alarm and waits for the attempts. */
export async function retryWebhooksNow(t: TestTenant): Promise<void> {
  await settled(t);
  await fastForward(t, ["webhook"]);
  await runAlarmFully(t);
}

export interface OutboxRow {
  id: string;
  type: string;
  status: string;
  attempts: number;
  last_error: string | null;
  due_at: number | null;
}

/** The object's outbox rows (with their timers), oldest first. */
export async function outboxRows(t: TestTenant): Promise<OutboxRow[]> {
  return hubRows<OutboxRow>(
    t,
    `SELECT w.id, w.type, w.status, w.attempts, w.last_error, tm.due_at FROM webhooks w
     LEFT JOIN timers tm ON tm.kind = 'webhook' AND tm.ref = w.id ORDER BY w.rowid`,
  );
}

/** "type:status" for every request the bot's endpoint answered, in order. */
export async function answeredTypes(t: TestTenant): Promise<string[]> {
  return (await sinkState(t.webhookPath)).answered.map((d) => `${d.event.type}:${d.status}`);
}
