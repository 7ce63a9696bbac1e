// Who has the inbox open, as the presence frames list them, and how it reads.
import type { AgentPresence, AgentStatus } from "#schema/shapes";

export const STATUS_LABELS: Record<AgentStatus, string> = { online: "Online", away: "Away" };

/** Online first, then by name. */
export function sortAgents(agents: readonly AgentPresence[]): AgentPresence[] {
  return [...agents].sort(
    (a, b) =>
      (a.status === b.status ? 0 : a.status === "online" ? -1 : 1) ||
      a.name.localeCompare(b.name) ||
      a.id.localeCompare(b.id),
  );
}

/** "2/3 active": active conversations against what auto-routing gives them at once. */
export function loadText(agent: AgentPresence): string {
  return `${agent.active_count}/${agent.capacity} active`;
}

export function countByStatus(agents: readonly AgentPresence[]): Record<AgentStatus, number> {
  const counts: Record<AgentStatus, number> = { online: 0, away: 0 };
  for (const a of agents) counts[a.status] += 1;
  return counts;
}
