// The tenant object's copy of what routing needs from D1: its teams (name, members) and each
// agent's capacity. The admin routes keep it current; each entry carries the version D1 gave it
// and an older copy never replaces a newer one, so concurrent admin changes settle on the newest.
// Escalations resolve team names here, without a D1 read on the hot path.
import { z } from "zod";
import type { Person } from "../../../schema/shapes";
import type { Sql } from "./sql";

export const teamCopy = z.object({
  id: z.string(),
  name: z.string(),
  member_ids: z.array(z.string()),
  version: z.number(),
  deleted: z.boolean(),
});
export type TeamCopy = z.infer<typeof teamCopy>;

export const agentCopy = z.object({
  id: z.string(),
  capacity: z.int().min(1),
  version: z.number(),
});
export type AgentCopy = z.infer<typeof agentCopy>;

const memberIds = z.array(z.string());

interface TeamRow extends Record<string, SqlStorageValue> {
  id: string;
  name: string;
  member_ids: string;
  version: number;
}

/** Agents without a copy yet (created before routing existed) route with the default capacity. */
export const DEFAULT_CAPACITY = 3;

export class RoutingCopy {
  constructor(private readonly sql: Sql) {}

  /** Keeps `team` unless a newer copy (or its deletion) is held; answers whether it was kept. */
  putTeam(team: TeamCopy): boolean {
    const written = this.sql.insert(
      "teams",
      {
        id: team.id,
        name: team.name,
        name_key: team.name.toLowerCase(),
        member_ids: JSON.stringify(team.member_ids),
        version: team.version,
        deleted: team.deleted ? 1 : 0,
      },
      `ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, member_ids = excluded.member_ids,
         version = excluded.version, deleted = excluded.deleted
       WHERE excluded.version > teams.version OR (excluded.version = teams.version AND excluded.deleted > teams.deleted)`,
    );
    return written > 0;
  }

  /** A live team by name, in any case. */
  teamByName(name: string): Person | null {
    const row = this.sql.first<TeamRow>(
      `SELECT * FROM teams WHERE name_key = ? AND deleted = 0`,
      name.trim().toLowerCase(),
    );
    return row ? { id: row.id, name: row.name } : null;
  }

  /** A live team with its members. */
  team(id: string): { id: string; name: string; member_ids: string[] } | null {
    const row = this.sql.first<TeamRow>(`SELECT * FROM teams WHERE id = ? AND deleted = 0`, id);
    return row
      ? { id: row.id, name: row.name, member_ids: memberIds.parse(JSON.parse(row.member_ids)) }
      : null;
  }

  putAgent(agent: AgentCopy): boolean {
    const written = this.sql.insert(
      "agents",
      { id: agent.id, capacity: agent.capacity, version: agent.version },
      `ON CONFLICT (id) DO UPDATE SET capacity = excluded.capacity, version = excluded.version WHERE excluded.version > agents.version`,
    );
    return written > 0;
  }

  capacity(agentId: string): number {
    return (
      this.sql.first<{ capacity: number }>(`SELECT capacity FROM agents WHERE id = ?`, agentId)
        ?.capacity ?? DEFAULT_CAPACITY
    );
  }
}
