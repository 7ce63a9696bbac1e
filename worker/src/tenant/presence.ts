// Who has the inbox open, derived from the object's sockets (nothing stored, so nothing stale).
// Sockets are indexed in memory so that opening or closing one costs the same with 1 or 1,000
// agents online; after the object wakes from hibernation the index is rebuilt once.
import { z } from "zod";
import { ROLES } from "../../../schema/vocabulary";
import type { Person } from "../../../schema/shapes";

export const socketIdentity = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(ROLES) }),
  tenant: z.object({ id: z.string(), name: z.string() }),
  session: z.object({ id: z.string(), expires_at: z.number() }),
  opened_at: z.number().default(0),
});

/** Every agent's socket carries this tag: the tenant's frames go to these sockets only. */
export const AGENT_TAG = "agent";
export const sessionTag = (sessionId: string) => `session:${sessionId}`;
export type SocketIdentity = z.infer<typeof socketIdentity>;

function identityOf(ws: WebSocket): SocketIdentity | null {
  const raw: unknown = ws.deserializeAttachment();
  // A visitor's socket is no agent's: told apart without building a validation error.
  if (typeof raw !== "object" || raw === null || !("session" in raw)) return null;
  const parsed = socketIdentity.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

interface Online {
  person: Person;
  sockets: number;
}

export class Presence {
  private index: Map<WebSocket, SocketIdentity> | null = null;
  private online = new Map<string, Online>();
  private list: Person[] | null = null;
  private gone = new WeakSet<WebSocket>();

  constructor(private readonly sockets: () => WebSocket[]) {}

  /** Agents and admins online, by name (viewers watch, they do not take conversations). */
  agents(): Person[] {
    this.indexed();
    this.list ??= [...this.online.values()]
      .map((o) => o.person)
      .sort((a, b) => a.name.localeCompare(b.name));
    return this.list;
  }

  identity(ws: WebSocket): SocketIdentity | null {
    return this.indexed().get(ws) ?? identityOf(ws);
  }

  /** Indexes an accepted socket; true when it brought an agent online. */
  add(ws: WebSocket, identity: SocketIdentity): boolean {
    const index = this.indexed();
    if (index.has(ws)) return false;
    index.set(ws, identity);
    return this.count(identity, +1);
  }

  /** Forgets a closing socket; answers the agent's id when this left them offline. */
  remove(ws: WebSocket): string | null {
    if (this.gone.has(ws)) return null;
    this.gone.add(ws);
    const index = this.indexed();
    const identity = index.get(ws) ?? identityOf(ws);
    if (!identity || identity.user.role === "viewer") {
      index.delete(ws);
      return null;
    }
    const id = identity.user.id;
    if (index.delete(ws)) return this.count(identity, -1) ? id : null;
    // Indexed after the runtime had already dropped it: the index never counted it, so its
    // agent went offline with it exactly when no other socket of theirs is open.
    return this.online.has(id) ? null : id;
  }

  private count(identity: SocketIdentity, delta: 1 | -1): boolean {
    const { user } = identity;
    if (user.role === "viewer") return false;
    const entry = this.online.get(user.id);
    if (delta === 1) {
      if (entry) {
        entry.sockets += 1;
        return false;
      }
      this.online.set(user.id, { person: { id: user.id, name: user.name }, sockets: 1 });
    } else {
      if (!entry) return false;
      entry.sockets -= 1;
      if (entry.sockets > 0) return false;
      this.online.delete(user.id);
    }
    this.list = null;
    return true;
  }

  private indexed(): Map<WebSocket, SocketIdentity> {
    if (this.index) return this.index;
    this.index = new Map();
    for (const ws of this.sockets()) {
      const identity = identityOf(ws);
      if (!identity) continue;
      this.index.set(ws, identity);
      this.count(identity, +1);
    }
    return this.index;
  }
}
