// The tenant object stays small: closed handoffs leave it a few days after closing (only once D1
// has every change and no webhook is pending), old inbound ids and settled webhooks are swept,
// and the API keeps answering for what left, from D1 — for its own tenant only.
import { describe, expect, it } from "vitest";
import {
  call,
  escalate,
  expectError,
  failWebhooks,
  hubRows,
  json,
  login,
  runAlarm,
  claim,
  resolve,
} from "./client";
import { makeTenant } from "./fixtures";
import { DAY_MS, drain, housekeepAt, objectRowsFor } from "./history-helpers";
import type {
  BotHandoffAnswer,
  ContactMessageResult,
  HandoffAnswer,
  HandoffDetail,
  ListPage,
  MessageAnswer,
  RoutedToAgent,
  SettingsAnswer,
} from "./answers";

const GONE = { handoffs: 0, messages: 0, events: 0, webhooks: 0, inbound: 0 };

describe("closed handoffs leave the tenant object", () => {
  it("three days after closing, with its messages, audit, webhooks and inbound ids; the API still answers from D1", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff: closed } = await escalate(t, { conversation_id: "hk-closed" });
    await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: "hk-closed", id: "hk-c1", text: "Still there?" },
      status: 202,
    });
    await claim(alice, closed.id);
    await json<MessageAnswer>(`/api/handoffs/${closed.id}/messages`, {
      cookie: alice,
      body: { text: "Yes, on it." },
      status: 201,
    });
    await json<HandoffAnswer>(`/api/handoffs/${closed.id}/resolve`, {
      cookie: alice,
      body: { outcome: "close", note: "done" },
      status: 200,
    });
    const { handoff: open } = await escalate(t, { conversation_id: "hk-open" });
    await drain(t);

    const detail = await json<HandoffDetail>(`/api/handoffs/${closed.id}`, {
      cookie: alice,
      status: 200,
    });
    const openDetail = await json<HandoffDetail>(`/api/handoffs/${open.id}`, {
      cookie: alice,
      status: 200,
    });
    const bots = await json<BotHandoffAnswer>(`/api/v1/handoffs/${closed.id}`, {
      key: t.apiKey,
      status: 200,
    });
    const before = await objectRowsFor(t, closed.id);
    expect(before).toEqual({ handoffs: 1, messages: 7, events: 3, webhooks: 3, inbound: 1 });

    // Two days on, all but its delivered webhooks (kept a day) is still in the object.
    expect(await housekeepAt(t, Date.now() + 2 * DAY_MS)).toMatchObject({
      handoffs: 0,
      webhooks: 3,
    });
    expect(await objectRowsFor(t, closed.id)).toEqual({ ...before, webhooks: 0 });

    // Past three days it is gone from the object, and only it.
    expect(await housekeepAt(t, Date.now() + 3 * DAY_MS + 60_000)).toMatchObject({ handoffs: 1 });
    expect(await objectRowsFor(t, closed.id)).toEqual(GONE);
    // The open one is untouched; only its wait estimate, drawn from the claims the object
    // still holds (the closed one was the queue's only claim), has nothing left to judge by.
    expect(
      await json<HandoffDetail>(`/api/handoffs/${open.id}`, { cookie: alice, status: 200 }),
    ).toEqual({
      ...openDetail,
      handoff: { ...openDetail.handoff, queue: { position: 1, estimated_wait_seconds: null } },
    });
    expect(openDetail.handoff.queue).toEqual({ position: 1, estimated_wait_seconds: 60 });

    // The agents' detail and the bot's read answer the same as before, from D1.
    expect(
      await json<HandoffDetail>(`/api/handoffs/${closed.id}`, { cookie: alice, status: 200 }),
    ).toEqual(detail);
    expect(
      await json<BotHandoffAnswer>(`/api/v1/handoffs/${closed.id}`, { key: t.apiKey, status: 200 }),
    ).toEqual(bots);
    const history = await json<ListPage>("/api/handoffs?status=all", {
      cookie: alice,
      status: 200,
    });
    // Lists leave the bot's metadata out; everything else is the detail's.
    const listed = ({ metadata: _metadata, ...rest }: { metadata: unknown }) => rest;
    const openNow = { ...openDetail.handoff, queue: { position: 1, estimated_wait_seconds: null } };
    expect(history.handoffs).toEqual([listed(openNow), listed(detail.handoff)]);
    expect(history).toMatchObject({ has_more: false, next_cursor: null });

    // A command on it is refused like any unknown handoff, and changes nothing.
    await expectError(
      call(`/api/handoffs/${closed.id}/claim`, { method: "POST", cookie: alice }),
      404,
      "not_found",
    );

    // Another tenant reaches none of it, though D1 holds it.
    const other = await makeTenant();
    const stranger = await login(other.alice);
    await expectError(call(`/api/handoffs/${closed.id}`, { cookie: stranger }), 404, "not_found");
    await expectError(
      call(`/api/v1/handoffs/${closed.id}`, { key: other.apiKey }),
      404,
      "not_found",
    );
    expect(
      (await json<ListPage>("/api/handoffs?status=all", { cookie: stranger, status: 200 }))
        .handoffs,
    ).toEqual([]);
  });

  it("keepClosedDays lowers the wait (a shorter retention) but never raises it past three days", async () => {
    const t = await makeTenant({ webhook: false });
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    await resolve(alice, handoff.id);
    await drain(t);

    expect(await housekeepAt(t, Date.now() + DAY_MS / 2, { keepClosedDays: 1 })).toMatchObject({
      handoffs: 0,
    });
    expect(await housekeepAt(t, Date.now() + 2 * DAY_MS, { keepClosedDays: 10 })).toMatchObject({
      handoffs: 0,
    });
    expect(await housekeepAt(t, Date.now() + 2 * DAY_MS, { keepClosedDays: 1 })).toMatchObject({
      handoffs: 1,
    });
    expect(await objectRowsFor(t, handoff.id)).toEqual(GONE);
  });

  it("a tenant's shorter retention_days lowers how long closed handoffs stay in the object", async () => {
    const t = await makeTenant({ webhook: false });
    const admin = await login(t.admin);
    const alice = await login(t.alice);
    await json<SettingsAnswer>("/api/admin/settings", {
      method: "PATCH",
      cookie: admin,
      body: { retention_days: 1 },
      status: 200,
    });
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    await resolve(alice, handoff.id);
    await drain(t);

    // Closed two days ago (its last change moved back, as time would): past the tenant's one day.
    await hubRows(
      t,
      `UPDATE handoffs SET updated_at = updated_at - ? WHERE id = ?`,
      2 * DAY_MS,
      handoff.id,
    );
    await hubRows(t, `UPDATE timers SET due_at = ? WHERE kind = 'housekeeping'`, Date.now() - 1);
    expect(await runAlarm(t)).toBe(true);
    expect(await objectRowsFor(t, handoff.id)).toEqual(GONE);
  });

  it("a handoff with a change not yet in D1 (to it, a message or an audit entry) stays until the mirror has written it", async () => {
    const t = await makeTenant({ webhook: false });
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    await resolve(alice, handoff.id);
    await drain(t);
    const [message] = await hubRows<{ id: string }>(
      t,
      `SELECT id FROM messages WHERE handoff_id = ? LIMIT 1`,
      handoff.id,
    );
    const [event] = await hubRows<{ id: string }>(
      t,
      `SELECT id FROM audit WHERE handoff_id = ? LIMIT 1`,
      handoff.id,
    );

    for (const [kind, id] of [
      ["handoff", handoff.id],
      ["message", message!.id],
      ["audit", event!.id],
    ]) {
      // A change the alarm has not yet written to D1, exactly as a write marks it.
      await hubRows(t, `INSERT INTO mirror (kind, id, gen) VALUES (?, ?, 1)`, kind!, id!);
      expect(await housekeepAt(t, Date.now() + 4 * DAY_MS), kind).toMatchObject({ handoffs: 0 });
      expect((await objectRowsFor(t, handoff.id)).handoffs, kind).toBe(1);
      await hubRows(t, `DELETE FROM mirror WHERE kind = ? AND id = ?`, kind!, id!);
    }

    expect(await housekeepAt(t, Date.now() + 4 * DAY_MS)).toMatchObject({ handoffs: 1 });
    expect(await objectRowsFor(t, handoff.id)).toEqual(GONE);
    expect(
      (await json<HandoffDetail>(`/api/handoffs/${handoff.id}`, { cookie: alice, status: 200 }))
        .handoff.status,
    ).toBe("resolved");
  });

  it("a handoff with a webhook still to deliver stays until it settles", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    await failWebhooks(t, 1_000);
    await claim(alice, handoff.id);
    await resolve(alice, handoff.id);
    await drain(t, ["mirror"]);

    expect(await housekeepAt(t, Date.now() + 4 * DAY_MS)).toMatchObject({ handoffs: 0 });
    expect(await objectRowsFor(t, handoff.id)).toMatchObject({ handoffs: 1, webhooks: 2 });

    await failWebhooks(t, 0);
    await drain(t);
    expect(await housekeepAt(t, Date.now() + 4 * DAY_MS)).toMatchObject({ handoffs: 1 });
    expect(await objectRowsFor(t, handoff.id)).toEqual(GONE);
  });
});

describe("sweeps", () => {
  it("contact message ids are remembered for seven days, then forgotten", async () => {
    const t = await makeTenant({ webhook: false });
    await json<ContactMessageResult>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: "hk-bot", id: "hk-b1", text: "hello bot" },
      status: 200,
    });
    const inbound = () => hubRows(t, `SELECT external_id FROM inbound WHERE external_id = 'hk-b1'`);
    expect(await inbound()).toHaveLength(1);
    expect(await housekeepAt(t, Date.now() + 6 * DAY_MS)).toMatchObject({ inbound: 0 });
    expect(await inbound()).toHaveLength(1);
    expect(await housekeepAt(t, Date.now() + 7 * DAY_MS + 60_000)).toMatchObject({ inbound: 1 });
    expect(await inbound()).toEqual([]);
  });

  it("delivered webhooks are swept after a day, while their handoff is still open", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Hello" },
      status: 201,
    });
    await drain(t);
    expect(await objectRowsFor(t, handoff.id)).toMatchObject({ handoffs: 1, webhooks: 2 });

    expect(await housekeepAt(t, Date.now() + DAY_MS / 2)).toMatchObject({ webhooks: 0 });
    expect(await housekeepAt(t, Date.now() + DAY_MS + 60_000)).toMatchObject({
      webhooks: 2,
      handoffs: 0,
    });
    expect(await objectRowsFor(t, handoff.id)).toMatchObject({ handoffs: 1, webhooks: 0 });
    // The reply keeps its delivery state.
    const detail = await json<HandoffDetail>(`/api/handoffs/${handoff.id}`, {
      cookie: alice,
      status: 200,
    });
    expect(detail.messages.find((m: { from: string }) => m.from === "agent")).toMatchObject({
      delivery: "delivered",
    });
  });
});

describe("sessions", () => {
  it("an expired session leaves the object at the next housekeeping run; a live one stays and still works", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const bob = await login(t.bob);
    const sessions = () =>
      hubRows<{ user_id: string; expires_at: number }>(
        t,
        `SELECT user_id, expires_at FROM sessions`,
      );
    expect((await sessions()).map((s) => s.user_id).sort()).toEqual([t.alice.id, t.bob.id].sort());

    const bobEnds = (await sessions()).find((s) => s.user_id === t.bob.id)!.expires_at;
    await hubRows(
      t,
      `UPDATE sessions SET expires_at = ? WHERE user_id = ?`,
      bobEnds - 15 * DAY_MS,
      t.bob.id,
    );
    expect(await housekeepAt(t, Date.now())).toMatchObject({ sessions: 1 });
    expect((await sessions()).map((s) => s.user_id)).toEqual([t.alice.id]);
    await expectError(call("/api/me", { cookie: bob }), 401, "unauthorized");
    await json("/api/me", { cookie: alice, status: 200 });
  });
});

describe("the housekeeping timer", () => {
  it("is armed when a handoff closes, runs from the alarm hourly, and stops once nothing is left to age", async () => {
    const t = await makeTenant({ webhook: false });
    const alice = await login(t.alice);
    const { handoff } = await escalate(t, { max_wait_seconds: 86_400 });
    expect(await hubRows(t, `SELECT kind FROM timers WHERE kind = 'housekeeping'`)).toEqual([]);
    await claim(alice, handoff.id);
    const resolvedAt = Date.now();
    await resolve(alice, handoff.id);
    await drain(t);
    const [timer] = await hubRows<{ due_at: number }>(
      t,
      `SELECT due_at FROM timers WHERE kind = 'housekeeping'`,
    );
    expect(timer!.due_at).toBeGreaterThanOrEqual(resolvedAt + 3_600_000);
    expect(timer!.due_at).toBeLessThanOrEqual(Date.now() + 3_600_000);

    // An hour on, too early to prune: it runs, keeps the handoff and comes back in an hour.
    await hubRows(t, `UPDATE timers SET due_at = ? WHERE kind = 'housekeeping'`, Date.now() - 1);
    const ranAt = Date.now();
    expect(await runAlarm(t)).toBe(true);
    expect((await objectRowsFor(t, handoff.id)).handoffs).toBe(1);
    const [next] = await hubRows<{ due_at: number }>(
      t,
      `SELECT due_at FROM timers WHERE kind = 'housekeeping'`,
    );
    expect(next!.due_at).toBeGreaterThanOrEqual(ranAt + 3_600_000);

    // Three days later (its last change moved back, as time would): pruned, and nothing left to age.
    await hubRows(
      t,
      `UPDATE handoffs SET updated_at = updated_at - ? WHERE id = ?`,
      3 * DAY_MS + 60_000,
      handoff.id,
    );
    await hubRows(t, `UPDATE timers SET due_at = ? WHERE kind = 'housekeeping'`, Date.now() - 1);
    expect(await runAlarm(t)).toBe(true);
    expect(await objectRowsFor(t, handoff.id)).toEqual(GONE);
    expect(
      await hubRows(
        t,
        `SELECT kind, ref FROM timers WHERE kind IN ('housekeeping', 'expire', 'remind')`,
      ),
    ).toEqual([]);
  });
});
