// Pages beside the inbox (no queue, no socket) that still need a session.
import { loadSession } from "#lib/api/session.ts";

export async function load({ url }) {
  return { session: await loadSession(url) };
}
