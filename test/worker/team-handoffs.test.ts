// Team handoffs: a bot escalates to a team by name (resolved from the tenant object's copy),
// the team shows in every shape a handoff takes (answer, list, detail, frames, webhooks, D1), the
// list filters by it, and a renamed or deleted team is followed by the handoffs that had it.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  call,
  claim,
  detail,
  escalation,
  expectError,
  hubRows,
  json,
  login,
  settle,
  verifiedWebhooks,
  waitUntil,
} from "./client";
import type { ServerFrame } from "../../schema/realtime";
import { makeTenant, type TestTenant } from "./fixtures";
import { makeTeam } from "./team-helpers";
import type { Handoff } from "../../schema/shapes";
import type { ListPage } from "./answers";

afterEach(() => AgentSocket.closeAll());

const ESC = "/api/v1/handoffs";
const escalateTo = async (
  t: TestTenant,
  team: string | undefined,
  overrides: Record<string, unknown> = {},
) =>
  (
    await json<{ handoff: Handoff }>(ESC, {
      key: t.apiKey,
      body: escalation({ ...(team === undefined ? {} : { team }), ...overrides }),
      status: 201,
    })
  ).handoff;
const listIds = async (cookie: string, query: string): Promise<string[]> =>
  (await json<ListPage>(`/api/handoffs?${query}`, { cookie, status: 200 })).handoffs.map(
    (h: { id: string }) => h.id,
  );
const d1Team = async (id: string) =>
  env.DB.prepare(`SELECT team_id, team_name FROM handoffs WHERE id = ?`)
    .bind(id)
    .first<{ team_id: string | null; team_name: string | null }>();

describe("team handoffs", () => {
  it("an escalation names its team in any case; the team is in the answer, the list, the detail, the frame, the webhook and D1", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const alice = await login(t.alice);
    const team = await makeTeam(admin, "Billing", [t.alice.id]);
    const socket = await AgentSocket.open(alice);
    const ref = { id: team.id, name: "Billing" };

    const answer = await json<{ handoff: Handoff }>(ESC, {
      key: t.apiKey,
      body: escalation({ team: "  bILLing " }),
      status: 201,
    });
    expect(answer.handoff.team).toEqual(ref);
    const id: string = answer.handoff.id;
    const plain = await escalateTo(t, undefined);
    expect(plain.team).toBeNull();

    const created = await socket.next<Extract<ServerFrame, { type: "handoff.created" }>>(
      (f) => f.type === "handoff.created" && f.data.handoff.id === id,
    );
    expect(created.data.handoff.team).toEqual(ref);
    const rows = (await json<ListPage>("/api/handoffs", { cookie: alice, status: 200 })).handoffs;
    expect(rows.map((h: { id: string; team: unknown }) => [h.id, h.team])).toEqual([
      [id, ref],
      [plain.id, null],
    ]);
    const read = await detail(alice, id);
    expect(read.handoff.team).toEqual(ref);
    expect(read.events[0]).toMatchObject({ type: "escalated", data: { team: ref } });
    expect(
      (await json<{ handoff: Handoff }>(`${ESC}/${id}`, { key: t.apiKey, status: 200 })).handoff
        .team,
    ).toEqual(ref);

    await claim(alice, id);
    await settle(t);
    const claimed = (await verifiedWebhooks(t)).find((w) => w.event.type === "handoff.claimed");
    expect(claimed?.event.data.handoff).toMatchObject({ id, team: ref });
    expect(await d1Team(id)).toEqual({ team_id: team.id, team_name: "Billing" });
    expect(await d1Team(plain.id)).toEqual({ team_id: null, team_name: null });
  });

  it("an unknown team name (or another tenant's) is 400 invalid_request naming team, and creates nothing", async () => {
    const [t, other] = await Promise.all([makeTenant(), makeTenant()]);
    const [admin, otherAdmin] = await Promise.all([login(t.admin), login(other.admin)]);
    await makeTeam(otherAdmin, "Secret team", []);
    const deleted = await makeTeam(admin, "Gone", []);
    await json(`/api/admin/teams/${deleted.id}`, { method: "DELETE", cookie: admin, status: 200 });
    for (const team of ["Nobody", "Secret team", "Gone"]) {
      const error = await expectError(
        call(ESC, { key: t.apiKey, body: escalation({ team }) }),
        400,
        "invalid_request",
      );
      expect(
        error.issues!.map((i) => i.path),
        team,
      ).toEqual(["team"]);
    }
    for (const team of ["", "   ", 5, null, "x".repeat(201)]) {
      const error = await expectError(
        call(ESC, { key: t.apiKey, body: escalation({ team }) }),
        400,
        "invalid_request",
      );
      expect(
        error.issues!.map((i) => i.path),
        String(team),
      ).toEqual(["team"]);
    }
    expect(await hubRows(t, `SELECT id FROM handoffs`)).toEqual([]);
  });

  it("GET /api/handoffs?team= filters the queue and the history to that team; another tenant's team id finds nothing", async () => {
    const [t, other] = await Promise.all([makeTenant(), makeTenant()]);
    const [admin, otherAdmin] = await Promise.all([login(t.admin), login(other.admin)]);
    const alice = await login(t.alice);
    const billing = await makeTeam(admin, "Billing", [t.alice.id]);
    const sales = await makeTeam(admin, "Sales", [t.bob.id]);
    const foreign = await makeTeam(otherAdmin, "Billing", []);
    const b1 = (await escalateTo(t, "Billing")).id;
    const s1 = (await escalateTo(t, "Sales")).id;
    const none = (await escalateTo(t, undefined)).id;
    const b2 = (await escalateTo(t, "billing")).id;
    await claim(alice, b1);
    await json(`/api/handoffs/${b1}/resolve`, {
      cookie: alice,
      body: { outcome: "close" },
      status: 200,
    });
    await settle(t);

    expect(await listIds(alice, `team=${billing.id}`)).toEqual([b2]);
    expect(await listIds(alice, `team=${sales.id}`)).toEqual([s1]);
    expect(await listIds(alice, `team=${billing.id}&status=all`)).toEqual([b2, b1]);
    expect(await listIds(alice, `team=${billing.id}&status=resolved`)).toEqual([b1]);
    expect(await listIds(alice, `status=all`)).toEqual([b2, none, s1, b1]);
    expect(await listIds(alice, `team=${foreign.id}&status=all`)).toEqual([]);
    const error = await expectError(
      call(`/api/handoffs?team=`, { cookie: alice }),
      400,
      "invalid_request",
    );
    expect(error.issues!.map((i) => i.path)).toEqual(["team"]);
  });

  it("a renamed team's handoffs follow its name; a deleted team's handoffs stay, without a team, in the object and in D1", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const alice = await login(t.alice);
    const team = await makeTeam(admin, "Billing", [t.alice.id]);
    const open = (await escalateTo(t, "Billing")).id;
    const closed = (await escalateTo(t, "Billing")).id;
    await claim(alice, closed);
    await json(`/api/handoffs/${closed}/resolve`, {
      cookie: alice,
      body: { outcome: "close" },
      status: 200,
    });
    await settle(t);
    // The closed one has left the object: only D1 holds it now.
    await hubRows(t, `DELETE FROM handoffs WHERE id = ?`, closed);

    await json(`/api/admin/teams/${team.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { name: "Payments" },
      status: 200,
    });
    // The object's own alarm carries the change to D1 (nothing here runs it by hand).
    expect(await hubRows(t, `SELECT kind, id FROM mirror`)).toEqual([
      { kind: "handoff", id: open },
    ]);
    await waitUntil(
      "the object's alarm wrote the renamed handoff to D1",
      async () => (await hubRows(t, `SELECT id FROM mirror`)).length === 0,
    );
    expect((await detail(alice, open)).handoff.team).toEqual({ id: team.id, name: "Payments" });
    expect((await detail(alice, closed)).handoff.team).toEqual({ id: team.id, name: "Payments" });
    expect(await d1Team(open)).toEqual({ team_id: team.id, team_name: "Payments" });

    await json(`/api/admin/teams/${team.id}`, { method: "DELETE", cookie: admin, status: 200 });
    await settle(t);
    expect((await detail(alice, open)).handoff.team).toBeNull();
    expect((await detail(alice, closed)).handoff.team).toBeNull();
    expect(await d1Team(open)).toEqual({ team_id: null, team_name: null });
    expect(await d1Team(closed)).toEqual({ team_id: null, team_name: null });
    expect(await listIds(alice, `team=${team.id}&status=all`)).toEqual([]);
  });
});
