// The claim race: many agents press "claim" on the same handoff at once; exactly one wins and
// everyone else is told who did. Plus the admin's assign.
import { describe, expect, it } from "vitest";
import {
  call,
  claim,
  detail,
  fastForward,
  json,
  login,
  runAlarm,
  escalate,
  settle,
  webhooksReceived,
  webhookOf,
  expectError,
  resolve,
} from "./client";
import { makeTenant } from "./fixtures";
import type { ClaimAnswer, HandoffAnswer, ListPage, MessageAnswer, Stats } from "./answers";

const HANDOFFS = 15;

describe("claiming a handoff", () => {
  it("20 agents claim each of 15 handoffs at once: exactly one wins, 19 see already_claimed naming the winner", async () => {
    const t = await makeTenant({ agents: 20 });
    const cookies = await Promise.all(t.agents.map((a) => login(a)));
    const handoffs = [];
    for (let i = 0; i < HANDOFFS; i++)
      handoffs.push((await escalate(t, { conversation_id: `race-${i}` })).handoff);

    const winners = new Map<string, { id: string; name: string }>();
    for (const h of handoffs) {
      const responses = await Promise.all(
        cookies.map((cookie) => call(`/api/handoffs/${h.id}/claim`, { method: "POST", cookie })),
      );
      const results = await Promise.all(
        responses.map(async (r) => ({ status: r.status, body: (await r.json()) as ClaimAnswer })),
      );

      const won = results.filter((r) => r.status === 200);
      expect(won, JSON.stringify(results.map((r) => r.status))).toHaveLength(1);
      const winner = won[0]!.body.handoff!.assignee!;
      const winnerIndex = results.findIndex((r) => r.status === 200);
      expect(winner).toEqual({ id: t.agents[winnerIndex]!.id, name: t.agents[winnerIndex]!.name });
      expect(won[0]!.body.handoff).toMatchObject({ id: h.id, status: "active" });

      const lost = results.filter((r) => r.status !== 200);
      expect(lost).toHaveLength(19);
      for (const r of lost) {
        expect(r.status).toBe(409);
        expect(Object.keys(r.body)).toEqual(["error"]);
        expect(r.body.error).toMatchObject({
          code: "already_claimed",
          message: expect.any(String),
          assignee: winner,
        });
      }
      winners.set(h.id, winner);
    }

    // What everyone reads afterwards agrees with the race's outcome, and the contact was greeted once.
    const list = await json<ListPage>("/api/handoffs?status=all", {
      cookie: cookies[0],
      status: 200,
    });
    expect(list.handoffs).toHaveLength(HANDOFFS);
    for (const h of list.handoffs) {
      expect(h.status).toBe("active");
      expect(h.assignee).toEqual(winners.get(h.id));
      const full = await detail(cookies[0]!, h.id);
      expect(full.events.filter((e) => e.type === "claimed")).toHaveLength(1);
      expect(full.events.find((e) => e.type === "claimed")!.actor).toMatchObject(
        winners.get(h.id)!,
      );
      const greetings = full.messages.filter(
        (m) => m.from === "system" && m.text.startsWith("Hello, this is"),
      );
      expect(greetings.map((m) => m.text)).toEqual([
        `Hello, this is ${winners.get(h.id)!.name} from ${t.name}. How can I help?`,
      ]);
    }
    const stats = await json<Stats>("/api/stats", { cookie: cookies[0], status: 200 });
    expect(stats).toMatchObject({ queued: 0, active: HANDOFFS });

    // The bot hears about each claim exactly once.
    await settle(t);
    const claimed = (await webhooksReceived(t)).map((d) => d.event);
    expect(claimed.map((e) => e.type)).toEqual(
      Array.from({ length: HANDOFFS }, () => "handoff.claimed"),
    );
    expect(new Set(claimed.map((e) => e.data.handoff.id))).toEqual(new Set(winners.keys()));
    for (const b of claimed.map((e) => webhookOf(e, "handoff.claimed")))
      expect(b.data.agent).toEqual(winners.get(b.data.handoff.id));
  });

  it("the winner claiming again gets 200 and changes nothing", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    const first = await claim(alice, handoff.id);
    const before = await detail(alice, handoff.id);
    const again = await claim(alice, handoff.id);
    expect(again.handoff).toMatchObject({
      status: "active",
      assignee: { id: t.alice.id, name: "Alice" },
      claimed_at: first.handoff.claimed_at,
    });
    expect(await detail(alice, handoff.id)).toEqual(before);
  });

  it("claiming a resolved handoff is 409 invalid_state with its status", async () => {
    const t = await makeTenant();
    const [alice, bob] = await Promise.all([login(t.alice), login(t.bob)]);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    await resolve(alice, handoff.id);
    for (const cookie of [bob, alice]) {
      const error = await expectError(
        call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie }),
        409,
        "invalid_state",
      );
      expect(error.status).toBe("resolved");
    }
    const after = await detail(bob, handoff.id);
    expect(after.handoff).toMatchObject({ status: "resolved", assignee: { id: t.alice.id } });
  });

  it("releasing puts it back in the queue, where someone else can claim it", async () => {
    const t = await makeTenant();
    const [alice, bob] = await Promise.all([login(t.alice), login(t.bob)]);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    const released = await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/release`, {
      method: "POST",
      cookie: alice,
      status: 200,
    });
    expect(released.handoff).toMatchObject({ status: "queued", assignee: null });
    const claimed = await claim(bob, handoff.id);
    expect(claimed.handoff.assignee).toEqual({ id: t.bob.id, name: "Bob" });
  });
});

describe("commands in a state that does not allow them", () => {
  it("resolve or release a queued handoff, or act on a resolved one: 409 invalid_state with its status", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    for (const [path, body] of [
      ["resolve", { outcome: "close" }],
      ["release", undefined],
    ] as const) {
      const error = await expectError(
        call(`/api/handoffs/${handoff.id}/${path}`, { method: "POST", cookie: alice, body }),
        409,
        "invalid_state",
      );
      expect(error.status).toBe("queued");
    }
    // Replying needs the claim first.
    await expectError(
      call(`/api/handoffs/${handoff.id}/messages`, { cookie: alice, body: { text: "hi" } }),
      403,
      "not_assignee",
    );
    expect((await detail(alice, handoff.id)).handoff).toMatchObject({
      status: "queued",
      message_count: handoff.message_count,
    });

    await claim(alice, handoff.id);
    await resolve(alice, handoff.id, "return_to_bot");
    const before = await detail(alice, handoff.id);
    for (const [path, body] of [
      ["resolve", { outcome: "close" }],
      ["release", undefined],
      ["messages", { text: "one more thing" }],
    ] as const) {
      const error = await expectError(
        call(`/api/handoffs/${handoff.id}/${path}`, { method: "POST", cookie: alice, body }),
        409,
        "invalid_state",
      );
      expect(error.status).toBe("resolved");
    }
    expect(await detail(alice, handoff.id)).toEqual(before);
  });
});

describe("an expired handoff", () => {
  it("refuses claim, reply, resolve, release and assign with 409 invalid_state naming its status, and changes nothing", async () => {
    const t = await makeTenant();
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    const { handoff } = await escalate(t);
    await fastForward(t, ["expire"]);
    await runAlarm(t);
    const before = await detail(alice, handoff.id);
    expect(before.handoff.status).toBe("expired");
    const attempts = [
      { path: "claim", cookie: alice, body: undefined },
      { path: "messages", cookie: alice, body: { text: "sorry for the wait" } },
      { path: "resolve", cookie: alice, body: { outcome: "close" } },
      { path: "release", cookie: alice, body: undefined },
      { path: "assign", cookie: admin, body: { agent_id: t.bob.id } },
    ];
    for (const a of attempts) {
      const error = await expectError(
        call(`/api/handoffs/${handoff.id}/${a.path}`, {
          method: "POST",
          cookie: a.cookie,
          body: a.body,
        }),
        409,
        "invalid_state",
      );
      expect(error.status, a.path).toBe("expired");
    }
    expect(await detail(alice, handoff.id)).toEqual(before);
  });
});

describe("assigning a handoff (admins)", () => {
  it("an admin assigns a queued handoff, then moves it from one agent to another", async () => {
    const t = await makeTenant();
    const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
    const { handoff } = await escalate(t);

    const toBob = await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/assign`, {
      cookie: admin,
      body: { agent_id: t.bob.id },
      status: 200,
    });
    expect(toBob.handoff).toMatchObject({
      id: handoff.id,
      status: "active",
      assignee: { id: t.bob.id, name: "Bob" },
    });
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: bob,
      body: { text: "Bob here" },
      status: 201,
    });

    const toAlice = await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/assign`, {
      cookie: admin,
      body: { agent_id: t.alice.id },
      status: 200,
    });
    expect(toAlice.handoff).toMatchObject({
      status: "active",
      assignee: { id: t.alice.id, name: "Alice" },
    });

    // Bob no longer holds it; Alice does.
    await expectError(
      call(`/api/handoffs/${handoff.id}/messages`, { cookie: bob, body: { text: "still me?" } }),
      403,
      "not_assignee",
    );
    const claimByBob = await expectError(
      call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie: bob }),
      409,
      "already_claimed",
    );
    expect(claimByBob.assignee).toEqual({ id: t.alice.id, name: "Alice" });
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "Alice here" },
      status: 201,
    });

    const full = await detail(admin, handoff.id);
    expect(full.handoff.assignee).toEqual({ id: t.alice.id, name: "Alice" });
    expect(full.events.map((e) => e.type)).toEqual(["escalated", "assigned", "assigned"]);
    expect(full.messages.filter((m) => m.from === "agent").map((m) => m.text)).toEqual([
      "Bob here",
      "Alice here",
    ]);
  });

  it("an agent or a viewer cannot assign: 403 forbidden, nothing changes", async () => {
    const t = await makeTenant();
    const [alice, viewer] = await Promise.all([login(t.alice), login(t.viewer)]);
    const { handoff } = await escalate(t);
    for (const cookie of [alice, viewer]) {
      await expectError(
        call(`/api/handoffs/${handoff.id}/assign`, { cookie, body: { agent_id: t.alice.id } }),
        403,
        "forbidden",
      );
    }
    const after = await detail(alice, handoff.id);
    expect(after.handoff).toMatchObject({ status: "queued", assignee: null });
    expect(after.events.map((e) => e.type)).toEqual(["escalated"]);
  });

  it("assigning to an agent of another tenant (or to no such agent) is 404 and changes nothing", async () => {
    const t = await makeTenant();
    const other = await makeTenant();
    const admin = await login(t.admin);
    const { handoff } = await escalate(t);
    for (const agentId of [other.alice.id, other.admin.id, "u_nobody"]) {
      await expectError(
        call(`/api/handoffs/${handoff.id}/assign`, { cookie: admin, body: { agent_id: agentId } }),
        404,
        "not_found",
      );
    }
    const after = await detail(admin, handoff.id);
    expect(after.handoff).toMatchObject({ status: "queued", assignee: null });
    expect(after.events.map((e) => e.type)).toEqual(["escalated"]);
  });

  it("assigning a resolved handoff is 409 invalid_state", async () => {
    const t = await makeTenant();
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    await resolve(alice, handoff.id);
    const error = await expectError(
      call(`/api/handoffs/${handoff.id}/assign`, { cookie: admin, body: { agent_id: t.bob.id } }),
      409,
      "invalid_state",
    );
    expect(error.status).toBe("resolved");
  });
});
