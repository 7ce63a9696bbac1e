// Auto-routing against its rules, by random sequences of what happens in a tenant: escalations
// of every priority (some for a team), claims, releases and resolves, agents opening and
// closing the inbox, going away and back, capacities and teams changing, the routing mode
// switched. After every step the object's state is checked (routing-model.ts): nobody auto-
// assigned over capacity, while unavailable, outside the team or straight back after letting
// go; nothing left queued while someone eligible has room; the serving order kept; exactly the
// agent the rules name; one assignee per active handoff. fast-check prints the seed and the
// shrunk sequence of a failure.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { AgentSocket, escalate, json, login } from "./client";
import { makeTenant } from "./fixtures";
import { makeTeam } from "./team-helpers";
import {
  PEOPLE,
  PRIORITIES,
  ROUTABLE,
  RoutingTenant,
  TEAMS,
  type Action,
  type Actor,
} from "./routing-driver";

const routable = fc.nat({ max: ROUTABLE - 1 });
const anyone = fc.nat({ max: PEOPLE - 1 });
const handoffPick = fc.nat({ max: 50 });
/** Now and then a handoff in any state, to see the errors answered and nothing moved. */
const anyStatus = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, fc.constant(true));
const actor: fc.Arbitrary<Actor> = fc.oneof(
  { arbitrary: fc.constant<Actor>("assignee"), weight: 3 },
  anyone,
);

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("escalate" as const),
      priority: fc.constantFrom(...PRIORITIES),
      team: fc.option(fc.nat({ max: TEAMS - 1 }), { freq: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      user: anyone,
      pick: handoffPick,
      anyStatus,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("release" as const),
      user: actor,
      pick: handoffPick,
      anyStatus,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("resolve" as const),
      user: actor,
      pick: handoffPick,
      anyStatus,
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("connect" as const), user: routable }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("disconnect" as const), user: routable }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("status" as const),
      user: routable,
      status: fc.constantFrom("online" as const, "away" as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("capacity" as const),
      user: routable,
      capacity: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("team" as const),
      team: fc.nat({ max: TEAMS - 1 }),
      members: fc.array(fc.boolean(), { minLength: ROUTABLE, maxLength: ROUTABLE }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("mode" as const),
      mode: fc.constantFrom("auto" as const, "claim" as const),
    }),
  },
);

afterEach(() => AgentSocket.closeAll());

describe("auto-routing, property-based", () => {
  it("every step of a random history keeps the routing rules", { timeout: 600_000 }, async () => {
    const total = { runs: 0, steps: 0, autoAssigned: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 140, size: "max" }), async (actions) => {
        const tenant = await RoutingTenant.create();
        try {
          for (const next of actions) await tenant.step(next);
        } finally {
          total.runs += 1;
          total.steps += tenant.tally.steps;
          total.autoAssigned += tenant.tally.autoAssigned;
          total.refused += tenant.tally.refused;
          tenant.close();
        }
      }),
      { numRuns: 35 },
    );
    console.log(`auto-routing property: ${JSON.stringify(total)}`);
  });
});

describe("auto-routing when a team changes", () => {
  it("a team handoff waiting for a member goes out the moment one with room joins the team", async () => {
    const t = await makeTenant();
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    const team = await makeTeam(admin, "Billing", []);
    await json("/api/admin/settings", {
      method: "PATCH",
      cookie: admin,
      body: { routing: "auto" },
      status: 200,
    });
    await AgentSocket.open(alice);
    const { handoff } = await escalate(t, { team: "Billing" });
    expect(handoff.status).toBe("queued"); // the team has nobody yet

    await json(`/api/admin/teams/${team.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { member_ids: [t.alice.id] },
      status: 200,
    });
    const now = await json<{ handoff: { status: string; assignee: { id: string } | null } }>(
      `/api/handoffs/${handoff.id}`,
      { cookie: admin, status: 200 },
    );
    expect(now.handoff).toMatchObject({ status: "active", assignee: { id: t.alice.id } });
  });

  it("a deleted team's waiting handoffs go to anyone with room", async () => {
    const t = await makeTenant();
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    const team = await makeTeam(admin, "Billing", []);
    await json("/api/admin/settings", {
      method: "PATCH",
      cookie: admin,
      body: { routing: "auto" },
      status: 200,
    });
    await AgentSocket.open(alice);
    const { handoff } = await escalate(t, { team: "Billing" });
    expect(handoff.status).toBe("queued");

    await json(`/api/admin/teams/${team.id}`, { method: "DELETE", cookie: admin, status: 200 });
    const now = await json<{ handoff: { status: string; assignee: { id: string } | null } }>(
      `/api/handoffs/${handoff.id}`,
      { cookie: admin, status: 200 },
    );
    expect(now.handoff).toMatchObject({ status: "active", assignee: { id: t.alice.id } });
  });
});
