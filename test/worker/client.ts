// Talking to the Worker as bots, browsers and sockets do.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { ServerFrame } from "../../schema/realtime";
import { PASSWORD, type TestTenant, type TestUser } from "./fixtures";

export const ORIGIN = "https://inbox.test";

export interface CallOptions {
  method?: string;
  body?: unknown;
  rawBody?: string;
  cookie?: string;
  key?: string;
  origin?: string | null;
  headers?: Record<string, string>;
}

export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.body !== undefined || options.rawBody !== undefined) headers.set("content-type", "application/json");
  if (options.cookie) headers.set("cookie", options.cookie);
  if (options.key) headers.set("authorization", `Bearer ${options.key}`);
  const method = options.method ?? (options.body !== undefined || options.rawBody !== undefined ? "POST" : "GET");
  if (options.origin !== null && method !== "GET") headers.set("origin", options.origin ?? ORIGIN);
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
}

/** Calls and parses, asserting the status so a failure shows the body. */
export async function json<T = any>(path: string, options: CallOptions & { status?: number } = {}): Promise<T> {
  const res = await call(path, options);
  const text = await res.text();
  if (options.status !== undefined) expect(res.status, `${path}: ${text}`).toBe(options.status);
  return JSON.parse(text) as T;
}

/** A random address in 10/8, for a client of its own (login limits count per client address). */
export function freshIp(): string {
  const [a, b, c] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}

/** Each person logs in from their own desk, so logins in tests never share a client's allowance. */
const desks = new Map<string, string>();
export function deskOf(user: TestUser): string {
  if (!desks.has(user.id)) desks.set(user.id, freshIp());
  return desks.get(user.id)!;
}

export async function login(user: TestUser): Promise<string> {
  const res = await call("/api/auth/login", { body: { email: user.email, password: PASSWORD }, headers: { "cf-connecting-ip": deskOf(user) } });
  expect(res.status).toBe(200);
  const cookie = res.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0]!;
}

let conversation = 0;
export function escalation(overrides: Record<string, unknown> = {}) {
  conversation += 1;
  return {
    conversation_id: `conv-${Date.now()}-${conversation}`,
    channel: "whatsapp",
    contact: { id: `contact-${conversation}`, name: "Maria Lopez", phone: "+34 600 000 000" },
    reason: "asked for a human",
    summary: "Wants to change the delivery address of order 1042.",
    tags: ["orders"],
    priority: "normal",
    history: [
      { id: "h1", from: "contact", text: "Hi, I need to change my address", at: "2026-11-21T10:00:00Z" },
      { id: "h2", from: "bot", text: "I can't do that, let me get a person.", at: "2026-11-21T10:00:05Z" },
    ],
    ...overrides,
  };
}

export async function escalate(tenant: TestTenant, overrides: Record<string, unknown> = {}) {
  return json("/api/v1/handoffs", { key: tenant.apiKey, body: escalation(overrides), status: 201 });
}

export function hub(tenant: TestTenant) {
  return env.TENANT.get(env.TENANT.idFromName(tenant.id));
}

/** Makes every pending timer of the tenant due now, as if the time had passed. */
export async function fastForward(tenant: TestTenant, kinds: string[] = ["expire", "remind"]): Promise<void> {
  await runInDurableObject(hub(tenant), (_instance, state) => {
    for (const kind of kinds) state.storage.sql.exec(`UPDATE timers SET due_at = ? WHERE kind = ?`, Date.now() - 1, kind);
  });
}

export async function runAlarm(tenant: TestTenant): Promise<boolean> {
  return runDurableObjectAlarm(hub(tenant));
}

export interface WebhookDelivery {
  headers: Record<string, string>;
  /** The raw body, as signed. */
  body: string;
  status: number;
  /** The body parsed. */
  event: { type: string; timestamp: string; data: any };
}

/** Every request the tenant's bot endpoint received, in order (failed attempts included). */
export async function webhooksReceived(tenant: TestTenant): Promise<WebhookDelivery[]> {
  const res = await env.SINK.fetch(`https://sink.control/?path=${encodeURIComponent(tenant.webhookPath)}`);
  const { requests } = (await res.json()) as { requests: Omit<WebhookDelivery, "event">[] };
  return requests.map((r) => ({ ...r, event: JSON.parse(r.body) as WebhookDelivery["event"] }));
}

export async function failWebhooks(tenant: TestTenant, times: number): Promise<void> {
  await env.SINK.fetch(`https://sink.control/?path=${encodeURIComponent(tenant.webhookPath)}&fail=${times}`, { method: "POST" });
}

/** Polls until `check` passes (for work the alarm does in the background), or fails with its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** The raw WebSocket upgrade request to /api/ws (for asserting refusals); `cookie` omitted = logged out. */
export async function upgrade(cookie?: string, origin: string | null = ORIGIN): Promise<Response> {
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (cookie) headers.cookie = cookie;
  if (origin) headers.origin = origin;
  return exports.default.fetch(`${ORIGIN}/api/ws`, { headers });
}

let syncs = 0;

/** A connected agent socket that collects frames and lets a test wait for one. */
export class AgentSocket {
  /** Every socket opened and not yet closed by the test, for `closeAll` in an afterEach. */
  private static readonly open_ = new Set<AgentSocket>();
  readonly frames: ServerFrame[] = [];
  private waiters: (() => void)[] = [];
  closed = false;
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string" && e.data !== "pong") this.frames.push(JSON.parse(e.data) as ServerFrame);
      else if (e.data === "pong") this.frames.push({ type: "pong" } as unknown as ServerFrame);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.addEventListener("close", (e) => {
      this.closed = true;
      this.closeCode = e.code;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(cookie: string, origin: string | null = ORIGIN): Promise<AgentSocket> {
    const res = await upgrade(cookie, origin);
    const ws = res.webSocket;
    if (!ws) throw new Error(`WebSocket upgrade refused: ${res.status} ${await res.text()}`);
    ws.accept();
    const socket = new AgentSocket(ws);
    AgentSocket.open_.add(socket);
    await socket.next((f) => f.type === "hello");
    return socket;
  }

  /** Closes every socket still open (use in afterEach so no test leaks a connection). */
  static closeAll(): void {
    for (const socket of AgentSocket.open_) socket.close();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Waits for the first frame (received so far or later) matching the predicate. */
  async next<F extends ServerFrame>(match: (f: ServerFrame) => boolean, timeoutMs = 5_000): Promise<F> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found as F;
      if (this.closed) throw new Error("socket closed while waiting");
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a command and waits for its ack. */
  async command(frame: Record<string, unknown> & { ref: string }): Promise<Extract<ServerFrame, { type: "ack" }>> {
    this.send(frame);
    return this.next((f) => f.type === "ack" && f.ref === frame.ref);
  }

  /**
   * A round trip through the tenant object: a frame it must answer (an unknown type with a ref)
   * is sent and its ack awaited, so every frame the object sent this socket before is in `frames`.
   */
  async sync(): Promise<void> {
    syncs += 1;
    await this.command({ type: "sync", ref: `sync-${syncs}` });
  }

  events(type?: string): Extract<ServerFrame, { seq: number; type: `${string}.${string}` | "presence" }>[] {
    return this.frames.filter((f) => "seq" in f && f.type !== "hello" && f.type !== "resync" && (!type || f.type === type)) as never;
  }

  close(): void {
    AgentSocket.open_.delete(this);
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}

/** Asserts a documented error: the status, the code and the `{"error": {"code", "message"}}` shape; returns the error. */
export async function expectError(res: Response | Promise<Response>, status: number, code: string): Promise<{ code: string; message: string; [extra: string]: any }> {
  const response = await res;
  const text = await response.text();
  expect(response.status, `${response.url}: ${text}`).toBe(status);
  expect(response.headers.get("content-type") ?? "", text).toContain("application/json");
  const body = JSON.parse(text);
  expect(Object.keys(body), text).toEqual(["error"]);
  expect(body.error, text).toMatchObject({ code, message: expect.any(String) });
  expect(body.error.message.length, text).toBeGreaterThan(0);
  return body.error;
}

/** Makes a new API key for a bot through the admin API (a fresh rate-limit bucket, too). */
export async function newApiKey(adminCookie: string, botId: string): Promise<{ key: string; id: string }> {
  const made = await json("/api/admin/api-keys", { cookie: adminCookie, body: { bot_id: botId, name: "extra" }, status: 201 });
  return { key: made.key, id: made.api_key.id };
}

/**
 * Rate limiters count in fixed windows aligned to the clock; waits out the end of the current
 * window when fewer than `marginMs` are left, so a short burst falls within one window.
 */
export async function withinOneWindow(periodSeconds: number, marginMs: number): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 50));
}

/** Runs one SQL statement in the tenant object's own SQLite (timers, webhooks, mirror...) and returns its rows. */
export async function hubRows<T = Record<string, SqlStorageValue>>(tenant: TestTenant, query: string, ...args: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(hub(tenant), (_instance, state) => state.storage.sql.exec(query, ...args).toArray() as T[]);
}

/**
 * Waits until the tenant object has no webhook or D1-mirror work left (every webhook delivered,
 * every change written to D1), so the alarm is armed only for expiry/reminder timers. Only for
 * tests where the webhook sink and D1 both work.
 */
export async function settle(tenant: TestTenant, timeoutMs = 5_000): Promise<void> {
  await eventually(async () => {
    const busy = await hubRows(tenant, `SELECT kind, ref FROM timers WHERE kind IN ('webhook', 'mirror')`);
    expect(busy, "webhook / mirror work still pending").toEqual([]);
  }, timeoutMs);
}
