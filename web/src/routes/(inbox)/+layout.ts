// The inbox needs a session; without one, the login page.
import { redirect } from "@sveltejs/kit";
import { ApiFailure, api } from "#lib/api/client.ts";

export async function load() {
  try {
    return { session: await api.me() };
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) redirect(307, "/login");
    throw error;
  }
}
