// Agents' routing fields over the admin API: capacity (1..100, default 3) and team_ids, kept in
// D1 and copied to the tenant object (newest version wins); bad input changes nothing.
import { describe, expect, it } from "vitest";
import { call, expectError, hub, hubRows, json, login } from "./client";
import { makeTenant, type TestTenant, type TestUser } from "./fixtures";
import { makeTeam, type TestTeam } from "./team-helpers";

const AGENTS = "/api/admin/agents";

interface AgentAnswer {
  id: string;
  capacity: number;
  team_ids: string[];
}

const agentOf = async (cookie: string, user: { id: string }): Promise<AgentAnswer> =>
  (await json<{ agents: AgentAnswer[] }>(AGENTS, { cookie, status: 200 })).agents.find(
    (a: AgentAnswer) => a.id === user.id,
  )!;
const capacityCopy = async (t: TestTenant, user: TestUser | AgentAnswer) =>
  (
    await hubRows<{ capacity: number; version: number }>(
      t,
      `SELECT capacity, version FROM agents WHERE id = ?`,
      user.id,
    )
  )[0] ?? null;
const teamMembersCopy = async (t: TestTenant, teamId: string): Promise<string[]> =>
  JSON.parse(
    (
      await hubRows<{ member_ids: string }>(t, `SELECT member_ids FROM teams WHERE id = ?`, teamId)
    )[0]!.member_ids,
  );

describe("agents' capacity and teams", () => {
  it("capacity defaults to 3, can be set at creation and changed; the object's copy follows", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    expect(await agentOf(admin, t.alice)).toMatchObject({ capacity: 3, team_ids: [] });

    const carol = (
      await json<{ agent: AgentAnswer }>(AGENTS, {
        cookie: admin,
        body: {
          email: `carol.${t.id.toLowerCase()}@example.test`,
          name: "Carol",
          password: "a long enough password",
          capacity: 7,
        },
        status: 201,
      })
    ).agent;
    expect(carol).toMatchObject({ name: "Carol", capacity: 7, team_ids: [] });
    expect(await capacityCopy(t, carol)).toEqual({ capacity: 7, version: 1 });
    const dave = (
      await json<{ agent: AgentAnswer }>(AGENTS, {
        cookie: admin,
        body: {
          email: `dave.${t.id.toLowerCase()}@example.test`,
          name: "Dave",
          password: "a long enough password",
        },
        status: 201,
      })
    ).agent;
    expect(dave.capacity).toBe(3);

    expect(
      (
        await json<{ agent: AgentAnswer }>(`${AGENTS}/${t.alice.id}`, {
          method: "PATCH",
          cookie: admin,
          body: { capacity: 100 },
          status: 200,
        })
      ).agent,
    ).toMatchObject({ capacity: 100 });
    expect(await agentOf(admin, t.alice)).toMatchObject({ capacity: 100 });
    expect(await capacityCopy(t, t.alice)).toEqual({ capacity: 100, version: 2 });
    await json<{ agent: AgentAnswer }>(`${AGENTS}/${t.alice.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { capacity: 1 },
      status: 200,
    });
    expect(await capacityCopy(t, t.alice)).toEqual({ capacity: 1, version: 3 });

    // An older copy arriving late changes nothing.
    await hub(t).syncAgent(
      { id: t.id, name: t.name },
      { id: t.alice.id, capacity: 50, version: 2 },
    );
    expect(await capacityCopy(t, t.alice)).toEqual({ capacity: 1, version: 3 });
  });

  it("team_ids put an agent in exactly those teams, at creation and later; the teams' copies follow", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const billing = await makeTeam(admin, "Billing", [t.bob.id]);
    const sales = await makeTeam(admin, "Sales", []);

    const carol = (
      await json<{ agent: AgentAnswer }>(AGENTS, {
        cookie: admin,
        body: {
          email: `carol.${t.id.toLowerCase()}@example.test`,
          name: "Carol",
          password: "a long enough password",
          team_ids: [billing.id, billing.id],
        },
        status: 201,
      })
    ).agent;
    expect(carol.team_ids).toEqual([billing.id]);
    expect(await teamMembersCopy(t, billing.id)).toEqual([t.bob.id, carol.id].sort());

    const moved = (
      await json<{ agent: AgentAnswer }>(`${AGENTS}/${t.bob.id}`, {
        method: "PATCH",
        cookie: admin,
        body: { team_ids: [sales.id] },
        status: 200,
      })
    ).agent;
    expect(moved.team_ids).toEqual([sales.id]);
    expect(
      (
        await json<{ team: TestTeam }>(`/api/admin/teams/${billing.id}`, {
          cookie: admin,
          status: 200,
        })
      ).team.member_ids,
    ).toEqual([carol.id]);
    expect(
      (
        await json<{ team: TestTeam }>(`/api/admin/teams/${sales.id}`, {
          cookie: admin,
          status: 200,
        })
      ).team.member_ids,
    ).toEqual([t.bob.id]);
    expect(await teamMembersCopy(t, billing.id)).toEqual([carol.id]);
    expect(await teamMembersCopy(t, sales.id)).toEqual([t.bob.id]);

    // Other changes leave the teams alone; a move to viewer leaves them all.
    await json<{ agent: AgentAnswer }>(`${AGENTS}/${t.bob.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { name: "Robert" },
      status: 200,
    });
    expect(await agentOf(admin, t.bob)).toMatchObject({ name: "Robert", team_ids: [sales.id] });
    expect(
      (
        await json<{ agent: AgentAnswer }>(`${AGENTS}/${t.bob.id}`, {
          method: "PATCH",
          cookie: admin,
          body: { role: "viewer" },
          status: 200,
        })
      ).agent.team_ids,
    ).toEqual([]);
    expect(await teamMembersCopy(t, sales.id)).toEqual([]);
  });

  it("bad capacity or team_ids is 400 invalid_request naming the field; another tenant's team reads as unknown; nothing changes", async () => {
    const [t, other] = await Promise.all([makeTenant(), makeTenant()]);
    const [admin, otherAdmin] = await Promise.all([login(t.admin), login(other.admin)]);
    const team = await makeTeam(admin, "Billing", [t.alice.id]);
    const foreign = await makeTeam(otherAdmin, "Billing", []);
    const bad: [unknown, string][] = [
      [{ capacity: 0 }, "capacity"],
      [{ capacity: 101 }, "capacity"],
      [{ capacity: 2.5 }, "capacity"],
      [{ capacity: "3" }, "capacity"],
      [{ capacity: null }, "capacity"],
      [{ team_ids: team.id }, "team_ids"],
      [{ team_ids: [""] }, "team_ids.0"],
      [{ team_ids: ["team_nope"] }, "team_ids"],
      [{ team_ids: [team.id, foreign.id] }, "team_ids"],
    ];
    for (const [body, field] of bad) {
      const error = await expectError(
        call(`${AGENTS}/${t.alice.id}`, { method: "PATCH", cookie: admin, body }),
        400,
        "invalid_request",
      );
      expect(
        error.issues!.map((i) => i.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    const foreignError = await expectError(
      call(`${AGENTS}/${t.alice.id}`, {
        method: "PATCH",
        cookie: admin,
        body: { team_ids: [foreign.id] },
      }),
      400,
      "invalid_request",
    );
    const unknownError = await expectError(
      call(`${AGENTS}/${t.alice.id}`, {
        method: "PATCH",
        cookie: admin,
        body: { team_ids: ["team_nope"] },
      }),
      400,
      "invalid_request",
    );
    expect(foreignError.message.replace(foreign.id, "ID")).toBe(
      unknownError.message.replace("team_nope", "ID"),
    );
    const viewerInTeam = await expectError(
      call(`${AGENTS}/${t.viewer.id}`, {
        method: "PATCH",
        cookie: admin,
        body: { team_ids: [team.id] },
      }),
      400,
      "invalid_request",
    );
    expect(viewerInTeam.issues!.map((i) => i.path)).toEqual(["team_ids"]);
    const create = await expectError(
      call(AGENTS, {
        cookie: admin,
        body: {
          email: `erin.${t.id.toLowerCase()}@example.test`,
          name: "Erin",
          password: "a long enough password",
          capacity: 0,
        },
      }),
      400,
      "invalid_request",
    );
    expect(create.issues!.map((i) => i.path)).toEqual(["capacity"]);

    expect(await agentOf(admin, t.alice)).toMatchObject({ capacity: 3, team_ids: [team.id] });
    expect(await agentOf(admin, t.viewer)).toMatchObject({ team_ids: [] });
    expect(
      (
        await json<{ agents: (AgentAnswer & { name: string })[] }>(AGENTS, {
          cookie: admin,
          status: 200,
        })
      ).agents.map((a) => a.name),
    ).not.toContain("Erin");
    expect(await capacityCopy(t, t.alice)).toBeNull();
  });
});
