// Who can take a conversation now: each agent's own online/away switch, the sockets they have
// open (presence.ts), their load (active handoffs) and their capacity. Availability is derived
// on demand from these, never stored, so it cannot go stale.
import { AGENT_STATUSES } from "../../../schema/vocabulary";
import type { AgentPresence, AgentStatus } from "../../../schema/shapes";
import type { TenantCore } from "./core";
import { DEFAULT_CAPACITY } from "./routing-copy";

interface AgentRow extends Record<string, SqlStorageValue> {
  id: string;
  capacity: number;
  status: string;
  last_assigned_at: number | null;
}

export interface AgentLoad extends AgentPresence {
  /** When they were last given a handoff (claim or assignment); null if never. */
  last_assigned_at: number | null;
}

const statuses = new Set<string>(AGENT_STATUSES);
const statusOf = (value: string | undefined): AgentStatus =>
  value !== undefined && statuses.has(value) ? (value as AgentStatus) : "online";

/**
 * Rows are created on demand with version -1: the admin routes' copy of the capacity
 * (routing-copy.ts, versions from 1) always replaces the default written here.
 */
export function setStatus(core: TenantCore, agentId: string, status: AgentStatus): boolean {
  const before = agentStatus(core, agentId);
  core.sql
    .run`INSERT INTO agents (id, capacity, version, status) VALUES (${agentId}, ${DEFAULT_CAPACITY}, -1, ${status})
    ON CONFLICT (id) DO UPDATE SET status = excluded.status`;
  return before !== status;
}

export function agentStatus(core: TenantCore, agentId: string): AgentStatus {
  return statusOf(
    core.sql.first<{ status: string }>(`SELECT status FROM agents WHERE id = ?`, agentId)?.status,
  );
}

/** Ties between equally loaded agents go to whoever waited longest since their last handoff. */
export function noteAssigned(core: TenantCore, agentId: string, now: number): void {
  core.sql
    .run`INSERT INTO agents (id, capacity, version, last_assigned_at) VALUES (${agentId}, ${DEFAULT_CAPACITY}, -1, ${now})
    ON CONFLICT (id) DO UPDATE SET last_assigned_at = excluded.last_assigned_at`;
}

/** Active handoffs per assignee. */
export function activeCounts(core: TenantCore): Map<string, number> {
  const rows = core.sql.all<{ id: string; n: number }>(
    `SELECT assignee_id AS id, COUNT(*) AS n FROM handoffs WHERE status = 'active' AND assignee_id IS NOT NULL GROUP BY assignee_id`,
  );
  return new Map(rows.map((r) => [r.id, r.n]));
}

/** Agents and admins with the inbox open, by name, with their switch, load and capacity. */
export function roster(core: TenantCore): AgentLoad[] {
  const online = core.presence.agents();
  if (online.length === 0) return [];
  const counts = activeCounts(core);
  const rows = new Map(
    core.sql
      .all<AgentRow>(
        `SELECT id, capacity, status, last_assigned_at FROM agents WHERE id IN (SELECT value FROM json_each(?))`,
        JSON.stringify(online.map((p) => p.id)),
      )
      .map((r) => [r.id, r]),
  );
  return online.map((person) => {
    const row = rows.get(person.id);
    return {
      id: person.id,
      name: person.name,
      status: statusOf(row?.status),
      active_count: counts.get(person.id) ?? 0,
      capacity: row?.capacity ?? DEFAULT_CAPACITY,
      last_assigned_at: row?.last_assigned_at ?? null,
    };
  });
}

/** What the presence frame and `hello` show of the roster. */
export const publicRoster = (agents: AgentLoad[]): AgentPresence[] =>
  agents.map(({ last_assigned_at: _last, ...shown }) => shown);

/** Available: switched online with at least one socket open (the roster lists only those). */
export const isAvailable = (agent: AgentLoad): boolean => agent.status === "online";
