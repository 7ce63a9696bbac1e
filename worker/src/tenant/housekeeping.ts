// Keeps the tenant object small: closed handoffs leave it a few days after closing (D1 already
// holds them and serves history), and idempotency records and settled webhooks are swept after
// their windows, and so are expired sessions. Runs from the object's alarm as the `housekeeping` timer; all synchronous SQL.
import type { TenantCore } from "./core";
import { VISITOR_TTL_MS } from "./visitors";

const DAY_MS = 24 * 3_600_000;

/** Closed (resolved/expired) handoffs stay in the object this long after their last change. */
export const KEEP_CLOSED_DAYS = 3;
/** Contact message ids are remembered this long, so a resend within it is answered the same. */
export const KEEP_INBOUND_MS = 7 * DAY_MS;
/** Delivered or failed webhooks are kept this long after settling, for inspection. */
export const KEEP_SETTLED_WEBHOOKS_MS = DAY_MS;
/** How often housekeeping runs while there is anything it may one day remove. */
export const HOUSEKEEPING_EVERY_MS = 3_600_000;
/** Handoffs removed per statement, and at most per run (the rest go in a run right after). */
const PRUNE_BATCH = 200;
const PRUNE_PER_RUN = 2_000;

export interface HousekeepingOptions {
  /** Keep closed handoffs fewer days than the default (a tenant's shorter retention); never more. */
  keepClosedDays?: number;
}

export interface HousekeepingReport {
  handoffs: number;
  inbound: number;
  webhooks: number;
  sessions: number;
}

/** Arms the periodic run unless one is already pending (cheap: no write when it exists). */
export function armHousekeeping(core: TenantCore, now: number): void {
  core.timers.setIfAbsent("housekeeping", "", now + HOUSEKEEPING_EVERY_MS);
}

/** The timer's handler: one bounded run, then the next one armed while anything is left to age out. */
export function housekeep(
  core: TenantCore,
  now: number,
  options: HousekeepingOptions = {},
): HousekeepingReport {
  const asked = options.keepClosedDays;
  const keepDays =
    asked !== undefined && Number.isFinite(asked)
      ? Math.min(Math.max(asked, 0), KEEP_CLOSED_DAYS)
      : KEEP_CLOSED_DAYS;
  const handoffs = pruneClosedHandoffs(core, now - keepDays * DAY_MS, PRUNE_PER_RUN);
  const inbound = core.sql.run(`DELETE FROM inbound WHERE at < ?`, now - KEEP_INBOUND_MS);
  const webhooks = core.sql.run(
    `DELETE FROM webhooks WHERE status IN ('delivered', 'failed') AND COALESCE(delivered_at, created_at) < ?`,
    now - KEEP_SETTLED_WEBHOOKS_MS,
  );
  const sessions = core.access.sweepSessions(now);
  sweepChannelTraffic(core, now);
  core.feed.prune(now);
  if (handoffs === PRUNE_PER_RUN) core.timers.set("housekeeping", "", now);
  else if (hasAgingRows(core)) core.timers.set("housekeeping", "", now + HOUSEKEEPING_EVERY_MS);
  else core.timers.clear("housekeeping", "");
  return { handoffs, inbound, webhooks, sessions };
}

/**
 * Removes handoffs closed (last changed) before `closedBefore` together with their messages,
 * audit entries, settled webhooks and inbound-id records — but only those with nothing still
 * pending: every change already written to D1 and no webhook still to deliver. Returns how many.
 */
export function pruneClosedHandoffs(
  core: TenantCore,
  closedBefore: number,
  max = PRUNE_PER_RUN,
): number {
  let removed = 0;
  while (removed < max) {
    const ids = core.sql
      .all<{ id: string }>(
        `SELECT h.id AS id FROM handoffs h
         WHERE h.status IN ('resolved', 'expired') AND h.updated_at < ?
           AND NOT EXISTS (SELECT 1 FROM mirror k WHERE k.kind = 'handoff' AND k.id = h.id)
           AND NOT EXISTS (SELECT 1 FROM messages m JOIN mirror k ON k.kind = 'message' AND k.id = m.id WHERE m.handoff_id = h.id)
           AND NOT EXISTS (SELECT 1 FROM audit e JOIN mirror k ON k.kind = 'audit' AND k.id = e.id WHERE e.handoff_id = h.id)
           AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.handoff_id = h.id AND w.status = 'pending')
         ORDER BY h.updated_at LIMIT ?`,
        closedBefore,
        Math.min(PRUNE_BATCH, max - removed),
      )
      .map((r) => r.id);
    if (ids.length === 0) break;
    const list = JSON.stringify(ids);
    const inList = `IN (SELECT value FROM json_each(?))`;
    core.sql.run(`DELETE FROM messages WHERE handoff_id ${inList}`, list);
    core.sql.run(`DELETE FROM audit WHERE handoff_id ${inList}`, list);
    core.sql.run(`DELETE FROM webhooks WHERE handoff_id ${inList}`, list);
    core.sql.run(`DELETE FROM inbound WHERE handoff_id ${inList}`, list);
    core.sql.run(`DELETE FROM timers WHERE kind IN ('expire', 'remind') AND ref ${inList}`, list);
    core.sql.run(`DELETE FROM handoffs WHERE id ${inList}`, list);
    removed += ids.length;
  }
  return removed;
}

/**
 * Channel traffic ages like bot traffic: provider ids are remembered (for redeliveries) and
 * conversation lines kept (for a handoff's history) as long as inbound ids; settled sends a day.
 */
function sweepChannelTraffic(core: TenantCore, now: number): void {
  core.sql.run(`DELETE FROM channel_inbound WHERE at < ?`, now - KEEP_INBOUND_MS);
  // A website visitor comes back with their token (up to VISITOR_TTL_MS after their last visit)
  // and expects the conversation: their lines stay while the token lives.
  core.sql.run(
    `DELETE FROM conversation_log WHERE at < ? AND (at < ? OR conversation_id NOT IN
       (SELECT conversation_id FROM visitors WHERE expires_at >= ?))`,
    now - KEEP_INBOUND_MS,
    now - VISITOR_TTL_MS,
    now,
  );
  core.sql.run(
    `DELETE FROM channel_sends WHERE status != 'pending' AND created_at < ?`,
    now - KEEP_SETTLED_WEBHOOKS_MS,
  );
  // Website visitors: frames for resume and tokens past their time.
  core.sql.run(`DELETE FROM visitor_frames WHERE at < ?`, now - KEEP_INBOUND_MS);
  core.sql.run(`DELETE FROM visitors WHERE expires_at < ?`, now);
  core.sql.run(
    `DELETE FROM visitor_places WHERE handoff_id NOT IN (SELECT id FROM handoffs WHERE status = 'queued')`,
  );
}

/** Anything a later run would remove: a closed handoff, an inbound record, a settled webhook. */
function hasAgingRows(core: TenantCore): boolean {
  return (
    core.sql.first<{ any: number }>(
      `SELECT EXISTS (SELECT 1 FROM handoffs WHERE status IN ('resolved', 'expired'))
           OR EXISTS (SELECT 1 FROM inbound)
           OR EXISTS (SELECT 1 FROM channel_inbound)
           OR EXISTS (SELECT 1 FROM conversation_log)
           OR EXISTS (SELECT 1 FROM visitors)
           OR EXISTS (SELECT 1 FROM channel_sends WHERE status != 'pending')
           OR EXISTS (SELECT 1 FROM webhooks WHERE status IN ('delivered', 'failed')) AS any`,
    )?.any === 1
  );
}
