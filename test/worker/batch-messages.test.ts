// POST /api/v1/messages with {"messages": [...]}: several contact messages in one request, each
// answered as it would have been alone, in order; one bad item and nothing is stored.
import { afterEach, describe, expect, it } from "vitest";
import { AgentSocket, call, escalation, expectError, json, login, routedToAgent } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { ContactMessageBatch, EscalateResult, HandoffDetail, RoutedToAgent } from "./answers";

const MSG = "/api/v1/messages";

afterEach(() => AgentSocket.closeAll());

async function open(t: TestTenant, conversationId: string): Promise<string> {
  return (
    await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ conversation_id: conversationId }),
      status: 201,
    })
  ).handoff.id;
}

async function transcript(cookie: string, id: string): Promise<string[]> {
  const { messages } = await json<HandoffDetail>(`/api/handoffs/${id}`, { cookie, status: 200 });
  return messages
    .filter((m: { from: string }) => m.from === "contact")
    .map((m: { text: string }) => m.text);
}

const item = (conversation_id: string, id: string, text = `text of ${id}`) => ({
  conversation_id,
  id,
  text,
});

describe("batched contact messages", () => {
  it("answer each item as it would have been answered alone, in order, routing each conversation on its own", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const [a, b] = [await open(t, "conv-a"), await open(t, "conv-b")];
    const socket = await AgentSocket.open(alice);
    const batch = [
      item("conv-a", "a1"),
      item("conv-c", "c1"),
      item("conv-b", "b1"),
      item("conv-a", "a2"),
      item("conv-d", "d1"),
    ];
    const { results } = await json<ContactMessageBatch>(MSG, {
      key: t.apiKey,
      body: { messages: batch },
      status: 200,
    });
    expect(
      results.map((r: { route: string; handoff_id?: string }) => [r.route, r.handoff_id ?? null]),
    ).toEqual([
      ["agent", a],
      ["bot", null],
      ["agent", b],
      ["agent", a],
      ["bot", null],
    ]);
    expect(results[1]).toEqual({ route: "bot" });
    expect(routedToAgent(results[0]!).message).toMatchObject({
      handoff_id: a,
      from: "contact",
      text: "text of a1",
    });
    expect(routedToAgent(results[3]!).message).toMatchObject({
      handoff_id: a,
      from: "contact",
      text: "text of a2",
    });
    expect(await transcript(alice, a)).toEqual([
      "Hi, I need to change my address",
      "text of a1",
      "text of a2",
    ]);
    expect(await transcript(alice, b)).toEqual(["Hi, I need to change my address", "text of b1"]);

    // Agents see the routed ones live, in the batch's order.
    await socket.sync();
    const live = socket
      .events("message.created")
      .map((f) => (f.type === "message.created" ? f.data.message.text : ""));
    expect(live).toEqual(["text of a1", "text of b1", "text of a2"]);
  });

  it("are idempotent per message id: a batch sent again, an id sent alone, an id repeated within a batch", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const a = await open(t, "conv-a");
    const batch = [
      item("conv-a", "a1"),
      item("conv-x", "x1"),
      item("conv-a", "a1", "the same id, other text"),
    ];
    const first = await json<ContactMessageBatch>(MSG, {
      key: t.apiKey,
      body: { messages: batch },
      status: 200,
    });
    // The repeated id inside the batch is a resend of its first occurrence.
    expect(first.results[2]).toEqual(first.results[0]);
    const again = await json<ContactMessageBatch>(MSG, {
      key: t.apiKey,
      body: { messages: batch },
      status: 200,
    });
    expect(again).toEqual(first);
    expect(await transcript(alice, a)).toEqual(["Hi, I need to change my address", "text of a1"]);

    // The single form and the batch share the same memory of ids, both ways.
    const single = await json<RoutedToAgent>(MSG, {
      key: t.apiKey,
      body: item("conv-a", "a1"),
      status: 202,
    });
    expect(single).toEqual(first.results[0]);
    await json(MSG, { key: t.apiKey, body: item("conv-a", "a3"), status: 202 });
    const mixed = await json<ContactMessageBatch>(MSG, {
      key: t.apiKey,
      body: { messages: [item("conv-a", "a3"), item("conv-a", "a4")] },
      status: 200,
    });
    expect(routedToAgent(mixed.results[0]!).message.text).toBe("text of a3");
    expect(await transcript(alice, a)).toEqual([
      "Hi, I need to change my address",
      "text of a1",
      "text of a3",
      "text of a4",
    ]);
    // x1 went to the bot, and stays answered so after a handoff opens for its conversation.
    await open(t, "conv-x");
    expect(
      (
        await json<ContactMessageBatch>(MSG, {
          key: t.apiKey,
          body: { messages: [item("conv-x", "x1")] },
          status: 200,
        })
      ).results,
    ).toEqual([{ route: "bot" }]);
  });

  it("a bad item fails the whole request naming it, and nothing of the batch is stored", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const a = await open(t, "conv-a");
    const batch = [
      item("conv-a", "a1"),
      item("conv-c", "c1"),
      item("conv-a", "a2"),
      { conversation_id: "conv-a", id: "a3", text: "" },
    ];
    const error = await expectError(
      call(MSG, { key: t.apiKey, body: { messages: batch } }),
      400,
      "invalid_request",
    );
    expect(new Set(error.issues!.map((i: { path: string }) => i.path))).toEqual(
      new Set(["messages.3.text"]),
    );
    expect(await transcript(alice, a)).toEqual(["Hi, I need to change my address"]);
    // c1 was not recorded as answered by the bot: once a handoff owns conv-c, it goes to agents.
    const c = await open(t, "conv-c");
    const later = await json<RoutedToAgent>(MSG, {
      key: t.apiKey,
      body: item("conv-c", "c1"),
      status: 202,
    });
    expect(later).toMatchObject({ route: "agent", handoff_id: c });
  });

  it("take 1 to 100 items: 100 are applied, 101 and none are refused", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const a = await open(t, "conv-a");
    const many = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => item("conv-a", `${prefix}${i}`));
    const over = await expectError(
      call(MSG, { key: t.apiKey, body: { messages: many(101, "over-") } }),
      400,
      "invalid_request",
    );
    expect(over.issues!.map((i: { path: string }) => i.path)).toEqual(["messages"]);
    const none = await expectError(
      call(MSG, { key: t.apiKey, body: { messages: [] } }),
      400,
      "invalid_request",
    );
    expect(none.issues!.map((i: { path: string }) => i.path)).toEqual(["messages"]);
    expect(await transcript(alice, a)).toEqual(["Hi, I need to change my address"]);

    const { results } = await json<ContactMessageBatch>(MSG, {
      key: t.apiKey,
      body: { messages: many(100, "ok-") },
      status: 200,
    });
    expect(results).toHaveLength(100);
    expect(new Set(results.map((r) => routedToAgent(r).message.id)).size).toBe(100);
    const texts = await transcript(alice, a);
    expect(texts).toHaveLength(101);
    expect(texts.slice(1)).toEqual(many(100, "ok-").map((m) => m.text));
  });
});
