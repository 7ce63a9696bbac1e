// Where each queued row stands in its queue, kept current on the client. The server says where a
// handoff stood when it last sent the row; rows behind a claimed one move up without a frame of
// their own, so the positions are recomputed from the rows the inbox holds.
import type { Handoff, Priority, QueuePlace } from "#schema/shapes";

const PRIORITY_ORDER: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** The order a queue is served in: higher priority first, then oldest, then id. */
export function byQueueOrder(a: Handoff, b: Handoff): number {
  return (
    PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] ||
    (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The place of every queued handoff that came with one. `complete` says the rows hold the whole
 * queue (no search, not only mine, not cut at the page limit): positions are then counted from
 * them — a team's handoff among its team's queued ones, a handoff without a team among all queued
 * ones (the tenant's queue) — and the server's estimate is scaled by the new position. Otherwise
 * the server's figures stand as they came.
 */
export function queuePlaces(
  handoffs: Iterable<Handoff>,
  complete: boolean,
): Map<string, QueuePlace> {
  const queued = [...handoffs].filter((h) => h.status === "queued");
  const places = new Map<string, QueuePlace>();
  if (!complete) {
    for (const h of queued) if (h.queue) places.set(h.id, h.queue);
    return places;
  }
  queued.sort(byQueueOrder);
  const aheadInTeam = new Map<string, number>();
  queued.forEach((h, index) => {
    let position = index + 1;
    if (h.team) {
      position = (aheadInTeam.get(h.team.id) ?? 0) + 1;
      aheadInTeam.set(h.team.id, position);
    }
    if (h.queue) places.set(h.id, { position, estimated_wait_seconds: scaled(h.queue, position) });
  });
  return places;
}

/** The server's estimate per place in the queue, times the new place. */
function scaled(place: QueuePlace, position: number): number | null {
  const estimate = place.estimated_wait_seconds;
  if (estimate === null || place.position < 1 || position === place.position) return estimate;
  return Math.round((estimate / place.position) * position);
}
