// The admin endpoints the settings pages call (viewers read them, admins write).
import type { TenantSettings, TenantSettingsPatch } from "#schema/settings";
import type { Role } from "#schema/shapes";
import { request } from "./client";

export interface AdminAgent {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
  capacity: number;
  team_ids: string[];
  created_at: string;
}

export interface AgentPatch {
  role?: Role;
  capacity?: number;
}

export interface ApiKey {
  id: string;
  bot_id: string;
  name: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  /** Not every server reports it. */
  last_used_at?: string | null;
}

export interface BotSummary {
  id: string;
  name: string;
}

export interface TeamSummary {
  id: string;
  name: string;
}

const send = <T>(method: string, path: string, body?: unknown) =>
  request<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });

export const adminApi = {
  settings: () => request<{ settings: TenantSettings }>("/api/admin/settings"),
  saveSettings: (patch: TenantSettingsPatch) =>
    send<{ settings: TenantSettings }>("PATCH", "/api/admin/settings", patch),
  agents: () => request<{ agents: AdminAgent[] }>("/api/admin/agents"),
  updateAgent: (id: string, patch: AgentPatch) =>
    send<{ agent: AdminAgent }>("PATCH", `/api/admin/agents/${encodeURIComponent(id)}`, patch),
  teams: () => request<{ teams: TeamSummary[] }>("/api/admin/teams"),
  bots: () => request<{ bots: BotSummary[] }>("/api/admin/bots"),
  apiKeys: () => request<{ api_keys: ApiKey[] }>("/api/admin/api-keys"),
  createApiKey: (botId: string, name: string) =>
    send<{ key: string; api_key: ApiKey }>("POST", "/api/admin/api-keys", { bot_id: botId, name }),
  revokeApiKey: (id: string) =>
    send<{ api_key: ApiKey }>("DELETE", `/api/admin/api-keys/${encodeURIComponent(id)}`),
};
