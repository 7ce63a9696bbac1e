// The admin endpoints of the Agents and Teams settings: invite and change agents, and the teams
// (viewers read them, admins write).
import type { createAgentInput, updateAgentInput, updateTeamInput } from "#schema/api";
import type { Team } from "#schema/shapes";
import type { z } from "zod";
import type { AdminAgent } from "./admin";
import { request } from "./client";

export type { Team };
/** `POST /api/admin/agents`: the password is set here (no email invitation exists). */
export type NewAgent = z.input<typeof createAgentInput>;
/** `PATCH /api/admin/agents/:id`: a role, a password or disabling signs them out everywhere. */
export type AgentChange = z.input<typeof updateAgentInput>;
export type TeamChange = z.input<typeof updateTeamInput>;

const send = <T>(method: string, path: string, body?: unknown) =>
  request<T>(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
const agentPath = (id: string) => `/api/admin/agents/${encodeURIComponent(id)}`;
const teamPath = (id: string) => `/api/admin/teams/${encodeURIComponent(id)}`;

export const peopleApi = {
  agents: () => request<{ agents: AdminAgent[] }>("/api/admin/agents"),
  inviteAgent: (agent: NewAgent) => send<{ agent: AdminAgent }>("POST", "/api/admin/agents", agent),
  updateAgent: (id: string, change: AgentChange) =>
    send<{ agent: AdminAgent }>("PATCH", agentPath(id), change),
  teams: () => request<{ teams: Team[] }>("/api/admin/teams"),
  createTeam: (name: string) => send<{ team: Team }>("POST", "/api/admin/teams", { name }),
  updateTeam: (id: string, change: TeamChange) =>
    send<{ team: Team }>("PATCH", teamPath(id), change),
  deleteTeam: (id: string) => send<{ team: Team }>("DELETE", teamPath(id)),
};
