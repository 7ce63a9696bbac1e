import { describe, expect, it } from "vitest";
import { ConversationState, statusLine } from "./conversation";
import { toFrame, type WidgetHandoff, type WidgetMessage } from "./types";

const message = (id: string, from: WidgetMessage["from"], text: string): WidgetMessage => ({
  id,
  from,
  text,
  at: "2026-12-01T10:00:00.000Z",
  agent: from === "agent" ? { name: "Alice" } : null,
});
const handoff = (patch: Partial<WidgetHandoff>): WidgetHandoff => ({
  id: "h1",
  status: "queued",
  queue: null,
  agent: null,
  rating: null,
  ...patch,
});

describe("the widget's conversation", () => {
  it("applies numbered frames once and in order", () => {
    const state = new ConversationState();
    state.load({
      conversation_id: "c",
      messages: [message("m1", "bot", "Hi")],
      handoff: null,
      seq: 3,
    });
    const old = toFrame(
      JSON.stringify({
        type: "message.created",
        seq: 3,
        data: { message: message("m0", "bot", "old") },
      }),
    )!;
    expect(state.apply(old)).toBe("none");
    const next = toFrame(
      JSON.stringify({
        type: "message.created",
        seq: 4,
        data: { message: message("m2", "agent", "Hello") },
      }),
    )!;
    expect(state.apply(next)).toBe("message");
    expect(state.apply(next)).toBe("none");
    expect(state.messages.map((m) => m.id)).toEqual(["m1", "m2"]);
    expect(state.seq).toBe(4);
  });

  it("settles a message on its way when the server shows it, whichever way comes first", () => {
    const state = new ConversationState();
    const first = state.queue("human");
    state.queue("human");
    // The socket brings the first one before the POST answers.
    state.add(message("m1", "contact", "human"));
    expect(state.pending).toHaveLength(1);
    // The POST's answer for the same message settles nothing more.
    state.drop(first);
    expect(state.add(message("m1", "contact", "human"), false)).toBe(false);
    expect(state.pending).toHaveLength(1);
  });

  it("keeps a failed message until it is retried", () => {
    const state = new ConversationState();
    const pending = state.queue("hello");
    pending.failed = true;
    state.add(message("m1", "contact", "hello"));
    expect(state.pending).toEqual([pending]);
  });

  it("says where the visitor stands", () => {
    expect(statusLine(null)).toBe("");
    expect(statusLine(handoff({ queue: { position: 2, estimated_wait_seconds: 170 } }))).toBe(
      "Waiting for a person — you are number 2 in the queue (about 3 min)",
    );
    expect(statusLine(handoff({ queue: { position: 1, estimated_wait_seconds: 5 } }))).toBe(
      "Waiting for a person — you are number 1 in the queue (about 1 min)",
    );
    expect(statusLine(handoff({ queue: { position: 4, estimated_wait_seconds: null } }))).toBe(
      "Waiting for a person — you are number 4 in the queue",
    );
    expect(statusLine(handoff({ status: "active", agent: { name: "Alice" } }))).toBe(
      "Alice joined the conversation",
    );
    expect(statusLine(handoff({ status: "resolved", agent: { name: "Alice" } }))).toBe("");
  });

  it("ignores frames it does not know and malformed ones", () => {
    expect(toFrame("not json")).toBeNull();
    expect(toFrame(JSON.stringify({ type: "presence", seq: 1, data: {} }))).toBeNull();
    expect(
      toFrame(JSON.stringify({ type: "message.created", seq: 1, data: { message: { id: 1 } } })),
    ).toBeNull();
    expect(
      toFrame(JSON.stringify({ type: "typing", data: { from: "agent", name: "Alice" } })),
    ).toEqual({ type: "typing", data: { from: "agent", name: "Alice" } });
  });
});
