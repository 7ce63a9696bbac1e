// Typing indicators in the inbox: which conversations' contacts are typing now (each turning
// itself off after a few seconds without another frame), and the agent's own typing, sent over
// the socket at most once every two seconds per conversation.
import { SvelteSet } from "svelte/reactivity";

/** An indicator stays on this long after the last typing frame. */
export const TYPING_SHOWN_MS = 4_000;
/** The agent's typing is sent at most this often for one conversation. */
export const TYPING_EVERY_MS = 2_000;

export class Typing {
  /** Handoffs whose contact is typing. */
  readonly contacts = new SvelteSet<string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lastSent = new Map<string, number>();

  constructor(
    /** Sends the agent's typing frame; false when the socket is not up (try again later). */
    private readonly send: (handoffId: string) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** A `typing` frame from the contact of this handoff arrived. */
  contactTyping(handoffId: string): void {
    clearTimeout(this.timers.get(handoffId));
    this.contacts.add(handoffId);
    this.timers.set(
      handoffId,
      setTimeout(() => this.contactStopped(handoffId), TYPING_SHOWN_MS),
    );
  }

  /** Their message arrived (or the indicator timed out). */
  contactStopped(handoffId: string): void {
    clearTimeout(this.timers.get(handoffId));
    this.timers.delete(handoffId);
    this.contacts.delete(handoffId);
  }

  /** The agent typed in the reply box of this handoff. */
  agentTyping(handoffId: string): void {
    const now = this.now();
    const last = this.lastSent.get(handoffId);
    if (last !== undefined && now - last < TYPING_EVERY_MS) return;
    if (this.send(handoffId)) this.lastSent.set(handoffId, now);
  }

  /**
   * The agent sent their reply: the contact's indicator went off with it, so the next keystroke
   * must say so again at once rather than wait out the two seconds.
   */
  replied(handoffId: string): void {
    this.lastSent.delete(handoffId);
  }

  stop(): void {
    for (const id of [...this.contacts]) this.contactStopped(id);
  }
}
