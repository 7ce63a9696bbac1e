// The visitor's conversation as the widget holds it: confirmed messages in arrival order, the
// visitor's own messages still on their way, the handoff (queue place, agent, rating), and the
// last numbered frame applied. Plain data and rules, no DOM.
import type { ServerFrame, WidgetConversation, WidgetHandoff, WidgetMessage } from "./types";

export interface Pending {
  key: number;
  text: string;
  failed: boolean;
}

export type Change = "reset" | "message" | "handoff" | "none";

export class ConversationState {
  messages: WidgetMessage[] = [];
  pending: Pending[] = [];
  handoff: WidgetHandoff | null = null;
  seq = 0;
  private nextKey = 0;

  /** Replaces everything confirmed with the server's view (first load, resync, new session). */
  load(conversation: WidgetConversation): void {
    this.messages = conversation.messages;
    this.handoff = conversation.handoff;
    this.seq = conversation.seq;
    for (const message of this.messages) this.settle(message);
  }

  /**
   * Adds a confirmed message unless it is already there; true when it was new. A message of the
   * visitor's that arrives by the socket first settles one of theirs still on its way.
   */
  add(message: WidgetMessage, settles = true): boolean {
    if (this.messages.some((m) => m.id === message.id)) return false;
    if (settles) this.settle(message);
    this.messages.push(message);
    return true;
  }

  /** Applies a numbered frame once, in order: older or repeated numbers are ignored. */
  apply(frame: ServerFrame): Change {
    if (frame.type !== "message.created" && frame.type !== "handoff.updated") return "none";
    if (frame.seq <= this.seq) return "none";
    this.seq = frame.seq;
    if (frame.type === "message.created") return this.add(frame.data.message) ? "message" : "none";
    if (this.handoff && this.handoff.id !== frame.data.handoff.id && isOpen(this.handoff)) {
      // An update about an older handoff must not hide the one that is open now.
      if (!isOpen(frame.data.handoff)) return "none";
    }
    this.handoff = frame.data.handoff;
    return "handoff";
  }

  queue(text: string): Pending {
    const pending = { key: ++this.nextKey, text, failed: false };
    this.pending.push(pending);
    return pending;
  }

  /** The server confirmed (or the socket already showed) the visitor's message. */
  private settle(message: WidgetMessage): void {
    if (message.from !== "contact") return;
    const i = this.pending.findIndex((p) => !p.failed && p.text === message.text);
    if (i >= 0) this.pending.splice(i, 1);
  }

  drop(pending: Pending): void {
    this.pending = this.pending.filter((p) => p !== pending);
  }
}

const isOpen = (h: WidgetHandoff) => h.status === "queued" || h.status === "active";

/** Whole minutes, at least one, for "about M min". */
export function waitMinutes(seconds: number): number {
  return Math.max(1, Math.round(seconds / 60));
}

/** The line under the transcript that says where the visitor stands with a person. */
export function statusLine(handoff: WidgetHandoff | null): string {
  if (!handoff) return "";
  if (handoff.status === "queued") {
    if (!handoff.queue) return "Waiting for a person…";
    const { position, estimated_wait_seconds: wait } = handoff.queue;
    const about = wait === null ? "" : ` (about ${waitMinutes(wait)} min)`;
    return `Waiting for a person — you are number ${position} in the queue${about}`;
  }
  if (handoff.status === "active")
    return handoff.agent ? `${handoff.agent.name} joined the conversation` : "A person joined";
  return "";
}
