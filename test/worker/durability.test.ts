// The transcript's way into D1: every change the tenant object acknowledges is written to D1 by
// the alarm, retried while D1 fails, and never lost or doubled. D1 is broken for real here (its
// tables renamed away), so storage is restored after each test even when the test fails.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import {
  claim,
  detail,
  fastForward,
  hub,
  hubRows,
  timerDue,
  json,
  login,
  runAlarm,
  escalate,
  settle,
} from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { ContactMessageResult, HandoffAnswer, MessageAnswer, RoutedToAgent } from "./answers";

const BROKEN = ["messages", "handoffs"] as const;

async function tableExists(name: string): Promise<boolean> {
  const row = await env.DB.prepare(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`,
  )
    .bind(name)
    .first();
  return row !== null;
}

async function breakD1(): Promise<void> {
  for (const table of BROKEN)
    await env.DB.prepare(`ALTER TABLE ${table} RENAME TO ${table}_offline`).run();
}

async function restoreD1(): Promise<void> {
  for (const table of BROKEN) {
    if (await tableExists(`${table}_offline`))
      await env.DB.prepare(`ALTER TABLE ${table}_offline RENAME TO ${table}`).run();
  }
}

afterEach(restoreD1);

async function d1<T = Record<string, unknown>>(query: string, ...args: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(query)
      .bind(...args)
      .all<T>()
  ).results;
}

/**
 * After D1 is back: the retry the mirror armed for itself after the failure is made due (its
 * backoff passing; nothing is made due when it armed none), then the mirror runs on its own timers, batch after batch, until it has
 * nothing left. A mirror that forgot to re-arm itself would leave marks behind and fail here.
 */
async function flushToD1(t: TestTenant): Promise<void> {
  await fastForward(t, ["mirror"]);
  await runAlarm(t);
  await settle(t);
  expect(await hubRows(t, `SELECT kind, id FROM mirror`)).toEqual([]);
}

describe("D1 mirror", () => {
  it("no acknowledged message is lost or doubled while D1 is failing", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    let handoffId = "";
    const texts = ["first", "second", "third", "fourth", "fifth"];
    try {
      await breakD1();
      const created = await escalate(t, { conversation_id: "conv-d1" });
      handoffId = created.handoff.id;
      const acked: { id: string; text: string }[] = [];
      for (const [i, text] of texts.entries()) {
        const res = await json<RoutedToAgent>("/api/v1/messages", {
          key: t.apiKey,
          body: { conversation_id: "conv-d1", id: `d1-${i}`, text },
          status: 202,
        });
        expect(res).toMatchObject({ route: "agent", handoff_id: handoffId });
        acked.push({ id: res.message.id, text });
      }
      // A resend of an acknowledged message is the same message, not a new one.
      const resent = await json<RoutedToAgent>("/api/v1/messages", {
        key: t.apiKey,
        body: { conversation_id: "conv-d1", id: "d1-0", text: "first" },
        status: 202,
      });
      expect(resent.message.id).toBe(acked[0]!.id);
      await claim(cookie, handoffId);
      const reply = await json<MessageAnswer>(`/api/handoffs/${handoffId}/messages`, {
        cookie,
        body: { text: "On it." },
        status: 201,
      });
      acked.push({ id: reply.message.id, text: "On it." });

      // The alarm tries to write to D1 and fails: the changes stay marked, with a retry armed.
      await fastForward(t, ["mirror"]);
      await runAlarm(t);
      expect(
        (await hubRows<{ id: string }>(t, `SELECT id FROM mirror WHERE kind = 'message'`)).map(
          (r) => r.id,
        ),
      ).toEqual(expect.arrayContaining(acked.map((m) => m.id)));
      // The retry backs off: it is armed for later, not for now.
      expect(await timerDue(t, "mirror", "")).toBeGreaterThan(Date.now());
      expect(await d1(`SELECT id FROM handoffs_offline WHERE id = ?`, handoffId)).toEqual([]);
      expect(await d1(`SELECT id FROM messages_offline WHERE handoff_id = ?`, handoffId)).toEqual(
        [],
      );

      // Agents still read the whole transcript while D1 is down.
      const live = await detail(cookie, handoffId);
      expect(live.handoff).toMatchObject({ status: "active", message_count: 8 });
      expect(live.messages.map((m) => m.id)).toEqual(
        expect.arrayContaining(acked.map((m) => m.id)),
      );

      await restoreD1();
      await flushToD1(t);

      // Every message of the transcript is in D1 exactly once, with its text and sender.
      const rows = await d1<{
        id: string;
        tenant_id: string;
        text: string;
        sender: string;
        external_id: string | null;
      }>(
        `SELECT id, tenant_id, text, sender, external_id FROM messages WHERE handoff_id = ? ORDER BY at, rowid`,
        handoffId,
      );
      const transcript = (await detail(cookie, handoffId)).messages;
      expect(rows.map((r) => r.id).sort()).toEqual(transcript.map((m) => m.id).sort());
      for (const m of acked)
        expect(
          rows.filter((r) => r.id === m.id),
          m.text,
        ).toEqual([expect.objectContaining({ text: m.text, tenant_id: t.id })]);
      for (const [i, text] of texts.entries()) {
        expect(
          rows.filter((r) => r.text === text),
          text,
        ).toEqual([expect.objectContaining({ sender: "contact", external_id: `d1-${i}` })]);
      }
      expect(rows.filter((r) => r.text === "On it.")).toEqual([
        expect.objectContaining({ sender: "agent" }),
      ]);

      const [row] = await d1<{
        status: string;
        message_count: number;
        tenant_id: string;
        assignee_id: string;
      }>(
        `SELECT status, message_count, tenant_id, assignee_id FROM handoffs WHERE id = ?`,
        handoffId,
      );
      expect(row).toEqual({
        status: "active",
        message_count: 8,
        tenant_id: t.id,
        assignee_id: t.alice.id,
      });
      expect(
        (
          await d1(
            `SELECT type FROM handoff_events WHERE handoff_id = ? ORDER BY at, rowid`,
            handoffId,
          )
        ).map((e) => e.type),
      ).toEqual(["escalated", "claimed"]);
    } finally {
      await restoreD1();
    }
  });

  it("changes marked while D1 was failing are written after the object restarts", async () => {
    const t = await makeTenant();
    let handoffId = "";
    try {
      await breakD1();
      handoffId = (await escalate(t, { conversation_id: "conv-restart" })).handoff.id;
      const ids: string[] = [];
      for (const text of ["one", "two", "three"]) {
        const res = await json<RoutedToAgent>("/api/v1/messages", {
          key: t.apiKey,
          body: { conversation_id: "conv-restart", id: `r-${text}`, text },
          status: 202,
        });
        ids.push(res.message.id);
      }
      await fastForward(t, ["mirror"]);
      await runAlarm(t);
      expect(
        (await hubRows(t, `SELECT id FROM mirror WHERE kind = 'message'`)).length,
      ).toBeGreaterThanOrEqual(3);

      await evictDurableObject(hub(t));
      await restoreD1();
      await flushToD1(t);

      const rows = await d1<{ id: string; text: string }>(
        `SELECT id, text FROM messages WHERE handoff_id = ? AND sender = 'contact' ORDER BY at, rowid`,
        handoffId,
      );
      expect(rows.filter((r) => ids.includes(r.id)).map((r) => r.text)).toEqual([
        "one",
        "two",
        "three",
      ]);
      const [row] = await d1(
        `SELECT status, message_count, tenant_id FROM handoffs WHERE id = ?`,
        handoffId,
      );
      expect(row).toEqual({ status: "queued", message_count: 5, tenant_id: t.id });
    } finally {
      await restoreD1();
    }
  });

  it("a long escalation history is written to D1 in full", async () => {
    const t = await makeTenant();
    const history = Array.from({ length: 300 }, (_, i) => ({
      id: `h-${i}`,
      from: i % 2 ? "bot" : "contact",
      text: `history line ${i}`,
    }));
    const { handoff } = await escalate(t, { conversation_id: "conv-long", history });
    expect(handoff.message_count).toBe(300);
    // 303 marks (the handoff, 301 messages, the audit event): four batches, each arming the next.
    await settle(t);
    expect(await hubRows(t, `SELECT kind, id FROM mirror`)).toEqual([]);
    const rows = await d1<{ text: string; external_id: string | null }>(
      `SELECT text, external_id FROM messages WHERE handoff_id = ? ORDER BY at, rowid`,
      handoff.id,
    );
    expect(rows).toHaveLength(301);
    expect(rows.slice(0, 300).map((r) => r.external_id)).toEqual(history.map((h) => h.id));
    expect(rows.slice(0, 300).map((r) => r.text)).toEqual(history.map((h) => h.text));
    const [row] = await d1(`SELECT message_count FROM handoffs WHERE id = ?`, handoff.id);
    expect(row).toEqual({ message_count: 300 });
  });

  it("a lifecycle lands in D1: handoff, contact, transcript and audit trail, all with the tenant id", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    const { handoff } = await escalate(t, {
      conversation_id: "conv-mirror",
      contact: {
        id: "wa-42",
        name: "Maria Lopez",
        phone: "+34 600 000 000",
        email: "maria@example.test",
      },
    });
    await json<RoutedToAgent>("/api/v1/messages", {
      key: t.apiKey,
      body: { conversation_id: "conv-mirror", id: "m-1", text: "Are you there?" },
      status: 202,
    });
    await claim(cookie, handoff.id);
    const reply = await json<MessageAnswer>(`/api/handoffs/${handoff.id}/messages`, {
      cookie,
      body: { text: "Yes, hello!" },
      status: 201,
    });
    await json<HandoffAnswer>(`/api/handoffs/${handoff.id}/resolve`, {
      cookie,
      body: { outcome: "close", note: "done" },
      status: 200,
    });
    await runAlarm(t);
    await settle(t);

    const full = await detail(cookie, handoff.id);
    const [h] = await d1<Record<string, unknown>>(
      `SELECT * FROM handoffs WHERE id = ?`,
      handoff.id,
    );
    expect(h).toMatchObject({
      tenant_id: t.id,
      bot_id: t.botId,
      conversation_id: "conv-mirror",
      status: "resolved",
      outcome: "close",
      note: "done",
      assignee_id: t.alice.id,
      assignee_name: "Alice",
      contact_id: "wa-42",
      message_count: full.handoff.message_count,
      created_at: Date.parse(full.handoff.created_at),
      claimed_at: Date.parse(full.handoff.claimed_at!),
      resolved_at: Date.parse(full.handoff.resolved_at!),
    });

    const contacts = await d1(`SELECT * FROM contacts WHERE tenant_id = ?`, t.id);
    expect(contacts).toEqual([
      expect.objectContaining({
        tenant_id: t.id,
        bot_id: t.botId,
        channel: "whatsapp",
        external_id: "wa-42",
        name: "Maria Lopez",
        phone: "+34 600 000 000",
        email: "maria@example.test",
      }),
    ]);

    const messages = await d1<{
      id: string;
      tenant_id: string;
      sender: string;
      text: string;
      delivery: string | null;
    }>(
      `SELECT id, tenant_id, sender, text, delivery FROM messages WHERE handoff_id = ? ORDER BY at, rowid`,
      handoff.id,
    );
    expect(messages.map((m) => `${m.sender}:${m.text}`)).toEqual(
      full.messages.map((m) => `${m.from}:${m.text}`),
    );
    expect(messages.every((m) => m.tenant_id === t.id)).toBe(true);
    // The reply's delivery status reached D1 once the bot took the webhook.
    expect(messages.find((m) => m.id === reply.message.id)?.delivery).toBe("delivered");

    const events = await d1<{ type: string; tenant_id: string; actor_id: string | null }>(
      `SELECT type, tenant_id, actor_id FROM handoff_events WHERE handoff_id = ? ORDER BY at, rowid`,
      handoff.id,
    );
    expect(events).toEqual([
      { type: "escalated", tenant_id: t.id, actor_id: null },
      { type: "claimed", tenant_id: t.id, actor_id: t.alice.id },
      { type: "resolved", tenant_id: t.id, actor_id: t.alice.id },
    ]);
  });
});
