// Who may see and do what: tenant isolation, bot-scoped keys, roles, sessions, cross-site
// protection and rate limits. Every refusal must also change nothing.
import { describe, expect, it } from "vitest";
import {
  call,
  claim,
  detail,
  json,
  login,
  newApiKey,
  ORIGIN,
  escalate,
  escalation,
  upgrade,
  withinOneWindow,
  expectError,
} from "./client";
import { makeTenant, PASSWORD } from "./fixtures";
import type {
  AgentList,
  ApiKeyList,
  BotAnswer,
  BotHandoffAnswer,
  BotList,
  ContactMessageResult,
  HandoffAnswer,
  ListPage,
  Me,
  MessageAnswer,
  Stats,
} from "./answers";

/** Every agents' command on a handoff, with a body that would be valid. */
const commands = (id: string, agentId: string) => [
  { path: `/api/handoffs/${id}/claim`, method: "POST" },
  { path: `/api/handoffs/${id}/messages`, body: { text: "hello" } },
  { path: `/api/handoffs/${id}/resolve`, body: { outcome: "close" } },
  { path: `/api/handoffs/${id}/release`, method: "POST" },
  { path: `/api/handoffs/${id}/assign`, body: { agent_id: agentId } },
];

describe("tenant isolation", () => {
  it("another tenant's credentials get 404 on every endpoint for a handoff, and change nothing", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const [aAlice, bAdmin, bAlice] = await Promise.all([
      login(a.alice),
      login(b.admin),
      login(b.alice),
    ]);
    const queued = (await escalate(a, { conversation_id: "iso-queued" })).handoff;
    const active = (await escalate(a, { conversation_id: "iso-active" })).handoff;
    await claim(aAlice, active.id);
    const own = (await escalate(b, { conversation_id: "b-own" })).handoff;
    const before = [await detail(aAlice, queued.id), await detail(aAlice, active.id)];

    for (const h of [queued, active]) {
      await expectError(call(`/api/v1/handoffs/${h.id}`, { key: b.apiKey }), 404, "not_found");
      for (const cookie of [bAdmin, bAlice]) {
        await expectError(call(`/api/handoffs/${h.id}`, { cookie }), 404, "not_found");
        for (const agentId of [b.alice.id, a.alice.id]) {
          for (const c of commands(h.id, agentId)) {
            const res = call(c.path, { ...c, cookie });
            // An agent (not admin) of tenant B is refused assign by role before the lookup; either way nothing leaks.
            if (cookie === bAlice && c.path.endsWith("/assign"))
              await expectError(res, 403, "forbidden");
            else await expectError(res, 404, "not_found");
          }
        }
      }
    }
    // The lists and stats of tenant B know only tenant B's handoff.
    for (const q of [
      "",
      "?status=all",
      `?status=all&assignee=any&q=${encodeURIComponent(own.contact.name!)}`,
    ]) {
      const list = await json<ListPage>(`/api/handoffs${q}`, { cookie: bAdmin, status: 200 });
      expect(list.handoffs.map((h) => h.id)).toEqual([own.id]);
    }
    // Searching for A's contacts or A's conversation finds nothing in B.
    for (const q of [queued.contact.name!, active.contact.name!, "iso-queued"]) {
      expect(
        (
          await json<ListPage>(`/api/handoffs?status=all&q=${encodeURIComponent(q)}`, {
            cookie: bAdmin,
            status: 200,
          })
        ).handoffs,
      ).toEqual([]);
    }
    expect(await json<Stats>("/api/stats", { cookie: bAdmin, status: 200 })).toMatchObject({
      queued: 1,
      active: 0,
      today: 1,
    });
    expect(await json<Stats>("/api/stats", { cookie: aAlice, status: 200 })).toMatchObject({
      queued: 1,
      active: 1,
      today: 2,
    });

    // A contact message with B's key for A's conversation is B's business (no open handoff there).
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key: b.apiKey,
        body: { conversation_id: "iso-queued", id: "x-1", text: "hi" },
        status: 200,
      }),
    ).toEqual({ route: "bot" });

    expect([await detail(aAlice, queued.id), await detail(aAlice, active.id)]).toEqual(before);
    expect(before[0]!.handoff.status).toBe("queued");
    expect(
      (await json<ListPage>("/api/handoffs?status=all", { cookie: aAlice, status: 200 })).handoffs,
    ).toHaveLength(2);
  });

  it("an admin cannot touch another tenant's agents, bots or API keys", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const [aAdmin, aAlice, bAdmin] = await Promise.all([
      login(a.admin),
      login(a.alice),
      login(b.admin),
    ]);
    const aKeyId = (await json<ApiKeyList>("/api/admin/api-keys", { cookie: aAdmin, status: 200 }))
      .api_keys[0]!.id;
    const aBot = await json<BotAnswer>(`/api/admin/bots/${a.botId}`, {
      cookie: aAdmin,
      status: 200,
    });

    await expectError(call(`/api/admin/bots/${a.botId}`, { cookie: bAdmin }), 404, "not_found");
    await expectError(
      call(`/api/admin/bots/${a.botId}`, {
        method: "PATCH",
        cookie: bAdmin,
        body: { accept_message: "pwned" },
      }),
      404,
      "not_found",
    );
    await expectError(
      call(`/api/admin/bots/${a.botId}/rotate-secret`, { method: "POST", cookie: bAdmin }),
      404,
      "not_found",
    );
    await expectError(
      call("/api/admin/api-keys", { cookie: bAdmin, body: { bot_id: a.botId } }),
      404,
      "not_found",
    );
    await expectError(
      call(`/api/admin/api-keys/${aKeyId}`, { method: "DELETE", cookie: bAdmin }),
      404,
      "not_found",
    );
    await expectError(
      call(`/api/admin/agents/${a.alice.id}`, {
        method: "PATCH",
        cookie: bAdmin,
        body: { disabled: true },
      }),
      404,
      "not_found",
    );
    const bAgents = (
      await json<AgentList>("/api/admin/agents", { cookie: bAdmin, status: 200 })
    ).agents.map((u) => u.id);
    expect(bAgents.sort()).toEqual([b.admin.id, b.alice.id, b.bob.id, b.viewer.id].sort());
    expect(
      (await json<BotList>("/api/admin/bots", { cookie: bAdmin, status: 200 })).bots.map(
        (x) => x.id,
      ),
    ).toEqual([b.botId]);
    expect(
      (await json<ApiKeyList>("/api/admin/api-keys", { cookie: bAdmin, status: 200 })).api_keys.map(
        (k) => k.bot_id,
      ),
    ).toEqual([b.botId]);

    // Tenant A is untouched: its key works, its agent is still signed in, its bot is unchanged.
    await escalate(a);
    expect((await json<Me>("/api/me", { cookie: aAlice, status: 200 })).user.id).toBe(a.alice.id);
    expect(
      await json<BotAnswer>(`/api/admin/bots/${a.botId}`, { cookie: aAdmin, status: 200 }),
    ).toEqual(aBot);
  });

  it("an API key reaches only its own bot's handoffs, even within the tenant", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { handoff } = await escalate(t, { conversation_id: "bot-one" });
    const second = await json<BotAnswer>("/api/admin/bots", {
      cookie: admin,
      body: { name: "Bot two" },
      status: 201,
    });
    const { key } = await newApiKey(admin, second.bot.id);
    await expectError(call(`/api/v1/handoffs/${handoff.id}`, { key }), 404, "not_found");
    expect(
      await json<ContactMessageResult>("/api/v1/messages", {
        key,
        body: { conversation_id: "bot-one", id: "m-1", text: "hi" },
        status: 200,
      }),
    ).toEqual({ route: "bot" });
    expect((await detail(admin, handoff.id)).handoff.message_count).toBe(handoff.message_count);
    expect(
      (
        await json<BotHandoffAnswer>(`/api/v1/handoffs/${handoff.id}`, {
          key: t.apiKey,
          status: 200,
        })
      ).handoff.id,
    ).toBe(handoff.id);
  });
});

describe("roles", () => {
  it("a viewer reads the list, details and stats, but every write is 403 forbidden and changes nothing", async () => {
    const t = await makeTenant();
    const [viewer, alice] = await Promise.all([login(t.viewer), login(t.alice)]);
    const queued = (await escalate(t)).handoff;
    const active = (await escalate(t)).handoff;
    await claim(alice, active.id);
    const before = [await detail(alice, queued.id), await detail(alice, active.id)];

    expect(
      (await json<ListPage>("/api/handoffs", { cookie: viewer, status: 200 })).handoffs.map(
        (h) => h.id,
      ),
    ).toEqual([queued.id, active.id]);
    expect((await detail(viewer, active.id)).handoff.assignee).toEqual({
      id: t.alice.id,
      name: "Alice",
    });
    expect(await json<Stats>("/api/stats", { cookie: viewer, status: 200 })).toMatchObject({
      queued: 1,
      active: 1,
    });
    for (const h of [queued, active]) {
      for (const c of commands(h.id, t.bob.id))
        await expectError(call(c.path, { ...c, cookie: viewer }), 403, "forbidden");
    }
    expect([await detail(alice, queued.id), await detail(alice, active.id)]).toEqual(before);
  });

  it("an agent who does not hold the claim cannot reply, resolve or release: 403 not_assignee", async () => {
    const t = await makeTenant();
    const [alice, bob] = await Promise.all([login(t.alice), login(t.bob)]);
    const { handoff } = await escalate(t);
    await claim(alice, handoff.id);
    const before = await detail(alice, handoff.id);
    await expectError(
      call(`/api/handoffs/${handoff.id}/messages`, { cookie: bob, body: { text: "me too" } }),
      403,
      "not_assignee",
    );
    await expectError(
      call(`/api/handoffs/${handoff.id}/resolve`, { cookie: bob, body: { outcome: "close" } }),
      403,
      "not_assignee",
    );
    await expectError(
      call(`/api/handoffs/${handoff.id}/release`, { method: "POST", cookie: bob }),
      403,
      "not_assignee",
    );
    expect(await detail(alice, handoff.id)).toEqual(before);
  });

  it("without a valid session every agents' endpoint is 401 unauthorized", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { handoff } = await escalate(t);
    const before = await detail(admin, handoff.id);
    const endpoints = [
      { path: "/api/me" },
      { path: "/api/handoffs" },
      { path: `/api/handoffs/${handoff.id}` },
      { path: "/api/stats" },
      ...commands(handoff.id, t.alice.id),
      { path: "/api/admin/agents" },
      {
        path: "/api/admin/agents",
        body: {
          email: `x.${t.id.toLowerCase()}@example.test`,
          name: "X",
          password: "long enough password",
        },
      },
      { path: `/api/admin/bots/${t.botId}`, method: "PATCH", body: { max_wait_minutes: 5 } },
      { path: "/api/admin/api-keys", body: { bot_id: t.botId } },
    ];
    for (const cookie of [undefined, "hi_session=forged-token", `hi_session=${"a".repeat(43)}`]) {
      for (const e of endpoints)
        await expectError(call(e.path, { ...e, cookie }), 401, "unauthorized");
      await expectError(upgrade(cookie), 401, "unauthorized");
    }
    expect(await detail(admin, handoff.id)).toEqual(before);
    expect(
      (await json<AgentList>("/api/admin/agents", { cookie: admin, status: 200 })).agents,
    ).toHaveLength(4);
  });

  it("a missing, malformed or unknown API key is 401 unauthorized and stores nothing", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "keyed" });
    const bad: Record<string, string>[] = [
      {},
      { authorization: "Bearer" },
      { authorization: "Bearer hk_nope" },
      { authorization: `Bearer ${t.apiKey}x` },
      { authorization: t.apiKey },
      { authorization: `Basic ${btoa(`${t.apiKey}:`)}` },
    ];
    for (const headers of bad) {
      await expectError(call(`/api/v1/handoffs/${handoff.id}`, { headers }), 401, "unauthorized");
      await expectError(
        call("/api/v1/handoffs", { headers, body: escalation() }),
        401,
        "unauthorized",
      );
      await expectError(
        call("/api/v1/messages", {
          headers,
          body: { conversation_id: "keyed", id: "k-1", text: "hi" },
        }),
        401,
        "unauthorized",
      );
    }
    const after = await detail(alice, handoff.id);
    expect(after.handoff.message_count).toBe(handoff.message_count);
    expect(
      (await json<ListPage>("/api/handoffs?status=all", { cookie: alice, status: 200 })).handoffs,
    ).toHaveLength(1);
  });
});

describe("sessions", () => {
  it("wrong password or unknown email is 401 with the error shape and no cookie", async () => {
    const t = await makeTenant();
    for (const body of [
      { email: t.alice.email, password: "wrong password" },
      { email: `nobody@${t.id}.test`, password: PASSWORD },
    ]) {
      const res = await call("/api/auth/login", { body });
      expect(res.headers.get("set-cookie")).toBeNull();
      await expectError(res, 401, "unauthorized");
    }
  });

  it("login sets an HttpOnly, SameSite=Lax, Path=/ cookie; /api/me says who and where", async () => {
    const t = await makeTenant();
    const res = await call("/api/auth/login", {
      body: { email: t.alice.email, password: PASSWORD },
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    const attributes = setCookie
      .split(";")
      .slice(1)
      .map((a) => a.trim().toLowerCase());
    expect(attributes).toContain("httponly");
    expect(attributes).toContain("samesite=lax");
    expect(attributes).toContain("path=/");
    const me = {
      user: { id: t.alice.id, name: "Alice", email: t.alice.email, role: "agent" },
      tenant: { id: t.id, name: t.name },
    };
    expect(await res.json()).toEqual(me);
    // /api/me adds the agent's availability switch (online by default).
    expect(await json<Me>("/api/me", { cookie: setCookie.split(";")[0], status: 200 })).toEqual({
      ...me,
      user: { ...me.user, status: "online" },
    });
  });

  it("logout ends that session only", async () => {
    const t = await makeTenant();
    const [first, second] = [await login(t.alice), await login(t.alice)];
    const res = await call("/api/auth/logout", { method: "POST", cookie: first });
    expect(res.status).toBe(200);
    expect((res.headers.get("set-cookie") ?? "").toLowerCase()).toMatch(
      /hi_session=;|max-age=0|expires=thu, 01 jan 1970/,
    );
    await expectError(call("/api/me", { cookie: first }), 401, "unauthorized");
    await expectError(call("/api/handoffs", { cookie: first }), 401, "unauthorized");
    expect((await json<Me>("/api/me", { cookie: second, status: 200 })).user.id).toBe(t.alice.id);
  });
});

describe("cross-site protection", () => {
  const foreign = [
    "https://evil.test",
    "null",
    "http://inbox.test",
    "https://inbox.test:8443",
    "https://sub.inbox.test",
  ];

  it("a state-changing request from a foreign Origin is 403 forbidden and changes nothing", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "csrf" });
    const before = await detail(alice, handoff.id);
    for (const origin of foreign) {
      await expectError(
        call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie: alice, origin }),
        403,
        "forbidden",
      );
      await expectError(
        call("/api/v1/handoffs", { key: t.apiKey, body: escalation(), origin }),
        403,
        "forbidden",
      );
      await expectError(
        call("/api/v1/messages", {
          key: t.apiKey,
          body: { conversation_id: "csrf", id: "c-1", text: "x" },
          origin,
        }),
        403,
        "forbidden",
      );
      const loginRes = await call("/api/auth/login", {
        body: { email: t.bob.email, password: PASSWORD },
        origin,
      });
      expect(loginRes.headers.get("set-cookie")).toBeNull();
      await expectError(loginRes, 403, "forbidden");
      await expectError(
        call("/api/auth/logout", { method: "POST", cookie: alice, origin }),
        403,
        "forbidden",
      );
      await expectError(upgrade(alice, origin), 403, "forbidden");
    }
    expect(await detail(alice, handoff.id)).toEqual(before);
    expect(
      (await json<ListPage>("/api/handoffs?status=all", { cookie: alice, status: 200 })).handoffs,
    ).toHaveLength(1);
    expect((await json<Me>("/api/me", { cookie: alice, status: 200 })).user.id).toBe(t.alice.id);
  });

  it("an origin listed in ALLOWED_ORIGINS may make state-changing requests and open the socket; a near miss may not", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t, { conversation_id: "allowed" });
    for (const origin of [
      "http://localhost:5174",
      "https://dev.inbox.test.evil.test",
      "http://dev.inbox.test",
    ]) {
      await expectError(
        call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie: alice, origin }),
        403,
        "forbidden",
      );
      await expectError(upgrade(alice, origin), 403, "forbidden");
    }
    expect((await detail(alice, handoff.id)).handoff.status).toBe("queued");
    const claimed = await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/claim`, {
      method: "POST",
      cookie: alice,
      origin: "https://dev.inbox.test",
      status: 200,
    });
    expect(claimed.handoff).toMatchObject({ status: "active", assignee: { id: t.alice.id } });
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "from the dev server" },
      origin: "http://localhost:5173",
      status: 201,
    });
    const socket = await upgrade(alice, "http://localhost:5173");
    expect(socket.status).toBe(101);
    socket.webSocket?.accept();
    socket.webSocket?.close(1000, "done");
  });

  it("no Origin, or the same origin, is allowed; reads are not Origin-checked", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const { handoff } = await escalate(t);
    expect(
      (
        await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/claim`, {
          method: "POST",
          cookie: alice,
          origin: null,
          status: 200,
        })
      ).handoff.status,
    ).toBe("active");
    await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie: alice,
      body: { text: "hi" },
      origin: ORIGIN,
      status: 201,
    });
    await json<ListPage>("/api/handoffs", {
      cookie: alice,
      headers: { origin: "https://evil.test" },
      status: 200,
    });
  });
});

describe("rate limits", () => {
  it(
    "the 11th login attempt for one account from one address within a minute is 429 rate_limited, even with the right password",
    { timeout: 60_000 },
    async () => {
      const t = await makeTenant();
      await withinOneWindow(60, 20_000);
      // Spelling the address differently does not get a fresh allowance.
      const spellings = [t.alice.email, t.alice.email.toUpperCase(), ` ${t.alice.email} `];
      for (let i = 1; i <= 10; i++) {
        await expectError(
          call("/api/auth/login", { body: { email: spellings[i % 3], password: `guess ${i}` } }),
          401,
          "unauthorized",
        );
      }
      await expectError(
        call("/api/auth/login", { body: { email: t.alice.email, password: "guess 11" } }),
        429,
        "rate_limited",
      );
      const locked = await call("/api/auth/login", {
        body: { email: t.alice.email, password: PASSWORD },
      });
      expect(locked.headers.get("set-cookie")).toBeNull();
      await expectError(locked, 429, "rate_limited");
      // Another account is not affected.
      await login(t.bob);
    },
  );

  it("the 61st request in 10 s with one API key is 429 rate_limited; another key is not", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { handoff } = await escalate(t);
    const flooding = await newApiKey(admin, t.botId); // a bucket nothing else has touched
    // One burst, well inside one 10 s window, so no count can leak into the next window.
    await withinOneWindow(10, 6_000);
    const responses = await Promise.all(
      Array.from({ length: 80 }, () =>
        call(`/api/v1/handoffs/${handoff.id}`, { key: flooding.key }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    for (const r of responses) {
      if (r.status === 429) await expectError(r, 429, "rate_limited");
      else await r.body?.cancel();
    }
    await expectError(
      call("/api/v1/handoffs", { key: flooding.key, body: escalation() }),
      429,
      "rate_limited",
    );
    expect(
      (await json<ListPage>("/api/handoffs?status=all", { cookie: admin, status: 200 })).handoffs,
    ).toHaveLength(1);
    await json<BotHandoffAnswer>(`/api/v1/handoffs/${handoff.id}`, { key: t.apiKey, status: 200 });
  });
});
