// Helpers for tests of routing: tenant settings, capacities, availability, and reading who holds what.
import { json } from "./client";
import type { Handoff, User } from "../../schema/shapes";
import type { TenantSettings } from "../../schema/settings";
import type { SettingsAnswer } from "./answers";

/** The admin (by cookie) changes tenant settings, by default switching to auto routing. */
export async function routingSettings(
  adminCookie: string,
  patch: Partial<TenantSettings> = { routing: "auto" },
): Promise<SettingsAnswer> {
  return json<SettingsAnswer>("/api/admin/settings", {
    method: "PATCH",
    cookie: adminCookie,
    body: patch,
    status: 200,
  });
}

export async function setCapacity(
  adminCookie: string,
  agentId: string,
  capacity: number,
): Promise<void> {
  await json(`/api/admin/agents/${agentId}`, {
    method: "PATCH",
    cookie: adminCookie,
    body: { capacity },
    status: 200,
  });
}

export async function setStatus(cookie: string, status: "online" | "away"): Promise<User> {
  return (
    await json<{ user: User }>("/api/me/status", {
      method: "PUT",
      cookie,
      body: { status },
      status: 200,
    })
  ).user;
}

/** The open handoffs as an agent's list shows them (queue order: oldest first). */
export async function openHandoffs(cookie: string): Promise<Handoff[]> {
  return (
    await json<{ handoffs: Handoff[] }>("/api/handoffs?status=queued,active", {
      cookie,
      status: 200,
    })
  ).handoffs;
}

/** Who holds each of these handoffs now (null while queued), by handoff id. */
export async function holders(
  cookie: string,
  ids: string[],
): Promise<Record<string, string | null>> {
  const open = new Map((await openHandoffs(cookie)).map((h) => [h.id, h.assignee?.id ?? null]));
  return Object.fromEntries(ids.map((id) => [id, open.get(id) ?? null]));
}
