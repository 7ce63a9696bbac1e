// Website visitors' sockets and typing, both ways. A visitor's socket is tagged with its
// conversation and gets only that conversation's frames (numbered, resumable) and typing
// indicators; agents' sockets get a visitor's typing unnumbered. Visitors' messages are counted
// per token here (exact: one object serves every request of the token).
import { z } from "zod";
import { visitorClientFrame, type VisitorFrame } from "../../../schema/widget";
import { ERROR_STATUS } from "../../../schema/errors";
import type { ServerFrame } from "../../../schema/realtime";
import { credential } from "../auth/credentials";
import type { Person } from "../../../schema/shapes";
import type { TenantCore } from "./core";
import { KeyLimiter } from "./key-limiter";
import {
  VISITOR_TAG,
  openHandoffOf,
  sendAll,
  unknownVisitor,
  visitorFor,
  visitorFramesSince,
  visitorTag,
  type Visitor,
} from "./visitors";

/** Messages one visitor may send per 10 s. */
export const VISITOR_MESSAGES_PER_10_SECONDS = 20;
/** Typing frames are passed on at most this often per conversation and side. */
const TYPING_EVERY_MS = 1_000;
/** Sockets one visitor (token) may hold open; a new one beyond this closes the oldest. */
const MAX_VISITOR_SOCKETS = 5;

const attachment = z.object({
  visitor: z.object({ hash: z.string(), conversation_id: z.string(), opened_at: z.number() }),
});
type VisitorSocket = z.infer<typeof attachment>["visitor"];
const carried = z.object({ credential, origin: z.string().nullable() });

export function visitorOfSocket(ws: WebSocket): VisitorSocket | null {
  const raw: unknown = ws.deserializeAttachment();
  // An agent's socket is no visitor's: told apart without building a validation error.
  if (typeof raw !== "object" || raw === null || !("visitor" in raw)) return null;
  const parsed = attachment.safeParse(raw);
  return parsed.success ? parsed.data.visitor : null;
}

export class VisitorSockets {
  private readonly limiter = new KeyLimiter(VISITOR_MESSAGES_PER_10_SECONDS, 10_000);
  private readonly typedAt = new Map<string, number>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly core: () => TenantCore,
  ) {}

  /** Counts a message of the visitor; false when they are over their budget. */
  take(hash: string, now: number): boolean {
    return this.limiter.take(hash, now);
  }

  /** A visitor's upgrade, `{credential, origin}` as the Worker carried it (routes/widget.ts). */
  async upgrade(
    header: string,
    knownTenant: (id: string) => Promise<unknown>,
    now: number,
  ): Promise<Response> {
    const parsed = carried.safeParse(JSON.parse(header));
    const found =
      parsed.success && (await knownTenant(parsed.data.credential.tenantId))
        ? visitorFor(this.core(), parsed.data.credential.hash, parsed.data.origin, now)
        : unknownVisitor();
    if (!found.ok)
      return Response.json({ error: found.error }, { status: ERROR_STATUS[found.error.code] });
    return this.accept(found.value.visitor, now);
  }

  /** Accepts a visitor's socket and greets it with the conversation's frame number. */
  private accept(visitor: Visitor, now: number): Response {
    const tag = visitorTag(visitor.conversation_id);
    const mine = this.ctx
      .getWebSockets(tag)
      .filter((ws) => visitorOfSocket(ws)?.hash === visitor.hash)
      .sort((a, b) => (visitorOfSocket(a)?.opened_at ?? 0) - (visitorOfSocket(b)?.opened_at ?? 0));
    for (const ws of mine.slice(0, Math.max(0, mine.length - MAX_VISITOR_SOCKETS + 1)))
      ws.close(4008, "too many open sockets for this visitor");
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [VISITOR_TAG, tag]);
    server.serializeAttachment({
      visitor: { hash: visitor.hash, conversation_id: visitor.conversation_id, opened_at: now },
    });
    send(server, {
      type: "hello",
      seq: this.head(visitor.conversation_id),
      data: { conversation_id: visitor.conversation_id },
    });
    return new Response(null, { status: 101, webSocket: client });
  }

  private head(conversationId: string): number {
    return (
      this.core().sql.first<{ head: number | null }>(
        `SELECT MAX(seq) AS head FROM visitor_frames WHERE conversation_id = ?`,
        conversationId,
      )?.head ?? 0
    );
  }

  /** A frame from a visitor's socket: resume, or typing (passed on to the agents). */
  message(ws: WebSocket, visitor: VisitorSocket, raw: string | ArrayBuffer, now: number): void {
    const core = this.core();
    const live = core.sql.first<{ hash: string }>(
      `SELECT hash FROM visitors WHERE hash = ? AND expires_at > ?`,
      visitor.hash,
      now,
    );
    if (!live) return ws.close(4001, "visitor token expired");
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
    } catch {
      return;
    }
    const parsed = visitorClientFrame.safeParse(json);
    if (!parsed.success) return;
    const frame = parsed.data;
    if (frame.type === "resume") {
      const frames = visitorFramesSince(core, visitor.conversation_id, frame.since);
      if (frames === null)
        return send(ws, { type: "resync", seq: this.head(visitor.conversation_id) });
      for (const f of frames) ws.send(f);
      return;
    }
    const open = openHandoffOf(core, visitor.conversation_id);
    if (!open || !this.due(`contact:${visitor.conversation_id}`, now)) return;
    core.feed.broadcast(
      JSON.stringify({
        type: "typing",
        data: { handoff_id: open.id, from: "contact" },
      } satisfies ServerFrame),
    );
  }

  /** An agent types in a handoff they hold: its website visitor sees an indicator. */
  agentTyping(user: Person, handoffId: string, now: number): void {
    const core = this.core();
    const row = core.sql.first<{ conversation_id: string; assignee_id: string | null }>(
      `SELECT h.conversation_id, h.assignee_id FROM handoffs h
         JOIN channels c ON c.id = h.channel_id AND c.type = 'web'
       WHERE h.id = ? AND h.status = 'active'`,
      handoffId,
    );
    if (!row || row.assignee_id !== user.id || !this.due(`agent:${handoffId}`, now)) return;
    const frame: VisitorFrame = {
      type: "typing",
      data: { handoff_id: handoffId, from: "agent", name: user.name },
    };
    sendAll(this.ctx.getWebSockets(visitorTag(row.conversation_id)), JSON.stringify(frame));
  }

  private due(key: string, now: number): boolean {
    const last = this.typedAt.get(key) ?? 0;
    if (now - last < TYPING_EVERY_MS) return false;
    if (this.typedAt.size > 10_000) this.typedAt.clear();
    this.typedAt.set(key, now);
    return true;
  }
}

function send(ws: WebSocket, frame: VisitorFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // Gone already.
  }
}
