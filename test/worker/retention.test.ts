// The retention sweep with real D1: what is older than the tenant's retention_days is deleted
// (closed handoffs with their messages and audit, contacts left without handoffs, expired
// sessions), what is recent or still open is kept, and other tenants are untouched.
import { env } from "cloudflare:workers";
import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { contacts, handoffEvents, handoffs, messages, sessions } from "../../schema/tables";
import { newId } from "../../worker/src/ids";
import { escalate, fastForward, hubRows, json, login, runAlarm, settle } from "./client";
import { makeTenant, type TestTenant } from "./fixtures";
import type { HandoffAnswer, SettingsAnswer, Stats } from "./answers";

const DAY = 86_400_000;
const db = drizzle(env.DB);

/** Writes a handoff straight into D1 as the mirror would have, with two messages, an audit event and its contact. */
async function seedHandoff(
  t: TestTenant,
  options: {
    status: "queued" | "active" | "resolved" | "expired";
    closedDaysAgo: number;
    contactId?: string;
  },
) {
  const now = Date.now();
  const closedAt = now - options.closedDaysAgo * DAY;
  const id = newId("ho");
  const contactId = options.contactId ?? `contact-${id}`;
  await db.insert(handoffs).values({
    id,
    tenantId: t.id,
    botId: t.botId,
    conversationId: `conv-${id}`,
    status: options.status,
    channel: "whatsapp",
    contactId,
    contactName: "Old Contact",
    tags: "[]",
    priority: "normal",
    metadata: "{}",
    messageCount: 2,
    createdAt: closedAt - 600_000,
    resolvedAt: options.status === "resolved" ? closedAt : null,
    updatedAt: closedAt,
  });
  await db.insert(messages).values([
    {
      id: newId("m"),
      tenantId: t.id,
      handoffId: id,
      sender: "contact",
      text: "hello",
      at: closedAt - 500_000,
    },
    {
      id: newId("m"),
      tenantId: t.id,
      handoffId: id,
      sender: "agent",
      text: "hi",
      at: closedAt - 400_000,
    },
  ]);
  await db.insert(handoffEvents).values({
    id: newId("ev"),
    tenantId: t.id,
    handoffId: id,
    type: "escalated",
    data: "{}",
    at: closedAt - 600_000,
  });
  await db
    .insert(contacts)
    .values({
      tenantId: t.id,
      botId: t.botId,
      channel: "whatsapp",
      externalId: contactId,
      name: "Old Contact",
      updatedAt: closedAt,
    })
    .onConflictDoNothing();
  return id;
}

async function seedSession(t: TestTenant, expiresInMs: number): Promise<string> {
  const id = newId("s");
  await db.insert(sessions).values({
    id,
    userId: t.alice.id,
    tenantId: t.id,
    expiresAt: Date.now() + expiresInMs,
    createdAt: Date.now() - DAY,
  });
  return id;
}

/** What D1 holds of a tenant: handoff ids, and how many messages, events and contacts per handoff. */
async function d1Snapshot(t: TestTenant, ids: string[]) {
  const kept = await db
    .select({ id: handoffs.id })
    .from(handoffs)
    .where(and(eq(handoffs.tenantId, t.id), inArray(handoffs.id, ids)));
  const msgs = await db
    .select({ handoffId: messages.handoffId })
    .from(messages)
    .where(inArray(messages.handoffId, ids));
  const events = await db
    .select({ handoffId: handoffEvents.handoffId })
    .from(handoffEvents)
    .where(inArray(handoffEvents.handoffId, ids));
  const people = await db
    .select({ externalId: contacts.externalId })
    .from(contacts)
    .where(eq(contacts.tenantId, t.id));
  const sess = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(eq(sessions.tenantId, t.id));
  return {
    handoffs: kept.map((r) => r.id).sort(),
    messagesOf: (id: string) => msgs.filter((m) => m.handoffId === id).length,
    eventsOf: (id: string) => events.filter((e) => e.handoffId === id).length,
    contacts: people.map((c) => c.externalId).sort(),
    sessions: sess.map((s) => s.id).sort(),
  };
}

async function sweep(t: TestTenant): Promise<void> {
  await fastForward(t, ["retention"]);
  expect(await runAlarm(t)).toBe(true);
}

describe("retention", () => {
  it("deletes closed handoffs older than retention_days with their transcript, audit and contact; keeps the rest and other tenants'", async () => {
    const [a, b] = await Promise.all([makeTenant(), makeTenant()]);
    const admin = await login(a.admin);
    await json<SettingsAnswer>("/api/admin/settings", {
      method: "PATCH",
      cookie: admin,
      body: { retention_days: 30 },
      status: 200,
    });

    const seed = async (t: TestTenant) => ({
      oldResolved: await seedHandoff(t, { status: "resolved", closedDaysAgo: 45 }),
      oldExpired: await seedHandoff(t, { status: "expired", closedDaysAgo: 31 }),
      recentResolved: await seedHandoff(t, { status: "resolved", closedDaysAgo: 29 }),
      // Escalated long ago and still waiting: open handoffs are never swept.
      oldButOpen: await seedHandoff(t, { status: "active", closedDaysAgo: 60 }),
      // The same contact had an old handoff and a recent one: the contact stays.
      sharedOld: await seedHandoff(t, {
        status: "resolved",
        closedDaysAgo: 40,
        contactId: `shared-${t.id}`,
      }),
      sharedRecent: await seedHandoff(t, {
        status: "expired",
        closedDaysAgo: 2,
        contactId: `shared-${t.id}`,
      }),
      expiredSession: await seedSession(t, -60_000),
      liveSession: await seedSession(t, DAY),
    });
    const [sa, sb] = [await seed(a), await seed(b)];
    // A conversation that went through the object and the mirror today.
    const cookie = await login(a.alice);
    const { handoff: live } = await escalate(a);
    await json<HandoffAnswer>(`/api/handoffs/${live.id}/claim`, {
      method: "POST",
      cookie,
      status: 200,
    });
    await json<HandoffAnswer>(`/api/handoffs/${live.id}/resolve`, {
      cookie,
      body: { outcome: "close" },
      status: 200,
    });
    await settle(a);

    const idsOf = (s: typeof sa) => [
      s.oldResolved,
      s.oldExpired,
      s.recentResolved,
      s.oldButOpen,
      s.sharedOld,
      s.sharedRecent,
    ];
    const before = await d1Snapshot(b, idsOf(sb));
    await sweep(a);

    const after = await d1Snapshot(a, [...idsOf(sa), live.id]);
    expect(after.handoffs).toEqual(
      [sa.recentResolved, sa.oldButOpen, sa.sharedRecent, live.id].sort(),
    );
    for (const gone of [sa.oldResolved, sa.oldExpired, sa.sharedOld]) {
      expect(after.messagesOf(gone)).toBe(0);
      expect(after.eventsOf(gone)).toBe(0);
    }
    for (const kept of [sa.recentResolved, sa.oldButOpen, sa.sharedRecent]) {
      expect(after.messagesOf(kept)).toBe(2);
      expect(after.eventsOf(kept)).toBe(1);
    }
    expect(after.messagesOf(live.id)).toBeGreaterThan(0);
    expect(after.contacts).toEqual(
      [
        `contact-${sa.recentResolved}`,
        `contact-${sa.oldButOpen}`,
        `shared-${a.id}`,
        live.contact.id,
      ].sort(),
    );
    expect(after.sessions).toContain(sa.liveSession);
    expect(after.sessions).not.toContain(sa.expiredSession);

    // Tenant B had the same old data and nobody swept it.
    const untouched = await d1Snapshot(b, idsOf(sb));
    expect(untouched.handoffs).toEqual(before.handoffs);
    expect(untouched.handoffs).toHaveLength(6);
    expect(untouched.contacts).toEqual(before.contacts);
    expect(untouched.sessions).toEqual([sb.expiredSession, sb.liveSession].sort());
    for (const id of idsOf(sb))
      expect([untouched.messagesOf(id), untouched.eventsOf(id)]).toEqual([2, 1]);

    // Done for now: the next sweep is a day away.
    const [timer] = await hubRows<{ due_at: number }>(
      a,
      `SELECT due_at FROM timers WHERE kind = 'retention'`,
    );
    expect(timer!.due_at).toBeGreaterThan(Date.now() + DAY - 60_000);
  });

  it("by default keeps a year: 40-day-old history stays, 400-day-old goes", async () => {
    const t = await makeTenant();
    const cookie = await login(t.alice);
    await escalate(t); // the tenant object learns which tenant it is
    await settle(t);
    const recent = await seedHandoff(t, { status: "resolved", closedDaysAgo: 40 });
    const ancient = await seedHandoff(t, { status: "expired", closedDaysAgo: 400 });
    await sweep(t);
    const after = await d1Snapshot(t, [recent, ancient]);
    expect(after.handoffs).toEqual([recent]);
    expect(after.messagesOf(ancient)).toBe(0);
    expect(await json<Stats>("/api/stats", { cookie, status: 200 })).toMatchObject({ queued: 1 });
  });

  it("works through more than one batch in a run", async () => {
    const t = await makeTenant();
    const admin = await login(t.admin);
    await json<SettingsAnswer>("/api/admin/settings", {
      method: "PATCH",
      cookie: admin,
      body: { retention_days: 1 },
      status: 200,
    });
    const old = [];
    for (let i = 0; i < 60; i++)
      old.push(await seedHandoff(t, { status: i % 2 ? "resolved" : "expired", closedDaysAgo: 3 }));
    const kept = await seedHandoff(t, { status: "resolved", closedDaysAgo: 0 });
    await sweep(t);
    const after = await d1Snapshot(t, [...old, kept]);
    expect(after.handoffs).toEqual([kept]);
    expect(old.map(after.messagesOf).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
