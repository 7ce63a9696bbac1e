// The hot path needs no D1: the tenant object answers for its own sessions and API keys, and
// ending a session, disabling an agent or revoking a key still takes effect at once.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  call,
  escalate,
  escalation,
  expectError,
  json,
  login,
  newApiKey,
} from "./client";
import { makeTenant } from "./fixtures";
import type {
  AgentAnswer,
  EscalateResult,
  HandoffAnswer,
  ListPage,
  Me,
  RevokedKey,
} from "./answers";

/** The D1 tables every credential check used to read. */
const AUTH_TABLES = ["sessions", "api_keys", "users", "tenants", "bots"];

async function withD1AuthTablesGone<T>(work: () => Promise<T>): Promise<T> {
  for (const table of AUTH_TABLES)
    await env.DB.prepare(`ALTER TABLE ${table} RENAME TO ${table}_away`).run();
  try {
    return await work();
  } finally {
    for (const table of AUTH_TABLES)
      await env.DB.prepare(`ALTER TABLE ${table}_away RENAME TO ${table}`).run();
  }
}

afterEach(() => AgentSocket.closeAll());

describe("credentials checked without D1", () => {
  it("bots escalate and agents claim, reply and list while D1's people and key tables are gone", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const admin = await login(t.admin);
    const fresh = await newApiKey(admin, t.botId);
    await escalate(t); // the object meets the fixture's key (written straight to D1) once
    const socket = await AgentSocket.open(cookie);

    await withD1AuthTablesGone(async () => {
      for (const key of [t.apiKey, fresh.key]) {
        const made = await json<EscalateResult>("/api/v1/handoffs", {
          key,
          body: escalation(),
          status: 201,
        });
        const claimed = await json<HandoffAnswer>(`/api/handoffs/${made.handoff.id}/claim`, {
          method: "POST",
          cookie,
          status: 200,
        });
        expect(claimed.handoff.assignee).toEqual({ id: t.alice.id, name: "Alice" });
        const ack = await socket.command({
          type: "reply",
          ref: `r-${made.handoff.id}`,
          handoff_id: made.handoff.id,
          text: "Hello",
        });
        expect(ack.ok).toBe(true);
      }
      const mine = await json<ListPage>("/api/handoffs?assignee=me", { cookie, status: 200 });
      expect(mine.handoffs).toHaveLength(2);
      expect((await json<Me>("/api/me", { cookie, status: 200 })).user.id).toBe(t.alice.id);
    });
  });

  it("new session cookies and API keys name their tenant; a token naming another tenant is refused there", async () => {
    const t = await makeTenant();
    const other = await makeTenant();
    const cookie = await login(t.alice);
    const token = cookie.split("=")[1]!;
    expect(token.startsWith(`${t.id}.`)).toBe(true);
    const key = (await newApiKey(await login(t.admin), t.botId)).key;
    expect(key.startsWith(`hk_${t.id}.`)).toBe(true);

    // The same secret presented as the other tenant's: that tenant's object has no such session.
    const forged = `hi_session=${other.id}.${token.slice(t.id.length + 1)}`;
    await expectError(call("/api/handoffs", { cookie: forged }), 401, "unauthorized");
    await expectError(
      call(`/api/handoffs/x/claim`, { method: "POST", cookie: forged }),
      401,
      "unauthorized",
    );
    const forgedKey = `hk_${other.id}.${key.slice(`hk_${t.id}.`.length)}`;
    await expectError(
      call("/api/v1/handoffs", { key: forgedKey, body: escalation() }),
      401,
      "unauthorized",
    );
  });
});

describe("ending access takes effect at once", () => {
  it("a revoked key is refused on its very next request, by the same object that accepted it", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    const { key, id } = await newApiKey(admin, t.botId);
    await json<EscalateResult>("/api/v1/handoffs", { key, body: escalation(), status: 201 });
    await json<RevokedKey>(`/api/admin/api-keys/${id}`, {
      method: "DELETE",
      cookie: admin,
      status: 200,
    });
    await expectError(call("/api/v1/handoffs", { key, body: escalation() }), 401, "unauthorized");
    await expectError(
      call("/api/v1/messages", { key, body: { conversation_id: "c", id: "m1", text: "hi" } }),
      401,
      "unauthorized",
    );
    // The fixture's own key is untouched.
    await escalate(t);
  });

  it("logout ends the session for HTTP commands and sockets alike", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    const socket = await AgentSocket.open(cookie);
    await json("/api/auth/logout", { method: "POST", cookie, status: 200 });
    await expectError(
      call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie }),
      401,
      "unauthorized",
    );
    await expectError(call("/api/handoffs", { cookie }), 401, "unauthorized");
    expect(await socket.whenClosed()).toBe(4001);
  });

  it("disabling an agent refuses their next command at once", async () => {
    const t = await makeTenant();
    const cookie = await login(t.bob);
    const admin = await login(t.admin);
    const { handoff } = await escalate(t);
    await json<AgentAnswer>(`/api/admin/agents/${t.bob.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { disabled: true },
      status: 200,
    });
    await expectError(
      call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie }),
      401,
      "unauthorized",
    );
  });

  it("a renamed agent's open session acts under the new name", async () => {
    const t = await makeTenant();
    const cookie = await login(t.bob);
    const admin = await login(t.admin);
    const { handoff } = await escalate(t);
    await json<AgentAnswer>(`/api/admin/agents/${t.bob.id}`, {
      method: "PATCH",
      cookie: admin,
      body: { name: "Robert" },
      status: 200,
    });
    const claimed = await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    expect(claimed.handoff.assignee).toEqual({ id: t.bob.id, name: "Robert" });
    expect((await json<Me>("/api/me", { cookie, status: 200 })).user.name).toBe("Robert");
  });
});
