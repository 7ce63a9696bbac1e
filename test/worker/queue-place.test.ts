// Where a waiting handoff stands: its position in its queue (the team's, or the tenant's) in
// serving order, and an estimated wait from the queue's recent claims (null with none), in the
// escalation answer, the bot's read, the list and the detail; gone once claimed.
import { describe, expect, it } from "vitest";
import { claim, detail, escalate, hubRows, json, login } from "./client";
import { makeTenant } from "./fixtures";
import { makeTeam } from "./team-helpers";
import type { BotHandoffAnswer, ListPage } from "./answers";

describe("queue position and estimated wait", () => {
  it("moves up as handoffs ahead are claimed; the estimate follows the pace of claims", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const answers = [await escalate(t), await escalate(t), await escalate(t)];
    // Nothing claimed yet: a position, and no estimate rather than a guess.
    expect(answers.map((a) => a.handoff.queue)).toEqual([
      { position: 1, estimated_wait_seconds: null },
      { position: 2, estimated_wait_seconds: null },
      { position: 3, estimated_wait_seconds: null },
    ]);
    const [a, b, c] = answers.map((x) => x.handoff.id) as [string, string, string];

    await claim(alice, a);
    const bot = await json<BotHandoffAnswer>(`/api/v1/handoffs/${c}`, {
      key: t.apiKey,
      status: 200,
    });
    // One claim in the last minute: about a minute per handoff ahead and for itself.
    expect(bot.handoff.queue).toEqual({ position: 2, estimated_wait_seconds: 120 });
    const list = await json<ListPage>("/api/handoffs?status=queued,active", {
      cookie: alice,
      status: 200,
    });
    expect(Object.fromEntries(list.handoffs.map((h) => [h.id, h.queue ?? null]))).toEqual({
      [a]: null,
      [b]: { position: 1, estimated_wait_seconds: 60 },
      [c]: { position: 2, estimated_wait_seconds: 120 },
    });

    // Ten claims over the last ten minutes: a minute each, whatever the clock says now.
    await hubRows(
      t,
      `UPDATE handoffs SET claimed_at = ? WHERE id = ?`,
      Date.now() - 10 * 60_000,
      a,
    );
    for (let i = 0; i < 9; i++) await claim(alice, (await escalate(t)).handoff.id);
    expect((await detail(alice, b)).handoff.queue).toEqual({
      position: 1,
      estimated_wait_seconds: 60,
    });
    expect((await detail(alice, c)).handoff.queue?.estimated_wait_seconds).toBe(120);
  });

  it("a team handoff counts its team's queue; priority comes before age", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    await makeTeam(admin, "Billing", [t.bob.id]);
    const general = await escalate(t);
    const urgent = await escalate(t, { priority: "urgent" });
    const billing = await escalate(t, { team: "Billing" });
    expect(general.handoff.queue?.position).toBe(1);
    expect(urgent.handoff.queue?.position).toBe(1);
    expect((await detail(admin, general.handoff.id)).handoff.queue?.position).toBe(2);
    expect(billing.handoff.queue).toEqual({ position: 1, estimated_wait_seconds: null });
  });
});
