// Admin changes to teams and agents reaching the tenant object: its routing copy takes the
// newest, and the handoffs it holds follow a renamed team's name or lose a deleted team.
import type { TenantCore } from "./core";
import type { AgentCopy, TeamCopy } from "./routing-copy";

export function syncTeam(core: TenantCore, team: TeamCopy, now: number): void {
  if (!core.routing.putTeam(team)) return;
  // New members may take the team's waiting handoffs; a deleted team's are anyone's now.
  core.due.route = true;
  const held = core.sql.all<{ id: string }>(
    `SELECT id FROM handoffs WHERE team_id = ? AND (? = 1 OR team_name IS NOT ?)`,
    team.id,
    team.deleted ? 1 : 0,
    team.name,
  );
  const changes: Record<string, SqlStorageValue> = team.deleted
    ? { team_id: null, team_name: null }
    : { team_name: team.name };
  for (const { id } of held) core.updateHandoff(id, changes, now);
}

export function syncAgent(core: TenantCore, agent: AgentCopy): void {
  core.routing.putAgent(agent);
}
