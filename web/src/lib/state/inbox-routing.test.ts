// Routing as the inbox store lives it: presence in hello and frames, an auto-assignment to me
// (toast, and in my "Mine" view), a handoff taken back, and queue places moving up after a claim.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EventFrame } from "#schema/realtime";
import type { AgentPresence, Handoff, LiveStats } from "#schema/shapes";
import { Inbox } from "./inbox.svelte";
import { testHandoff } from "./test-handoff";
import { ScriptedSocket } from "./test-socket";

const me = { id: "u_alice", name: "Alice", email: "alice@demo.test", role: "agent" as const };
const alice = { id: me.id, name: me.name };
const bob = { id: "u_bob", name: "Bob" };
const here = (who: { id: string; name: string }, over: Partial<AgentPresence> = {}) => ({
  ...who,
  status: "online" as const,
  active_count: 0,
  capacity: 3,
  ...over,
});
const stats: LiveStats = {
  queued: 0,
  active: 0,
  agents_online: 1,
  oldest_waiting_seconds: null,
  oldest_waiting_since: null,
  today: 0,
  resolved_this_week: 0,
};

/** What GET /api/handoffs answers (every view gets the same rows: the tests pick the view). */
let listed: Handoff[] = [];

beforeEach(() => {
  ScriptedSocket.all = [];
  listed = [];
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", ScriptedSocket);
  vi.stubGlobal("fetch", async (input: string) => {
    const path = String(input);
    if (path.startsWith("/api/handoffs?")) {
      const mine = new URLSearchParams(path.split("?")[1]).get("assignee") === "me";
      return Response.json({
        handoffs: mine ? listed.filter((h) => h.assignee?.id === me.id) : listed,
        has_more: false,
      });
    }
    return Response.json({ error: { code: "not_found", message: "no" } }, { status: 404 });
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

async function connected(agents: AgentPresence[], status: "online" | "away" = "online") {
  const inbox = new Inbox({ user: me, tenant: { id: "demo", name: "Demo Co" } }, "ws://t/api/ws");
  inbox.start();
  ScriptedSocket.last.frame({
    type: "hello",
    seq: 1,
    data: { user: { ...me, status }, agents_online: agents.length, agents, stats },
  });
  await vi.advanceTimersByTimeAsync(0);
  return inbox;
}

const frame = (seq: number, e: Omit<EventFrame, "seq">): EventFrame =>
  ({ ...e, seq }) as EventFrame;
const toasts = (inbox: Inbox) => inbox.notifier.toasts.map((t) => t.text);

describe("routing in the inbox store", () => {
  it("takes my status and who is here from hello, then follows presence frames", async () => {
    const inbox = await connected([here(alice, { status: "away" })], "away");
    expect(inbox.presence.status).toBe("away");
    expect(inbox.presence.agents.map((a) => a.name)).toEqual(["Alice"]);

    ScriptedSocket.last.frame(
      frame(2, {
        type: "presence",
        data: {
          agents_online: 2,
          agents: [here(alice), here(bob, { active_count: 2, capacity: 2 })],
        },
      }),
    );
    expect(inbox.presence.status).toBe("online");
    expect(inbox.presence.agents.map((a) => [a.name, a.active_count, a.capacity])).toEqual([
      ["Alice", 0, 3],
      ["Bob", 2, 2],
    ]);
    expect(inbox.stats?.agents_online).toBe(2);
    inbox.stop();
  });

  it("tells me when auto-routing gives me a handoff, and it shows in Mine", async () => {
    const inbox = await connected([here(alice)]);
    await inbox.setFilters({ assignee: "mine", status: "open", q: "" });
    const mine = testHandoff("a", {
      status: "active",
      assignee: alice,
      claimed_at: "2026-11-22T10:05:00.000Z",
      contact: { id: "x", name: "Maria Lopez", phone: null, email: null },
    });
    ScriptedSocket.last.frame(
      frame(2, {
        type: "handoff.updated",
        data: { handoff: mine, change: "assigned", actor: null },
      }),
    );
    expect(inbox.visible.map((h) => h.id)).toEqual(["a"]);
    expect(toasts(inbox)).toEqual(["Assigned to you: Maria Lopez"]);

    // Assigned to Bob, or by an admin's hand: no routing notice for me.
    const bobs = testHandoff("b", { status: "active", assignee: bob });
    ScriptedSocket.last.frame(
      frame(3, {
        type: "handoff.updated",
        data: { handoff: bobs, change: "assigned", actor: null },
      }),
    );
    ScriptedSocket.last.frame(
      frame(4, {
        type: "handoff.updated",
        data: { handoff: { ...mine, id: "c" }, change: "assigned", actor: bob },
      }),
    );
    expect(toasts(inbox)).toEqual(["Assigned to you: Maria Lopez"]);

    // Taken back (no reply): gone from Mine (the one Bob gave me stays), and I am told.
    const back = { ...mine, status: "queued" as const, assignee: null, claimed_at: null };
    ScriptedSocket.last.frame(
      frame(5, {
        type: "handoff.updated",
        data: { handoff: back, change: "unassigned", actor: null },
      }),
    );
    expect(inbox.visible.map((h) => h.id)).toEqual(["c"]);
    expect(toasts(inbox)).toEqual([
      "Assigned to you: Maria Lopez",
      "Back to the queue: Maria Lopez",
    ]);
    inbox.stop();
  });

  it("moves queued rows up when one ahead is claimed, without a frame for each", async () => {
    const queued = (id: string, minute: number, position: number) =>
      testHandoff(id, {
        created_at: `2026-11-22T10:0${minute}:00.000Z`,
        queue: { position, estimated_wait_seconds: position * 60 },
      });
    listed = [queued("a", 1, 1), queued("b", 2, 2), queued("c", 3, 3)];
    const inbox = await connected([here(alice)]);
    const place = (id: string) => inbox.queuePlaces.get(id);
    expect([place("a")?.position, place("b")?.position, place("c")?.position]).toEqual([1, 2, 3]);

    const claimed = { ...listed[0]!, status: "active" as const, assignee: bob, queue: undefined };
    ScriptedSocket.last.frame(
      frame(2, {
        type: "handoff.updated",
        data: { handoff: claimed, change: "claimed", actor: bob },
      }),
    );
    expect(place("a")).toBeUndefined();
    expect(place("b")).toEqual({ position: 1, estimated_wait_seconds: 60 });
    expect(place("c")).toEqual({ position: 2, estimated_wait_seconds: 120 });

    // A search shows only part of the queue: the server's places stand.
    listed = [listed[2]!];
    await inbox.setFilters({ assignee: "all", status: "open", q: "Contact c" });
    expect(place("c")).toEqual({ position: 3, estimated_wait_seconds: 180 });
    inbox.stop();
  });
});
