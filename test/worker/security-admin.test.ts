// The admin endpoints: agents, bot settings and API keys — what they do, and that only admins
// (of the same tenant) can use them.
import { describe, expect, it } from "vitest";
import {
  call,
  claim,
  detail,
  fastForward,
  timerDue,
  json,
  login,
  runAlarm,
  escalate,
  escalation,
  settle,
  webhooksReceived,
  expectError,
  resolve,
} from "./client";
import { sha256 } from "../../worker/src/auth/crypto";
import { makeTenant, PASSWORD, WEBHOOK_SECRET } from "./fixtures";
import type {
  AgentAnswer,
  AgentList,
  ApiKeyAnswer,
  ApiKeyList,
  BotAnswer,
  BotHandoffAnswer,
  BotList,
  EscalateResult,
  HandoffAnswer,
  ListPage,
  Me,
  RevokedKey,
} from "./answers";

describe("admin: agents", () => {
  it("a created agent can log in and work; the password is never echoed", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const email = `carol.${t.id.toLowerCase()}@example.test`;
    const created = await json<AgentAnswer>("/api/admin/agents", {
      cookie: admin,
      body: { email, name: "Carol", password: "a long enough password" },
      status: 201,
    });
    expect(created.agent).toMatchObject({
      id: expect.any(String),
      name: "Carol",
      email,
      role: "agent",
      disabled: false,
    });
    expect(JSON.stringify(created)).not.toContain("a long enough password");
    const listed = (await json<AgentList>("/api/admin/agents", { cookie: admin, status: 200 }))
      .agents;
    expect(listed.map((a) => a.email)).toContain(email);

    const res = await call("/api/auth/login", {
      body: { email, password: "a long enough password" },
    });
    expect(res.status).toBe(200);
    const carol = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
    expect(await json<Me>("/api/me", { cookie: carol, status: 200 })).toEqual({
      user: { id: created.agent.id, name: "Carol", email, role: "agent", status: "online" },
      tenant: { id: t.id, name: t.name },
    });
    const { handoff } = await escalate(t);
    expect((await claim(carol, handoff.id)).handoff.assignee).toEqual({
      id: created.agent.id,
      name: "Carol",
    });

    // The same email again (in any tenant) is refused and creates no one.
    const dup = await expectError(
      call("/api/admin/agents", {
        cookie: admin,
        body: { email, name: "Carol 2", password: "another long password" },
      }),
      400,
      "invalid_request",
    );
    expect(dup.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "email" })]),
    );
    expect(
      (await json<AgentList>("/api/admin/agents", { cookie: admin, status: 200 })).agents,
    ).toHaveLength(listed.length);
  });

  it("a disabled agent is signed out at once and cannot log in again", async () => {
    const t = await makeTenant();
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    const disabled = await json<AgentAnswer>(`/api/admin/agents/${t.alice.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { disabled: true },
      status: 200,
    });
    expect(disabled.agent).toMatchObject({ id: t.alice.id, disabled: true });
    await expectError(call("/api/me", { cookie: alice }), 401, "unauthorized");
    await expectError(call("/api/handoffs", { cookie: alice }), 401, "unauthorized");
    const res = await call("/api/auth/login", {
      body: { email: t.alice.email, password: PASSWORD },
    });
    expect(res.headers.get("set-cookie")).toBeNull();
    await expectError(res, 401, "unauthorized");

    await json<AgentAnswer>(`/api/admin/agents/${t.alice.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { disabled: false },
      status: 200,
    });
    await login(t.alice);
  });

  it("a role or password change signs the person out; an admin cannot disable or demote themselves", async () => {
    const t = await makeTenant();
    const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
    const { handoff } = await escalate(t);
    await json<AgentAnswer>(`/api/admin/agents/${t.alice.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { role: "viewer" },
      status: 200,
    });
    await expectError(call("/api/me", { cookie: alice }), 401, "unauthorized");
    const asViewer = await login(t.alice);
    expect((await json<Me>("/api/me", { cookie: asViewer, status: 200 })).user.role).toBe("viewer");
    await expectError(
      call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie: asViewer }),
      403,
      "forbidden",
    );

    await json<AgentAnswer>(`/api/admin/agents/${t.bob.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { password: "a brand new password" },
      status: 200,
    });
    await expectError(call("/api/me", { cookie: bob }), 401, "unauthorized");
    await expectError(
      call("/api/auth/login", { body: { email: t.bob.email, password: PASSWORD } }),
      401,
      "unauthorized",
    );
    expect(
      (
        await call("/api/auth/login", {
          body: { email: t.bob.email, password: "a brand new password" },
        })
      ).status,
    ).toBe(200);

    for (const body of [{ disabled: true }, { role: "agent" }]) {
      await expectError(
        call(`/api/admin/agents/${t.admin.id}`, { method: "PATCH", cookie: admin, body }),
        400,
        "invalid_request",
      );
    }
    expect((await json<Me>("/api/me", { cookie: admin, status: 200 })).user.role).toBe("admin");
  });

  it("a disabled agent cannot be assigned a conversation", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { handoff } = await escalate(t);
    await json<AgentAnswer>(`/api/admin/agents/${t.bob.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { disabled: true },
      status: 200,
    });
    await expectError(
      call(`/api/handoffs/${handoff.id}/assign`, { cookie: admin, body: { agent_id: t.bob.id } }),
      404,
      "not_found",
    );
    expect((await detail(admin, handoff.id)).handoff).toMatchObject({
      status: "queued",
      assignee: null,
    });
  });
});

describe("admin: bot settings", () => {
  it("max_wait_minutes must be one of 5, 15, 30, 60, 120", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const before = await json<BotAnswer>(`/api/admin/bots/${t.botId}`, {
      cookie: admin,
      status: 200,
    });
    expect(before.bot.max_wait_minutes).toBe(30);
    expect(JSON.stringify(before)).not.toContain("whsec_");
    for (const bad of [0, 7, 45, 121, "15", 15.5, null]) {
      const error = await expectError(
        call(`/api/admin/bots/${t.botId}`, {
          method: "PATCH",
          cookie: admin,
          body: { max_wait_minutes: bad },
        }),
        400,
        "invalid_request",
      );
      expect(error.issues!.map((i) => i.path)).toContain("max_wait_minutes");
    }
    expect(
      await json<BotAnswer>(`/api/admin/bots/${t.botId}`, { cookie: admin, status: 200 }),
    ).toEqual(before);

    for (const good of [5, 15, 60, 120]) {
      const updated = await json<BotAnswer>(`/api/admin/bots/${t.botId}`, {
        method: "PATCH",
        cookie: admin,
        body: { max_wait_minutes: good },
        status: 200,
      });
      expect(updated.bot.max_wait_minutes).toBe(good);
    }
    // The next escalation waits the new time.
    const { handoff } = await escalate(t);
    expect(Date.parse(handoff.expires_at!) - Date.parse(handoff.created_at)).toBe(120 * 60_000);
  });

  it("a changed accept_message is what the contact is told at the next claim", async () => {
    const t = await makeTenant();
    const [admin, bob] = await Promise.all([login(t.admin), login(t.bob)]);
    const { handoff } = await escalate(t);
    const updated = await json<BotAnswer>(`/api/admin/bots/${t.botId}`, {
      method: "PATCH",
      cookie: admin,
      body: { accept_message: "Hi, {agent_name} of {org_name} here!" },
      status: 200,
    });
    expect(updated.bot.accept_message).toBe("Hi, {agent_name} of {org_name} here!");
    await claim(bob, handoff.id);
    const d = await detail(bob, handoff.id);
    expect(d.messages.filter((m) => m.from === "system").map((m) => m.text)).toContain(
      `Hi, Bob of ${t.name} here!`,
    );
    expect(d.messages.some((m) => m.text.startsWith("Hello, this is"))).toBe(false);
  });
});

describe("admin: a bot's texts, webhook URL and reminder delay", () => {
  it("the next escalation, resolve and expiry use the new texts; webhooks go to the new URL; reminders wait the new delay", async () => {
    const t = await makeTenant({ reminderSeconds: 180 });
    const [admin, alice] = await Promise.all([login(t.admin), login(t.alice)]);
    const before = (await escalate(t)).handoff;
    const changes = {
      handoff_message: "Hold on, {org_name} is coming.",
      resolve_message: "{agent_name} is done; the bot is back.",
      expiry_message: "Nobody at {org_name} right now, sorry.",
      webhook_url: `https://bot.test${t.webhookPath}/v2`,
      reminder_delay_seconds: 45,
    };
    const updated = await json<BotAnswer>(`/api/admin/bots/${t.botId}`, {
      method: "PATCH",
      cookie: admin,
      body: changes,
      status: 200,
    });
    expect(updated.bot).toMatchObject(changes);
    expect(
      await json<BotAnswer>(`/api/admin/bots/${t.botId}`, { cookie: admin, status: 200 }),
    ).toEqual(updated);

    const created = await escalate(t);
    expect(created.handoff_message).toBe(`Hold on, ${t.name} is coming.`);
    // The reminder delay applies from the next escalation on; the open one keeps its own.
    expect(await timerDue(t, "remind", created.handoff.id)).toBe(
      Date.parse(created.handoff.created_at) + 45_000,
    );
    expect(await timerDue(t, "remind", before.id)).toBe(Date.parse(before.created_at) + 180_000);

    await claim(alice, created.handoff.id);
    await resolve(alice, created.handoff.id);
    await fastForward(t, ["expire"]);
    await runAlarm(t);
    await settle(t);
    const system = async (id: string) =>
      (await detail(alice, id)).messages.filter((m) => m.from === "system").map((m) => m.text);
    expect((await system(created.handoff.id)).slice(-1)).toEqual([
      "Alice is done; the bot is back.",
    ]);
    expect((await system(before.id)).slice(-1)).toEqual([`Nobody at ${t.name} right now, sorry.`]);

    // Every webhook after the change went to the new URL, none to the old one.
    expect(await webhooksReceived(t)).toEqual([]);
    const moved = await webhooksReceived({ ...t, webhookPath: `${t.webhookPath}/v2` });
    expect(moved.map((d) => d.event.type).sort()).toEqual([
      "handoff.claimed",
      "handoff.expired",
      "handoff.resolved",
    ]);

    // Out of range is refused and changes nothing.
    for (const bad of [
      { reminder_delay_seconds: 29 },
      { reminder_delay_seconds: 86_401 },
      { webhook_url: "ftp://bot.test/x" },
      { handoff_message: " " },
    ]) {
      await expectError(
        call(`/api/admin/bots/${t.botId}`, { method: "PATCH", cookie: admin, body: bad }),
        400,
        "invalid_request",
      );
    }
    expect(
      await json<BotAnswer>(`/api/admin/bots/${t.botId}`, { cookie: admin, status: 200 }),
    ).toEqual(updated);
  });
});

describe("admin: API keys", () => {
  it("a new key is shown once, works, and once revoked is 401", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const made = await json<ApiKeyAnswer>("/api/admin/api-keys", {
      cookie: admin,
      body: { bot_id: t.botId, name: "gateway" },
      status: 201,
    });
    expect(made.key).toEqual(expect.any(String));
    expect(made.api_key).toMatchObject({
      id: expect.any(String),
      bot_id: t.botId,
      name: "gateway",
      revoked_at: null,
    });
    expect(made.key.startsWith(made.api_key.prefix)).toBe(true);
    const listed = await json<ApiKeyList>("/api/admin/api-keys", { cookie: admin, status: 200 });
    expect(listed.api_keys.map((k) => k.id)).toContain(made.api_key.id);
    expect(JSON.stringify(listed)).not.toContain(made.key);

    const created = await json<EscalateResult>("/api/v1/handoffs", {
      key: made.key,
      body: escalation(),
      status: 201,
    });
    expect(created.handoff.bot_id).toBe(t.botId);

    const revoked = await json<RevokedKey>(`/api/admin/api-keys/${made.api_key.id}`, {
      method: "DELETE",
      cookie: admin,
      status: 200,
    });
    expect(revoked.api_key.revoked_at).toEqual(expect.any(String));
    await expectError(
      call("/api/v1/handoffs", { key: made.key, body: escalation() }),
      401,
      "unauthorized",
    );
    await expectError(
      call(`/api/v1/handoffs/${created.handoff.id}`, { key: made.key }),
      401,
      "unauthorized",
    );
    await expectError(
      call("/api/v1/messages", {
        key: made.key,
        body: { conversation_id: created.handoff.conversation_id, id: "r-1", text: "hi" },
      }),
      401,
      "unauthorized",
    );
    expect((await detail(admin, created.handoff.id)).handoff.message_count).toBe(
      created.handoff.message_count,
    );
    expect(
      (await json<ListPage>("/api/handoffs?status=all", { cookie: admin, status: 200 })).handoffs,
    ).toHaveLength(1);
    // The tenant's other key still works.
    await json<BotHandoffAnswer>(`/api/v1/handoffs/${created.handoff.id}`, {
      key: t.apiKey,
      status: 200,
    });
  });
});

describe("admin endpoints: admins write, viewers read, agents nothing", () => {
  async function setup() {
    const t = await makeTenant();
    const [admin, alice, viewer] = await Promise.all([
      login(t.admin),
      login(t.alice),
      login(t.viewer),
    ]);
    const keyId = (await json<ApiKeyList>("/api/admin/api-keys", { cookie: admin, status: 200 }))
      .api_keys[0]!.id;
    const teamId = (
      await json<{ team: { id: string } }>("/api/admin/teams", {
        cookie: admin,
        body: { name: "Billing", member_ids: [t.alice.id] },
        status: 201,
      })
    ).team.id;
    const reads = [
      "/api/admin/agents",
      "/api/admin/bots",
      `/api/admin/bots/${t.botId}`,
      "/api/admin/api-keys",
      "/api/admin/teams",
      `/api/admin/teams/${teamId}`,
    ];
    /** Every admin read, as one person sees it (in the order of `reads`). */
    const readAll = (cookie: string) =>
      Promise.all([
        json<AgentList>("/api/admin/agents", { cookie, status: 200 }),
        json<BotList>("/api/admin/bots", { cookie, status: 200 }),
        json<BotAnswer>(`/api/admin/bots/${t.botId}`, { cookie, status: 200 }),
        json<ApiKeyList>("/api/admin/api-keys", { cookie, status: 200 }),
        json<unknown>("/api/admin/teams", { cookie, status: 200 }),
        json<unknown>(`/api/admin/teams/${teamId}`, { cookie, status: 200 }),
      ]);
    const snapshot = () => readAll(admin);
    const writes = [
      {
        path: "/api/admin/agents",
        body: {
          email: `mallory.${t.id.toLowerCase()}@example.test`,
          name: "Mallory",
          role: "admin",
          password: "long enough password",
        },
      },
      { path: `/api/admin/agents/${t.alice.id}`, method: "PATCH", body: { role: "admin" } },
      { path: `/api/admin/agents/${t.bob.id}`, method: "PATCH", body: { disabled: true } },
      { path: "/api/admin/bots", body: { name: "Rogue bot" } },
      { path: `/api/admin/bots/${t.botId}`, method: "PATCH", body: { accept_message: "pwned" } },
      { path: `/api/admin/bots/${t.botId}/rotate-secret`, method: "POST" },
      { path: "/api/admin/api-keys", body: { bot_id: t.botId } },
      { path: `/api/admin/api-keys/${keyId}`, method: "DELETE" },
      {
        path: `/api/admin/agents/${t.alice.id}`,
        method: "PATCH",
        body: { capacity: 50, team_ids: [] },
      },
      { path: "/api/admin/teams", body: { name: "Rogue team", member_ids: [t.bob.id] } },
      {
        path: `/api/admin/teams/${teamId}`,
        method: "PATCH",
        body: { name: "Pwned", member_ids: [] },
      },
      { path: `/api/admin/teams/${teamId}`, method: "DELETE" },
    ];
    return { t, admin, alice, viewer, reads, writes, snapshot, readAll };
  }

  it("agents get 403 forbidden on every /api/admin endpoint, read or write, and nothing changes", async () => {
    const { t, alice, reads, writes, snapshot } = await setup();
    const before = await snapshot();
    for (const r of [...reads.map((path) => ({ path })), ...writes])
      await expectError(call(r.path, { ...r, cookie: alice }), 403, "forbidden");
    expect(await snapshot()).toEqual(before);
    await escalate(t);
    await login(t.bob);
  });

  it("viewers read every /api/admin endpoint as the admin does, with no secret in any answer", async () => {
    const { t, viewer, snapshot, readAll } = await setup();
    const asViewer = await readAll(viewer);
    expect(asViewer).toEqual(await snapshot());
    expect(asViewer[0].agents.map((a) => a.id).sort()).toEqual(
      [t.admin.id, t.alice.id, t.bob.id, t.viewer.id].sort(),
    );
    expect(asViewer[2].bot.id).toBe(t.botId);
    const text = JSON.stringify(asViewer);
    for (const secret of [
      WEBHOOK_SECRET,
      "whsec_",
      t.apiKey,
      await sha256(t.apiKey),
      "pbkdf2",
      PASSWORD,
    ])
      expect(text).not.toContain(secret);
  });

  it("viewers get 403 forbidden on every /api/admin write, and nothing changes", async () => {
    const { t, viewer, writes, snapshot } = await setup();
    const before = await snapshot();
    for (const r of writes)
      await expectError(call(r.path, { ...r, cookie: viewer }), 403, "forbidden");
    expect(await snapshot()).toEqual(before);
    await escalate(t);
    await login(t.bob);
  });
});
