// The inbox needs a session; without one, the login page.
import { loadSession } from "#lib/api/session.ts";

export async function load({ url }) {
  return { session: await loadSession(url) };
}
