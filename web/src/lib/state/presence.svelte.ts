// The agent's own online/away switch (optimistic, rolled back if the server refuses) and the list
// of who has the inbox open, both kept current by hello and presence frames.
import type { AgentPresence, AgentStatus, User } from "#schema/shapes";
import { api } from "../api/client";
import { describe } from "./describe";
import type { Notifier } from "./notifications.svelte";
import { sortAgents, STATUS_LABELS } from "./presence";

export class Presence {
  agents = $state.raw<AgentPresence[]>([]);
  /** What the switch shows: the agent's choice, before the server has confirmed it. */
  status = $state<AgentStatus>("online");
  /** The last status the server confirmed: where a refused change goes back to. */
  private confirmed: AgentStatus;
  private latest = 0;
  private inFlight = 0;

  constructor(
    private readonly me: User,
    private readonly notifier: Notifier,
  ) {
    this.confirmed = me.status ?? "online";
    this.status = this.confirmed;
  }

  /** The server's greeting: my status as it holds it, and who is here. */
  greet(user: User, agents: AgentPresence[]): void {
    if (user.status) this.follow(user.status);
    this.update(agents);
  }

  update(agents: AgentPresence[]): void {
    this.agents = sortAgents(agents);
    const mine = agents.find((a) => a.id === this.me.id);
    if (mine) this.follow(mine.status);
  }

  toggle(): Promise<void> {
    return this.setStatus(this.status === "online" ? "away" : "online");
  }

  async setStatus(status: AgentStatus): Promise<void> {
    if (status === this.status) return;
    const request = ++this.latest;
    this.inFlight += 1;
    this.status = status;
    try {
      const { user } = await api.setStatus(status);
      this.confirmed = user.status ?? status;
      if (request === this.latest) this.status = this.confirmed;
    } catch (error) {
      if (request !== this.latest) return;
      this.status = this.confirmed;
      this.notifier.toast(
        `Could not switch to ${STATUS_LABELS[status]}: ${describe(error)}`,
        "error",
      );
    } finally {
      this.inFlight -= 1;
    }
  }

  /** A change made elsewhere (another tab): followed unless a change of ours is on its way. */
  private follow(status: AgentStatus): void {
    if (this.inFlight > 0) return;
    this.confirmed = status;
    this.status = status;
  }
}
