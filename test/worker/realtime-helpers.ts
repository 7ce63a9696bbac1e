// What the realtime tests read off sockets: seqs, the events after one, and who did what.
import { AgentSocket } from "./client";
import type { TestUser } from "./fixtures";

/** The highest seq a socket has seen (its hello counts: it carries the tenant's head). */
export const lastSeq = (s: AgentSocket) =>
  Math.max(
    ...s.frames.filter((f) => "seq" in f && f.type !== "resync").map((f) => f.seq as number),
  );
export const eventsAfter = (s: AgentSocket, seq: number) => s.events().filter((f) => f.seq > seq);
export const range = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => from + i);
export const person = (u: TestUser) => ({ id: u.id, name: u.name });
/** An agent as the presence frame lists them: online, with their load. */
export const present = (u: TestUser, activeCount = 0, capacity = 3) => ({
  ...person(u),
  status: "online",
  active_count: activeCount,
  capacity,
});

/** Opens a socket per cookie, each synced so its hello and everything before are in `frames`. */
export async function connect(...cookies: string[]): Promise<AgentSocket[]> {
  const sockets: AgentSocket[] = [];
  for (const cookie of cookies) sockets.push(await AgentSocket.open(cookie));
  for (const s of sockets) await s.sync();
  return sockets;
}
