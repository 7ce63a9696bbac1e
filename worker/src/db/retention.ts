// D1 deletes for the retention sweep, one tenant at a time and in bounded batches.
import { and, eq, inArray, lt, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { handoffEvents, handoffs, messages, sessions } from "../../../schema/tables";

/**
 * Deletes up to `limit` of the tenant's handoffs that closed (resolved, or expired) before
 * `cutoff`, with their messages and audit events, in one batch. Answers how many it deleted.
 */
export async function deleteClosedHandoffs(
  d1: D1Database,
  tenantId: string,
  cutoff: number,
  limit: number,
): Promise<number> {
  const db = drizzle(d1);
  // An expired handoff has no resolved_at: it closed when it was last updated (the expiry).
  const closedAt = sql`COALESCE(${handoffs.resolvedAt}, ${handoffs.updatedAt})`;
  const rows = await db
    .select({ id: handoffs.id })
    .from(handoffs)
    .where(
      and(
        eq(handoffs.tenantId, tenantId),
        inArray(handoffs.status, ["resolved", "expired"]),
        lt(closedAt, cutoff),
      ),
    )
    .limit(limit);
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return 0;
  await db.batch([
    db
      .delete(messages)
      .where(and(eq(messages.tenantId, tenantId), inArray(messages.handoffId, ids))),
    db
      .delete(handoffEvents)
      .where(and(eq(handoffEvents.tenantId, tenantId), inArray(handoffEvents.handoffId, ids))),
    db.delete(handoffs).where(and(eq(handoffs.tenantId, tenantId), inArray(handoffs.id, ids))),
  ]);
  return ids.length;
}

/**
 * Deletes the tenant's contacts that have no handoff left and have not been seen since
 * `cutoff` (a contact is personal data: it goes with the last conversation that needed it).
 */
export async function deleteOrphanContacts(
  d1: D1Database,
  tenantId: string,
  cutoff: number,
  limit: number,
): Promise<number> {
  const result = await d1
    .prepare(
      `DELETE FROM contacts WHERE rowid IN (
         SELECT c.rowid FROM contacts c
         WHERE c.tenant_id = ? AND c.updated_at < ?
           AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h.bot_id = c.bot_id AND h.contact_id = c.external_id AND h.channel = c.channel)
         LIMIT ?)`,
    )
    .bind(tenantId, cutoff, limit)
    .run();
  return result.meta.changes;
}

/** Deletes the tenant's sessions that have expired (they no longer log anyone in). */
export async function deleteExpiredSessions(
  d1: D1Database,
  tenantId: string,
  now: number,
): Promise<void> {
  await drizzle(d1)
    .delete(sessions)
    .where(and(eq(sessions.tenantId, tenantId), lte(sessions.expiresAt, now)));
}
