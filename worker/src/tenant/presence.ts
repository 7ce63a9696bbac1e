// Who has the inbox open, derived from the object's sockets (nothing stored, so nothing stale).
import { z } from "zod";
import { ROLES } from "../../../schema/api";
import type { Person, User } from "../../../schema/shapes";

export const socketIdentity = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(ROLES) }),
  tenant: z.object({ id: z.string(), name: z.string() }),
  session: z.object({ id: z.string(), expires_at: z.number() }),
});

export const sessionTag = (sessionId: string) => `session:${sessionId}`;
export type SocketIdentity = z.infer<typeof socketIdentity>;

export function identityOf(ws: WebSocket): SocketIdentity | null {
  const parsed = socketIdentity.safeParse(ws.deserializeAttachment());
  return parsed.success ? parsed.data : null;
}

/** Agents and admins online (viewers watch, they do not take conversations). */
export function onlineAgents(sockets: WebSocket[], except?: WebSocket): Person[] {
  const seen = new Map<string, Person>();
  for (const ws of sockets) {
    if (ws === except) continue;
    const user: User | undefined = identityOf(ws)?.user;
    if (user && user.role !== "viewer" && !seen.has(user.id)) seen.set(user.id, { id: user.id, name: user.name });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}
