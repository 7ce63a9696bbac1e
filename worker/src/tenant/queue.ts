// The queue as the contact sees it: where a waiting handoff stands and about how long it will
// wait. A team handoff waits in its team's queue, any other in the tenant's (every queued
// handoff). The order is the serving order of auto-routing: priority, then age.
import { PRIORITIES } from "../../../schema/vocabulary";
import type { Handoff, QueuePlace } from "../../../schema/shapes";
import type { TenantCore } from "./core";

/** SQL ranking priorities for the serving order: 0 is served first (urgent). */
export const PRIORITY_RANK = `CASE priority ${[...PRIORITIES]
  .reverse()
  .map((p, rank) => `WHEN '${p}' THEN ${rank}`)
  .join(" ")} END`;

/** ORDER BY of the queue: priority, then the oldest escalation, then id (stable). */
export const SERVING_ORDER = `${PRIORITY_RANK}, created_at, id`;

/** Claims an estimate is drawn from: the queue's latest, within a day. */
const RECENT_CLAIMS = 20;
const RECENT_WINDOW_MS = 24 * 60 * 60 * 1000;
/** An estimate from claims only moments apart would promise the impossible. */
const MIN_SPAN_MS = 60_000;

/**
 * The queue's recent pace: milliseconds per claim over its latest claims (how many in the time
 * since the oldest of them). Null with no recent claim to judge by: we would rather say nothing
 * than guess.
 */
function pace(core: TenantCore, teamId: string | null, now: number): number | null {
  const since = now - RECENT_WINDOW_MS;
  const claims = core.sql.all<{ claimed_at: number }>(
    teamId === null
      ? `SELECT claimed_at FROM handoffs WHERE claimed_at > ? ORDER BY claimed_at DESC LIMIT ${RECENT_CLAIMS}`
      : `SELECT claimed_at FROM handoffs WHERE claimed_at > ? AND team_id = ? ORDER BY claimed_at DESC LIMIT ${RECENT_CLAIMS}`,
    ...(teamId === null ? [since] : [since, teamId]),
  );
  const oldest = claims[claims.length - 1];
  return oldest ? Math.max(now - oldest.claimed_at, MIN_SPAN_MS) / claims.length : null;
}

/** About how long a handoff at `position` waits: the handoffs ahead and itself, at the queue's pace. */
const place = (position: number, msPerClaim: number | null): QueuePlace => ({
  position,
  estimated_wait_seconds: msPerClaim === null ? null : Math.round((position * msPerClaim) / 1000),
});

/** Where each queued handoff among `handoffs` stands; the others come back unchanged. */
export function withQueuePlaces<T extends Handoff>(
  core: TenantCore,
  handoffs: T[],
  now: number,
): T[] {
  const ids = handoffs.filter((h) => h.status === "queued").map((h) => h.id);
  if (ids.length === 0) return handoffs;
  // Ranked inside SQLite: only the rows asked about come back, however long the queue.
  const ranked = core.sql.all<{
    id: string;
    team_id: string | null;
    overall: number;
    in_team: number;
  }>(
    `SELECT id, team_id, overall, in_team FROM (
       SELECT id, team_id,
         ROW_NUMBER() OVER (ORDER BY ${SERVING_ORDER}) AS overall,
         ROW_NUMBER() OVER (PARTITION BY team_id ORDER BY ${SERVING_ORDER}) AS in_team
       FROM handoffs WHERE status = 'queued')
     WHERE id IN (SELECT value FROM json_each(?))`,
    JSON.stringify(ids),
  );
  const positions = new Map(
    ranked.map((row) => [row.id, row.team_id === null ? row.overall : row.in_team]),
  );
  const paces = new Map<string | null, number | null>();
  return handoffs.map((handoff) => {
    const position = positions.get(handoff.id);
    if (position === undefined) return handoff;
    const teamId = handoff.team?.id ?? null;
    if (!paces.has(teamId)) paces.set(teamId, pace(core, teamId, now));
    return { ...handoff, queue: place(position, paces.get(teamId) ?? null) };
  });
}

/** One handoff with its queue place, if it is queued: counted in SQL, no row read per handoff ahead. */
export function withQueuePlace<T extends Handoff>(core: TenantCore, handoff: T, now: number): T {
  if (handoff.status !== "queued") return handoff;
  const teamId = handoff.team?.id ?? null;
  const rank = PRIORITIES.length - 1 - PRIORITIES.indexOf(handoff.priority);
  const createdAt = Date.parse(handoff.created_at);
  const ahead =
    core.sql.first<{ n: number }>(
      `SELECT COUNT(*) AS n FROM handoffs WHERE status = 'queued' AND (? IS NULL OR team_id = ?)
         AND (${PRIORITY_RANK} < ? OR (${PRIORITY_RANK} = ? AND (created_at < ? OR (created_at = ? AND id < ?))))`,
      teamId,
      teamId,
      rank,
      rank,
      createdAt,
      createdAt,
      handoff.id,
    )?.n ?? 0;
  return { ...handoff, queue: place(ahead + 1, pace(core, teamId, now)) };
}
