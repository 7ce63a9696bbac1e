// The inbox store driven the way the server drives it: a scripted socket plays the server's
// frames (hello, events, acks, drops) and canned HTTP answers play the snapshot endpoints.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EventFrame, ServerFrame } from "#schema/realtime";
import type { AgentPresence, Handoff, LiveStats, Message } from "#schema/shapes";
import { Inbox } from "./inbox.svelte";
import { testHandoff } from "./test-handoff";
import { ScriptedSocket } from "./test-socket";

const me = { id: "u_alice", name: "Alice", email: "alice@demo.test", role: "agent" as const };
/** Alice as the presence frames list her. */
const meHere: AgentPresence = {
  id: me.id,
  name: me.name,
  status: "online",
  active_count: 0,
  capacity: 3,
};
const session = { user: me, tenant: { id: "demo", name: "Demo Co" } };

const handoff = testHandoff;

const message = (id: string, handoffId: string, over: Partial<Message> = {}): Message => ({
  id,
  handoff_id: handoffId,
  from: "contact",
  text: `text ${id}`,
  at: "2026-11-22T10:01:00.000Z",
  agent: null,
  delivery: null,
  ...over,
});

/** Every handoff the server holds; the fake list endpoint filters it as the real one does. */
let snapshot: Handoff[] = [];
/** Message texts the server holds per handoff, which its search also looks in. */
let serverMessages: Record<string, string[]> = {};
/** The list queries the store asked for, in order. */
let listQueries: string[] = [];

/** GET /api/handoffs: status (queued,active by default), assignee (me/unassigned/any) and q, as the Worker applies them. */
function serverList(query: string): Handoff[] {
  const params = new URLSearchParams(query);
  const statuses = (params.get("status") ?? "queued,active").split(",");
  const assignee = params.get("assignee") ?? "any";
  const q = params.get("q")?.toLowerCase() ?? "";
  return snapshot.filter(
    (h) =>
      (statuses.includes("all") || statuses.includes(h.status)) &&
      (assignee === "any" ||
        (assignee === "me" ? h.assignee?.id === me.id : h.assignee === null)) &&
      (!q ||
        [h.contact.name, h.reason, h.summary, ...(serverMessages[h.id] ?? [])].some((text) =>
          text?.toLowerCase().includes(q),
        )),
  );
}
const stats: LiveStats = {
  queued: 0,
  active: 0,
  agents_online: 1,
  oldest_waiting_seconds: null,
  oldest_waiting_since: null,
  today: 0,
  resolved_this_week: 0,
};

beforeEach(() => {
  ScriptedSocket.all = [];
  snapshot = [];
  listQueries = [];
  serverMessages = {};
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", ScriptedSocket);
  vi.stubGlobal("fetch", async (input: string) => {
    const path = String(input);
    if (path.startsWith("/api/handoffs?")) {
      const query = path.slice("/api/handoffs?".length);
      listQueries.push(query);
      return Response.json({ handoffs: serverList(query), has_more: false });
    }
    const detail = /^\/api\/handoffs\/([^/?]+)$/.exec(path);
    if (detail)
      return Response.json({
        handoff: snapshot.find((h) => h.id === detail[1]) ?? handoff(detail[1]!),
        messages: [],
        events: [],
      });
    return Response.json({ error: { code: "not_found", message: "no" } }, { status: 404 });
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const event = (seq: number, e: Omit<EventFrame, "seq">): EventFrame =>
  ({ ...e, seq }) as EventFrame;
const created = (seq: number, h: Handoff) =>
  event(seq, { type: "handoff.created", data: { handoff: h } });

async function connected(helloSeq: number): Promise<Inbox> {
  const inbox = new Inbox(session, "ws://inbox.test/api/ws");
  inbox.start();
  ScriptedSocket.last.frame({
    type: "hello",
    seq: helloSeq,
    data: { user: me, agents_online: 1, agents: [meHere], stats },
  });
  await vi.advanceTimersByTimeAsync(0);
  return inbox;
}

describe("the inbox store", () => {
  it("loads the snapshot on hello and then applies events live, oldest first", async () => {
    snapshot = [handoff("b", { created_at: "2026-11-22T10:05:00.000Z" })];
    const inbox = await connected(3);
    expect(inbox.connection.status).toBe("connected");
    expect(inbox.visible.map((h) => h.id)).toEqual(["b"]);

    ScriptedSocket.last.frame(created(4, handoff("a", { created_at: "2026-11-22T09:00:00.000Z" })));
    expect(inbox.visible.map((h) => h.id)).toEqual(["a", "b"]);

    // The server now holds both; from here its list answers by the filters asked for.
    const a = handoff("a", { created_at: "2026-11-22T09:00:00.000Z" });
    snapshot = [a, snapshot[0]!];

    // Claimed by Bob: still shown under "All", gone from "Unassigned".
    const claimed = { ...a, status: "active" as const, assignee: { id: "u_bob", name: "Bob" } };
    ScriptedSocket.last.frame(
      event(5, {
        type: "handoff.updated",
        data: { handoff: claimed, change: "claimed", actor: { id: "u_bob", name: "Bob" } },
      }),
    );
    snapshot[0] = claimed;
    expect(inbox.handoffs.get("a")?.assignee?.name).toBe("Bob");
    expect(inbox.visible.map((h) => h.id)).toEqual(["a", "b"]);
    await inbox.setFilters({ assignee: "unassigned", status: "open", q: "" });
    expect(listQueries.at(-1)).toBe("status=queued%2Cactive&assignee=unassigned");
    expect(inbox.visible.map((h) => h.id)).toEqual(["b"]);
    await inbox.setFilters({ assignee: "all", status: "open", q: "" });
    expect(inbox.visible.map((h) => h.id)).toEqual(["a", "b"]);

    // A resolved handoff leaves the default (open) view the moment its event arrives.
    ScriptedSocket.last.frame(
      event(6, {
        type: "handoff.updated",
        data: { handoff: { ...claimed, status: "resolved" }, change: "resolved", actor: null },
      }),
    );
    expect(inbox.handoffs.has("a")).toBe(false);
    expect(inbox.visible.map((h) => h.id)).toEqual(["b"]);
    inbox.stop();
  });

  it("asks the server for each view and shows exactly what it answers", async () => {
    const mine = handoff("m", {
      status: "active",
      assignee: { id: me.id, name: me.name },
      contact: { id: "x-m", name: "Kenji Sato", phone: null, email: null },
    });
    const queued = handoff("q", {
      contact: { id: "x-q", name: "Amara Okafor", phone: null, email: null },
      created_at: "2026-11-22T09:00:00.000Z",
    });
    const bobs = handoff("o", { status: "active", assignee: { id: "u_bob", name: "Bob" } });
    const closed = handoff("r", {
      status: "resolved",
      assignee: { id: me.id, name: me.name },
      resolved_at: "2026-11-22T11:00:00.000Z",
    });
    snapshot = [mine, queued, bobs, closed];
    const inbox = await connected(1);
    expect(listQueries).toEqual(["status=queued%2Cactive&assignee=any"]);
    expect(new Set(inbox.visible.map((h) => h.id))).toEqual(new Set(["m", "q", "o"]));

    await inbox.setFilters({ assignee: "mine", status: "open", q: "" });
    expect(listQueries.at(-1)).toBe("status=queued%2Cactive&assignee=me");
    expect(inbox.visible.map((h) => h.id)).toEqual(["m"]);

    await inbox.setFilters({ assignee: "all", status: "resolved", q: "" });
    expect(listQueries.at(-1)).toBe("status=resolved&assignee=any");
    expect(inbox.visible.map((h) => h.id)).toEqual(["r"]);

    await inbox.setFilters({ assignee: "all", status: "all", q: "okafor" });
    expect(listQueries.at(-1)).toBe("status=all&assignee=any&q=okafor");
    expect(inbox.visible.map((h) => h.id)).toEqual(["q"]);
    inbox.stop();
  });

  it("ignores duplicates and keeps presence and stats current", async () => {
    const inbox = await connected(10);
    ScriptedSocket.last.frame(created(11, handoff("x")));
    ScriptedSocket.last.frame(created(11, handoff("x", { reason: "changed" })));
    expect(inbox.handoffs.get("x")?.reason).toBe("wants a person");
    ScriptedSocket.last.frame(
      event(12, {
        type: "presence",
        data: {
          agents_online: 2,
          agents: [
            { ...meHere, status: "away" },
            { ...meHere, id: "u_bob", name: "Bob" },
          ],
        },
      }),
    );
    expect(inbox.presence.agents.map((a) => `${a.name} ${a.status}`)).toEqual([
      "Bob online",
      "Alice away",
    ]);
    expect(inbox.stats?.agents_online).toBe(2);
    inbox.stop();
  });

  it("shows the stats pushed by the server, in hello and after each change, without fetching them", async () => {
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (input: string) => {
      requested.push(String(input));
      return Response.json({ handoffs: [] });
    });
    vi.setSystemTime(Date.parse("2026-11-25T12:00:00.000Z"));
    const inbox = new Inbox(session, "ws://inbox.test/api/ws");
    inbox.start();
    const waiting = {
      ...stats,
      queued: 2,
      today: 5,
      oldest_waiting_seconds: 90,
      oldest_waiting_since: "2026-11-25T11:58:30.000Z",
    };
    ScriptedSocket.last.frame({
      type: "hello",
      seq: 1,
      data: { user: me, agents_online: 1, agents: [meHere], stats: waiting },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(inbox.stats).toEqual(waiting);
    expect(inbox.oldestWaitingSeconds).toBe(90);

    // The wait ticks on the client, from when the oldest one arrived.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(inbox.oldestWaitingSeconds).toBe(120);

    // A claim: the event, then the new numbers.
    const claimed = handoff("a", { status: "active", assignee: { id: "u_bob", name: "Bob" } });
    ScriptedSocket.last.frame(
      event(2, {
        type: "handoff.updated",
        data: { handoff: claimed, change: "claimed", actor: { id: "u_bob", name: "Bob" } },
      }),
    );
    const afterClaim = {
      ...waiting,
      queued: 1,
      active: 1,
      oldest_waiting_seconds: 60,
      oldest_waiting_since: "2026-11-25T11:59:30.000Z",
    };
    ScriptedSocket.last.frame({ type: "stats", data: afterClaim });
    expect(inbox.stats).toMatchObject({ queued: 1, active: 1, today: 5 });
    expect(inbox.oldestWaitingSeconds).toBe(60);

    // Nobody waiting any more.
    ScriptedSocket.last.frame({
      type: "stats",
      data: {
        ...afterClaim,
        queued: 0,
        active: 2,
        oldest_waiting_seconds: null,
        oldest_waiting_since: null,
      },
    });
    expect(inbox.oldestWaitingSeconds).toBeNull();
    expect(inbox.stats?.active).toBe(2);
    await vi.advanceTimersByTimeAsync(5_000);
    // The snapshot of the list was loaded once; the stats never.
    expect(requested.filter((path) => path.startsWith("/api/stats"))).toEqual([]);
    expect(requested.filter((path) => path.startsWith("/api/handoffs?"))).toHaveLength(1);
    expect(inbox.sequence.last).toBe(2);
    inbox.stop();
  });

  it("after a dropped connection, resumes from the last seq and applies what it missed in order", async () => {
    const inbox = await connected(3);
    ScriptedSocket.last.frame(created(4, handoff("p")));
    ScriptedSocket.last.drop();
    expect(inbox.connection.status).toBe("reconnecting");

    await vi.advanceTimersByTimeAsync(1_000);
    const second = ScriptedSocket.last;
    expect(ScriptedSocket.all).toHaveLength(2);
    second.frame({
      type: "hello",
      seq: 7,
      data: { user: me, agents_online: 1, agents: [meHere], stats },
    });
    expect(second.sent).toContainEqual({ type: "resume", since: 4 });

    // A live event overtakes the replay: it waits for the events before it.
    second.frame(created(8, handoff("s")));
    expect(inbox.handoffs.has("s")).toBe(false);
    for (const [seq, id] of [
      [5, "q"],
      [6, "r"],
      [7, "rr"],
    ] as const)
      second.frame(created(seq, handoff(id)));
    expect([...inbox.handoffs.keys()].sort()).toEqual(["p", "q", "r", "rr", "s"]);
    expect(inbox.sequence.last).toBe(8);
    expect(inbox.connection.status).toBe("connected");
    inbox.stop();
  });

  it("answers resync by reconnecting and reloading the snapshot", async () => {
    const inbox = await connected(3);
    ScriptedSocket.last.frame({ type: "resync", seq: 99 });
    const fresh = ScriptedSocket.last;
    expect(ScriptedSocket.all).toHaveLength(2);
    snapshot = [handoff("z")];
    fresh.frame({
      type: "hello",
      seq: 99,
      data: { user: me, agents_online: 1, agents: [meHere], stats },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(
      fresh.sent.some(
        (f) => typeof f === "object" && f !== null && (f as { type: string }).type === "resume",
      ),
    ).toBe(false);
    expect(inbox.visible.map((h) => h.id)).toEqual(["z"]);
    expect(inbox.sequence.last).toBe(99);
    inbox.stop();
  });

  it("claims over the socket and names the winner when another agent was faster", async () => {
    snapshot = [handoff("c")];
    const inbox = await connected(1);
    const claim = inbox.claim("c");
    const sent = ScriptedSocket.last.sent.at(-1) as {
      type: string;
      ref: string;
      handoff_id: string;
    };
    expect(sent).toMatchObject({ type: "claim", handoff_id: "c" });
    ScriptedSocket.last.frame({
      type: "ack",
      ref: sent.ref,
      ok: false,
      error: {
        code: "already_claimed",
        message: "Already claimed by Bob.",
        assignee: { id: "u_bob", name: "Bob" },
      },
    });
    await claim;
    expect(inbox.actionErrors.get("c")).toBe("Claimed by Bob");
    inbox.stop();
  });

  it("shows a reply at once and settles it once, whichever of event and ack comes first", async () => {
    snapshot = [handoff("d", { status: "active", assignee: { id: me.id, name: me.name } })];
    const inbox = await connected(1);
    await inbox.open("d");
    const sending = inbox.replies.send("d", "On it!");
    expect(inbox.replies.pending.map((p) => p.text)).toEqual(["On it!"]);
    const sent = ScriptedSocket.last.sent.at(-1) as { ref: string };
    const stored = message("m1", "d", {
      from: "agent",
      text: "On it!",
      agent: { id: me.id, name: me.name },
      delivery: "pending",
    });
    ScriptedSocket.last.frame(
      event(2, { type: "message.created", data: { message: stored, handoff: snapshot[0]! } }),
    );
    ScriptedSocket.last.frame({ type: "ack", ref: sent.ref, ok: true, data: { message: stored } });
    expect(await sending).toBe(true);
    expect(inbox.replies.pending).toEqual([]);
    expect(inbox.detail?.messages.map((m) => m.id)).toEqual(["m1"]);

    ScriptedSocket.last.frame(
      event(3, {
        type: "message.updated",
        data: { message: { ...stored, delivery: "delivered" } },
      }),
    );
    expect(inbox.detail?.messages[0]?.delivery).toBe("delivered");
    inbox.stop();
  });

  it("keeps a failed reply visible with the reason", async () => {
    snapshot = [handoff("e", { status: "active", assignee: { id: "u_bob", name: "Bob" } })];
    const inbox = await connected(1);
    await inbox.open("e");
    const sending = inbox.replies.send("e", "hello?");
    const sent = ScriptedSocket.last.sent.at(-1) as { ref: string };
    ScriptedSocket.last.frame({
      type: "ack",
      ref: sent.ref,
      ok: false,
      error: { code: "not_assignee", message: "Claim this conversation to reply." },
    });
    expect(await sending).toBe(false);
    expect(inbox.replies.pending[0]).toMatchObject({
      text: "hello?",
      error: "Claim this conversation to reply.",
    });
    inbox.stop();
  });

  it("drops a list response that a newer filter change has overtaken", async () => {
    const inbox = await connected(1);
    const answers: Record<string, (handoffs: Handoff[]) => void> = {};
    vi.stubGlobal("fetch", (input: string) => {
      const status = new URLSearchParams(String(input).split("?")[1]).get("status") ?? "";
      return new Promise<Response>(
        (resolve) => (answers[status] = (handoffs) => resolve(Response.json({ handoffs }))),
      );
    });
    const open = inbox.setFilters({ assignee: "all", status: "queued", q: "" });
    const resolved = inbox.setFilters({ assignee: "all", status: "resolved", q: "" });
    answers["resolved"]!([handoff("r1", { status: "resolved" })]);
    await resolved;
    answers["queued"]!([handoff("q1")]);
    await open;
    expect(inbox.visible.map((h) => h.id)).toEqual(["r1"]);
    inbox.stop();
  });

  it("keeps a message that arrives while the conversation is loading", async () => {
    snapshot = [handoff("f", { status: "active", assignee: { id: me.id, name: me.name } })];
    const inbox = await connected(1);
    let answer!: () => void;
    vi.stubGlobal("fetch", (input: string) =>
      String(input).startsWith("/api/handoffs/f")
        ? new Promise<Response>(
            (resolve) =>
              (answer = () =>
                resolve(Response.json({ handoff: snapshot[0], messages: [], events: [] }))),
          )
        : Promise.resolve(Response.json({ handoffs: snapshot })),
    );
    const opening = inbox.open("f");
    ScriptedSocket.last.frame(
      event(2, {
        type: "message.created",
        data: { message: message("late", "f"), handoff: snapshot[0]! },
      }),
    );
    answer();
    await opening;
    expect(inbox.detail?.messages.map((m) => m.id)).toEqual(["late"]);
    inbox.stop();
  });

  it("under a search, a listed conversation stays when its new message does not contain the words", async () => {
    snapshot = [handoff("g", { reason: "wants a person" }), handoff("i", { reason: "billing" })];
    serverMessages = { g: ["I would like a refund"] };
    const inbox = await connected(1);
    await inbox.setFilters({ assignee: "all", status: "open", q: "refund" });
    expect(inbox.visible.map((h) => h.id)).toEqual(["g"]);
    const updated = handoff("g", {
      last_message: { text: "hello?", from: "contact", at: "2026-11-22T10:02:00.000Z" },
      message_count: 2,
    });
    ScriptedSocket.last.frame(
      event(2, {
        type: "message.created",
        data: { message: message("m2", "g", { text: "hello?" }), handoff: updated },
      }),
    );
    expect(inbox.visible.map((h) => h.id)).toEqual(["g"]);
    // A new escalation that does not match the search is not added.
    ScriptedSocket.last.frame(created(3, handoff("h", { reason: "billing" })));
    expect(inbox.visible.map((h) => h.id)).toEqual(["g"]);
    inbox.stop();
  });

  it("signs out when the server ends the socket's session, and stops reconnecting", async () => {
    let signedOut = 0;
    const inbox = new Inbox(session, "ws://inbox.test/api/ws", () => signedOut++);
    inbox.start();
    ScriptedSocket.last.frame({
      type: "hello",
      seq: 1,
      data: { user: me, agents_online: 1, agents: [meHere], stats },
    });
    ScriptedSocket.last.drop(4001);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(signedOut).toBe(1);
    expect(ScriptedSocket.all).toHaveLength(1);
  });

  it("when reconnecting keeps failing, asks whether the session is still good", async () => {
    let signedOut = 0;
    const inbox = new Inbox(session, "ws://inbox.test/api/ws", () => signedOut++);
    inbox.start();
    vi.stubGlobal("fetch", async (input: string) =>
      String(input) === "/api/me"
        ? Response.json(
            { error: { code: "unauthorized", message: "Log in to continue." } },
            { status: 401 },
          )
        : Response.json({}),
    );
    for (let i = 0; i < 4; i++) {
      ScriptedSocket.last.drop();
      await vi.advanceTimersByTimeAsync(20_000);
    }
    expect(signedOut).toBe(1);
    inbox.stop();
  });

  it("a reply whose answer was lost is asked again over HTTP with the same client id, and shown once", async () => {
    snapshot = [handoff("k", { status: "active", assignee: { id: me.id, name: me.name } })];
    const inbox = await connected(1);
    await inbox.open("k");
    const posted: { text: string; client_id: string }[] = [];
    vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
      if (String(input) === "/api/handoffs/k/messages") {
        const body = JSON.parse(String(init?.body)) as { text: string; client_id: string };
        posted.push(body);
        return Response.json(
          {
            message: message("stored", "k", {
              from: "agent",
              text: body.text,
              agent: { id: me.id, name: me.name },
            }),
          },
          { status: 201 },
        );
      }
      return Response.json({ handoffs: snapshot });
    });
    const sending = inbox.replies.send("k", "Are you still there?");
    const sent = ScriptedSocket.last.sent.at(-1) as { client_id: string };
    ScriptedSocket.last.drop();
    expect(await sending).toBe(true);
    expect(posted).toEqual([{ text: "Are you still there?", client_id: sent.client_id }]);
    expect(inbox.replies.pending).toEqual([]);
    expect(inbox.detail?.messages.map((m) => m.id)).toEqual(["stored"]);
    inbox.stop();
  });
});
