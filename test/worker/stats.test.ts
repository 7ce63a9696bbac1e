// The stats bar as counters kept by the tenant object: equal to a recount after a mixed run of
// escalations, claims, releases, assignments, resolves and expiries; kept when closed handoffs
// leave the object; started from existing data by the schema step; and pushed as a `stats`
// frame (and in `hello`) to every socket after a change that moves them.
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerFrame } from "../../schema/realtime";
import type { LiveStats } from "../../schema/shapes";
import { utcDay, utcWeekStart } from "../../worker/src/tenant/counters";
import { STEPS } from "../../worker/src/tenant/migrations";
import { Sql } from "../../worker/src/tenant/sql";
import {
  AgentSocket,
  escalate,
  hub,
  hubRows,
  json,
  login,
  runAlarm,
  claim,
  resolve,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { ErrorAnswer, HandoffAnswer, HandoffDetail, Stats } from "./answers";

afterEach(() => AgentSocket.closeAll());

type StatsFrame = Extract<ServerFrame, { type: "stats" }>;
type Hello = Extract<ServerFrame, { type: "hello" }>;

/** The stats as the old code computed them: a scan of every handoff the object holds. */
async function recount(t: TestTenant) {
  const now = Date.now();
  const [row] = await hubRows<{ queued: number; active: number; today: number; resolved: number }>(
    t,
    `SELECT COALESCE(SUM(status = 'queued'), 0) AS queued, COALESCE(SUM(status = 'active'), 0) AS active,
       COALESCE(SUM(created_at >= ?), 0) AS today, COALESCE(SUM(status = 'resolved' AND resolved_at >= ?), 0) AS resolved
     FROM handoffs`,
    Date.parse(utcDay(now)),
    Date.parse(utcWeekStart(now)),
  );
  return {
    queued: row!.queued,
    active: row!.active,
    today: row!.today,
    resolved_this_week: row!.resolved,
  };
}

async function counted(cookie: string) {
  const { queued, active, today, resolved_this_week } = await json<Stats>("/api/stats", {
    cookie,
    status: 200,
  });
  return { queued, active, today, resolved_this_week };
}

describe("stats counters", () => {
  it("equal a recount after a mixed run of every status change", async () => {
    const t = await makeTenant();
    const [alice, bob, admin] = await Promise.all([login(t.alice), login(t.bob), login(t.admin)]);
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push((await escalate(t)).handoff.id);
    const act = (cookie: string, id: string, action: string, body?: unknown) =>
      json(`/api/handoffs/${id}/${action}`, { method: "POST", cookie, body, status: 200 });

    for (const id of ids.slice(0, 4)) await act(alice, id, "claim");
    await act(bob, ids[4]!, "claim");
    await act(alice, ids[0]!, "resolve", { outcome: "close" });
    await act(alice, ids[1]!, "resolve", { outcome: "return_to_bot", note: "done" });
    await act(alice, ids[2]!, "release");
    await act(admin, ids[5]!, "assign", { agent_id: t.bob.id });
    await act(admin, ids[4]!, "assign", { agent_id: t.alice.id }); // active → active: no counter moves
    await act(bob, ids[5]!, "resolve", { outcome: "close" });
    // Claiming an already claimed one and resolving a resolved one change nothing.
    await json<ErrorAnswer>(`/api/handoffs/${ids[3]}/claim`, {
      method: "POST",
      cookie: bob,
      status: 409,
    });
    await json<ErrorAnswer>(`/api/handoffs/${ids[0]}/resolve`, {
      cookie: alice,
      body: { outcome: "close" },
      status: 409,
    });
    // Two of the waiting ones expire; running the alarm again expires nothing twice.
    for (const id of [ids[6]!, ids[7]!])
      await hubRows(
        t,
        `UPDATE timers SET due_at = ? WHERE kind = 'expire' AND ref = ?`,
        Date.now() - 1,
        id,
      );
    await runAlarm(t);
    await runAlarm(t);
    // The same conversation escalated again after its handoff closed is a new escalation.
    const again = await escalate(t, {
      conversation_id: (await json<HandoffDetail>(`/api/handoffs/${ids[0]}`, { cookie: alice }))
        .handoff.conversation_id,
    });
    expect(again.created).toBe(true);

    // queued: ids 2 (released), 8, again; active: 3, 4; resolved: 0, 1, 5; expired: 6, 7.
    const expected = { queued: 3, active: 2, today: 10, resolved_this_week: 3 };
    expect(await recount(t)).toEqual(expected);
    expect(await counted(alice)).toEqual(expected);
    const days = await hubRows<{ day: string; escalated: number; resolved: number }>(
      t,
      `SELECT day, escalated, resolved FROM daily_counts`,
    );
    expect(days).toEqual([{ day: utcDay(Date.now()), escalated: 10, resolved: 3 }]);
  });

  it("keep today and this week's resolves after closed handoffs leave the object", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    for (let i = 0; i < 3; i++) {
      const { handoff } = await escalate(t);
      await claim(alice, handoff.id);
      await resolve(alice, handoff.id);
    }
    await escalate(t);
    await hubRows(t, `DELETE FROM handoffs WHERE status = 'resolved'`);
    expect(await recount(t)).toEqual({ queued: 1, active: 0, today: 1, resolved_this_week: 0 });
    expect(await counted(alice)).toEqual({ queued: 1, active: 0, today: 4, resolved_this_week: 3 });
  });

  it("are started from the handoffs an object already holds when its schema step runs", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await escalate(t)).handoff.id);
    await claim(alice, ids[0]!);
    await claim(alice, ids[1]!);
    await resolve(alice, ids[1]!);
    const live = await counted(alice);

    // Back to the schema before the counters, then that step again, as an object made before it would run it.
    const step = STEPS.find((statements) =>
      statements.some((s) => s.includes("CREATE TABLE status_counts")),
    )!;
    await runInDurableObject(hub(t), (_instance, state) => {
      const sql = new Sql(state.storage.sql);
      sql.run(`DROP TABLE status_counts`);
      sql.run(`DROP TABLE daily_counts`);
      sql.run(`DELETE FROM timers WHERE kind = 'retention'`);
      for (const statement of step) sql.run(statement);
    });
    expect(live).toEqual({ queued: 2, active: 1, today: 4, resolved_this_week: 1 });
    expect(await counted(alice)).toEqual(live);
    // The same step arms the first retention sweep, an hour on.
    const [sweep] = await hubRows<{ due_at: number }>(
      t,
      `SELECT due_at FROM timers WHERE kind = 'retention'`,
    );
    expect(sweep!.due_at).toBeGreaterThan(Date.now() + 3_500_000);
    expect(sweep!.due_at).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });
});

describe("stats in the realtime stream", () => {
  it("hello carries the current stats, and a claim is followed by a stats frame on every socket", async () => {
    const t = await makeTenant();
    const [aliceCookie, bobCookie] = await Promise.all([login(t.alice), login(t.bob)]);
    const { handoff } = await escalate(t);
    const alice = await AgentSocket.open(aliceCookie);
    const bob = await AgentSocket.open(bobCookie);
    const hello = bob.frames[0] as Hello;
    expect(hello.type).toBe("hello");
    expect(hello.data.stats).toMatchObject({
      queued: 1,
      active: 0,
      today: 1,
      resolved_this_week: 0,
      agents_online: 2,
    });
    expect(Date.parse(hello.data.stats.oldest_waiting_since!)).toBe(Date.parse(handoff.created_at));
    await alice.sync();
    await bob.sync();
    const seen = bob.frames.length;

    const ack = await alice.command({ type: "claim", ref: "c1", handoff_id: handoff.id });
    expect(ack).toMatchObject({ ok: true });
    const frame = await bob.next<StatsFrame>((f) => f.type === "stats");
    const expected: LiveStats = {
      queued: 0,
      active: 1,
      agents_online: 2,
      oldest_waiting_seconds: null,
      oldest_waiting_since: null,
      today: 1,
      resolved_this_week: 0,
    };
    expect(frame).toEqual({ type: "stats", data: expected });
    expect("seq" in frame).toBe(false);
    // After the event that moved it, and once.
    await bob.sync();
    const after = bob.frames.slice(seen).map((f) => f.type);
    // Alice's load moved too: presence follows.
    expect(after.filter((type) => type !== "ack")).toEqual([
      "handoff.updated",
      "stats",
      "presence",
    ]);
    await alice.sync();
    expect(alice.frames.filter((f) => f.type === "stats")).toEqual([frame]);
  });

  it("a reply, which moves no counter, sends no stats frame", async () => {
    const t = await makeTenant();
    const aliceCookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await claim(aliceCookie, handoff.id);
    const alice = await AgentSocket.open(aliceCookie);
    await alice.command({ type: "reply", ref: "r1", handoff_id: handoff.id, text: "Hello!" });
    await alice.sync();
    expect(alice.frames.map((f) => f.type).filter((type) => type !== "ack")).toEqual([
      "hello",
      "presence",
      "message.created",
    ]);
  });
});
