// Helpers for the history tests: drive the object's outboxes to completion, run housekeeping
// as if at a later time, and count rows in the object and in D1.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import {
  housekeep,
  type HousekeepingOptions,
  type HousekeepingReport,
} from "../../worker/src/tenant/housekeeping";
import { hub } from "./client";
import type { TestTenant } from "./fixtures";

export const DAY_MS = 86_400_000;
export const OBJECT_TABLES = [
  "handoffs",
  "messages",
  "audit",
  "webhooks",
  "inbound",
  "feed",
  "timers",
  "mirror",
] as const;

/**
 * Runs the object's alarm, with its webhook and/or mirror timers made due each round, until none
 * of them is left; fails if work is still pending after `maxRounds` (a stuck outbox).
 */
export async function drain(
  t: TestTenant,
  kinds: ("webhook" | "mirror")[] = ["webhook", "mirror"],
  maxRounds = 2_000,
): Promise<number> {
  const list = kinds.map((k) => `'${k}'`).join(", ");
  return runInDurableObject(hub(t), async (instance, state) => {
    for (let round = 0; round < maxRounds; round++) {
      // Work an earlier run left going (webhook attempts) ends first: its timers are leased meanwhile.
      await instance.alarms.settled();
      const left = state.storage.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM timers WHERE kind IN (${list})`)
        .one().n;
      if (left === 0) return round;
      state.storage.sql.exec(
        `UPDATE timers SET due_at = ? WHERE kind IN (${list})`,
        Date.now() - 1,
      );
      await state.storage.deleteAlarm();
      await instance.alarm();
    }
    throw new Error(`${kinds.join(" / ")} work still pending after ${maxRounds} alarm runs`);
  });
}

/** One housekeeping run as the alarm makes it, with the clock at `now` (a later day). */
export async function housekeepAt(
  t: TestTenant,
  now: number,
  options: HousekeepingOptions = {},
): Promise<HousekeepingReport> {
  return runInDurableObject(hub(t), (instance) => housekeep(instance["core"], now, options));
}

/** How many rows each of the object's tables holds. */
export async function objectCounts(
  t: TestTenant,
): Promise<Record<(typeof OBJECT_TABLES)[number], number>> {
  return runInDurableObject(hub(t), (_instance, state) => {
    const count = (table: string) =>
      state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
    return Object.fromEntries(OBJECT_TABLES.map((table) => [table, count(table)])) as Record<
      (typeof OBJECT_TABLES)[number],
      number
    >;
  });
}

/** Row ids the object holds for one handoff, table by table. */
export async function objectRowsFor(
  t: TestTenant,
  handoffId: string,
): Promise<Record<string, number>> {
  return runInDurableObject(hub(t), (_instance, state) => {
    const count = (query: string) =>
      state.storage.sql.exec<{ n: number }>(query, handoffId).one().n;
    return {
      handoffs: count(`SELECT COUNT(*) AS n FROM handoffs WHERE id = ?`),
      messages: count(`SELECT COUNT(*) AS n FROM messages WHERE handoff_id = ?`),
      events: count(`SELECT COUNT(*) AS n FROM audit WHERE handoff_id = ?`),
      webhooks: count(`SELECT COUNT(*) AS n FROM webhooks WHERE handoff_id = ?`),
      inbound: count(`SELECT COUNT(*) AS n FROM inbound WHERE handoff_id = ?`),
    };
  });
}

/** How many of the tenant's rows D1 holds in each transcript table. */
export async function d1Counts(
  t: TestTenant,
): Promise<{ handoffs: number; messages: number; audit: number }> {
  const count = async (table: string) =>
    (
      await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?`)
        .bind(t.id)
        .first<{ n: number }>()
    )?.n ?? 0;
  return {
    handoffs: await count("handoffs"),
    messages: await count("messages"),
    audit: await count("handoff_events"),
  };
}
