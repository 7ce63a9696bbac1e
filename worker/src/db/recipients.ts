// D1 query for who is emailed about a waiting handoff: the tenant's agents and admins who can
// still sign in (viewers only watch; disabled users are gone), and for a team's handoff only
// that team's members.
import { and, eq, inArray, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { teamMembers, users } from "../../../schema/tables";

export interface Recipient {
  name: string;
  email: string;
}

export async function reminderRecipients(
  d1: D1Database,
  tenantId: string,
  teamId: string | null,
): Promise<Recipient[]> {
  const canTakeHandoffs = and(
    eq(users.tenantId, tenantId),
    inArray(users.role, ["agent", "admin"]),
    isNull(users.disabledAt),
  );
  const db = drizzle(d1);
  if (teamId === null) {
    return db
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(canTakeHandoffs)
      .orderBy(users.email);
  }
  return db
    .select({ name: users.name, email: users.email })
    .from(users)
    .innerJoin(teamMembers, and(eq(teamMembers.userId, users.id), eq(teamMembers.teamId, teamId)))
    .where(and(canTakeHandoffs, eq(teamMembers.tenantId, tenantId)))
    .orderBy(users.email);
}
