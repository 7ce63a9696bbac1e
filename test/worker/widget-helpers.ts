// Helpers for the website widget's tests: a web channel connected by an admin, a visitor's
// browser on another site (its Origin, its own client address) and the visitor's socket.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Channel } from "../../schema/channels";
import type { VisitorFrame, WidgetConversation, WidgetMessage } from "../../schema/widget";
import { freshIp, json, ORIGIN } from "./client";
import { FrameSocket } from "./frame-socket";

/** The shop that embeds the widget, and another site that does not. */
export const SHOP = "https://shop.test";
export const OTHER_SITE = "https://evil.test";

export async function connectWeb(
  adminCookie: string,
  extra: Record<string, unknown> = {},
): Promise<Channel> {
  const made = await json<{ channel: Channel }>("/api/admin/channels", {
    cookie: adminCookie,
    body: { type: "web", name: "Website", allowed_origins: [SHOP], ...extra },
    status: 201,
  });
  return made.channel;
}

export interface WidgetCallOptions {
  method?: string;
  body?: unknown;
  token?: string;
  /** The page's Origin; null sends none. */
  origin?: string | null;
  ip?: string;
  headers?: Record<string, string>;
}

/** A request as the widget on a page of `origin` makes it. */
export function widgetCall(path: string, options: WidgetCallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.body !== undefined) headers.set("content-type", "application/json");
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const origin = options.origin === undefined ? SHOP : options.origin;
  if (origin !== null) headers.set("origin", origin);
  headers.set("cf-connecting-ip", options.ip ?? VISITOR_IP);
  return exports.default.fetch(`${ORIGIN}/api/widget${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

/** One client address per test file, so the per-address limit is this file's alone. */
const VISITOR_IP = freshIp();

export async function widgetJson<T>(
  path: string,
  options: WidgetCallOptions & { status: number },
): Promise<T> {
  const res = await widgetCall(path, options);
  const text = await res.text();
  expect(res.status, `${path}: ${text}`).toBe(options.status);
  return JSON.parse(text) as T;
}

export interface VisitorSession {
  visitor_token: string;
  conversation_id: string;
}

export function newVisitor(channelId: string, origin = SHOP): Promise<VisitorSession> {
  return widgetJson<VisitorSession>("/sessions", {
    body: { channel_id: channelId },
    origin,
    status: 201,
  });
}

export async function visitorSays(token: string, text: string): Promise<WidgetMessage> {
  return (
    await widgetJson<{ message: WidgetMessage }>("/messages", {
      token,
      body: { text },
      status: 201,
    })
  ).message;
}

export function conversationOf(token: string): Promise<WidgetConversation> {
  return widgetJson<WidgetConversation>("/conversation", { token, status: 200 });
}

export function visitorUpgrade(token: string, origin: string | null = SHOP): Promise<Response> {
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (origin) headers.origin = origin;
  return exports.default.fetch(`${ORIGIN}/api/widget/ws?token=${encodeURIComponent(token)}`, {
    headers,
  });
}

/** A visitor's socket that collects frames and lets a test wait for one. */
export class VisitorSocket extends FrameSocket<VisitorFrame> {
  private static readonly open_ = new Set<FrameSocket<VisitorFrame>>();
  private pongs = 0;

  private constructor(ws: WebSocket) {
    super(ws, VisitorSocket.open_);
  }

  protected override read(data: string): VisitorFrame | null {
    if (data !== "pong") return JSON.parse(data) as VisitorFrame;
    this.pongs += 1;
    return null;
  }

  static async open(token: string, origin = SHOP): Promise<VisitorSocket> {
    const res = await visitorUpgrade(token, origin);
    const ws = res.webSocket;
    if (!ws) throw new Error(`visitor socket refused: ${res.status} ${await res.text()}`);
    ws.accept();
    const socket = new VisitorSocket(ws);
    await socket.next((f) => f.type === "hello");
    return socket;
  }

  static closeAll(): void {
    for (const socket of VisitorSocket.open_) socket.close();
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** A round trip: `ping` is answered by the object after every frame it sent before. */
  async sync(): Promise<void> {
    const before = this.pongs;
    this.ws.send("ping");
    await this.until(() => {
      if (this.closed) throw new Error("closed");
      return this.pongs > before;
    });
  }

  /** The numbered frames so far (message.created, handoff.updated). */
  numbered(): (VisitorFrame & { seq: number })[] {
    return this.frames.filter(
      (f): f is Extract<VisitorFrame, { type: "message.created" | "handoff.updated" }> =>
        f.type === "message.created" || f.type === "handoff.updated",
    );
  }

  messages(): WidgetMessage[] {
    return this.frames.flatMap((f) => (f.type === "message.created" ? [f.data.message] : []));
  }
}
