// Webhooks that cannot be held hostage: a failing webhook keeps its conversation's order only
// for its first five attempts, a down bot is checked on every ten minutes and, once it takes any
// webhook again, gets the rest at once, and a redirect is never followed.
import { describe, expect, it } from "vitest";
import { escalate, hubRows, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import {
  answeredTypes,
  failNext,
  outboxRows,
  redirectNext,
  retryWebhooksNow,
  runAlarmFully,
  sinkState,
  type OutboxRow,
} from "./outbox";
import type { HandoffAnswer, MessageAnswer } from "./answers";

const HOUR_MS = 3_600_000;
const PROBE_MS = 600_000;

const byType = (rows: OutboxRow[], type: string): OutboxRow => {
  const matching = rows.filter((r) => r.type === type);
  expect(matching, type).toHaveLength(1);
  return matching[0]!;
};

describe("a failing webhook and the ones after it", () => {
  it("holds its conversation's later webhooks back for its first five attempts, then lets them go", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await runAlarmFully(t);
    await failNext(t, 100);

    await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    await runAlarmFully(t);
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie,
      body: { text: "Are you still there?" },
      status: 201,
    });
    await runAlarmFully(t);
    for (let attempts = 2; attempts <= 4; attempts++) {
      await retryWebhooksNow(t);
      const rows = await outboxRows(t);
      expect(byType(rows, "handoff.claimed").attempts).toBe(attempts);
      // Order is kept: the reply waits behind the greeting.
      expect(byType(rows, "message.created").attempts).toBe(0);
    }

    // The greeting's fifth failed attempt: the reply no longer waits for it.
    await retryWebhooksNow(t);
    const rows = await outboxRows(t);
    const greeting = byType(rows, "handoff.claimed");
    expect(greeting).toMatchObject({ status: "pending", attempts: 5, last_error: "HTTP 503" });
    expect(greeting.due_at! - Date.now()).toBeGreaterThan(HOUR_MS - 60_000);
    expect(byType(rows, "message.created")).toMatchObject({ status: "pending", attempts: 1 });
    expect(await answeredTypes(t)).toEqual([
      ...Array(5).fill("handoff.claimed:503"),
      "message.created:503",
    ]);
  });

  it("a bot that takes any webhook again gets its resolve at once, though older ones of its conversation failed for long", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const first = (await escalate(t)).handoff;
    const second = (await escalate(t)).handoff;
    await runAlarmFully(t);
    await failNext(t, 100);
    await downForLong(t, cookie, first.id);

    // It recovers; the next webhook it gets (another conversation's greeting) is taken...
    await failNext(t, 0);
    await json<HandoffAnswer>(`/api/handoffs/${second.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    await runAlarmFully(t);
    let rows = await outboxRows(t);
    expect(rows.filter((r) => r.status === "delivered").map((r) => r.type)).toEqual([
      "handoff.claimed",
    ]);
    // ...and the first conversation's webhooks are due now, not in an hour.
    const now = Date.now();
    expect(
      rows.filter((r) => r.status === "pending").map((r) => [r.type, r.due_at! <= now]),
    ).toEqual([
      ["handoff.claimed", true],
      ["handoff.resolved", true],
    ]);

    await runAlarmFully(t);
    rows = await outboxRows(t);
    expect(rows.map((r) => [r.type, r.status])).toEqual([
      ["handoff.claimed", "delivered"],
      ["handoff.resolved", "delivered"],
      ["handoff.claimed", "delivered"],
    ]);
    const delivered = (await sinkState(t.webhookPath)).answered.filter((d) => d.status === 200);
    expect(
      delivered.map(
        (d) => `${d.event.type}:${d.event.data.handoff.id === first.id ? "first" : "second"}`,
      ),
    ).toEqual(["handoff.claimed:second", "handoff.claimed:first", "handoff.resolved:first"]);
  });

  it("with no other traffic, the webhook that checks on the bot every ten minutes finds it back, and the rest follow", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await runAlarmFully(t);
    await failNext(t, 100);
    await downForLong(t, cookie, handoff.id);

    await failNext(t, 0);
    // Ten minutes pass: only what is due by then runs.
    await hubRows(
      t,
      `UPDATE timers SET due_at = ? WHERE kind = 'webhook' AND due_at <= ?`,
      Date.now() - 1,
      Date.now() + PROBE_MS,
    );
    await runAlarmFully(t);
    let rows = await outboxRows(t);
    expect(rows.map((r) => [r.type, r.status])).toEqual([
      ["handoff.claimed", "pending"],
      ["handoff.resolved", "delivered"],
    ]);
    expect(rows[0]!.due_at).toBeLessThanOrEqual(Date.now());

    await runAlarmFully(t);
    rows = await outboxRows(t);
    expect(rows.map((r) => [r.type, r.status])).toEqual([
      ["handoff.claimed", "delivered"],
      ["handoff.resolved", "delivered"],
    ]);
    expect((await answeredTypes(t)).slice(-2)).toEqual([
      "handoff.resolved:200",
      "handoff.claimed:200",
    ]);
  });
});

/**
 * With the bot down, claims and resolves the handoff and fails both webhooks until they are past
 * their blocking attempts: retried hourly, but one of them checks on the bot every ten minutes.
 */
async function downForLong(t: TestTenant, cookie: string, handoffId: string): Promise<void> {
  await json<HandoffAnswer>(`/api/handoffs/${handoffId}/claim`, {
    method: "POST",
    cookie,
    status: 200,
  });
  await runAlarmFully(t);
  for (let i = 0; i < 4; i++) await retryWebhooksNow(t);
  await json<HandoffAnswer>(`/api/handoffs/${handoffId}/resolve`, {
    cookie,
    body: { outcome: "return_to_bot" },
    status: 200,
  });
  await runAlarmFully(t);
  for (let i = 0; i < 4; i++) await retryWebhooksNow(t);
  const rows = await outboxRows(t);
  expect(rows.map((r) => [r.type, r.status, r.attempts])).toEqual([
    ["handoff.claimed", "pending", 9],
    ["handoff.resolved", "pending", 5],
  ]);
  expect(rows.map((r) => Math.round((r.due_at! - Date.now()) / 60_000))).toEqual([
    60,
    PROBE_MS / 60_000,
  ]);
}

describe("a webhook answered with a redirect", () => {
  it("is not followed: the attempt fails with a clear error and is retried at the same URL", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await runAlarmFully(t);
    const elsewhere = `/hooks/elsewhere-${t.id}`;
    await redirectNext(t, `https://bot.test${elsewhere}`);

    await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    await runAlarmFully(t);
    const [row] = await outboxRows(t);
    expect(row).toMatchObject({ type: "handoff.claimed", status: "pending", attempts: 1 });
    expect(row!.last_error).toBe(
      `HTTP 302 redirect to https://bot.test${elsewhere} not followed: point the webhook URL at its final address`,
    );
    expect((await sinkState(elsewhere)).answered).toEqual([]);

    await retryWebhooksNow(t);
    expect((await outboxRows(t)).map((r) => [r.status, r.attempts])).toEqual([["delivered", 2]]);
    expect(await answeredTypes(t)).toEqual(["handoff.claimed:302", "handoff.claimed:200"]);
    expect((await sinkState(elsewhere)).answered).toEqual([]);
  });
});
