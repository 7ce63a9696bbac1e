// A bot's metadata is free-form JSON, capped so that no escalation can make a tenant's reads
// fail, and kept out of the list and the realtime frames (only a single handoff's reads carry it).
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import {
  AgentSocket,
  call,
  escalation,
  expectError,
  hub,
  hubRows,
  json,
  login,
  claim,
  resolve,
} from "./client";
import { makeTenant } from "./fixtures";
import type {
  BotHandoffAnswer,
  EscalateResult,
  HandoffAnswer,
  HandoffDetail,
  ListPage,
  MessageAnswer,
} from "./answers";

/** `{"a": {"a": … {"a": 1}}}` with `levels` objects, the outermost counted as level 1. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

afterEach(() => AgentSocket.closeAll());

describe("metadata is capped on the way in", () => {
  it("nesting of 1,900 levels is refused naming metadata, and the tenant's reads keep working", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const before = await escalateOne(t.apiKey);
    const error = await expectError(
      call("/api/v1/handoffs", { key: t.apiKey, body: escalation({ metadata: nested(1900) }) }),
      400,
      "invalid_request",
    );
    expect(error.issues!.map((i: { path: string }) => i.path)).toEqual(["metadata"]);
    const { handoffs } = await json<ListPage>("/api/handoffs?status=all", {
      cookie: alice,
      status: 200,
    });
    expect(handoffs.map((h: { id: string }) => h.id)).toEqual([before]);
    await claim(alice, before);
  });

  it("8 levels are accepted and kept whole; 9 are refused", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const eight = nested(8);
    const made = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ metadata: eight }),
      status: 201,
    });
    const detail = await json<HandoffDetail>(`/api/handoffs/${made.handoff.id}`, {
      cookie: alice,
      status: 200,
    });
    expect(detail.handoff.metadata).toEqual(eight);
    // Arrays are levels too.
    const error = await expectError(
      call("/api/v1/handoffs", {
        key: t.apiKey,
        body: escalation({ metadata: { list: [nested(8)] } }),
      }),
      400,
      "invalid_request",
    );
    expect(error.issues).toEqual([
      { path: "metadata", message: expect.stringContaining("8 levels") },
    ]);
    await expectError(
      call("/api/v1/handoffs", { key: t.apiKey, body: escalation({ metadata: nested(9) }) }),
      400,
      "invalid_request",
    );
  });

  it("16 KiB serialized is accepted; one byte more is refused", async () => {
    const t = await makeTenant();
    const limit = 16 * 1024;
    const fill = (bytes: number) => ({
      pad: "x".repeat(bytes - JSON.stringify({ pad: "" }).length),
    });
    expect(new TextEncoder().encode(JSON.stringify(fill(limit))).byteLength).toBe(limit);
    await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ metadata: fill(limit) }),
      status: 201,
    });
    const error = await expectError(
      call("/api/v1/handoffs", { key: t.apiKey, body: escalation({ metadata: fill(limit + 1) }) }),
      400,
      "invalid_request",
    );
    expect(error.issues).toEqual([
      { path: "metadata", message: expect.stringContaining("16384 bytes") },
    ]);
    // Bytes, not characters: 8,193 two-byte characters are over.
    const wide = { pad: "é".repeat(8193) };
    await expectError(
      call("/api/v1/handoffs", { key: t.apiKey, body: escalation({ metadata: wide }) }),
      400,
      "invalid_request",
    );
  });
});

async function escalateOne(key: string): Promise<string> {
  const made = await json<EscalateResult>("/api/v1/handoffs", {
    key,
    body: escalation({ metadata: { order: 1042 } }),
    status: 201,
  });
  return made.handoff.id as string;
}

describe("metadata is read only where a single handoff is read", () => {
  it("the detail, the bot's read and the escalation answer carry it; list rows and frames do not", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const socket = await AgentSocket.open(alice);
    const metadata = { order: 1042, customer: { tier: "gold", flags: ["vip"] } };
    const made = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ metadata }),
      status: 201,
    });
    expect(made.handoff.metadata).toEqual(metadata);
    const id = made.handoff.id as string;

    expect(
      (await json<HandoffDetail>(`/api/handoffs/${id}`, { cookie: alice, status: 200 })).handoff
        .metadata,
    ).toEqual(metadata);
    expect(
      (await json<BotHandoffAnswer>(`/api/v1/handoffs/${id}`, { key: t.apiKey, status: 200 }))
        .handoff.metadata,
    ).toEqual(metadata);
    const { handoffs } = await json<ListPage>("/api/handoffs", { cookie: alice, status: 200 });
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]).not.toHaveProperty("metadata");

    const created = await socket.next((f) => f.type === "handoff.created");
    expect(created.type === "handoff.created" && created.data.handoff).not.toHaveProperty(
      "metadata",
    );
    await claim(alice, id);
    const updated = await socket.next((f) => f.type === "handoff.updated");
    expect(updated.type === "handoff.updated" && updated.data.handoff).not.toHaveProperty(
      "metadata",
    );
  });

  it("the bot gets it back in its webhooks", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const metadata = { session: "s-42", flow: { step: 3 } };
    const made = await json<EscalateResult>("/api/v1/handoffs", {
      key: t.apiKey,
      body: escalation({ metadata }),
      status: 201,
    });
    const id = made.handoff.id as string;
    await claim(alice, id);
    await json<MessageAnswer>(`/api/handoffs/${id}/messages`, {
      cookie: alice,
      body: { text: "Hello" },
      status: 201,
    });
    await resolve(alice, id);
    // The outbox holds each webhook's body exactly as it is signed and sent.
    const outbox = await hubRows<{ type: string; body: string }>(
      t,
      `SELECT type, body FROM webhooks WHERE handoff_id = ? ORDER BY rowid`,
      id,
    );
    expect(outbox.map((w) => w.type)).toEqual([
      "handoff.claimed",
      "message.created",
      "handoff.resolved",
    ]);
    for (const w of outbox)
      expect(JSON.parse(w.body).data.handoff.metadata, w.type).toEqual(metadata);
  });

  it("deeply nested metadata already stored does not break the list, the detail, the bot's read or a claim", async () => {
    const t = await makeTenant();
    const alice = await login(t.alice);
    const id = await escalateOne(t.apiKey);
    const deep = JSON.stringify(nested(1900));
    await runInDurableObject(hub(t), (_instance, state) => {
      state.storage.sql.exec(`UPDATE handoffs SET metadata = ? WHERE id = ?`, deep, id);
    });
    const { handoffs } = await json<ListPage>("/api/handoffs", { cookie: alice, status: 200 });
    expect(handoffs.map((h: { id: string }) => h.id)).toEqual([id]);
    const detail = await json<HandoffDetail>(`/api/handoffs/${id}`, { cookie: alice, status: 200 });
    expect(JSON.stringify(detail.handoff.metadata)).toBe(deep);
    await json<BotHandoffAnswer>(`/api/v1/handoffs/${id}`, { key: t.apiKey, status: 200 });
    const claimed = await claim(alice, id);
    expect(claimed.handoff.status).toBe("active");
  });
});
