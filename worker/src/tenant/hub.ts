// The tenant's Durable Object: the lifecycle shell around TenantCore. RPC methods for the
// Worker, fetch only for the WebSocket upgrade, hibernatable sockets, one alarm for all timers.
import { DurableObject } from "cloudflare:workers";
import type { ContactMessageInput, EscalateRecord } from "../../../schema/api";
import { clientFrame, type CommandData, type ServerFrame } from "../../../schema/realtime";
import type { Handoff, Stats } from "../../../schema/shapes";
import { runCommand, type Command } from "./commands";
import { TenantCore } from "./core";
import { contactMessage, escalate, expire, remind, type ContactMessageResult, type EscalateResult } from "./lifecycle";
import { armHousekeeping, housekeep } from "./housekeeping";
import { identityOf, onlineAgents, sessionTag, socketIdentity } from "./presence";
import { contactHandoffs, listPage } from "./history";
import { handoffDetail, stats, type HandoffDetail, type ListFilter, type ListPage } from "./queries";
import type { Actor, BotSettings, Result, TenantInfo } from "./types";

/** How long a timer is held while its (async) work runs; if the object dies, it runs again. */
const LEASE_MS = 60_000;
export const IDENTITY_HEADER = "x-handoff-identity";

export class TenantHub extends DurableObject<Env> {
  private core!: TenantCore;
  private armedAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    void ctx.blockConcurrencyWhile(async () => {
      this.core = new TenantCore(ctx.storage.sql, () => ctx.getWebSockets());
      this.armedAt = await ctx.storage.getAlarm();
    });
  }

  // --- RPC for the Worker ----------------------------------------------------------------

  async escalate(tenant: TenantInfo, bot: BotSettings, input: EscalateRecord): Promise<EscalateResult> {
    const now = this.enter(tenant);
    this.core.putBot(bot, now);
    const result = escalate(this.core, bot, input, now);
    await this.schedule();
    return result;
  }

  async contactMessage(tenant: TenantInfo, botId: string, input: ContactMessageInput): Promise<ContactMessageResult> {
    const now = this.enter(tenant);
    const result = contactMessage(this.core, botId, input, now);
    armHousekeeping(this.core, now); // its message id is remembered for a while
    await this.schedule();
    return result;
  }

  botHandoff(botId: string, id: string): Handoff | null {
    const handoff = this.core.handoff(id);
    return handoff && handoff.bot_id === botId ? handoff : null;
  }

  /** A page of the list; views with closed statuses reach back into D1. */
  async list(filter: ListFilter): Promise<ListPage> {
    return listPage(this.core, this.env.DB, filter);
  }

  /** A contact's handoffs, newest first, including those only D1 still holds. */
  async contactHandoffs(contactId: string, botId: string | undefined, limit: number): Promise<Handoff[]> {
    return contactHandoffs(this.core, this.env.DB, contactId, botId, limit);
  }

  detail(id: string): HandoffDetail | null {
    return handoffDetail(this.core, id);
  }

  stats(): Stats {
    return stats(this.core, onlineAgents(this.ctx.getWebSockets()).length, Date.now());
  }

  async command(tenant: TenantInfo, actor: Actor, command: Command): Promise<Result<CommandData>> {
    const now = this.enter(tenant);
    const result = runCommand(this.core, actor, command, now);
    await this.schedule();
    return result;
  }

  /** Keeps the object's copy of a bot's settings current after an admin change. */
  syncBot(tenant: TenantInfo, bot: BotSettings): void {
    this.core.putBot(bot, this.enter(tenant));
  }

  /** Closes a user's sockets (disabled, or role changed): they must reconnect as who they now are. */
  disconnectUser(userId: string): number {
    return this.closeTagged(userId, "session ended");
  }

  /** Closes the sockets opened with one session (its owner logged out). */
  disconnectSession(sessionId: string): number {
    return this.closeTagged(sessionTag(sessionId), "logged out");
  }

  private closeTagged(tag: string, reason: string): number {
    const sockets = this.ctx.getWebSockets(tag);
    for (const ws of sockets) this.closeSocket(ws, 4001, reason);
    return sockets.length;
  }

  // --- WebSockets ------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const identity = socketIdentity.parse(JSON.parse(request.headers.get(IDENTITY_HEADER) ?? "null"));
    const now = this.enter(identity.tenant);
    const { 0: client, 1: server } = new WebSocketPair();
    const before = onlineAgents(this.ctx.getWebSockets());
    this.ctx.acceptWebSocket(server, [identity.user.id, sessionTag(identity.session.id)]);
    server.serializeAttachment(identity);
    const agents = onlineAgents(this.ctx.getWebSockets());
    this.send(server, { type: "hello", seq: this.core.feed.head, data: { user: identity.user, agents_online: agents.length, agents } });
    if (agents.length !== before.length) this.core.emit({ type: "presence", data: { agents_online: agents.length, agents } }, now);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const identity = identityOf(ws);
    if (!identity) return this.closeSocket(ws, 4001, "unknown socket");
    if (identity.session.expires_at <= Date.now()) return this.closeSocket(ws, 4001, "session expired");
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
    } catch {
      return; // Not JSON, so there is no ref to answer to.
    }
    const parsed = clientFrame.safeParse(json);
    if (!parsed.success) {
      const ref = typeof json === "object" && json !== null && "ref" in json && typeof json.ref === "string" ? json.ref : null;
      if (ref) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
        this.send(ws, { type: "ack", ref, ok: false, error: { code: "invalid_request", message: "Invalid command.", issues } });
      }
      return;
    }
    const frame = parsed.data;
    if (frame.type === "resume") {
      const frames = this.core.feed.since(frame.since);
      if (frames === null) return this.send(ws, { type: "resync", seq: this.core.feed.head });
      for (const f of frames) ws.send(f);
      return;
    }
    const { ref, ...command } = frame;
    const result = runCommand(this.core, identity.user, command, Date.now());
    this.send(ws, result.ok ? { type: "ack", ref, ok: true, data: result.value } : { type: "ack", ref, ok: false, error: result.error });
    await this.schedule();
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.closeSocket(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.closeSocket(ws, 1011, "socket error");
  }

  private closeSocket(ws: WebSocket, code: number, reason: string): void {
    const sockets = this.ctx.getWebSockets();
    // In webSocketClose the runtime has already dropped the socket from the list; count it back.
    if (!sockets.includes(ws)) sockets.push(ws);
    const before = onlineAgents(sockets).length;
    try {
      ws.close(code, reason);
    } catch {
      // Already closed.
    }
    const agents = onlineAgents(sockets, ws);
    if (agents.length !== before) this.core.emit({ type: "presence", data: { agents_online: agents.length, agents } }, Date.now());
  }

  private send(ws: WebSocket, frame: ServerFrame): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The socket went away; webSocketClose tidies up.
    }
  }

  // --- timers ----------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.armedAt = null;
    const now = Date.now();
    const webhookIds: string[] = [];
    let flushMirror = false;
    for (const timer of this.core.timers.due(now)) {
      if (timer.kind === "housekeeping") housekeep(this.core, now);
      else if (timer.kind === "expire" || timer.kind === "remind") {
        this.core.timers.clear(timer.kind, timer.ref);
        if (timer.kind === "expire") expire(this.core, timer.ref, now);
        else remind(this.core, timer.ref, now);
      } else {
        this.core.timers.set(timer.kind, timer.ref, now + LEASE_MS);
        if (timer.kind === "webhook") webhookIds.push(timer.ref);
        else flushMirror = true;
      }
    }
    await Promise.all([this.deliverWebhooks(webhookIds), flushMirror ? this.flushMirror() : undefined]);
    await this.schedule();
  }

  private async deliverWebhooks(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const outcomes = await this.core.outbox.deliver(ids, (id) => this.core.bot(id));
    const now = Date.now();
    for (const { messageId, delivery } of outcomes) {
      if (!messageId || !delivery) continue;
      const message = this.core.setDelivery(messageId, delivery, now);
      if (message) this.core.emit({ type: "message.updated", data: { message } }, now);
    }
  }

  private async flushMirror(): Promise<void> {
    const tenant = this.core.tenant();
    if (!tenant) return this.core.timers.clear("mirror", "");
    await this.core.mirror.flush(this.env.DB, tenant.id);
  }

  /** Arms the one alarm for the earliest timer (never in the past: local workerd drops that). */
  private async schedule(): Promise<void> {
    const next = this.core.timers.earliest();
    if (next === null) return;
    const at = Math.max(next, Date.now() + 1);
    if (this.armedAt !== null && this.armedAt <= at) return;
    this.armedAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** Remembers which tenant this object is (for D1 rows and {org_name}). */
  private enter(tenant: TenantInfo): number {
    this.core.setTenant(tenant);
    return Date.now();
  }
}
