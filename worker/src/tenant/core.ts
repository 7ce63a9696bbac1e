// The tenant's state and the primitives every lifecycle step is built from. Everything here is
// synchronous SQL: a command that uses it runs start to finish without yielding.
import { storedMetadata } from "../../../schema/metadata";
import type { ServerFrame, TenantEvent } from "../../../schema/realtime";
import type {
  AuditType,
  Delivery,
  Handoff,
  HandoffWithMetadata,
  LiveStats,
  Message,
  Person,
  Sender,
} from "../../../schema/shapes";
import { newId } from "../ids";
import { Access } from "./access";
import { AGENT_TAG } from "./presence";
import { visitorEvent } from "./visitors";
import { Counters } from "./counters";
import { Feed } from "./feed";
import { armHousekeeping } from "./housekeeping";
import { Mirror } from "./mirror";
import {
  toHandoff,
  toHandoffWithMetadata,
  toMessage,
  type HandoffRow,
  type MessageRow,
} from "./records";
import { isRelayed, relayText } from "./channel-outbox";
import { migrate } from "./migrations";
import type { Presence } from "./presence";
import { RoutingCopy } from "./routing-copy";
import { SettingsCopy } from "./settings";
import { Sql } from "./sql";
import { Timers } from "./timers";
import { botSettings, tenantInfo, type BotSettings, type TenantInfo } from "./types";
import { WebhookOutbox } from "./webhooks";

export class TenantCore {
  readonly sql: Sql;
  readonly feed: Feed;
  readonly timers: Timers;
  readonly mirror: Mirror;
  readonly outbox: WebhookOutbox;
  readonly access: Access;
  readonly counters: Counters;
  readonly settings: SettingsCopy;
  readonly routing: RoutingCopy;
  /**
   * What the end of the step must settle (routing.ts): auto-routing, when the step may have let
   * it hand out more; a presence frame, when availability or an online agent's load changed.
   */
  readonly due = { route: false, roster: false, loads: new Set<string>(), visitors: false };
  private cachedTenant: TenantInfo | null | undefined;
  private readonly parsedBots = new Map<
    string,
    { version: number; text: string; bot: BotSettings }
  >();

  constructor(
    private readonly storage: DurableObjectStorage,
    /** The object's open sockets, or those with a tag (agents', one visitor conversation's). */
    readonly sockets: (tag?: string) => WebSocket[],
    d1: D1Database,
    /** Who has the inbox open, from the object's socket index. */
    readonly presence: Presence,
    /** How long a change waits before it is written to D1 with the others of that moment. */
    mirrorDelayMs = 0,
  ) {
    this.sql = new Sql(storage.sql);
    migrate(this.sql);
    this.feed = new Feed(this.sql, () => sockets(AGENT_TAG));
    this.timers = new Timers(this.sql);
    this.mirror = new Mirror(this.sql, this.timers, mirrorDelayMs);
    this.outbox = new WebhookOutbox(this.sql, this.timers);
    this.access = new Access(this.sql, d1);
    this.counters = new Counters(this.sql);
    this.settings = new SettingsCopy(this.sql);
    this.routing = new RoutingCopy(this.sql);
  }

  /**
   * Runs a step as one storage transaction: if it throws midway nothing of it is kept and none
   * of its frames are sent. Synchronous, so no other request interleaves.
   */
  atomically<T>(step: () => T): T {
    return this.feed.hold(() => this.storage.transactionSync(step));
  }

  // --- tenant and bots -----------------------------------------------------------------

  /** Stored once and again only when the name changes; read from memory on the hot path. */
  setTenant(tenant: TenantInfo): void {
    const known = this.tenant();
    if (known?.id === tenant.id && known.name === tenant.name) return;
    this.sql.run(
      `INSERT INTO meta (key, value) VALUES ('tenant', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      JSON.stringify(tenant),
    );
    this.cachedTenant = tenant;
  }

  tenant(): TenantInfo | null {
    if (this.cachedTenant === undefined) {
      const row = this.sql.first<{ value: string }>(`SELECT value FROM meta WHERE key = 'tenant'`);
      this.cachedTenant = row ? tenantInfo.parse(JSON.parse(row.value)) : null;
    }
    return this.cachedTenant;
  }

  orgName(): string {
    return this.tenant()?.name ?? "";
  }

  /** Keeps the newest copy of a bot's settings: an escalation that read older ones loses. */
  putBot(bot: BotSettings, now: number): void {
    this.sql.insert(
      "bots",
      { id: bot.id, settings: JSON.stringify(bot), version: bot.version, synced_at: now },
      `ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, version = excluded.version, synced_at = excluded.synced_at
       WHERE excluded.version >= bots.version`,
    );
  }

  /** A bot's settings, parsed once per version (read on every bot request and command). */
  bot(id: string): BotSettings | undefined {
    const row = this.sql.first<{ settings: string; version: number }>(
      `SELECT settings, version FROM bots WHERE id = ?`,
      id,
    );
    if (!row) return undefined;
    const cached = this.parsedBots.get(id);
    if (cached && cached.version === row.version && cached.text === row.settings) return cached.bot;
    const bot = botSettings.parse(JSON.parse(row.settings));
    this.parsedBots.set(id, { version: row.version, text: row.settings, bot });
    return bot;
  }

  // --- reads -----------------------------------------------------------------------------

  handoffRow(id: string): HandoffRow | undefined {
    return this.sql.first<HandoffRow>(`SELECT * FROM handoffs WHERE id = ?`, id);
  }

  handoff(id: string): Handoff | undefined {
    const row = this.handoffRow(id);
    return row ? toHandoff(row) : undefined;
  }

  /** The handoff as a single read shows it, with the bot's metadata. */
  handoffWithMetadata(id: string): HandoffWithMetadata | undefined {
    const row = this.handoffRow(id);
    return row ? toHandoffWithMetadata(row) : undefined;
  }

  /** The bot's own metadata added back to a handoff, for what goes to the bot (its webhooks). */
  withMetadata(handoff: Handoff): HandoffWithMetadata {
    const row = this.sql.first<{ metadata: string }>(
      `SELECT metadata FROM handoffs WHERE id = ?`,
      handoff.id,
    );
    return { ...handoff, metadata: row ? storedMetadata(row.metadata) : {} };
  }

  message(id: string): Message | undefined {
    const row = this.sql.first<MessageRow>(`SELECT * FROM messages WHERE id = ?`, id);
    return row ? toMessage(row) : undefined;
  }

  // --- writes ----------------------------------------------------------------------------

  /** Applies column changes to a handoff and marks it for D1. */
  updateHandoff(id: string, changes: Record<string, SqlStorageValue>, now: number): Handoff {
    const previous = typeof changes.status === "string" ? this.handoffRow(id) : undefined;
    const before = previous?.status;
    if (previous) this.noteLoadChange(previous, changes);
    const columns = Object.keys(changes);
    this.sql.run(
      `UPDATE handoffs SET ${columns.map((c) => `${c} = ?`).join(", ")}, updated_at = ? WHERE id = ?`,
      ...columns.map((c) => changes[c]!),
      now,
      id,
    );
    this.mirror.mark("handoff", id, now);
    if (before !== undefined && typeof changes.status === "string")
      this.counters.statusChanged(before, changes.status, now);
    if (changes.status === "resolved" || changes.status === "expired") armHousekeeping(this, now);
    return this.handoff(id)!;
  }

  /** An agent's load moved (an active handoff came or went): routing and presence settle it. */
  private noteLoadChange(previous: HandoffRow, changes: Record<string, SqlStorageValue>): void {
    const wasActive = previous.status === "active";
    if (wasActive && previous.assignee_id) this.due.loads.add(previous.assignee_id);
    if (changes.status === "active" && typeof changes.assignee_id === "string")
      this.due.loads.add(changes.assignee_id);
    if (wasActive || changes.status === "queued") this.due.route = true;
  }

  /**
   * Adds a message to a handoff's transcript. System messages (what the contact was told
   * automatically) are shown in the transcript but are not counted as conversation. In a channel
   * conversation, what the contact should read is relayed to them (channel-outbox.ts).
   */
  addMessage(
    handoffId: string,
    m: {
      from: Sender;
      text: string;
      at: number;
      externalId?: string | null;
      agent?: Person | null;
      delivery?: "pending" | null;
      clientId?: string;
    },
    now: number,
  ): MessageRow {
    // A channel conversation: the Worker itself takes agents' and automatic texts to the contact.
    const relay = !isRelayed(m.from)
      ? undefined
      : this.sql.first<{ channel_id: string | null; conversation_id: string }>(
          `SELECT channel_id, conversation_id FROM handoffs WHERE id = ?`,
          handoffId,
        );
    const id = newId("m");
    const relayed = relay?.channel_id
      ? relayText(
          this,
          { channelId: relay.channel_id, conversationId: relay.conversation_id },
          { id, from: m.from, text: m.text, at: m.at, agentName: m.agent?.name ?? null },
          now,
        )
      : null;
    const row: MessageRow = {
      id,
      handoff_id: handoffId,
      external_id: m.externalId ?? null,
      sender: m.from,
      text: m.text,
      agent_id: m.agent?.id ?? null,
      agent_name: m.agent?.name ?? null,
      delivery: relayed ?? m.delivery ?? null,
      delivery_error: null,
      at: m.at,
    };
    this.sql.insert("messages", { ...row, client_id: m.clientId ?? null });
    if (m.from !== "system") {
      this.sql.run`UPDATE handoffs SET message_count = message_count + 1,
           last_text = CASE WHEN last_at IS NULL OR ${m.at} >= last_at THEN ${m.text} ELSE last_text END,
           last_from = CASE WHEN last_at IS NULL OR ${m.at} >= last_at THEN ${m.from} ELSE last_from END,
           last_at = MAX(COALESCE(last_at, 0), ${m.at}), updated_at = ${now}
         WHERE id = ${handoffId}`;
      this.mirror.mark("handoff", handoffId, now);
    }
    this.mirror.mark("message", row.id, now);
    return row;
  }

  setDelivery(
    messageId: string,
    delivery: Delivery,
    now: number,
    error: string | null = null,
  ): Message | undefined {
    this.sql.run(
      `UPDATE messages SET delivery = ?, delivery_error = ? WHERE id = ?`,
      delivery,
      error,
      messageId,
    );
    this.mirror.mark("message", messageId, now);
    return this.message(messageId);
  }

  /** Records one step of the audit trail. */
  audit(
    handoffId: string,
    type: AuditType,
    actor: Person | null,
    data: Record<string, unknown>,
    now: number,
  ): void {
    const id = newId("ev");
    this.sql.insert("audit", {
      id,
      handoff_id: handoffId,
      type,
      actor_id: actor?.id ?? null,
      actor_name: actor?.name ?? null,
      data: JSON.stringify(data),
      at: now,
    });
    this.mirror.mark("audit", id, now);
  }

  emit(event: TenantEvent, now: number): void {
    this.feed.emit(event, now);
    visitorEvent(this, event, now);
    if (this.counters.takeMoved())
      this.feed.push(
        JSON.stringify({ type: "stats", data: this.stats(now) } satisfies ServerFrame),
      );
  }

  /** The stats bar, from the counters and the sockets open now. */
  stats(now: number): LiveStats {
    return this.counters.stats(this.presence.agents().length, now);
  }

  /** Arms the unclaimed-handoff timers: the reminder (when it comes before expiry) and expiry. */
  armWaitTimers(handoffId: string, bot: BotSettings, expiresAt: number, now: number): void {
    this.timers.set("expire", handoffId, expiresAt);
    const remindAt = now + bot.reminder_delay_seconds * 1000;
    if (remindAt < expiresAt) this.timers.set("remind", handoffId, remindAt);
    else this.timers.clear("remind", handoffId);
  }

  clearWaitTimers(handoffId: string): void {
    this.timers.clear("expire", handoffId);
    this.timers.clear("remind", handoffId);
  }
}
