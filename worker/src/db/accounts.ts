// D1 queries for people: users, their sessions, and the tenant they belong to.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sessions, tenants, users } from "../../../schema/tables";
import type { Role, Tenant, User } from "../../../schema/shapes";
import { newId } from "../ids";
import { teamIdsOf } from "./teams";

export const SESSION_TTL_MS = 14 * 24 * 3_600_000;

export async function findLoginUser(d1: D1Database, email: string) {
  const db = drizzle(d1);
  const [row] = await db
    .select({ user: users, tenant: tenants })
    .from(users)
    .innerJoin(tenants, eq(users.tenantId, tenants.id))
    .where(eq(users.email, email.trim().toLowerCase()))
    .limit(1);
  return row;
}

/** A session made before the tenant objects kept them (its tenant is not in its token). */
export async function legacySession(
  d1: D1Database,
  id: string,
  now: number,
): Promise<{ user: User; tenant: Tenant; expiresAt: number } | null> {
  const [row] = await drizzle(d1)
    .select({ user: users, tenant: tenants, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .innerJoin(tenants, eq(users.tenantId, tenants.id))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
    .limit(1);
  if (!row) return null;
  return {
    user: { id: row.user.id, name: row.user.name, email: row.user.email, role: row.user.role },
    tenant: { id: row.tenant.id, name: row.tenant.name },
    expiresAt: row.expiresAt,
  };
}

export async function deleteSession(d1: D1Database, id: string): Promise<void> {
  await drizzle(d1).delete(sessions).where(eq(sessions.id, id));
}

export async function deleteUserSessions(d1: D1Database, userId: string): Promise<void> {
  await drizzle(d1).delete(sessions).where(eq(sessions.userId, userId));
}

export interface AgentRecord extends User {
  disabled: boolean;
  capacity: number;
  team_ids: string[];
  created_at: string;
}

/** What the tenant object copies of an agent for routing; the newest version wins. */
export interface AgentRouting {
  id: string;
  capacity: number;
  version: number;
}

export const agentRouting = (u: typeof users.$inferSelect): AgentRouting => ({
  id: u.id,
  capacity: u.capacity,
  version: u.routingVersion,
});

const toAgent = (u: typeof users.$inferSelect, teamIds: string[]): AgentRecord => ({
  id: u.id,
  name: u.name,
  email: u.email,
  role: u.role,
  disabled: u.disabledAt !== null,
  capacity: u.capacity,
  team_ids: teamIds,
  created_at: new Date(u.createdAt).toISOString(),
});

export async function listAgents(d1: D1Database, tenantId: string): Promise<AgentRecord[]> {
  const rows = await drizzle(d1)
    .select()
    .from(users)
    .where(eq(users.tenantId, tenantId))
    .orderBy(users.name);
  const teamsOf = await teamIdsOf(
    d1,
    tenantId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toAgent(r, teamsOf.get(r.id) ?? []));
}

export async function findAgent(
  d1: D1Database,
  tenantId: string,
  id: string,
): Promise<AgentRecord | null> {
  const [row] = await drizzle(d1)
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
    .limit(1);
  if (!row) return null;
  return toAgent(row, (await teamIdsOf(d1, tenantId, [id])).get(id) ?? []);
}

export async function emailTaken(d1: D1Database, email: string): Promise<boolean> {
  const [row] = await drizzle(d1)
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  return row !== undefined;
}

export async function createAgent(
  d1: D1Database,
  tenantId: string,
  input: { email: string; name: string; role: Role; passwordHash: string; capacity: number },
  now: number,
): Promise<{ agent: AgentRecord; routing: AgentRouting }> {
  const row = {
    id: newId("u"),
    tenantId,
    ...input,
    email: input.email.toLowerCase(),
    disabledAt: null,
    routingVersion: 1,
    createdAt: now,
  };
  await drizzle(d1).insert(users).values(row);
  return { agent: toAgent(row, []), routing: agentRouting(row) };
}

export async function updateAgent(
  d1: D1Database,
  tenantId: string,
  id: string,
  changes: {
    name?: string;
    role?: Role;
    disabledAt?: number | null;
    passwordHash?: string;
    capacity?: number;
  },
): Promise<{ agent: AgentRecord; routing: AgentRouting } | null> {
  const [row] = await drizzle(d1)
    .update(users)
    .set({ ...changes, routingVersion: sql`${users.routingVersion} + 1` })
    .where(and(eq(users.tenantId, tenantId), eq(users.id, id)))
    .returning();
  if (!row) return null;
  return {
    agent: toAgent(row, (await teamIdsOf(d1, tenantId, [id])).get(id) ?? []),
    routing: agentRouting(row),
  };
}
