// D1 queries for teams and their members. Every write bumps the versions of what it changed and
// reads the result back in the same batch (one transaction), so the copy handed to the tenant
// object is exactly the state of that version: a later copy always carries a higher version.
import { and, asc, eq, inArray, ne, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { handoffs, teamMembers, teams, users } from "../../../schema/tables";
import type { Team } from "../../../schema/shapes";
import { newId } from "../ids";

import type { TeamCopy } from "../tenant/routing-copy";

export type { TeamCopy };

type Db = ReturnType<typeof drizzle>;

const nameKey = (name: string) => name.trim().toLowerCase();

// D1 binds at most 100 parameters per statement: lists of ids are filtered here or written in chunks.
const CHUNK = 90;
const chunks = <T>(items: T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) =>
    items.slice(i * CHUNK, (i + 1) * CHUNK),
  );

async function teamsWithMembers(db: Db, tenantId: string, ids?: string[]) {
  const rows = await selectTeams(db, tenantId);
  return ids ? rows.filter((r) => ids.includes(r.id)) : rows;
}

/** The tenant's teams (or the one with `id`) with their member ids, read in one statement. */
function selectTeams(db: Db, tenantId: string, id?: string) {
  return db
    .select({
      id: teams.id,
      name: teams.name,
      version: teams.version,
      members: sql<string>`(SELECT json_group_array(m.user_id) FROM (SELECT user_id FROM team_members WHERE team_id = "teams"."id" ORDER BY user_id) m)`,
    })
    .from(teams)
    .where(
      id === undefined
        ? eq(teams.tenantId, tenantId)
        : and(eq(teams.tenantId, tenantId), eq(teams.id, id)),
    )
    .orderBy(asc(teams.nameKey));
}

const toCopy = (row: { id: string; name: string; version: number; members: string }): TeamCopy => ({
  id: row.id,
  name: row.name,
  member_ids: JSON.parse(row.members) as string[],
  version: row.version,
  deleted: false,
});

export const publicTeam = ({ id, name, member_ids }: TeamCopy): Team => ({ id, name, member_ids });

export async function listTeams(d1: D1Database, tenantId: string): Promise<TeamCopy[]> {
  return (await teamsWithMembers(drizzle(d1), tenantId)).map(toCopy);
}

export async function findTeam(
  d1: D1Database,
  tenantId: string,
  id: string,
): Promise<TeamCopy | null> {
  const [row] = await selectTeams(drizzle(d1), tenantId, id);
  return row ? toCopy(row) : null;
}

/** Whether another team of the tenant already has this name (in any case). */
export async function teamNameTaken(
  d1: D1Database,
  tenantId: string,
  name: string,
  exceptId?: string,
): Promise<boolean> {
  const conditions = [eq(teams.tenantId, tenantId), eq(teams.nameKey, nameKey(name))];
  if (exceptId) conditions.push(ne(teams.id, exceptId));
  const [row] = await drizzle(d1)
    .select({ id: teams.id })
    .from(teams)
    .where(and(...conditions))
    .limit(1);
  return row !== undefined;
}

/** Of `ids`, those that are not agents or admins of the tenant (strangers look the same as unknown ids). */
export async function notMembers(
  d1: D1Database,
  tenantId: string,
  ids: string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await drizzle(d1)
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.tenantId, tenantId));
  const fit = new Set(rows.filter((r) => r.role !== "viewer").map((r) => r.id));
  return ids.filter((id) => !fit.has(id));
}

/** Of `ids`, those that are not teams of the tenant. */
export async function unknownTeams(
  d1: D1Database,
  tenantId: string,
  ids: string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await drizzle(d1)
    .select({ id: teams.id })
    .from(teams)
    .where(eq(teams.tenantId, tenantId));
  const known = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

export async function createTeam(
  d1: D1Database,
  tenantId: string,
  input: { name: string; member_ids: string[] },
  now: number,
): Promise<TeamCopy> {
  const db = drizzle(d1);
  const id = newId("team");
  const name = input.name.trim();
  const insertTeam = db
    .insert(teams)
    .values({ id, tenantId, name, nameKey: nameKey(name), version: 1, createdAt: now });
  const members = input.member_ids.map((userId) =>
    db.insert(teamMembers).values({ teamId: id, userId, tenantId }),
  );
  await db.batch([insertTeam, ...members]);
  return { id, name, member_ids: [...input.member_ids].sort(), version: 1, deleted: false };
}

/** Renames and/or replaces the members of a team; null when the tenant has no such team. */
export async function updateTeam(
  d1: D1Database,
  tenantId: string,
  id: string,
  changes: { name?: string; member_ids?: string[] },
): Promise<TeamCopy | null> {
  const db = drizzle(d1);
  const name = changes.name?.trim();
  const bump = db
    .update(teams)
    .set({ version: sql`${teams.version} + 1`, ...(name ? { name, nameKey: nameKey(name) } : {}) })
    .where(and(eq(teams.tenantId, tenantId), eq(teams.id, id)))
    .returning({ id: teams.id });
  if (!changes.member_ids) {
    const [bumped] = await bump;
    return bumped ? findTeam(d1, tenantId, id) : null;
  }
  // Members are only replaced on this tenant's own team.
  if (!(await findTeam(d1, tenantId, id))) return null;
  const clear = db
    .delete(teamMembers)
    .where(and(eq(teamMembers.teamId, id), eq(teamMembers.tenantId, tenantId)));
  const adds = changes.member_ids.map((userId) =>
    db.insert(teamMembers).values({ teamId: id, userId, tenantId }),
  );
  const [bumped] = await db.batch([bump, clear, ...adds]);
  return bumped.length > 0 ? findTeam(d1, tenantId, id) : null;
}

/** Deletes a team and its memberships; handoffs that had it keep no team. */
export async function deleteTeam(
  d1: D1Database,
  tenantId: string,
  id: string,
): Promise<TeamCopy | null> {
  const found = await findTeam(d1, tenantId, id);
  if (!found) return null;
  const db = drizzle(d1);
  await db.batch([
    db
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, id), eq(teamMembers.tenantId, tenantId))),
    db.delete(teams).where(and(eq(teams.tenantId, tenantId), eq(teams.id, id))),
  ]);
  return { ...found, version: found.version + 1, deleted: true };
}

/** An agent's teams, by id. */
export async function teamIdsOf(
  d1: D1Database,
  tenantId: string,
  userIds: string[],
): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return byUser;
  const rows = await drizzle(d1)
    .select({ userId: teamMembers.userId, teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(eq(teamMembers.tenantId, tenantId))
    .orderBy(asc(teamMembers.teamId));
  for (const row of rows) byUser.get(row.userId)?.push(row.teamId);
  return byUser;
}

/**
 * Puts an agent in exactly these teams; answers the teams whose members changed, as they are
 * now (versions bumped), for the tenant object's copy.
 */
export async function setAgentTeams(
  d1: D1Database,
  tenantId: string,
  userId: string,
  teamIds: string[],
): Promise<TeamCopy[]> {
  const db = drizzle(d1);
  const before = (await teamIdsOf(d1, tenantId, [userId])).get(userId) ?? [];
  const leaving = before.filter((id) => !teamIds.includes(id));
  const joining = teamIds.filter((id) => !before.includes(id));
  const changed = [...leaving, ...joining];
  if (changed.length === 0) return [];
  const [first, ...more] = chunks(changed).map((ids) =>
    db
      .update(teams)
      .set({ version: sql`${teams.version} + 1` })
      .where(and(eq(teams.tenantId, tenantId), inArray(teams.id, ids))),
  );
  const leave = chunks(leaving).map((ids) =>
    db
      .delete(teamMembers)
      .where(
        and(
          eq(teamMembers.userId, userId),
          eq(teamMembers.tenantId, tenantId),
          inArray(teamMembers.teamId, ids),
        ),
      ),
  );
  const join = joining.map((teamId) =>
    db.insert(teamMembers).values({ teamId, userId, tenantId }).onConflictDoNothing(),
  );
  await db.batch([first!, ...more, ...leave, ...join]);
  return (await teamsWithMembers(db, tenantId, changed)).map(toCopy);
}

/**
 * D1's handoffs of a team follow its new name, or (name null: the team was deleted) lose it.
 * The tenant object does the same to those it holds, and mirrors them.
 */
export async function renameOrClearTeamInHistory(
  d1: D1Database,
  tenantId: string,
  teamId: string,
  name: string | null,
): Promise<void> {
  await drizzle(d1)
    .update(handoffs)
    .set(name === null ? { teamId: null, teamName: null } : { teamName: name })
    .where(and(eq(handoffs.tenantId, tenantId), eq(handoffs.teamId, teamId)));
}
