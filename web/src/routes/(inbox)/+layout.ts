// The inbox needs a session; without one, the login page.
import { redirect } from "@sveltejs/kit";
import { ApiFailure, api } from "#lib/api/client.ts";

export async function load({ url }) {
  try {
    return { session: await api.me() };
  } catch (error) {
    // Back to where they were going once they have logged in.
    const next =
      url.pathname === "/" && !url.search
        ? ""
        : `?next=${encodeURIComponent(url.pathname + url.search)}`;
    if (error instanceof ApiFailure && error.status === 401) redirect(307, `/login${next}`);
    throw error;
  }
}
