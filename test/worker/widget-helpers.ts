// Helpers for the website widget's tests: a web channel connected by an admin, a visitor's
// browser on another site (its Origin, its own client address) and the visitor's socket.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Channel } from "../../schema/channels";
import type { VisitorFrame, WidgetConversation, WidgetMessage } from "../../schema/widget";
import { freshIp, json, ORIGIN } from "./client";

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
export class VisitorSocket {
  private static readonly open_ = new Set<VisitorSocket>();
  readonly frames: VisitorFrame[] = [];
  private pongs = 0;
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      if (e.data === "pong") this.pongs += 1;
      else if (typeof e.data === "string") this.frames.push(JSON.parse(e.data) as VisitorFrame);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.addEventListener("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(token: string, origin = SHOP): Promise<VisitorSocket> {
    const res = await visitorUpgrade(token, origin);
    const ws = res.webSocket;
    if (!ws) throw new Error(`visitor socket refused: ${res.status} ${await res.text()}`);
    ws.accept();
    const socket = new VisitorSocket(ws);
    VisitorSocket.open_.add(socket);
    await socket.next((f) => f.type === "hello");
    return socket;
  }

  static closeAll(): void {
    for (const socket of VisitorSocket.open_) socket.close();
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  async next<F extends VisitorFrame>(match: (f: VisitorFrame) => boolean, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found as F;
      if (this.closed) throw new Error("visitor socket closed while waiting");
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** A round trip: `ping` is answered by the object after every frame it sent before. */
  async sync(): Promise<void> {
    const before = this.pongs;
    this.ws.send("ping");
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.pongs > before) return resolve();
        if (this.closed) return reject(new Error("closed"));
        this.waiters.push(check);
      };
      check();
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

  close(): void {
    VisitorSocket.open_.delete(this);
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}
