// Auto-assignment (tenant setting `routing: "auto"`): queued handoffs go to available agents
// under capacity, fewest active first, ties to whoever waited longest since their last
// handoff; the queue is served by priority, then age. It runs at the end of every step that
// could let it hand out more (a new handoff, capacity freed, someone coming online, a setting
// changed), inside that step's transaction: the object is serialized, so an assignment can
// never race a claim, and nothing is left queued while an eligible agent has room.
import type { Person } from "../../../schema/shapes";
import { isAvailable, publicRoster, roster, type AgentLoad } from "./availability";
import type { TenantCore } from "./core";
import { takeOver } from "./lifecycle";
import { SERVING_ORDER } from "./queue";

interface QueuedRow extends Record<string, SqlStorageValue> {
  id: string;
  team_id: string | null;
  passed_over_by: string | null;
}

/** Fewest active first; then whoever was given a handoff longest ago (never = first); then id. */
const byTurn = (a: AgentLoad, b: AgentLoad): number =>
  a.active_count - b.active_count ||
  (a.last_assigned_at ?? 0) - (b.last_assigned_at ?? 0) ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The agents a queued handoff may go to: of its team when it has one, never the one it left. */
function mayTake(core: TenantCore, members: Map<string, Set<string>>) {
  const teamMembers = (teamId: string): Set<string> => {
    let found = members.get(teamId);
    if (!found) {
      found = new Set(core.routing.team(teamId)?.member_ids ?? []);
      members.set(teamId, found);
    }
    return found;
  };
  return (row: QueuedRow, agent: AgentLoad): boolean =>
    agent.id !== row.passed_over_by &&
    (row.team_id === null || teamMembers(row.team_id).has(agent.id));
}

/** Hands out what the queue holds to whoever has room, in serving order. */
export function routeQueue(core: TenantCore, now: number): void {
  if (core.settings.settings.routing !== "auto") return;
  let room = roster(core).filter((a) => isAvailable(a) && a.active_count < a.capacity);
  if (room.length === 0) return;
  const queued = core.sql.all<QueuedRow>(
    `SELECT id, team_id, passed_over_by FROM handoffs WHERE status = 'queued' ORDER BY ${SERVING_ORDER}`,
  );
  const eligible = mayTake(core, new Map());
  for (const row of queued) {
    const agent = room.filter((a) => eligible(row, a)).sort(byTurn)[0];
    if (!agent) continue;
    const handoff = core.handoffRow(row.id)!;
    const person: Person = { id: agent.id, name: agent.name };
    takeOver(core, handoff, person, null, "assigned", now);
    agent.active_count += 1;
    agent.last_assigned_at = now;
    room = room.filter((a) => a.active_count < a.capacity);
    if (room.length === 0) return;
  }
}

/**
 * The end of every step: auto-routing where the step may have made it possible, then one
 * presence frame if anyone's availability or an online agent's load changed.
 */
export function settleRouting(core: TenantCore, now: number): void {
  const due = core.due;
  if (due.route) {
    due.route = false;
    routeQueue(core, now);
  }
  const online = core.presence.agents();
  if (due.roster || online.some((agent) => due.loads.has(agent.id))) {
    const agents = publicRoster(roster(core));
    core.emit({ type: "presence", data: { agents_online: agents.length, agents } }, now);
  }
  due.roster = false;
  due.loads.clear();
}
