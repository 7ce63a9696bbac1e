// Teams over HTTP: who may read and write them, unique names, members of the tenant only, the
// tenant object's versioned copy, and what a deleted or renamed team leaves behind.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectError, hub, hubRows, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import { makeTeam, type TestTeam } from "./team-helpers";

const TEAMS = "/api/admin/teams";

const teamCopies = (t: TestTenant) =>
  hubRows<{ id: string; name: string; member_ids: string; version: number; deleted: number }>(
    t,
    `SELECT * FROM teams ORDER BY name`,
  );
const d1Teams = async (tenantId: string) =>
  (
    await env.DB.prepare(`SELECT id, name FROM teams WHERE tenant_id = ? ORDER BY name`)
      .bind(tenantId)
      .all<{ id: string; name: string }>()
  ).results;

describe("teams", () => {
  it("admins create, rename, change members and delete them; viewers read; agents get nothing", async () => {
    const t = await makeTenant();
    const [admin, viewer, agent] = await Promise.all([
      login(t.admin),
      login(t.viewer),
      login(t.alice),
    ]);
    const billing = await makeTeam(admin, "Billing", [t.bob.id, t.alice.id, t.alice.id]);
    expect(billing).toEqual({
      id: expect.stringMatching(/^team_/),
      name: "Billing",
      member_ids: [t.alice.id, t.bob.id].sort(),
    });
    const sales = await makeTeam(admin, "  Sales ", []);
    expect(sales.name).toBe("Sales");

    expect(await json(TEAMS, { cookie: viewer, status: 200 })).toEqual({ teams: [billing, sales] });
    expect(
      await json<{ team: TestTeam }>(`${TEAMS}/${billing.id}`, { cookie: viewer, status: 200 }),
    ).toEqual({
      team: billing,
    });
    await expectError(call(TEAMS, { cookie: viewer, body: { name: "Viewers" } }), 403, "forbidden");
    await expectError(
      call(`${TEAMS}/${billing.id}`, { method: "PATCH", cookie: viewer, body: { name: "X" } }),
      403,
      "forbidden",
    );
    await expectError(
      call(`${TEAMS}/${billing.id}`, { method: "DELETE", cookie: viewer }),
      403,
      "forbidden",
    );
    await expectError(call(TEAMS, { cookie: agent }), 403, "forbidden");
    await expectError(call(TEAMS, { cookie: agent, body: { name: "Agents" } }), 403, "forbidden");
    await expectError(call(TEAMS), 401, "unauthorized");

    const renamed = await json<{ team: TestTeam }>(`${TEAMS}/${billing.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { name: "Payments", member_ids: [t.admin.id] },
      status: 200,
    });
    expect(renamed).toEqual({
      team: { id: billing.id, name: "Payments", member_ids: [t.admin.id] },
    });
    expect(
      (
        await json<{ agents: { id: string; team_ids: string[] }[] }>(`/api/admin/agents`, {
          cookie: admin,
          status: 200,
        })
      ).agents.find((a: { id: string }) => a.id === t.admin.id)!.team_ids,
    ).toEqual([billing.id]);

    expect(
      await json<{ team: TestTeam }>(`${TEAMS}/${sales.id}`, {
        method: "DELETE",
        cookie: admin,
        status: 200,
      }),
    ).toEqual({ team: sales });
    await expectError(
      call(`${TEAMS}/${sales.id}`, { method: "DELETE", cookie: admin }),
      404,
      "not_found",
    );
    await expectError(
      call(`${TEAMS}/${sales.id}`, { method: "PATCH", cookie: admin, body: { name: "Back" } }),
      404,
      "not_found",
    );
    expect(await json<{ teams: TestTeam[] }>(TEAMS, { cookie: admin, status: 200 })).toEqual({
      teams: [renamed.team],
    });
  });

  it("names are unique per tenant whatever their case; another tenant may use the same name", async () => {
    const [t, other] = await Promise.all([makeTenant(), makeTenant()]);
    const [admin, otherAdmin] = await Promise.all([login(t.admin), login(other.admin)]);
    const billing = await makeTeam(admin, "Billing", []);
    const sales = await makeTeam(admin, "Sales", []);
    for (const name of ["billing", "BILLING", " Billing "]) {
      const error = await expectError(
        call(TEAMS, { cookie: admin, body: { name } }),
        400,
        "invalid_request",
      );
      expect(error.issues!.map((i) => i.path)).toEqual(["name"]);
    }
    const clash = await expectError(
      call(`${TEAMS}/${sales.id}`, { method: "PATCH", cookie: admin, body: { name: "bILLING" } }),
      400,
      "invalid_request",
    );
    expect(clash.issues!.map((i) => i.path)).toEqual(["name"]);
    // A team may change the case of its own name.
    expect(
      (
        await json<{ team: TestTeam }>(`${TEAMS}/${billing.id}`, {
          method: "PATCH",
          cookie: admin,
          body: { name: "BILLING" },
          status: 200,
        })
      ).team.name,
    ).toBe("BILLING");
    await makeTeam(otherAdmin, "Billing", []);
    expect((await d1Teams(t.id)).map((r) => r.name)).toEqual(["BILLING", "Sales"]);
  });

  it("members are agents or admins of the tenant: a stranger's id reads like an unknown one, and nothing changes", async () => {
    const [t, other] = await Promise.all([makeTenant(), makeTenant()]);
    const admin = await login(t.admin);
    const team = await makeTeam(admin, "Billing", [t.alice.id]);
    const stranger = await expectError(
      call(TEAMS, { cookie: admin, body: { name: "Mixed", member_ids: [other.alice.id] } }),
      400,
      "invalid_request",
    );
    const unknown = await expectError(
      call(TEAMS, { cookie: admin, body: { name: "Mixed", member_ids: ["u_nobody"] } }),
      400,
      "invalid_request",
    );
    expect(stranger.issues!.map((i) => i.path)).toEqual(["member_ids"]);
    expect(stranger.message.replace(other.alice.id, "ID")).toBe(
      unknown.message.replace("u_nobody", "ID"),
    );
    const viewerMember = await expectError(
      call(`${TEAMS}/${team.id}`, {
        method: "PATCH",
        cookie: admin,
        body: { member_ids: [t.viewer.id] },
      }),
      400,
      "invalid_request",
    );
    expect(viewerMember.issues!.map((i) => i.path)).toEqual(["member_ids"]);
    // Another tenant's admin cannot see, change or delete this tenant's team.
    const otherAdmin = await login(other.admin);
    await expectError(call(`${TEAMS}/${team.id}`, { cookie: otherAdmin }), 404, "not_found");
    await expectError(
      call(`${TEAMS}/${team.id}`, {
        method: "PATCH",
        cookie: otherAdmin,
        body: { member_ids: [other.bob.id] },
      }),
      404,
      "not_found",
    );
    await expectError(
      call(`${TEAMS}/${team.id}`, { method: "DELETE", cookie: otherAdmin }),
      404,
      "not_found",
    );
    expect(await json(TEAMS, { cookie: otherAdmin, status: 200 })).toEqual({ teams: [] });

    expect(await json<{ teams: TestTeam[] }>(TEAMS, { cookie: admin, status: 200 })).toEqual({
      teams: [team],
    });
    const members = await env.DB.prepare(`SELECT user_id FROM team_members WHERE team_id = ?`)
      .bind(team.id)
      .all<{ user_id: string }>();
    expect(members.results).toEqual([{ user_id: t.alice.id }]);
  });

  it("bad input is 400 invalid_request naming the field", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const team = await makeTeam(admin, "Billing", []);
    const bad: [string, string, unknown, string][] = [
      ["POST", TEAMS, {}, "name"],
      ["POST", TEAMS, { name: "" }, "name"],
      ["POST", TEAMS, { name: "   " }, "name"],
      ["POST", TEAMS, { name: "x".repeat(201) }, "name"],
      ["POST", TEAMS, { name: 7 }, "name"],
      ["POST", TEAMS, { name: "Ok", member_ids: "u_1" }, "member_ids"],
      ["POST", TEAMS, { name: "Ok", member_ids: [""] }, "member_ids.0"],
      ["POST", TEAMS, { name: "Ok", colour: "red" }, ""],
      ["PATCH", `${TEAMS}/${team.id}`, {}, ""],
      ["PATCH", `${TEAMS}/${team.id}`, { name: null }, "name"],
    ];
    for (const [method, path, body, field] of bad) {
      const error = await expectError(
        call(path, { method, cookie: admin, body }),
        400,
        "invalid_request",
      );
      expect(
        error.issues!.map((i) => i.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect(await json<{ teams: TestTeam[] }>(TEAMS, { cookie: admin, status: 200 })).toEqual({
      teams: [team],
    });
  });

  it("the tenant object keeps a copy of every team, the newest version winning, and forgets a deleted one for good", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const team = await makeTeam(admin, "Billing", [t.alice.id]);
    expect(await teamCopies(t)).toEqual([
      {
        id: team.id,
        name: "Billing",
        name_key: "billing",
        member_ids: JSON.stringify([t.alice.id]),
        version: 1,
        deleted: 0,
      },
    ]);
    await json<{ team: TestTeam }>(`${TEAMS}/${team.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { name: "Payments", member_ids: [t.alice.id, t.bob.id] },
      status: 200,
    });
    const [current] = await teamCopies(t);
    expect(current).toMatchObject({
      name: "Payments",
      member_ids: JSON.stringify([t.alice.id, t.bob.id].sort()),
      version: 2,
      deleted: 0,
    });

    // A copy of an older version arriving late changes nothing.
    const tenant = { id: t.id, name: t.name };
    await hub(t).syncTeam(tenant, {
      id: team.id,
      name: "Billing",
      member_ids: [],
      version: 1,
      deleted: false,
    });
    expect(await teamCopies(t)).toEqual([current]);

    await json<{ team: TestTeam }>(`${TEAMS}/${team.id}`, {
      method: "DELETE",
      cookie: admin,
      status: 200,
    });
    expect(await teamCopies(t)).toEqual([
      expect.objectContaining({ id: team.id, version: 3, deleted: 1 }),
    ]);
    // Not even its latest live version brings it back.
    await hub(t).syncTeam(tenant, {
      id: team.id,
      name: "Payments",
      member_ids: [t.alice.id],
      version: 2,
      deleted: false,
    });
    expect(await teamCopies(t)).toEqual([
      expect.objectContaining({ id: team.id, version: 3, deleted: 1 }),
    ]);
  });

  it("a team may have more members than D1 binds parameters in one statement", async () => {
    const t = await makeTenant({ agents: 110 });
    const admin = await login(t.admin);
    const everyone = [t.admin, t.alice, t.bob, ...t.agents].map((u) => u.id);
    const team = await makeTeam(admin, "Everyone", everyone);
    expect(team.member_ids).toEqual([...everyone].sort());
    const half = everyone.filter((_, i) => i % 2 === 0);
    expect(
      (
        await json<{ team: TestTeam }>(`${TEAMS}/${team.id}`, {
          method: "PATCH",
          cookie: admin,
          body: { member_ids: half },
          status: 200,
        })
      ).team.member_ids,
    ).toEqual([...half].sort());
    const agents = (
      await json<{ agents: { id: string; team_ids: string[] }[] }>("/api/admin/agents", {
        cookie: admin,
        status: 200,
      })
    ).agents as {
      id: string;
      team_ids: string[];
    }[];
    expect(
      agents
        .filter((a) => a.team_ids.includes(team.id))
        .map((a) => a.id)
        .sort(),
    ).toEqual([...half].sort());
    expect(JSON.parse((await teamCopies(t))[0]!.member_ids)).toEqual([...half].sort());
  });
});
