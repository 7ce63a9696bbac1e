// The rules of auto-routing (api.md "Routing") written out independently of the engine, and
// the checks a step of the tenant object must pass against them. Pure: no runtime, no I/O.
// A step is judged from the object's state before and after it, the audit entries it wrote
// and what the test knows of the world (who has a socket open, switches, capacities, teams).
import { expect } from "vitest";

export const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

export interface HandoffState {
  id: string;
  status: string;
  assignee_id: string | null;
  team_id: string | null;
  priority: string;
  created_at: number;
  passed_over_by: string | null;
}

export interface AgentState {
  id: string;
  capacity: number;
  status: string;
  last_assigned_at: number | null;
}

export interface AuditEntry {
  seq: number;
  handoff_id: string;
  type: string;
  actor_id: string | null;
  data: string;
  at: number;
}

/** What the tenant object holds, as read between steps. */
export interface Snapshot {
  handoffs: Map<string, HandoffState>;
  agents: Map<string, AgentState>;
  teams: Map<string, string[]>;
}

/** What the test knows: the world the object should be routing in. */
export interface World {
  mode: "auto" | "claim";
  /** Agents and admins (viewers are never routed to, whatever they have open). */
  routable: string[];
  sockets: Map<string, number>;
  status: Map<string, "online" | "away">;
  capacity: Map<string, number>;
  teams: Map<string, Set<string>>;
}

export const DEFAULT_CAPACITY = 3;

export const available = (world: World, id: string): boolean =>
  world.routable.includes(id) &&
  (world.sockets.get(id) ?? 0) > 0 &&
  (world.status.get(id) ?? "online") === "online";

export const capacityOf = (world: World, id: string): number =>
  world.capacity.get(id) ?? DEFAULT_CAPACITY;

/** May `agent` be given `handoff` (its team's member, not the one it was taken from)? */
export const eligible = (
  world: World,
  handoff: { team_id: string | null; passed_over_by: string | null },
  agent: string,
): boolean =>
  agent !== handoff.passed_over_by &&
  (handoff.team_id === null || (world.teams.get(handoff.team_id)?.has(agent) ?? false));

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The serving order: priority, then age, then id. */
export const servingOrder = (a: HandoffState, b: HandoffState): number =>
  PRIORITY_RANK[a.priority]! - PRIORITY_RANK[b.priority]! ||
  a.created_at - b.created_at ||
  byId(a.id, b.id);

export const activeCounts = (handoffs: Iterable<HandoffState>): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const h of handoffs)
    if (h.status === "active" && h.assignee_id)
      counts.set(h.assignee_id, (counts.get(h.assignee_id) ?? 0) + 1);
  return counts;
};

interface Candidate {
  id: string;
  load: number;
  capacity: number;
  last: number | null;
}

/**
 * The assignments the rules call for: the queue in serving order, each handoff to the eligible
 * available agent with room who has the fewest active, then waited longest since their last
 * assignment (never first), then the smallest id. A handoff nobody may take is skipped.
 */
export function expectedAssignments(
  world: World,
  queue: HandoffState[],
  loads: Map<string, number>,
  lastAssigned: Map<string, number | null>,
  now: number,
): Map<string, string> {
  const room: Candidate[] = world.routable
    .filter((id) => available(world, id))
    .map((id) => ({
      id,
      load: loads.get(id) ?? 0,
      capacity: capacityOf(world, id),
      last: lastAssigned.get(id) ?? null,
    }))
    .filter((c) => c.load < c.capacity);
  const given = new Map<string, string>();
  for (const handoff of [...queue].sort(servingOrder)) {
    const next = room
      .filter((c) => c.load < c.capacity && eligible(world, handoff, c.id))
      .sort((a, b) => a.load - b.load || (a.last ?? 0) - (b.last ?? 0) || byId(a.id, b.id))[0];
    if (!next) continue;
    given.set(handoff.id, next.id);
    next.load += 1;
    next.last = now;
  }
  return given;
}

/** The auto-assignments among a step's audit entries: handoff id → agent id. */
export function autoAssignments(entries: AuditEntry[]): Map<string, string> {
  const given = new Map<string, string>();
  for (const entry of entries) {
    if (entry.type !== "assigned" || entry.actor_id !== null) continue;
    const data = JSON.parse(entry.data) as { agent?: { id?: string }; auto?: boolean };
    expect(data.auto, `an assignment without an actor is auto: ${entry.data}`).toBe(true);
    expect(given.has(entry.handoff_id), `${entry.handoff_id} auto-assigned twice in one step`).toBe(
      false,
    );
    given.set(entry.handoff_id, data.agent?.id ?? "");
  }
  return given;
}

/** Who took each handoff last, from claimed/assigned entries (kept across steps by the caller). */
export function noteTakers(entries: AuditEntry[], takers: Map<string, string>): void {
  for (const entry of entries) {
    if (entry.type === "claimed") takers.set(entry.handoff_id, entry.actor_id ?? "");
    if (entry.type === "assigned") {
      const data = JSON.parse(entry.data) as { agent?: { id?: string } };
      takers.set(entry.handoff_id, data.agent?.id ?? "");
    }
  }
}

/**
 * Every check of one step. `label` names the step in failures (fast-check adds the sequence
 * and the seed).
 */
export function checkStep(
  label: string,
  world: World,
  before: Snapshot,
  after: Snapshot,
  entries: AuditEntry[],
  takers: Map<string, string>,
): void {
  const handoffs = [...after.handoffs.values()];

  // The object routes from the same teams the test set up.
  for (const [teamId, members] of world.teams)
    expect([...(after.teams.get(teamId) ?? [])].sort(), `${label}: team copy`).toEqual(
      [...members].sort(),
    );

  // And each person's switch and capacity as they were set.
  for (const id of world.routable)
    expect(
      after.agents.get(id) ?? { status: "online", capacity: DEFAULT_CAPACITY },
      label,
    ).toMatchObject({
      status: world.status.get(id) ?? "online",
      capacity: capacityOf(world, id),
    });

  // Exactly one assignee while active, none while queued; the audit names that assignee last.
  noteTakers(entries, takers);
  for (const h of handoffs) {
    if (h.status === "active") {
      expect(h.assignee_id, `${label}: active ${h.id} has an assignee`).not.toBeNull();
      expect(takers.get(h.id), `${label}: audit of ${h.id} names its assignee`).toBe(h.assignee_id);
    }
    if (h.status === "queued")
      expect(h.assignee_id, `${label}: queued ${h.id} has no assignee`).toBeNull();
  }

  const auto = autoAssignments(entries);
  if (world.mode === "claim") {
    expect([...auto], `${label}: no auto-assignment with claim routing`).toEqual([]);
    return;
  }

  // What the queue looked like when the step's routing ran.
  const queuedBefore = (h: HandoffState): HandoffState => {
    const old = before.handoffs.get(h.id);
    if (!old) return { ...h, passed_over_by: null }; // escalated in this step
    // Released in this step (by its assignee or an admin): auto-routing passes its assignee over.
    if (old.status === "active") return { ...h, passed_over_by: old.assignee_id };
    return { ...h, passed_over_by: old.passed_over_by };
  };
  const queue = handoffs.filter((h) => h.status === "queued" || auto.has(h.id)).map(queuedBefore);
  const loads = activeCounts(handoffs);
  for (const agent of auto.values()) loads.set(agent, (loads.get(agent) ?? 0) - 1);

  // Each auto-assignment: to an available agent, within capacity, of the team, not passed over.
  const afterLoads = activeCounts(handoffs);
  for (const [handoffId, agent] of auto) {
    const h = queue.find((q) => q.id === handoffId)!;
    const what = `${label}: ${handoffId} auto-assigned to ${agent}`;
    expect(after.handoffs.get(handoffId), what).toMatchObject({
      status: "active",
      assignee_id: agent,
    });
    expect(available(world, agent), `${what}, who is not available`).toBe(true);
    expect(afterLoads.get(agent) ?? 0, `${what}, now over capacity`).toBeLessThanOrEqual(
      capacityOf(world, agent),
    );
    expect(eligible(world, h, agent), `${what}: outside its team or passed over`).toBe(true);
  }

  // Nothing left queued while an eligible available agent has room.
  const stillQueued = handoffs.filter((h) => h.status === "queued");
  for (const h of stillQueued)
    for (const agent of world.routable) {
      const room = (afterLoads.get(agent) ?? 0) < capacityOf(world, agent);
      const takes = available(world, agent) && room && eligible(world, h, agent);
      expect(takes, `${label}: ${h.id} left queued while ${agent} could take it`).toBe(false);
    }

  // Serving order: nothing the same agent could have taken waits while a later one went out.
  for (const [handoffId, agent] of auto) {
    const given = queue.find((q) => q.id === handoffId)!;
    for (const waiting of stillQueued)
      if (eligible(world, waiting, agent))
        expect(
          servingOrder(given, waiting),
          `${label}: ${handoffId} went to ${agent} before ${waiting.id}`,
        ).toBeLessThan(0);
  }

  // And exactly who: fewest active first, then the longest wait since a last assignment.
  const stepAt = entries.find((e) => e.type === "assigned" && e.actor_id === null)?.at ?? 0;
  const lastAssigned = new Map<string, number | null>();
  for (const agent of world.routable) {
    const claimedNow = entries.some((e) => e.type === "claimed" && e.actor_id === agent);
    lastAssigned.set(
      agent,
      claimedNow ? stepAt : (before.agents.get(agent)?.last_assigned_at ?? null),
    );
  }
  const expected = expectedAssignments(world, queue, loads, lastAssigned, stepAt);
  expect(Object.fromEntries(auto), `${label}: who got what`).toEqual(Object.fromEntries(expected));
}
