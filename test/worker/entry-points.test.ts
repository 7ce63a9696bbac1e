// Every entry point of the tenant object is atomic and never fails silently; sockets are bounded
// per session and end with their session even when idle.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AgentSocket, call, escalate, expectError, hub, hubRows, json, login } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { HandoffAnswer, HandoffDetail } from "./answers";

afterEach(() => {
  AgentSocket.closeAll();
  vi.restoreAllMocks();
});

/** Makes the object's SQLite refuse one kind of audit entry, as a bug or a full disk would. */
async function breakAudit(t: TestTenant, type: string): Promise<void> {
  await runInDurableObject(hub(t), (_instance, state) => {
    state.storage.sql.exec(
      `CREATE TRIGGER refuse_${type} BEFORE INSERT ON audit WHEN NEW.type = '${type}' BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
  });
}

async function repairAudit(t: TestTenant, type: string): Promise<void> {
  await runInDurableObject(hub(t), (_instance, state) => {
    state.storage.sql.exec(`DROP TRIGGER refuse_${type}`);
  });
}

describe("a step that throws midway changes nothing", () => {
  it("a socket claim gets an internal_error ack at once, the handoff stays queued and nobody hears of it", async () => {
    const t = await makeTenant();
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const alice = await AgentSocket.open(await login(t.alice));
    const bob = await AgentSocket.open(await login(t.bob));
    const { handoff } = await escalate(t);
    await bob.next((f) => f.type === "handoff.created");
    await breakAudit(t, "claimed");

    const started = Date.now();
    const ack = await alice.command({ type: "claim", ref: "c1", handoff_id: handoff.id });
    expect(ack).toMatchObject({ ok: false, error: { code: "internal_error" } });
    expect(Date.now() - started).toBeLessThan(5_000); // answered, not left to a client timeout

    await bob.sync();
    expect(bob.events("handoff.updated")).toEqual([]);
    const [row] = await hubRows<{ status: string; assignee_id: string | null }>(
      t,
      `SELECT status, assignee_id FROM handoffs WHERE id = ?`,
      handoff.id,
    );
    expect(row).toEqual({ status: "queued", assignee_id: null });
    const greetings = await hubRows(
      t,
      `SELECT id FROM messages WHERE handoff_id = ? AND sender = 'system'`,
      handoff.id,
    );
    expect(greetings).toHaveLength(1); // only the handoff message; no accept message kept
    expect(
      logged.mock.calls.some(
        (args) => String(args[0]).includes(t.id) && String(args[0]).includes("claim"),
      ),
    ).toBe(true);

    // The feed's numbering did not skip: the next event follows the last one delivered.
    await repairAudit(t, "claimed");
    const lastSeq = bob.events().at(-1)!.seq;
    expect((await alice.command({ type: "claim", ref: "c2", handoff_id: handoff.id })).ok).toBe(
      true,
    );
    const claimed = await bob.next((f) => f.type === "handoff.updated");
    expect("seq" in claimed && claimed.seq).toBe(lastSeq + 1);
  });

  it("over HTTP the same failure answers 500 internal_error and changes nothing", async () => {
    const t = await makeTenant();
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t);
    await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    await breakAudit(t, "resolved");
    await expectError(
      call(`/api/handoffs/${handoff.id}/resolve`, { cookie, body: { outcome: "close" } }),
      500,
      "internal_error",
    );
    const after = await json<HandoffDetail>(`/api/handoffs/${handoff.id}`, { cookie, status: 200 });
    expect(after.handoff.status).toBe("active");
    expect(after.messages.filter((m: { from: string }) => m.from === "system")).toHaveLength(2);
  });

  it("an escalation that fails midway leaves no half-made handoff behind", async () => {
    const t = await makeTenant();
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    await escalate(t); // the object knows its tenant and bot
    await breakAudit(t, "escalated");
    await expectError(
      call("/api/v1/handoffs", {
        key: t.apiKey,
        body: { conversation_id: "half", contact: { id: "c" } },
      }),
      500,
      "internal_error",
    );
    const rows = await hubRows(t, `SELECT id FROM handoffs WHERE conversation_id = 'half'`);
    const timers = await hubRows(t, `SELECT kind FROM timers WHERE kind IN ('expire', 'remind')`);
    expect(rows).toEqual([]);
    expect(timers).toHaveLength(2); // the first escalation's expiry and reminder only
  });
});

describe("sockets per session", () => {
  it("a session holds at most 20 sockets: the 21st closes the oldest", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const sockets: AgentSocket[] = [];
    for (let i = 0; i < 21; i++) sockets.push(await AgentSocket.open(cookie));
    await sockets[20]!.sync();
    expect(await sockets[0]!.whenClosed()).toBe(4008);
    expect(sockets.slice(1).every((s) => !s.closed)).toBe(true);
    const open = await runInDurableObject(hub(t), (_i, state) => state.getWebSockets().length);
    expect(open).toBe(20);
  });

  it("an idle socket is closed when its session expires, at the time scheduled for it", async () => {
    const t = await makeTenant();
    const before = Date.now();
    const cookie = await login(t.alice);
    const socket = await AgentSocket.open(cookie);
    const [timer] = await hubRows<{ ref: string; due_at: number }>(
      t,
      `SELECT ref, due_at FROM timers WHERE kind = 'session'`,
    );
    const [session] = await hubRows<{ id: string; expires_at: number }>(
      t,
      `SELECT id, expires_at FROM sessions`,
    );
    expect(timer).toEqual({ ref: session!.id, due_at: session!.expires_at });
    expect(session!.expires_at).toBeGreaterThanOrEqual(before + 14 * 24 * 3_600_000);

    // Fourteen days pass: the session's own expiry time comes round.
    await runInDurableObject(hub(t), (_i, state) => {
      state.storage.sql.exec(`UPDATE sessions SET expires_at = ?`, Date.now() - 1);
      state.storage.sql.exec(`UPDATE timers SET due_at = ? WHERE kind = 'session'`, Date.now() - 1);
    });
    await runDurableObjectAlarm(hub(t));
    expect(await socket.whenClosed()).toBe(4001);
    await expectError(call("/api/handoffs", { cookie }), 401, "unauthorized");
  });
});

describe("presence bookkeeping", () => {
  it("opening and closing a socket reads no other socket's attachment, however many are open", async () => {
    const t = await makeTenant({ agents: 3 });
    const cookies = [await login(t.alice), ...(await Promise.all(t.agents.map((a) => login(a))))];
    const reads = async (crowd: number): Promise<number> => {
      const open: AgentSocket[] = [];
      for (let i = 0; i < crowd; i++)
        open.push(await AgentSocket.open(cookies[i % cookies.length]!));
      await open[0]!.sync();
      const spy = vi.spyOn(WebSocket.prototype, "deserializeAttachment");
      const extra = await AgentSocket.open(await login(t.bob));
      extra.close();
      await open[0]!.next(
        (f) => f.type === "presence" && !f.data.agents.some((a) => a.id === t.bob.id),
      );
      const count = spy.mock.calls.length;
      spy.mockRestore();
      for (const s of open) s.close();
      return count;
    };
    const alone = await reads(1);
    const crowded = await reads(16);
    expect(crowded).toBe(alone);
  });
});
