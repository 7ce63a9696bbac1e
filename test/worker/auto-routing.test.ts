// Auto-assignment as api.md describes it: available agents under capacity, fewest active first,
// ties to whoever waited longest; priority then age; held when nobody fits and given out the
// moment someone frees up; an ordinary claim for everything that follows. Claim mode untouched.
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  claim,
  detail,
  escalate,
  expectError,
  call,
  json,
  login,
  resolve,
  settle,
  verifiedWebhooks,
  webhookOf,
  waitUntil,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { person, present } from "./realtime-helpers";
import { holders, routingSettings, setCapacity, setStatus } from "./routing-helpers";
import { makeTeam } from "./team-helpers";
import type { Me } from "./answers";

afterEach(() => AgentSocket.closeAll());

/** A tenant on auto routing with Alice and Bob logged in (no sockets yet: nobody available). */
async function autoTenant(options: Parameters<typeof makeTenant>[0] = {}) {
  const t = await makeTenant(options);
  const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
  await routingSettings(admin);
  return { t, admin, alice, bob };
}

const escalateMany = async (t: TestTenant, priorities: string[]) => {
  const ids: string[] = [];
  for (const priority of priorities) ids.push((await escalate(t, { priority })).handoff.id);
  return ids;
};

describe("auto-assignment", () => {
  it("gives each new handoff to the available agent with the fewest active, within capacity, and holds the rest", async () => {
    const { t, admin, alice, bob } = await autoTenant();
    await setCapacity(admin, t.alice.id, 2);
    await setCapacity(admin, t.bob.id, 1);
    const aliceSocket = await AgentSocket.open(alice);
    await AgentSocket.open(bob);

    const first = await escalate(t);
    // The escalation's answer already shows it assigned: the bot can tell the contact at once.
    expect(first.handoff).toMatchObject({ status: "active" });
    expect(first.handoff).not.toHaveProperty("queue");
    const firstTaker = first.handoff.assignee!.id;
    expect([t.alice.id, t.bob.id]).toContain(firstTaker);
    const rest = await escalateMany(t, ["normal", "normal", "normal"]);
    const held = await holders(alice, [first.handoff.id, ...rest]);
    const load = (id: string) => Object.values(held).filter((h) => h === id).length;
    expect(load(t.alice.id)).toBe(2);
    expect(load(t.bob.id)).toBe(1);
    // The fourth waits, and says where it stands.
    const waiting = rest[2]!;
    expect(held[waiting]).toBeNull();
    const waitingDetail = await detail(alice, waiting);
    expect(waitingDetail.handoff.queue).toEqual({
      position: 1,
      estimated_wait_seconds: expect.any(Number),
    });

    // Every assignment is an ordinary claim: accept message naming the agent, webhook, audit.
    const alicesFirst = Object.keys(held).find((id) => held[id] === t.alice.id)!;
    const full = await detail(alice, alicesFirst);
    expect(full.messages.at(-1)).toMatchObject({
      from: "system",
      text: expect.stringContaining("Alice"),
    });
    expect(full.events.map((e) => e.type)).toEqual(["escalated", "assigned"]);
    expect(full.events[1]).toMatchObject({
      actor: null,
      data: { agent: person(t.alice), auto: true },
    });
    await settle(t);
    const claimed = (await verifiedWebhooks(t))
      .map((w) => w.event)
      .filter((e) => e.type === "handoff.claimed");
    expect(claimed.map((e) => webhookOf(e, "handoff.claimed").data.handoff.id).sort()).toEqual(
      Object.keys(held)
        .filter((id) => held[id] !== null)
        .sort(),
    );
    // Alice hears of hers in real time: an `assigned` change by nobody, with her as assignee.
    const frame = await aliceSocket.next(
      (f) =>
        f.type === "handoff.updated" &&
        f.data.handoff.id === alicesFirst &&
        f.data.change === "assigned",
    );
    expect(frame).toMatchObject({ data: { actor: null, handoff: { assignee: person(t.alice) } } });
    // The presence frame shows the load.
    await aliceSocket.sync();
    const last = aliceSocket.events("presence").at(-1)!;
    expect(last.data.agents).toEqual([present(t.alice, 2, 2), present(t.bob, 1, 1)]);

    // Bob resolves his: the waiting one goes to him at once.
    const bobs = Object.keys(held).find((id) => held[id] === t.bob.id)!;
    await resolve(bob, bobs);
    expect((await holders(alice, [waiting]))[waiting]).toBe(t.bob.id);
  });

  it("serves priority first, then the oldest, when someone comes online", async () => {
    const { t, alice } = await autoTenant();
    const [low, normal1, urgent, normal2, high] = await escalateMany(t, [
      "low",
      "normal",
      "urgent",
      "normal",
      "high",
    ]);
    // Nobody has the inbox open: everything waits, positions in serving order.
    const positions = async () =>
      Object.fromEntries(
        await Promise.all(
          [low, normal1, urgent, normal2, high].map(async (id) => [
            id,
            (await detail(alice, id!)).handoff.queue?.position ?? null,
          ]),
        ),
      );
    expect(await positions()).toEqual({
      [urgent!]: 1,
      [high!]: 2,
      [normal1!]: 3,
      [normal2!]: 4,
      [low!]: 5,
    });
    await AgentSocket.open(alice); // capacity 3
    const held = await holders(alice, [low!, normal1!, urgent!, normal2!, high!]);
    expect(held).toEqual({
      [urgent!]: t.alice.id,
      [high!]: t.alice.id,
      [normal1!]: t.alice.id,
      [normal2!]: null,
      [low!]: null,
    });
    expect(await positions()).toEqual({
      [urgent!]: null,
      [high!]: null,
      [normal1!]: null,
      [normal2!]: 1,
      [low!]: 2,
    });
  });

  it("an away agent gets nothing; switching back online brings them the oldest waiting", async () => {
    const { t, alice } = await autoTenant();
    const socket = await AgentSocket.open(alice);
    expect(socket.frames[0]).toMatchObject({ type: "hello", data: { user: { status: "online" } } });
    const away = await setStatus(alice, "away");
    expect(away).toMatchObject({ id: t.alice.id, status: "away" });
    expect((await json<Me>("/api/me", { cookie: alice, status: 200 })).user.status).toBe("away");
    const presence = await socket.next(
      (f) => f.type === "presence" && f.data.agents.some((a) => a.status === "away"),
    );
    expect(presence).toMatchObject({
      data: { agents: [{ ...present(t.alice), status: "away" }] },
    });

    const [older, newer] = await escalateMany(t, ["normal", "normal"]);
    expect(await holders(alice, [older!, newer!])).toEqual({ [older!]: null, [newer!]: null });
    await setCapacity(await login(t.admin), t.alice.id, 1);
    await setStatus(alice, "online");
    expect(await holders(alice, [older!, newer!])).toEqual({
      [older!]: t.alice.id,
      [newer!]: null,
    });
  });

  it("a handoff whose agent closes the inbox is not given out to them; an agent without a socket is not available", async () => {
    const { t, alice, bob } = await autoTenant();
    const socket = await AgentSocket.open(alice);
    socket.close();
    await waitUntil("Alice offline", async () => {
      const list = await json<{ agents_online: number }>("/api/stats", {
        cookie: bob,
        status: 200,
      });
      return list.agents_online === 0;
    });
    const { handoff } = await escalate(t);
    expect(handoff.status).toBe("queued");
    expect(handoff.queue).toEqual({ position: 1, estimated_wait_seconds: null });
  });

  it("team handoffs go only to the team's members, even when others have room", async () => {
    const { t, admin, alice, bob } = await autoTenant();
    await makeTeam(admin, "Billing", [t.bob.id]);
    await AgentSocket.open(alice);
    const billing = (await escalate(t, { team: "Billing" })).handoff;
    expect(billing.status).toBe("queued");
    const general = (await escalate(t)).handoff;
    expect(general.assignee).toEqual(person(t.alice));
    await AgentSocket.open(bob);
    expect((await holders(alice, [billing.id]))[billing.id]).toBe(t.bob.id);
  });

  it("a released handoff is not handed straight back to whoever released it", async () => {
    const { t, alice, bob } = await autoTenant();
    await AgentSocket.open(alice);
    const { handoff } = await escalate(t);
    expect(handoff.assignee).toEqual(person(t.alice));
    await json(`/api/handoffs/${handoff.id}/release`, {
      method: "POST",
      cookie: alice,
      status: 200,
    });
    expect((await holders(alice, [handoff.id]))[handoff.id]).toBeNull();
    await AgentSocket.open(bob);
    expect((await holders(alice, [handoff.id]))[handoff.id]).toBe(t.bob.id);
  });

  it("a raised capacity gives out what waits; a manual claim is never limited by capacity", async () => {
    const { t, admin, alice } = await autoTenant();
    await setCapacity(admin, t.alice.id, 1);
    await AgentSocket.open(alice);
    const [first, second, third] = await escalateMany(t, ["normal", "normal", "normal"]);
    expect(await holders(alice, [first!, second!, third!])).toEqual({
      [first!]: t.alice.id,
      [second!]: null,
      [third!]: null,
    });
    await claim(alice, third!);
    await setCapacity(admin, t.alice.id, 2);
    // Two active already (one auto, one claimed): at capacity 2, nothing more.
    expect((await holders(alice, [second!]))[second!]).toBeNull();
    await setCapacity(admin, t.alice.id, 3);
    expect((await holders(alice, [second!]))[second!]).toBe(t.alice.id);
  });

  it("claim mode (the default) assigns nothing; switching to auto gives out what waits", async () => {
    const t = await makeTenant();
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    await AgentSocket.open(alice);
    const { handoff } = await escalate(t);
    expect(handoff.status).toBe("queued");
    await routingSettings(admin);
    expect((await holders(alice, [handoff.id]))[handoff.id]).toBe(t.alice.id);
  });

  it("viewers are never given work and cannot switch status into availability", async () => {
    const { t } = await autoTenant();
    const viewer = await login(t.viewer);
    await AgentSocket.open(viewer);
    const { handoff } = await escalate(t);
    expect(handoff.status).toBe("queued");
    await expectError(
      call("/api/me/status", { method: "PUT", cookie: viewer, body: { status: "busy" } }),
      400,
      "invalid_request",
    );
  });
});
