// The agent's replies on their way: shown at once, sent with a client id so that sending again
// after a lost answer stores the reply once, settled when the server confirms (or says why not).
import type { AgentAction, CommandData } from "#schema/realtime";
import type { Message } from "#schema/shapes";
import { ApiFailure, api } from "../api/client";
import { describe } from "./describe";

export interface PendingReply {
  key: number;
  /** Sent with every attempt: the server stores the reply once however often it arrives. */
  clientId: string;
  handoffId: string;
  text: string;
  at: string;
  error: string | null;
}

export class Replies {
  pending = $state<PendingReply[]>([]);
  private nextKey = 0;

  constructor(
    /** Runs a command on the socket (HTTP while it is down). */
    private readonly command: (action: AgentAction) => Promise<CommandData>,
    /** The stored message, for the open transcript. */
    private readonly delivered: (message: Message) => void,
  ) {}

  /** Shows the reply at once; it settles when the server confirms (or says why not). */
  send(handoffId: string, text: string): Promise<boolean> {
    const pending: PendingReply = {
      key: ++this.nextKey,
      clientId: newClientId(),
      handoffId,
      text,
      at: new Date().toISOString(),
      error: null,
    };
    this.pending = [...this.pending, pending];
    return this.attempt(pending);
  }

  /** Sends a failed reply again; the server keeps one copy even if the first did arrive. */
  retry(key: number): Promise<boolean> {
    const pending = this.pending.find((p) => p.key === key);
    if (!pending) return Promise.resolve(false);
    this.pending = this.pending.map((p) => (p.key === key ? { ...p, error: null } : p));
    return this.attempt(pending);
  }

  discard(key: number): void {
    this.pending = this.pending.filter((p) => p.key !== key);
  }

  /** A reply of mine arrived as an event (before its answer): it is no longer pending. */
  settle(m: Message): void {
    const index = this.pending.findIndex(
      (p) => p.handoffId === m.handoff_id && p.text === m.text && !p.error,
    );
    if (index >= 0) this.pending = this.pending.filter((_, i) => i !== index);
  }

  private async attempt(pending: PendingReply): Promise<boolean> {
    const action = {
      type: "reply",
      handoff_id: pending.handoffId,
      text: pending.text,
      client_id: pending.clientId,
    } as const;
    try {
      let data: CommandData;
      try {
        data = await this.command(action);
      } catch (error) {
        // No answer (the socket dropped or timed out): it may or may not have arrived. Ask over HTTP.
        if (!(error instanceof ApiFailure) || error.status !== 0) throw error;
        data = await api.reply(pending.handoffId, pending.text, pending.clientId);
      }
      this.pending = this.pending.filter((p) => p.key !== pending.key);
      if ("message" in data) this.delivered(data.message);
      return true;
    } catch (error) {
      this.pending = this.pending.map((p) =>
        p.key === pending.key ? { ...p, error: describe(error) } : p,
      );
      return false;
    }
  }
}

/** Unique per reply, so the server can tell a retry from a new reply. */
function newClientId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
