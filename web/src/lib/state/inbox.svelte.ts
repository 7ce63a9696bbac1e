// The inbox's live state: the filtered list, the open conversation, stats and presence, kept
// current by the socket's events and changed by the agent's commands.
import { SvelteMap } from "svelte/reactivity";
import type { AgentAction, CommandData, EventFrame } from "#schema/realtime";
import type { Handoff, LiveStats, Message, Person } from "#schema/shapes";
import { ApiFailure, api, type HandoffDetail, type Session } from "../api/client";
import { contactLabel } from "../format";
import { Connection } from "./connection.svelte";
import { apiQuery, byAge, DEFAULT_FILTERS, isQueueView, matches, type Filters } from "./filters";
import { Notifier } from "./notifications.svelte";
import { EventSequence } from "./sequence";

export type LoadState = "loading" | "ready" | "error";

export interface PendingReply {
  key: number;
  /** Sent with every attempt: the server stores the reply once however often it arrives. */
  clientId: string;
  handoffId: string;
  text: string;
  at: string;
  error: string | null;
}

/** A gap in seqs that does not fill within this time means something was lost: reload. */
const GAP_TIMEOUT_MS = 3_000;

export class Inbox {
  readonly handoffs = new SvelteMap<string, Handoff>();
  filters = $state<Filters>({ ...DEFAULT_FILTERS });
  listState = $state<LoadState>("loading");
  listError = $state("");
  /** Pushed by the server (in hello, then after every change that moves a number): never fetched. */
  stats = $state.raw<LiveStats | null>(null);
  agentsOnline = $state<Person[]>([]);
  detail = $state<HandoffDetail | null>(null);
  detailId = $state<string | null>(null);
  detailState = $state<LoadState>("loading");
  detailError = $state("");
  pendingReplies = $state<PendingReply[]>([]);
  /** Inline errors per handoff (e.g. "Claimed by Bob"). */
  actionErrors = new SvelteMap<string, string>();
  busy = new SvelteMap<string, string>();
  now = $state(Date.now());
  readonly notifier = new Notifier();
  readonly connection: Connection;
  readonly sequence = new EventSequence((frame) => this.applyEvent(frame));

  private loadedOnce = false;
  /** Each load gets a number; a response that is not the latest one is dropped. */
  private listGeneration = 0;
  private detailGeneration = 0;
  /** Events that arrived while a snapshot was on its way: re-applied on top of it, in order. */
  private listEvents: EventFrame[] | null = null;
  private detailEvents: EventFrame[] | null = null;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private clock: ReturnType<typeof setInterval> | null = null;
  private nextReplyKey = 0;

  hasMore = $state(false);
  /** The queue reads oldest waiting first; history reads newest first. */
  visible = $derived.by(() => {
    const list = [...this.handoffs.values()].filter((h) =>
      matches(h, this.filters, this.me.id, { search: false }),
    );
    return isQueueView(this.filters) ? list.sort(byAge) : list.sort((a, b) => byAge(b, a));
  });
  /** Ticks with the clock from when the oldest waiting conversation arrived. */
  oldestWaitingSeconds = $derived(
    this.stats?.oldest_waiting_since == null
      ? null
      : Math.max(0, Math.floor((this.now - Date.parse(this.stats.oldest_waiting_since)) / 1000)),
  );

  constructor(
    readonly session: Session,
    socketUrl: string,
    onSignedOut: () => void = () => {},
  ) {
    this.connection = new Connection(socketUrl, {
      hello: (seq, stats) => this.onHello(seq, stats),
      event: (frame) => this.onEvent(frame),
      stats: (stats) => (this.stats = stats),
      resync: () => this.startOver(),
      signedOut: () => {
        this.stop();
        onSignedOut();
      },
    });
  }

  get canWrite(): boolean {
    return this.session.user.role !== "viewer";
  }

  get me(): Person {
    return this.session.user;
  }

  start(): void {
    this.clock = setInterval(() => (this.now = Date.now()), 1_000);
    this.connection.start();
  }

  stop(): void {
    if (this.clock) clearInterval(this.clock);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.connection.stop();
  }

  // --- realtime ---------------------------------------------------------------------------

  private onHello(seq: number, stats: LiveStats): void {
    this.stats = stats;
    if (!this.loadedOnce) {
      this.loadedOnce = true;
      this.sequence.reset(seq);
      void this.reload();
    } else {
      // Back after a drop: ask for everything we missed.
      this.connection.send({ type: "resume", since: this.sequence.last });
    }
  }

  private onEvent(frame: EventFrame): void {
    const result = this.sequence.push(frame);
    if (result === "buffered" && !this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        if (this.sequence.waiting > 0) this.startOver();
      }, GAP_TIMEOUT_MS);
    }
  }

  /** Applies one tenant event to the local state (each exactly once, in order). */
  applyEvent(frame: EventFrame): void {
    this.listEvents?.push(frame);
    this.detailEvents?.push(frame);
    switch (frame.type) {
      case "handoff.created":
        this.upsert(frame.data.handoff);
        this.notifier.alert(
          "New escalation",
          `${contactLabel(frame.data.handoff.contact)} — ${frame.data.handoff.reason ?? "wants a person"}`,
          `/handoffs/${frame.data.handoff.id}`,
        );
        break;
      case "handoff.updated":
        this.upsert(frame.data.handoff);
        if (this.detailId === frame.data.handoff.id)
          void this.loadDetail(frame.data.handoff.id, true);
        break;
      case "handoff.reminder":
        this.notifier.toast(
          `Still waiting: ${contactLabel(frame.data.handoff.contact)} (${Math.round(frame.data.waiting_seconds / 60)} min)`,
          "info",
          `/handoffs/${frame.data.handoff.id}`,
        );
        break;
      case "message.created":
        this.upsert(frame.data.handoff);
        this.addMessage(frame.data.message);
        if (
          frame.data.message.from === "contact" &&
          frame.data.handoff.assignee?.id === this.me.id
        ) {
          this.notifier.alert(
            `Message from ${contactLabel(frame.data.handoff.contact)}`,
            frame.data.message.text.slice(0, 120),
            `/handoffs/${frame.data.handoff.id}`,
          );
        }
        break;
      case "message.updated":
        this.updateMessage(frame.data.message);
        break;
      case "presence":
        this.agentsOnline = frame.data.agents;
        if (this.stats) this.stats = { ...this.stats, agents_online: frame.data.agents_online };
        break;
    }
  }

  private upsert(h: Handoff): void {
    // The server searched every message; a row it listed stays while status and owner still fit.
    const listed = this.handoffs.has(h.id);
    if (matches(h, this.filters, this.me.id, { search: !listed })) this.handoffs.set(h.id, h);
    else this.handoffs.delete(h.id);
    if (this.detail?.handoff.id === h.id) this.detail = { ...this.detail, handoff: h };
  }

  /** Re-applies one event that arrived while the open conversation was loading. */
  private applyToDetail(frame: EventFrame): void {
    if (frame.type === "message.created") {
      this.addMessage(frame.data.message);
      if (this.detail?.handoff.id === frame.data.handoff.id)
        this.detail = { ...this.detail, handoff: frame.data.handoff };
    } else if (frame.type === "message.updated") this.updateMessage(frame.data.message);
    else if (
      frame.type === "handoff.updated" &&
      this.detail?.handoff.id === frame.data.handoff.id
    ) {
      this.detail = { ...this.detail, handoff: frame.data.handoff };
    }
  }

  private addMessage(m: Message): void {
    if (!this.detail || this.detail.handoff.id !== m.handoff_id) return;
    if (this.detail.messages.some((x) => x.id === m.id)) return;
    this.detail = { ...this.detail, messages: [...this.detail.messages, m] };
    if (m.from === "agent" && m.agent?.id === this.me.id) this.settlePending(m);
  }

  private updateMessage(m: Message): void {
    if (!this.detail || this.detail.handoff.id !== m.handoff_id) return;
    this.detail = {
      ...this.detail,
      messages: this.detail.messages.map((x) => (x.id === m.id ? m : x)),
    };
  }

  private settlePending(m: Message): void {
    const index = this.pendingReplies.findIndex(
      (p) => p.handoffId === m.handoff_id && p.text === m.text && !p.error,
    );
    if (index >= 0) this.pendingReplies = this.pendingReplies.filter((_, i) => i !== index);
  }

  // --- loading ----------------------------------------------------------------------------

  /**
   * Resync (or manual refresh): reconnect, and on the server's hello take a fresh snapshot and
   * count events from its seq.
   */
  startOver(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    this.loadedOnce = false;
    this.connection.reconnectNow();
  }

  /** Loads the list and the open conversation (the stats came with hello). */
  async reload(): Promise<void> {
    await Promise.all([
      this.loadList(),
      this.detailId ? this.loadDetail(this.detailId) : undefined,
    ]);
  }

  async setFilters(filters: Filters): Promise<void> {
    const changed = JSON.stringify(filters) !== JSON.stringify(this.filters);
    this.filters = filters;
    if (changed && this.loadedOnce) await this.loadList();
  }

  async loadList(): Promise<void> {
    const generation = ++this.listGeneration;
    this.listEvents = [];
    if (this.handoffs.size === 0) this.listState = "loading";
    try {
      const { handoffs, has_more } = await api.list(apiQuery(this.filters));
      if (generation !== this.listGeneration) return;
      this.handoffs.clear();
      for (const h of handoffs) this.handoffs.set(h.id, h);
      const missed = this.listEvents ?? [];
      this.listEvents = null;
      for (const frame of missed) if ("handoff" in frame.data) this.upsert(frame.data.handoff);
      this.hasMore = has_more === true;
      this.listState = "ready";
      this.listError = "";
    } catch (error) {
      if (generation !== this.listGeneration) return;
      this.listEvents = null;
      this.listState = "error";
      this.listError =
        error instanceof ApiFailure ? error.message : "Could not load conversations.";
    }
  }

  async open(id: string | null): Promise<void> {
    if (id === this.detailId) return;
    this.detailId = id;
    this.detail = null;
    if (id) await this.loadDetail(id);
  }

  async loadDetail(id: string, quiet = false): Promise<void> {
    const generation = ++this.detailGeneration;
    this.detailEvents = [];
    if (!quiet) this.detailState = "loading";
    try {
      const detail = await api.detail(id);
      if (generation !== this.detailGeneration || this.detailId !== id) return;
      this.detail = detail;
      const missed = this.detailEvents ?? [];
      this.detailEvents = null;
      for (const frame of missed) this.applyToDetail(frame);
      this.detailState = "ready";
    } catch (error) {
      if (generation !== this.detailGeneration || this.detailId !== id) return;
      this.detailEvents = null;
      this.detailState = "error";
      this.detailError =
        error instanceof ApiFailure && error.code === "not_found"
          ? "This conversation does not exist (or is not yours to see)."
          : error instanceof Error
            ? error.message
            : "Could not load the conversation.";
    }
  }

  // --- commands ---------------------------------------------------------------------------

  /** Runs one command on a handoff: busy label while it runs, the inline error if it fails. */
  private async run(
    handoffId: string,
    label: string,
    send: () => Promise<CommandData>,
  ): Promise<CommandData | null> {
    this.actionErrors.delete(handoffId);
    this.busy.set(handoffId, label);
    try {
      const data = await send();
      if ("handoff" in data) this.upsert(data.handoff);
      return data;
    } catch (error) {
      this.actionErrors.set(handoffId, describe(error));
      if (error instanceof ApiFailure && error.code === "already_claimed")
        void this.refreshOne(handoffId);
      return null;
    } finally {
      this.busy.delete(handoffId);
    }
  }

  private command(id: string, label: string, action: AgentAction) {
    return this.run(id, label, () => this.connection.command(action));
  }

  claim(id: string) {
    return this.command(id, "Claiming…", { type: "claim", handoff_id: id });
  }

  release(id: string) {
    return this.command(id, "Releasing…", { type: "release", handoff_id: id });
  }

  resolve(id: string, outcome: "return_to_bot" | "close", note: string) {
    return this.command(id, "Resolving…", {
      type: "resolve",
      handoff_id: id,
      outcome,
      note: note.trim() || undefined,
    });
  }

  /** Admins only, and not a socket command: over HTTP. */
  assign(id: string, agentId: string) {
    return this.run(id, "Assigning…", () => api.assign(id, agentId));
  }

  /** Shows the reply at once; it settles when the server confirms (or says why not). */
  reply(handoffId: string, text: string): Promise<boolean> {
    const pending: PendingReply = {
      key: ++this.nextReplyKey,
      clientId: newClientId(),
      handoffId,
      text,
      at: new Date().toISOString(),
      error: null,
    };
    this.pendingReplies = [...this.pendingReplies, pending];
    return this.send(pending);
  }

  /** Sends a failed reply again; the server keeps one copy even if the first did arrive. */
  retryReply(key: number): Promise<boolean> {
    const pending = this.pendingReplies.find((p) => p.key === key);
    if (!pending) return Promise.resolve(false);
    this.pendingReplies = this.pendingReplies.map((p) =>
      p.key === key ? { ...p, error: null } : p,
    );
    return this.send(pending);
  }

  private async send(pending: PendingReply): Promise<boolean> {
    const action = {
      type: "reply",
      handoff_id: pending.handoffId,
      text: pending.text,
      client_id: pending.clientId,
    } as const;
    try {
      let data: CommandData;
      try {
        data = await this.connection.command(action);
      } catch (error) {
        // No answer (the socket dropped or timed out): it may or may not have arrived. Ask over HTTP.
        if (!(error instanceof ApiFailure) || error.status !== 0) throw error;
        data = await api.reply(pending.handoffId, pending.text, pending.clientId);
      }
      this.pendingReplies = this.pendingReplies.filter((p) => p.key !== pending.key);
      if ("message" in data) this.addMessage(data.message);
      return true;
    } catch (error) {
      this.pendingReplies = this.pendingReplies.map((p) =>
        p.key === pending.key ? { ...p, error: describe(error) } : p,
      );
      return false;
    }
  }

  discardReply(key: number): void {
    this.pendingReplies = this.pendingReplies.filter((p) => p.key !== key);
  }

  /** After losing a claim race, show the row as it really is now. */
  private async refreshOne(id: string): Promise<void> {
    try {
      const { handoff } = await api.detail(id);
      this.upsert(handoff);
    } catch {
      // The event stream will bring it.
    }
  }
}

function newClientId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function describe(error: unknown): string {
  if (error instanceof ApiFailure) {
    if (error.code === "already_claimed") {
      const assignee = error.body.assignee as { name?: string } | undefined;
      return `Claimed by ${assignee?.name ?? "someone else"}`;
    }
    return error.message;
  }
  return "Something went wrong. Try again.";
}
