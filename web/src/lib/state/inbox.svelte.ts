// The inbox's live state: the filtered list, the open conversation, stats and presence, kept
// current by the socket's events and changed by the agent's commands.
import { SvelteMap } from "svelte/reactivity";
import type { AgentAction, CommandData, EventFrame } from "#schema/realtime";
import type { Handoff, LiveStats, Message, Person } from "#schema/shapes";
import { ApiFailure, api, type HandoffDetail, type Session } from "../api/client";
import { contactLabel } from "../format";
import { Connection, type Hello } from "./connection.svelte";
import { describe } from "./describe";
import { apiQuery, byAge, DEFAULT_FILTERS, isQueueView, matches, type Filters } from "./filters";
import { Notifier } from "./notifications.svelte";
import { Presence } from "./presence.svelte";
import { queuePlaces } from "./queue";
import { Replies } from "./replies.svelte";
import { routingNotice } from "./routing";
import { EventSequence } from "./sequence";
import { Typing } from "./typing.svelte";

export type LoadState = "loading" | "ready" | "error";

/** A gap in seqs that does not fill within this time means something was lost: reload. */
const GAP_TIMEOUT_MS = 3_000;

export class Inbox {
  readonly handoffs = new SvelteMap<string, Handoff>();
  filters = $state<Filters>({ ...DEFAULT_FILTERS });
  listState = $state<LoadState>("loading");
  listError = $state("");
  /** Pushed by the server (in hello, then after every change that moves a number): never fetched. */
  stats = $state.raw<LiveStats | null>(null);
  detail = $state<HandoffDetail | null>(null);
  detailId = $state<string | null>(null);
  detailState = $state<LoadState>("loading");
  detailError = $state("");
  /** Inline errors per handoff (e.g. "Claimed by Bob"). */
  actionErrors = new SvelteMap<string, string>();
  busy = new SvelteMap<string, string>();
  now = $state(Date.now());
  readonly notifier = new Notifier();
  readonly presence: Presence;
  /** Replies on their way: shown at once, settled when the server confirms. */
  readonly replies: Replies;
  readonly connection: Connection;
  /** Who is typing where: contacts' indicators, and the agent's own typing sent (throttled). */
  readonly typing = new Typing((id) => this.connection.send({ type: "typing", handoff_id: id }));
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

  hasMore = $state(false);
  /** The queue reads oldest waiting first; history reads newest first. */
  visible = $derived.by(() => {
    const list = [...this.handoffs.values()].filter((h) =>
      matches(h, this.filters, this.me.id, { search: false }),
    );
    return isQueueView(this.filters) ? list.sort(byAge) : list.sort((a, b) => byAge(b, a));
  });
  /** Where each queued row stands; counted here when the list holds the whole queue. */
  queuePlaces = $derived(
    queuePlaces(
      this.handoffs.values(),
      !this.filters.q.trim() && this.filters.assignee !== "mine" && !this.hasMore,
    ),
  );
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
    this.presence = new Presence(session.user, this.notifier);
    this.replies = new Replies(
      (action) => this.connection.command(action),
      (message) => this.addMessage(message),
    );
    this.connection = new Connection(socketUrl, {
      hello: (seq, data) => this.onHello(seq, data),
      event: (frame) => this.onEvent(frame),
      stats: (stats) => (this.stats = stats),
      typing: (data) => this.typing.contactTyping(data.handoff_id),
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
    this.typing.stop();
    this.connection.stop();
  }

  // --- realtime ---------------------------------------------------------------------------

  private onHello(seq: number, { stats, user, agents }: Hello["data"]): void {
    this.stats = stats;
    this.presence.greet(user, agents);
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
      case "handoff.updated": {
        const before = this.handoffs.get(frame.data.handoff.id);
        this.upsert(frame.data.handoff);
        if (this.detailId === frame.data.handoff.id)
          void this.loadDetail(frame.data.handoff.id, true);
        const notice = routingNotice(frame.data, this.me.id, before);
        if (notice?.alert) this.notifier.alert(notice.title, notice.body, notice.href);
        else if (notice)
          this.notifier.toast(`${notice.title}: ${notice.body}`, "info", notice.href);
        break;
      }
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
        if (frame.data.message.from === "contact")
          this.typing.contactStopped(frame.data.handoff.id);
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
        this.presence.update(frame.data.agents);
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
    if (m.from === "agent" && m.agent?.id === this.me.id) this.replies.settle(m);
  }

  private updateMessage(m: Message): void {
    if (!this.detail || this.detail.handoff.id !== m.handoff_id) return;
    this.detail = {
      ...this.detail,
      messages: this.detail.messages.map((x) => (x.id === m.id ? m : x)),
    };
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
