// Realtime over GET /api/ws: tenant events numbered without gaps, resume and resync, sockets that
// survive hibernation, agents' commands over the socket (same rules as HTTP), presence, sessions
// ending their sockets, and tenant isolation on the socket.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  type FrameOf,
  call,
  claim,
  contactSays,
  detail,
  escalate,
  frameOf,
  hub,
  hubRows,
  json,
  login,
} from "./client";
import type { EventFrame } from "../../schema/realtime";
import { makeTenant } from "./fixtures";
import { connect, eventsAfter, lastSeq, person, present, range } from "./realtime-helpers";
import type {
  BotHandoffAnswer,
  ClaimAnswer,
  ContactMessageResult,
  HandoffAnswer,
  Stats,
} from "./answers";

afterEach(() => AgentSocket.closeAll());

/** Opens sockets for the users and waits until every one has seen the last one arrive. */

describe("events reach connected agents", () => {
  it("escalation, contact message and claim arrive on every socket, numbered one by one", async () => {
    const t = await makeTenant();
    const bobCookie = await login(t.bob);
    const [alice, bob] = (await connect(await login(t.alice), bobCookie)) as [
      AgentSocket,
      AgentSocket,
    ];
    const base = lastSeq(alice);
    expect(lastSeq(bob)).toBe(base);

    const { handoff } = await escalate(t, { conversation_id: "conv-rt-1" });
    await contactSays(t, "conv-rt-1", "Are you there?");
    await claim(bobCookie, handoff.id);
    await alice.sync();
    await bob.sync();

    for (const s of [alice, bob]) {
      const got = eventsAfter(s, base);
      expect(got.map((f) => f.type)).toEqual([
        "handoff.created",
        "message.created",
        "handoff.updated",
        "presence", // Bob's load went up
      ]);
      expect(got.map((f) => f.seq)).toEqual(range(base + 1, 4));
    }
    // Both agents see the same frames with the same numbers.
    expect(eventsAfter(alice, base)).toEqual(eventsAfter(bob, base));
    const [created, message, updated] = eventsAfter(alice, base);
    expect(frameOf(created, "handoff.created").data.handoff).toMatchObject({
      id: handoff.id,
      status: "queued",
      conversation_id: "conv-rt-1",
      assignee: null,
    });
    expect(frameOf(message, "message.created").data).toMatchObject({
      message: { handoff_id: handoff.id, from: "contact", text: "Are you there?" },
      handoff: { id: handoff.id, last_message: { text: "Are you there?", from: "contact" } },
    });
    expect(frameOf(updated, "handoff.updated").data).toMatchObject({
      change: "claimed",
      actor: person(t.bob),
      handoff: { id: handoff.id, status: "active", assignee: person(t.bob) },
    });
  });
});

describe("resume", () => {
  it("a reconnecting agent gets every missed event in order", async () => {
    const t = await makeTenant();
    const aliceCookie = await login(t.alice);
    const bobCookie = await login(t.bob);
    // Bob stays connected throughout: his socket shows what Alice missed.
    const [bob, first] = (await connect(bobCookie, aliceCookie)) as [AgentSocket, AgentSocket];
    const { handoff: h1 } = await escalate(t, { conversation_id: "conv-rs-1" });
    await first.sync();
    const since = lastSeq(first);
    first.close();
    await bob.next((f) => f.type === "presence" && f.seq > since && f.data.agents_online === 1);

    const { handoff: h2 } = await escalate(t, { conversation_id: "conv-rs-2" });
    await claim(bobCookie, h2.id);
    await contactSays(t, "conv-rs-1", "Still waiting for someone");

    const again = await AgentSocket.open(aliceCookie);
    const hello = frameOf(again.frames[0], "hello");
    // Her return is an event itself, delivered live; wait for it so the replay can be told apart.
    await again.next((f) => f.type === "presence" && f.seq === hello.seq + 1);
    const start = again.frames.length;
    again.send({ type: "resume", since });
    await again.sync();
    const replay = again.frames.slice(start, -1);

    await bob.sync();
    const missed = eventsAfter(bob, since);
    // Presence frames (Alice leaving and coming back) are covered by the presence test.
    expect(missed.filter((f) => f.type !== "presence").map((f) => f.type)).toEqual([
      "handoff.created",
      "handoff.updated",
      "message.created",
    ]);
    expect(replay).toEqual(missed);
    expect(replay.map((f) => ("seq" in f ? f.seq : undefined))).toEqual(
      range(since + 1, missed.length),
    );
    const of = <K extends EventFrame["type"]>(type: K) =>
      frameOf(
        replay.find((f) => f.type === type),
        type,
      );
    expect(of("handoff.created").data.handoff.id).toBe(h2.id);
    expect(of("handoff.updated").data).toMatchObject({
      change: "claimed",
      handoff: { id: h2.id, assignee: person(t.bob) },
    });
    expect(of("message.created").data.message).toMatchObject({
      handoff_id: h1.id,
      text: "Still waiting for someone",
    });
    expect(again.closed).toBe(false);
  });

  it(
    "the object prunes events both more than 1,000 behind and older than 10 minutes; resuming from before them is resync",
    { timeout: 60_000 },
    async () => {
      const t = await makeTenant({ webhook: false });
      const [alice] = (await connect(await login(t.alice))) as [AgentSocket];
      const { handoff } = await escalate(t);
      await alice.sync();
      const early = lastSeq(alice);
      // These first events happened 11 minutes ago, as far as the feed can tell.
      await hubRows(t, `UPDATE feed SET at = at - ?`, 11 * 60_000);
      const oldest = async () =>
        (await hubRows<{ seq: number }>(t, `SELECT MIN(seq) AS seq FROM feed`))[0]!.seq;

      /** Emits presence events through the object's own feed until its head reaches `head`. */
      const churnTo = async (head: number) => {
        await runInDurableObject(hub(t), (instance) => {
          // The object's own core (a private field, reached by name for this test).
          const core = instance["core"];
          while (core.feed.head < head)
            core.emit(
              {
                type: "presence",
                data: {
                  agents_online: 1,
                  agents: [{ ...person(t.alice), status: "online", active_count: 0, capacity: 3 }],
                },
              },
              Date.now(),
            );
        });
        await alice.sync();
        expect(lastSeq(alice)).toBe(head);
      };
      // The object prunes every 100 events; just before that point nothing old has gone.
      await churnTo(1_098);
      expect(await oldest()).toBe(1);
      await churnTo(1_100);
      // Only the old events went: the recent ones stay though more than 1,000 behind.
      expect(await oldest()).toBe(early + 1);

      const start = alice.frames.length;
      alice.send({ type: "resume", since: early - 1 });
      await alice.sync();
      expect(alice.frames.slice(start, -1)).toEqual([{ type: "resync", seq: 1_100 }]);
      const replayFrom = alice.frames.length;
      alice.send({ type: "resume", since: early });
      await alice.sync();
      const replay = alice.frames.slice(replayFrom, -1);
      expect(replay.map((f) => ("seq" in f ? f.seq : undefined))).toEqual(
        range(early + 1, 1_100 - early),
      );
    },
  );
});

describe("hibernation", () => {
  it("after eviction the sockets still get events, ping is answered and commands know who sent them", async () => {
    const t = await makeTenant();
    const aliceCookie = await login(t.alice);
    const [alice, bob] = (await connect(aliceCookie, await login(t.bob))) as [
      AgentSocket,
      AgentSocket,
    ];
    const base = lastSeq(bob);

    await evictDurableObject(hub(t));
    alice.send("ping");
    await alice.next((f) => f.type === "pong");

    const { handoff } = await escalate(t);
    for (const s of [alice, bob]) {
      const created = await s.next<FrameOf<"handoff.created">>((f) => f.type === "handoff.created");
      expect(created).toMatchObject({ seq: base + 1, data: { handoff: { id: handoff.id } } }); // numbering continues
    }
    expect(
      (await json<Stats>("/api/stats", { cookie: aliceCookie, status: 200 })).agents_online,
    ).toBe(2);

    await evictDurableObject(hub(t));
    const ack = await alice.command({
      type: "claim",
      ref: "after-eviction",
      handoff_id: handoff.id,
    });
    expect(ack).toMatchObject({
      ok: true,
      data: { handoff: { id: handoff.id, status: "active", assignee: person(t.alice) } },
    });
    const updated = await bob.next<FrameOf<"handoff.updated">>((f) => f.type === "handoff.updated");
    expect(updated).toMatchObject({
      seq: base + 2,
      data: { change: "claimed", actor: person(t.alice) },
    });
    expect(alice.closed || bob.closed).toBe(false);
  });
});

describe("commands over the socket", () => {
  it("a claim race over sockets and HTTP at once has exactly one winner; every loser is told who won", async () => {
    const t = await makeTenant({ agents: 10 });
    const everyone = [t.alice, t.bob, ...t.agents];
    const cookies = await Promise.all(everyone.map(login));
    const sockets = await connect(...cookies.slice(0, 6));
    const winners: string[] = [];

    for (let round = 0; round < 5; round++) {
      const { handoff } = await escalate(t);
      const attempts = await Promise.all([
        ...sockets.map(async (s, i) => {
          const ack = await s.command({
            type: "claim",
            ref: `race-${round}-${i}`,
            handoff_id: handoff.id,
          });
          const body: ClaimAnswer = ack.ok ? ack.data : { error: ack.error };
          return { user: everyone[i]!, status: null, ok: ack.ok, body } as const;
        }),
        ...cookies.slice(6).map(async (cookie, i) => {
          const res = await call(`/api/handoffs/${handoff.id}/claim`, { method: "POST", cookie });
          return {
            user: everyone[6 + i]!,
            status: res.status,
            ok: res.status === 200,
            body: (await res.json()) as ClaimAnswer,
          };
        }),
      ]);
      const won = attempts.filter((a) => a.ok);
      expect(won, `round ${round}`).toHaveLength(1);
      const winner = person(won[0]!.user);
      winners.push(winner.id);
      expect(won[0]!.body.handoff).toMatchObject({
        id: handoff.id,
        status: "active",
        assignee: winner,
      });
      for (const loser of attempts.filter((a) => !a.ok)) {
        if (loser.status !== null) expect(loser.status).toBe(409);
        expect(loser.body.error).toMatchObject({ code: "already_claimed", assignee: winner });
      }
      // One claim in the audit trail, one greeting to the contact, one update on every socket.
      const full = await detail(cookies[0]!, handoff.id);
      expect(full.handoff.assignee).toEqual(winner);
      expect(full.events.filter((e) => e.type === "claimed")).toHaveLength(1);
      expect(
        full.messages.filter((m) => m.from === "system" && m.text.startsWith("Hello, this is")),
      ).toHaveLength(1);
      for (const s of sockets) {
        await s.sync();
        expect(
          s.events("handoff.updated").filter((f) => f.data.handoff.id === handoff.id),
        ).toHaveLength(1);
      }
    }
    // Five rounds, five claims: every socket saw exactly those, each naming that round's winner.
    for (const s of sockets)
      expect(s.events("handoff.updated").map((f) => f.data.actor!.id)).toEqual(winners);
    expect(await json<Stats>("/api/stats", { cookie: cookies[0], status: 200 })).toMatchObject({
      queued: 0,
      active: 5,
    });
  });

  it("claim, reply, release and resolve are acked with their result; a non-holder may not reply", async () => {
    const t = await makeTenant();
    const [alice, bob] = (await connect(await login(t.alice), await login(t.bob))) as [
      AgentSocket,
      AgentSocket,
    ];
    const { handoff } = await escalate(t);
    const id = handoff.id;

    expect(await alice.command({ type: "claim", ref: "c1", handoff_id: id })).toMatchObject({
      type: "ack",
      ref: "c1",
      ok: true,
      data: { handoff: { id, status: "active", assignee: person(t.alice) } },
    });
    expect(
      await alice.command({
        type: "reply",
        ref: "r1",
        handoff_id: id,
        text: "Hi Maria, Alice here.",
      }),
    ).toMatchObject({
      ok: true,
      data: {
        message: {
          handoff_id: id,
          from: "agent",
          text: "Hi Maria, Alice here.",
          agent: person(t.alice),
        },
      },
    });
    expect(
      await bob.command({ type: "reply", ref: "r2", handoff_id: id, text: "Bob here too!" }),
    ).toMatchObject({
      type: "ack",
      ref: "r2",
      ok: false,
      error: { code: "not_assignee", message: expect.any(String) },
    });
    expect(await alice.command({ type: "release", ref: "rel", handoff_id: id })).toMatchObject({
      ok: true,
      data: { handoff: { id, status: "queued", assignee: null } },
    });
    expect(await bob.command({ type: "claim", ref: "c2", handoff_id: id })).toMatchObject({
      ok: true,
      data: { handoff: { assignee: person(t.bob) } },
    });
    expect(
      await bob.command({
        type: "resolve",
        ref: "res",
        handoff_id: id,
        outcome: "close",
        note: "Sorted",
      }),
    ).toMatchObject({
      ok: true,
      data: { handoff: { id, status: "resolved" } },
    });
    expect(await alice.command({ type: "claim", ref: "late", handoff_id: id })).toMatchObject({
      ok: false,
      error: { code: "invalid_state", status: "resolved" },
    });

    // What the socket acknowledged is what everyone else sees.
    const full = await detail(await login(t.admin), id);
    expect(full.handoff.status).toBe("resolved");
    expect(full.messages.filter((m) => m.from === "agent").map((m) => m.text)).toEqual([
      "Hi Maria, Alice here.",
    ]);
    expect(full.events.map((e) => e.type)).toEqual([
      "escalated",
      "claimed",
      "released",
      "claimed",
      "resolved",
    ]);
    await alice.sync();
    expect(alice.events("handoff.updated").map((f) => f.data.change)).toEqual([
      "claimed",
      "released",
      "claimed",
      "resolved",
    ]);
  });

  it("a viewer's commands over the socket are forbidden and change nothing", async () => {
    const t = await makeTenant();
    const viewerCookie = await login(t.viewer);
    const [viewer] = (await connect(viewerCookie)) as [AgentSocket];
    const { handoff } = await escalate(t);
    expect(
      await viewer.command({ type: "claim", ref: "v1", handoff_id: handoff.id }),
    ).toMatchObject({ ok: false, error: { code: "forbidden" } });
    expect(
      await viewer.command({ type: "reply", ref: "v2", handoff_id: handoff.id, text: "hi" }),
    ).toMatchObject({ ok: false, error: { code: "forbidden" } });
    const full = await detail(viewerCookie, handoff.id);
    expect(full.handoff).toMatchObject({ status: "queued", assignee: null });
    await viewer.sync();
    expect(viewer.events().map((f) => f.type)).toEqual(["handoff.created"]);
  });

  it("a malformed frame is answered invalid_request when it has a ref, ignored without one, and the socket stays usable", async () => {
    const t = await makeTenant();
    const aliceCookie = await login(t.alice);
    const [alice] = (await connect(aliceCookie)) as [AgentSocket];
    const { handoff } = await escalate(t);

    const missing = await alice.command({ type: "claim", ref: "x" });
    expect(missing).toMatchObject({
      ok: false,
      error: {
        code: "invalid_request",
        issues: expect.arrayContaining([expect.objectContaining({ path: "handoff_id" })]),
      },
    });
    expect(
      await alice.command({ type: "teleport", ref: "y", handoff_id: handoff.id }),
    ).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    expect(
      await alice.command({ type: "reply", ref: "z", handoff_id: handoff.id, text: "" }),
    ).toMatchObject({
      ok: false,
      error: {
        code: "invalid_request",
        issues: expect.arrayContaining([expect.objectContaining({ path: "text" })]),
      },
    });

    // Without a ref there is nothing to answer, and nothing happens: not even the claim it asks for.
    alice.send({ type: "claim", handoff_id: handoff.id });
    alice.send("this is not json");
    alice.send('{"type": "claim", "ref": ');
    alice.send(JSON.stringify([1, 2, 3]));
    await alice.sync();
    const acks = alice.frames
      .filter((f): f is FrameOf<"ack"> => f.type === "ack" && !f.ref.startsWith("sync-"))
      .map((f) => f.ref);
    expect(acks).toEqual(["x", "y", "z"]);
    expect(alice.events("handoff.updated")).toEqual([]);
    expect((await detail(aliceCookie, handoff.id)).handoff.status).toBe("queued");

    expect(alice.closed).toBe(false);
    expect(await alice.command({ type: "claim", ref: "ok", handoff_id: handoff.id })).toMatchObject(
      { ok: true, data: { handoff: { status: "active" } } },
    );
  });
});

describe("presence", () => {
  it("agents_online goes up when an agent connects and down when one leaves; viewers do not count", async () => {
    const t = await makeTenant();
    const [aliceCookie, bobCookie, viewerCookie] = await Promise.all([
      login(t.alice),
      login(t.bob),
      login(t.viewer),
    ]);
    const online = async () =>
      (await json<Stats>("/api/stats", { cookie: viewerCookie, status: 200 })).agents_online;
    expect(await online()).toBe(0);

    const alice = await AgentSocket.open(aliceCookie);
    expect(alice.frames[0]).toMatchObject({
      type: "hello",
      data: { user: { id: t.alice.id }, agents_online: 1 },
    });
    expect(await online()).toBe(1);

    const bob = await AgentSocket.open(bobCookie);
    const up = await alice.next<FrameOf<"presence">>(
      (f) => f.type === "presence" && f.data.agents_online === 2,
    );
    expect(up.data).toEqual({ agents_online: 2, agents: [present(t.alice), present(t.bob)] });
    expect(await online()).toBe(2);

    const viewer = await AgentSocket.open(viewerCookie);
    expect(viewer.frames[0]).toMatchObject({ type: "hello", data: { agents_online: 2 } });
    // A second tab of Alice's is still one agent online.
    const aliceTab = await AgentSocket.open(aliceCookie);
    expect(aliceTab.frames[0]).toMatchObject({ type: "hello", data: { agents_online: 2 } });
    await alice.sync();
    expect(alice.events("presence").map((f) => f.data.agents_online)).toEqual([1, 2]); // her own arrival, then Bob's
    expect(await online()).toBe(2);

    bob.close();
    const down = await alice.next<FrameOf<"presence">>(
      (f) => f.type === "presence" && f.seq > up.seq,
    );
    expect(down).toMatchObject({
      seq: up.seq + 1,
      data: { agents_online: 1, agents: [present(t.alice)] },
    });
    expect(await online()).toBe(1);
    await viewer.next((f) => f.type === "presence" && f.seq === down.seq);
  });
});

describe("sessions end their sockets", () => {
  it("logging out closes that session's sockets, not the same person's other sessions", async () => {
    const t = await makeTenant();
    const [tab, laptop] = [await login(t.alice), await login(t.alice)];
    const [s1, s2] = (await connect(tab, laptop)) as [AgentSocket, AgentSocket];
    await json("/api/auth/logout", { method: "POST", cookie: tab, status: 200 });
    expect(await s1.whenClosed()).toBe(4001);
    const { handoff } = await escalate(t);
    await s2.next((f) => f.type === "handoff.created" && f.data.handoff.id === handoff.id);
    expect(s2.closed).toBe(false);
  });

  it("a socket whose session has expired is closed at its next frame and its command not run", async () => {
    const t = await makeTenant();
    const [s] = (await connect(await login(t.alice))) as [AgentSocket];
    const { handoff } = await escalate(t);
    // Make the session stored with the socket expire, as 14 days passing would; the object's
    // in-memory index of sockets is dropped, as after hibernation, so it reads the attachment.
    await runInDurableObject(hub(t), (instance, state) => {
      for (const ws of state.getWebSockets()) {
        const identity = ws.deserializeAttachment() as { session: { expires_at: number } };
        ws.serializeAttachment({
          ...identity,
          session: { ...identity.session, expires_at: Date.now() - 1 },
        });
      }
      (instance as unknown as { presence: { index: unknown } }).presence.index = null;
    });
    s.send({ type: "claim", ref: "late", handoff_id: handoff.id });
    expect(await s.whenClosed()).toBe(4001);
    expect(
      (
        await json<BotHandoffAnswer>(`/api/v1/handoffs/${handoff.id}`, {
          key: t.apiKey,
          status: 200,
        })
      ).handoff.status,
    ).toBe("queued");
  });
});

// Refused upgrades (no session, a foreign Origin) are in security.test.ts with the rest of those rules.
describe("tenant isolation on the socket", () => {
  it("an agent of another tenant hears none of its events and cannot act on its handoffs", async () => {
    const a = await makeTenant();
    const b = await makeTenant();
    const aCookie = await login(a.alice);
    const [inA] = (await connect(aCookie)) as [AgentSocket];
    const [inB] = (await connect(await login(b.alice))) as [AgentSocket];
    const [baseA, baseB] = [lastSeq(inA), lastSeq(inB)];

    const { handoff } = await escalate(a, { conversation_id: "conv-secret" });
    await contactSays(a, "conv-secret", "my card ends in 4242");
    await claim(aCookie, handoff.id);
    await inA.sync();
    expect(eventsAfter(inA, baseA).map((f) => f.type)).toEqual([
      "handoff.created",
      "message.created",
      "handoff.updated",
      "presence",
    ]);

    expect(
      await inB.command({ type: "claim", ref: "steal", handoff_id: handoff.id }),
    ).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(
      await inB.command({ type: "reply", ref: "peek", handoff_id: handoff.id, text: "hello?" }),
    ).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(
      await inB.command({ type: "release", ref: "free", handoff_id: handoff.id }),
    ).toMatchObject({ ok: false, error: { code: "not_found" } });

    const { handoff: own } = await escalate(b);
    await inB.sync();
    expect(
      eventsAfter(inB, baseB).map((f) => [
        f.type,
        "handoff" in f.data ? f.data.handoff.id : undefined,
      ]),
    ).toEqual([["handoff.created", own.id]]);
    expect(JSON.stringify(inB.frames)).not.toContain(handoff.id);
    expect(JSON.stringify(inB.frames)).not.toContain("4242");

    const full = await detail(aCookie, handoff.id);
    expect(full.handoff).toMatchObject({ status: "active", assignee: person(a.alice) });
    expect(full.messages.filter((m) => m.from === "agent")).toEqual([]);
    await inA.sync();
    expect(eventsAfter(inA, baseA).map((f) => f.type)).toEqual([
      "handoff.created",
      "message.created",
      "handoff.updated",
      "presence",
    ]);
  });
});
