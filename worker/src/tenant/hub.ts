// The tenant's Durable Object: the lifecycle shell around TenantCore. RPC methods for the
// Worker, fetch only for the WebSocket upgrade, hibernatable sockets, one alarm for all timers.
// Every entry point checks the caller's credential here, runs its step as one transaction and
// never fails silently: the unexpected is logged with the tenant and the step, and answered.
import { DurableObject } from "cloudflare:workers";
import type { Rating, WidgetMessage } from "../../../schema/widget";
import type { ContactMessageInput, EscalateRecord } from "../../../schema/api";
import { clientFrame, type CommandData, type ServerFrame } from "../../../schema/realtime";
import type { VersionedSettings } from "../../../schema/settings";
import type {
  AgentStatus,
  Handoff,
  HandoffWithMetadata,
  Stats,
  User,
} from "../../../schema/shapes";
import type { Notification } from "../../../schema/notifications";
import type { SyncFailure } from "../../../schema/sync-failures";
import { credential, type Credential } from "../auth/credentials";
import type { SessionInfo } from "./access";
import { historyDetail } from "../db/history";
import { AlarmRunner } from "./alarm";
import type { InboundEvent } from "../channels/inbound";
import type { ChannelCopy } from "../db/channels";
import { channelCopy, putChannel } from "./channel-copy";
import { channelInbound, channelTrouble } from "./channel-inbound";
import {
  botSays,
  channelStates,
  type ChannelState,
  type ConversationMessage,
} from "./channel-conversations";
import { agentStatus, publicRoster, roster, setStatus } from "./availability";
import { botLimitFrom, KeyLimiter } from "./key-limiter";
import { runCommand, type Command } from "./commands";
import { TenantCore } from "./core";
import {
  contactMessage,
  contactMessages,
  claimRefusal,
  escalate,
  type ContactMessageResult,
  type EscalateResult,
} from "./lifecycle";
import { armHousekeeping } from "./housekeeping";
import { contactHandoffs, listPage } from "./history";
import { mailSettings, notifications } from "./reminder-emails";
import type { AgentCopy, TeamCopy } from "./routing-copy";
import { syncAgent, syncTeam } from "./team-sync";
import { mirrorDelayFrom } from "./mirror";
import { AGENT_TAG, Presence, sessionTag, type SocketIdentity } from "./presence";
import { visitorOfSocket, VisitorSockets } from "./visitor-sockets";
import {
  conversationView,
  createVisitor,
  rateHandoff,
  settleVisitorQueue,
  unknownVisitor,
  visitorFor,
  visitorSays,
  type Visitor,
} from "./visitors";
import { handoffDetail, type HandoffDetail, type ListFilter, type ListPage } from "./queries";
import { withQueuePlace, withQueuePlaces } from "./queue";
import { agentCameOnline, agentWentOffline } from "./reassign";
import { settleRouting } from "./routing";
import { listDeliveries, redeliver, sendTestEvent } from "./webhook-deliveries";
import type { WebhookDelivery } from "../../../schema/webhook-deliveries";
import { fail, ok, type Actor, type BotSettings, type Result, type TenantInfo } from "./types";

/** Sockets one session may hold open; a new one beyond this closes the oldest. */
export const MAX_SOCKETS_PER_SESSION = 20;
export const CREDENTIAL_HEADER = "x-handoff-credential";
/** A website visitor's socket: `{credential, origin}` of the upgrade (routes/widget.ts). */
export const VISITOR_HEADER = "x-handoff-visitor";

const unauthorized = (message: string) => fail({ code: "unauthorized", message });
const internalError = () =>
  fail({ code: "internal_error", message: "Something went wrong on our side." });

export class TenantHub extends DurableObject<Env> {
  private core!: TenantCore;
  private readonly presence: Presence;
  private readonly keyLimiter: KeyLimiter;
  private readonly visitors: VisitorSockets;
  private armedAt: number | null = null;
  /** Runs due timers (a field, so not reachable over RPC); tests await its `settled()`. */
  alarms!: AlarmRunner;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    this.presence = new Presence(() => ctx.getWebSockets(AGENT_TAG));
    this.visitors = new VisitorSockets(ctx, () => this.core);
    this.keyLimiter = new KeyLimiter(botLimitFrom(env.BOT_REQUESTS_PER_10_SECONDS), 10_000);
    void ctx.blockConcurrencyWhile(async () => {
      this.core = new TenantCore(
        ctx.storage,
        (tag) => ctx.getWebSockets(tag),
        env.DB,
        this.presence,
        mirrorDelayFrom(env.MIRROR_DELAY_MS),
      );
      this.alarms = new AlarmRunner({
        core: this.core,
        db: env.DB,
        mail: mailSettings(env),
        sending: {
          key: env.CHANNEL_SECRET_KEY,
          telegramBase: env.TELEGRAM_API_BASE,
          whatsappBase: env.WHATSAPP_API_BASE,
        },
        schedule: () => this.schedule(),
        step: (what, work) => this.step(what, (now) => ok(work(now))),
        endSession: (id) => this.endSession(id, "session expired"),
      });
      this.armedAt = await ctx.storage.getAlarm();
      // An alarm lost (or deleted) while timers remain would leave them unrun forever.
      if (this.armedAt === null) await this.schedule();
    });
  }

  // --- RPC for the bot API -------------------------------------------------------------------

  async escalate(key: Credential, input: EscalateRecord): Promise<Result<EscalateResult>> {
    return this.asBot(key, "escalate", (bot, now) => {
      const result = escalate(this.core, bot, input, now);
      if (!result.ok) return result;
      // The answer shows the handoff as it left the step: auto-routing may have assigned it.
      settleRouting(this.core, now);
      const handoff = this.core.handoffWithMetadata(result.value.handoff.id)!;
      return ok({ ...result.value, handoff: withQueuePlace(this.core, handoff, now) });
    });
  }

  async contactMessage(
    key: Credential,
    input: ContactMessageInput,
  ): Promise<Result<ContactMessageResult>> {
    return this.asBot(key, "contact message", (bot, now) => {
      const result = contactMessage(this.core, bot.id, input, now);
      armHousekeeping(this.core, now); // its message id is remembered for a while
      return ok(result);
    });
  }

  /** A batch of contact messages, applied whole in one transaction. */
  async contactMessages(
    key: Credential,
    inputs: ContactMessageInput[],
  ): Promise<Result<ContactMessageResult[]>> {
    return this.asBot(key, "contact messages", (bot, now) => {
      const results = contactMessages(this.core, bot.id, inputs, now);
      armHousekeeping(this.core, now); // their message ids are remembered for a while
      return ok(results);
    });
  }

  async botHandoff(key: Credential, id: string): Promise<Result<HandoffWithMetadata | null>> {
    const found = await this.asBot(key, "bot read", (bot) => {
      const handoff = this.core.handoffWithMetadata(id);
      return ok({
        handoff:
          handoff && handoff.bot_id === bot.id
            ? withQueuePlace(this.core, handoff, Date.now())
            : null,
        held: handoff !== undefined,
        botId: bot.id,
      });
    });
    const tenant = this.core.tenant();
    if (!found.ok || found.value.held || !tenant) return found.ok ? ok(found.value.handoff) : found;
    // A closed handoff that has left the object is still in D1.
    return ok(
      (await historyDetail(this.env.DB, tenant.id, id, found.value.botId))?.handoff ?? null,
    );
  }

  // --- RPC for agents ------------------------------------------------------------------------

  /** Who a session cookie belongs to, or null: the check every agent request goes through. */
  async authenticate(credential: Credential): Promise<SessionInfo | null> {
    const tenant = await this.knownTenant(credential.tenantId);
    return tenant ? this.core.access.session(credential, tenant, Date.now()) : null;
  }

  /** The tenant this object serves; asked of D1 only by an object never told (created by hand). */
  private async knownTenant(tenantId: string): Promise<TenantInfo | null> {
    const known = this.core.tenant();
    if (known) return known.id === tenantId ? known : null;
    const fetched = await this.core.access.fetchTenant(tenantId);
    if (fetched) this.enter(fetched);
    return fetched;
  }

  async command(credential: Credential, command: Command): Promise<Result<CommandData>> {
    const session = await this.authenticate(credential);
    if (!session) return unauthorized("Log in to continue.");
    const refused = this.refusedAtOnce(session.user, command);
    if (refused) return refused;
    const result = this.step(`command ${command.type}`, (now) =>
      runCommand(this.core, session.user, command, now),
    );
    await this.schedule();
    return result;
  }

  /** A page of the list; views with closed statuses reach back into D1. */
  async list(filter: ListFilter): Promise<ListPage> {
    const page = await listPage(this.core, this.env.DB, filter);
    return { ...page, handoffs: withQueuePlaces(this.core, page.handoffs, Date.now()) };
  }

  /** A contact's handoffs, newest first, including those only D1 still holds. */
  async contactHandoffs(
    contactId: string,
    botId: string | undefined,
    limit: number,
  ): Promise<Handoff[]> {
    const handoffs = await contactHandoffs(this.core, this.env.DB, contactId, botId, limit);
    return withQueuePlaces(this.core, handoffs, Date.now());
  }

  detail(id: string): HandoffDetail | null {
    const detail = handoffDetail(this.core, id);
    return detail && { ...detail, handoff: withQueuePlace(this.core, detail.handoff, Date.now()) };
  }

  /** `PUT /api/me/status`: the agent's own switch; coming online may bring them work at once. */
  async setStatus(credential: Credential, status: AgentStatus): Promise<Result<{ user: User }>> {
    const session = await this.authenticate(credential);
    if (!session) return unauthorized("Log in to continue.");
    const result = this.step("set status", () => {
      if (setStatus(this.core, session.user.id, status)) {
        this.core.due.roster = true;
        this.core.due.route = status === "online";
      }
      return ok({ user: { ...session.user, status } });
    });
    await this.schedule();
    return result;
  }

  /** The agent's availability switch as the object holds it. */
  agentStatus(userId: string): AgentStatus {
    return agentStatus(this.core, userId);
  }

  /** D1 rows the mirror set aside after D1 kept refusing them. */
  syncFailures(): SyncFailure[] {
    return this.core.mirror.failures();
  }

  /** Emails sent on the tenant's behalf (reminders), newest first. */
  notifications(): Notification[] {
    return notifications(this.core);
  }

  stats(): Stats {
    const { oldest_waiting_since: _since, ...stats } = this.core.stats(Date.now());
    return stats;
  }

  // --- RPC for sign-in and administration ----------------------------------------------------

  createSession(tenant: TenantInfo, user: User, hash: string, expiresAt: number): void {
    const now = this.enter(tenant);
    this.core.access.createSession(hash, user, expiresAt, now);
  }

  /** Logout (or its expiry): the session ends and so do the sockets opened with it. */
  endSession(hash: string, reason = "logged out"): number {
    this.core.access.endSession(hash);
    return this.closeTagged(sessionTag(hash), reason);
  }

  /** Disabled, new role or new password: every session of the user ends, sockets included. */
  endUserSessions(userId: string): number {
    this.core.access.endUserSessions(userId);
    return this.closeTagged(userId, "session ended");
  }

  renameUser(userId: string, name: string): void {
    this.core.access.renameUser(userId, name);
  }

  addApiKey(hash: string, keyId: string, botId: string): void {
    this.core.access.addKey(hash, keyId, botId);
  }

  revokeApiKey(keyId: string, hash: string | null, botId: string): void {
    this.core.access.revokeKey(keyId, hash, botId, Date.now());
  }

  /** Keeps the object's copy of a bot's settings current after an admin change. */
  syncBot(tenant: TenantInfo, bot: BotSettings): void {
    this.core.putBot(bot, this.enter(tenant));
  }

  // --- a bot's webhooks, for its admins (webhook-deliveries.ts) ------------------------------

  /** The bot's recent webhooks, newest first. */
  webhookDeliveries(botId: string): WebhookDelivery[] {
    return listDeliveries(this.core, botId);
  }

  /** Sends one of the bot's webhooks again (null: no such webhook of this bot). */
  async redeliverWebhook(
    tenant: TenantInfo,
    bot: BotSettings,
    deliveryId: string,
  ): Promise<Result<WebhookDelivery | null>> {
    this.core.putBot(bot, this.enter(tenant));
    const result = this.step("redeliver webhook", (now) =>
      ok(redeliver(this.core, bot.id, deliveryId, now)),
    );
    await this.schedule();
    return result;
  }

  /** Queues a signed test event to the bot's webhook URL (null: the bot has none). */
  async sendTestEvent(
    tenant: TenantInfo,
    bot: BotSettings,
  ): Promise<Result<WebhookDelivery | null>> {
    this.core.putBot(bot, this.enter(tenant));
    const result = this.step("test event", (now) => ok(sendTestEvent(this.core, bot, now)));
    await this.schedule();
    return result;
  }

  /** Keeps the object's copy of a team current after an admin change (newest version wins). */
  async syncTeam(tenant: TenantInfo, team: TeamCopy): Promise<void> {
    const now = this.enter(tenant);
    const result = this.step("sync team", () => ok(syncTeam(this.core, team, now)));
    if (!result.ok) throw new Error(result.error.message);
    // Handoffs that followed the team are marked for D1: the mirror's timer needs the alarm.
    await this.schedule();
  }

  /**
   * Keeps the object's copy of an agent's capacity and of the teams they joined or left current
   * (newest version wins), in one step: routing never sees the new capacity with the old teams.
   */
  async syncAgent(tenant: TenantInfo, agent: AgentCopy, teams: TeamCopy[] = []): Promise<void> {
    const now = this.enter(tenant);
    const result = this.step("sync agent", () => {
      syncAgent(this.core, agent);
      for (const team of teams) syncTeam(this.core, team, now);
      // A capacity raised may let auto-routing give them more; the roster shows the new figure.
      this.core.due.loads.add(agent.id);
      this.core.due.route = true;
      return ok(null);
    });
    if (!result.ok) throw new Error(result.error.message);
    await this.schedule();
  }

  /** Keeps the object's copy of the tenant's settings current after an admin change (newest wins). */
  async syncSettings(tenant: TenantInfo, settings: VersionedSettings): Promise<void> {
    this.enter(tenant);
    const result = this.step("sync settings", () => {
      // Switched to auto routing: what waits is given out now.
      if (this.core.settings.put(settings)) this.core.due.route = true;
      return ok(null);
    });
    if (!result.ok) throw new Error(result.error.message);
    await this.schedule();
  }

  // --- channels ------------------------------------------------------------------------------

  /** Keeps the object's copy of a channel current (newest version wins). */
  async syncChannel(tenant: TenantInfo, channel: ChannelCopy): Promise<void> {
    this.enter(tenant);
    const result = this.step("sync channel", (now) => ok(putChannel(this.core, channel, now)));
    if (!result.ok) throw new Error(result.error.message);
  }

  /** What a channel's provider delivered, already verified and parsed; false: no such channel. */
  async channelInbound(
    tenantId: string,
    channelId: string,
    events: InboundEvent[],
  ): Promise<boolean> {
    if (!(await this.knownTenant(tenantId))) return false;
    const channel = channelCopy(this.core, channelId);
    if (!channel) return false;
    await this.knowBot(tenantId, channel.bot_id);
    const result = this.step(`channel ${channelId} inbound`, (now) => {
      channelInbound(this.core, channel, events, now);
      armHousekeeping(this.core, now);
      return ok(null);
    });
    await this.schedule();
    if (!result.ok) throw new Error(result.error.message); // the provider retries
    return true;
  }

  /** Fetches a bot's settings the object has not been told of yet (created before it existed). */
  private async knowBot(tenantId: string, botId: string | null): Promise<void> {
    if (!botId || this.core.bot(botId)) return;
    const fetched = await this.core.access.fetchBot(tenantId, botId);
    if (fetched) this.core.putBot(fetched, Date.now());
  }

  /** A verified delivery we could not use: the channel's last trouble, for its admins. */
  async channelTrouble(tenantId: string, channelId: string, error: string): Promise<void> {
    if (!(await this.knownTenant(tenantId))) return;
    this.step("channel trouble", (now) => ok(channelTrouble(this.core, channelId, error, now)));
  }

  /** Each channel's last inbound delivery and last trouble. */
  channelStates(): ChannelState[] {
    return channelStates(this.core);
  }

  /** The bot answers a channel conversation: the text goes out through the channel. */
  async conversationMessage(
    key: Credential,
    conversationId: string,
    text: string,
  ): Promise<Result<{ message: ConversationMessage }>> {
    return this.asBot(key, "conversation message", (bot, now) =>
      botSays(this.core, bot, conversationId, text, now),
    );
  }

  // --- website widget -----------------------------------------------------------------------

  /** A new visitor of a web channel (the Worker checked the Origin against the channel). */
  async widgetSession(
    tenantId: string,
    channel: ChannelCopy,
    hash: string,
  ): Promise<Result<{ conversation_id: string }>> {
    if (!(await this.knownTenant(tenantId)))
      return fail({ code: "not_found", message: "No such chat." });
    return this.step("widget session", (now) => {
      putChannel(this.core, channel, now);
      const live = channelCopy(this.core, channel.id);
      if (live?.type !== "web") return fail({ code: "not_found", message: "No such chat." });
      armHousekeeping(this.core, now); // sweeps tokens past their time
      return ok(createVisitor(this.core, live, hash, now));
    });
  }

  async widgetMessage(
    key: Credential,
    origin: string | null,
    text: string,
  ): Promise<Result<{ message: WidgetMessage }>> {
    return this.asVisitor(key, origin, "widget message", true, (v, now) =>
      ok({ message: visitorSays(this.core, v.visitor, v.channel, text, now) }),
    );
  }

  async widgetConversation(key: Credential, origin: string | null) {
    return this.asVisitor(key, origin, "widget conversation", false, (v, now) =>
      ok(conversationView(this.core, v.visitor, now)),
    );
  }

  async widgetRating(key: Credential, origin: string | null, handoffId: string, rating: Rating) {
    return this.asVisitor(key, origin, "widget rating", false, (v, now) =>
      rateHandoff(this.core, v.visitor, handoffId, rating, now),
    );
  }

  /** A visitor's request: a live token, an allowed Origin, the visitor's budget for messages. */
  private async asVisitor<T>(
    key: Credential,
    origin: string | null,
    what: string,
    counted: boolean,
    work: (v: { visitor: Visitor; channel: ChannelCopy }, now: number) => Result<T>,
  ): Promise<Result<T>> {
    if (!(await this.knownTenant(key.tenantId))) return unknownVisitor();
    const found = visitorFor(this.core, key.hash, origin, Date.now());
    if (!found.ok) return found;
    if (counted && !this.visitors.take(key.hash, Date.now()))
      return fail({ code: "rate_limited", message: "Too many messages; wait a few seconds." });
    await this.knowBot(key.tenantId, found.value.channel.bot_id);
    const result = this.step(what, (now) => {
      const visitor = visitorFor(this.core, key.hash, origin, now);
      return visitor.ok ? work(visitor.value, now) : visitor;
    });
    await this.schedule();
    return result;
  }

  private closeTagged(tag: string, reason: string): number {
    const sockets = this.ctx.getWebSockets(tag);
    for (const ws of sockets) this.closeSocket(ws, 4001, reason);
    return sockets.length;
  }

  // --- WebSockets ----------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const visitor = request.headers.get(VISITOR_HEADER);
    if (visitor !== null)
      return this.visitors.upgrade(visitor, (id) => this.knownTenant(id), Date.now());
    const carried = credential.safeParse(
      JSON.parse(request.headers.get(CREDENTIAL_HEADER) ?? "null"),
    );
    const session = carried.success ? await this.authenticate(carried.data) : null;
    if (!session)
      return Response.json(
        { error: { code: "unauthorized", message: "Log in to continue." } },
        { status: 401 },
      );
    const now = Date.now();
    const identity: SocketIdentity = { ...session, opened_at: now };
    const tag = sessionTag(session.session.id);
    this.closeOldest(tag);
    this.presence.agents(); // index the sockets already open before this one joins them
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [AGENT_TAG, identity.user.id, tag]);
    server.serializeAttachment(identity);
    const cameOnline = this.presence.add(server, identity);
    const agents = publicRoster(roster(this.core));
    this.send(server, {
      type: "hello",
      seq: this.core.feed.head,
      data: {
        user: { ...identity.user, status: agentStatus(this.core, identity.user.id) },
        agents_online: agents.length,
        agents,
        stats: this.core.stats(now),
      },
    });
    if (cameOnline)
      this.step("came online", () => ok(agentCameOnline(this.core, identity.user.id)));
    // An idle socket ends when its session does, not when it next writes.
    this.core.timers.setIfAbsent("session", session.session.id, session.session.expires_at);
    await this.schedule();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Makes room for one more socket of a session, closing its oldest beyond the limit. */
  private closeOldest(tag: string): void {
    const open = this.ctx.getWebSockets(tag);
    if (open.length < MAX_SOCKETS_PER_SESSION) return;
    const byAge = open
      .map((ws) => ({ ws, at: this.presence.identity(ws)?.opened_at ?? 0 }))
      .sort((a, b) => a.at - b.at)
      .slice(0, open.length - MAX_SOCKETS_PER_SESSION + 1);
    for (const { ws } of byAge)
      this.closeSocket(ws, 4008, "too many open sockets for this session");
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    // Agents' sockets are the busy ones: found in the presence index without reading attachments.
    const identity = this.presence.identity(ws);
    if (!identity) {
      const visitor = visitorOfSocket(ws);
      if (visitor) return this.visitors.message(ws, visitor, raw, Date.now());
      return this.closeSocket(ws, 4001, "unknown socket");
    }
    if (identity.session.expires_at <= Date.now())
      return this.closeSocket(ws, 4001, "session expired");
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
    } catch {
      return; // Not JSON, so there is no ref to answer to.
    }
    const parsed = clientFrame.safeParse(json);
    if (!parsed.success) {
      const ref =
        typeof json === "object" && json !== null && "ref" in json && typeof json.ref === "string"
          ? json.ref
          : null;
      if (ref) {
        const issues = parsed.error.issues.map((i) => ({
          path: i.path.join("."),
          message: i.message,
        }));
        this.send(ws, {
          type: "ack",
          ref,
          ok: false,
          error: { code: "invalid_request", message: "Invalid command.", issues },
        });
      }
      return;
    }
    const frame = parsed.data;
    if (frame.type === "typing")
      return this.visitors.agentTyping(identity.user, frame.handoff_id, Date.now());
    if (frame.type === "resume") {
      const frames = this.core.feed.since(frame.since);
      if (frames === null) return this.send(ws, { type: "resync", seq: this.core.feed.head });
      for (const f of frames) ws.send(f);
      return;
    }
    const { ref, ...command } = frame;
    const refused = this.refusedAtOnce(identity.user, command);
    if (refused) return this.send(ws, { type: "ack", ref, ok: false, error: refused.error });
    const result = this.step(`socket ${command.type}`, (now) =>
      runCommand(this.core, identity.user, command, now),
    );
    this.send(
      ws,
      result.ok
        ? { type: "ack", ref, ok: true, data: result.value }
        : { type: "ack", ref, ok: false, error: result.error },
    );
    await this.schedule();
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.closeSocket(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.closeSocket(ws, 1011, "socket error");
  }

  private closeSocket(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
    const offline = this.presence.remove(ws);
    if (!offline) return;
    this.step("went offline", (now) => ok(agentWentOffline(this.core, offline, now)));
    void this.schedule(); // the offline grace timer
  }

  private send(ws: WebSocket, frame: ServerFrame): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The socket went away; webSocketClose tidies up.
    }
  }

  // --- timers --------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.armedAt = null;
    await this.alarms.run(Date.now());
  }

  /** Arms the one alarm for the earliest timer (never in the past: local workerd drops that). */
  private async schedule(): Promise<void> {
    const next = this.core.timers.earliest();
    if (next === null) {
      // Nothing left to wake for: a stale alarm would only wake the object for nothing.
      if (this.armedAt !== null) await this.ctx.storage.deleteAlarm();
      this.armedAt = null;
      return;
    }
    // Exactly the earliest timer, later too: a lease that ended early must not leave the alarm
    // armed for a time nothing is due.
    const at = Math.max(next, Date.now() + 1);
    if (this.armedAt === at) return;
    this.armedAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  // --- entry points --------------------------------------------------------------------------

  /** A bot request: the key must be live; its bot's settings come from the object's copy. */
  private async asBot<T>(
    key: Credential,
    what: string,
    work: (bot: BotSettings, now: number) => Result<T>,
  ): Promise<Result<T>> {
    const tenant = await this.knownTenant(key.tenantId);
    const botKey = tenant ? await this.core.access.botKey(key, tenant.id) : null;
    if (!botKey || !tenant)
      return unauthorized("A valid API key is required (Authorization: Bearer <key>).");
    if (!this.keyLimiter.take(key.hash, Date.now())) {
      return fail({
        code: "rate_limited",
        message: "Too many requests for this API key; slow down and retry.",
      });
    }
    let bot = this.core.bot(botKey.botId);
    if (!bot) {
      const fetched = await this.core.access.fetchBot(tenant.id, botKey.botId);
      if (!fetched) return unauthorized("This API key's bot no longer exists.");
      this.core.putBot(fetched, Date.now());
      bot = fetched;
    }
    const settings = bot;
    const result = this.step(what, (now) => work(settings, now));
    await this.schedule();
    return result;
  }

  /** A claim that is already lost, answered before any step (no transaction, nothing written). */
  private refusedAtOnce(
    actor: Actor,
    command: Command,
  ): Extract<Result<never>, { ok: false }> | null {
    if (command.type !== "claim") return null;
    const refused = claimRefusal(this.core, actor, command.handoff_id);
    return refused && !refused.ok ? refused : null;
  }

  /**
   * Runs one step atomically. An unexpected error rolls it back, is logged with the tenant and
   * the step, and is answered as `internal_error` instead of leaving the caller waiting.
   */
  private step<T>(what: string, work: (now: number) => Result<T>): Result<T> {
    try {
      return this.core.atomically(() => {
        const now = Date.now();
        const result = work(now);
        settleRouting(this.core, now);
        settleVisitorQueue(this.core, now);
        return result;
      });
    } catch (error) {
      console.error(`Tenant ${this.core.tenant()?.id ?? "?"}: ${what} failed:`, error);
      return internalError();
    }
  }

  /** Remembers which tenant this object is (for D1 rows and {org_name}). */
  private enter(tenant: TenantInfo): number {
    this.core.setTenant(tenant);
    return Date.now();
  }
}
