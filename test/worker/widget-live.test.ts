// The live side of the widget: typing both ways (unnumbered, only to the other side of that one
// conversation), the queue place told to each waiting visitor as handoffs ahead are claimed,
// resume after a reconnect, and agents' sockets never carrying a visitor's frames.
import { afterEach, describe, expect, it } from "vitest";
import { AgentSocket, claim, escalate, login } from "./client";
import { connect } from "./realtime-helpers";
import { makeTenant } from "./fixtures";
import { connectWeb, newVisitor, visitorSays, VisitorSocket } from "./widget-helpers";
import type { VisitorFrame, WidgetHandoff } from "../../schema/widget";

afterEach(() => {
  VisitorSocket.closeAll();
  AgentSocket.closeAll();
});

async function setUp() {
  const t = await makeTenant();
  const [admin, alice, bob] = await Promise.all([login(t.admin), login(t.alice), login(t.bob)]);
  const channel = await connectWeb(admin); // no bot: every visitor waits for a person
  return { t, alice, bob, channel };
}

/** A visitor who asked for a person, with their socket and handoff id. */
async function waitingVisitor(channelId: string, text = "Hello, anyone?") {
  const visitor = await newVisitor(channelId);
  const socket = await VisitorSocket.open(visitor.visitor_token);
  await visitorSays(visitor.visitor_token, text);
  const created = await socket.next((f) => f.type === "handoff.updated");
  return { ...visitor, socket, handoffId: handoffOf(created).id };
}

function handoffOf(frame: VisitorFrame): WidgetHandoff {
  if (frame.type !== "handoff.updated") throw new Error(`not a handoff frame: ${frame.type}`);
  return frame.data.handoff;
}

const positions = (s: VisitorSocket) =>
  s.frames
    .filter((f) => f.type === "handoff.updated")
    .map((f) => handoffOf(f).queue?.position ?? null);

describe("widget: typing", () => {
  it("the agent's typing reaches only their visitor, the visitor's only the agents; unnumbered", async () => {
    const { alice, bob, channel } = await setUp();
    const mine = await waitingVisitor(channel.id);
    const other = await waitingVisitor(channel.id);
    await claim(alice, mine.handoffId);
    await claim(alice, other.handoffId);
    const [aliceSocket, bobSocket] = await connect(alice, bob);

    // Bob does not hold the handoff: his typing is not passed on.
    bobSocket!.send({ type: "typing", handoff_id: mine.handoffId });
    await bobSocket!.sync();
    aliceSocket!.send({ type: "typing", handoff_id: mine.handoffId });
    const typing = await mine.socket.next((f) => f.type === "typing");
    expect(typing).toEqual({
      type: "typing",
      data: { handoff_id: mine.handoffId, from: "agent", name: "Alice" },
    });
    await Promise.all([mine.socket.sync(), other.socket.sync(), aliceSocket!.sync()]);
    expect(mine.socket.frames.filter((f) => f.type === "typing")).toHaveLength(1);
    expect(other.socket.frames.some((f) => f.type === "typing")).toBe(false);
    // Agents' own typing never comes back to the agents.
    expect(aliceSocket!.frames.some((f) => f.type === "typing")).toBe(false);

    mine.socket.send({ type: "typing" });
    for (const s of [aliceSocket!, bobSocket!]) {
      const frame = await s.next((f) => f.type === "typing");
      expect(frame).toEqual({
        type: "typing",
        data: { handoff_id: mine.handoffId, from: "contact" },
      });
    }
    await Promise.all([mine.socket.sync(), other.socket.sync()]);
    expect(mine.socket.frames.filter((f) => f.type === "typing")).toHaveLength(1);
    expect(other.socket.frames.some((f) => f.type === "typing")).toBe(false);
    // Agents' sockets never carry a visitor's own frames.
    expect(aliceSocket!.frames.some((f) => f.type === "hello" && "conversation_id" in f.data)).toBe(
      false,
    );
  });
});

describe("widget: queue places", () => {
  it("each waiting visitor is told their new place as handoffs ahead are claimed", async () => {
    const { t, alice, bob, channel } = await setUp();
    // A handoff from another channel waits first: the tenant's queue counts it too.
    const ahead = await escalate(t);
    const first = await waitingVisitor(channel.id, "first");
    const second = await waitingVisitor(channel.id, "second");
    expect(positions(first.socket)).toEqual([2]);
    expect(positions(second.socket)).toEqual([3]);

    await claim(alice, ahead.handoff.id);
    await second.socket.next(
      (f) => f.type === "handoff.updated" && handoffOf(f).queue?.position === 2,
    );
    await first.socket.next(
      (f) => f.type === "handoff.updated" && handoffOf(f).queue?.position === 1,
    );

    await claim(bob, first.handoffId);
    await second.socket.next(
      (f) => f.type === "handoff.updated" && handoffOf(f).queue?.position === 1,
    );
    await first.socket.next(
      (f) => f.type === "handoff.updated" && handoffOf(f).status === "active",
    );
    await Promise.all([first.socket.sync(), second.socket.sync()]);
    // Told once per move, numbered without gaps.
    expect(positions(second.socket)).toEqual([3, 2, 1]);
    expect(positions(first.socket)).toEqual([2, 1, null]);
    const seqs = second.socket.numbered().map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    // A reconnect resumes after the last frame seen; a number never reached means resync.
    const seen = seqs[1]!;
    const again = await VisitorSocket.open(second.visitor_token);
    expect(again.frames[0]).toMatchObject({
      type: "hello",
      seq: seqs.at(-1),
      data: { conversation_id: second.conversation_id },
    });
    again.send({ type: "resume", since: seen });
    await again.next((f) => f.type === "handoff.updated");
    await again.sync();
    expect(again.numbered().map((f) => f.seq)).toEqual(seqs.slice(2));
    again.send({ type: "resume", since: 10_000 });
    expect(await again.next((f) => f.type === "resync")).toEqual({
      type: "resync",
      seq: seqs.at(-1),
    });
  });
});
