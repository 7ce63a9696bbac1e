// The agents' API as the inbox calls it: same-origin fetch with the session cookie.
import type { Analytics } from "#schema/analytics";
import type { ApiErrorBody } from "#schema/errors";
import type { CommandData } from "#schema/realtime";
import type {
  AgentStatus,
  Handoff,
  HandoffEvent,
  Message,
  Stats,
  Tenant,
  User,
} from "#schema/shapes";

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
  get code() {
    return this.body.code;
  }
}

export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: init.body ? { "content-type": "application/json" } : undefined,
      credentials: "same-origin",
    });
  } catch {
    throw new ApiFailure(0, {
      code: "internal_error",
      message: "Cannot reach the server. Check your connection.",
    });
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: handled below as a generic failure.
  }
  if (!res.ok) {
    const error =
      typeof json === "object" && json !== null && "error" in json
        ? (json as { error: ApiErrorBody }).error
        : null;
    throw new ApiFailure(
      res.status,
      error ?? { code: "internal_error", message: `The server answered ${res.status}.` },
    );
  }
  return json as T;
}

const post = <T>(path: string, body?: unknown) =>
  request<T>(path, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });

const put = <T>(path: string, body: unknown) =>
  request<T>(path, { method: "PUT", body: JSON.stringify(body) });

export interface Session {
  user: User;
  tenant: Tenant;
}

export interface HandoffDetail {
  handoff: Handoff;
  messages: Message[];
  events: HandoffEvent[];
}

export interface AgentSummary {
  id: string;
  name: string;
  role: User["role"];
  disabled: boolean;
}

export const api = {
  me: () => request<Session>("/api/me"),
  login: (email: string, password: string) => post<Session>("/api/auth/login", { email, password }),
  logout: () => post<{ ok: true }>("/api/auth/logout"),
  /** The agent's own availability for auto-routing. */
  setStatus: (status: AgentStatus) => put<{ user: User }>("/api/me/status", { status }),
  list: (query: string) =>
    request<{ handoffs: Handoff[]; has_more?: boolean }>(`/api/handoffs?${query}`),
  detail: (id: string) => request<HandoffDetail>(`/api/handoffs/${encodeURIComponent(id)}`),
  stats: () => request<Stats>("/api/stats"),
  /** The same contact's handoffs with the same bot, newest first (this one among them). */
  contactHandoffs: (contactId: string, botId: string) =>
    request<{ handoffs: Handoff[] }>(
      `/api/contacts/${encodeURIComponent(contactId)}/handoffs?bot_id=${encodeURIComponent(botId)}&limit=11`,
    ),
  /** `search` is the query string, "?from=…&to=…&tz=…" (admins and viewers). */
  analytics: (search: string) => request<Analytics>(`/api/analytics${search}`),
  agents: () => request<{ agents: AgentSummary[] }>("/api/admin/agents"),
  claim: (id: string) => post<CommandData>(`/api/handoffs/${encodeURIComponent(id)}/claim`),
  release: (id: string) => post<CommandData>(`/api/handoffs/${encodeURIComponent(id)}/release`),
  reply: (id: string, text: string, clientId?: string) =>
    post<CommandData>(`/api/handoffs/${encodeURIComponent(id)}/messages`, {
      text,
      client_id: clientId,
    }),
  resolve: (id: string, outcome: "return_to_bot" | "close", note?: string) =>
    post<CommandData>(`/api/handoffs/${encodeURIComponent(id)}/resolve`, { outcome, note }),
  assign: (id: string, agentId: string) =>
    post<CommandData>(`/api/handoffs/${encodeURIComponent(id)}/assign`, { agent_id: agentId }),
};
