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
 * Seconds a handoff at `position` will likely wait: the queue's recent pace of claims (how many
 * in the time since the oldest of them) applied to the handoffs ahead and itself. Null with no
 * recent claim to judge by: we would rather say nothing than guess.
 */
function estimate(core: TenantCore, teamId: string | null, position: number, now: number) {
  const since = now - RECENT_WINDOW_MS;
  const claims = core.sql.all<{ claimed_at: number }>(
    teamId === null
      ? `SELECT claimed_at FROM handoffs WHERE claimed_at > ? ORDER BY claimed_at DESC LIMIT ${RECENT_CLAIMS}`
      : `SELECT claimed_at FROM handoffs WHERE claimed_at > ? AND team_id = ? ORDER BY claimed_at DESC LIMIT ${RECENT_CLAIMS}`,
    ...(teamId === null ? [since] : [since, teamId]),
  );
  const oldest = claims[claims.length - 1];
  if (!oldest) return null;
  const perClaimMs = Math.max(now - oldest.claimed_at, MIN_SPAN_MS) / claims.length;
  return Math.round((position * perClaimMs) / 1000);
}

/** Where each queued handoff among `handoffs` stands; the others come back unchanged. */
export function withQueuePlaces<T extends Handoff>(
  core: TenantCore,
  handoffs: T[],
  now: number,
): T[] {
  if (!handoffs.some((h) => h.status === "queued")) return handoffs;
  const queued = core.sql.all<{ id: string; team_id: string | null }>(
    `SELECT id, team_id FROM handoffs WHERE status = 'queued' ORDER BY ${SERVING_ORDER}`,
  );
  const positions = new Map<string, number>();
  const perTeam = new Map<string, number>();
  queued.forEach((row, index) => {
    if (row.team_id === null) return positions.set(row.id, index + 1);
    const position = (perTeam.get(row.team_id) ?? 0) + 1;
    perTeam.set(row.team_id, position);
    positions.set(row.id, position);
  });
  const estimates = new Map<string, number | null>();
  return handoffs.map((handoff) => {
    const position = handoff.status === "queued" ? positions.get(handoff.id) : undefined;
    if (position === undefined) return handoff;
    const teamId = handoff.team?.id ?? null;
    const key = `${teamId ?? ""}:${position}`;
    if (!estimates.has(key)) estimates.set(key, estimate(core, teamId, position, now));
    const place: QueuePlace = { position, estimated_wait_seconds: estimates.get(key) ?? null };
    return { ...handoff, queue: place };
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
  const position = ahead + 1;
  return {
    ...handoff,
    queue: { position, estimated_wait_seconds: estimate(core, teamId, position, now) },
  };
}
