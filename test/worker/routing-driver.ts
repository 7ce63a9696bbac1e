// One tenant driven through its public surfaces (bot API, agents' HTTP API, sockets, admin API)
// by the steps of the routing property test; after each step the object's state is read and
// judged by routing-model.ts. The driver keeps the world the object should be routing in.
import { runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { EscalateResult } from "./answers";
import { AgentSocket, call, escalation, hub, json, login, newApiKey } from "./client";
import { makeTenant, type TestTenant, type TestUser } from "./fixtures";
import {
  checkStep,
  type AgentState,
  type AuditEntry,
  type HandoffState,
  type Snapshot,
  type World,
} from "./routing-model";
import { makeTeam } from "./team-helpers";

export const PRIORITIES = ["urgent", "high", "normal", "low"] as const;
/** Agents and admins the object may route to; index 5 of `people` is the viewer. */
export const ROUTABLE = 5;
export const PEOPLE = ROUTABLE + 1;
export const TEAMS = 2;
const MAX_SOCKETS = 3;
/** Escalations per API key before a fresh one (keys have a request budget per 10 s). */
const ESCALATIONS_PER_KEY = 40;

/** Who acts on a handoff: a person by index, or whoever holds it. */
export type Actor = number | "assignee";

export type Action =
  | { kind: "escalate"; priority: (typeof PRIORITIES)[number]; team: number | null }
  | { kind: "claim"; user: number; pick: number; anyStatus: boolean }
  | { kind: "release" | "resolve"; user: Actor; pick: number; anyStatus: boolean }
  | { kind: "connect" | "disconnect"; user: number }
  | { kind: "status"; user: number; status: "online" | "away" }
  | { kind: "capacity"; user: number; capacity: number }
  | { kind: "team"; team: number; members: boolean[] }
  | { kind: "mode"; mode: "auto" | "claim" };

interface Person {
  user: TestUser;
  cookie: string;
}

export class RoutingTenant {
  readonly world: World;
  private before: Snapshot = { handoffs: new Map(), agents: new Map(), teams: new Map() };
  private auditSeen = 0;
  private readonly takers = new Map<string, string>();
  private readonly sockets = new Map<string, AgentSocket[]>();
  private key: string;
  private keyUses = 0;
  /** What the run exercised, so a summary can show the property is not vacuous. */
  readonly tally = { steps: 0, autoAssigned: 0, refused: 0 };

  private constructor(
    private readonly tenant: TestTenant,
    private readonly people: Person[],
    private readonly admin: Person,
    private readonly observer: AgentSocket,
    private readonly teamIds: string[],
  ) {
    this.key = tenant.apiKey;
    this.world = {
      mode: "auto",
      routable: people.slice(0, ROUTABLE).map((p) => p.user.id),
      sockets: new Map(),
      status: new Map(),
      capacity: new Map(),
      teams: new Map(teamIds.map((id) => [id, new Set<string>()])),
    };
  }

  /** A fresh tenant: five routable people (one the admin), a viewer watching, two empty teams, auto routing. */
  static async create(): Promise<RoutingTenant> {
    const t = await makeTenant({ agents: 2 });
    const users = [t.admin, t.alice, t.bob, ...t.agents, t.viewer];
    const people = await Promise.all(
      users.map(async (user) => ({ user, cookie: await login(user) })),
    );
    const admin = people[0]!;
    const teamIds: string[] = [];
    for (let i = 0; i < TEAMS; i += 1)
      teamIds.push((await makeTeam(admin.cookie, `Team ${i}`, [])).id);
    await json("/api/admin/settings", {
      method: "PATCH",
      cookie: admin.cookie,
      body: { routing: "auto", offline_grace_seconds: 0, email_reminders: false },
      status: 200,
    });
    // The viewer's socket sees every presence frame: it tells when a closed socket has been seen.
    const observer = await AgentSocket.open(people[ROUTABLE]!.cookie);
    const driven = new RoutingTenant(t, people, admin, observer, teamIds);
    driven.before = (await driven.read()).snapshot;
    return driven;
  }

  close(): void {
    for (const open of this.sockets.values()) for (const s of open) s.close();
    this.observer.close();
  }

  /** Runs one step, then checks everything the object holds against the rules. */
  async step(action: Action): Promise<void> {
    this.tally.steps += 1;
    const label = `step ${this.tally.steps} ${JSON.stringify(action)}`;
    const check = await this.run(action, label);
    const { snapshot: after, entries } = await this.read();
    check?.(after);
    checkStep(label, this.world, this.before, after, entries, this.takers);
    this.tally.autoAssigned += entries.filter((e) => e.type === "assigned").length;
    this.before = after;
  }

  /** Does the step; answers a check of its reply against the state it left, if there is one. */
  private async run(action: Action, label: string): Promise<((after: Snapshot) => void) | void> {
    switch (action.kind) {
      case "escalate":
        return this.escalate(action.priority, action.team, label);
      case "claim":
        return this.claim(action, label);
      case "release":
      case "resolve":
        return this.letGo(action, label);
      case "connect":
        return this.connect(this.people[action.user]!.user.id, action.user);
      case "disconnect":
        return this.disconnect(this.people[action.user]!.user.id);
      case "status": {
        const person = this.people[action.user]!;
        await json("/api/me/status", {
          method: "PUT",
          cookie: person.cookie,
          body: { status: action.status },
          status: 200,
        });
        this.world.status.set(person.user.id, action.status);
        return;
      }
      case "capacity": {
        const id = this.people[action.user]!.user.id;
        await this.asAdmin(`/api/admin/agents/${id}`, { capacity: action.capacity });
        this.world.capacity.set(id, action.capacity);
        return;
      }
      case "team": {
        const teamId = this.teamIds[action.team]!;
        const members = this.people
          .slice(0, ROUTABLE)
          .filter((_, i) => action.members[i])
          .map((p) => p.user.id);
        await this.asAdmin(`/api/admin/teams/${teamId}`, { member_ids: members });
        this.world.teams.set(teamId, new Set(members));
        return;
      }
      case "mode":
        await this.asAdmin("/api/admin/settings", { routing: action.mode });
        this.world.mode = action.mode;
        return;
    }
  }

  private async asAdmin(path: string, body: Record<string, unknown>): Promise<void> {
    await json(path, { method: "PATCH", cookie: this.admin.cookie, body, status: 200 });
  }

  private async escalate(priority: string, team: number | null, label: string) {
    if (this.keyUses === ESCALATIONS_PER_KEY) {
      this.key = (await newApiKey(this.admin.cookie, this.tenant.botId)).key;
      this.keyUses = 0;
    }
    this.keyUses += 1;
    const body = escalation(team === null ? { priority } : { priority, team: `Team ${team}` });
    const answer = await json<EscalateResult>("/api/v1/handoffs", {
      key: this.key,
      body,
      status: 201,
    });
    // The answer shows the handoff as the step left it (auto-routing may have assigned it).
    return (after: Snapshot) =>
      expect(answer.handoff.status, `${label}: the escalation's answer`).toBe(
        after.handoffs.get(answer.handoff.id)?.status,
      );
  }

  /** The handoff a step acts on: among the open (or active) ones unless any will do. */
  private pick(pick: number, anyStatus: boolean, statuses: string[]): HandoffState | undefined {
    const all = [...this.before.handoffs.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const pool = anyStatus ? all : all.filter((h) => statuses.includes(h.status));
    return pool[pick % Math.max(pool.length, 1)];
  }

  private async claim(action: Extract<Action, { kind: "claim" }>, label: string) {
    const handoff = this.pick(action.pick, action.anyStatus, ["queued", "active"]);
    if (!handoff) return;
    const person = this.people[action.user]!;
    const res = await call(`/api/handoffs/${handoff.id}/claim`, {
      method: "POST",
      cookie: person.cookie,
    });
    const answer = await res.text();
    const [status, code] =
      person.user.role === "viewer"
        ? [403, "forbidden"]
        : handoff.status === "queued"
          ? [200, null]
          : handoff.status !== "active"
            ? [409, "invalid_state"]
            : handoff.assignee_id === person.user.id
              ? [200, null]
              : [409, "already_claimed"];
    expect(res.status, `${label}: claim of a ${handoff.status} handoff: ${answer}`).toBe(status);
    if (code) expect(answer, label).toContain(`"${code}"`);
    if (status !== 200) return void (this.tally.refused += 1);
    // A claim never routes anything: the claimer holds it.
    return (after: Snapshot) =>
      expect(after.handoffs.get(handoff.id), label).toMatchObject({
        status: "active",
        assignee_id: person.user.id,
      });
  }

  private async letGo(action: Extract<Action, { kind: "release" | "resolve" }>, label: string) {
    const handoff = this.pick(action.pick, action.anyStatus, ["active"]);
    if (!handoff) return;
    const index =
      action.user === "assignee"
        ? this.people.findIndex((p) => p.user.id === handoff.assignee_id)
        : action.user;
    const person = this.people[Math.max(index, 0)]!;
    const res = await call(`/api/handoffs/${handoff.id}/${action.kind}`, {
      method: "POST",
      cookie: person.cookie,
      body: action.kind === "resolve" ? { outcome: "close" } : {},
    });
    const answer = await res.text();
    const [status, code] =
      person.user.role === "viewer"
        ? [403, "forbidden"]
        : handoff.status !== "active"
          ? [409, "invalid_state"]
          : handoff.assignee_id !== person.user.id && person.user.role !== "admin"
            ? [403, "not_assignee"]
            : [200, null];
    expect(res.status, `${label}: ${action.kind} of a ${handoff.status} handoff: ${answer}`).toBe(
      status,
    );
    if (code) expect(answer, label).toContain(`"${code}"`);
    if (status !== 200) this.tally.refused += 1;
  }

  private async connect(id: string, index: number): Promise<void> {
    const open = this.sockets.get(id) ?? [];
    if (open.length === MAX_SOCKETS) return;
    // The upgrade is answered after the object has taken the agent online (and routed).
    open.push(await AgentSocket.open(this.people[index]!.cookie));
    this.sockets.set(id, open);
    this.world.sockets.set(id, open.length);
  }

  private async disconnect(id: string): Promise<void> {
    const open = this.sockets.get(id) ?? [];
    const socket = open.pop();
    if (!socket) return;
    const seen = this.observer.frames.length;
    socket.close();
    this.world.sockets.set(id, open.length);
    if (open.length > 0) return;
    // The object learns of the close on its own time: wait until it has taken them offline.
    await this.observer.next(
      (f) =>
        f.type === "presence" &&
        this.observer.frames.indexOf(f) >= seen &&
        !f.data.agents.some((a) => a.id === id),
    );
  }

  /** The object's state and the audit entries written since the last read, read at once. */
  private async read(): Promise<{ snapshot: Snapshot; entries: AuditEntry[] }> {
    const since = this.auditSeen;
    const read = await runInDurableObject(hub(this.tenant), (_instance, state) => {
      const rows = <T>(query: string, ...args: SqlStorageValue[]) =>
        state.storage.sql.exec(query, ...args).toArray() as T[];
      const handoffs = rows<HandoffState>(
        `SELECT id, status, assignee_id, team_id, priority, created_at, passed_over_by FROM handoffs`,
      );
      const agents = rows<AgentState>(`SELECT id, capacity, status, last_assigned_at FROM agents`);
      const teams = rows<{ id: string; member_ids: string }>(
        `SELECT id, member_ids FROM teams WHERE deleted = 0`,
      );
      const entries = rows<AuditEntry>(
        `SELECT rowid AS seq, handoff_id, type, actor_id, data, at FROM audit WHERE rowid > ? ORDER BY rowid`,
        since,
      );
      const snapshot: Snapshot = {
        handoffs: new Map(handoffs.map((h) => [h.id, h])),
        agents: new Map(agents.map((a) => [a.id, a])),
        teams: new Map(teams.map((t) => [t.id, JSON.parse(t.member_ids) as string[]])),
      };
      return { snapshot, entries };
    });
    this.auditSeen = read.entries.at(-1)?.seq ?? since;
    return read;
  }
}
