// D1 query for who is emailed about a waiting handoff: the tenant's agents and admins who can
// still sign in (viewers only watch; disabled users are gone).
import { and, eq, inArray, isNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { users } from "../../../schema/tables";

export interface Recipient {
  name: string;
  email: string;
}

export async function reminderRecipients(d1: D1Database, tenantId: string): Promise<Recipient[]> {
  return drizzle(d1)
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(
      and(
        eq(users.tenantId, tenantId),
        inArray(users.role, ["agent", "admin"]),
        isNull(users.disabledAt),
      ),
    )
    .orderBy(users.email);
}
