// The pages behind a login: the session, or the login page with the way back.
import { redirect } from "@sveltejs/kit";
import { ApiFailure, api, type Session } from "./client";

export async function loadSession(url: URL): Promise<Session> {
  try {
    return await api.me();
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
